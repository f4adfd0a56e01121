package pg_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/pg"
)

// TestBatch: typed queries of every kind sent in one round trip, each
// Result holding what its query's run would have returned.
func TestBatch(t *testing.T) {
	ctx := context.Background()
	conn := acctsDB(t)
	b := pg.NewBatch()
	all := acctsTable.Select(conn).Where(accts.Balance.Ge(20)).OrderBy(accts.ID.Asc()).Queue(b)
	first := acctsTable.Select(conn).Where(accts.ID.Eq(2)).QueueFirst(b)
	missing := acctsTable.Select(conn).Where(accts.ID.Eq(9)).QueueFirst(b)
	upd := acctsTable.Update(conn).Set(accts.Kind.Set("paid")).Where(accts.ID.Le(2)).Queue(b)
	ret := acctsTable.Update(conn).Set(accts.Balance.Set(5)).Where(accts.ID.Eq(3)).QueueReturning(b)
	ins := acctsTable.InsertQueued(b, []acct{{ID: 4, Email: "d@x", Balance: 40, Kind: "free"}})
	count := acctsTable.Select(conn).QueueCount(b)
	sum := pg.Select1(acctsTable.Select(conn), pg.Sum(accts.Balance)).QueueOne(b)
	kinds := pg.Select2(acctsTable.Select(conn), accts.Kind, pg.Count()).GroupBy(accts.Kind).OrderBy(accts.Kind.Asc()).Queue(b)
	del := acctsTable.Delete(conn).Where(accts.ID.Eq(1)).Queue(b)
	delRet := acctsTable.Delete(conn).Where(accts.ID.Eq(4)).QueueReturning(b)
	if _, err := all.Get(); err == nil || !strings.Contains(err.Error(), "not been sent") {
		t.Errorf("Get before Send: %v", err)
	}
	if b.Len() != 11 {
		t.Errorf("Len: %d, want 11", b.Len())
	}
	if err := b.Send(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if rows := must(all.Get())(t); len(rows) != 2 || rows[0].ID != 2 || rows[1].ID != 3 {
		t.Errorf("Queue: %+v", rows)
	}
	if r := must(first.Get())(t); r.ID != 2 || r.Email != "b@x" {
		t.Errorf("QueueFirst: %+v", r)
	}
	if _, err := missing.Get(); !errors.Is(err, pg.ErrNotFound) || !strings.Contains(err.Error(), "batch query 3 of 11") {
		t.Errorf("QueueFirst of no row: %v, want ErrNotFound naming query 3", err)
	}
	if n := must(upd.Get())(t); n != 2 {
		t.Errorf("update Queue: %d rows, want 2", n)
	}
	if r := must(ret.Get())(t); len(r) != 1 || r[0].Balance != 5 || r[0].Twice != 10 {
		t.Errorf("QueueReturning: %+v", r)
	}
	if r := must(ins.Get())(t); len(r) != 1 || r[0].ID != 4 || r[0].Twice != 80 {
		t.Errorf("InsertQueued: %+v", r)
	}
	// Queries run in order: the count sees the insert before it.
	if n := must(count.Get())(t); n != 4 {
		t.Errorf("QueueCount: %d, want 4", n)
	}
	if s := must(sum.Get())(t); s == nil || *s != 10+20+5+40 {
		t.Errorf("QueueOne of a sum: %v", s)
	}
	if k := must(kinds.Get())(t); len(k) != 2 || k[0].A != "free" || k[0].B != 2 || k[1].B != 2 {
		t.Errorf("ValuesQuery Queue: %+v", k)
	}
	if n := must(del.Get())(t); n != 1 {
		t.Errorf("delete Queue: %d", n)
	}
	if r := must(delRet.Get())(t); len(r) != 1 || r[0].ID != 4 {
		t.Errorf("delete QueueReturning: %+v", r)
	}
	if err := b.Send(ctx, conn); err == nil {
		t.Error("a batch was sent twice")
	}
	if err := pg.NewBatch().Send(ctx, conn); err != nil {
		t.Errorf("an empty batch: %v", err)
	}
}

// TestBatchErrors: a query that fails in the database is named by its
// place and statement, the batch's earlier changes are undone and the
// later queries do not run; a query that cannot be written keeps the
// whole batch from being sent.
func TestBatchErrors(t *testing.T) {
	ctx := context.Background()
	conn := acctsDB(t)
	b := pg.NewBatch()
	upd := acctsTable.Update(conn).Set(accts.Balance.Set(0)).All().Queue(b)
	bad := acctsTable.Select(conn).Where(pg.SQL("1/0 = ?", 1)).Queue(b)
	after := acctsTable.Select(conn).QueueCount(b)
	err := b.Send(ctx, conn)
	var pe *pg.Error
	if err == nil || !strings.Contains(err.Error(), `pg: batch query 2 of 3: select from "accts": ERROR: division by zero`) || !errors.As(err, &pe) {
		t.Errorf("Send with a failing query: %v", err)
	}
	if _, e := bad.Get(); e == nil || e.Error() != err.Error() {
		t.Errorf("the failing query's Result: %v, want Send's error", e)
	}
	if n, e := upd.Get(); n != 3 || e != nil {
		t.Errorf("the query before: %d, %v; want its result (3 rows)", n, e)
	}
	if _, e := after.Get(); !errors.Is(e, pg.ErrNotRun) || !strings.Contains(e.Error(), "batch query 3") {
		t.Errorf("the query after: %v, want ErrNotRun", e)
	}
	if s := storedAccts(t, conn); s[1].Balance != 10 {
		t.Errorf("the batch's implicit transaction kept the update: %+v", s[1])
	}

	b = pg.NewBatch()
	ok := acctsTable.Update(conn).Set(accts.Balance.Set(0)).All().Queue(b)
	acctsTable.Update(conn).Set(accts.Balance.Set(1)).Queue(b) // no Where
	err = b.Send(ctx, conn)
	if err == nil || !strings.Contains(err.Error(), "batch query 2: pg: update of \"accts\": no Where condition") {
		t.Errorf("Send with a query that cannot be written: %v", err)
	}
	if _, e := ok.Get(); !errors.Is(e, pg.ErrNotRun) {
		t.Errorf("a query of a batch not sent: %v, want ErrNotRun", e)
	}
	if s := storedAccts(t, conn); s[1].Balance != 10 {
		t.Errorf("a batch that failed before sending changed rows: %+v", s[1])
	}
	b = pg.NewBatch()
	acctsTable.InsertQueued(b, nil)
	if err := b.Send(ctx, conn); err == nil || !strings.Contains(err.Error(), "no rows to insert") {
		t.Errorf("InsertQueued of no rows: %v", err)
	}
	b = pg.NewBatch()
	if err := b.Send(ctx, conn); err != nil {
		t.Fatal(err)
	}
	late := acctsTable.Select(conn).Queue(b)
	if _, e := late.Get(); e == nil {
		t.Error("a query queued after Send has a result")
	}
	lateGet := acctsTable.GetQueued(b, getAcct, []string{"id"}, 1)
	if _, e := lateGet.Get(); e == nil {
		t.Error("a read by key queued after Send has a result")
	}
}

// getAcct is what generated code's Get statement would be for accts.
var getAcct = "SELECT " + acctsTable.List + ` FROM "public"."accts" WHERE "accts"."id" = $1`

// TestBatchGetQueued: reads by key queued in a batch, as generated
// QueueGet methods queue them: the row, or a miss that names the key and
// does not stop the queries after it.
func TestBatchGetQueued(t *testing.T) {
	ctx := context.Background()
	conn := acctsDB(t)
	b := pg.NewBatch()
	two := acctsTable.GetQueued(b, getAcct, []string{"id"}, int64(2))
	missing := acctsTable.GetQueued(b, getAcct, []string{"id"}, int64(9))
	three := acctsTable.GetQueued(b, getAcct, []string{"id"}, int64(3))
	if err := b.Send(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if r := must(two.Get())(t); r.ID != 2 || r.Email != "b@x" {
		t.Errorf("GetQueued: %+v", r)
	}
	var nf *pg.NotFoundError
	if _, err := missing.Get(); !errors.As(err, &nf) || nf.Key != "id = 9" || err.Error() != `pg: batch query 2 of 3: no row in "accts" with id = 9` {
		t.Errorf("GetQueued of no row: %v, want a NotFoundError naming the key", err)
	}
	if r := must(three.Get())(t); r.ID != 3 {
		t.Errorf("GetQueued after a miss: %+v", r)
	}
	b = pg.NewBatch()
	acctsTable.GetQueued(b, getAcct, []string{"id", "email"}, int64(2))
	if err := b.Send(ctx, conn); err == nil || err.Error() != `pg: batch query 1: pg: read of "accts" by key: 2 key columns, 1 values` {
		t.Errorf("GetQueued with a key and values that do not match: %v", err)
	}
}

// TestBatchInTx: a batch sent on a transaction is part of it.
func TestBatchInTx(t *testing.T) {
	ctx := context.Background()
	conn := acctsDB(t)
	sentinel := errors.New("roll back")
	err := pg.InTx(ctx, conn, func(tx pg.DBTX) error {
		b := pg.NewBatch()
		n := acctsTable.Update(tx).Set(accts.Balance.Set(0)).All().Queue(b)
		c := acctsTable.Select(tx).Where(accts.Balance.Eq(0)).QueueCount(b)
		if err := b.Send(ctx, tx); err != nil {
			return err
		}
		if got := must(n.Get())(t); got != 3 {
			t.Errorf("update in tx: %d", got)
		}
		if got := must(c.Get())(t); got != 3 {
			t.Errorf("count in tx: %d", got)
		}
		return sentinel
	})
	if !errors.Is(err, sentinel) {
		t.Fatal(err)
	}
	if s := storedAccts(t, conn); s[1].Balance != 10 {
		t.Errorf("a rolled back batch changed rows: %+v", s[1])
	}
	// A batch on a broken connection fails naming its first query.
	dead := acctsDB(t)
	if err := dead.Close(ctx); err != nil {
		t.Fatal(err)
	}
	b := pg.NewBatch()
	r := acctsTable.Select(dead).Queue(b)
	acctsTable.Select(dead).QueueCount(b)
	err = b.Send(ctx, dead)
	if err == nil || !strings.Contains(err.Error(), "batch query 1 of 2") {
		t.Errorf("Send on a closed connection: %v", err)
	}
	if _, e := r.Get(); e == nil {
		t.Error("a query of a batch that could not be sent has a result")
	}
}

// TestBatchMany: a batch of more queries than a Batch holds without
// allocating keeps each Result with its own query, found or missing.
func TestBatchMany(t *testing.T) {
	conn := acctsDB(t)
	b := pg.NewBatch()
	var res []*pg.Result[acct]
	for i := range 40 {
		res = append(res, acctsTable.Select(conn).Where(accts.ID.Eq(int64(i%5))).QueueFirst(b))
	}
	n := acctsTable.Update(conn).Set(accts.Balance.Set(1)).Where(accts.ID.Le(2)).Queue(b)
	if err := b.Send(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		a, err := r.Get()
		id := int64(i % 5)
		switch {
		case id >= 1 && id <= 3:
			if err != nil || a.ID != id {
				t.Errorf("query %d: %+v, %v; want id %d", i+1, a, err, id)
			}
		case !errors.Is(err, pg.ErrNotFound):
			t.Errorf("query %d: %+v, %v; want ErrNotFound", i+1, a, err)
		}
	}
	if got, err := n.Get(); got != 2 || err != nil {
		t.Errorf("the update after 40 reads: %d, %v; want 2", got, err)
	}
}
