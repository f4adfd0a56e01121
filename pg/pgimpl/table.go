package pgimpl

import (
	"github.com/mizzle/mizzle/pg"
	"github.com/mizzle/mizzle/pg/internal/table"
)

// InsertMode says where an inserted column's value comes from.
type InsertMode = table.InsertMode

const (
	// InsertValue columns are always written from the row.
	InsertValue = table.InsertValue
	// InsertDefault columns (a DEFAULT, an identity BY DEFAULT, a serial)
	// are written from the row when its field is not zero, or when the
	// insert names them; otherwise the database fills them (DEFAULT).
	InsertDefault = table.InsertDefault
	// InsertNever columns (generated, identity ALWAYS) are always filled by
	// the database.
	InsertNever = table.InsertNever
)

// TableColumn describes a column of a table: its unquoted name, how
// inserts treat it, and whether an insert reads it back.
type TableColumn = table.Column

// RowFuncs are the functions generated code writes for a table's row
// struct R, so that the runtime needs no reflection; each lists the
// table's columns in the same order, and every one is required.
type RowFuncs[R any] = table.RowFuncs[R]

// NewTable returns the table name in schema (both unquoted), whose
// columns are cols and whose rows fns reads and writes. It panics, naming
// the table and the function, when a function of fns is nil.
func NewTable[R any](schema, name string, cols []TableColumn, fns RowFuncs[R]) *pg.Table[R] {
	return (*pg.Table[R])(table.New(schema, name, cols, fns))
}

// InsertSQL returns the statement that inserts one row of t, sending the
// InsertValue columns and the InsertDefault columns whose bits are set in
// nonZero (as RowFuncs.NonZero returns them), in column order, with $1,
// $2, ... and reading back the ReadBack columns: what generated Insert
// runs for a row that sets defaulted fields. Each statement is built once
// and kept.
func InsertSQL[R any](t *pg.Table[R], nonZero uint64) string {
	return (*table.Table[R])(t).InsertSQL(nonZero)
}

// IsZero reports whether v is its type's zero value. Generated code tests
// with it the fields of defaulted columns whose type has no simpler test.
func IsZero[T comparable](v T) bool {
	var zero T
	return v == zero
}

// NonNil returns s, or an empty slice when s is nil. pgx sends a nil slice
// as NULL; generated code sends the slice fields of NOT NULL columns
// through NonNil, so that a nil slice is stored as an empty array, as Go
// code treats it, rather than failing the NOT NULL constraint.
func NonNil[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}

// Filled returns a copy of rows with fill applied to each: generated
// inserts of a table with app-side defaults (gen:) fill the zero fields of
// the rows they are given without changing the caller's slice.
func Filled[R any](rows []R, fill func(*R)) []R {
	out := make([]R, len(rows))
	copy(out, rows)
	for i := range out {
		fill(&out[i])
	}
	return out
}
