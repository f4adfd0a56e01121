// Package grammar is the text of mizzle's schema grammar, read and
// written in one place: what a marker comment is (CutMarker), the db tag's
// options (LookupTag, SplitOptions), a marker's arguments (Scanner: names,
// parenthesised groups, key words, referential actions) and index elements
// (ParseElements). The writers beside the readers (Name, ColumnRef,
// FormatElement) spell a value so that the readers give it back, which is
// what pull's writer relies on.
//
// It reads pieces, not declarations: the order of each marker's arguments,
// what a name means and whether a column exists are the loader's business. SQL text
// inside the grammar (expressions, predicates) is cut with internal/sqlsplit's
// lexer, so that quotes, dollar quotes and comments mean the same here as in
// a migration.
package grammar
