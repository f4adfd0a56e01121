package pg

// setOp returns the rows of q op other as a query of its own, reading
// FROM ((q) op (other)) AS "table": its columns are q's, named as q names
// them, so Where, OrderBy and Limit on it take the same columns as on q.
func (q SelectQuery[R]) setOp(op string, other SelectQuery[R]) SelectQuery[R] {
	c := q.c
	body := setBody{op, selectBody{q.c}, selectBody{other.c}}
	return SelectQuery[R]{t: q.t, c: selectCore{
		db: c.db, name: c.name, alias: c.alias, list: c.list,
		sub:  prefixed{"(", closeParen{body}},
		from: " AS " + c.alias,
	}}
}

// closeParen writes an expression and a closing parenthesis.
type closeParen struct{ e Expr }

func (p closeParen) appendSQL(b *builder) {
	p.e.appendSQL(b)
	b.writeSQL(")")
}

// Union returns the rows of q or of other, each once (UNION). The result
// is a query of its own, on q's handle: its Where, OrderBy, Limit and
// Offset apply to the rows of both, with the columns that name q's rows;
// each side keeps its own clauses.
//
//	mine := q.Orders.Select().Where(db.Orders.ModelID.Eq(a))
//	theirs := q.Orders.Select().Where(db.Orders.ModelID.Eq(b))
//	both, err := mine.Union(theirs).OrderBy(db.Orders.Symbol.Asc()).Limit(10).All(ctx)
func (q SelectQuery[R]) Union(other SelectQuery[R]) SelectQuery[R] { return q.setOp(" UNION ", other) }

// UnionAll returns the rows of q and those of other, duplicates kept
// (UNION ALL); see Union.
func (q SelectQuery[R]) UnionAll(other SelectQuery[R]) SelectQuery[R] {
	return q.setOp(" UNION ALL ", other)
}

// Intersect returns the rows both q and other select, each once
// (INTERSECT); see Union.
func (q SelectQuery[R]) Intersect(other SelectQuery[R]) SelectQuery[R] {
	return q.setOp(" INTERSECT ", other)
}

// IntersectAll is Intersect keeping duplicates as many times as both
// sides have them (INTERSECT ALL).
func (q SelectQuery[R]) IntersectAll(other SelectQuery[R]) SelectQuery[R] {
	return q.setOp(" INTERSECT ALL ", other)
}

// Except returns the rows of q that other does not select, each once
// (EXCEPT); see Union.
func (q SelectQuery[R]) Except(other SelectQuery[R]) SelectQuery[R] {
	return q.setOp(" EXCEPT ", other)
}

// ExceptAll is Except counting duplicates (EXCEPT ALL): a row q has three
// times and other once comes back twice.
func (q SelectQuery[R]) ExceptAll(other SelectQuery[R]) SelectQuery[R] {
	return q.setOp(" EXCEPT ALL ", other)
}

// valuesBody writes the statement of a values query, every clause
// included.
type valuesBody struct {
	c   selectCore
	sel []Expr
}

func (v valuesBody) appendSQL(b *builder) { v.c.buildValues(b, "", v.sel, true) }

// setOp returns the rows of values of q op other as a query of its own,
// reading FROM ((q) op (other)) AS "table", with "table" the name of q's
// table: a column of that table that q selects names the column of the
// result, for Where and OrderBy.
func (q ValuesQuery[T]) setOp(op string, other ValuesQuery[T]) ValuesQuery[T] {
	c := q.c
	body := setBody{op, valuesBody{q.c, q.sel}, valuesBody{other.c, other.sel}}
	return ValuesQuery[T]{
		c: selectCore{
			db: c.db, name: c.name, alias: c.alias,
			sub:  prefixed{"(", closeParen{body}},
			from: " AS " + c.alias,
		},
		sel:     []Expr{rawSQL(c.alias + ".*")},
		targets: q.targets,
	}
}

// Union returns the rows of values of q or of other, each once (UNION),
// as a query of its own on q's handle. Its Where and OrderBy name a value
// by the column of q's first table that q selects there, whose name the
// result's column takes:
//
//	ids, err := pg.Select1(q.Orders.Select(), db.Orders.ModelID).
//		Union(pg.Select1(q.Models.Select(), db.Models.ID)).
//		OrderBy(db.Orders.ModelID.Asc()).All(ctx)
func (q ValuesQuery[T]) Union(other ValuesQuery[T]) ValuesQuery[T] {
	return q.setOp(" UNION ", other)
}

// UnionAll is Union keeping duplicates (UNION ALL).
func (q ValuesQuery[T]) UnionAll(other ValuesQuery[T]) ValuesQuery[T] {
	return q.setOp(" UNION ALL ", other)
}

// Intersect returns the rows of values both q and other return, each once
// (INTERSECT); see Union.
func (q ValuesQuery[T]) Intersect(other ValuesQuery[T]) ValuesQuery[T] {
	return q.setOp(" INTERSECT ", other)
}

// IntersectAll is Intersect keeping duplicates (INTERSECT ALL).
func (q ValuesQuery[T]) IntersectAll(other ValuesQuery[T]) ValuesQuery[T] {
	return q.setOp(" INTERSECT ALL ", other)
}

// Except returns the rows of values of q that other does not return,
// each once (EXCEPT); see Union.
func (q ValuesQuery[T]) Except(other ValuesQuery[T]) ValuesQuery[T] {
	return q.setOp(" EXCEPT ", other)
}

// ExceptAll is Except counting duplicates (EXCEPT ALL).
func (q ValuesQuery[T]) ExceptAll(other ValuesQuery[T]) ValuesQuery[T] {
	return q.setOp(" EXCEPT ALL ", other)
}
