package pg

import (
	"context"
	"errors"
	"fmt"
)

// errNoWhere is returned by an update or delete that has neither a Where
// nor All: changing every row must be written on purpose.
var errNoWhere = errors.New("no Where condition; call All() to change every row")

// UpdateQuery is an update of rows of one table, with R the table's row
// struct. It needs at least one Set and either Where or All.
type UpdateQuery[R any] struct {
	t     *Table[R]
	db    DBTX
	sets  []Assignment
	where []Expr
	all   bool
}

// Set adds assignments, made by the Set methods of the table's columns.
func (q *UpdateQuery[R]) Set(assignments ...Assignment) *UpdateQuery[R] {
	q.sets = append(q.sets, assignments...)
	return q
}

// Where adds conditions; all of them must hold (they are joined with AND).
func (q *UpdateQuery[R]) Where(conds ...Expr) *UpdateQuery[R] {
	q.where = append(q.where, conds...)
	return q
}

// All updates every row of the table. Without it, an update with no Where
// condition fails instead of running.
func (q *UpdateQuery[R]) All() *UpdateQuery[R] {
	q.all = true
	return q
}

// SQL returns the statement Exec runs, and its arguments.
func (q *UpdateQuery[R]) SQL() (string, []any, error) {
	var b Builder
	q.build(&b, false)
	return b.String(), b.args, b.err
}

func (q *UpdateQuery[R]) build(b *Builder, returning bool) {
	switch {
	case len(q.sets) == 0:
		b.fail(fmt.Errorf("pg: update of %q: nothing to Set", q.t.sqlName))
		return
	case len(q.where) == 0 && !q.all:
		b.fail(fmt.Errorf("pg: update of %q: %w", q.t.sqlName, errNoWhere))
		return
	}
	b.WriteSQL("UPDATE ")
	b.WriteSQL(q.t.from)
	b.WriteSQL(" SET ")
	for i, a := range q.sets {
		if q.t.index(a.col) < 0 {
			b.fail(fmt.Errorf("pg: update of %q: column %s is not one of its columns", q.t.sqlName, a.col.qual))
			return
		}
		if i > 0 {
			b.WriteSQL(", ")
		}
		a.appendSQL(b)
	}
	writeWhere(b, q.where)
	if returning {
		b.WriteSQL(" RETURNING ")
		b.WriteSQL(q.t.list)
	}
}

// Exec runs the update and returns the number of rows it changed.
func (q *UpdateQuery[R]) Exec(ctx context.Context) (int64, error) {
	var b Builder
	q.build(&b, false)
	return exec(ctx, q.db, &b)
}

// Returning runs the update and returns the changed rows as stored.
func (q *UpdateQuery[R]) Returning(ctx context.Context) ([]R, error) {
	var b Builder
	q.build(&b, true)
	return q.t.collect(ctx, q.db, &b, 0)
}

// DeleteQuery is a delete of rows of one table, with R the table's row
// struct. It needs either Where or All.
type DeleteQuery[R any] struct {
	t     *Table[R]
	db    DBTX
	where []Expr
	all   bool
}

// Where adds conditions; all of them must hold (they are joined with AND).
func (q *DeleteQuery[R]) Where(conds ...Expr) *DeleteQuery[R] {
	q.where = append(q.where, conds...)
	return q
}

// All deletes every row of the table. Without it, a delete with no Where
// condition fails instead of running.
func (q *DeleteQuery[R]) All() *DeleteQuery[R] {
	q.all = true
	return q
}

// SQL returns the statement Exec runs, and its arguments.
func (q *DeleteQuery[R]) SQL() (string, []any, error) {
	var b Builder
	q.build(&b, false)
	return b.String(), b.args, b.err
}

func (q *DeleteQuery[R]) build(b *Builder, returning bool) {
	if len(q.where) == 0 && !q.all {
		b.fail(fmt.Errorf("pg: delete from %q: %w", q.t.sqlName, errNoWhere))
		return
	}
	b.WriteSQL("DELETE FROM ")
	b.WriteSQL(q.t.from)
	writeWhere(b, q.where)
	if returning {
		b.WriteSQL(" RETURNING ")
		b.WriteSQL(q.t.list)
	}
}

// Exec runs the delete and returns the number of rows it removed.
func (q *DeleteQuery[R]) Exec(ctx context.Context) (int64, error) {
	var b Builder
	q.build(&b, false)
	return exec(ctx, q.db, &b)
}

// Returning runs the delete and returns the removed rows.
func (q *DeleteQuery[R]) Returning(ctx context.Context) ([]R, error) {
	var b Builder
	q.build(&b, true)
	return q.t.collect(ctx, q.db, &b, 0)
}

func exec(ctx context.Context, db DBTX, b *Builder) (int64, error) {
	if b.err != nil {
		return 0, b.err
	}
	tag, err := db.Exec(ctx, b.String(), b.args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
