package pg

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/quote"
)

// InsertMode says where an inserted column's value comes from.
type InsertMode uint8

const (
	// InsertValue columns are always written from the row.
	InsertValue InsertMode = iota
	// InsertDefault columns (a DEFAULT, an identity BY DEFAULT, a serial)
	// are written from the row when its field is not zero, or when the
	// insert names them; otherwise the database fills them (DEFAULT).
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
	// ReadBack says that an insert reads the column back (RETURNING)
	// rather than keep the value it sent: the database fills the column,
	// or may store a value other than the one sent (a rounded numeric or
	// timestamp, a padded character(n), a normalized jsonb). Generated code
	// sets it by the generator's rule; the others keep the row's values.
	ReadBack bool
}

// RowFuncs are the functions generated code writes for a table's row
// struct R, so that nothing in this package needs reflection. Each lists the
// table's columns in the same order. Every one is required: NewTable
// panics, naming the table and the function, when one is nil.
type RowFuncs[R any] struct {
	// Scan scans one row of the table's columns into the fields of r.
	Scan func(row pgx.Row, r *R) error
	// Values appends the values of r's fields to dst.
	Values func(r *R, dst []any) []any
	// Targets appends pointers to r's fields to dst: what a join scans
	// into, the table's columns being one part of a longer row.
	Targets func(r *R, dst []any) []any
	// InsertValues appends the values of the fields of the InsertValue
	// columns only, in order: what an insert naming no column sends. It
	// spares converting to any the fields that are not sent.
	InsertValues func(r *R, dst []any) []any
	// ScanInserted scans the ReadBack columns, in order, into the fields
	// of r: what an insert reads back.
	ScanInserted func(row pgx.Row, r *R) error
	// NonZero reports which fields of the InsertDefault columns hold a
	// value other than their type's zero value: bit k for the k-th
	// InsertDefault column, in order. Those values are sent; a zero field
	// lets the database fill its column. Generated code writes the zero
	// test of each field's type, so no reflection is needed. A table has
	// at most 64 InsertDefault columns.
	NonZero func(r *R) uint64
}

// Table describes one table to the statement builders: its name, its
// columns in the order of the row struct's scan, and the functions
// generated code writes for its row struct. Generated code makes one per
// table with NewTable; it is never changed afterwards, but for the
// statements InsertSQL keeps.
type Table[R any] struct {
	sqlName string   // unquoted, for messages
	schema  string   // unquoted, for COPY
	from    string   // "schema"."table"
	alias   string   // "table": what columns are qualified with
	names   []string // unquoted names, for COPY
	cols    []string // quoted names
	modes   []InsertMode
	list    string // the select list, qualified
	scan    func(row pgx.Row, r *R) error
	values  func(r *R, dst []any) []any
	targets func(r *R, dst []any) []any

	// What an insert without with sends: the InsertValue columns, how many,
	// and their values.
	valueMask    []bool
	nValues      int
	insertValues func(r *R, dst []any) []any
	// What an insert reads back: " RETURNING " and the ReadBack columns
	// ("" for none), scanned by scanInserted.
	returning    string
	scanInserted func(row pgx.Row, r *R) error
	// The positions of the InsertDefault columns, bit k of nonZero being
	// about the column defaults[k].
	defaults []int
	nonZero  func(r *R) uint64

	// The statements of InsertSQL, by the bits of NonZero they send.
	oneMu  sync.RWMutex
	oneSQL map[uint64]string
}

// NewTable returns the description of the table name in schema (both
// unquoted), whose columns are cols and whose rows fns reads and writes.
func NewTable[R any](schema, name string, cols []TableColumn, fns RowFuncs[R]) *Table[R] {
	for _, f := range []struct {
		name string
		nil  bool
	}{
		{"Scan", fns.Scan == nil},
		{"Values", fns.Values == nil},
		{"Targets", fns.Targets == nil},
		{"InsertValues", fns.InsertValues == nil},
		{"ScanInserted", fns.ScanInserted == nil},
		{"NonZero", fns.NonZero == nil},
	} {
		if f.nil {
			panic(fmt.Sprintf("pg: table %q: RowFuncs.%s is nil; generated code sets every function, so run go generate again", name, f.name))
		}
	}
	t := &Table[R]{
		sqlName: name,
		schema:  schema,
		from:    quote.Ident(schema, name),
		alias:   quote.Ident(name),
		scan:    fns.Scan,
		values:  fns.Values,
		targets: fns.Targets,

		insertValues: fns.InsertValues,
		scanInserted: fns.ScanInserted,
		nonZero:      fns.NonZero,
	}
	var list, returning strings.Builder
	for i, c := range cols {
		q := quote.Ident(c.Name)
		t.names = append(t.names, c.Name)
		t.cols = append(t.cols, q)
		t.modes = append(t.modes, c.Insert)
		t.valueMask = append(t.valueMask, c.Insert == InsertValue)
		if c.Insert == InsertValue {
			t.nValues++
		}
		if c.Insert == InsertDefault {
			t.defaults = append(t.defaults, i)
		}
		if i > 0 {
			list.WriteString(", ")
		}
		list.WriteString(t.alias + "." + q)
		if c.ReadBack {
			if returning.Len() == 0 {
				returning.WriteString(" RETURNING ")
			} else {
				returning.WriteString(", ")
			}
			returning.WriteString(t.alias + "." + q)
		}
	}
	t.list = list.String()
	t.returning = returning.String()
	return t
}

