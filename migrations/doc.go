// Package migrations writes migrations: it turns schema models into
// migration SQL and owns the authoring side of the migrations folder.
//
// Changes are values before they are text: Diff compares two models and
// returns typed Change values in an order PostgreSQL accepts, and one pure
// emitter, SQL, turns each into statements, with a warning on those that
// destroy data or may fail on existing rows. Identifiers are quoted by
// internal/quote only; user-written SQL from the schema (defaults, checks,
// predicates, index expressions) is passed through as the grammar promises.
//
// A Plan (NewPlan) holds both, the changes and their statements, with what
// they risk: every command that compares two models (generate, push, check,
// pull) works from one, and Plan.Assess counts the risks on a database's
// rows, read-only, when one is at hand.
//
// The folder (ReadFolder, Folder.Next) is read through fs.FS and written by
// the caller: this package returns the bytes of a new migration's SQL file,
// snapshot and journal, and never touches the disk itself. Applying a
// folder to a database is package migrate's job, which also owns the
// journal and the SQL file format; this package builds on it, never the
// other way round, so that an application embedding the migrator does not
// link the differ.
//
// This package knows nothing about Go syntax, flags, terminals or how a
// model was produced: loaded from Go, read from a snapshot or introspected
// from a database, a model is a model.
package migrations
