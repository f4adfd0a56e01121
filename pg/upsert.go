package pg

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/mizzle/mizzle/pg/internal/table"
)

// Conflict says what an upsert does when a row it inserts would violate a
// unique constraint: make one with [OnConflict] or [OnConstraint], then
// choose DoNothing or DoUpdate.
type Conflict struct {
	cols       []colRef
	exprs      []Expr // the index's expressions, for OnConflictExpr
	indexWhere []Expr // a partial index's predicate
	constraint string // unquoted
	action     conflictAction
	sets       []Assignment
	where      []Expr
}

type conflictAction uint8

const (
	actionNone conflictAction = iota
	actionNothing
	actionUpdate
)

// OnConflict targets a conflict on the unique index or constraint over
// exactly these columns (ON CONFLICT (cols)).
func OnConflict(cols ...AnyColumn) Conflict {
	c := Conflict{cols: make([]colRef, len(cols))}
	for i, col := range cols {
		c.cols[i] = col.ref()
	}
	return c
}

// OnConflictExpr targets a conflict on a unique index over expressions,
// such as one on lower(email): each expression is written as the index
// has it, so that PostgreSQL can infer the index.
//
//	pg.OnConflictExpr(pg.SQL("lower(?)", db.Users.Email)).DoNothing()
//
// Columns may be mixed in: pg.OnConflictExpr(db.Users.OrgID, pg.SQL("lower(?)", db.Users.Email)).
func OnConflictExpr(exprs ...Expr) Conflict {
	return Conflict{exprs: append([]Expr(nil), exprs...)}
}

// IndexWhere targets a partial unique index: conds are its predicate (ON
// CONFLICT (cols) WHERE conds), which must imply the index's own for
// PostgreSQL to infer it. It is not Where, which limits DoUpdate.
//
//	pg.OnConflict(db.Users.Email).IndexWhere(db.Users.DeletedAt.IsNull()).DoNothing()
func (c Conflict) IndexWhere(conds ...Expr) Conflict {
	c.indexWhere = append(c.indexWhere[:len(c.indexWhere):len(c.indexWhere)], conds...)
	return c
}

// OnConstraint targets a conflict on the named unique or exclusion
// constraint (ON CONFLICT ON CONSTRAINT name).
func OnConstraint(name string) Conflict { return Conflict{constraint: name} }

// DoNothing skips a row that conflicts (DO NOTHING): it is neither inserted
// nor returned.
func (c Conflict) DoNothing() Conflict {
	c.action = actionNothing
	return c
}

// DoUpdate updates the existing row instead (DO UPDATE SET ...). The
// assignments are made by the columns' Set methods, and SetExcluded takes
// the value the insert proposed. Like every update, it also sets the
// schema's onupdate: columns that the assignments leave out:
//
//	pg.OnConflict(db.Models.ID).DoUpdate(db.Models.Variant.SetExcluded())
func (c Conflict) DoUpdate(assignments ...Assignment) Conflict {
	c.action = actionUpdate
	c.sets = append(c.sets[:len(c.sets):len(c.sets)], assignments...)
	return c
}

// Where limits DoUpdate to existing rows for which the conditions hold; a
// row that conflicts and fails them is neither updated nor returned.
func (c Conflict) Where(conds ...Expr) Conflict {
	c.where = append(c.where[:len(c.where):len(c.where)], conds...)
	return c
}

// SetExcluded assigns, in an upsert's DoUpdate, the value the insert
// proposed for the column (EXCLUDED.column). The upsert must send the
// column for every row: a defaulted column left zero, and so not sent,
// would propose its default and write it over the stored value, so
// Upsert refuses it before sending anything; name the column in the
// call to send its zero value.
func (c Column[T]) SetExcluded() Assignment {
	return Assignment{col: c.ref(), e: excluded(c.c.name)}
}

// excluded is EXCLUDED.column, the column's quoted name.
type excluded string

func (e excluded) appendSQL(b *builder) {
	b.writeSQL("EXCLUDED.")
	b.writeSQL(string(e))
}

var errNoAction = errors.New("no action: call DoNothing or DoUpdate")