// Name returns the table's SQL name, unquoted.
func (t *Table[R]) Name() string { return t.sqlName }

// Scan scans one row of the table's columns, in order, into r.
func (t *Table[R]) Scan(row pgx.Row, r *R) error { return t.scan(row, r) }

// Select starts a query for rows of the table, run on db.
func (t *Table[R]) Select(db DBTX) SelectQuery[R] {
	return SelectQuery[R]{t: t, c: selectCore{db: db, name: t.sqlName, from: t.from, alias: t.alias}}
}

// Update starts an update of rows of the table, run on db.
func (t *Table[R]) Update(db DBTX) UpdateQuery[R] { return UpdateQuery[R]{t: t, db: db} }

// Delete starts a delete of rows of the table, run on db.
func (t *Table[R]) Delete(db DBTX) DeleteQuery[R] { return DeleteQuery[R]{t: t, db: db} }

// InsertSQL returns the statement that inserts one row, sending the
// InsertValue columns and the InsertDefault columns whose bits are set in
// nonZero (as NonZero returns them), in column order, with $1, $2, ... and
// reading back the ReadBack columns: what generated Insert runs for a row
// that sets defaulted fields. Each statement is built once and kept.
func (t *Table[R]) InsertSQL(nonZero uint64) string {
	t.oneMu.RLock()
	sql, ok := t.oneSQL[nonZero]
	t.oneMu.RUnlock()
	if ok {
		return sql
	}
	var cols, vals strings.Builder
	n, k := 0, 0
	for i, m := range t.modes {
		send := m == InsertValue
		if m == InsertDefault {
			send = nonZero&(1<<k) != 0
			k++
		}
		if !send {
			continue
		}
		if n > 0 {
			cols.WriteString(", ")
			vals.WriteString(", ")
		}
		n++
		cols.WriteString(t.cols[i])
		vals.WriteString("$" + strconv.Itoa(n))
	}
	if n == 0 {
		// Nothing to send: one DEFAULT makes the row.
		cols.WriteString(t.cols[0])
		vals.WriteString("DEFAULT")
	}
	sql = "INSERT INTO " + t.from + " (" + cols.String() + ") VALUES (" + vals.String() + ")" + t.returning
	t.oneMu.Lock()
	if t.oneSQL == nil {
		t.oneSQL = make(map[uint64]string)
	}
	t.oneSQL[nonZero] = sql
	t.oneMu.Unlock()
	return sql
}

// IsZero reports whether v is its type's zero value. Generated code tests
// with it the fields of defaulted columns whose type has no simpler test.
func IsZero[T comparable](v T) bool {
	var zero T
	return v == zero
}

// maxParams is the most parameters PostgreSQL's protocol takes in one
// statement.
const maxParams = 65535

// Insert inserts rows in one statement and returns them as stored, in the
// order given. Columns with InsertValue are written from the rows; those
// with InsertDefault from the rows whose field is not zero, or from every
// row when named in with, the database filling the others (DEFAULT, row by
// row); those with InsertNever never. The rows returned are copies of those
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
	return out, Wrap("insert into", t.sqlName, err)
}

