package pg_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/pg"
)

// TestIterStops: breaking out of an Iter loop closes the rows, so the
// connection runs the next statement; a join's Iter does the same.
func TestIterStops(t *testing.T) {
	ctx := context.Background()
	conn := joinDB(t)
	var seen []int64
	for r, err := range itemsTable.Select(conn).OrderBy(items.ID.Asc()).Iter(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, r.ID)
		if len(seen) == 2 {
			break
		}
	}
	if !slices.Equal(seen, []int64{1, 2}) {
		t.Errorf("Iter gave %v before the break, want [1 2]", seen)
	}
	pairs := 0
	for _, err := range pg.Join(itemsTable.Select(conn), notesTable.Select(conn), notes.ItemID.EqCol(items.ID)).Iter(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		pairs++
		break
	}
	if pairs != 1 {
		t.Errorf("join Iter gave %d pairs before the break, want 1", pairs)
	}
	if n := must(itemsTable.Select(conn).Count(ctx))(t); n != 9 {
		t.Errorf("count after the breaks: %d, want 9", n)
	}
	// A statement that fails while its rows are read ends the loop with
	// one error, wrapped, and nothing after it.
	var errs []error
	for _, err := range itemsTable.Select(conn).Where(pg.SQL("? = ?", pg.SQL("1/0"), 1)).Iter(ctx) {
		errs = append(errs, err)
	}
	var pe *pg.Error
	if len(errs) != 1 || !errors.As(errs[0], &pe) || pe.Op != "select from" || pe.Table != "items" {
		t.Errorf("Iter of a failing statement yielded %v, want one *pg.Error on items", errs)
	}
}

// TestJoinReads: First, Offset and Exists of a join, and a left join's
// missing right rows as nil.
func TestJoinReads(t *testing.T) {
	ctx := context.Background()
	conn := joinDB(t) // notes for items 1 to 6 of 9
	join := pg.Join(itemsTable.Select(conn), notesTable.Select(conn), notes.ItemID.EqCol(items.ID)).OrderBy(items.ID.Asc())
	if p := must(join.Offset(4).First(ctx))(t); p.Left.ID != 5 || p.Right.Body != "b5" {
		t.Errorf("join.Offset(4).First = %+v, want item 5 with note b5", p)
	}
	if _, err := join.Where(items.ID.Gt(6)).First(ctx); !errors.Is(err, pg.ErrNotFound) || !errors.Is(err, pgx.ErrNoRows) {
		t.Errorf("join.First of no pair: %v, want ErrNotFound", err)
	}
	if ok := must(join.Where(items.ID.Eq(6)).Exists(ctx))(t); !ok {
		t.Errorf("the pair of item 6 does not exist")
	}
	left := pg.LeftJoin(itemsTable.Select(conn).Where(items.ID.Ge(6)), notesTable.Select(conn), notes.ItemID.EqCol(items.ID)).OrderBy(items.ID.Asc())
	var got []string
	for _, p := range must(left.All(ctx))(t) {
		if p.Right == nil {
			got = append(got, "nil")
		} else {
			got = append(got, p.Right.Body)
		}
	}
	if !slices.Equal(got, []string{"b6", "nil", "nil", "nil"}) {
		t.Errorf("left join of items 6 to 9: %v, want [b6 nil nil nil]", got)
	}
}

// TestValuesAndChangesOfAllRows: a values query's Offset, and the update
// and delete of every row that All allows.
func TestValuesAndChangesOfAllRows(t *testing.T) {
	ctx := context.Background()
	conn := itemsDB(t, 5)
	ids := pg.Select1(itemsTable.Select(conn), items.ID).OrderBy(items.ID.Asc())
	if got := must(ids.Offset(3).All(ctx))(t); !slices.Equal(got, []int64{4, 5}) {
		t.Errorf("ids from offset 3: %v, want [4 5]", got)
	}
	if _, err := ids.Offset(5).One(ctx); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("One past the last row: %v, want ErrNotFound", err)
	}
	if n := must(itemsTable.Update(conn).Set(items.Name.Set("all")).All().Exec(ctx))(t); n != 5 {
		t.Errorf("update of all rows: %d, want 5", n)
	}
	if n := must(itemsTable.Select(conn).Where(items.Name.Like("a%")).Count(ctx))(t); n != 5 {
		t.Errorf("%d names like a%%, want 5", n)
	}
	if n := must(itemsTable.Delete(conn).All().Exec(ctx))(t); n != 5 {
		t.Errorf("delete of all rows: %d, want 5", n)
	}
}

// TestSmallParts: what a program prints or tests of the package's
// values.
func TestSmallParts(t *testing.T) {
	if got := items.Name.String(); got != `"items"."name"` {
		t.Errorf("Column.String = %s", got)
	}
	if got := pg.ErrNotFound.Error(); got != "not found" {
		t.Errorf("ErrNotFound.Error = %q", got)
	}
	if _, ok := pg.IsNotNullViolation(errors.New("other")); ok {
		t.Errorf("IsNotNullViolation of another error is true")
	}
	e := &pg.Error{Op: "update", Table: "t", Err: errors.New("x")}
	if got := e.Error(); got != `update "t": x` {
		t.Errorf("Error.Error = %q", got)
	}
}
