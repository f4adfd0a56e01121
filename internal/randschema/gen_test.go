package randschema

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/schema"
)

func TestDeterministic(t *testing.T) {
	for seed := range uint64(50) {
		r1, r2 := newRand(seed), newRand(seed)
		a1, a2 := Model(r1), Model(r2)
		if diff := cmp.Diff(a1, a2); diff != "" {
			t.Fatalf("seed %d: Model differs between runs:\n%s", seed, diff)
		}
		b1, d1 := Change(r1, a1)
		b2, d2 := Change(r2, a2)
		if diff := cmp.Diff(b1, b2); diff != "" || !slices.Equal(d1, d2) {
			t.Fatalf("seed %d: Change differs between runs (%q, %q):\n%s", seed, d1, d2, diff)
		}
		if diff := cmp.Diff(Rows(a1), Rows(a2)); diff != "" {
			t.Fatalf("seed %d: Rows differs between runs:\n%s", seed, diff)
		}
	}
}

// TestChains changes models again and again: every model on the way is
// valid, its names follow the loader's conventions, and Change leaves its
// input alone.
func TestChains(t *testing.T) {
	for seed := range uint64(100) {
		r := newRand(seed)
		m := Model(r)
		for step := range 10 {
			before := m.Clone()
			next, descs := Change(r, m)
			if diff := cmp.Diff(before, m); diff != "" {
				t.Fatalf("seed %d step %d: Change modified its input:\n%s", seed, step, diff)
			}
			if err := Validate(next); err != nil {
				t.Fatalf("seed %d step %d: invalid after %q:\n%v", seed, step, descs, err)
			}
			if err := conventionalNames(next); err != "" {
				t.Fatalf("seed %d step %d: after %q: %s", seed, step, descs, err)
			}
			m = next
		}
	}
}

// conventionalNames checks that every constraint and index either has an
// explicit name or the name the loader derives from the current names, so
// that renames carried auto-names along.
func conventionalNames(m *schema.Model) string {
	ok := func(name, auto string) bool { return explicitName.MatchString(name) || name == auto }
	for _, t := range m.Tables {
		if t.PrimaryKey != nil && !ok(t.PrimaryKey.Name, autoPK(t)) {
			return "primary key " + t.PrimaryKey.Name + " of " + t.Name
		}
		for _, u := range t.Uniques {
			if !ok(u.Name, autoUnique(t, u)) {
				return "unique " + u.Name + " of " + t.Name
			}
		}
		for _, c := range t.Checks {
			if !ok(c.Name, autoCheck(t, c)) {
				return "check " + c.Name + " of " + t.Name
			}
		}
		for _, fk := range t.ForeignKeys {
			if !ok(fk.Name, autoFK(t, fk)) {
				return "foreign key " + fk.Name + " of " + t.Name
			}
		}
		for _, ix := range t.Indexes {
			if !ok(ix.Name, autoIndex(t, ix)) {
				return "index " + ix.Name + " of " + t.Name
			}
		}
	}
	return ""
}

