// Command trading runs the trading example's typed queries on a database
// that the example's migrations built: it inserts two models and their
// orders, lists the open orders with their model, closes one in a
// transaction and prints a summary. Each run starts over: it deletes the
// models an earlier run inserted, and their orders with them (the foreign
// key cascades).
//
// The database is DATABASE_URL, as the README's main command sets it:
//
//	DATABASE_URL=$(go run ./cmd/mizzle --config examples/trading/mizzle.yaml dev url) go run ./examples/trading/cmd/trading
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"github.com/mizzle/mizzle/examples/trading/db"
	"github.com/mizzle/mizzle/examples/trading/schema"
	"github.com/mizzle/mizzle/pg"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		fmt.Fprintln(os.Stderr, "trading: set DATABASE_URL to a database migrated with examples/trading/migrations")
		os.Exit(2)
	}
	// pgx's parse errors may quote the string, password included.
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "trading: DATABASE_URL is not a connection string pgx reads")
		os.Exit(2)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "trading: %v\n", err)
		os.Exit(1)
	}
	defer conn.Close(context.Background())
	if err := run(ctx, db.New(conn), os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "trading: %v\n", err)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
			fmt.Fprintln(os.Stderr, "trading: apply the example's migrations first: go run ./cmd/mizzle --config examples/trading/mizzle.yaml migrate")
		}
		os.Exit(1)
	}
}

// The models this program inserts, and deletes again on the next run.
var modelIDs = []string{"gpt-5", "claude"}

func run(ctx context.Context, q *db.Queries, w io.Writer) error {
	n, err := q.Models.Delete().Where(db.Models.ID.In(modelIDs...)).Exec(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(w, "Deleted the %d models of an earlier run, and their orders.\n", n)
	}

	// CreatedAt is left zero: the database fills it (DEFAULT now()).
	models, err := q.Models.InsertMany(ctx, []schema.Model{
		{ID: "gpt-5", Variant: "momentum", NetPortfolio: "10000"},
		{ID: "claude", Variant: "mean-reversion", NetPortfolio: "10000"},
	})
	if err != nil {
		return err
	}
	for _, m := range models {
		if m.CreatedAt.IsZero() {
			return fmt.Errorf("model %s came back without its createdAt", m.ID)
		}
	}
	fmt.Fprintf(w, "Inserted %d models.\n", len(models))

	// ID and Status are left zero: the database fills them
	// (gen_random_uuid() and 'OPEN').
	orders, err := q.Orders.InsertMany(ctx, []schema.Order{
		{ModelID: "gpt-5", Symbol: "BTC", Quantity: decimal.RequireFromString("0.5"),
			ExitPlan: &schema.ExitPlan{TakeProfit: decimal.RequireFromString("120000"), StopLoss: decimal.RequireFromString("90000")}},
		{ModelID: "gpt-5", Symbol: "SOL", Quantity: decimal.RequireFromString("10")},
		{ModelID: "claude", Symbol: "ETH", Quantity: decimal.RequireFromString("2.25")},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Opened %d orders.\n", len(orders))

	// The open orders with their model, in one query.
	ours := db.Orders.ModelID.In(modelIDs...)
	open, err := pg.Join(
		q.Orders.Select().Where(ours, db.Orders.Status.Eq(schema.StatusOpen)).OrderBy(db.Orders.Symbol.Asc()),
		q.Models.Select(),
		db.Orders.ModelID.EqCol(db.Models.ID),
	).All(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "Open orders:")
	for _, p := range open {
		plan := ""
		if p.Left.ExitPlan != nil {
			plan = fmt.Sprintf(", take profit %s, stop loss %s", p.Left.ExitPlan.TakeProfit, p.Left.ExitPlan.StopLoss)
		}
		fmt.Fprintf(w, "  %-4s %6s  %s (%s)%s\n", p.Left.Symbol, p.Left.Quantity, p.Right.ID, p.Right.Variant, plan)
	}

	// Close the BTC order: lock it, check that it is still open, and
	// update it, all or nothing.
	btc := orders[0]
	err = q.InTx(ctx, func(tx *db.Queries) error {
		o, err := tx.Orders.Select().Where(db.Orders.ID.Eq(btc.ID)).ForUpdate().First(ctx)
		if err != nil {
			return err
		}
		if o.Status != schema.StatusOpen {
			return fmt.Errorf("order %s is %s, not open", o.ID, o.Status)
		}
		now := time.Now()
		closed, err := tx.Orders.Update().
			Set(db.Orders.Status.Set(schema.StatusClosed), db.Orders.ClosedAt.Set(&now)).
			Where(db.Orders.ID.Eq(o.ID)).
			Returning(ctx)
		if err != nil {
			return err
		}
		if len(closed) != 1 || closed[0].ClosedAt == nil {
			return errors.New("the update closed no order")
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Closed the %s order of %s.\n", btc.Symbol, btc.ModelID)

	// The summary: orders by status, and the open quantity by model.
	byStatus, err := pg.Select2(q.Orders.Select().Where(ours), db.Orders.Status, pg.Count()).
		GroupBy(db.Orders.Status).OrderBy(db.Orders.Status.Asc()).All(ctx)
	if err != nil {
		return err
	}
	var counts []string
	for _, t := range byStatus {
		counts = append(counts, fmt.Sprintf("%d %s", t.B, strings.ToLower(string(t.A))))
	}
	openQty, err := pg.Select2(q.Orders.Select().Where(ours, db.Orders.Status.Eq(schema.StatusOpen)), db.Orders.ModelID, pg.Sum(db.Orders.Quantity)).
		GroupBy(db.Orders.ModelID).OrderBy(db.Orders.ModelID.Asc()).All(ctx)
	if err != nil {
		return err
	}
	var qty []string
	for _, t := range openQty {
		qty = append(qty, fmt.Sprintf("%s %s", t.A, t.B))
	}
	fmt.Fprintf(w, "Summary: %s; open quantity by model: %s.\n", strings.Join(counts, ", "), strings.Join(qty, ", "))
	return nil
}
