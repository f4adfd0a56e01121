package table

import "context"

// Relation is what package pg's Relation is defined on, so that package
// pgimpl can build one for generated code without pg exporting a
// constructor: the relation's fixed description, and the options a query
// gave it (Where, OrderBy, Limit, With), which only pg reads and writes.
type Relation[P, C any] struct {
	Spec *RelSpec[P, C]
	// Opts holds pg's options for this use of the relation; nil for none.
	Opts any
}

// RelSpec describes a relation from rows of P (the struct holding the
// relation's field) to rows of C (the rows it loads). The functions are
// generated code's, typed by the relation's key, so that the runtime needs
// neither reflection nor the key's type.
type RelSpec[P, C any] struct {
	Name  string    // "users.Posts", for messages
	Child *Table[C] // the table loaded
	Col   string    // the column matched against the keys, qualified and quoted
	Cast  string    // the keys' array type: "::bigint[]"
	Order string    // the default ordering of the loaded rows ("" for none)
	Many  bool      // any number of rows per key
	// Join joins the join table of a many-to-many relation (" JOIN ...
	// ON ..."), whose column Col is; Run then reads that column before
	// each row. "" for other relations.
	Join string
	// Keys returns the distinct keys of ps as one slice, and how many.
	Keys func(ps []P) (any, int)
	// Run runs sql with args, which select the related rows (after the
	// key, with a Join), calls nested with them, and sets the relation's
	// field of every row of ps. It reports a key found more than once in
	// a relation to one row.
	Run func(ctx context.Context, db Querier, sql string, args []any, ps []P, nested func([]C) error) error
}
