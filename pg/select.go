package pg

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/mizzle/mizzle/pg/internal/table"
)

// selectCore is what every query that reads rows has, whatever it returns:
// the handle, the FROM clause with its joins, the conditions, the ordering,
// the window and the lock. SelectQuery, JoinQuery and ValuesQuery wrap one.
//
// Queries are values, and every method that adds to one returns a new
// value and leaves its receiver as it was, so that one query can be the
// base of several: copying a selectCore copies its fields, and the slices
// it shares with its copies are only ever appended to through
// slices.Clip, which copies them first.
type selectCore struct {
	db    DBTX
	name  string // the table's name, for messages
	from  string // "schema"."table", "schema"."table" AS "alias", or a CTE's name
	alias string // "table": what the table's columns are qualified with
	list  string // the columns of the rows of a SelectQuery, qualified with alias
	base  string // from without its alias, when As may not take the table's
	// sub, when set, is written as the FROM item instead of from: the
	// parenthesized set operation of Union and its siblings.
	sub        Expr
	joins      []join
	with       []cte
	distinct   bool
	distinctOn []Expr
	lockOf     []string // quoted aliases of FOR ... OF
	where      few[Expr]
	groupBy    []Expr
	having     []Expr
	order      few[Order]
	limit      int64
	offset     int64
	hasLim     bool
	lock       string // " FOR UPDATE", " FOR SHARE", ...
	wait       string // " SKIP LOCKED", " NOWAIT"
}

// few is a list kept in a query value: its first two elements in place,
// so that the usual query (a condition or two, an ordering) needs no slice
// of its own, and the rest in more. Copies share more's backing array but
// never write into it: add clips it first, so appending copies it.
type few[E any] struct {
	head [2]E
	n    int // elements in head; more is empty until head is full
	more []E
}

// add returns f with es after its elements; f is not changed.
func (f few[E]) add(es []E) few[E] {
	for len(es) > 0 && f.n < len(f.head) {
		f.head[f.n] = es[0]
		f.n++
		es = es[1:]
	}
	if len(es) > 0 {
		f.more = append(slices.Clip(f.more), es...)
	}
	return f
}

// all returns f's elements in a new slice.
func (f *few[E]) all() []E {
	return append(append(make([]E, 0, f.len()), f.head[:f.n]...), f.more...)
}

func (f *few[E]) len() int { return f.n + len(f.more) }

func (f *few[E]) at(i int) E {
	if i < f.n {
		return f.head[i]
	}
	return f.more[i-f.n]
}

// join is one JOIN clause: its kind, the joined table and its condition.
type join struct {
	kind  string // " JOIN ", " LEFT JOIN ", " RIGHT JOIN " or " FULL JOIN "
	from  string
	alias string
	on    []Expr
}

// appendClipped returns s with es after its elements, in a new backing
// array when s's is shared with other queries.
func appendClipped[E any](s []E, es ...E) []E { return append(slices.Clip(s), es...) }

// newStmt returns the stmt of one run of a statement of about size bytes
// over c's tables.
func (c *selectCore) newStmt(size int) *stmt {
	switch len(c.joins) {
	case 0:
		return newStmt(size, c.alias)
	case 1:
		return newStmt(size, c.alias, c.joins[0].alias)
	}
	return newStmt(size, c.tables()...)
}

// tables returns the quoted names c's columns are qualified with: its
// table's and those of its joins.
func (c *selectCore) tables() []string {
	ts := make([]string, 0, 1+len(c.joins))
	ts = append(ts, c.alias)
	for _, j := range c.joins {
		ts = append(ts, j.alias)
	}
	return ts
}

// build writes SELECT list FROM ... JOIN ... WHERE ... GROUP BY ... HAVING
// ... ORDER BY ... LIMIT ... OFFSET ... and the lock. Without full, it
// leaves out ordering and locks: what Count and Exists wrap.
func (c *selectCore) build(b *builder, list string, full bool) {
	c.buildValues(b, list, nil, full)
}

