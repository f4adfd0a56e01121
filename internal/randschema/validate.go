package randschema

import (
	"errors"
	"fmt"
	"slices"

	"github.com/mizzle/mizzle/schema"
)

// Validate checks the invariants a model from the loader has and that
// PostgreSQL needs, and returns every violation: names within 63 bytes and
// free in their namespace, schemas listed exactly when used, enum types that
// exist, identity and generated columns as PostgreSQL allows them, keys and
// indexes on existing columns, foreign keys to a primary key or unique
// constraint with the same column types, and canonical order.
func Validate(m *schema.Model) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	long := func(what, name string) {
		if name == "" || len(name) > schema.MaxIdentifierLength {
			bad("%s name %q is empty or longer than %d bytes", what, name, schema.MaxIdentifierLength)
		}
	}

	used := map[string]bool{}
	for _, e := range m.Enums {
		used[e.Schema] = true
	}
	for _, t := range m.Tables {
		used[t.Schema] = true
	}
	for _, s := range m.Sequences {
		used[s.Schema] = true
	}
	delete(used, schema.DefaultSchema)
	listed := map[string]bool{}
	for _, s := range m.Schemas {
		long("schema", s.Name)
		if !used[s.Name] || listed[s.Name] || s.Name == schema.DefaultSchema {
			bad("schema %q listed but unused, listed twice or public", s.Name)
		}
		listed[s.Name] = true
	}
	for s := range used {
		if !listed[s] {
			bad("schema %q used but not listed", s)
		}
	}

	relations := map[[2]string]string{}
	claim := func(s, name, what string) {
		long(what, name)
		if first, ok := relations[[2]string{s, name}]; ok {
			bad("%s %s.%s clashes with %s", what, s, name, first)
		}
		relations[[2]string{s, name}] = what
	}
	for _, e := range m.Enums {
		claim(e.Schema, e.Name, "enum")
		if len(e.Values) == 0 {
			bad("enum %s has no values", e.Name)
		}
		seen := map[string]bool{}
		for _, v := range e.Values {
			long("enum value", v)
			if seen[v] {
				bad("enum %s: value %q twice", e.Name, v)
			}
			seen[v] = true
		}
	}
	for _, t := range m.Tables {
		claim(t.Schema, t.Name, "table")
	}
	for _, s := range m.Sequences {
		claim(s.Schema, s.Name, "sequence")
		if err := s.Options.Check(s.Type); err != nil {
			bad("sequence %s.%s: %v", s.Schema, s.Name, err)
		}
	}
	for _, t := range m.Tables {
		if t.Partition != nil {
			for _, p := range t.Partition.Partitions {
				claim(t.Schema, p.Name, "partition")
			}
		}
	}
	// PostgreSQL's own rules for partitioned tables (keys holding the
	// partition key, bounds that suit the strategy, ...).
	if err := m.Validate(); err != nil {
		errs = append(errs, err)
	}
	for _, t := range m.Tables {
		errs = append(errs, validateTable(m, t, claim)...)
	}

	sorted := m.Clone()
	sorted.Sort()
	for i := range m.Tables {
		if m.Tables[i].Name != sorted.Tables[i].Name || m.Tables[i].Schema != sorted.Tables[i].Schema {
			bad("tables not sorted")
			break
		}
	}
	return errors.Join(errs...)
}