// Upsert inserts rows in one statement, doing what c says with those that
// conflict, and returns the rows inserted or updated, as stored. Columns
// are sent as by Insert.
func (t *Table[R]) Upsert(ctx context.Context, db DBTX, rows []R, c Conflict, with ...AnyColumn) ([]R, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	var b builder
	p, err := t.buildInsert(&b, rows, with)
	if err != nil {
		return nil, err
	}
	if err := t.checkExcluded(&p, c); err != nil {
		return nil, err
	}
	t.writeConflict(&b, c)
	if b.err != nil {
		return nil, b.err
	}
	b.writeSQL(" RETURNING ")
	b.writeSQL(t.List)
	out, err := t.collect(ctx, db, &b, len(rows))
	return out, wrap("upsert into", t.Name, err)
}

// checkExcluded refuses a SetExcluded of a column that some row does not
// send: EXCLUDED would hold the column's default, not a value of the row.
func (t *Table[R]) checkExcluded(p *insertPlan, c Conflict) error {
	for _, a := range c.sets {
		if _, ok := a.e.(excluded); !ok {
			continue
		}
		i := t.index(a.col)
		if i < 0 || t.Modes[i] == table.InsertNever {
			continue // reported by writeConflict, or the database's own value
		}
		if !t.sentByAll(p, i) {
			return fmt.Errorf("pg: upsert into %q: DoUpdate sets %s from EXCLUDED, but the insert does not send it (it has a default and is zero in a row, so the database would propose its default and overwrite the stored value): name the column in the call to send it for every row, zero values included",
				t.Name, a.col.name)
		}
	}
	return nil
}

// writeConflict writes ON CONFLICT ... DO ....
func (t *Table[R]) writeConflict(b *builder, c Conflict) {
	b.writeSQL(" ON CONFLICT ")
	switch {
	case c.constraint != "":
		b.writeSQL("ON CONSTRAINT ")
		b.writeIdent(c.constraint)
	case len(c.cols) > 0:
		b.writeSQL("(")
		for i, col := range c.cols {
			if t.index(col) < 0 {
				b.fail(fmt.Errorf("pg: upsert into %q: conflict column %s is not one of its columns", t.Name, col.qual))
				return
			}
			if i > 0 {
				b.writeSQL(", ")
			}
			b.writeSQL(col.name)
		}
		b.writeSQL(")")
	case len(c.exprs) > 0:
		b.writeSQL("(")
		for i, e := range c.exprs {
			if i > 0 {
				b.writeSQL(", ")
			}
			// An element is a column's bare name, as in OnConflict, or an
			// index expression in parentheses of its own.
			if col, ok := e.(AnyColumn); ok {
				r := col.ref()
				if t.index(r) < 0 {
					b.fail(fmt.Errorf("pg: upsert into %q: conflict column %s is not one of its columns", t.Name, r.qual))
					return
				}
				b.writeSQL(r.name)
				continue
			}
			b.writeSQL("(")
			e.appendSQL(b)
			b.writeSQL(")")
		}
		b.writeSQL(")")
	}
	if len(c.indexWhere) > 0 {
		if c.constraint != "" || (len(c.cols) == 0 && len(c.exprs) == 0) {
			b.fail(fmt.Errorf("pg: upsert into %q: IndexWhere needs the conflict's columns or expressions (OnConflict, OnConflictExpr), not a constraint", t.Name))
			return
		}
		writeWhere(b, c.indexWhere)
	}
	switch c.action {
	case actionNothing:
		b.writeSQL(" DO NOTHING")
	case actionUpdate:
		if len(c.sets) == 0 {
			b.fail(fmt.Errorf("pg: upsert into %q: DoUpdate with nothing to set", t.Name))
			return
		}
		if c.constraint == "" && len(c.cols) == 0 && len(c.exprs) == 0 {
			b.fail(fmt.Errorf("pg: upsert into %q: DoUpdate needs the conflict's columns or constraint", t.Name))
			return
		}
		b.writeSQL(" DO UPDATE SET ")
		for i, a := range c.sets {
			if t.index(a.col) < 0 {
				b.fail(fmt.Errorf("pg: upsert into %q: column %s is not one of its columns", t.Name, a.col.qual))
				return
			}
			if i > 0 {
				b.writeSQL(", ")
			}
			a.appendSQL(b)
		}
		// An upsert that updates is an update: the schema's onupdate:
		// columns change as they do in every generated update.
		t.writeOnUpdateExcept(b, false, func(col string) bool {
			return slices.ContainsFunc(c.sets, func(a Assignment) bool { return a.col.name == col })
		})
		writeWhere(b, c.where)
	default:
		b.fail(fmt.Errorf("pg: upsert into %q: %w", t.Name, errNoAction))
	}
}
