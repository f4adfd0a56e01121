package schema

import (
	"cmp"
	"slices"
)

// DefaultSchema is the PostgreSQL schema that tables and enums belong to when
// none is named.
const DefaultSchema = "public"

// MaxIdentifierLength is PostgreSQL's limit (NAMEDATALEN-1) on the length in
// bytes of any identifier. Longer names are silently truncated by the server,
// which is why mizzle rejects or shortens them before they reach it.
const MaxIdentifierLength = 63

// Model is a whole database schema as mizzle manages it.
type Model struct {
	// Schemas lists the schemas other than "public" that tables or enums live
	// in, with their rename hints.
	Schemas []*Schema `json:"schemas,omitempty"`
	// Extensions are the extensions the schema needs, created before
	// everything else.
	Extensions []*Extension `json:"extensions,omitempty"`
	// Sequences are the standalone sequences (see sequence.go), created
	// before the tables whose defaults may use them.
	Sequences []*Sequence `json:"sequences,omitempty"`
	Enums     []*Enum     `json:"enums,omitempty"`
	Tables    []*Table    `json:"tables,omitempty"`
	// Functions are the functions and procedures the schema manages
	// (function.go), created before the tables, whose defaults and
	// checks may call them.
	Functions []*Function `json:"functions,omitempty"`
	// Views are the views and materialized views (see view.go).
	Views []*View `json:"views,omitempty"`

	// Go is the package the model was loaded from; zero for models read
	// from a database or a snapshot.
	Go GoPackage `json:"go,omitzero"`

	// Seed is the settings of mizzle seed the package declares in Go
	// (seed.go); nil when it declares none, and for models read from a
	// database or a snapshot.
	Seed *SeedSettings `json:"-"`
}

// GoPackage identifies the Go package that declared a model.
type GoPackage struct {
	Path string `json:"path,omitempty"` // import path
	Name string `json:"name,omitempty"` // package name
}

// Schema is a PostgreSQL schema (namespace).
type Schema struct {
	Name string `json:"name"`
	// Was is the schema's previous name, a rename hint.
	Was string `json:"was,omitempty"`
}

// Enum is a PostgreSQL enum type.
type Enum struct {
	Schema string   `json:"schema"`
	Name   string   `json:"name"`
	Values []string `json:"values"` // in declaration order, which PostgreSQL uses for sorting
	Was    string   `json:"was,omitempty"`
	// Comment is the type's COMMENT ON TYPE text; empty means none.
	Comment string `json:"comment,omitempty"`

	GoType GoType   `json:"goType,omitzero"`
	Pos    Position `json:"pos,omitzero"`
}

// Table is a PostgreSQL table.
type Table struct {
	Schema  string    `json:"schema"`
	Name    string    `json:"name"`
	Was     string    `json:"was,omitempty"` // previous name, a rename hint
	Columns []*Column `json:"columns"`       // in declaration order

	PrimaryKey  *PrimaryKey  `json:"primaryKey,omitempty"`
	Uniques     []Unique     `json:"uniques,omitempty"`
	Checks      []Check      `json:"checks,omitempty"`
	ForeignKeys []ForeignKey `json:"foreignKeys,omitempty"`
	Indexes     []Index      `json:"indexes,omitempty"`
	// RowSecurity and Policies are the table's row-level security (see
	// rls.go).
	RowSecurity RowSecurity `json:"rowSecurity,omitzero"`
	Policies    []Policy    `json:"policies,omitempty"`
	// Triggers are the table's triggers (function.go).
	Triggers []Trigger `json:"triggers,omitempty"`
	// Partition makes the table partitioned, with its partitions (see
	// partition.go); nil for a plain table.
	Partition *Partitioning `json:"partition,omitempty"`
	// Comment is the table's COMMENT ON TABLE text; empty means none
	// (PostgreSQL keeps no empty comment).
	Comment string `json:"comment,omitempty"`

	// Doc is the struct's doc comment without markers: what the table is
	// for, in the user's words. Snapshots leave it out.
	Doc    string   `json:"doc,omitempty"`
	GoType GoType   `json:"goType,omitzero"`
	Pos    Position `json:"pos,omitzero"`
	// GoFields are all the fields of the struct, in order, those that are
	// not columns included, for the check generated code makes that the
	// struct has not changed since: nil when generated code cannot spell
	// one of them (an unexported field or type). Not part of snapshots.
	GoFields []GoField `json:"-"`
	// Relations are the struct's fields tagged rel:, in declaration
	// order: never columns, and not part of snapshots.
	Relations []Relation `json:"-"`
}