// buildValues is build with a select list of expressions when list is
// empty.
func (c *selectCore) buildValues(b *builder, list string, sel []Expr, full bool) {
	if b.buf == nil {
		b.buf = make([]byte, 0, c.size(list))
	}
	if b.depth > 0 {
		// A subquery may name its own tables' columns and, correlated,
		// those of the statements around it.
		defer b.leave(b.enter(c.tables()))
	}
	b.depth++
	defer func() { b.depth-- }()
	writeWith(b, c.with)
	b.writeSQL("SELECT ")
	if c.distinct {
		b.writeSQL("DISTINCT ")
	}
	for i, e := range c.distinctOn {
		if i == 0 {
			b.writeSQL("DISTINCT ON (")
		} else {
			b.writeSQL(", ")
		}
		e.appendSQL(b)
		if i == len(c.distinctOn)-1 {
			b.writeSQL(") ")
		}
	}
	b.writeSQL(list)
	for i, e := range sel {
		if i > 0 {
			b.writeSQL(", ")
		}
		e.appendSQL(b)
	}
	b.writeSQL(" FROM ")
	if c.sub != nil {
		c.sub.appendSQL(b)
	}
	b.writeSQL(c.from)
	for _, j := range c.joins {
		b.writeSQL(j.kind)
		b.writeSQL(j.from)
		b.writeSQL(" ON ")
		writeAnd(b, j.on)
	}
	writeConds(b, &c.where)
	for i, e := range c.groupBy {
		if i == 0 {
			b.writeSQL(" GROUP BY ")
		} else {
			b.writeSQL(", ")
		}
		e.appendSQL(b)
	}
	for i, e := range c.having {
		if i == 0 {
			b.writeSQL(" HAVING ")
		} else {
			b.writeSQL(" AND ")
		}
		e.appendSQL(b)
	}
	if full {
		for i := range c.order.len() {
			if i == 0 {
				b.writeSQL(" ORDER BY ")
			} else {
				b.writeSQL(", ")
			}
			c.order.at(i).appendSQL(b)
		}
	}
	if c.hasLim {
		// LIMIT is written as a literal, not a parameter: with $n,
		// PostgreSQL's generic plan for the prepared statement must guess
		// the row count (it assumes 10% of the table) and keeps re-planning
		// custom plans instead. This is not SQL built from user values: the
		// limit is an int64 the program passed to Limit, formatted by
		// strconv, so it can only ever be digits and a minus sign.
		b.writeSQL(" LIMIT ")
		b.buf = strconv.AppendInt(b.buf, c.limit, 10)
	}
	if c.offset != 0 {
		b.writeSQL(" OFFSET ")
		b.writeArg(c.offset)
	}
	if full && c.lock != "" {
		b.writeSQL(c.lock)
		c.writeLockOf(b)
		b.writeSQL(c.wait)
	}
	b.checkScope("select from", ": join its table (pg.Join), or use a column of these")
}

// size estimates the length of the statement build writes with list, so
// that its buffer is made once: the fixed text and names, and a typical
// length for each condition, ordering and join.
func (c *selectCore) size(list string) int {
	n := 64 + len(list) + len(c.from)
	n += 32 * (c.where.len() + len(c.groupBy) + len(c.having) + c.order.len())
	for _, j := range c.joins {
		n += len(j.kind) + len(j.from) + 4 + 32*len(j.on)
	}
	return n
}

// sizeHint is the capacity to give the slice of results: the limit, when
// there is one, so that the rows are collected without growing the slice.
// It is capped so that a large limit on a query that returns few rows does
// not allocate for rows that never come.
func (c *selectCore) sizeHint() int {
	if !c.hasLim || c.limit <= 0 {
		return 0
	}
	return int(min(c.limit, 1024))
}

