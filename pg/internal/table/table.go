// Package table holds what package pg and package pgimpl both need to know
// about a table: its columns, how inserts treat them, the functions
// generated code writes for its row struct, the statements derived from
// them once, and the one loop that reads rows.
//
// pg.Table is defined on this package's Table, so that pgimpl, which
// generated code calls to make one, can build it without pg exporting a
// constructor that programs would see next to the query API. Fields are
// exported for those two packages only: the package is internal, and
// generated code keeps its tables in unexported variables.
package table

import (
	"context"
	"errors"
	"fmt"
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

// Column describes a column of a Table: its unquoted name and how
// inserts treat it.
type Column struct {
	Name   string
	Insert InsertMode
	// ReadBack says that an insert reads the column back (RETURNING)
	// rather than keep the value it sent: the database fills the column,
	// or may store a value other than the one sent (a rounded numeric or
	// timestamp, a padded character(n), a normalized jsonb). Generated code
	// sets it by the generator's rule; the others keep the row's values.
	ReadBack bool
	// OnUpdate is the SQL expression an update sets the column to when it
	// does not set the column itself (the schema's onupdate:), or with
	// OnUpdateFunc nil, none; OnUpdateFunc gives the value to send
	// instead (onupdate:gen:Func).
	OnUpdate     string
	OnUpdateFunc func() any
	// PK says that the column is part of the primary key: what UpdateRow
	// and UpdateMany find a row by.
	PK bool
	// Type is the column's type as a cast spells it (bigint,
	// "public"."status", timestamp with time zone): UpdateMany sends its
	// values in a VALUES list, where PostgreSQL would otherwise take them
	// for text. Empty for tables made before it was recorded.
	Type string
}

// OnUpdateSet is an assignment every update of the table makes unless it
// sets the column itself: the quoted column, and its SQL or function.
type OnUpdateSet struct {
	Col  string
	SQL  string
	Func func() any
}

// RowFuncs are the functions generated code writes for a table's row
// struct R, so that the runtime needs no reflection. Each lists the
// table's columns in the same order. Every one is required: New panics,
// naming the table and the function, when one is nil.
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
	// Value returns the value of r's field of column col (its position),
	// as Values would give it: what UpdateMany sends, so that the fields
	// it does not send are not converted to any. Optional: nil makes
	// UpdateMany call Values. Generated code sets it.
	Value func(r *R, col int) any
	// ZeroKey reports whether every field of the primary key holds its
	// type's zero value: such a row was never read from the table, nor
	// inserted into it, and UpdateRow and UpdateMany refuse it. It is
	// optional (nil: no row is refused); generated code sets it for
	// tables with a primary key.
	ZeroKey func(r *R) bool
}

// Table describes one table to the statement builders: its names, its
// columns in the order of the row struct's scan, the functions generated
// code writes for its row struct, and what is derived from them once. It
// is never changed after New, but for the statements InsertSQL keeps.
type Table[R any] struct {
	Name   string   // unquoted, for messages
	Schema string   // unquoted, for COPY
	From   string   // "schema"."table"
	Alias  string   // "table": what columns are qualified with
	Names  []string // unquoted names, for COPY
	Cols   []string // quoted names
	Modes  []InsertMode
	List   string // the select list, qualified

	RowFuncs[R]

	// What an insert without with sends: the InsertValue columns and how
	// many.
	ValueMask []bool
	NValues   int
	// What an insert reads back: " RETURNING " and the ReadBack columns
	// ("" for none), scanned by ScanInserted.
	Returning string
	// The positions of the InsertDefault columns, bit k of NonZero being
	// about the column Defaults[k].
	Defaults []int
	// The assignments of the columns with OnUpdate, in column order.
	OnUpdate []OnUpdateSet
	// The positions of the primary key's columns, and the types of all
	// the columns as casts spell them.
	PK    []int
	Types []string

	// The statements of InsertSQL, by the bits of NonZero they send.
	oneMu  sync.RWMutex
	oneSQL map[uint64]string
}

// New returns the description of the table name in schema (both
// unquoted), whose columns are cols and whose rows fns reads and writes.
// It panics when a function of fns is nil: generated code sets them all.
func New[R any](schema, name string, cols []Column, fns RowFuncs[R]) *Table[R] {
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
		Name:     name,
		Schema:   schema,
		From:     quote.Ident(schema, name),
		Alias:    quote.Ident(name),
		RowFuncs: fns,
	}
	var list, returning strings.Builder
	for i, c := range cols {
		q := quote.Ident(c.Name)
		t.Names = append(t.Names, c.Name)
		t.Cols = append(t.Cols, q)
		t.Modes = append(t.Modes, c.Insert)
		t.ValueMask = append(t.ValueMask, c.Insert == InsertValue)
		if c.Insert == InsertValue {
			t.NValues++
		}
		if c.Insert == InsertDefault {
			t.Defaults = append(t.Defaults, i)
		}
		if c.OnUpdate != "" || c.OnUpdateFunc != nil {
			t.OnUpdate = append(t.OnUpdate, OnUpdateSet{Col: q, SQL: c.OnUpdate, Func: c.OnUpdateFunc})
		}
		if c.PK {
			t.PK = append(t.PK, i)
		}
		t.Types = append(t.Types, c.Type)
		if i > 0 {
			list.WriteString(", ")
		}
		list.WriteString(t.Alias + "." + q)
		if c.ReadBack {
			if returning.Len() == 0 {
				returning.WriteString(" RETURNING ")
			} else {
				returning.WriteString(", ")
			}
			returning.WriteString(t.Alias + "." + q)
		}
	}
	t.List = list.String()
	t.Returning = returning.String()
	return t
}

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
	for i, m := range t.Modes {
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
		cols.WriteString(t.Cols[i])
		vals.WriteString("$" + strconv.Itoa(n))
	}
	if n == 0 {
		// Nothing to send: one DEFAULT makes the row.
		cols.WriteString(t.Cols[0])
		vals.WriteString("DEFAULT")
	}
	sql = "INSERT INTO " + t.From + " (" + cols.String() + ") VALUES (" + vals.String() + ")" + t.Returning
	t.oneMu.Lock()
	if t.oneSQL == nil {
		t.oneSQL = make(map[uint64]string)
	}
	t.oneSQL[nonZero] = sql
	t.oneMu.Unlock()
	return sql
}

// Querier runs a statement that returns rows: pg.DBTX is one.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Query runs sql, which returns rows of the table, and scans them.
func (t *Table[R]) Query(ctx context.Context, db Querier, sql string, args []any, sizeHint int) ([]R, error) {
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out := make([]R, 0, sizeHint)
	err = ScanRows(rows, func(rows pgx.Rows) error {
		var zero R
		out = append(out, zero)
		return t.Scan(rows, &out[len(out)-1])
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ErrStop is what a scan function returns to end ScanRows early without
// an error: an iterator whose caller broke out of the loop.
var ErrStop = errors.New("stop")

// ScanRows calls scan for each row of rows, then closes them, and returns
// the first error: scan's, other than ErrStop, or that of the rows. It is
// the one loop over rows in the runtime, so that none forgets Close or
// Err.
func ScanRows(rows pgx.Rows, scan func(pgx.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			if err == ErrStop {
				return nil
			}
			return err
		}
	}
	return rows.Err()
}
