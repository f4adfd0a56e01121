// Package schema is mizzle's model of a PostgreSQL schema: schemas, enums,
// tables, columns with canonical types, keys, constraints and indexes.
//
// A Model is plain data. Producers build it (the Go loader from tagged
// structs, snapshots from JSON, introspection from a live database) and
// consumers read it (the query generator, the differ, pull). This package knows
// nothing about Go syntax trees, SQL text generation, files or databases; it
// imports only the standard library.
//
// A Model is canonical once Sort has run: tables, enums and named objects are
// in a stable order, so two models of the same schema compare equal with
// go-cmp and serialise to the same JSON bytes. Columns keep declaration order,
// and enum values keep their declared order, because both carry meaning.
//
// The user's grammar (struct tags and //mizzle: markers) is documented in the
// project's docs/architecture.md and implemented by internal/loader.
package schema