// runInsert runs the insert b holds and returns the rows as stored.
func (t *Table[R]) runInsert(ctx context.Context, db DBTX, b *builder, rows []R) ([]R, error) {
	// Only the columns the database fills or may change are read back,
	// into copies of the rows given: the others are what was sent, and
	// decoding them again would only allocate (strings, slices).
	b.writeSQL(t.returning)
	out := slices.Clone(rows)
	if t.returning == "" {
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
	err = scanRows(rs, func(rs pgx.Rows) error {
		if n == len(out) {
			return fmt.Errorf("returned more rows than the %d inserted", len(out))
		}
		n++
		return t.scanInserted(rs, &out[n-1])
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
// from every row for those named in with (or InsertValue), and from the
// rows that set them for the others (InsertDefault columns some row sets).
type insertPlan struct {
	send  []bool
	named []bool // nil: only the InsertValue columns
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
	if t.modes[i] != InsertDefault || (p.named != nil && p.named[i]) {
		return true
	}
	k := slices.Index(t.defaults, i)
	return p.all&(1<<k) != 0
}

// sentByRow reports whether row's value of column i is sent: false means
// DEFAULT.
func (t *Table[R]) sentByRow(p *insertPlan, i int, rowBits uint64) bool {
	if t.modes[i] != InsertDefault || (p.named != nil && p.named[i]) {
		return true
	}
	k := slices.Index(t.defaults, i)
	return rowBits&(1<<k) != 0
}

// planInsert decides which columns an insert of rows writes. what names
// the statement in errors ("insert into", "copy into").
func (t *Table[R]) planInsert(what string, rows []R, with []AnyColumn) (insertPlan, error) {
	p := insertPlan{send: t.valueMask, n: t.nValues}
	p.all = ^uint64(0)
	for r := range rows {
		bits := t.nonZero(&rows[r])
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
	p.send = make([]bool, 2*len(t.cols))
	p.send, p.named = p.send[:len(t.cols)], p.send[len(t.cols):]
	for i, m := range t.modes {
		p.send[i] = m == InsertValue
	}
	for k, i := range t.defaults {
		if p.any&(1<<k) != 0 {
			p.send[i] = true
		}
	}
	for _, c := range with {
		r := c.ref()
		i := t.index(r)
		if i < 0 {
			return p, fmt.Errorf("pg: %s %q: column %s is not one of its columns", what, t.sqlName, r.qual)
		}
		if t.modes[i] == InsertNever {
			return p, fmt.Errorf("pg: %s %q: column %s is filled by the database (generated, or identity ALWAYS) and cannot be written", what, t.sqlName, r.name)
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
	// usual case, sends exactly the InsertValue columns, whose values
	// InsertValues gives without the others.
	fast := p.named == nil
	if n*len(rows) > maxParams {
		return p, fmt.Errorf("pg: inserting %d rows of %d columns into %q needs %d parameters, more than PostgreSQL's %d: insert in chunks, or use CopyFrom",
			len(rows), n, t.sqlName, n*len(rows), maxParams)
	}
	b.buf = make([]byte, 0, 64+2*len(t.list)+len(rows)*n*5)
	b.args = make([]any, 0, n*len(rows))
	b.writeSQL("INSERT INTO ")
	b.writeSQL(t.from)
	b.writeSQL(" (")
	first := true
	for i, s := range send {
		if s || (n == 0 && i == 0) {
			if !first {
				b.writeSQL(", ")
			}
			first = false
			b.writeSQL(t.cols[i])
		}
	}
	b.writeSQL(") VALUES ")
	var vals []any
	if !fast {
		vals = make([]any, 0, len(t.cols))
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
			b.args = t.insertValues(&rows[r], b.args)
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
		vals = t.values(&rows[r], vals[:0])
		bits := t.nonZero(&rows[r])
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
func (t *Table[R]) collect(ctx context.Context, db DBTX, b *builder, sizeHint int) ([]R, error) {
	if b.err != nil {
		return nil, b.err
	}
	return t.query(ctx, db, b.finish(), b.args, sizeHint)
}

// collectChanged runs the update or delete b holds, which returns rows of the
// table; a database error is wrapped with op and the table.
func (t *Table[R]) collectChanged(ctx context.Context, db DBTX, b *builder, op string) ([]R, error) {
	if b.err != nil {
		return nil, b.err
	}
	out, err := t.query(ctx, db, b.finish(), b.args, 0)
	return out, Wrap(op, t.sqlName, err)
}

// query runs sql, which returns rows of the table, and scans them.
func (t *Table[R]) query(ctx context.Context, db DBTX, sql string, args []any, sizeHint int) ([]R, error) {
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out := make([]R, 0, sizeHint)
	err = scanRows(rows, func(rows pgx.Rows) error {
		var zero R
		out = append(out, zero)
		return t.scan(rows, &out[len(out)-1])
	})
	if err != nil {
		return nil, err
	}
	return out, nil
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
