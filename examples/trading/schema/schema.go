// Package schema declares the tables of the trading example: AI trading
// models and the orders they place.
package schema

//go:generate go run github.com/mizzle/mizzle/cmd/mizzle generate

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Status of an order.
type Status string // a named string type with constants becomes a PostgreSQL enum

const (
	StatusOpen   Status = "OPEN"
	StatusClosed Status = "CLOSED"
)

// ExitPlan is stored as a JSON document in Orders.exitPlan.
type ExitPlan struct {
	TakeProfit   decimal.Decimal `json:"takeProfit"`
	StopLoss     decimal.Decimal `json:"stopLoss"`
	Invalidation string          `json:"invalidation,omitempty"`
}

// Model is an AI trading model.
//
//mizzle:table Models
type Model struct {
	ID           string    `db:"id,pk"`
	Variant      string    `db:"variant"`
	NetPortfolio string    `db:"netPortfolio"`
	CreatedAt    time.Time `db:"createdAt,default:now()"`
}

// Order is a trading position.
//
//mizzle:table Orders
//mizzle:index Orders_symbol_status_idx (symbol, status)
//mizzle:index Orders_open_idx (symbol) WHERE status = 'OPEN'
//mizzle:check Orders_qty_positive (quantity > 0)
type Order struct {
	ID       uuid.UUID       `db:"id,pk,default:gen_random_uuid()"`
	ModelID  string          `db:"modelId,ref:Model.ID,ondelete:cascade"`
	Symbol   string          `db:"symbol"`
	Quantity decimal.Decimal `db:"quantity,type:numeric(18,8)"`
	ExitPlan *ExitPlan       `db:"exitPlan,type:jsonb"`
	Status   Status          `db:"status,default:'OPEN'"`
	ClosedAt *time.Time      `db:"closedAt"`
	Trailing *float64        `db:"trailingStop,was:trailStop"` // rename hint
}
