package pg

import (
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/mizzle/mizzle/pg/internal/table"
)

// Pair is one row of a join: a row of each table. In a LeftJoin, Right is a
// pointer, nil when no row of the right table matched.
type Pair[L, R any] struct {
	Left  L
	Right R
}

// JoinQuery is a join of two tables whose rows it returns as Pairs of the
// tables' row structs. Make one with [Join] or [LeftJoin]; build it with
// Where, OrderBy, Limit and Offset, and run it with All, First, Iter, Count
// or Exists. Like a SelectQuery it is a value: each method returns a new
// query and leaves its receiver as it was.
type JoinQuery[L, R any] struct {
	c      selectCore
	list   string
	left   func(*L, []any) []any
	right  func(*R, []any) []any
	nRight int  // columns of the right table
	outer  bool // LEFT JOIN: the right columns may all be NULL
}

func (q JoinQuery[L, R]) core() selectCore { return q.c }

// Join is an inner join: the rows of left paired with the rows of right for
// which every on condition holds. Every clause of left is kept: its
// conditions, ordering, limit, offset and lock. Of right, its conditions
// are kept (joined with AND) and so is its ordering, after left's; a lock
// on right locks the rows of the join, as one on left does. A limit or
// offset on right would have to apply to right's rows before the join,
// which one statement cannot say: the join fails before it is sent; put
// them on the join instead. Run it on left's handle.
//
//	pairs, err := pg.Join(q.Orders.Select().Where(db.Orders.Status.Eq(schema.StatusOpen)),
//		q.Models.Select(), db.Orders.ModelID.EqCol(db.Models.ID)).All(ctx)
//	for _, p := range pairs {
//		fmt.Println(p.Left.Symbol, p.Right.Variant) // p is a pg.Pair[schema.Order, schema.Model]
//	}
//
// To join a table with itself, give one side another name with As (see
// SelectQuery.As); to join more tables, use SelectQuery's Join methods.
func Join[L, R any](left SelectQuery[L], right SelectQuery[R], on ...Expr) JoinQuery[L, R] {
	c := newJoin(left, right, " JOIN ", on)
	c.where = c.where.add(right.c.where.all())
	return JoinQuery[L, R]{
		c:      c,
		list:   left.c.list + ", " + right.c.list,
		left:   left.t.Targets,
		right:  right.t.Targets,
		nRight: len(right.t.Cols),
	}
}

// LeftJoin is a left outer join: every row of left, paired with each row
// of right for which the on conditions hold, or with nil when there is
// none. right's conditions become part of the join condition, so they
// choose which rows of right are paired, never which rows of left are
// returned:
//
//	// Every model, with its open orders, or with nil when it has none.
//	pairs, err := pg.LeftJoin(q.Models.Select(),
//		q.Orders.Select().Where(db.Orders.Status.Eq(schema.StatusOpen)),
//		db.Orders.ModelID.EqCol(db.Models.ID)).All(ctx)
//
// The other clauses are kept or refused as by Join. A right row is taken
// as missing when all its columns are NULL, which a row of a table with a
// primary key (or any NOT NULL column) never is.
func LeftJoin[L, R any](left SelectQuery[L], right SelectQuery[R], on ...Expr) JoinQuery[L, *R] {
	on = append(on[:len(on):len(on)], right.c.where.all()...)
	c := newJoin(left, right, " LEFT JOIN ", on)
	targets := right.t.Targets
	return JoinQuery[L, *R]{
		c:    c,
		list: left.c.list + ", " + right.c.list,
		left: left.t.Targets,
		right: func(r **R, dst []any) []any {
			*r = new(R)
			return targets(*r, dst)
		},
		nRight: len(right.t.Cols),
		outer:  true,
	}
}

func newJoin[L, R any](left SelectQuery[L], right SelectQuery[R], kind string, on []Expr) selectCore {
	return joinCore(left.c, right.c, kind, on)
}

// joinCore returns left joined with right's table on the conditions on.
// Of right, its ordering is kept after left's, its lock is the join's
// when left has none, and its CTEs join left's; a limit or offset, which
// would have to apply to right's rows before the join, and a lock other
// than left's make the join fail before it is sent, as does a second
// table of the same name. right's conditions are the caller's: Join puts
// them in WHERE, the outer joins in ON.
func joinCore(c, right selectCore, kind string, on []Expr) selectCore {
	// The conditions are the caller's slice: a copy, so that a later change
	// to it does not change the join.
	c.joins = appendClipped(c.joins, join{kind: kind, from: right.from, alias: right.alias, on: slices.Clone(on)})
	for _, t := range c.tables()[:len(c.joins)] {
		if t == right.alias {
			c.where = c.where.add([]Expr{failExpr{fmt.Errorf("pg: join of %s: the query already reads a table named %s, and their columns would be ambiguous; give one of them another name with As", right.alias, t)}})
			break
		}
	}
	for _, w := range right.with {
		if !slices.ContainsFunc(c.with, func(x cte) bool { return x.name == w.name }) {
			c.with = appendClipped(c.with, w)
		}
	}
	c.order = c.order.add(right.order.all())
	switch {
	case len(right.joins) > 0:
		c.where = c.where.add([]Expr{failExpr{fmt.Errorf("pg: join of %s: the right query joins tables of its own; join them onto this query instead", right.alias)}})
	case right.sub != nil || right.distinct || len(right.distinctOn) > 0:
		c.where = c.where.add([]Expr{failExpr{fmt.Errorf("pg: join of %s: the right query is a set operation (Union, ...) or Distinct, which a join cannot keep; make it a CTE with WithCTE and join that", right.alias)}})
	case right.hasLim || right.offset != 0:
		c.where = c.where.add([]Expr{failExpr{fmt.Errorf("pg: join of %s: the right query has a Limit or Offset, which would have to apply to its rows before the join; call Limit and Offset on the join", right.alias)}})
	case right.lock == "":
	case c.lock == "":
		c.lock, c.wait, c.lockOf = right.lock, right.wait, right.lockOf
	case c.lock != right.lock || c.wait != right.wait:
		c.where = c.where.add([]Expr{failExpr{fmt.Errorf("pg: join of %s and %s: the two queries take different locks (%s%s and %s%s); a join takes one", c.alias, right.alias, c.lock[1:], c.wait, right.lock[1:], right.wait)}})
	}
	return c
}

