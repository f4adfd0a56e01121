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
	from  *fromTable // UPDATE ... FROM, DELETE ... USING
}

// fromTable is the other table of an UPDATE ... FROM or a DELETE ...
// USING, taken from a Source: its FROM item and alias, and the
// conditions the Source had, which join the statement's.
type fromTable struct {
	from, alias string
	where       []Expr
	err         error
}

// newFromTable takes the table of src, refusing what one FROM item
// cannot say. what names the statement, self the target's alias.
func newFromTable(src Source, what, name, self string) *fromTable {
	c := src.core()
	f := &fromTable{from: c.from, alias: c.alias, where: c.where.all()}
	switch {
	case len(c.joins) > 0 || len(c.groupBy) > 0 || len(c.having) > 0:
		f.err = fmt.Errorf("pg: %s %q: the other table must be one table's Select, without joins or grouping", what, name)
	case c.order.len() > 0 || c.hasLim || c.offset != 0 || c.lock != "":
		f.err = fmt.Errorf("pg: %s %q: the other table's Select has an ordering, limit, offset or lock, which a FROM item cannot keep", what, name)
	case c.alias == self:
		f.err = fmt.Errorf("pg: %s %q: the other table is the same table, which columns qualified by its name cannot tell apart", what, name)
	}
	return f
}

// write writes the FROM item, checking it first.
func (f *fromTable) write(b *builder, keyword string) {
	if f.err != nil {
		b.fail(f.err)
		return
	}
	b.writeSQL(keyword)
	b.writeSQL(f.from)
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

// From adds another table to the update (UPDATE ... FROM), whose columns
// the assignments and conditions may then name: src is that table's
// Select, and its Where conditions join the update's. Say how its rows
// match the updated ones in a condition; a row that matches several is
// updated with one of them, unsaid which.
//
//	q.Orders.Update().
//		From(q.Models.Select().Where(db.Models.Variant.Eq("retired"))).
//		Set(db.Orders.Status.Set(schema.StatusClosed)).
//		Where(db.Orders.ModelID.EqCol(db.Models.ID)).
//		Exec(ctx)
//
// src must be one table's plain Select (no join, ordering, limit or
// lock), of a table other than the updated one; otherwise the update
// fails before it is sent.
func (q UpdateQuery[R]) From(src Source) UpdateQuery[R] {
	q.from = newFromTable(src, "update of", q.t.Name, q.t.Alias)
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
	return newModifyStmt(n, q.t.Alias, q.from)
}

// newModifyStmt is newStmt for an update or delete, whose scope takes the
// other table of From or Using.
func newModifyStmt(n int, alias string, from *fromTable) *stmt {
	if from != nil {
		return newStmt(n+len(from.from)+32*len(from.where), alias, from.alias)
	}
	return newStmt(n, alias)
}

// writeModifyConds writes the conditions of an update or delete, those of
// its other table's Select after its own.
func writeModifyConds(b *builder, where *few[Expr], from *fromTable) {
	writeConds(b, where)
	if from == nil {
		return
	}
	for i, e := range from.where {
		if i == 0 && where.len() == 0 {
			b.writeSQL(" WHERE ")
		} else {
			b.writeSQL(" AND ")
		}
		e.appendSQL(b)
	}
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
	if q.from != nil {
		q.from.write(b, " FROM ")
	}
	writeModifyConds(b, &q.where, q.from)
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

// ReturningOne runs an update meant to change one row and returns it as
// stored. When it changes none, it returns an error wrapping ErrNotFound.
// When it changes more than one, the change is made (an UPDATE cannot be
// limited) and ReturningOne returns the first row with an error saying
// how many were changed: run it in a transaction to undo it then.
func (q UpdateQuery[R]) ReturningOne(ctx context.Context) (R, error) {
	rows, err := q.Returning(ctx)
	return one(rows, err, opUpdate, q.t.Name)
}

// DeleteQuery is a delete of rows of one table, with R the table's row
// struct. It needs either Where or All. Like UpdateQuery it is a value
// whose methods return a new query.
type DeleteQuery[R any] struct {
	t     *Table[R]
	db    DBTX
	where few[Expr]
	all   bool
	using *fromTable
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

// Using adds another table to the delete (DELETE ... USING), whose
// columns the conditions may then name: src is that table's Select, and
// its Where conditions join the delete's.
//
//	q.Orders.Delete().
//		Using(q.Models.Select().Where(db.Models.Variant.Eq("retired"))).
//		Where(db.Orders.ModelID.EqCol(db.Models.ID)).
//		Exec(ctx)
//
// src must be one table's plain Select, as for UpdateQuery.From.
func (q DeleteQuery[R]) Using(src Source) DeleteQuery[R] {
	q.using = newFromTable(src, "delete from", q.t.Name, q.t.Alias)
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
	return newModifyStmt(n, q.t.Alias, q.using)
}

func (q *DeleteQuery[R]) build(b *builder, returning bool) {
	if q.where.len() == 0 && !q.all {
		b.fail(fmt.Errorf("pg: delete from %q: %w", q.t.Name, errNoWhere))
		return
	}
	b.writeSQL("DELETE FROM ")
	b.writeSQL(q.t.From)
	if q.using != nil {
		q.using.write(b, " USING ")
	}
	writeModifyConds(b, &q.where, q.using)
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

// ReturningOne runs a delete meant to remove one row and returns it. When
// it removes none, it returns an error wrapping ErrNotFound; when it
// removes more than one, they are removed, and ReturningOne returns the
// first with an error saying how many: run it in a transaction to undo
// it then.
func (q DeleteQuery[R]) ReturningOne(ctx context.Context) (R, error) {
	rows, err := q.Returning(ctx)
	return one(rows, err, opDelete, q.t.Name)
}

// ErrNotOne is wrapped by the error of a ReturningOne whose statement
// changed more than one row.
var ErrNotOne = errors.New("changed more than one row")

// one is the result of a ReturningOne, from the rows its statement
// returned.
func one[R any](rows []R, err error, op, table string) (R, error) {
	var zero R
	switch {
	case err != nil:
		return zero, err
	case len(rows) == 0:
		return zero, &NotFoundError{Table: table}
	case len(rows) > 1:
		return rows[0], wrap(op, table, fmt.Errorf("%w: %d rows, where one was meant", ErrNotOne, len(rows)))
	}
	return rows[0], nil
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
