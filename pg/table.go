package pg

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/pg/internal/table"
)

// Table is one table as the statements see it: its name, its columns,
// how inserts treat each, and the functions generated code writes for
// its row struct R, which are the only code that touches R's fields.
// Generated code makes one per table with pgimpl.NewTable and keeps it in
// an unexported variable; its methods are the statements behind the
// generated query methods. A Table is never changed once made.
type Table[R any] table.Table[R]

// desc returns t as the description package pgimpl shares.
func (t *Table[R]) desc() *table.Table[R] { return (*table.Table[R])(t) }

// Select starts a query for rows of the table, run on db.
func (t *Table[R]) Select(db DBTX) SelectQuery[R] {
	return SelectQuery[R]{t: t, c: selectCore{db: db, name: t.Name, from: t.From, alias: t.Alias, list: t.List}}
}

// Update starts an update of rows of the table, run on db.
func (t *Table[R]) Update(db DBTX) UpdateQuery[R] { return UpdateQuery[R]{t: t, db: db} }

// Delete starts a delete of rows of the table, run on db.
func (t *Table[R]) Delete(db DBTX) DeleteQuery[R] { return DeleteQuery[R]{t: t, db: db} }

// maxParams is the most parameters PostgreSQL's protocol takes in one
// statement.
const maxParams = 65535

// Insert inserts rows in one statement and returns them as stored, in the
// order given. Columns with table.InsertValue are written from the rows; those
// with table.InsertDefault from the rows whose field is not zero, or from every
// row when named in with, the database filling the others (DEFAULT, row by
// row); those with table.InsertNever never. The rows returned are copies of those
// given with the ReadBack columns read back from the database.
func (t *Table[R]) Insert(ctx context.Context, db DBTX, rows []R, with ...AnyColumn) ([]R, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	var b builder
	if _, err := t.buildInsert(&b, rows, with); err != nil {
		return nil, err
	}
	out, err := t.runInsert(ctx, db, &b, rows)
	return out, wrap("insert into", t.Name, err)
}

// runInsert runs the insert b holds and returns the rows as stored.
func (t *Table[R]) runInsert(ctx context.Context, db DBTX, b *builder, rows []R) ([]R, error) {
	// Only the columns the database fills or may change are read back,
	// into copies of the rows given: the others are what was sent, and
	// decoding them again would only allocate (strings, slices).
	b.writeSQL(t.Returning)
	out := slices.Clone(rows)
	if t.Returning == "" {
		if _, err := db.Exec(ctx, b.finish(), b.args...); err != nil {
			return nil, err
		}
		return out, nil
	}
	rs, err := db.Query(ctx, b.finish(), b.args...)
	if err != nil {
		return nil, err
	}
	n := 0
	err = table.ScanRows(rs, func(rs pgx.Rows) error {
		if n == len(out) {
			return fmt.Errorf("returned more rows than the %d inserted", len(out))
		}
		n++
		return t.ScanInserted(rs, &out[n-1])
	})
	if err != nil {
		return nil, err
	}
	if n != len(out) {
		return nil, fmt.Errorf("returned %d rows for the %d inserted", n, len(out))
	}
	return out, nil
}

// insertPlan is what an insert sends: the columns of send, with a value
// from every row for those named in with (or table.InsertValue), and from the
// rows that set them for the others (table.InsertDefault columns some row sets).
type insertPlan struct {
	send  []bool
	named []bool // nil: only the table.InsertValue columns
	n     int    // how many columns send holds
	// any and all are the NonZero bits set in some row and in every row.
	any, all uint64
}

// sentByAll reports whether column i gets a value from every row, not
// DEFAULT.
func (t *Table[R]) sentByAll(p *insertPlan, i int) bool {
	if !p.send[i] {
		return false
	}
	if t.Modes[i] != table.InsertDefault || (p.named != nil && p.named[i]) {
		return true
	}
	k := slices.Index(t.Defaults, i)
	return p.all&(1<<k) != 0
}

// sentByRow reports whether row's value of column i is sent: false means
// DEFAULT.
func (t *Table[R]) sentByRow(p *insertPlan, i int, rowBits uint64) bool {
	if t.Modes[i] != table.InsertDefault || (p.named != nil && p.named[i]) {
		return true
	}
	k := slices.Index(t.Defaults, i)
	return rowBits&(1<<k) != 0
}

// planInsert decides which columns an insert of rows writes. what names
// the statement in errors ("insert into", "copy into").
func (t *Table[R]) planInsert(what string, rows []R, with []AnyColumn) (insertPlan, error) {
	p := insertPlan{send: t.ValueMask, n: t.NValues}
	p.all = ^uint64(0)
	for r := range rows {
		bits := t.NonZero(&rows[r])
		p.any |= bits
		p.all &= bits
	}
	if len(rows) == 0 {
		p.all = 0
	}
	if len(with) == 0 && p.any == 0 {
		// Shared, never written: callers only read the mask.
		return p, nil
	}
	p.send = make([]bool, 2*len(t.Cols))
	p.send, p.named = p.send[:len(t.Cols)], p.send[len(t.Cols):]
	for i, m := range t.Modes {
		p.send[i] = m == table.InsertValue
	}
	for k, i := range t.Defaults {
		if p.any&(1<<k) != 0 {
			p.send[i] = true
		}
	}
	for _, c := range with {
		r := c.ref()
		i := t.index(r)
		if i < 0 {
			return p, fmt.Errorf("pg: %s %q: column %s is not one of its columns", what, t.Name, r.qual)
		}
		if t.Modes[i] == table.InsertNever {
			return p, fmt.Errorf("pg: %s %q: column %s is filled by the database (generated, or identity ALWAYS) and cannot be written", what, t.Name, r.name)
		}
		p.send[i], p.named[i] = true, true
	}
	p.n = 0
	for _, s := range p.send {
		if s {
			p.n++
		}
	}
	return p, nil
}

