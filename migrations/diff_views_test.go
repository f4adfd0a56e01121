package migrations_test

import (
	"testing"

	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func viewsModel() *schema.Model {
	return &schema.Model{
		Tables: []*schema.Table{{Schema: "public", Name: "doc", Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}}}}},
		Views: []*schema.View{{Schema: "public", Name: "m", Materialized: true, Definition: "SELECT id FROM doc",
			Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}}}}},
	}
}

// TestDiffViewWithNoData checks that WITH NO DATA says how a materialized
// view is created and nothing else: once refreshed it holds rows like any
// other, so a change of it alone changes nothing, and a new one is created
// empty.
func TestDiffViewWithNoData(t *testing.T) {
	a, b := viewsModel(), viewsModel()
	b.Views[0].WithNoData = true
	for _, pair := range [][2]*schema.Model{{a, b}, {b, a}} {
		if cs, err := migrations.Diff(pair[0], pair[1], migrations.Options{}); err != nil || len(cs) != 0 {
			t.Errorf("Diff = %#v, %v; want nothing", cs, err)
		}
	}
	stmts, err := migrations.SQL(migrations.Create(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := stmts[len(stmts)-1].SQL; got != "CREATE MATERIALIZED VIEW \"public\".\"m\" AS\nSELECT id FROM doc\nWITH NO DATA;" {
		t.Errorf("created as %q", got)
	}
}

// TestDiffViewNotNull checks that a view's columns compare without NOT
// NULL, which PostgreSQL keeps for no view (the loader sets it from the Go
// type, for the generated code).
func TestDiffViewNotNull(t *testing.T) {
	a, b := viewsModel(), viewsModel()
	b.Views[0].Columns[0].NotNull = true
	if cs, err := migrations.Diff(a, b, migrations.Options{}); err != nil || len(cs) != 0 {
		t.Errorf("Diff = %#v, %v; want nothing", cs, err)
	}
}

// TestDiffViewParsed checks that a query compares as PostgreSQL prints it
// when that is known: a query written another way is no change, another
// query is one.
func TestDiffViewParsed(t *testing.T) {
	db := viewsModel()
	db.Views[0].Definition = "SELECT doc.id\n   FROM doc"
	schemaSide := viewsModel()
	schemaSide.Views[0].ParsedDefinition = "SELECT doc.id\n   FROM doc"
	if cs, err := migrations.Diff(db, schemaSide, migrations.Options{}); err != nil || len(cs) != 0 {
		t.Errorf("Diff = %#v, %v; want nothing", cs, err)
	}
	schemaSide.Views[0].ParsedDefinition = "SELECT doc.id\n   FROM doc\n  WHERE (doc.id > 0)"
	cs, err := migrations.Diff(db, schemaSide, migrations.Options{})
	if err != nil || len(cs) != 2 {
		t.Fatalf("Diff = %#v, %v; want the materialized view dropped and created", cs, err)
	}
	if d, ok := cs[0].(migrations.DropView); !ok || !d.Recreated || !d.Materialized {
		t.Errorf("first change %#v, want DropView of a materialized view, recreated", cs[0])
	}
	if c, ok := cs[1].(migrations.CreateView); !ok || c.View.Definition != "SELECT id FROM doc" {
		t.Errorf("second change %#v, want CreateView with the query as written", cs[1])
	}
}
