package pg

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/pg/internal/table"
)

// Batch is a list of queries sent to the database in one round trip
// (a pgx.Batch): queue typed queries with their Queue methods, each of
// which returns a [Result], send them all with Send, then read each
// Result.
//
//	b := pg.NewBatch()
//	user := q.Users.Select().Where(db.Users.ID.Eq(id)).QueueFirst(b)
//	posts := q.Posts.Select().Where(db.Posts.AuthorID.Eq(id)).Queue(b)
//	n := q.Posts.Update().Set(...).Where(...).Queue(b)
//	if err := b.Send(ctx, pool); err != nil {
//		return err
//	}
//	u, err := user.Get()  // a schema.User, or an error wrapping ErrNotFound
//	ps, err := posts.Get() // a []schema.Post
//
// Outside a transaction PostgreSQL runs a batch's statements in one
// implicit transaction: a failing statement undoes the ones before it,
// and the ones after it do not run. Inside one (Send on a pgx.Tx) they
// are part of it, and a failure aborts it. A Batch is for one Send, by
// one goroutine.
//
// A queued query costs its Result and its statement; Send reads every
// result itself, without a closure per query, so a batch allocates no
// more than the same pgx.Batch written by hand with a callback per query.
type Batch struct {
	b     pgx.Batch
	items []batchItem
	err   error // the first query that could not be written
	first error // the first query that failed in the database
	sent  bool
	// itemBuf holds the items of a batch of up to len(itemBuf) queries,
	// which so need no allocation of their own.
	itemBuf [16]batchItem
}

// batchItem is what a Batch knows of a queued query: the statement's
// kind and table, for errors, whether its result was read, its Result,
// and the pgx query, whose callback (if any) reads a Result without a
// reader of its own.
type batchItem struct {
	op, table string
	done      bool
	res       batchResult
	qq        *pgx.QueuedQuery
	// key names the key's columns of a read by key (QueueGet), whose
	// values are qq's arguments, for the message of a miss.
	key []string
}

// batchResult is a Result of any type: Send reads the query's result into
// it, or gives it the error of a query that did not run.
type batchResult interface {
	failWith(error)
	// readFrom reads the query's result from br, reporting false when the
	// Result has no reader and the query's pgx callback is to run.
	readFrom(bt *Batch, br pgx.BatchResults) (bool, error)
}

func (r *Result[T]) failWith(err error) {
	var zero T
	r.v, r.err, r.set = zero, err, true
}

// readFrom reads the Result's query from br. Send reads every result
// itself, rather than through pgx callbacks, which would cost two
// closures per query: a Result that reads one row needs none.
func (r *Result[T]) readFrom(bt *Batch, br pgx.BatchResults) (bool, error) {
	switch {
	case r.row != nil:
		err := r.row(br.QueryRow(), &r.v)
		if errors.Is(err, pgx.ErrNoRows) {
			var zero T
			return true, record(bt, r.item, r, zero, nil, bt.items[r.item].notFound())
		}
		return true, record(bt, r.item, r, r.v, err, nil)
	case r.read != nil:
		return true, r.read(br)
	}
	return false, nil
}

// notFound is the error of a read of one row that found none, naming
// the key when the read was by key.
func (it *batchItem) notFound() error {
	e := &NotFoundError{Table: it.table}
	if len(it.key) > 0 {
		var b strings.Builder
		for i, name := range it.key {
			table.WriteKey(&b, name, it.qq.Arguments[i])
		}
		e.Key = b.String()
	}
	return e
}

