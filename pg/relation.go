package pg

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mizzle/mizzle/pg/internal/table"
)

// Loader is a relation that a query loads into the rows of R it returns:
// a [Relation] from R, passed to With. It is sealed: the generated package
// gives the relations of each table, as fields of its columns value
// (db.Users.Posts).
type Loader[R any] interface {
	load(ctx context.Context, db DBTX, rows []R) error
}

// Relation is a relation of the schema, from rows of P (whose struct has
// the relation's field) to the rows of C it holds: belongs-to, has-one or
// has-many. The generated package gives one per relation field, as a
// field of the table's columns value; pass it to With to load it with the
// rows of a query:
//
//	users, err := q.Users.Select().With(
//		db.Users.Posts.Where(db.Posts.DeletedAt.IsNull()).OrderBy(db.Posts.ID.Desc()).Limit(5).
//			With(db.Posts.Comments),
//	).All(ctx)
//	// users[i].Posts[j].Comments are filled
//
// Each level is one query for all the rows of the level above (the
// column = ANY($1) of their keys), never one query per row; a Limit
// applies to each row's related rows (a LATERAL join over the keys). A
// Relation is a value: each method returns a new one and leaves its
// receiver as it was.
type Relation[P, C any] table.Relation[P, C]

// relOpts are the options a query gave one use of a relation.
type relOpts[C any] struct {
	where  few[Expr]
	order  few[Order]
	limit  int64
	hasLim bool
	with   []Loader[C]
}

// opts returns a copy of r's options, for a method to change.
func (r Relation[P, C]) opts() relOpts[C] {
	if o, ok := r.Opts.(*relOpts[C]); ok {
		return *o
	}
	return relOpts[C]{}
}

func (r Relation[P, C]) withOpts(o relOpts[C]) Relation[P, C] {
	r.Opts = &o
	return r
}

// Where loads only the related rows for which all conds hold.
func (r Relation[P, C]) Where(conds ...Expr) Relation[P, C] {
	o := r.opts()
	o.where = o.where.add(conds)
	return r.withOpts(o)
}

// OrderBy orders each row's related rows, most significant first; by
// default they come in primary key order.
func (r Relation[P, C]) OrderBy(orders ...Order) Relation[P, C] {
	o := r.opts()
	o.order = o.order.add(orders)
	return r.withOpts(o)
}

// Limit loads at most n related rows for each row: the first n in the
// relation's order. It applies to a has-many relation only; on a relation
// to one row, loading fails saying so.
func (r Relation[P, C]) Limit(n int) Relation[P, C] {
	o := r.opts()
	o.limit, o.hasLim = int64(n), true
	return r.withOpts(o)
}

// With loads relations of the related rows in turn, to any depth.
func (r Relation[P, C]) With(rels ...Loader[C]) Relation[P, C] {
	o := r.opts()
	o.with = appendClipped(o.with, rels...)
	return r.withOpts(o)
}

// load runs the relation's query for rows and sets their relation field.
func (r Relation[P, C]) load(ctx context.Context, db DBTX, rows []P) error {
	sp := r.Spec
	o := r.opts()
	keys, n := sp.Keys(rows)
	if n == 0 {
		// No row has a key (none, or all NULL): nothing to load, and the
		// fields of rows just read are already empty.
		return nil
	}
	if o.hasLim && !sp.Many {
		return fmt.Errorf("pg: relation %s: Limit applies to a relation to many rows, and %s is to one", sp.Name, sp.Name)
	}
	t := (*Table[C])(sp.Child)
	s := newStmt(128+len(t.List)+len(t.From)+len(sp.Join)+32*(o.where.len()+o.order.len()), t.Alias)
	defer s.release()
	b := &s.b
	if o.hasLim {
		// A limit per row: a LATERAL subquery for each key, which an index
		// on the key column answers with n rows each. The keys' alias must
		// be none of the subquery's tables', which would hide it there.
		ka := `"keys"`
		for strings.Contains(sp.Col+t.List, ka+".") {
			ka = ka[:len(ka)-1] + `_"`
		}
		b.writeSQL("SELECT ")
		if sp.Join != "" {
			b.writeSQL(ka + `."k", `)
		}
		b.writeSQL(t.Alias + ".* FROM unnest(")
		b.writeArg(keys)
		b.writeSQL(sp.Cast + ") AS " + ka + `("k") CROSS JOIN LATERAL (SELECT ` + t.List + " FROM " + t.From + sp.Join + " WHERE " + sp.Col + " = " + ka + `."k"`)
	} else {
		b.writeSQL("SELECT ")
		if sp.Join != "" {
			b.writeSQL(sp.Col + ", ")
		}
		b.writeSQL(t.List + " FROM " + t.From + sp.Join + " WHERE " + sp.Col + " = ANY(")
		b.writeArg(keys)
		b.writeSQL(sp.Cast + ")")
	}
	for i := range o.where.len() {
		b.writeSQL(" AND ")
		o.where.at(i).appendSQL(b)
	}
	switch {
	case o.order.len() > 0:
		for i := range o.order.len() {
			if i == 0 {
				b.writeSQL(" ORDER BY ")
			} else {
				b.writeSQL(", ")
			}
			o.order.at(i).appendSQL(b)
		}
	case sp.Order != "":
		b.writeSQL(" ORDER BY " + sp.Order)
	}
	if o.hasLim {
		// A literal, as SelectQuery.Limit writes it: an int64 formatted
		// by strconv.
		b.writeSQL(" LIMIT ")
		b.buf = strconv.AppendInt(b.buf, o.limit, 10)
		b.writeSQL(") AS " + t.Alias)
	}
	b.checkScope("select from", ": a relation's conditions and orderings name the columns of the rows it loads")
	if b.err != nil {
		return b.err
	}
	return sp.Run(ctx, db, b.finish(), b.args, rows, func(cs []C) error { return loadWith(ctx, db, cs, o.with) })
}

// loadWith loads rels into rows, in order.
func loadWith[R any](ctx context.Context, db DBTX, rows []R, rels []Loader[R]) error {
	for _, l := range rels {
		if err := l.load(ctx, db, rows); err != nil {
			return err
		}
	}
	return nil
}

// With loads relations into the rows the query returns (All and First),
// one query per relation and level, never one per row:
//
//	users, err := q.Users.Select().With(db.Users.Posts.With(db.Posts.Comments)).All(ctx)
//
// Iter, which yields rows as they arrive, cannot load relations and fails
// when given some.
func (q SelectQuery[R]) With(rels ...Loader[R]) SelectQuery[R] {
	q.with = append(slices.Clip(q.with), rels...)
	return q
}