// GoField is a field of a table's struct.
type GoField struct {
	Name     string
	Type     GoType
	Embedded bool
	// Fields are the fields of an embedded struct whose fields are
	// columns (a mixin).
	Fields []GoField
}

// Column is a table column.
type Column struct {
	Name    string `json:"name"`
	Type    Type   `json:"type"`
	NotNull bool   `json:"notNull,omitempty"`
	// Default is the DEFAULT expression as SQL text; empty means none.
	Default  string   `json:"default,omitempty"`
	Identity Identity `json:"identity,omitempty"`
	// Sequence holds the options of the sequence of an identity or serial
	// column that are not the defaults; nil when all are.
	Sequence *SequenceOptions `json:"sequence,omitempty"`
	// Generated is the expression of a stored generated column.
	Generated string `json:"generated,omitempty"`
	// ParsedDefault and ParsedGenerated are Default and Generated as
	// PostgreSQL prints them back once parsed, when known (see Parsed).
	ParsedDefault   string `json:"-"`
	ParsedGenerated string `json:"-"`
	// Gen names a function of the schema package (gen:) whose result
	// generated inserts send for the field when it is zero: a default the
	// application computes. OnUpdate is what generated updates set the
	// column to when they do not set it themselves (onupdate: on a field
	// without ref:): an SQL expression, or with OnUpdateGen a function of
	// the schema package. The database knows none of them, so snapshots
	// leave them out.
	Gen         string `json:"gen,omitempty"`
	OnUpdate    string `json:"onUpdate,omitempty"`
	OnUpdateGen bool   `json:"onUpdateGen,omitempty"`
	Was         string `json:"was,omitempty"` // previous name, a rename hint
	// Comment is the column's COMMENT ON COLUMN text; empty means none.
	Comment string `json:"comment,omitempty"`

	// GoField is the name of the struct field the column maps to, reachable
	// from the table's struct (promoted through embedding where needed).
	GoField string   `json:"goField,omitempty"`
	GoType  GoType   `json:"goType,omitzero"`
	Pos     Position `json:"pos,omitzero"`
}

// Identity says whether and how a column is an identity column.
type Identity string

// Identity kinds, spelled as in GENERATED ... AS IDENTITY.
const (
	IdentityNone      Identity = ""
	IdentityByDefault Identity = "by default"
	IdentityAlways    Identity = "always"
)

// PrimaryKey is a table's primary key constraint.
type PrimaryKey struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Pos     Position `json:"pos,omitzero"`
}

// Unique is a unique constraint on plain columns.
type Unique struct {
	Name             string   `json:"name"`
	Columns          []string `json:"columns"`
	NullsNotDistinct bool     `json:"nullsNotDistinct,omitempty"`
	Pos              Position `json:"pos,omitzero"`
}

// Check is a check constraint.
type Check struct {
	Name string `json:"name"`
	Expr string `json:"expr"` // SQL boolean expression, without the outer parentheses
	// Parsed is Expr as PostgreSQL prints it back once parsed, when known.
	//
	// The Parsed fields (here, and in Column, Index and IndexElem) are set
	// by introspection's Normalize, which builds a model's expressions in
	// the database and reads them back in PostgreSQL's non-pretty form,
	// the form introspection reads a database in. The differ compares an
	// expression's Parsed text when set, else its text, and always writes
	// the text: a model written by hand then compares equal to the
	// database built from it, and what the differ emits is still what the
	// user wrote. Never in snapshots.
	Parsed string   `json:"-"`
	Pos    Position `json:"pos,omitzero"`
}

