package pg_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/pg"
)

// TestValuesKeepSourceClauses: Select1 to Select4 keep the ordering,
// limit and offset of their source, which they used to drop (a "limit 3"
// returned every row, unordered).
func TestValuesKeepSourceClauses(t *testing.T) {
	ctx := context.Background()
	conn := itemsDB(t, 9)
	src := itemsTable.Select(conn).Where(items.ID.Le(8)).OrderBy(items.ID.Desc()).Limit(3).Offset(1)
	want := []int64{7, 6, 5}
	if got := must(pg.Select1(src, items.ID).All(ctx))(t); !slices.Equal(got, want) {
		t.Errorf("Select1: %v, want %v", got, want)
	}
	var got []int64
	for _, r := range must(pg.Select2(src, items.ID, items.Name).All(ctx))(t) {
		got = append(got, r.A)
	}
	for i, r := range must(pg.Select3(src, items.ID, items.Name, items.N).All(ctx))(t) {
		got[i] += 10 * r.A
	}
	for i, r := range must(pg.Select4(src, items.ID, items.Name, items.N, items.Prio).All(ctx))(t) {
		got[i] += 100 * r.A
	}
	if !slices.Equal(got, []int64{777, 666, 555}) {
		t.Errorf("Select2, 3 and 4 (ids summed with weights): %v, want [777 666 555]", got)
	}
	// The values query's own ordering comes after the source's, its
	// limit replaces the source's.
	byN := pg.Select2(itemsTable.Select(conn).Where(items.N.IsNotNull()).OrderBy(items.N.Desc()), items.N, items.ID).
		OrderBy(items.ID.Asc()).Limit(2)
	if got := must(byN.All(ctx))(t); len(got) != 2 || *got[0].A != 2 || got[0].B != 2 || got[1].B != 5 {
		t.Errorf("source ordering, then the values': %+v, want n 2 with ids 2 and 5", got)
	}
}

// TestValuesKeepSourceLock: the lock of the source is taken by the values
// query: another transaction cannot lock the row, and SkipLocked skips it.
func TestValuesKeepSourceLock(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	conns := make([]*pgx.Conn, 2)
	for i := range conns {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		conns[i] = c
	}
	if _, err := conns[0].Exec(ctx, `CREATE TYPE prio AS ENUM ('low', 'high'); CREATE TABLE items (id bigint PRIMARY KEY, n bigint, name text NOT NULL DEFAULT '', prio prio NOT NULL DEFAULT 'low');
		INSERT INTO items (id) VALUES (1), (2)`); err != nil {
		t.Fatal(err)
	}
	tx := must(conns[0].Begin(ctx))(t)
	defer tx.Rollback(ctx)
	if id := must(pg.Select1(itemsTable.Select(tx).Where(items.ID.Eq(1)).ForUpdate(), items.ID).One(ctx))(t); id != 1 {
		t.Fatalf("locked id %d, want 1", id)
	}
	other := must(conns[1].Begin(ctx))(t)
	defer other.Rollback(ctx)
	_, err := pg.Select1(itemsTable.Select(other).Where(items.ID.Eq(1)).NoWait(), items.ID).One(ctx)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "55P03" {
		t.Fatalf("locking the locked row with NoWait: %v, want lock_not_available (55P03)", err)
	}
	other.Rollback(ctx)
	other = must(conns[1].Begin(ctx))(t)
	defer other.Rollback(ctx)
	got := must(pg.Select1(itemsTable.Select(other).OrderBy(items.ID.Asc()).SkipLocked(), items.ID).All(ctx))(t)
	if !slices.Equal(got, []int64{2}) {
		t.Errorf("SkipLocked: %v, want [2]", got)
	}
}

// TestJoinKeepsClauses: a join keeps left's clauses and right's ordering
// and lock, and refuses right's limit and offset, which it cannot keep.
func TestJoinKeepsClauses(t *testing.T) {
	ctx := context.Background()
	conn := joinDB(t)
	if _, err := conn.Exec(ctx, `INSERT INTO notes VALUES (7, 1, 'b7'), (8, 1, 'b8')`); err != nil {
		t.Fatal(err)
	}
	on := notes.ItemID.EqCol(items.ID)
	var got []int64
	pairs := must(pg.Join(itemsTable.Select(conn).OrderBy(items.ID.Desc()).Limit(2).Offset(1), notesTable.Select(conn), on).All(ctx))(t)
	for _, p := range pairs {
		got = append(got, p.Left.ID)
	}
	if !slices.Equal(got, []int64{5, 4}) {
		t.Errorf("left's ordering, limit and offset: items %v, want [5 4]", got)
	}
	got = nil
	for _, p := range must(pg.Join(itemsTable.Select(conn).Where(items.ID.Eq(1)), notesTable.Select(conn).OrderBy(notes.ID.Desc()), on).All(ctx))(t) {
		got = append(got, p.Right.ID)
	}
	if !slices.Equal(got, []int64{8, 7, 1}) {
		t.Errorf("right's ordering: notes %v, want [8 7 1]", got)
	}
	got = nil
	for _, p := range must(pg.LeftJoin(itemsTable.Select(conn).Where(items.ID.Eq(1)), notesTable.Select(conn).OrderBy(notes.ID.Desc()), on).All(ctx))(t) {
		got = append(got, p.Right.ID)
	}
	if !slices.Equal(got, []int64{8, 7, 1}) {
		t.Errorf("right's ordering in a left join: notes %v, want [8 7 1]", got)
	}
	if got := must(pg.Select1(pg.Join(itemsTable.Select(conn), notesTable.Select(conn), on).OrderBy(notes.ID.Desc()).Limit(2), notes.ID).All(ctx))(t); !slices.Equal(got, []int64{8, 7}) {
		t.Errorf("values of a join keep its ordering and limit: %v, want [8 7]", got)
	}

	tx := must(conn.Begin(ctx))(t)
	defer tx.Rollback(ctx)
	locked := pg.Join(itemsTable.Select(tx).Where(items.ID.Eq(2)), notesTable.Select(tx).ForShare(), on)
	if sql, _, _ := locked.SQL(); !strings.HasSuffix(sql, " FOR SHARE") {
		t.Errorf("right's lock: %s", sql)
	}
	if n := len(must(locked.All(ctx))(t)); n != 1 {
		t.Errorf("locked join: %d pairs, want 1", n)
	}

	for _, tt := range []struct {
		name string
		q    pg.JoinQuery[item, note]
		want string
	}{
		{"right limit", pg.Join(itemsTable.Select(conn), notesTable.Select(conn).Limit(1), on),
			`pg: join of "notes": the right query has a Limit or Offset, which would have to apply to its rows before the join; call Limit and Offset on the join`},
		{"right offset", pg.Join(itemsTable.Select(conn), notesTable.Select(conn).Offset(1), on),
			`pg: join of "notes": the right query has a Limit or Offset, which would have to apply to its rows before the join; call Limit and Offset on the join`},
		{"two locks", pg.Join(itemsTable.Select(conn).ForUpdate(), notesTable.Select(conn).ForShare().SkipLocked(), on),
			`pg: join of "items" and "notes": the two queries take different locks (FOR UPDATE and FOR SHARE SKIP LOCKED); a join takes one`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.q.All(ctx)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v\nwant %s", err, tt.want)
			}
		})
	}
	if _, err := pg.LeftJoin(itemsTable.Select(conn), notesTable.Select(conn).Limit(1), on).Count(ctx); err == nil {
		t.Error("a left join over a right query with a limit ran")
	}
}
