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
