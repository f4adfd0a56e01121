package pg_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/pg"
)

// TestSQLColumnArgument: a typed column given to pg.SQL is written as its
// name, not bound as the text of its name (which matched no row, or
// every row, in silence); other expressions are written as their SQL.
func TestSQLColumnArgument(t *testing.T) {
	ctx := context.Background()
	conn := itemsDB(t, 6)
	if _, err := conn.Exec(ctx, `UPDATE items SET name = 'a' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if n := must(count(t, conn, pg.SQL("? = ?", items.Name, "a")))(t); n != 1 {
		t.Errorf(`pg.SQL("? = ?", items.Name, "a") matches %d rows, want 1`, n)
	}
	if n := must(count(t, conn, pg.SQL("? <> ?", items.Name, "a")))(t); n != 5 {
		t.Errorf(`pg.SQL("? <> ?", items.Name, "a") matches %d rows, want 5`, n)
	}
	sql, args, err := itemsTable.Select(nil).Where(pg.SQL("? = ?", items.Name, "a")).SQL()
	if err != nil || !strings.HasSuffix(sql, ` WHERE ("items"."name" = $1)`) || len(args) != 1 || args[0] != "a" {
		t.Errorf("%s %v %v", sql, args, err)
	}
	// In an assignment, and an aggregate inside a fragment.
	if n := must(itemsTable.Update(conn).Set(items.N.SetSQL(pg.SQL("coalesce(?, 0) + ?", items.N, 10))).Where(items.ID.Le(3)).Exec(ctx))(t); n != 3 {
		t.Errorf("SetSQL with a column argument: %d rows, want 3", n)
	}
	top := must(pg.Select1(itemsTable.Select(conn), pg.As[int64](pg.SQL("coalesce(?, 0)", pg.Max(items.N)))).One(ctx))(t)
	if top != 12 {
		t.Errorf("coalesce(max(n), 0): %d, want 12", top)
	}
}

// TestColumnOfAnotherTable: a column of a table the statement does not
// have fails before anything is sent, naming the column and the
// statement's tables, where PostgreSQL would answer "missing FROM-clause
// entry" after the round trip. A joined table's columns are allowed.
func TestColumnOfAnotherTable(t *testing.T) {
	ctx := context.Background()
	conn := joinDB(t)
	notIn := func(what string) string {
		return `pg: ` + what + ` "items": column "notes"."id" belongs to none of the statement's tables ("items")`
	}
	sel := notIn("select from") + `: join its table (pg.Join), or use a column of these`
	run := func(f func() error) error { return f() }
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"where", run(func() error { _, err := itemsTable.Select(conn).Where(notes.ID.Eq(1)).All(ctx); return err }), sel},
		{"first", run(func() error {
			_, err := itemsTable.Select(conn).Where(items.ID.Eq(1), notes.ID.Eq(1)).First(ctx)
			return err
		}), sel},
		{"count", run(func() error {
			_, err := itemsTable.Select(conn).Where(pg.Or(items.ID.Eq(1), notes.ID.IsNull())).Count(ctx)
			return err
		}), sel},
		{"order by", run(func() error { _, err := itemsTable.Select(conn).OrderBy(notes.ID.Asc()).All(ctx); return err }), sel},
		{"fragment", run(func() error {
			_, err := itemsTable.Select(conn).Where(pg.SQL("? > 0", notes.ID)).Exists(ctx)
			return err
		}), sel},
		{"values", run(func() error { _, err := pg.Select1(itemsTable.Select(conn), pg.Max(notes.ID)).One(ctx); return err }), sel},
		{"group by", run(func() error {
			_, err := pg.Select2(itemsTable.Select(conn), items.N, pg.Count()).GroupBy(notes.ID).All(ctx)
			return err
		}), sel},
		{"update", run(func() error {
			_, err := itemsTable.Update(conn).Set(items.Name.Set("x")).Where(notes.ID.Eq(1)).Exec(ctx)
			return err
		}), notIn("update of")},
		{"update set", run(func() error {
			_, err := itemsTable.Update(conn).Set(items.N.SetSQL(pg.SQL("?", notes.ID))).All().Exec(ctx)
			return err
		}), notIn("update of")},
		{"delete", run(func() error { _, err := itemsTable.Delete(conn).Where(notes.ID.In(1, 2)).Returning(ctx); return err }), notIn("delete from")},
		{"join", run(func() error {
			_, err := pg.Join(itemsTable.Select(conn), notesTable.Select(conn), notes.ItemID.EqCol(other)).All(ctx)
			return err
		}), `pg: select from "items": column "other"."id" belongs to none of the statement's tables ("items", "notes"): join its table (pg.Join), or use a column of these`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var pe *pgconn.PgError
			if tt.err == nil || tt.err.Error() != tt.want || errors.As(tt.err, &pe) {
				t.Errorf("got %v\nwant %s", tt.err, tt.want)
			}
		})
	}
	// A joined table's columns are the statement's.
	pairs := must(pg.Join(itemsTable.Select(conn), notesTable.Select(conn).Where(notes.Body.Like("b%")), notes.ItemID.EqCol(items.ID)).
		Where(notes.ID.Le(2)).OrderBy(notes.ID.Asc()).All(ctx))(t)
	if len(pairs) != 2 {
		t.Errorf("join naming the columns of both tables: %d pairs, want 2", len(pairs))
	}
}
