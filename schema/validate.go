package schema

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Validate reports what in m no PostgreSQL database could hold and what
// the differ cannot match by name: an empty name, a schema, enum, table,
// column or enum value declared twice, a column without a type, and a key,
// index or foreign key on a column its table lacks (or, for a foreign key
// whose referenced table is in m, that table lacks). A model a loader or a
// database produced is valid; one read from a file edited by hand may not
// be. The error lists every problem found, separated by semicolons.
//
// A foreign key may reference a table m does not hold (one in a schema
// mizzle does not manage), so that is not checked.
func (m *Model) Validate() error {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }

	schemas := map[string]bool{}
	for _, s := range m.Schemas {
		switch {
		case s.Name == "":
			add("a schema has no name")
		case schemas[s.Name]:
			add("schema %q appears twice", s.Name)
		}
		schemas[s.Name] = true
	}
	m.validateExtensions(add)
	m.validateSequences(add)
	m.validateFunctions(add)
	type key struct{ schema, name string }
	enums := map[key]bool{}
	for _, e := range m.Enums {
		what := "enum " + qualifiedName(e.Schema, e.Name)
		switch {
		case e.Schema == "" || e.Name == "":
			add("%s: empty schema or name", what)
		case enums[key{e.Schema, e.Name}]:
			add("%s appears twice", what)
		}
		enums[key{e.Schema, e.Name}] = true
		seen := map[string]bool{}
		for _, v := range e.Values {
			if seen[v] {
				add("%s: value %q appears twice", what, v)
			}
			seen[v] = true
		}
	}
	tables := map[key]*Table{}
	for _, t := range m.Tables {
		what := "table " + qualifiedName(t.Schema, t.Name)
		switch {
		case t.Schema == "" || t.Name == "":
			add("%s: empty schema or name", what)
		case tables[key{t.Schema, t.Name}] != nil:
			add("%s appears twice", what)
		}
		tables[key{t.Schema, t.Name}] = t
		cols := map[string]bool{}
		for _, c := range t.Columns {
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
		missing := func(of string, names []string) {
			if len(names) == 0 {
				add("%s: %s has no columns", what, of)
			}
			for _, n := range names {
				if !cols[n] {
					add("%s: %s is on column %q, which the table does not have", what, of, n)
				}
			}
		}
		if pk := t.PrimaryKey; pk != nil {
			missing("the primary key", pk.Columns)
		}
		for _, u := range t.Uniques {
			missing("unique constraint "+strconv.Quote(u.Name), u.Columns)
		}
		for _, ix := range t.Indexes {
			if len(ix.Elements) == 0 {
				add("%s: index %q has no elements", what, ix.Name)
			}
			for _, el := range ix.Elements {
				if (el.Column == "") == (el.Expr == "") {
					add("%s: index %q has an element with neither or both of a column and an expression", what, ix.Name)
				} else if el.Column != "" && !cols[el.Column] {
					add("%s: index %q is on column %q, which the table does not have", what, ix.Name, el.Column)
				}
			}
		}
		for _, fk := range t.ForeignKeys {
			missing("foreign key "+strconv.Quote(fk.Name), fk.Columns)
			if len(fk.RefColumns) != len(fk.Columns) {
				add("%s: foreign key %q has %d columns and references %d", what, fk.Name, len(fk.Columns), len(fk.RefColumns))
			}
		}
		t.validatePolicies(what, add)
		t.validateTriggers(what, add)
	}
	// Partitions are tables of their parent's schema: their names are
	// checked once every table is known.
	partitions := map[key]*Table{}
	for _, t := range m.Tables {
		what := "table " + qualifiedName(t.Schema, t.Name)
		t.validatePartitioning(what, add)
		if t.Partition == nil {
			continue
		}
		for _, p := range t.Partition.Partitions {
			k := key{t.Schema, p.Name}
			switch {
			case p.Name == "":
			case tables[k] != nil:
				add("%s: partition %q has the name of a table of schema %q", what, p.Name, t.Schema)
			case partitions[k] != nil && partitions[k] != t:
				add("%s: partition %q has the name of a partition of %s", what, p.Name, qualifiedName(t.Schema, partitions[k].Name))
			}
			if partitions[k] == nil {
				partitions[k] = t
			}
		}
	}
	m.validateViews(add)
	// References last: a table may reference one declared after it.
	for _, t := range m.Tables {
		for _, fk := range t.ForeignKeys {
			ref := tables[key{fk.RefSchema, fk.RefTable}]
			if ref == nil {
				continue
			}
			for _, n := range fk.RefColumns {
				if ref.Column(n) == nil {
					add("table %s: foreign key %q references column %q of %s, which has no such column",
						qualifiedName(t.Schema, t.Name), fk.Name, n, qualifiedName(ref.Schema, ref.Name))
				}
			}
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return errors.New(strings.Join(probs, "; "))
}

// qualifiedName spells a name for messages, each part quoted so that a dot
// inside one stays readable: "a.b"."t".
func qualifiedName(schemaName, name string) string {
	return strconv.Quote(schemaName) + "." + strconv.Quote(name)
}