// ForeignKey is a foreign key constraint. The referenced table is named by
// schema and name, never by pointer, so the model stays acyclic.
type ForeignKey struct {
	Name       string   `json:"name"`
	Columns    []string `json:"columns"`
	RefSchema  string   `json:"refSchema"`
	RefTable   string   `json:"refTable"`
	RefColumns []string `json:"refColumns"`
	OnDelete   Action   `json:"onDelete,omitempty"`
	OnUpdate   Action   `json:"onUpdate,omitempty"`
	Pos        Position `json:"pos,omitzero"`
}

// Action is a referential action of a foreign key. The zero value is NO
// ACTION, PostgreSQL's default.
type Action string

// Referential actions, spelled as in SQL.
const (
	NoAction   Action = ""
	Restrict   Action = "restrict"
	Cascade    Action = "cascade"
	SetNull    Action = "set null"
	SetDefault Action = "set default"
)

// Index is an index, unique or not. Unique constraints with expressions or a
// predicate are unique indexes, since PostgreSQL constraints allow neither.
type Index struct {
	Name     string      `json:"name"`
	Unique   bool        `json:"unique,omitempty"`
	Method   string      `json:"method,omitempty"` // access method; empty means btree
	Elements []IndexElem `json:"elements"`
	Where    string      `json:"where,omitempty"` // partial index predicate
	// ParsedWhere is Where as PostgreSQL prints it back, when known (see
	// Check.Parsed).
	ParsedWhere string `json:"-"`
	// NullsNotDistinct applies to unique indexes (PostgreSQL 15 and later).
	NullsNotDistinct bool     `json:"nullsNotDistinct,omitempty"`
	Pos              Position `json:"pos,omitzero"`
}

// IndexElem is one key of an index: a column or an expression, with its
// options.
type IndexElem struct {
	Column  string `json:"column,omitempty"` // set for a plain column
	Expr    string `json:"expr,omitempty"`   // set for an expression
	Opclass string `json:"opclass,omitempty"`
	Desc    bool   `json:"desc,omitempty"`
	// Nulls is "first", "last" or empty for the default order.
	Nulls string `json:"nulls,omitempty"`
	// ParsedExpr is Expr as PostgreSQL prints it back, when known (see
	// Check.Parsed).
	ParsedExpr string `json:"-"`
}

// Table returns the table with the given schema and name, or nil.
func (m *Model) Table(schemaName, name string) *Table {
	for _, t := range m.Tables {
		if t.Schema == schemaName && t.Name == name {
			return t
		}
	}
	return nil
}

// Enum returns the enum with the given schema and name, or nil.
func (m *Model) Enum(schemaName, name string) *Enum {
	for _, e := range m.Enums {
		if e.Schema == schemaName && e.Name == name {
			return e
		}
	}
	return nil
}

