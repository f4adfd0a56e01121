package pg

import (
	"github.com/mizzle/mizzle/internal/quote"
)

// cte is one common table expression of a WITH clause.
type cte struct {
	name      string // quoted
	recursive bool
	body      Expr // the statement, without parentheses
}

// writeWith writes "WITH [RECURSIVE] name AS (body), ... " when there are
// CTEs.
func writeWith(b *builder, ctes []cte) {
	if len(ctes) == 0 {
		return
	}
	b.writeSQL("WITH ")
	for _, c := range ctes {
		if c.recursive {
			b.writeSQL("RECURSIVE ")
			break
		}
	}
	for i, c := range ctes {
		if i > 0 {
			b.writeSQL(", ")
		}
		b.writeSQL(c.name)
		b.writeSQL(" AS (")
		c.body.appendSQL(b)
		b.writeSQL(")")
	}
	b.writeSQL(" ")
}

// selectBody writes the statement of a query with its own select list,
// every clause included, for a CTE or a set operation.
type selectBody struct{ c selectCore }

func (s selectBody) appendSQL(b *builder) { s.c.build(b, s.c.list, true) }

// setBody is "(a) op (b)".
type setBody struct {
	op   string
	a, b Expr
}

func (s setBody) appendSQL(b *builder) {
	b.writeSQL("(")
	s.a.appendSQL(b)
	b.writeSQL(")")
	b.writeSQL(s.op)
	b.writeSQL("(")
	s.b.appendSQL(b)
	b.writeSQL(")")
}

// cteQuery is a query reading the rows of the CTE name, whose rows are
// those of a table of t.
func cteQuery[R any](name string, db DBTX, t *Table[R]) SelectQuery[R] {
	n := quote.Ident(name)
	return SelectQuery[R]{t: t, c: selectCore{db: db, name: name, from: n, base: n, alias: n, list: qualifiedList(n, t.Cols)}}
}

// WithCTE names q's rows, WITH "name" AS (q), and returns a query
// reading them: its columns are the table's, under the name, as
// db.Orders.As("recent") gives them. The CTE stays with the query
// through joins, subqueries and SelectInto, and is written once.
//
//	recent := pg.WithCTE("recent", q.Orders.Select().OrderBy(db.Orders.ID.Desc()).Limit(100))
//	r := db.Orders.As("recent")
//	open, err := recent.Where(r.Status.Eq(schema.StatusOpen)).All(ctx)
func WithCTE[R any](name string, q SelectQuery[R]) SelectQuery[R] {
	out := cteQuery(name, q.c.db, q.t)
	out.c.with = []cte{{name: out.c.alias, body: selectBody{q.c}}}
	return out
}

// WithRecursive is a recursive CTE, WITH RECURSIVE "name" AS (base UNION
// ALL step), and a query reading its rows: base gives the first rows, and
// step, given a query of the rows found so far, the next ones, until it
// finds none. A tree's descendants:
//
//	tree := db.Categories.As("tree")
//	all, err := pg.WithRecursive("tree",
//		q.Categories.Select().Where(db.Categories.ID.Eq(root)),
//		func(found pg.SelectQuery[schema.Category]) pg.SelectQuery[schema.Category] {
//			return q.Categories.Select().Join(found, db.Categories.ParentID.EqCol(tree.ID))
//		}).All(ctx)
//
// UNION ALL keeps rows found twice; on a graph with cycles, stop step
// with a condition (a depth, or a path), or the query never ends.
func WithRecursive[R any](name string, base SelectQuery[R], step func(self SelectQuery[R]) SelectQuery[R]) SelectQuery[R] {
	out := cteQuery(name, base.c.db, base.t)
	next := step(out)
	out.c.with = []cte{{name: out.c.alias, recursive: true, body: setBody{" UNION ALL ", selectBody{base.c}, selectBody{next.c}}}}
	return out
}
