package table

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
	Col   string    // the column of Child matched against the keys, qualified and quoted
	Cast  string    // the keys' array type: "::bigint[]"
	Order string    // the default ordering of the loaded rows ("" for none)
	Many  bool      // a has-many relation: any number of rows per key
	// Keys returns the distinct keys of ps as one slice, and how many.
	Keys func(ps []P) (any, int)
	// Stitch sets the relation's field of every row of ps from cs, the
	// loaded rows, in their order; it reports a key found more than once
	// in a relation to one row.
	Stitch func(ps []P, cs []C) error
}
