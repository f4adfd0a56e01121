// Package migrations turns schema models into migration SQL.
//
// Changes are values before they are text: a list of typed Change values
// says what to do, and one pure emitter, SQL, turns each into a statement.
// Identifiers are quoted by internal/quote only; user-written SQL from the
// schema (defaults, checks, predicates, index expressions) is passed through
// as the grammar promises.
//
// This package knows nothing about Go syntax, flags, terminals or how a
// model was produced.
//
// Today it plans the creation of a whole model (Create); the differ between
// two models, snapshots, the journal and the migrator build on these types.
package migrations
