package pg_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/pg"
	"github.com/mizzle/mizzle/pg/pgimpl"
)

// note is a row of the table "notes", which refers to "items": the
// second table of the joins below.
type note struct {
	ID     int64
	ItemID int64
	Body   string
}

var (
	notes = struct {
		ID     pg.Column[int64]
		ItemID pg.Column[int64]
		Body   pg.TextColumn[string]
	}{
		pg.NewColumn[int64]("notes", "id"),
		pg.NewColumn[int64]("notes", "item_id"),
		pg.NewTextColumn[string]("notes", "body"),
	}
	notesTable = pgimpl.NewTable("public", "notes", []pgimpl.TableColumn{
		{Name: "id"}, {Name: "item_id"}, {Name: "body"},
	}, rowFuncs(
		func(r pgx.Row, x *note) error { return r.Scan(&x.ID, &x.ItemID, &x.Body) },
		func(x *note, dst []any) []any { return append(dst, x.ID, x.ItemID, x.Body) },
		func(x *note, dst []any) []any { return append(dst, &x.ID, &x.ItemID, &x.Body) },
	))
)

const notesDDL = `CREATE TABLE notes (id bigint PRIMARY KEY, item_id bigint NOT NULL, body text NOT NULL)`

// joinDB is itemsDB with 9 items and the table "notes": note i is about
// item i, for i from 1 to 6, and its body is "b" followed by i.
func joinDB(t *testing.T) *pgx.Conn {
	t.Helper()
	conn := itemsDB(t, 9)
	for _, s := range []string{notesDDL, `INSERT INTO notes SELECT i, i, 'b' || i FROM generate_series(1, 6) i`} {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return conn
}

func ids(rows []item) []int64 {
	var out []int64
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

// must(f()) returns what f returned, failing the test when f failed:
// must(q.All(ctx))(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestSelectBranches: a select is a value; adding to it leaves it as it
// was, so a base query keeps counting every row after a page of it ran,
// and two branches of one base keep their own conditions. The base has
// more conditions and orderings than a query keeps in place, so that
// the branches also append to a shared slice.
func TestSelectBranches(t *testing.T) {
	ctx := context.Background()
	conn := itemsDB(t, 9) // n: 1, 2, NULL, 1, 2, NULL, ...
	base := itemsTable.Select(conn).Where(items.ID.Le(8)).Where(items.ID.Ge(1), items.ID.Ne(100))
	page := base.Limit(2)
	if got := must(page.All(ctx))(t); len(got) != 2 {
		t.Fatalf("page: %d rows, want 2", len(got))
	}
	if n := must(base.Count(ctx))(t); n != 8 {
		t.Errorf("base.Count after base.Limit(2).All: %d, want 8", n)
	}
	ones, twos := base.Where(items.N.Eq(1)), base.Where(items.N.Eq(2))
	if got := ids(must(ones.OrderBy(items.ID.Asc()).All(ctx))(t)); !slices.Equal(got, []int64{1, 4, 7}) {
		t.Errorf("branch n = 1: ids %v, want [1 4 7]", got)
	}
	if got := ids(must(twos.OrderBy(items.ID.Asc()).All(ctx))(t)); !slices.Equal(got, []int64{2, 5, 8}) {
		t.Errorf("branch n = 2: ids %v, want [2 5 8]", got)
	}
	ordered := base.OrderBy(items.Prio.Asc(), items.Name.Asc())
	up, down := ordered.OrderBy(items.ID.Asc()), ordered.OrderBy(items.ID.Desc())
	if got := must(up.First(ctx))(t); got.ID != 1 {
		t.Errorf("ascending branch: first id %d, want 1", got.ID)
	}
	if got := must(down.First(ctx))(t); got.ID != 8 {
		t.Errorf("descending branch: first id %d, want 8", got.ID)
	}
	locked := base.ForUpdate().NoWait()
	if sql, _, _ := base.SQL(); strings.Contains(sql, "FOR UPDATE") || strings.Contains(sql, "LIMIT") || strings.Contains(sql, "ORDER") {
		t.Errorf("base changed by its branches: %s", sql)
	}
	if sql, _, _ := locked.SQL(); !strings.HasSuffix(sql, " FOR UPDATE NOWAIT") {
		t.Errorf("locked branch: %s", sql)
	}
	if n := must(base.Offset(6).Count(ctx))(t); n != 2 {
		t.Errorf("base.Offset(6).Count: %d, want 2", n)
	}
	if ok := must(base.Where(items.ID.Gt(8)).Exists(ctx))(t); ok {
		t.Errorf("branch id > 8 exists; want none")
	}
}

// TestUpdateDeleteBranches: updates and deletes are values too.
func TestUpdateDeleteBranches(t *testing.T) {
	ctx := context.Background()
	conn := itemsDB(t, 9)
	base := itemsTable.Update(conn).Where(items.ID.Le(6), items.ID.Ge(1)).Set(items.Prio.Set("high"))
	ones := base.Where(items.N.Eq(1)).Set(items.Name.Set("one"))
	twos := base.Where(items.N.Eq(2)).Set(items.Name.Set("two"))
	if n := must(ones.Exec(ctx))(t); n != 2 {
		t.Errorf("update of n = 1: %d rows, want 2", n)
	}
	if got := must(twos.Returning(ctx))(t); len(got) != 2 || got[0].Name != "two" || got[0].Prio != "high" {
		t.Errorf("update of n = 2 returned %+v, want 2 rows named two", got)
	}
	if n := must(base.Where(items.N.IsNull()).Set(items.Name.Set("x")).Exec(ctx))(t); n != 2 {
		t.Errorf("update of n NULL: %d rows, want 2", n)
	}
	names := map[int64]string{}
	for _, r := range must(itemsTable.Select(conn).All(ctx))(t) {
		names[r.ID] = r.Name
	}
	want := map[int64]string{1: "one", 2: "two", 3: "x", 4: "one", 5: "two", 6: "x", 7: "", 8: "", 9: ""}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("names %v\nwant %v", names, want)
	}

	del := itemsTable.Delete(conn).Where(items.ID.Le(6), items.ID.Ge(1))
	if n := must(del.Where(items.N.Eq(1)).Exec(ctx))(t); n != 2 {
		t.Errorf("delete of n = 1: %d rows, want 2", n)
	}
	if got := must(del.Where(items.N.Eq(2)).Returning(ctx))(t); len(got) != 2 {
		t.Errorf("delete of n = 2: %d rows, want 2", len(got))
	}
	if n := must(itemsTable.Select(conn).Count(ctx))(t); n != 5 {
		t.Errorf("%d rows left, want 5", n)
	}
}

// TestJoinAndValuesBranches: joins and selected values are values too.
func TestJoinAndValuesBranches(t *testing.T) {
	ctx := context.Background()
	conn := joinDB(t)
	base := pg.Join(itemsTable.Select(conn).Where(items.ID.Ge(1)), notesTable.Select(conn), notes.ItemID.EqCol(items.ID)).
		Where(items.ID.Le(6), items.ID.Ne(100))
	if got := must(base.Limit(2).All(ctx))(t); len(got) != 2 {
		t.Errorf("join page: %d pairs, want 2", len(got))
	}
	if n := must(base.Count(ctx))(t); n != 6 {
		t.Errorf("join base.Count after a page: %d, want 6", n)
	}
	ones, twos := base.Where(items.N.Eq(1)), base.Where(items.N.Eq(2))
	if n := must(ones.Count(ctx))(t); n != 2 {
		t.Errorf("join branch n = 1: %d pairs, want 2", n)
	}
	if p := must(twos.OrderBy(notes.ID.Desc()).First(ctx))(t); p.Right.ID != 5 {
		t.Errorf("join branch n = 2, last: note %d, want 5", p.Right.ID)
	}

	vals := pg.Select1(itemsTable.Select(conn).Where(items.ID.Le(6)), items.ID)
	if got := must(vals.OrderBy(items.ID.Desc()).Limit(2).All(ctx))(t); !slices.Equal(got, []int64{6, 5}) {
		t.Errorf("values page: %v, want [6 5]", got)
	}
	if got := must(vals.All(ctx))(t); len(got) != 6 {
		t.Errorf("values base after a page: %d values, want 6", len(got))
	}
	groups := pg.Select2(itemsTable.Select(conn), items.N, pg.Count()).GroupBy(items.N).OrderBy(items.N.Asc())
	big := groups.Having(pg.SQL("count(*) > ?", 2))
	none := groups.Having(pg.SQL("count(*) > ?", 3))
	if got := must(big.All(ctx))(t); len(got) != 3 {
		t.Errorf("groups of more than 2: %v, want 3", got)
	}
	if got := must(none.All(ctx))(t); len(got) != 0 {
		t.Errorf("groups of more than 3: %v, want none", got)
	}
}

// TestConcurrentBuilders runs branches of one base query from many
// goroutines at once (run with -race): none writes what another reads.
func TestConcurrentBuilders(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE TYPE prio AS ENUM ('low', 'high'); CREATE TABLE items (id bigint PRIMARY KEY, n bigint, name text NOT NULL DEFAULT '', prio prio NOT NULL DEFAULT 'low');
		INSERT INTO items (id, n) SELECT i, i FROM generate_series(1, 40) i`); err != nil {
		t.Fatal(err)
	}
	base := itemsTable.Select(pool).Where(items.ID.Ge(1), items.ID.Le(40), items.N.IsNotNull())
	upd := itemsTable.Update(pool).Set(items.Name.Set("seen")).Where(items.ID.Ge(1), items.ID.Le(40))
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 1; i <= 20; i++ {
		wg.Go(func() {
			got, err := base.Where(items.ID.Le(int64(i))).OrderBy(items.ID.Desc()).Limit(1).All(ctx)
			if err == nil && (len(got) != 1 || got[0].ID != int64(i)) {
				err = fmt.Errorf("goroutine %d: %v", i, ids(got))
			}
			if err == nil {
				var n int64
				n, err = upd.Where(items.ID.Eq(int64(i))).Exec(ctx)
				if err == nil && n != 1 {
					err = fmt.Errorf("goroutine %d: updated %d rows", i, n)
				}
			}
			if err == nil {
				var n int64
				if n, err = base.Count(ctx); err == nil && n != 40 {
					err = fmt.Errorf("goroutine %d: base counts %d", i, n)
				}
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := must(itemsTable.Select(pool).Where(items.Name.Eq("seen")).Count(ctx))(t); n != 20 {
		t.Errorf("%d rows updated, want 20", n)
	}
}
