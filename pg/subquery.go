package pg

// subquery writes a query in parentheses: (SELECT ...).
type subquery struct {
	c    selectCore
	list string
	sel  []Expr
	full bool // with its ordering and lock
}

func (s subquery) appendSQL(b *builder) {
	b.writeSQL("(")
	s.c.buildValues(b, s.list, s.sel, s.full)
	b.writeSQL(")")
}

// prefixed is text this package wrote, then an expression.
type prefixed struct {
	text string
	e    Expr
}

func (p prefixed) appendSQL(b *builder) {
	b.writeSQL(p.text)
	p.e.appendSQL(b)
}

// Exists is true when src selects a row: EXISTS (SELECT 1 FROM ...). Its
// conditions may name the columns of the query it is a condition of,
// which makes it correlated:
//
//	// Models with at least one open order.
//	q.Models.Select().Where(pg.Exists(q.Orders.Select().Where(
//		db.Orders.ModelID.EqCol(db.Models.ID), db.Orders.Status.Eq(schema.StatusOpen))))
func Exists(src Source) Expr {
	return prefixed{"EXISTS ", subquery{c: src.core(), list: "1"}}
}

// NotExists is true when src selects no row: NOT EXISTS (...); see
// Exists.
func NotExists(src Source) Expr {
	return prefixed{"NOT EXISTS ", subquery{c: src.core(), list: "1"}}
}

// inSelect is "column [NOT] IN (SELECT ...)".
type inSelect struct {
	col string
	not bool
	sub subquery
}

func (e inSelect) appendSQL(b *builder) {
	b.writeCol(e.col)
	if e.not {
		b.writeSQL(" NOT IN ")
	} else {
		b.writeSQL(" IN ")
	}
	e.sub.appendSQL(b)
}

func valuesSub[T any](q ValuesQuery[T]) subquery {
	return subquery{c: q.c, sel: q.sel, full: true}
}

// InSelect is column IN (SELECT ...): true when sub, a query of one value
// of the column's type (made with [Select1]), returns the column's value.
//
//	q.Models.Select().Where(db.Models.ID.InSelect(
//		pg.Select1(q.Orders.Select().Where(db.Orders.Status.Eq(schema.StatusOpen)), db.Orders.ModelID)))
func (c Column[T]) InSelect(sub ValuesQuery[T]) Expr {
	return inSelect{c.c.qual, false, valuesSub(sub)}
}

// NotInSelect is column NOT IN (SELECT ...). Like SQL's NOT IN, it is
// never true when sub returns a NULL; NotExists has no such trap.
func (c Column[T]) NotInSelect(sub ValuesQuery[T]) Expr {
	return inSelect{c.c.qual, true, valuesSub(sub)}
}

// scalarSub is a subquery of one value, typed.
type scalarSub[T any] struct{ subquery }

func (scalarSub[T]) scanInto(*T) {}

// Scalar is a query of one value as a value of another query: (SELECT
// ...), to select (with SelectInto or Select1) or to compare in a
// condition written with [SQL]. With no row it is NULL: select it into a
// pointer (an aggregate's, such as Max, is one; [OrNull] makes one) unless
// it always returns a row, as count(*) does. With more than one row the
// query fails.
//
//	orders := pg.Scalar(pg.Select1(q.Orders.Select().Where(db.Orders.ModelID.EqCol(db.Models.ID)), pg.Count()))
//	rows, err := pg.Select2(q.Models.Select(), db.Models.ID, orders).All(ctx)
//	busy := q.Models.Select().Where(pg.SQL("? > ?", orders, 10))
func Scalar[T any](sub ValuesQuery[T]) Value[T] {
	return scalarSub[T]{valuesSub(sub)}
}

// cmpSelect is "column op (SELECT ...)".
type cmpSelect struct {
	col string
	op  string
	sub subquery
}

func (e cmpSelect) appendSQL(b *builder) {
	b.writeCol(e.col)
	b.writeSQL(e.op)
	e.sub.appendSQL(b)
}

// EqSelect is column = (SELECT ...): sub, a query of one value of the
// column's type (made with [Select1]) that returns at most one row,
// compared as a scalar subquery; no row is NULL, which matches nothing.
// An aggregate such as Max selects a *T: compare with it in [SQL], as
// pg.SQL("? = ?", col, pg.Scalar(...)).
func (c Column[T]) EqSelect(sub ValuesQuery[T]) Expr {
	return cmpSelect{c.c.qual, " = ", valuesSub(sub)}
}

// NeSelect is column <> (SELECT ...); see EqSelect.
func (c Column[T]) NeSelect(sub ValuesQuery[T]) Expr {
	return cmpSelect{c.c.qual, " <> ", valuesSub(sub)}
}

// LtSelect is column < (SELECT ...); see EqSelect.
func (c Column[T]) LtSelect(sub ValuesQuery[T]) Expr {
	return cmpSelect{c.c.qual, " < ", valuesSub(sub)}
}

// LeSelect is column <= (SELECT ...); see EqSelect.
func (c Column[T]) LeSelect(sub ValuesQuery[T]) Expr {
	return cmpSelect{c.c.qual, " <= ", valuesSub(sub)}
}

// GtSelect is column > (SELECT ...); see EqSelect.
func (c Column[T]) GtSelect(sub ValuesQuery[T]) Expr {
	return cmpSelect{c.c.qual, " > ", valuesSub(sub)}
}

// GeSelect is column >= (SELECT ...); see EqSelect.
func (c Column[T]) GeSelect(sub ValuesQuery[T]) Expr {
	return cmpSelect{c.c.qual, " >= ", valuesSub(sub)}
}
