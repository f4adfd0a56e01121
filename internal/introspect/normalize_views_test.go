package introspect_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func viewModel() *schema.Model {
	col := func(name, typ string) *schema.Column {
		t, err := schema.ParseType(typ)
		if err != nil {
			panic(err)
		}
		return &schema.Column{Name: name, Type: t}
	}
	return &schema.Model{
		Schemas: []*schema.Schema{{Name: "app"}},
		Enums:   []*schema.Enum{{Schema: "app", Name: "mood", Values: []string{"ok", "meh"}}},
		Tables: []*schema.Table{{Schema: "public", Name: "docs",
			Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true}, col("title", "text"),
				{Name: "mood", Type: schema.Type{Schema: "app", Name: "mood"}}},
			PrimaryKey: &schema.PrimaryKey{Name: "docs_pkey", Columns: []string{"id"}}}},
		Views: []*schema.View{
			{Schema: "app", Name: "good", Definition: "select id, title, mood from public.docs where mood = 'ok' and id > 0",
				Options: schema.ViewOptions{SecurityInvoker: true},
				Columns: []*schema.Column{col("id", "bigint"), col("title", "text"), {Name: "mood", Type: schema.Type{Schema: "app", Name: "mood"}}},
				Pos:     schema.Position{Filename: "schema.go", Line: 7, Column: 6}},
			// Grouped by the primary key, which the scratch table must have.
			{Schema: "public", Name: "counts", Materialized: true,
				Definition: "SELECT d.id, d.title, count(*) AS n FROM docs d JOIN app.good g ON g.id = d.id GROUP BY d.id",
				Columns:    []*schema.Column{col("id", "bigint"), col("title", "text"), col("n", "bigint")},
				Indexes:    []schema.Index{{Name: "counts_id", Unique: true, Elements: []schema.IndexElem{{Column: "id"}}}}},
		},
	}
}

// TestNormalizeViews checks that a view's query gets the text PostgreSQL
// prints for it, schema-qualified names included, so that a database built
// from the model shows no difference.
func TestNormalizeViews(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	m := viewModel()
	n, err := introspect.Normalize(ctx, conn, m)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.View("app", "good").ParsedDefinition; !strings.Contains(got, "'ok'::app.mood") || !strings.Contains(got, "FROM docs") {
		t.Errorf("parsed query of app.good = %q, want the enum's and the table's names as the database prints them", got)
	}
	if got := n.View("public", "counts").ParsedDefinition; !strings.Contains(got, "JOIN app.good g") {
		t.Errorf("parsed query of counts = %q, want app.good named as in the real schema", got)
	}
	apply(t, conn, m)
	db, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cs, err := migrations.Diff(db, n, migrations.Options{}); err != nil || len(cs) != 0 {
		t.Errorf("Diff(database, normalized model) = %#v, %v; want nothing", cs, err)
	}
	// A changed query is a change.
	n.View("app", "good").ParsedDefinition += " "
	if cs, _ := migrations.Diff(db, n, migrations.Options{}); len(cs) == 0 {
		t.Error("a changed query diffs to nothing")
	}
}

// TestNormalizeViewColumns checks that columns a view declares but its
// query does not return (or returns with another type, or in another
// order) are errors at the view's struct.
func TestNormalizeViewColumns(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	for _, tc := range []struct {
		name   string
		change func(v *schema.View)
		want   string
	}{
		{"type", func(v *schema.View) { v.Columns[1].Type = schema.Type{Name: "integer"} },
			`schema.go:7:6: view "good": column "title" is text in the query, but the struct declares integer`},
		{"missing", func(v *schema.View) {
			v.Columns = append(v.Columns, &schema.Column{Name: "extra", Type: schema.Type{Name: "text"}})
		},
			`view "good": the struct declares column "extra", which the query does not return`},
		{"undeclared", func(v *schema.View) { v.Columns = v.Columns[:2] },
			`view "good": the query returns column "mood" (app.mood), which the struct does not declare`},
		{"order", func(v *schema.View) { v.Columns[0], v.Columns[1] = v.Columns[1], v.Columns[0] },
			`view "good": the query returns its columns in the order id, title, mood, the struct declares title, id, mood`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := viewModel()
			tc.change(m.View("app", "good"))
			_, err := introspect.Normalize(ctx, conn, m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Normalize: %v\nwant an error with %q", err, tc.want)
			}
		})
	}
}
