package pg

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/mizzle/mizzle/pg/internal/table"
)

// Value is an expression a query can select, whose values scan into a T: a
// column (a T, or a *T for a nullable column), an aggregate such as
// [Sum], or SQL written with [As]. [Select1] to [Select4] select them.
type Value[T any] interface {
	Expr
	scanInto(*T)
}

// ColumnOf is any column whose values are of type T: a Column[T], and the
// NullColumn[T], TextColumn[T] and NullTextColumn[T] built on it. The
// aggregates take one.
type ColumnOf[T any] interface {
	AnyColumn
	column() Column[T]
}

func (c Column[T]) column() Column[T] { return c }
func (Column[T]) scanInto(*T)         {}
func (NullColumn[T]) scanInto(**T)    {}

// typed is SQL text this package wrote, with the Go type of its values.
type typed[T any] struct{ rawSQL }

func (typed[T]) scanInto(*T) {}

// typedFragment is a Fragment with the Go type of its values.
type typedFragment[T any] struct{ Fragment }

func (typedFragment[T]) scanInto(*T) {}

// As gives hand-written SQL the Go type its values scan into, to select it
// with [Select1] and its siblings:
//
//	pg.As[*decimal.Decimal](pg.SQL(`avg("Orders"."quantity")`))
//
// The type is the program's claim: pgx reports a mismatch when it scans.
func As[T any](f Fragment) Value[T] { return typedFragment[T]{f} }

// aggExpr is fn(column), or fn(DISTINCT column).
type aggExpr struct {
	fn  string // "sum(", "count(DISTINCT ", ...
	col string // quoted and qualified
}

func (e aggExpr) appendSQL(b *builder) {
	b.writeSQL(e.fn)
	b.writeCol(e.col)
	b.writeSQL(")")
}

// typedAgg is an aggregate with the Go type of its values.
type typedAgg[T any] struct{ aggExpr }

func (typedAgg[T]) scanInto(*T) {}

func aggregate[T any](fn string, c AnyColumn) Value[T] {
	return typedAgg[T]{aggExpr{fn, c.ref().qual}}
}

// Count is count(*): the number of rows, or of rows in each group.
func Count() Value[int64] { return typed[int64]{"count(*)"} }

// CountOf is count(column): the number of rows where the column is not
// NULL.
func CountOf[T any](c ColumnOf[T]) Value[int64] { return aggregate[int64]("count(", c) }

// CountDistinct is count(DISTINCT column): the number of different values
// of the column, NULL not counted.
func CountDistinct[T any](c ColumnOf[T]) Value[int64] {
	return aggregate[int64]("count(DISTINCT ", c)
}

// Sum is sum(column), read into the column's own Go type. It is nil when
// no row (or only NULLs) were summed, as in SQL; PostgreSQL sums bigint
// columns as numeric, which pgx reads back into an int64 as long as it
// fits.
func Sum[T any](c ColumnOf[T]) Value[*T] { return aggregate[*T]("sum(", c) }

// Min is min(column); nil when there were no rows.
func Min[T any](c ColumnOf[T]) Value[*T] { return aggregate[*T]("min(", c) }

// Max is max(column); nil when there were no rows.
func Max[T any](c ColumnOf[T]) Value[*T] { return aggregate[*T]("max(", c) }

// Avg is avg(column) as a float64; nil when there were no rows.
// PostgreSQL computes the average of integers and numerics exactly (as
// numeric); for that exact value, select
// pg.As[*decimal.Decimal](pg.SQL("avg(...)")) instead.
func Avg[T any](c ColumnOf[T]) Value[*float64] { return aggregate[*float64]("avg(", c) }

// Tuple2 is a row of two selected values.
type Tuple2[A, B any] struct {
	A A
	B B
}

// Tuple3 is a row of three selected values.
type Tuple3[A, B, C any] struct {
	A A
	B B
	C C
}

// Tuple4 is a row of four selected values.
type Tuple4[A, B, C, D any] struct {
	A A
	B B
	C C
	D D
}

// ValuesQuery selects values (columns, aggregates) rather than rows, from
// the tables and under the clauses of a Source. Make one with [Select1]
// to [Select4]; group with GroupBy and Having, order with OrderBy, and run
// it with One or All. Like a SelectQuery it is a value: each method
// returns a new query and leaves its receiver as it was.
type ValuesQuery[T any] struct {
	c       selectCore
	sel     []Expr
	targets func(*T, []any) []any
}

func newValues[T any](src Source, targets func(*T, []any) []any, sel ...Expr) ValuesQuery[T] {
	return ValuesQuery[T]{c: src.core(), sel: sel, targets: targets}
}

// Select1 selects one value from src's tables. Every clause of src is
// kept in the one statement: its conditions, ordering, limit, offset and
// lock. So a limit limits the rows of values returned, as SQL's LIMIT
// does; an aggregate without GroupBy returns one row, computed over every
// row the conditions select, whatever the limit.
//
//	total, err := pg.Select1(q.Orders.Select().Where(db.Orders.Status.Eq(schema.StatusOpen)),
//		pg.Sum(db.Orders.Quantity)).One(ctx) // a *decimal.Decimal, nil when there are no open orders
func Select1[A any](src Source, a Value[A]) ValuesQuery[A] {
	return newValues(src, func(r *A, dst []any) []any { return append(dst, r) }, a)
}

