package pg_test

import (
	"strings"
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
	}, noRows[int]())
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

// TestNewTableNeedsEveryFunction: a table without one of its row
// functions is refused when it is made, naming the table and the
// function, rather than failing at its first insert.
func TestNewTableNeedsEveryFunction(t *testing.T) {
	for _, name := range []string{"Scan", "Values", "Targets", "InsertValues", "ScanInserted", "NonZero"} {
		fns := noRows[int]()
		switch name {
		case "Scan":
			fns.Scan = nil
		case "Values":
			fns.Values = nil
		case "Targets":
			fns.Targets = nil
		case "InsertValues":
			fns.InsertValues = nil
		case "ScanInserted":
			fns.ScanInserted = nil
		case "NonZero":
			fns.NonZero = nil
		}
		func() {
			defer func() {
				msg, _ := recover().(string)
				if want := `table "t": RowFuncs.` + name + " is nil"; !strings.Contains(msg, want) {
					t.Errorf("without %s: panic %q, want it to say %q", name, msg, want)
				}
			}()
			pg.NewTable("public", "t", []pg.TableColumn{{Name: "id"}}, fns)
		}()
	}
}
