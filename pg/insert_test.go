package pg_test

import (
	"testing"

	"github.com/mizzle/mizzle/pg"
)

// TestInsertSQL: the single-row statement of each set of defaulted fields
// sends the InsertValue columns and the defaulted ones set, in column
// order, and never the InsertNever ones.
func TestInsertSQL(t *testing.T) {
	tb := pg.NewTable("public", "t", []pg.TableColumn{
		{Name: "id", Insert: pg.InsertDefault, ReadBack: true},
		{Name: "name", Insert: pg.InsertValue},
		{Name: "len", Insert: pg.InsertNever, ReadBack: true},
		{Name: "prio", Insert: pg.InsertDefault},
	}, pg.RowFuncs[int]{})
	tests := []struct {
		bits uint64
		want string
	}{
		{0, `INSERT INTO "public"."t" ("name") VALUES ($1) RETURNING "t"."id", "t"."len"`},
		{1, `INSERT INTO "public"."t" ("id", "name") VALUES ($1, $2) RETURNING "t"."id", "t"."len"`},
		{2, `INSERT INTO "public"."t" ("name", "prio") VALUES ($1, $2) RETURNING "t"."id", "t"."len"`},
		{3, `INSERT INTO "public"."t" ("id", "name", "prio") VALUES ($1, $2, $3) RETURNING "t"."id", "t"."len"`},
		{2, `INSERT INTO "public"."t" ("name", "prio") VALUES ($1, $2) RETURNING "t"."id", "t"."len"`}, // kept
	}
	for _, tt := range tests {
		if got := tb.InsertSQL(tt.bits); got != tt.want {
			t.Errorf("InsertSQL(%b) = %s\nwant %s", tt.bits, got, tt.want)
		}
	}
}
