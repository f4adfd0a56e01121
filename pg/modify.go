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
	// b writes the statement of each run, and the arrays back the first
	// assignments, conditions and arguments: kept in the query, which is on
	// the heap anyway, the usual update by key allocates nothing more for
	// them. More than they hold grows as usual.
	b        Builder
	setArr   [2]Assignment
	whereArr [2]Expr
	args     [4]any
	// sql holds the text of the first statement (see stmtBuf): enough
	// for an update of a few columns by key.
	sql     [128]byte
	sqlUsed bool
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
	return b.finish(), b.args, b.err
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
	if b.buf == nil {
		n := 32 + len(q.t.from) + 32*(len(q.sets)+len(q.where))
		if returning {
			n += 11 + len(q.t.list)
		}
		b.buf = stmtBuf(q.sql[:], &q.sqlUsed, n)
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

// builder readies q.b for one run and returns it; build sizes its buffer.
// SQL does not use it: the arguments it returns would share q.args with
// later runs.
func (q *UpdateQuery[R]) builder() *Builder {
	q.b.reset(nil, q.args[:])
	return &q.b
}

// Exec runs the update and returns the number of rows it changed.
func (q *UpdateQuery[R]) Exec(ctx context.Context) (int64, error) {
	b := q.builder()
	q.build(b, false)
	return exec(ctx, q.db, b)
}

// Returning runs the update and returns the changed rows as stored.
func (q *UpdateQuery[R]) Returning(ctx context.Context) ([]R, error) {
	b := q.builder()
	q.build(b, true)
	return q.t.collect(ctx, q.db, b, 0)
}

// DeleteQuery is a delete of rows of one table, with R the table's row
// struct. It needs either Where or All.
type DeleteQuery[R any] struct {
	t     *Table[R]
	db    DBTX
	where []Expr
	all   bool
	// As in UpdateQuery: the statement's builder, small backing arrays for
	// the first conditions and arguments, and the first statement's text,
	// kept in the query.
	b        Builder
	whereArr [2]Expr
	args     [4]any
	sql      [96]byte
	sqlUsed  bool
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
	return b.finish(), b.args, b.err
}

func (q *DeleteQuery[R]) build(b *Builder, returning bool) {
	if len(q.where) == 0 && !q.all {
		b.fail(fmt.Errorf("pg: delete from %q: %w", q.t.sqlName, errNoWhere))
		return
	}
	if b.buf == nil {
		n := 32 + len(q.t.from) + 32*len(q.where)
		if returning {
			n += 11 + len(q.t.list)
		}
		b.buf = stmtBuf(q.sql[:], &q.sqlUsed, n)
	}
	b.WriteSQL("DELETE FROM ")
	b.WriteSQL(q.t.from)
	writeWhere(b, q.where)
	if returning {
		b.WriteSQL(" RETURNING ")
		b.WriteSQL(q.t.list)
	}
}

// builder readies q.b for one run and returns it; build sizes its buffer.
// SQL does not use it: the arguments it returns would share q.args with
// later runs.
func (q *DeleteQuery[R]) builder() *Builder {
	q.b.reset(nil, q.args[:])
	return &q.b
}

// Exec runs the delete and returns the number of rows it removed.
func (q *DeleteQuery[R]) Exec(ctx context.Context) (int64, error) {
	b := q.builder()
	q.build(b, false)
	return exec(ctx, q.db, b)
}

// Returning runs the delete and returns the removed rows.
func (q *DeleteQuery[R]) Returning(ctx context.Context) ([]R, error) {
	b := q.builder()
	q.build(b, true)
	return q.t.collect(ctx, q.db, b, 0)
}

func exec(ctx context.Context, db DBTX, b *Builder) (int64, error) {
	if b.err != nil {
		return 0, b.err
	}
	tag, err := db.Exec(ctx, b.finish(), b.args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