// TestCoverage checks that 500 seeds (as many as the round-trip property
// test runs) reach every feature of the model and every kind of change.
func TestCoverage(t *testing.T) {
	seen := map[string]bool{}
	for seed := range uint64(500) {
		r := newRand(seed)
		a := Model(r)
		features(a, seen)
		_, descs := Change(r, a)
		for _, d := range descs {
			seen["change: "+changeKind(d)] = true
		}
	}
	want := []string{
		"schema", "enum", "enum default", "enum column", "enum array column",
		"smallint", "integer", "bigint", "numeric", "numeric(p,s)", "double precision", "real",
		"text", "character varying", "character varying(n)", "character(n)", "boolean", "uuid", "jsonb",
		"timestamp with time zone", "timestamp without time zone", "date", "array",
		"not null", "default", "identity by default", "identity always", "generated",
		"single primary key", "composite primary key", "unique", "composite unique", "nulls not distinct",
		"check", "foreign key", "composite foreign key", "self-reference", "cross-schema foreign key",
		"on delete", "on update",
		"index", "unique index", "gin", "hash", "expression", "opclass", "desc", "nulls first", "nulls last",
		"partial", "unique index nulls not distinct", "quoted name", "hashed auto-name",
		"row security", "forced row security", "policy", "restrictive policy", "policy command", "policy roles",
		"policy on a column", "policy with check",
		"table comment", "column comment", "enum comment", "extension",
		"sequence", "sequence options", "column sequence options",
		"function", "procedure", "trigger function", "trigger", "statement trigger", "truncate trigger",
		"trigger columns", "trigger when", "trigger args", "built-in trigger function",
		"partitioned by range", "partitioned by list", "partitioned by hash", "partition key of two columns",
		"range partition", "list partition", "hash partition", "default partition", "partitioned table with a primary key",
	}
	for _, k := range []string{
		"create table", "drop table", "rename table", "move table", "rename schema", "drop schema",
		"create enum", "drop enum", "add value", "remove value", "reorder enum", "rename enum",
		"add column", "drop column", "rename column", "change type", "set default", "drop default",
		"set not", "drop not", "add identity", "drop identity", "add generation", "drop generation",
		"add primary", "drop primary", "change primary", "add unique", "drop unique",
		"add check", "drop check", "change check", "add foreign", "drop foreign", "change actions",
		"add index", "drop index", "change definition",
		"row security", "force row", "add policy", "drop policy", "change policy", "rename policy",
		"set comment", "drop comment", "create extension", "drop extension",
		"create sequence", "drop sequence", "alter sequence", "rename sequence", "sequence default", "set sequence",
		"create function", "drop function", "change body", "change signature", "add trigger", "drop trigger", "change trigger",
		"add partition", "drop partition", "change the",
	} {
		want = append(want, "change: "+k)
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("500 seeds never made %s", w)
		}
	}
}

func changeKind(desc string) string {
	f := strings.Fields(desc)
	return f[0] + " " + f[1]
}