// buildInsert writes INSERT INTO ... (columns) VALUES (...), (...) with
// the columns the defaults rule sends, DEFAULT standing for the value of
// a row that leaves a defaulted column zero while another row sets it.
func (t *Table[R]) buildInsert(b *builder, rows []R, with []AnyColumn) (insertPlan, error) {
	p, err := t.planInsert("insert into", rows, with)
	if err != nil {
		return p, err
	}
	send, n := p.send, p.n
	// Naming no column in with, and no row setting a defaulted field, the
	// usual case, sends exactly the table.InsertValue columns, whose values
	// InsertValues gives without the others.
	fast := p.named == nil
	if n*len(rows) > maxParams {
		return p, fmt.Errorf("pg: inserting %d rows of %d columns into %q needs %d parameters, more than PostgreSQL's %d: insert in chunks, or use CopyFrom",
			len(rows), n, t.Name, n*len(rows), maxParams)
	}
	b.buf = make([]byte, 0, 64+2*len(t.List)+len(rows)*n*5)
	b.args = make([]any, 0, n*len(rows))
	b.writeSQL("INSERT INTO ")
	b.writeSQL(t.From)
	b.writeSQL(" (")
	first := true
	for i, s := range send {
		if s || (n == 0 && i == 0) {
			if !first {
				b.writeSQL(", ")
			}
			first = false
			b.writeSQL(t.Cols[i])
		}
	}
	b.writeSQL(") VALUES ")
	var vals []any
	if !fast {
		vals = make([]any, 0, len(t.Cols))
	}
	for r := range rows {
		if r > 0 {
			b.writeSQL(", ")
		}
		b.writeSQL("(")
		if n == 0 {
			// No column to write: one DEFAULT makes a row of defaults, as
			// DEFAULT VALUES would for a single row.
			b.writeSQL("DEFAULT")
		}
		if fast {
			k := len(b.args)
			b.args = t.InsertValues(&rows[r], b.args)
			for j := k; j < len(b.args); j++ {
				if j > k {
					b.writeSQL(", ")
				}
				b.buf = append(b.buf, '$')
				b.buf = strconv.AppendInt(b.buf, int64(j+1), 10)
			}
			b.writeSQL(")")
			continue
		}
		vals = t.Values(&rows[r], vals[:0])
		bits := t.NonZero(&rows[r])
		first := true
		for i, s := range send {
			if !s {
				continue
			}
			if !first {
				b.writeSQL(", ")
			}
			first = false
			if t.sentByRow(&p, i, bits) {
				b.writeArg(vals[i])
			} else {
				b.writeSQL("DEFAULT")
			}
		}
		b.writeSQL(")")
	}
	return p, nil
}

// index returns the position of a column of this table, or -1.
func (t *Table[R]) index(r colRef) int {
	if r.table != t.Alias {
		return -1
	}
	for i, c := range t.Cols {
		if c == r.name {
			return i
		}
	}
	return -1
}

// collect runs a statement that returns rows of the table.
func (t *Table[R]) collect(ctx context.Context, db DBTX, b *builder, sizeHint int) ([]R, error) {
	if b.err != nil {
		return nil, b.err
	}
	return t.desc().Query(ctx, db, b.finish(), b.args, sizeHint)
}

// collectChanged runs the update or delete b holds, which returns rows of the
// table; a database error is wrapped with op and the table.
func (t *Table[R]) collectChanged(ctx context.Context, db DBTX, b *builder, op string) ([]R, error) {
	if b.err != nil {
		return nil, b.err
	}
	out, err := t.desc().Query(ctx, db, b.finish(), b.args, 0)
	return out, wrap(op, t.Name, err)
}

// writeAnd writes conditions joined with AND; none is TRUE.
func writeAnd(b *builder, conds []Expr) {
	if len(conds) == 0 {
		b.writeSQL("TRUE")
	}
	for i, e := range conds {
		if i > 0 {
			b.writeSQL(" AND ")
		}
		e.appendSQL(b)
	}
}

// writeWhere writes " WHERE cond AND cond ..." when there are conditions.
func writeWhere(b *builder, where []Expr) {
	for i, e := range where {
		if i == 0 {
			b.writeSQL(" WHERE ")
		} else {
			b.writeSQL(" AND ")
		}
		// And and Or of two or more, and fragments, write their own
		// parentheses, so precedence is never the reader's problem.
		e.appendSQL(b)
	}
}
