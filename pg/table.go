package pg

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/quote"
)

// InsertMode says where an inserted column's value comes from.
type InsertMode uint8

const (
	// InsertValue columns are always written from the row.
	InsertValue InsertMode = iota
	// InsertDefault columns (a DEFAULT, an identity BY DEFAULT, a serial)
	// get the database's value unless the insert names them: then the row's
	// value is written.
	InsertDefault
	// InsertNever columns (generated, identity ALWAYS) are always filled by
	// the database.
	InsertNever
)

// TableColumn describes a column of a Table: its unquoted name and how
// inserts treat it.
type TableColumn struct {
	Name   string
	Insert InsertMode
}

// Table describes one table to the statement builders: its name, its
// columns in the order of the row struct's scan, and the two functions
// generated code writes for it, one that scans a row into the struct's
// fields and one that lists the struct's values. Generated code makes one
// per table with NewTable; it is never changed afterwards.
type Table[R any] struct {
	sqlName string   // unquoted, for messages
	from    string   // "schema"."table"
	alias   string   // "table": what columns are qualified with
	cols    []string // quoted names
	modes   []InsertMode
	list    string // the select list, qualified
	scan    func(row pgx.Row, r *R) error
	values  func(r *R, dst []any) []any
}

// NewTable returns the description of the table name in schema (both
// unquoted). scan must scan the columns, in order, into the fields of r;
// values must append the fields' values, in the same order, to dst.
func NewTable[R any](schema, name string, cols []TableColumn, scan func(row pgx.Row, r *R) error, values func(r *R, dst []any) []any) *Table[R] {
	t := &Table[R]{
		sqlName: name,
		from:    quote.Ident(schema, name),
		alias:   quote.Ident(name),
		scan:    scan,
		values:  values,
	}
	var list strings.Builder
	for i, c := range cols {
		q := quote.Ident(c.Name)
		t.cols = append(t.cols, q)
		t.modes = append(t.modes, c.Insert)
		if i > 0 {
			list.WriteString(", ")
		}
		list.WriteString(t.alias + "." + q)
	}
	t.list = list.String()
	return t
}

// Name returns the table's SQL name, unquoted.
func (t *Table[R]) Name() string { return t.sqlName }

// Scan scans one row of the table's columns, in order, into r.
func (t *Table[R]) Scan(row pgx.Row, r *R) error { return t.scan(row, r) }

// Select starts a query for rows of the table, run on db.
func (t *Table[R]) Select(db DBTX) *SelectQuery[R] { return &SelectQuery[R]{t: t, db: db} }

// Update starts an update of rows of the table, run on db.
func (t *Table[R]) Update(db DBTX) *UpdateQuery[R] { return &UpdateQuery[R]{t: t, db: db} }

// Delete starts a delete of rows of the table, run on db.
func (t *Table[R]) Delete(db DBTX) *DeleteQuery[R] { return &DeleteQuery[R]{t: t, db: db} }

// maxParams is the most parameters PostgreSQL's protocol takes in one
// statement.
const maxParams = 65535

// Insert inserts rows in one statement and returns them as stored, in the
// order given. Columns with InsertValue are written from the rows; those
// with InsertDefault only when named in with, else the database fills them;
// those with InsertNever never.
func (t *Table[R]) Insert(ctx context.Context, db DBTX, rows []R, with ...AnyColumn) ([]R, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	send, err := t.sendMask(with)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, s := range send {
		if s {
			n++
		}
	}
	if n*len(rows) > maxParams {
		return nil, fmt.Errorf("pg: inserting %d rows of %d columns into %q needs %d parameters, more than PostgreSQL's %d: insert in chunks, or use CopyFrom",
			len(rows), n, t.sqlName, n*len(rows), maxParams)
	}
	b := Builder{buf: make([]byte, 0, 64+len(t.list)+len(rows)*n*5)}
	b.args = make([]any, 0, n*len(rows))
	b.WriteSQL("INSERT INTO ")
	b.WriteSQL(t.from)
	b.WriteSQL(" (")
	first := true
	for i, s := range send {
		if s || (n == 0 && i == 0) {
			if !first {
				b.WriteSQL(", ")
			}
			first = false
			b.WriteSQL(t.cols[i])
		}
	}
	b.WriteSQL(") VALUES ")
	vals := make([]any, 0, len(t.cols))
	for r := range rows {
		if r > 0 {
			b.WriteSQL(", ")
		}
		b.WriteSQL("(")
		if n == 0 {
			// No column to write: one DEFAULT makes a row of defaults, as
			// DEFAULT VALUES would for a single row.
			b.WriteSQL("DEFAULT")
		}
		vals = t.values(&rows[r], vals[:0])
		first := true
		for i, s := range send {
			if !s {
				continue
			}
			if !first {
				b.WriteSQL(", ")
			}
			first = false
			b.WriteArg(vals[i])
		}
		b.WriteSQL(")")
	}
	b.WriteSQL(" RETURNING ")
	b.WriteSQL(t.list)
	return t.collect(ctx, db, &b, len(rows))
}

// sendMask says which columns an insert writes.
func (t *Table[R]) sendMask(with []AnyColumn) ([]bool, error) {
	send := make([]bool, len(t.cols))
	for i, m := range t.modes {
		send[i] = m == InsertValue
	}
	for _, c := range with {
		r := c.ref()
		i := t.index(r)
		if i < 0 {
			return nil, fmt.Errorf("pg: insert into %q: column %s is not one of its columns", t.sqlName, r.qual)
		}
		if t.modes[i] == InsertNever {
			return nil, fmt.Errorf("pg: insert into %q: column %s is filled by the database (generated, or identity ALWAYS) and cannot be written", t.sqlName, r.name)
		}
		send[i] = true
	}
	return send, nil
}

// index returns the position of a column of this table, or -1.
func (t *Table[R]) index(r colRef) int {
	if r.table != t.alias {
		return -1
	}
	for i, c := range t.cols {
		if c == r.name {
			return i
		}
	}
	return -1
}

// collect runs a statement that returns rows of the table.
func (t *Table[R]) collect(ctx context.Context, db DBTX, b *Builder, sizeHint int) ([]R, error) {
	if b.err != nil {
		return nil, b.err
	}
	rows, err := db.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]R, 0, sizeHint)
	for rows.Next() {
		var zero R
		out = append(out, zero)
		if err := t.scan(rows, &out[len(out)-1]); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// writeWhere writes " WHERE cond AND cond ..." when there are conditions.
func writeWhere(b *Builder, where []Expr) {
	for i, e := range where {
		if i == 0 {
			b.WriteSQL(" WHERE ")
		} else {
			b.WriteSQL(" AND ")
		}
		// And and Or of two or more, and fragments, write their own
		// parentheses, so precedence is never the reader's problem.
		e.appendSQL(b)
	}
}