func features(m *schema.Model, seen map[string]bool) {
	if len(m.Schemas) > 0 {
		seen["schema"] = true
	}
	if len(m.Enums) > 0 {
		seen["enum"] = true
	}
	for _, e := range m.Enums {
		seen["enum comment"] = seen["enum comment"] || e.Comment != ""
	}
	if len(m.Extensions) > 0 {
		seen["extension"] = true
	}
	for _, s := range m.Sequences {
		seen["sequence"] = true
		seen["sequence options"] = seen["sequence options"] || s.Options != nil
	}
	for _, f := range m.Functions {
		seen["function"] = true
		seen["procedure"] = seen["procedure"] || f.Procedure
		seen["trigger function"] = seen["trigger function"] || strings.HasSuffix(f.Signature, "RETURNS trigger")
	}
	for _, t := range m.Tables {
		for _, tg := range t.Triggers {
			seen["trigger"] = true
			seen["statement trigger"] = seen["statement trigger"] || !tg.Row
			seen["truncate trigger"] = seen["truncate trigger"] || slices.Contains(tg.Events, "truncate")
			seen["trigger columns"] = seen["trigger columns"] || len(tg.Columns) > 0
			seen["trigger when"] = seen["trigger when"] || tg.When != ""
			seen["trigger args"] = seen["trigger args"] || len(tg.Args) > 0
			seen["built-in trigger function"] = seen["built-in trigger function"] || tg.FunctionSchema == "pg_catalog"
		}
	}
	quoted := func(name string) {
		if ident(name) != name {
			seen["quoted name"] = true
		}
	}
	for _, t := range m.Tables {
		for _, c := range t.Columns {
			seen["column sequence options"] = seen["column sequence options"] || c.Sequence != nil
		}
		quoted(t.Name)
		seen["table comment"] = seen["table comment"] || t.Comment != ""
		for _, c := range t.Columns {
			quoted(c.Name)
			seen["column comment"] = seen["column comment"] || c.Comment != ""
			switch {
			case c.Type.Schema != "" && c.Type.Array:
				seen["enum array column"] = true
			case c.Type.Schema != "":
				seen["enum column"] = true
				if c.Default != "" {
					seen["enum default"] = true
				}
			case c.Type.Array:
				seen["array"] = true
			case c.Type.Mod != "" && c.Type.Name == "numeric":
				seen["numeric(p,s)"] = true
			case c.Type.Mod != "" && c.Type.Name == "character varying":
				seen["character varying(n)"] = true
			case c.Type.Name == "character":
				seen["character(n)"] = true
			default:
				seen[c.Type.Name] = true
			}
			seen["not null"] = seen["not null"] || c.NotNull
			seen["default"] = seen["default"] || c.Default != ""
			seen["identity "+string(c.Identity)] = true
			seen["generated"] = seen["generated"] || c.Generated != ""
		}
		names := []string{}
		if pk := t.PrimaryKey; pk != nil {
			seen[map[bool]string{true: "single primary key", false: "composite primary key"}[len(pk.Columns) == 1]] = true
			names = append(names, pk.Name)
		}
		for _, u := range t.Uniques {
			seen["unique"] = true
			seen["composite unique"] = seen["composite unique"] || len(u.Columns) > 1
			seen["nulls not distinct"] = seen["nulls not distinct"] || u.NullsNotDistinct
			names = append(names, u.Name)
		}
		for _, c := range t.Checks {
			seen["check"] = true
			names = append(names, c.Name)
		}
		for _, fk := range t.ForeignKeys {
			seen["foreign key"] = true
			seen["composite foreign key"] = seen["composite foreign key"] || len(fk.Columns) > 1
			seen["self-reference"] = seen["self-reference"] || fk.RefTable == t.Name && fk.RefSchema == t.Schema
			seen["cross-schema foreign key"] = seen["cross-schema foreign key"] || fk.RefSchema != t.Schema
			seen["on delete"] = seen["on delete"] || fk.OnDelete != ""
			seen["on update"] = seen["on update"] || fk.OnUpdate != ""
			names = append(names, fk.Name)
		}
		for _, ix := range t.Indexes {
			seen["index"] = true
			seen["unique index"] = seen["unique index"] || ix.Unique
			seen["unique index nulls not distinct"] = seen["unique index nulls not distinct"] || ix.NullsNotDistinct
			seen["partial"] = seen["partial"] || ix.Where != ""
			if ix.Method != "" {
				seen[ix.Method] = true
			}
			for _, e := range ix.Elements {
				seen["expression"] = seen["expression"] || e.Expr != ""
				seen["opclass"] = seen["opclass"] || e.Opclass != ""
				seen["desc"] = seen["desc"] || e.Desc
				if e.Nulls != "" {
					seen["nulls "+e.Nulls] = true
				}
			}
			names = append(names, ix.Name)
		}
		if p := t.Partition; p != nil {
			seen["partitioned by "+string(p.Strategy)] = true
			seen["partition key of two columns"] = seen["partition key of two columns"] || len(p.Columns) > 1
			seen["partitioned table with a primary key"] = seen["partitioned table with a primary key"] || t.PrimaryKey != nil
			for _, part := range p.Partitions {
				if k := schema.BoundKind(part.Bound); k != "" {
					seen[k+" partition"] = true
				}
			}
		}
		seen["row security"] = seen["row security"] || t.RowSecurity.Enabled
		seen["forced row security"] = seen["forced row security"] || t.RowSecurity.Forced
		for _, p := range t.Policies {
			seen["policy"] = true
			seen["restrictive policy"] = seen["restrictive policy"] || p.Restrictive
			seen["policy command"] = seen["policy command"] || p.Command != schema.CommandAll
			seen["policy roles"] = seen["policy roles"] || len(p.Roles) > 0
			seen["policy on a column"] = seen["policy on a column"] || strings.Contains(p.Using+p.WithCheck, "IS NOT NULL")
			seen["policy with check"] = seen["policy with check"] || p.WithCheck != ""
		}
		for _, n := range names {
			if hashSuffix(n) {
				seen["hashed auto-name"] = true
			}
		}
	}
}

func hashSuffix(name string) bool {
	return len(name) == schema.MaxIdentifierLength && name[len(name)-9] == '_' &&
		strings.Trim(name[len(name)-8:], "0123456789abcdef") == ""
}

func TestIdentifiers(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{"c1 IS NOT NULL", []string{"c1", "IS", "NOT", "NULL"}},
		{`length("C2") < 100`, []string{"C2"}},
		{`"C2" <> ''::text`, []string{"C2"}},
		{`COALESCE(c3, 'c4''s'::text)`, []string{"c3"}},
		{`jsonb_typeof(c5) = 'object'::text`, []string{"c5"}},
		{`'l1'::"S1"."E2"`, nil},
		{`"a""b" > 0`, []string{`a"b`}},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range identifiers(tt.expr) {
			got = append(got, tok.name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("identifiers(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
	if got := renameRef(`lower(c1) || c10 || "c1"`, "c1", "C9"); got != `lower("C9") || c10 || "C9"` {
		t.Errorf("renameRef = %q", got)
	}
}
