// Package migrations turns schema models into migration SQL and owns the
// migrations folder on disk.
//
// Changes are values before they are text: Diff compares two models and
// returns typed Change values in an order PostgreSQL accepts, and one pure
// emitter, SQL, turns each into statements, with a warning on those that
// destroy data or may fail on existing rows. Identifiers are quoted by
// internal/quote only; user-written SQL from the schema (defaults, checks,
// predicates, index expressions) is passed through as the grammar promises.
//
// The folder (ReadFolder, Folder.Next) is read through fs.FS and written by
// the caller: this package returns the bytes of a new migration's SQL file,
// snapshot and journal, and never touches the disk itself.
//
// This package knows nothing about Go syntax, flags, terminals or how a
// model was produced: loaded from Go, read from a snapshot or introspected
// from a database, a model is a model.
package migrations
