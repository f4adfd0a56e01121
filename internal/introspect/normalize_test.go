package introspect_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func createSQL(m *schema.Model) ([]string, error) {
	stmts, err := migrations.SQL(migrations.Create(m))
	var out []string
	for _, s := range stmts {
		out = append(out, s.SQL)
	}
	return out, err
}

// asParsed returns a copy of a normalized model with each expression's
// Parsed text in place of its text: the model as the differ compares it,
// which is the model introspection reads once it is built.
func asParsed(m *schema.Model) *schema.Model {
	c := m.Clone()
	swap := func(text, parsed *string) {
		if *parsed != "" {
			*text, *parsed = *parsed, ""
		}
	}
	for _, t := range c.Tables {
		for _, col := range t.Columns {
			swap(&col.Default, &col.ParsedDefault)
			swap(&col.Generated, &col.ParsedGenerated)
		}
		for i := range t.Checks {
			swap(&t.Checks[i].Expr, &t.Checks[i].Parsed)
		}
		for i := range t.Policies {
			swap(&t.Policies[i].Using, &t.Policies[i].ParsedUsing)
			swap(&t.Policies[i].WithCheck, &t.Policies[i].ParsedWithCheck)
		}
		for i := range t.Triggers {
			swap(&t.Triggers[i].When, &t.Triggers[i].ParsedWhen)
		}
		if p := t.Partition; p != nil {
			for i := range p.Partitions {
				swap(&p.Partitions[i].Bound, &p.Partitions[i].ParsedBound)
			}
		}
		for i := range t.Indexes {
			ix := &t.Indexes[i]
			swap(&ix.Where, &ix.ParsedWhere)
			for k := range ix.Elements {
				swap(&ix.Elements[k].Expr, &ix.Elements[k].ParsedExpr)
			}
		}
	}
	for _, f := range c.Functions {
		swap(&f.Signature, &f.ParsedSignature)
		swap(&f.Definition, &f.ParsedDefinition)
		// The arguments DROP takes, as PostgreSQL prints them.
		f.Args = ""
	}
	for _, v := range c.Views {
		swap(&v.Definition, &v.ParsedDefinition)
		for i := range v.Indexes {
			ix := &v.Indexes[i]
			swap(&ix.Where, &ix.ParsedWhere)
			for k := range ix.Elements {
				swap(&ix.Elements[k].Expr, &ix.Elements[k].ParsedExpr)
			}
		}
	}
	return c
}

// TestNormalize checks, for every schema of the corpus, that Normalize
// predicts exactly what introspection reads after the schema is created
// for real, that it keeps the schema's own texts for the statements, and
// that it leaves the database as it was.
func TestNormalize(t *testing.T) {
	files, err := filepath.Glob("../../testdata/schemas/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			m := testmod.Load(t, file)
			conn := pgtest.Connect(t)
			before, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			norm, err := introspect.Normalize(ctx, conn, m)
			if err != nil {
				t.Fatal(err)
			}
			after, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Fatalf("Normalize changed the database:\n%s", diff)
			}

			stmts, err := createSQL(m)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range stmts {
				if _, err := conn.Exec(ctx, s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			got, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range got.Functions {
				f.Args = ""
			}
			if diff := cmp.Diff(migrations.Strip(got), migrations.Strip(asParsed(norm))); diff != "" {
				t.Errorf("Normalize differs from the database built from the schema (-database +normalized):\n%s", diff)
			}
			if cs, err := migrations.Diff(got, norm, migrations.Options{}); err != nil || len(cs) != 0 {
				t.Errorf("Diff(database, normalized) = %v, %v; want nothing", cs, err)
			}
			if cs, err := migrations.Diff(norm, got, migrations.Options{}); err != nil || len(cs) != 0 {
				t.Errorf("Diff(normalized, database) = %v, %v; want nothing", cs, err)
			}
			// The statements planned from the normalized model are the
			// schema's.
			normStmts, err := createSQL(norm)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(stmts, normStmts); diff != "" {
				t.Errorf("the normalized model's statements differ from the schema's (-schema +normalized):\n%s", diff)
			}
		})
	}
}