// count returns the number of rows c selects.
func (c *selectCore) count(ctx context.Context) (int64, error) {
	s := c.newStmt(c.size("1") + 32)
	defer s.release()
	c.buildCount(&s.b)
	return scalar[int64](ctx, c.db, &s.b, c.name)
}

// buildCount writes the statement count runs.
func (c *selectCore) buildCount(b *builder) {
	switch {
	case c.distinct:
		// DISTINCT compares the rows: they must be selected in full.
		b.writeSQL("SELECT count(*) FROM (")
		c.build(b, c.list, false)
		b.writeSQL(`) AS "q"`)
	case c.hasLim || c.offset != 0 || len(c.groupBy) > 0 || len(c.distinctOn) > 0:
		b.writeSQL("SELECT count(*) FROM (")
		c.build(b, "1", false)
		b.writeSQL(`) AS "q"`)
	default:
		c.build(b, "count(*)", false)
	}
}

// exists reports whether c selects any row.
func (c *selectCore) exists(ctx context.Context) (bool, error) {
	s := c.newStmt(c.size("1") + 32)
	defer s.release()
	b := &s.b
	b.writeSQL("SELECT EXISTS (")
	c.build(b, "1", false)
	b.writeSQL(")")
	return scalar[bool](ctx, c.db, b, c.name)
}

// Source is a query whose rows others can read in another shape: a
// SelectQuery or a JoinQuery. [Select1] and its siblings take its tables,
// joins, conditions, ordering, window and lock, and select values from
// them instead of rows.
type Source interface {
	core() selectCore
}

// SelectQuery is a query for rows of one table, with R the table's row
// struct. Build it with Where, OrderBy, Limit, Offset and a lock, then run
// it with All, First, Iter, Count or Exists.
//
// A SelectQuery is a value: each method returns a new query and leaves
// its receiver as it was, so one query can be the base of others, and be
// run any number of times, from any number of goroutines:
//
//	base := q.Posts.Select().Where(db.Posts.OrgID.Eq(org))
//	page, err := base.OrderBy(db.Posts.ID.Asc()).Limit(20).All(ctx)
//	total, err := base.Count(ctx) // every post of org, not the page
type SelectQuery[R any] struct {
	t    *Table[R]
	c    selectCore
	with []Loader[R] // relations to load into the rows (relation.go)
}

func (q SelectQuery[R]) core() selectCore { return q.c }

// Where adds conditions; all of them must hold (they are joined with AND).
func (q SelectQuery[R]) Where(conds ...Expr) SelectQuery[R] {
	q.c.where = q.c.where.add(conds)
	return q
}

// OrderBy adds orderings, most significant first.
func (q SelectQuery[R]) OrderBy(orders ...Order) SelectQuery[R] {
	q.c.order = q.c.order.add(orders)
	return q
}

// Limit returns at most n rows.
func (q SelectQuery[R]) Limit(n int) SelectQuery[R] {
	q.c.limit, q.c.hasLim = int64(n), true
	return q
}

// Offset skips the first n rows.
func (q SelectQuery[R]) Offset(n int) SelectQuery[R] {
	q.c.offset = int64(n)
	return q
}

// ForUpdate locks the rows read (SELECT ... FOR UPDATE) until the end of
// the transaction. Outside a transaction the lock ends with the statement.
func (q SelectQuery[R]) ForUpdate() SelectQuery[R] {
	q.c.lock = " FOR UPDATE"
	return q
}

// ForShare takes a shared lock on the rows read (FOR SHARE).
func (q SelectQuery[R]) ForShare() SelectQuery[R] {
	q.c.lock = " FOR SHARE"
	return q
}

// SkipLocked skips rows another transaction has locked, the usual way to
// take jobs from a queue table:
//
//	job, err := q.Jobs.Select().Where(...).OrderBy(...).Limit(1).SkipLocked().First(ctx)
//
// It implies ForUpdate unless ForShare was called.
func (q SelectQuery[R]) SkipLocked() SelectQuery[R] {
	if q.c.lock == "" {
		q.c.lock = " FOR UPDATE"
	}
	q.c.wait = " SKIP LOCKED"
	return q
}

