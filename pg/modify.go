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
//
// Like a SelectQuery it is a value: each method returns a new query and
// leaves its receiver as it was, and a query may be run any number of
// times, from any number of goroutines.
type UpdateQuery[R any] struct {
	t     *Table[R]
	db    DBTX
	sets  few[Assignment]
	where few[Expr]
	all   bool
}

// Set adds assignments, made by the Set methods of the table's columns.
func (q UpdateQuery[R]) Set(assignments ...Assignment) UpdateQuery[R] {
	q.sets = q.sets.add(assignments)
	return q
}

// Where adds conditions; all of them must hold (they are joined with AND).
func (q UpdateQuery[R]) Where(conds ...Expr) UpdateQuery[R] {
	q.where = q.where.add(conds)
	return q
}

// All updates every row of the table. Without it, an update with no Where
// condition fails instead of running.
func (q UpdateQuery[R]) All() UpdateQuery[R] {
	q.all = true
	return q
}

// SQL returns the statement Exec runs, and its arguments.
func (q UpdateQuery[R]) SQL() (string, []any, error) {
	s := q.stmt(false)
	q.build(&s.b, false)
	return s.result()
}

// stmt returns the stmt of one run, sized for the statement.
func (q *UpdateQuery[R]) stmt(returning bool) *stmt {
	n := 32 + len(q.t.From) + 32*(q.sets.len()+q.where.len())
	if returning {
		n += 11 + len(q.t.List)
	}
	return newStmt(n, q.t.Alias)
}

func (q *UpdateQuery[R]) build(b *builder, returning bool) {
	switch {
	case q.sets.len() == 0:
		b.fail(fmt.Errorf("pg: update of %q: nothing to Set", q.t.Name))
		return
	case q.where.len() == 0 && !q.all:
		b.fail(fmt.Errorf("pg: update of %q: %w", q.t.Name, errNoWhere))
		return
	}
	b.writeSQL("UPDATE ")
	b.writeSQL(q.t.From)
	b.writeSQL(" SET ")
	for i := range q.sets.len() {
		a := q.sets.at(i)
		if q.t.index(a.col) < 0 {
			b.fail(fmt.Errorf("pg: update of %q: column %s is not one of its columns", q.t.Name, a.col.qual))
			return
		}
		if i > 0 {
			b.writeSQL(", ")
		}
		a.appendSQL(b)
	}
	q.t.writeOnUpdate(b, &q.sets) // onupdate.go
	writeConds(b, &q.where)
	if returning {
		b.writeSQL(" RETURNING ")
		b.writeSQL(q.t.List)
	}
	b.checkScope("update of", "")
}

// Exec runs the update and returns the number of rows it changed.
func (q UpdateQuery[R]) Exec(ctx context.Context) (int64, error) {
	s := q.stmt(false)
	defer s.release()
	q.build(&s.b, false)
	return exec(ctx, q.db, &s.b, opUpdate, q.t.Name)
}

// Returning runs the update and returns the changed rows as stored.
func (q UpdateQuery[R]) Returning(ctx context.Context) ([]R, error) {
	s := q.stmt(true)
	defer s.release()
	q.build(&s.b, true)
	return q.t.collectChanged(ctx, q.db, &s.b, opUpdate)
}

// DeleteQuery is a delete of rows of one table, with R the table's row
// struct. It needs either Where or All. Like UpdateQuery it is a value
// whose methods return a new query.
type DeleteQuery[R any] struct {
	t     *Table[R]
	db    DBTX
	where few[Expr]
	all   bool
}

// Where adds conditions; all of them must hold (they are joined with AND).
func (q DeleteQuery[R]) Where(conds ...Expr) DeleteQuery[R] {
	q.where = q.where.add(conds)
	return q
}

// All deletes every row of the table. Without it, a delete with no Where
// condition fails instead of running.
func (q DeleteQuery[R]) All() DeleteQuery[R] {
	q.all = true
	return q
}

// SQL returns the statement Exec runs, and its arguments.
func (q DeleteQuery[R]) SQL() (string, []any, error) {
	s := q.stmt(false)
	q.build(&s.b, false)
	return s.result()
}

// stmt returns the stmt of one run, sized for the statement.
func (q *DeleteQuery[R]) stmt(returning bool) *stmt {
	n := 32 + len(q.t.From) + 32*q.where.len()
	if returning {
		n += 11 + len(q.t.List)
	}
	return newStmt(n, q.t.Alias)
}

func (q *DeleteQuery[R]) build(b *builder, returning bool) {
	if q.where.len() == 0 && !q.all {
		b.fail(fmt.Errorf("pg: delete from %q: %w", q.t.Name, errNoWhere))
		return
	}
	b.writeSQL("DELETE FROM ")
	b.writeSQL(q.t.From)
	writeConds(b, &q.where)
	if returning {
		b.writeSQL(" RETURNING ")
		b.writeSQL(q.t.List)
	}
	b.checkScope("delete from", "")
}

// Exec runs the delete and returns the number of rows it removed.
func (q DeleteQuery[R]) Exec(ctx context.Context) (int64, error) {
	s := q.stmt(false)
	defer s.release()
	q.build(&s.b, false)
	return exec(ctx, q.db, &s.b, opDelete, q.t.Name)
}

// Returning runs the delete and returns the removed rows.
func (q DeleteQuery[R]) Returning(ctx context.Context) ([]R, error) {
	s := q.stmt(true)
	defer s.release()
	q.build(&s.b, true)
	return q.t.collectChanged(ctx, q.db, &s.b, opDelete)
}

// writeConds is writeWhere for the conditions a query keeps.
func writeConds(b *builder, where *few[Expr]) {
	for i := range where.len() {
		if i == 0 {
			b.writeSQL(" WHERE ")
		} else {
			b.writeSQL(" AND ")
		}
		// And and Or of two or more, and fragments, write their own
		// parentheses, so precedence is never the reader's problem.
		where.at(i).appendSQL(b)
	}
}

func exec(ctx context.Context, db DBTX, b *builder, op, table string) (int64, error) {
	if b.err != nil {
		return 0, b.err
	}
	tag, err := db.Exec(ctx, b.finish(), b.args...)
	if err != nil {
		return 0, wrap(op, table, err)
	}
	return tag.RowsAffected(), nil
}
