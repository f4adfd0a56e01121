package seed

import "math/rand/v2"

// Options say how many rows to generate and how. They are plain values so
// that a configuration can be read from mizzle.yaml, or later from Go
// source next to the schema, without running anything.
type Options struct {
	// Seed selects the data: the same seed and schema give the same rows.
	Seed uint64
	// Count is the number of rows of a table that Tables does not count;
	// zero means DefaultCount.
	Count int
	// Tables are per-table settings, by table name, or "schema.table" for
	// a table outside public.
	Tables map[string]Table
	// Only limits the run to these tables (names as in Tables); empty
	// means every table of the model. A foreign key to a table outside the
	// set takes its values from the rows that table already holds.
	Only []string
}

// DefaultCount is the number of rows of a table when nothing says
// otherwise.
const DefaultCount = 10

// Table holds the settings of one table.
type Table struct {
	// Count is the number of rows; zero means Options.Count. A table that
	// another table's With names gets its rows from its parents instead.
	Count int
	// Columns are per-column settings, by column name.
	Columns map[string]Column
	// With makes the rows of child tables per row of this one: for each
	// row here, a number of rows of the child (by table name) drawn from
	// the weighted ranges, attached through the child's foreign key to
	// this table.
	With map[string][]Weighted
}

// Column holds the settings of one column.
type Column struct {
	// Skip leaves the column out of the rows: the database fills it with
	// its default, or NULL.
	Skip bool
	// Values are the only values the column takes, in PostgreSQL's text
	// form ('2024-01-31', 't', an enum's label...).
	Values []string
	// Weights, when set, has one weight per value of Values: how often
	// each is drawn relative to the others.
	Weights []float64
	// Range bounds the values of a number column (integer, numeric, real,
	// double precision), both ends included.
	Range *Range
	// Nulls is the share of NULLs in a nullable column, from 0 to 1; nil
	// means the default of one in ten.
	Nulls *float64
	// Func, when set, makes the column's values: it is called once per
	// row, row counting from 0, with a rand.Rand drawing from the
	// column's own stream, and what it returns is written as it is (nil
	// is NULL). Uniqueness is its to keep. Being code, it travels apart
	// from the rest of the options (seed/seedrun sets it).
	Func func(r *rand.Rand, row int) any `json:"-"`
}

// Range is a closed interval of numbers.
type Range struct {
	Min, Max float64
}

// Weighted is a range of counts drawn with a weight: With's children per
// parent.
type Weighted struct {
	Weight   float64
	Min, Max int
}