// NoWait fails at once, instead of waiting, when a row is locked by
// another transaction. It implies ForUpdate unless ForShare was called.
func (q SelectQuery[R]) NoWait() SelectQuery[R] {
	if q.c.lock == "" {
		q.c.lock = " FOR UPDATE"
	}
	q.c.wait = " NOWAIT"
	return q
}

// SQL returns the statement All and Iter run, and its arguments.
func (q SelectQuery[R]) SQL() (string, []any, error) {
	s := q.c.newStmt(0)
	q.c.build(&s.b, q.c.list, true)
	return s.result()
}

// All returns every row the query selects.
func (q SelectQuery[R]) All(ctx context.Context) ([]R, error) {
	s := q.c.newStmt(q.c.size(q.c.list))
	defer s.release()
	q.c.build(&s.b, q.c.list, true)
	if s.b.err != nil {
		return nil, s.b.err
	}
	db := q.c.db
	if len(q.with) > 0 {
		// The rows and their relations from one server.
		db = sticky(db)
	}
	out, err := q.t.collect(ctx, db, &s.b, q.c.sizeHint())
	if err == nil && len(q.with) > 0 {
		return out, loadWith(ctx, db, out, q.with)
	}
	return out, wrap(opSelect, q.t.Name, err)
}

// First returns the first row the query selects (it adds LIMIT 1), or an
// error wrapping ErrNotFound when there is none.
func (q SelectQuery[R]) First(ctx context.Context) (R, error) {
	var r R
	q.c.limit, q.c.hasLim = 1, true
	s := q.c.newStmt(q.c.size(q.c.list))
	defer s.release()
	b := &s.b
	q.c.build(b, q.c.list, true)
	if b.err != nil {
		return r, b.err
	}
	db := q.c.db
	if len(q.with) > 0 {
		db = sticky(db)
	}
	err := q.t.Scan(db.QueryRow(ctx, b.finish(), b.args...), &r)
	if err == nil && len(q.with) > 0 {
		rows := []R{r}
		err = loadWith(ctx, db, rows, q.with)
		return rows[0], err
	}
	return r, notFound(q.t.Name, err)
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
func (q SelectQuery[R]) Iter(ctx context.Context) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {
		var zero R
		s := q.c.newStmt(q.c.size(q.c.list))
		defer s.release()
		b := &s.b
		q.c.build(b, q.c.list, true)
		if len(q.with) > 0 {
			b.fail(fmt.Errorf("pg: select from %s: Iter cannot load relations (With), which need all the rows first: use All", q.t.Name))
		}
		if b.err != nil {
			yield(zero, b.err)
			return
		}
		rows, err := q.c.db.Query(ctx, b.finish(), b.args...)
		if err == nil {
			err = table.ScanRows(rows, func(rows pgx.Rows) error {
				var r R
				if err := q.t.Scan(rows, &r); err != nil {
					return err
				}
				if !yield(r, nil) {
					return table.ErrStop
				}
				return nil
			})
		}
		if err != nil {
			yield(zero, wrap(opSelect, q.t.Name, err))
		}
	}
}

// Count returns the number of rows the query selects. Ordering and locks do
// not apply; Limit and Offset do.
func (q SelectQuery[R]) Count(ctx context.Context) (int64, error) { return q.c.count(ctx) }

// Exists reports whether the query selects any row.
func (q SelectQuery[R]) Exists(ctx context.Context) (bool, error) { return q.c.exists(ctx) }

// scalar runs the query b holds, which returns one value; a database
// error is wrapped with the table it selects from.
func scalar[T any](ctx context.Context, db DBTX, b *builder, table string) (T, error) {
	var v T
	if b.err != nil {
		return v, b.err
	}
	err := db.QueryRow(ctx, b.finish(), b.args...).Scan(&v)
	return v, wrap(opSelect, table, err)
}
