package schema

import "slices"

// RelationKind is what a relation field holds: the row its table refers to
// (belongs-to), the row or rows that refer to its table (has-one,
// has-many), or the rows a join table links it to (many-to-many).
type RelationKind uint8

const (
	BelongsTo RelationKind = iota + 1
	HasOne
	HasMany
	ManyToMany
)

func (k RelationKind) String() string {
	switch k {
	case BelongsTo:
		return "belongs-to"
	case HasOne:
		return "has-one"
	case HasMany:
		return "has-many"
	case ManyToMany:
		return "many-to-many"
	}
	return "relation"
}

// Relation is a field of a table's struct tagged rel: rows of another
// table loaded with the table's rows, along a foreign key. A relation is
// never a column: snapshots, the differ and introspection know nothing of
// it, and generated code reads and loads it but never sends it.
type Relation struct {
	// Field is the Go field, of the table's own struct.
	Field string
	Kind  RelationKind
	// Pointer is true when a relation to one row is a pointer field (nil
	// for none); a value field is left zero.
	Pointer bool
	// Schema and Table name the related table, whose struct the field
	// holds.
	Schema, Table string
	// Columns are this table's columns matched with the related table's
	// RefColumns (through the join table for many-to-many).
	Columns    []string
	RefColumns []string
	// Through is the join table of a many-to-many relation: its columns
	// referring to this table (matching Columns) and to the related one
	// (matching RefColumns).
	Through *Through
	Pos     Position
}

// Through is the join table of a many-to-many relation.
type Through struct {
	Schema, Table string
	Columns       []string
	RefColumns    []string
}

func (r Relation) clone() Relation {
	r.Columns = slices.Clone(r.Columns)
	r.RefColumns = slices.Clone(r.RefColumns)
	if r.Through != nil {
		t := *r.Through
		t.Columns, t.RefColumns = slices.Clone(t.Columns), slices.Clone(t.RefColumns)
		r.Through = &t
	}
	return r
}
