package pg

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// TestBatchPgxCallback: Send reads the results of its own queries itself;
// a query queued with a pgx callback instead, or with none, is still read
// in its place, and the queries after it still reach their Results.
func TestBatchPgxCallback(t *testing.T) {
	conn := pgtest.Connect(t)
	bt := NewBatch()
	queueSQL := func(sql string, args ...any) *pgx.QueuedQuery {
		var b builder
		b.writeSQL(sql)
		b.args = args
		qq, _, _ := queue[int64](bt, &b, opSelect, "t")
		return qq
	}
	var got int64
	queueSQL("SELECT $1::bigint + 1", 41).QueryRow(func(row pgx.Row) error { return row.Scan(&got) })
	queueSQL("SELECT 1")
	var s stmt
	s.b.writeSQL("SELECT 7::bigint")
	after := queueRow(bt, &s.b, opSelect, "t", func(row pgx.Row, n *int64) error { return row.Scan(n) })
	if err := bt.Send(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	if got != 42 {
		t.Errorf("the pgx callback read %d, want 42", got)
	}
	if n, err := after.Get(); n != 7 || err != nil {
		t.Errorf("the query after them: %d, %v; want 7", n, err)
	}
}