func validateTable(m *schema.Model, t *schema.Table, claim func(s, name, what string)) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("table %s.%s: "+format, append([]any{t.Schema, t.Name}, args...)...))
	}
	long := func(what, name string) {
		if name == "" || len(name) > schema.MaxIdentifierLength {
			bad("%s name %q is empty or longer than %d bytes", what, name, schema.MaxIdentifierLength)
		}
	}
	if len(t.Columns) == 0 {
		bad("no columns")
	}
	cols := map[string]*schema.Column{}
	for _, c := range t.Columns {
		if len(c.Name) > schema.MaxIdentifierLength || cols[c.Name] != nil {
			bad("column %q too long or repeated", c.Name)
		}
		cols[c.Name] = c
	}
	for _, c := range t.Columns {
		if c.Type.Schema != "" {
			e := m.Enum(c.Type.Schema, c.Type.Name)
			if e == nil {
				bad("column %s: no enum %s", c.Name, c.Type)
			} else if l, ok := enumDefaultLabel(c.Default); ok && !slices.Contains(e.Values, l) {
				bad("column %s: default %s is not a value of %s", c.Name, c.Default, e.Name)
			}
		}
		if c.Identity != "" && (!c.Type.IsInteger() || !c.NotNull || c.Default != "" || c.Generated != "") {
			bad("identity column %s must be an integer, NOT NULL, without default or generation", c.Name)
		}
		if c.Generated != "" {
			if c.Default != "" {
				bad("generated column %s has a default", c.Name)
			}
			for _, tok := range identifiers(c.Generated) {
				if src := cols[tok.name]; src == nil || src.Generated != "" {
					bad("generated column %s refers to %q, not a plain column", c.Name, tok.name)
				}
			}
		}
	}
	exist := func(what string, names []string) {
		if len(names) == 0 {
			bad("%s without columns", what)
		}
		for _, n := range names {
			if cols[n] == nil {
				bad("%s: no column %q", what, n)
			}
		}
	}
	exprCols := func(what, expr string) {
		for _, tok := range identifiers(expr) {
			if cols[tok.name] == nil && !keywords[tok.name] {
				bad("%s: no column %q in %s", what, tok.name, expr)
			}
		}
	}
	constraints := map[string]bool{}
	constraint := func(name string) {
		if constraints[name] {
			bad("constraint name %q used twice", name)
		}
		constraints[name] = true
	}
	if pk := t.PrimaryKey; pk != nil {
		exist("primary key", pk.Columns)
		constraint(pk.Name)
		claim(t.Schema, pk.Name, "primary key of "+t.Name)
		for _, n := range pk.Columns {
			if c := cols[n]; c != nil && !c.NotNull {
				bad("primary key column %s is nullable", n)
			}
		}
	}
	for _, u := range t.Uniques {
		exist("unique "+u.Name, u.Columns)
		constraint(u.Name)
		claim(t.Schema, u.Name, "unique of "+t.Name)
	}
	for _, ck := range t.Checks {
		long("check", ck.Name)
		constraint(ck.Name)
		exprCols("check "+ck.Name, ck.Expr)
	}
	for _, fk := range t.ForeignKeys {
		long("foreign key", fk.Name)
		constraint(fk.Name)
		exist("foreign key "+fk.Name, fk.Columns)
		rt := m.Table(fk.RefSchema, fk.RefTable)
		if rt == nil {
			bad("foreign key %s: no table %s.%s", fk.Name, fk.RefSchema, fk.RefTable)
			continue
		}
		if len(fk.Columns) != len(fk.RefColumns) {
			bad("foreign key %s: column counts differ", fk.Name)
			continue
		}
		isKey := rt.PrimaryKey != nil && slices.Equal(rt.PrimaryKey.Columns, fk.RefColumns)
		for _, u := range rt.Uniques {
			isKey = isKey || slices.Equal(u.Columns, fk.RefColumns)
		}
		if !isKey {
			bad("foreign key %s: %s (%v) is not a key", fk.Name, rt.Name, fk.RefColumns)
		}
		for i, n := range fk.Columns {
			c, rc := cols[n], rt.Column(fk.RefColumns[i])
			if c == nil || rc == nil || c.Type.Storage() != rc.Type.Storage() || c.Generated != "" {
				bad("foreign key %s: column %s does not match %s.%s", fk.Name, n, rt.Name, fk.RefColumns[i])
			}
		}
	}
	for _, ix := range t.Indexes {
		claim(t.Schema, ix.Name, "index of "+t.Name)
		if len(ix.Elements) == 0 {
			bad("index %s without elements", ix.Name)
		}
		for _, e := range ix.Elements {
			if (e.Column == "") == (e.Expr == "") {
				bad("index %s: an element is a column or an expression", ix.Name)
			}
			if e.Column != "" && cols[e.Column] == nil {
				bad("index %s: no column %q", ix.Name, e.Column)
			}
			exprCols("index "+ix.Name, e.Expr)
		}
		exprCols("index "+ix.Name, ix.Where)
	}
	return errs
}

// keywords are the bare words of the expression menus that are not
// column names.
var keywords = map[string]bool{"IS": true, "NOT": true, "NULL": true, "AND": true}