// readRows reads the rows of the next query of br with fn, as pgx's
// QueuedQuery.Query does.
func readRows(br pgx.BatchResults, fn func(pgx.Rows) error) error {
	rows, _ := br.Query()
	defer rows.Close()
	if err := fn(rows); err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// NewBatch returns an empty batch.
func NewBatch() *Batch {
	bt := new(Batch)
	bt.items = bt.itemBuf[:0]
	return bt
}

// Len returns the number of queries queued.
func (bt *Batch) Len() int { return len(bt.items) }

// Result is the typed result of a query queued in a Batch, known once
// the Batch is sent.
type Result[T any] struct {
	v    T
	err  error
	set  bool
	item int
	// How Send reads the query's result: one row, scanned by row (no row
	// is a miss, an error wrapping ErrNotFound), or by read. With
	// neither, the pgx query's callback reads it.
	row  func(pgx.Row, *T) error
	read func(pgx.BatchResults) error
}

// Get returns the query's result, or its error: the query's own, naming
// its place in the batch and its statement; the reason it did not run;
// or that the batch has not been sent.
func (r *Result[T]) Get() (T, error) {
	if !r.set {
		var zero T
		return zero, fmt.Errorf("pg: batch query %d: the batch has not been sent", r.item+1)
	}
	return r.v, r.err
}

// ErrNotRun is wrapped by the Results of the queries of a batch that did
// not run: the batch was not sent, or a query before them failed.
var ErrNotRun = errors.New("not run")

// queue adds the statement b holds to the batch and returns its Result
// and, when it was queued, the pgx query. The caller gives the Result its
// reader (row or read); a pgx callback set on the query instead also
// works, at the cost of its closures. A statement that could not be written
// makes Send fail before anything is sent.
func queue[T any](bt *Batch, b *builder, op, table string) (*pgx.QueuedQuery, int, *Result[T]) {
	if b.err != nil && !bt.sent {
		return queueFailed[T](bt, op, table, b.err)
	}
	// finish shares the run's buffer, which the batch now owns.
	return queueSQL[T](bt, b.finish(), b.args, op, table)
}

// queueFailed adds a query that could not be written, whose mistake err
// keeps the batch from being sent.
func queueFailed[T any](bt *Batch, op, table string, err error) (*pgx.QueuedQuery, int, *Result[T]) {
	i := len(bt.items)
	r := &Result[T]{item: i}
	bt.items = append(bt.items, batchItem{op: op, table: table, res: r})
	bt.setErr(fmt.Errorf("pg: batch query %d: %w", i+1, err))
	return nil, i, r
}

// queueSQL queues the statement sql with args.
func queueSQL[T any](bt *Batch, sql string, args []any, op, table string) (*pgx.QueuedQuery, int, *Result[T]) {
	i := len(bt.items)
	r := &Result[T]{item: i}
	bt.items = append(bt.items, batchItem{op: op, table: table, res: r})
	if bt.sent {
		bt.setErr(fmt.Errorf("pg: batch query %d (%s %q): queued after the batch was sent", i+1, op, table))
		return nil, i, r
	}
	qq := bt.b.Queue(sql, args...)
	bt.items[i].qq = qq
	return qq, i, r
}

func (bt *Batch) setErr(err error) {
	if bt.err == nil {
		bt.err = err
	}
}

// record gives query i's result to r. A database error is named by the
// query's place and statement, and returned, which stops the batch; a
// miss (a QueueFirst that found no row) is r's own and is not.
func record[T any](bt *Batch, i int, r *Result[T], v T, err, miss error) error {
	it := &bt.items[i]
	it.done = true
	if err != nil {
		err = fmt.Errorf("pg: batch query %d of %d: %w", i+1, len(bt.items), wrap(it.op, it.table, err))
		if bt.first == nil {
			bt.first = err
		}
	}
	r.v, r.set = v, true
	r.err = err
	if err == nil && miss != nil {
		r.err = fmt.Errorf("pg: batch query %d of %d: %w", i+1, len(bt.items), miss)
	}
	return err
}

// Send sends the queued queries in one round trip on db and reads every
// result into its Result. It returns the first error, naming the query
// by its place in the batch (1 for the first queued) and its statement;
// the Results of the queries that did not run wrap ErrNotRun. When a
// query could not be written (a mistake its run would have reported),
// Send sends nothing and returns that error. A Batch is sent once.
//
// A QueueFirst that finds no row is not an error of the batch: its
// Result holds an error wrapping ErrNotFound, and the queries after it
// run.
func (bt *Batch) Send(ctx context.Context, db DBTX) error {
	if bt.sent {
		return errors.New("pg: the batch was sent already")
	}
	bt.sent = true
	if bt.err != nil {
		for i, it := range bt.items {
			it.res.failWith(fmt.Errorf("pg: batch query %d (%s %q): %w: the batch was not sent: %w", i+1, it.op, it.table, ErrNotRun, bt.err))
		}
		return bt.err
	}
	if len(bt.items) == 0 {
		return nil
	}
	br := db.SendBatch(ctx, &bt.b)
	var err error
	for i := range bt.items {
		it := &bt.items[i]
		var read bool
		if read, err = it.res.readFrom(bt, br); !read {
			if it.qq.Fn != nil {
				err = it.qq.Fn(br)
			} else {
				_, err = br.Exec()
			}
		}
		if err != nil {
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		return nil
	}
	for i, it := range bt.items {
		if it.done {
			continue
		}
		if bt.first == nil {
			// The round trip failed before this query's result came: a
			// broken connection, a cancelled context.
			bt.first = fmt.Errorf("pg: batch query %d of %d: %w", i+1, len(bt.items), wrap(it.op, it.table, err))
			it.res.failWith(bt.first)
			continue
		}
		it.res.failWith(fmt.Errorf("pg: batch query %d (%s %q): %w, because %w", i+1, it.op, it.table, ErrNotRun, bt.first))
	}
	if bt.first == nil {
		return err
	}
	return bt.first
}

// queueRows queues the statement b holds, which returns rows of t, read
// into a slice.
func queueRows[R any](bt *Batch, b *builder, t *Table[R], op string, sizeHint int) *Result[[]R] {
	qq, i, r := queue[[]R](bt, b, op, t.Name)
	if qq == nil {
		return r
	}
	r.read = func(br pgx.BatchResults) error {
		return readRows(br, func(rows pgx.Rows) error {
			out := make([]R, 0, sizeHint)
			err := table.ScanRows(rows, func(rows pgx.Rows) error {
				var zero R
				out = append(out, zero)
				return t.Scan(rows, &out[len(out)-1])
			})
			if err != nil {
				out = nil
			}
			return record(bt, i, r, out, err, nil)
		})
	}
	return r
}

// queueExec queues the statement b holds, whose result is the number of
// rows it changed.
func queueExec(bt *Batch, b *builder, op, table string) *Result[int64] {
	qq, i, r := queue[int64](bt, b, op, table)
	if qq != nil {
		r.read = func(br pgx.BatchResults) error {
			tag, err := br.Exec()
			if err != nil {
				return err
			}
			return record(bt, i, r, tag.RowsAffected(), nil, nil)
		}
	}
	return r
}

// queueRow queues the statement b holds, which returns at most one row,
// scanned by scan; no row is a miss, an error wrapping ErrNotFound.
func queueRow[T any](bt *Batch, b *builder, op, table string, scan func(pgx.Row, *T) error) *Result[T] {
	qq, _, r := queue[T](bt, b, op, table)
	if qq != nil {
		r.row = scan
	}
	return r
}

// Queue queues the query in bt; once bt is sent, the Result holds what
// All would have returned.
func (q SelectQuery[R]) Queue(bt *Batch) *Result[[]R] {
	s := q.c.newStmt(q.c.size(q.t.List))
	q.c.build(&s.b, q.t.List, true)
	return queueRows(bt, &s.b, q.t, opSelect, q.c.sizeHint())
}

// QueueFirst queues the query in bt; once bt is sent, the Result holds
// what First would have returned: the first row, or an error wrapping
// ErrNotFound. A read by primary key is
// q.T.Select().Where(db.T.ID.Eq(id)).QueueFirst(bt).
func (q SelectQuery[R]) QueueFirst(bt *Batch) *Result[R] {
	q.c.limit, q.c.hasLim = 1, true
	s := q.c.newStmt(q.c.size(q.t.List))
	q.c.build(&s.b, q.t.List, true)
	return queueRow(bt, &s.b, opSelect, q.t.Name, q.t.Scan)
}

// GetQueued queues in bt the read of one row of t by key: sql is the
// generated Get's statement, key names the key's columns and args holds
// their values, in the same order. Once bt is sent, the Result holds what
// Get would have returned: the row, or an error wrapping ErrNotFound
// that names the key. Generated code's QueueGet calls it.
func (t *Table[R]) GetQueued(bt *Batch, sql string, key []string, args ...any) *Result[R] {
	if len(key) != len(args) && !bt.sent {
		_, _, r := queueFailed[R](bt, opSelect, t.Name, fmt.Errorf("pg: read of %q by key: %d key columns, %d values", t.Name, len(key), len(args)))
		return r
	}
	qq, i, r := queueSQL[R](bt, sql, args, opSelect, t.Name)
	if qq != nil {
		bt.items[i].key = key
		r.row = t.Scan
	}
	return r
}

// QueueCount queues the query's Count in bt.
func (q SelectQuery[R]) QueueCount(bt *Batch) *Result[int64] {
	s := q.c.newStmt(q.c.size("1") + 32)
	q.c.buildCount(&s.b)
	return queueRow(bt, &s.b, opSelect, q.t.Name, func(row pgx.Row, n *int64) error { return row.Scan(n) })
}

// Queue queues the update in bt; once bt is sent, the Result holds what
// Exec would have returned: the number of rows changed.
func (q UpdateQuery[R]) Queue(bt *Batch) *Result[int64] {
	s := q.stmt(false)
	q.build(&s.b, false)
	return queueExec(bt, &s.b, opUpdate, q.t.Name)
}

// QueueReturning queues the update in bt; once bt is sent, the Result
// holds what Returning would have returned: the changed rows as stored.
func (q UpdateQuery[R]) QueueReturning(bt *Batch) *Result[[]R] {
	s := q.stmt(true)
	q.build(&s.b, true)
	return queueRows(bt, &s.b, q.t, opUpdate, 0)
}

// Queue queues the delete in bt; once bt is sent, the Result holds what
// Exec would have returned: the number of rows removed.
func (q DeleteQuery[R]) Queue(bt *Batch) *Result[int64] {
	s := q.stmt(false)
	q.build(&s.b, false)
	return queueExec(bt, &s.b, opDelete, q.t.Name)
}

// QueueReturning queues the delete in bt; once bt is sent, the Result
// holds what Returning would have returned: the removed rows.
func (q DeleteQuery[R]) QueueReturning(bt *Batch) *Result[[]R] {
	s := q.stmt(true)
	q.build(&s.b, true)
	return queueRows(bt, &s.b, q.t, opDelete, 0)
}

// Queue queues the query in bt; once bt is sent, the Result holds what
// All would have returned.
func (q ValuesQuery[T]) Queue(bt *Batch) *Result[[]T] {
	s := q.c.newStmt(q.c.size("") + 32*len(q.sel))
	q.c.buildValues(&s.b, "", q.sel, true)
	qq, i, r := queue[[]T](bt, &s.b, opSelect, q.c.name)
	if qq == nil {
		return r
	}
	r.read = func(br pgx.BatchResults) error {
		return readRows(br, func(rows pgx.Rows) error {
			var out []T
			dst := make([]any, 0, len(q.sel))
			err := table.ScanRows(rows, func(rows pgx.Rows) error {
				var v T
				if err := rows.Scan(q.targets(&v, dst[:0])...); err != nil {
					return err
				}
				out = append(out, v)
				return nil
			})
			if err != nil {
				out = nil
			}
			return record(bt, i, r, out, err, nil)
		})
	}
	return r
}

// QueueOne queues the query in bt; once bt is sent, the Result holds
// what One would have returned: the first row, such as the one row of an
// aggregate, or an error wrapping ErrNotFound.
func (q ValuesQuery[T]) QueueOne(bt *Batch) *Result[T] {
	s := q.c.newStmt(q.c.size("") + 32*len(q.sel))
	q.c.buildValues(&s.b, "", q.sel, true)
	return queueRow(bt, &s.b, opSelect, q.c.name, func(row pgx.Row, v *T) error {
		return row.Scan(q.targets(v, make([]any, 0, len(q.sel)))...)
	})
}

// InsertQueued queues an insert of rows into the table in bt, sent as by
// Insert; once bt is sent, the Result holds the rows as stored (all
// their columns read back). Generated code's QueueInsert calls it:
// q.T.QueueInsert(bt, rows).
func (t *Table[R]) InsertQueued(bt *Batch, rows []R, with ...AnyColumn) *Result[[]R] {
	var b builder
	if len(rows) == 0 {
		b.fail(fmt.Errorf("pg: insert into %q: no rows to insert", t.Name))
	} else if _, err := t.buildInsert(&b, rows, with); err != nil {
		b.fail(err)
	}
	b.writeSQL(" RETURNING ")
	b.writeSQL(t.List)
	return queueRows(bt, &b, t, "insert into", len(rows))
}
