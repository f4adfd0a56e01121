package pg

// Join joins the table of src: the query's rows are those for which a row
// of src's table satisfies every on condition, and its conditions (they
// go in WHERE). Joins chain, so a query reads any number of tables, each
// under its own name (see As); the query still returns its own table's
// rows, so select columns of every table with [SelectInto] or [Select1]
// and its siblings:
//
//	type line struct {
//		Symbol  string
//		Variant string
//		Manager *string
//	}
//	manager := db.Users.As("manager")
//	lines, err := pg.SelectInto(q.Orders.Select().
//		Join(q.Models.Select(), db.Orders.ModelID.EqCol(db.Models.ID)).
//		LeftJoin(q.Users.Select().As("manager"), db.Models.ManagerID.EqCol(manager.ID)),
//		func(r *line) []pg.Field {
//			return []pg.Field{pg.Into(&r.Symbol, db.Orders.Symbol), pg.Into(&r.Variant, db.Models.Variant), pg.Into(&r.Manager, pg.OrNull(manager.Name))}
//		}).All(ctx)
//
// Of src, its ordering is kept after the query's, and its lock when the
// query has none. Its own joins, a limit or an offset (which would apply
// before the join), a set operation or another lock make the query fail
// before it is sent, as does reading two tables under one name.
func (q SelectQuery[R]) Join(src Source, on ...Expr) SelectQuery[R] {
	r := src.core()
	q.c = joinCore(q.c, r, " JOIN ", on)
	q.c.where = q.c.where.add(r.where.all())
	return q
}

// LeftJoin is a left outer join of src's table (see Join): every row of
// the query is kept, with NULL for src's columns when no row of src
// satisfies the on conditions and src's own conditions, which go in ON
// and so choose which rows of src are paired, never which rows are
// returned. Select src's columns into pointers: [OrNull] reads a NOT NULL
// column that way.
func (q SelectQuery[R]) LeftJoin(src Source, on ...Expr) SelectQuery[R] {
	r := src.core()
	q.c = joinCore(q.c, r, " LEFT JOIN ", append(on[:len(on):len(on)], r.where.all()...))
	return q
}

// RightJoin is a right outer join of src's table (see Join): every row of
// src that its conditions select (they go in WHERE), with NULL for the
// columns of the tables before it when none matches. The query's own
// rows may then be all NULL, which All cannot scan into R: select into
// pointers with SelectInto instead.
func (q SelectQuery[R]) RightJoin(src Source, on ...Expr) SelectQuery[R] {
	r := src.core()
	q.c = joinCore(q.c, r, " RIGHT JOIN ", on)
	q.c.where = q.c.where.add(r.where.all())
	return q
}

// FullJoin is a full outer join of src's table (see Join): the rows of
// both sides, paired where the on conditions and src's conditions (they
// go in ON, as in LeftJoin) hold, with NULLs for the side that has no
// match. Select into pointers with SelectInto, as for RightJoin.
func (q SelectQuery[R]) FullJoin(src Source, on ...Expr) SelectQuery[R] {
	r := src.core()
	q.c = joinCore(q.c, r, " FULL JOIN ", append(on[:len(on):len(on)], r.where.all()...))
	return q
}

// orNull is a value read into a pointer, nil for NULL.
type orNull[T any] struct{ Expr }

func (orNull[T]) scanInto(**T) {}

// OrNull reads v into a *T, nil when it is NULL: a NOT NULL column of a
// table an outer join may leave without a row, or a scalar subquery that
// may find none.
func OrNull[T any](v Value[T]) Value[*T] { return orNull[T]{v} }
