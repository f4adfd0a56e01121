// Package seed fills the tables of a schema.Model with generated rows:
// realistic values that respect the model's types, lengths, enums,
// nullability, unique constraints and foreign keys, the same for the same
// seed on any machine, and loads them into PostgreSQL with COPY in one
// transaction.
//
// New checks the model and the Options and returns a Plan: the tables in
// the order they load (parents first), the columns each one writes and how
// each column's values are made. Nothing is random in the Go sense: every
// column draws from its own PCG stream, seeded from the run's seed and a
// hash of "schema.table.column", so adding a column or a table never
// changes the values of the others, and every reduction of a random number
// to a range is this package's own, so a Go release cannot change them
// either. Unique constraints are unique by construction: row i maps to the
// i-th value of a permutation of a column's value space, or of the product
// of the value spaces of a constraint's columns, so no value is ever drawn
// twice and retried; a count the space cannot hold is an error from New,
// before anything is written. Its data sets (names, cities, lorem
// words...) are written for mizzle and embedded.
//
// Load writes a Plan: COPY per table, the nullable foreign keys of cycles
// by UPDATE afterwards, the identity and serial sequences moved past the
// values written, ANALYZE; a reset planned by internal/dbreset runs first,
// in the same transaction.
//
// The package does not know flags, mizzle.yaml, printing, or where the
// model came from; it reads no check constraint (PostgreSQL judges them at
// load time, and a failure names the constraint and the columns to
// override).
package seed
