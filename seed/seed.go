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
//				"sku":       {Func: SKU},
//			}},
//		},
//		Fixtures: []string{"example.com/app/fixtures.DefaultModels"},
//	}
//
//	// SKU makes the sku of an order: "SKU-" and six digits.
//	func SKU(r *rand.Rand, row int) string { return fmt.Sprintf("SKU-%06d", r.IntN(1e6)) }
//
// Two settings name Go code, which mizzle seed then runs: a column's Func
// and the Fixtures. When the settings have either, mizzle seed builds a
// small program in the schema's module (with the go command, in a
// temporary directory: nothing is written into the module) that imports
// the schema package, the fixtures' packages and
// github.com/mizzle/mizzle/seed/seedrun, and does the whole run in that
// process. Without them no Go code of the project runs.
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
	// Fixtures are Go functions mizzle seed calls after the generated
	// rows, in order, in the same transaction: rows written with the
	// project's own typed queries, such as a set of default records. Each
	// is named by its package's import path and its name,
	// "example.com/app/fixtures.DefaultModels", so that it may live in a
	// package that imports the generated query package (which imports the
	// schema package: naming the function itself here would be an import
	// cycle). A fixture is a
	//
	//	func(ctx context.Context, tx pgx.Tx) error
	//
	// (pgx is github.com/jackc/pgx/v5), given the transaction of the run.
	// An error or a panic of a fixture rolls the whole run back.
	Fixtures []string
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
	// Func makes the column's values: an exported function of the schema
	// package, written by name (Func: SKU), of the form
	//
	//	func(r *rand.Rand, row int) T
	//
	// with rand math/rand/v2 and T a type assignable to the column's Go
	// field. It is called once per row, row counting from 0, and r draws
	// from the column's own stream, so --seed still selects the data and
	// other columns keep their values when this one changes. What it
	// returns is written as it is: a nil pointer is NULL, and uniqueness
	// is the function's to keep.
	Func any
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