// catalogState is what a read-only command must leave as it found: every
// relation and schema of the database with its kind, by name.
func catalogState(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	var s string
	err := conn.QueryRow(context.Background(), `
		SELECT coalesce(string_agg(n.nspname || '.' || coalesce(c.relname, '') || ':' || coalesce(c.relkind::text, ''), E'\n'
			ORDER BY n.nspname, c.relname), '')
		FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNormalizeCommitsNothing builds, without the loader that refuses it,
// a model whose default closes the statement, commits and creates tables:
// Normalize must fail and leave the database as it was, with no scratch
// schema behind.
func TestNormalizeCommitsNothing(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	before := catalogState(t, conn)
	hostile := []struct {
		name string
		edit func(*schema.Table)
	}{
		{"default", func(tb *schema.Table) {
			tb.Columns[1].Default = "0 /* ( */ ); COMMIT; CREATE TABLE pwned(x int); CREATE TABLE zz (y int DEFAULT 0 /* ) */"
		}},
		{"check", func(tb *schema.Table) {
			tb.Checks = []schema.Check{{Name: "c", Expr: "n > 0); COMMIT; CREATE TABLE pwned(x int); CREATE TABLE zz (y int CHECK (y > 0"}}
		}},
		{"generated", func(tb *schema.Table) {
			tb.Columns[1].Generated = "id); COMMIT; CREATE TABLE pwned(x int); CREATE TABLE zz (y int GENERATED ALWAYS AS (1"
		}},
		{"predicate", func(tb *schema.Table) {
			tb.Indexes = []schema.Index{{Name: "ix", Elements: []schema.IndexElem{{Column: "n"}},
				Where: "n > 0; COMMIT; CREATE TABLE pwned(x int); CREATE TABLE zz (y int)"}}
		}},
	}
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			tb := &schema.Table{Schema: "public", Name: "victim", Columns: []*schema.Column{
				{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true},
				{Name: "n", Type: schema.Type{Name: "bigint"}, NotNull: true},
			}}
			h.edit(tb)
			m := &schema.Model{Tables: []*schema.Table{tb}}
			if _, err := introspect.Normalize(ctx, conn, m); err == nil {
				t.Fatal("Normalize succeeded; want an error for a statement that holds several")
			}
			var pwned, zz *string
			var shadows int
			if err := conn.QueryRow(ctx, `SELECT to_regclass('pwned')::text, to_regclass('zz')::text,
				(SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'mizzle%')`).Scan(&pwned, &zz, &shadows); err != nil {
				t.Fatal(err)
			}
			if pwned != nil || zz != nil || shadows != 0 {
				t.Errorf("after Normalize: pwned=%v zz=%v, %d mizzle schemas; want none", pwned, zz, shadows)
			}
			if after := catalogState(t, conn); after != before {
				t.Errorf("Normalize changed the catalog:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// TestNormalizeLeftoverShadow checks that a schema named like an older
// mizzle's scratch schema, holding a user's table, neither stops Normalize
// nor is touched by it.
func TestNormalizeLeftoverShadow(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA mizzle_shadow_public;
		CREATE TABLE mizzle_shadow_public.keep(x int);
		INSERT INTO mizzle_shadow_public.keep VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	before := catalogState(t, conn)
	m := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "t", Columns: []*schema.Column{
		{Name: "n", Type: schema.Type{Name: "integer"}, Default: "1 + 1"},
	}}}}
	norm, err := introspect.Normalize(ctx, conn, m)
	if err != nil {
		t.Fatal(err)
	}
	if got := norm.Tables[0].Columns[0].ParsedDefault; got != "(1 + 1)" {
		t.Errorf("default = %q, want %q", got, "(1 + 1)")
	}
	if after := catalogState(t, conn); after != before {
		t.Errorf("Normalize changed the catalog:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT x FROM mizzle_shadow_public.keep").Scan(&n); err != nil || n != 1 {
		t.Errorf("the user's table: %d, %v", n, err)
	}
}

// TestNormalizeStandardStrings checks that a session with
// standard_conforming_strings off reads the model's literals as the
// migration will: a backslash is a backslash.
func TestNormalizeStandardStrings(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	m := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "t", Columns: []*schema.Column{
		{Name: "s", Type: schema.Type{Name: "text"}, Default: `'back\slash'`},
	}, Checks: []schema.Check{{Name: "c", Expr: `s <> 'a\b'`}}}}}
	want := map[string]string{}
	for _, setting := range []string{"on", "off"} {
		if _, err := conn.Exec(ctx, "SET standard_conforming_strings = "+setting); err != nil {
			t.Fatal(err)
		}
		norm, err := introspect.Normalize(ctx, conn, m)
		if err != nil {
			t.Fatalf("standard_conforming_strings = %s: %v", setting, err)
		}
		tb := norm.Tables[0]
		want[setting] = tb.Columns[0].ParsedDefault + " | " + tb.Checks[0].Parsed
	}
	if want["on"] != `'back\slash'::text | s <> 'a\b'::text` || want["off"] != want["on"] {
		t.Errorf("normalized with standard_conforming_strings on: %s; off: %s", want["on"], want["off"])
	}
}

// TestNormalizeSchemaNames normalizes a model whose schemas have names
// that a prefix would push past 63 bytes or that must be quoted, and
// compares with the database built from it.
func TestNormalizeSchemaNames(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	m := &schema.Model{}
	for _, name := range []string{strings.Repeat("s", 63), "select", "My Schema", "é"} {
		m.Schemas = append(m.Schemas, &schema.Schema{Name: name})
		m.Enums = append(m.Enums, &schema.Enum{Schema: name, Name: "e", Values: []string{"a", "b"}})
		m.Tables = append(m.Tables, &schema.Table{Schema: name, Name: "t", Columns: []*schema.Column{
			{Name: "n", Type: schema.Type{Name: "integer"}, Default: "1 + 1"},
			{Name: "x", Type: schema.Type{Schema: name, Name: "e"}, Default: "'a'"},
		}, Checks: []schema.Check{{Name: "c", Expr: "x <> 'b'"}}})
	}
	norm, err := introspect.Normalize(ctx, conn, m)
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := createSQL(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	var names []string
	for _, s := range m.Schemas {
		names = append(names, s.Name)
	}
	got, _, err := introspect.Inspect(ctx, conn, introspect.Options{Schemas: names})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(migrations.Strip(got), migrations.Strip(asParsed(norm))); diff != "" {
		t.Errorf("Normalize differs from the database built from the schema (-database +normalized):\n%s", diff)
	}
}

// TestNormalizeNamedLikeDefaults normalizes models with a table and an
// enum of their own named like the scratch table of defaults, which its
// shadow would hold too.
func TestNormalizeNamedLikeDefaults(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	table := func(name string) *schema.Table {
		return &schema.Table{Schema: "public", Name: name, Columns: []*schema.Column{
			{Name: "n", Type: schema.Type{Name: "integer"}, Default: "1 + 1"},
		}, Checks: []schema.Check{{Name: "c", Expr: "n > 0"}}}
	}
	for _, m := range []*schema.Model{
		{Tables: []*schema.Table{table("mizzle_defaults"), table("mizzle_defaults_1")}},
		{Enums: []*schema.Enum{{Schema: "public", Name: "mizzle_defaults", Values: []string{"a"}}}, Tables: []*schema.Table{table("t")}},
	} {
		norm, err := introspect.Normalize(ctx, conn, m)
		if err != nil {
			t.Errorf("%d tables, %d enums: %v", len(m.Tables), len(m.Enums), err)
			continue
		}
		for _, tb := range norm.Tables {
			if got := tb.Columns[0].ParsedDefault + " | " + tb.Checks[0].Parsed; got != "(1 + 1) | n > 0" {
				t.Errorf("%s normalized: %s", tb.Name, got)
			}
		}
	}
}
