package migrations_test

import (
	"strings"
	"testing"

	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// exprModel is one table with every kind of expression, as a database
// prints it back (parsed) or as the schema writes it.
func exprModel(parsed bool) *schema.Model {
	text := func(written, printed string) string {
		if parsed {
			return printed
		}
		return written
	}
	return &schema.Model{Tables: []*schema.Table{{
		Schema: "public", Name: "t",
		Columns: []*schema.Column{
			{Name: "a", Type: schema.Type{Name: "numeric"}, NotNull: true, Default: text("0", "(0)::numeric")},
			{Name: "b", Type: schema.Type{Name: "text"}},
			{Name: "ok", Type: schema.Type{Name: "boolean"},
				Generated: text("a > 0 AND (b <> '' AND length(b) BETWEEN 3 AND 320)",
					"((a > (0)::numeric) AND ((b <> ''::text) AND ((length(b) >= 3) AND (length(b) <= 320))))")},
		},
		Checks: []schema.Check{{Name: "t_check",
			Expr: text("a > 0 AND (b <> '' AND length(b) BETWEEN 3 AND 320)",
				"(a > (0)::numeric) AND ((b <> ''::text) AND ((length(b) >= 3) AND (length(b) <= 320)))")}},
		Indexes: []schema.Index{{Name: "t_idx",
			Elements: []schema.IndexElem{{Expr: text("lower(b::text)", "lower((b)::text)")}},
			Where:    text("a > 0 AND (b <> '')", "(a > (0)::numeric) AND (b <> ''::text)")}},
	}}}
}

// withParsed is the schema's model as Normalize returns it: each
// expression's text as written, and the database's in its Parsed field.
func withParsed() *schema.Model {
	m, db := exprModel(false), exprModel(true)
	t, d := m.Tables[0], db.Tables[0]
	for i, col := range t.Columns {
		col.ParsedDefault, col.ParsedGenerated = d.Columns[i].Default, d.Columns[i].Generated
	}
	t.Checks[0].Parsed = d.Checks[0].Expr
	t.Indexes[0].ParsedWhere = d.Indexes[0].Where
	t.Indexes[0].Elements[0].ParsedExpr = d.Indexes[0].Elements[0].Expr
	return m
}

// TestDiffComparesParsedExpressions: an expression compares by its
// Parsed text when it has one, so the schema's model, normalized, equals
// the database's both ways; and whatever changes is written with the
// schema's text, never the database's.
func TestDiffComparesParsedExpressions(t *testing.T) {
	db, norm := exprModel(true), withParsed()
	for _, pair := range []struct {
		name     string
		from, to *schema.Model
	}{{"database to schema", db, norm}, {"schema to database", norm, db}, {"schema to schema", norm, withParsed()}} {
		if cs, err := migrations.Diff(pair.from, pair.to, migrations.Options{}); err != nil || len(cs) != 0 {
			t.Errorf("%s: Diff = %v, %v; want nothing", pair.name, cs, err)
		}
	}
	// Without their parsed texts the two spellings differ; what the
	// differ writes is the schema's.
	plain := exprModel(false)
	stmts, err := migrations.SQL(mustDiff(t, db, plain))
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, s := range stmts {
		all = append(all, s.SQL)
	}
	got := strings.Join(all, "\n")
	for _, want := range []string{
		`ALTER TABLE "public"."t" ALTER COLUMN "a" SET DEFAULT 0;`,
		`GENERATED ALWAYS AS (a > 0 AND (b <> '' AND length(b) BETWEEN 3 AND 320)) STORED`,
		`CHECK (a > 0 AND (b <> '' AND length(b) BETWEEN 3 AND 320))`,
		`(lower(b::text)) WHERE a > 0 AND (b <> '')`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the statements lack %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "::numeric") {
		t.Errorf("the statements hold the database's spelling:\n%s", got)
	}

	// A parsed text that differs is a change, written with the schema's
	// text.
	changed := withParsed()
	changed.Tables[0].Checks[0].Parsed = "(a > (1)::numeric)"
	changed.Tables[0].Checks[0].Expr = "a > 1"
	stmts, err = migrations.SQL(mustDiff(t, db, changed))
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 2 || !strings.Contains(stmts[1].SQL, `CHECK (a > 1)`) {
		t.Errorf("a changed check: %v", stmts)
	}
}

func mustDiff(t *testing.T, from, to *schema.Model) []migrations.Change {
	t.Helper()
	cs, err := migrations.Diff(from, to, migrations.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}
