package bench

import (
	"time"

	"github.com/uptrace/bun"
)

// The users table (schema.User) as GORM and bun model it. Each has the same
// fields and types as schema.User, and leaves id and created_at to the
// database as mizzle does: both are left out of an insert and read back
// with RETURNING.

// gormUser is the users table for GORM. CreatedAt has autoCreateTime off:
// by default GORM would set it from the client's clock and send it, where
// the other libraries let the database's now() fill it.
type gormUser struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	Email     string    `gorm:"column:email"`
	Name      string    `gorm:"column:name"`
	CreatedAt time.Time `gorm:"column:created_at;default:now();autoCreateTime:false"`
	Score     int32     `gorm:"column:score"`
}

// TableName is the table GORM reads and writes (it would guess "gorm_users").
func (gormUser) TableName() string { return "users" }

// bunUser is the users table for bun. nullzero with a default makes bun
// write DEFAULT for a zero CreatedAt and return the stored value.
type bunUser struct {
	bun.BaseModel `bun:"table:users"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Email     string    `bun:"email,notnull"`
	Name      string    `bun:"name,notnull"`
	CreatedAt time.Time `bun:"created_at,nullzero,notnull,default:now()"`
	Score     int32     `bun:"score,notnull"`
}
