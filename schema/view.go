package schema

import (
	"cmp"
	"slices"
)

// View is a view or a materialized view. Its columns are declared (a
// struct is its row type) and checked against what its query returns when
// a database is at hand; its definition is the SELECT as written.
type View struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	Was    string `json:"was,omitempty"` // previous name, a rename hint
	// Materialized makes it a materialized view: its rows are stored, and
	// REFRESH MATERIALIZED VIEW computes them again.
	Materialized bool `json:"materialized,omitempty"`
	// Columns are the columns the query returns, in order: a name and a
	// type each. PostgreSQL keeps no NOT NULL on a view's column, so
	// NotNull (from the Go type) is the program's expectation only, which
	// snapshots leave out and the differ ignores.
	Columns []*Column `json:"columns"`
	// Definition is the query (a SELECT, or VALUES, ...) without a final
	// semicolon: as written in the schema, or as PostgreSQL prints it back
	// (pg_get_viewdef) for a view read from a database.
	Definition string `json:"definition"`
	// ParsedDefinition is Definition as PostgreSQL prints it back, when
	// known (see Check.Parsed); never in snapshots.
	ParsedDefinition string `json:"-"`
	// Options are a view's WITH options; a materialized view has none.
	Options ViewOptions `json:"options,omitzero"`
	// WithNoData creates a materialized view empty (WITH NO DATA): it
	// cannot be read until refreshed.
	WithNoData bool `json:"withNoData,omitempty"`
	// Indexes are a materialized view's indexes (a unique one allows
	// REFRESH MATERIALIZED VIEW CONCURRENTLY).
	Indexes []Index `json:"indexes,omitempty"`
	// Comment is the view's COMMENT ON VIEW text; empty means none.
	Comment string `json:"comment,omitempty"`

	// Doc is the struct's doc comment without markers. Snapshots leave it
	// out, like GoType, Pos and GoFields.
	Doc      string    `json:"doc,omitempty"`
	GoType   GoType    `json:"goType,omitzero"`
	Pos      Position  `json:"pos,omitzero"`
	GoFields []GoField `json:"-"`
}

// ViewOptions are the options of CREATE VIEW ... WITH (...).
type ViewOptions struct {
	// SecurityInvoker checks the base tables' privileges and row security
	// as the user reading the view, not its owner.
	SecurityInvoker bool `json:"securityInvoker,omitempty"`
	// SecurityBarrier keeps the view's conditions ahead of the caller's.
	SecurityBarrier bool `json:"securityBarrier,omitempty"`
	// CheckOption is "local" or "cascaded" (WITH ... CHECK OPTION) or
	// empty for none.
	CheckOption string `json:"checkOption,omitempty"`
}

// Check options of an updatable view.
const (
	CheckLocal    = "local"
	CheckCascaded = "cascaded"
)

// Kind spells what the view is, as DDL does: "view" or "materialized
// view".
func (v *View) Kind() string {
	if v.Materialized {
		return "materialized view"
	}
	return "view"
}

// Column returns the view's column with the given name, or nil.
func (v *View) Column(name string) *Column {
	for _, c := range v.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// HasUniqueIndex reports whether a materialized view has a unique index
// on plain columns without a predicate, which REFRESH MATERIALIZED VIEW
// CONCURRENTLY requires.
func (v *View) HasUniqueIndex() bool {
	for _, ix := range v.Indexes {
		if ix.Unique && ix.Where == "" && !slices.ContainsFunc(ix.Elements, func(e IndexElem) bool { return e.Column == "" }) {
			return true
		}
	}
	return false
}

// View returns the view with the given schema and name, or nil.
func (m *Model) View(schemaName, name string) *View {
	for _, v := range m.Views {
		if v.Schema == schemaName && v.Name == name {
			return v
		}
	}
	return nil
}

// Clone returns a deep copy of v.
func (v *View) Clone() *View {
	c := *v
	c.Columns = make([]*Column, len(v.Columns))
	for i, col := range v.Columns {
		c.Columns[i] = col.clone()
	}
	if v.Columns == nil {
		c.Columns = nil
	}
	c.Indexes = slices.Clone(v.Indexes)
	for i := range c.Indexes {
		c.Indexes[i].Elements = slices.Clone(c.Indexes[i].Elements)
	}
	c.GoType = v.GoType.clone()
	c.GoFields = cloneGoFields(v.GoFields)
	return &c
}

func cloneViews(vs []*View) []*View {
	if vs == nil {
		return nil
	}
	out := make([]*View, len(vs))
	for i, v := range vs {
		out[i] = v.Clone()
	}
	return out
}

func sortViews(vs []*View) {
	slices.SortFunc(vs, func(a, b *View) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	for _, v := range vs {
		slices.SortFunc(v.Indexes, func(a, b Index) int { return cmp.Compare(a.Name, b.Name) })
	}
}

func (m *Model) viewPositions(dir string) {
	for _, v := range m.Views {
		v.Pos = v.Pos.Rel(dir)
		for _, c := range v.Columns {
			c.Pos = c.Pos.Rel(dir)
		}
		for i := range v.Indexes {
			v.Indexes[i].Pos = v.Indexes[i].Pos.Rel(dir)
		}
	}
}

// validateViews reports what is wrong with m's views to add: names, a name
// a table of the schema has too (they share one namespace), columns, and
// what only one kind of view takes.
func (m *Model) validateViews(add func(format string, args ...any)) {
	type key struct{ schema, name string }
	seen := map[key]bool{}
	for _, t := range m.Tables {
		seen[key{t.Schema, t.Name}] = true
	}
	for _, v := range m.Views {
		what := v.Kind() + " " + qualifiedName(v.Schema, v.Name)
		switch {
		case v.Schema == "" || v.Name == "":
			add("%s: empty schema or name", what)
		case seen[key{v.Schema, v.Name}]:
			add("%s: the name is used twice in its schema", what)
		}
		seen[key{v.Schema, v.Name}] = true
		if v.Definition == "" {
			add("%s has no definition", what)
		}
		if len(v.Columns) == 0 {
			add("%s has no columns", what)
		}
		cols := map[string]bool{}
		for _, c := range v.Columns {
			switch {
			case c.Name == "":
				add("%s: a column has no name", what)
			case cols[c.Name]:
				add("%s: column %q appears twice", what, c.Name)
			case c.Type.Name == "":
				add("%s: column %q has no type", what, c.Name)
			}
			cols[c.Name] = true
		}
		switch v.Options.CheckOption {
		case "", CheckLocal, CheckCascaded:
		default:
			add("%s: check option %q is not local or cascaded", what, v.Options.CheckOption)
		}
		if v.Materialized && v.Options != (ViewOptions{}) {
			add("%s takes no security_invoker, security_barrier or check_option", what)
		}
		if !v.Materialized && (v.WithNoData || len(v.Indexes) > 0) {
			add("%s: only a materialized view has WITH NO DATA or indexes", what)
		}
		names := map[string]bool{}
		for _, ix := range v.Indexes {
			if ix.Name == "" || names[ix.Name] {
				add("%s: index %q has no name or appears twice", what, ix.Name)
			}
			names[ix.Name] = true
			if len(ix.Elements) == 0 {
				add("%s: index %q has no elements", what, ix.Name)
			}
			for _, el := range ix.Elements {
				if (el.Column == "") == (el.Expr == "") {
					add("%s: index %q has an element with neither or both of a column and an expression", what, ix.Name)
				} else if el.Column != "" && !cols[el.Column] {
					add("%s: index %q is on column %q, which the view does not have", what, ix.Name, el.Column)
				}
			}
		}
	}
}