// failExpr makes the statement fail before it is sent.
type failExpr struct{ err error }

func (e failExpr) appendSQL(b *builder) { b.fail(e.err) }

// Where adds conditions; all of them must hold (they are joined with AND).
func (q JoinQuery[L, R]) Where(conds ...Expr) JoinQuery[L, R] {
	q.c.where = q.c.where.add(conds)
	return q
}

// OrderBy adds orderings, most significant first.
func (q JoinQuery[L, R]) OrderBy(orders ...Order) JoinQuery[L, R] {
	q.c.order = q.c.order.add(orders)
	return q
}

// Limit returns at most n pairs.
func (q JoinQuery[L, R]) Limit(n int) JoinQuery[L, R] {
	q.c.limit, q.c.hasLim = int64(n), true
	return q
}

// Offset skips the first n pairs.
func (q JoinQuery[L, R]) Offset(n int) JoinQuery[L, R] {
	q.c.offset = int64(n)
	return q
}

// SQL returns the statement All and Iter run, and its arguments.
func (q JoinQuery[L, R]) SQL() (string, []any, error) {
	s := q.c.newStmt(q.c.size(q.list))
	q.c.build(&s.b, q.list, true)
	return s.result()
}

// All returns every pair the join selects.
func (q JoinQuery[L, R]) All(ctx context.Context) ([]Pair[L, R], error) {
	var out []Pair[L, R]
	for p, err := range q.Iter(ctx) {
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// First returns the first pair the join selects (it adds LIMIT 1), or an
// error wrapping ErrNotFound when there is none.
func (q JoinQuery[L, R]) First(ctx context.Context) (Pair[L, R], error) {
	for p, err := range q.Limit(1).Iter(ctx) {
		return p, err
	}
	var zero Pair[L, R]
	return zero, fmt.Errorf("join: %w", ErrNotFound)
}

// Iter runs the join and yields its pairs one at a time as they arrive.
// After an error it yields nothing more; breaking out of the loop closes
// the rows.
func (q JoinQuery[L, R]) Iter(ctx context.Context) iter.Seq2[Pair[L, R], error] {
	return func(yield func(Pair[L, R], error) bool) {
		var zero Pair[L, R]
		s := q.c.newStmt(q.c.size(q.list))
		defer s.release()
		b := &s.b
		q.c.build(b, q.list, true)
		if b.err != nil {
			yield(zero, b.err)
			return
		}
		rows, err := q.c.db.Query(ctx, b.finish(), b.args...)
		if err == nil {
			var dst []any
			err = table.ScanRows(rows, func(rows pgx.Rows) error {
				var p Pair[L, R]
				var err error
				if dst, err = q.scan(rows, &p, dst); err != nil {
					return err
				}
				if !yield(p, nil) {
					return table.ErrStop
				}
				return nil
			})
		}
		if err != nil {
			yield(zero, wrap(opSelect, q.c.name, err))
		}
	}
}

// scan scans one row into p, reusing dst for the scan targets.
func (q JoinQuery[L, R]) scan(rows pgx.Rows, p *Pair[L, R], dst []any) ([]any, error) {
	dst = q.left(&p.Left, dst[:0])
	if q.outer && allNull(rows.RawValues()[len(dst):]) {
		// pgx skips a nil target; the NULLs never reach Right's fields.
		for range q.nRight {
			dst = append(dst, nil)
		}
	} else {
		dst = q.right(&p.Right, dst)
	}
	return dst, rows.Scan(dst...)
}

func allNull(raw [][]byte) bool {
	for _, v := range raw {
		if v != nil {
			return false
		}
	}
	return true
}

// Count returns the number of pairs the join selects.
func (q JoinQuery[L, R]) Count(ctx context.Context) (int64, error) { return q.c.count(ctx) }

// Exists reports whether the join selects any pair.
func (q JoinQuery[L, R]) Exists(ctx context.Context) (bool, error) { return q.c.exists(ctx) }
