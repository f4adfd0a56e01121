// Package seed declares the settings of mizzle seed in Go, next to the
// schema: how many rows each table gets, how many children each parent row
// has, and the values some columns take.
//
// The schema package declares one package-level variable of type Config.
// mizzle reads it the way it reads the tables, from the source and
// without running any code, so its value is written out in the
// declaration: composite literals, constants (the schema's own enum
// constants among them) and numbers. A function call or another variable
// in it is an error at its file:line:col, and so is a table, a column or a
// value the schema does not have. Table and column names are the SQL
// names, as in mizzle.yaml ("schema.table" for a table outside public).
//
//	package schema
//
//	import "github.com/mizzle/mizzle/seed"
//
//	var Seed = seed.Config{
//		Seed:  42,
//		Count: 10,
//		Tables: map[string]seed.Table{
//			"users": {
//				Count: 20,
//				With: map[string][]seed.Weighted{
//					// 1 to 3 orders for most users, 10 to 20 for one in five.
//					"orders": {{Weight: 4, Min: 1, Max: 3}, {Weight: 1, Min: 10, Max: 20}},
//				},
//			},
//			"orders": {Columns: map[string]seed.Column{
//				"status":    {Values: []any{StatusOpen, StatusClosed}, Weights: []float64{3, 1}},
//				"quantity":  {Range: &seed.Range{Min: 1, Max: 100}},
//				"closed_at": {Nulls: 0.5},
//				"note":      {Skip: true},
//			}},
//		},
//	}
//
// The package holds types only: importing it adds nothing to a program.
package seed

// Config is the settings of mizzle seed for the tables of the schema
// package that declares it. mizzle seed's --count and --seed flags win over
// Count and Seed; a project states its settings here or under seed: in
// mizzle.yaml, not in both.
type Config struct {
	// Seed selects the data: the same seed and schema give the same rows.
	Seed uint64
	// Count is the number of rows of a table that Tables does not count;
	// left out, 10.
	Count int
	// Tables are per-table settings, by the table's SQL name.
	Tables map[string]Table
}

// Table is the settings of one table.
type Table struct {
	// Count is the number of rows; left out, Config.Count. A table that
	// another table's With names takes its count from its parents instead.
	Count int
	// Columns are per-column settings, by the column's SQL name.
	Columns map[string]Column
	// With makes the rows of child tables per row of this one: for each
	// row here, a number of rows of the child (by its SQL name) drawn from
	// the weighted ranges, attached through the child's foreign key to
	// this table.
	With map[string][]Weighted
}

// Column is the settings of one column.
type Column struct {
	// Skip leaves the column out of the rows: the database fills it with
	// its default, or NULL.
	Skip bool
	// Values are the only values the column takes: constants, such as the
	// schema's enum constants, numbers, or strings in PostgreSQL's text
	// form ("2024-01-31").
	Values []any
	// Weights, when set, has one weight per value of Values: how often
	// each is drawn relative to the others.
	Weights []float64
	// Range bounds the values of a number column, both ends included.
	Range *Range
	// Nulls is the share of NULLs in a nullable column, from 0 to 1, when
	// it is written (Nulls: 0 is none); left out, one in ten.
	Nulls float64
}

// Range is a closed interval of numbers.
type Range struct {
	Min, Max float64
}

// Weighted is a range of child rows per parent row, drawn with a weight
// relative to the other ranges of the list; a Weighted without Weight
// weighs 1.
type Weighted struct {
	Weight   float64
	Min, Max int
}
