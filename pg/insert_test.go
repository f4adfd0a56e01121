package pg_test

import (
	"strings"
	"testing"

	"github.com/mizzle/mizzle/pg/pgimpl"
)

// TestInsertSQL: the single-row statement of each set of defaulted fields
// sends the InsertValue columns and the defaulted ones set, in column
// order, and never the InsertNever ones.
func TestInsertSQL(t *testing.T) {
	tb := pgimpl.NewTable("public", "t", []pgimpl.TableColumn{
		{Name: "id", Insert: pgimpl.InsertDefault, ReadBack: true},
		{Name: "name", Insert: pgimpl.InsertValue},
		{Name: "len", Insert: pgimpl.InsertNever, ReadBack: true},
		{Name: "prio", Insert: pgimpl.InsertDefault},
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
		if got := pgimpl.InsertSQL(tb, tt.bits); got != tt.want {
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
			pgimpl.NewTable("public", "t", []pgimpl.TableColumn{{Name: "id"}}, fns)
		}()
	}
}