// Select2 selects two values from src's tables, under its clauses (see
// Select1), as a Tuple2. With GroupBy it makes a typed summary:
//
//	rows, err := pg.Select2(q.Orders.Select(), db.Orders.Symbol, pg.Count()).
//		GroupBy(db.Orders.Symbol).
//		OrderBy(pg.Desc(pg.Count())).
//		All(ctx) // []pg.Tuple2[string, int64]: symbol, orders
func Select2[A, B any](src Source, a Value[A], b Value[B]) ValuesQuery[Tuple2[A, B]] {
	return newValues(src, func(r *Tuple2[A, B], dst []any) []any { return append(dst, &r.A, &r.B) }, a, b)
}

// Select3 selects three values as a Tuple3; see Select2.
func Select3[A, B, C any](src Source, a Value[A], b Value[B], c Value[C]) ValuesQuery[Tuple3[A, B, C]] {
	return newValues(src, func(r *Tuple3[A, B, C], dst []any) []any { return append(dst, &r.A, &r.B, &r.C) }, a, b, c)
}

// Select4 selects four values as a Tuple4; see Select2.
func Select4[A, B, C, D any](src Source, a Value[A], b Value[B], c Value[C], d Value[D]) ValuesQuery[Tuple4[A, B, C, D]] {
	return newValues(src, func(r *Tuple4[A, B, C, D], dst []any) []any { return append(dst, &r.A, &r.B, &r.C, &r.D) }, a, b, c, d)
}

// GroupBy groups the rows by the given columns or expressions; the values
// selected are then either those or aggregates.
func (q ValuesQuery[T]) GroupBy(exprs ...Expr) ValuesQuery[T] {
	q.c.groupBy = appendClipped(q.c.groupBy, exprs...)
	return q
}

// Having adds conditions on groups, such as pg.SQL("count(*) > ?", 1); all
// of them must hold.
func (q ValuesQuery[T]) Having(conds ...Expr) ValuesQuery[T] {
	q.c.having = appendClipped(q.c.having, conds...)
	return q
}

// OrderBy adds orderings, most significant first, after the source's: a
// column's Asc or Desc, or pg.Desc(pg.Count()).
func (q ValuesQuery[T]) OrderBy(orders ...Order) ValuesQuery[T] {
	q.c.order = q.c.order.add(orders)
	return q
}

// Limit returns at most n rows; it replaces the source's limit.
func (q ValuesQuery[T]) Limit(n int) ValuesQuery[T] {
	q.c.limit, q.c.hasLim = int64(n), true
	return q
}

// Offset skips the first n rows; it replaces the source's offset.
func (q ValuesQuery[T]) Offset(n int) ValuesQuery[T] {
	q.c.offset = int64(n)
	return q
}

// SQL returns the statement One and All run, and its arguments.
func (q ValuesQuery[T]) SQL() (string, []any, error) {
	s := q.c.newStmt(q.c.size("") + 32*len(q.sel))
	q.c.buildValues(&s.b, "", q.sel, true)
	return s.result()
}

// One returns the first row: the only one of an aggregate without
// GroupBy. A query that returns no row fails with an error wrapping
// ErrNotFound.
func (q ValuesQuery[T]) One(ctx context.Context) (T, error) {
	var v T
	s := q.c.newStmt(q.c.size("") + 32*len(q.sel))
	defer s.release()
	b := &s.b
	q.c.buildValues(b, "", q.sel, true)
	if b.err != nil {
		return v, b.err
	}
	err := q.c.db.QueryRow(ctx, b.finish(), b.args...).Scan(q.targets(&v, make([]any, 0, len(q.sel)))...)
	if err != nil {
		return v, notFound(q.c.name, err)
	}
	return v, nil
}

// All returns every row.
func (q ValuesQuery[T]) All(ctx context.Context) ([]T, error) {
	s := q.c.newStmt(q.c.size("") + 32*len(q.sel))
	defer s.release()
	b := &s.b
	q.c.buildValues(b, "", q.sel, true)
	if b.err != nil {
		return nil, b.err
	}
	rows, err := q.c.db.Query(ctx, b.finish(), b.args...)
	if err != nil {
		return nil, wrap(opSelect, q.c.name, err)
	}
	// Scanned in place, as a hand-written loop does: a T of its own would
	// escape to the heap through the scan targets, once per row.
	var out []T
	if n := q.c.sizeHint(); n > 0 {
		out = make([]T, 0, n)
	}
	dst := make([]any, 0, len(q.sel))
	err = table.ScanRows(rows, func(rows pgx.Rows) error {
		var zero T
		out = append(out, zero)
		return rows.Scan(q.targets(&out[len(out)-1], dst[:0])...)
	})
	if err != nil {
		return nil, wrap(opSelect, q.c.name, err)
	}
	return out, nil
}
