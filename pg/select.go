package pg

import (
	"context"
	"iter"
)

// SelectQuery is a query for rows of one table, with R the table's row
// struct. Build it with Where, OrderBy, Limit, Offset and a lock, then run
// it with All, First, Iter, Count or Exists. A SelectQuery is not safe for
// concurrent use; it may be run more than once.
type SelectQuery[R any] struct {
	t      *Table[R]
	db     DBTX
	where  []Expr
	order  []Order
	limit  int64
	offset int64
	hasLim bool
	lock   string // " FOR UPDATE", " FOR SHARE", ...
	wait   string // " SKIP LOCKED", " NOWAIT"
}

// Where adds conditions; all of them must hold (they are joined with AND).
func (q *SelectQuery[R]) Where(conds ...Expr) *SelectQuery[R] {
	q.where = append(q.where, conds...)
	return q
}

// OrderBy adds orderings, most significant first.
func (q *SelectQuery[R]) OrderBy(orders ...Order) *SelectQuery[R] {
	q.order = append(q.order, orders...)
	return q
}

// Limit returns at most n rows.
func (q *SelectQuery[R]) Limit(n int) *SelectQuery[R] {
	q.limit, q.hasLim = int64(n), true
	return q
}

// Offset skips the first n rows.
func (q *SelectQuery[R]) Offset(n int) *SelectQuery[R] {
	q.offset = int64(n)
	return q
}

// ForUpdate locks the rows read (SELECT ... FOR UPDATE) until the end of
// the transaction. Outside a transaction the lock ends with the statement.
func (q *SelectQuery[R]) ForUpdate() *SelectQuery[R] {
	q.lock = " FOR UPDATE"
	return q
}

// ForShare takes a shared lock on the rows read (FOR SHARE).
func (q *SelectQuery[R]) ForShare() *SelectQuery[R] {
	q.lock = " FOR SHARE"
	return q
}

// SkipLocked skips rows another transaction has locked, the usual way to
// take jobs from a queue table:
//
//	job, err := q.Jobs.Select().Where(...).OrderBy(...).Limit(1).SkipLocked().First(ctx)
//
// It implies ForUpdate unless ForShare was called.
func (q *SelectQuery[R]) SkipLocked() *SelectQuery[R] {
	if q.lock == "" {
		q.lock = " FOR UPDATE"
	}
	q.wait = " SKIP LOCKED"
	return q
}

// NoWait fails at once, instead of waiting, when a row is locked by
// another transaction. It implies ForUpdate unless ForShare was called.
func (q *SelectQuery[R]) NoWait() *SelectQuery[R] {
	if q.lock == "" {
		q.lock = " FOR UPDATE"
	}
	q.wait = " NOWAIT"
	return q
}

// SQL returns the statement All and Iter run, and its arguments.
func (q *SelectQuery[R]) SQL() (string, []any, error) {
	var b Builder
	q.build(&b, q.t.list, true)
	return b.String(), b.args, b.err
}

// build writes SELECT list FROM table WHERE ... ORDER BY ... LIMIT ...
func (q *SelectQuery[R]) build(b *Builder, list string, withLock bool) {
	b.buf = make([]byte, 0, 64+len(list)+len(q.t.from))
	b.WriteSQL("SELECT ")
	b.WriteSQL(list)
	b.WriteSQL(" FROM ")
	b.WriteSQL(q.t.from)
	writeWhere(b, q.where)
	if withLock {
		for i, o := range q.order {
			if i == 0 {
				b.WriteSQL(" ORDER BY ")
			} else {
				b.WriteSQL(", ")
			}
			o.appendSQL(b)
		}
	}
	if q.hasLim {
		b.WriteSQL(" LIMIT ")
		b.WriteArg(q.limit)
	}
	if q.offset != 0 {
		b.WriteSQL(" OFFSET ")
		b.WriteArg(q.offset)
	}
	if withLock {
		b.WriteSQL(q.lock)
		b.WriteSQL(q.wait)
	}
}

// All returns every row the query selects.
func (q *SelectQuery[R]) All(ctx context.Context) ([]R, error) {
	var b Builder
	q.build(&b, q.t.list, true)
	return q.t.collect(ctx, q.db, &b, 0)
}

// First returns the first row the query selects (it adds LIMIT 1), or an
// error wrapping ErrNotFound when there is none.
func (q *SelectQuery[R]) First(ctx context.Context) (R, error) {
	var r R
	lim, has := q.limit, q.hasLim
	q.limit, q.hasLim = 1, true
	var b Builder
	q.build(&b, q.t.list, true)
	q.limit, q.hasLim = lim, has
	if b.err != nil {
		return r, b.err
	}
	err := q.t.scan(q.db.QueryRow(ctx, b.String(), b.args...), &r)
	return r, NotFound(q.t.sqlName, err)
}

// Iter runs the query and yields its rows one at a time as they arrive,
// without holding them all in memory. After an error it yields nothing
// more; breaking out of the loop closes the rows.
//
//	for o, err := range q.Orders.Select().Iter(ctx) {
//		if err != nil {
//			return err
//		}
//		...
//	}
func (q *SelectQuery[R]) Iter(ctx context.Context) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {
		var zero R
		var b Builder
		q.build(&b, q.t.list, true)
		if b.err != nil {
			yield(zero, b.err)
			return
		}
		rows, err := q.db.Query(ctx, b.String(), b.args...)
		if err != nil {
			yield(zero, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var r R
			if err := q.t.scan(rows, &r); err != nil {
				yield(zero, err)
				return
			}
			if !yield(r, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, err)
		}
	}
}

// Count returns the number of rows the query selects. Ordering and locks do
// not apply; Limit and Offset do.
func (q *SelectQuery[R]) Count(ctx context.Context) (int64, error) {
	var b Builder
	if q.hasLim || q.offset != 0 {
		var inner Builder
		q.build(&inner, "1", false)
		b.WriteSQL("SELECT count(*) FROM (")
		b.WriteSQL(inner.String())
		b.WriteSQL(`) AS "q"`)
		b.args, b.err = inner.args, inner.err
	} else {
		q.build(&b, "count(*)", false)
	}
	return scalar[int64](ctx, q.db, &b)
}

// Exists reports whether the query selects any row.
func (q *SelectQuery[R]) Exists(ctx context.Context) (bool, error) {
	var inner Builder
	q.build(&inner, "1", false)
	b := Builder{args: inner.args, err: inner.err}
	b.WriteSQL("SELECT EXISTS (")
	b.WriteSQL(inner.String())
	b.WriteSQL(")")
	return scalar[bool](ctx, q.db, &b)
}

func scalar[T any](ctx context.Context, db DBTX, b *Builder) (T, error) {
	var v T
	if b.err != nil {
		return v, b.err
	}
	err := db.QueryRow(ctx, b.String(), b.args...).Scan(&v)
	return v, err
}