// Column returns the column with the given name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Sort puts the model in canonical order: schemas and extensions by name,
// sequences, enums and tables by schema and name, and each table's constraints and
// indexes by name. Columns and enum values keep their order.
func (m *Model) Sort() {
	slices.SortFunc(m.Schemas, func(a, b *Schema) int { return cmp.Compare(a.Name, b.Name) })
	sortExtensions(m.Extensions)
	sortSequences(m.Sequences)
	slices.SortFunc(m.Enums, func(a, b *Enum) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	slices.SortFunc(m.Tables, func(a, b *Table) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	for _, t := range m.Tables {
		slices.SortFunc(t.Uniques, func(a, b Unique) int { return cmp.Compare(a.Name, b.Name) })
		slices.SortFunc(t.Checks, func(a, b Check) int { return cmp.Compare(a.Name, b.Name) })
		slices.SortFunc(t.ForeignKeys, func(a, b ForeignKey) int { return cmp.Compare(a.Name, b.Name) })
		slices.SortFunc(t.Indexes, func(a, b Index) int { return cmp.Compare(a.Name, b.Name) })
		t.sortPolicies()
		t.sortTriggers()
		t.Partition.sort()
	}
	sortFunctions(m.Functions)
	sortViews(m.Views)
}

// RelativePositions rewrites the model's source positions relative to dir
// (see Position.Rel), so output does not depend on where a checkout lives.
func (m *Model) RelativePositions(dir string) {
	m.Seed.relativePositions(dir)
	for _, x := range m.Extensions {
		x.Pos = x.Pos.Rel(dir)
	}
	for _, s := range m.Sequences {
		s.Pos = s.Pos.Rel(dir)
	}
	for _, e := range m.Enums {
		e.Pos = e.Pos.Rel(dir)
	}
	for _, t := range m.Tables {
		t.Pos = t.Pos.Rel(dir)
		for _, c := range t.Columns {
			c.Pos = c.Pos.Rel(dir)
		}
		if t.PrimaryKey != nil {
			t.PrimaryKey.Pos = t.PrimaryKey.Pos.Rel(dir)
		}
		for i := range t.Uniques {
			t.Uniques[i].Pos = t.Uniques[i].Pos.Rel(dir)
		}
		for i := range t.Checks {
			t.Checks[i].Pos = t.Checks[i].Pos.Rel(dir)
		}
		for i := range t.ForeignKeys {
			t.ForeignKeys[i].Pos = t.ForeignKeys[i].Pos.Rel(dir)
		}
		for i := range t.Indexes {
			t.Indexes[i].Pos = t.Indexes[i].Pos.Rel(dir)
		}
		for i := range t.Policies {
			t.Policies[i].Pos = t.Policies[i].Pos.Rel(dir)
		}
		for i := range t.Triggers {
			t.Triggers[i].Pos = t.Triggers[i].Pos.Rel(dir)
		}
		if p := t.Partition; p != nil {
			p.Pos = p.Pos.Rel(dir)
			for i := range p.Partitions {
				p.Partitions[i].Pos = p.Partitions[i].Pos.Rel(dir)
			}
		}
	}
	for _, f := range m.Functions {
		f.Pos = f.Pos.Rel(dir)
	}
	m.viewPositions(dir)
}

// HasKey reports whether a foreign key may reference cols of t: see Key.
func (t *Table) HasKey(cols []string) bool {
	_, ok := t.key(cols)
	return ok
}

// Key returns the name of the primary key, unique constraint or plain
// unique index of t that a foreign key referencing cols depends on, or ""
// when there is none. PostgreSQL matches the referenced columns to a key
// as a set, so (b, a) may reference a primary key on (a, b). A unique
// index counts only without a predicate, an expression or an operator
// class; the primary key is preferred, then constraints and indexes in
// the order t lists them.
func (t *Table) Key(cols []string) string {
	name, _ := t.key(cols)
	return name
}

func (t *Table) key(cols []string) (string, bool) {
	want := slices.Sorted(slices.Values(cols))
	// A column named twice matches no key: PostgreSQL refuses the foreign key.
	if len(want) == 0 || len(slices.Compact(slices.Clone(want))) != len(want) {
		return "", false
	}
	same := func(names []string) bool { return slices.Equal(slices.Sorted(slices.Values(names)), want) }
	if t.PrimaryKey != nil && same(t.PrimaryKey.Columns) {
		return t.PrimaryKey.Name, true
	}
	for _, u := range t.Uniques {
		if same(u.Columns) {
			return u.Name, true
		}
	}
	for _, ix := range t.Indexes {
		if !ix.Unique || ix.Where != "" {
			continue
		}
		var names []string
		for _, e := range ix.Elements {
			if e.Column == "" || e.Opclass != "" {
				names = nil
				break
			}
			names = append(names, e.Column)
		}
		if names != nil && same(names) {
			return ix.Name, true
		}
	}
	return "", false
}
