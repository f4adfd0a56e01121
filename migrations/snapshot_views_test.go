package migrations_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// TestSnapshotViews checks that views are database state: a snapshot keeps
// them (without what only the Go side knows: positions, Go types, rename
// hints, the columns' NOT NULL, the parsed query) and reads them back, a
// model without any writes no "views" key, so snapshots written before
// views existed read the same and hash alike, and a snapshot whose view is
// invalid is refused.
func TestSnapshotViews(t *testing.T) {
	plain := &schema.Model{
		Tables: []*schema.Table{{Schema: "public", Name: "docs", Columns: []*schema.Column{
			{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true},
		}}},
	}
	withViews := plain.Clone()
	withViews.Views = []*schema.View{
		{Schema: "public", Name: "v", Was: "old", Definition: "SELECT id FROM docs", ParsedDefinition: "SELECT docs.id FROM docs",
			Options: schema.ViewOptions{SecurityInvoker: true},
			Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true, GoField: "ID", Comment: "key",
				Pos: schema.Position{Filename: "schema.go", Line: 3}}},
			Doc: "V is a view.", Pos: schema.Position{Filename: "schema.go", Line: 2}},
		{Schema: "public", Name: "m", Materialized: true, WithNoData: true, Definition: "SELECT id FROM docs",
			Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}}},
			Indexes: []schema.Index{{Name: "m_id", Unique: true, Elements: []schema.IndexElem{{Column: "id"}}}}},
	}

	plainID, plainData := migrations.MarshalSnapshot(migrations.ZeroID, plain)
	if strings.Contains(string(plainData), `"views"`) {
		t.Errorf("a model without views writes a views key:\n%s", plainData)
	}
	id, data := migrations.MarshalSnapshot(migrations.ZeroID, withViews)
	if id == plainID {
		t.Errorf("views do not change the snapshot id")
	}
	for _, leak := range []string{`"was"`, "schema.go", "docs.id", `"doc"`, `"goField"`} {
		if strings.Contains(string(data), leak) {
			t.Errorf("the snapshot holds %q:\n%s", leak, data)
		}
	}
	s, err := migrations.ParseSnapshot(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(migrations.Strip(withViews), s.Model); diff != "" {
		t.Errorf("snapshot read back differs (-want +got):\n%s", diff)
	}
	if s.Model.View("public", "v").Columns[0].NotNull {
		t.Error("a view's column is NOT NULL in the snapshot")
	}
	bad := strings.Replace(string(data), `"definition": "SELECT id FROM docs"`, `"definition": ""`, 1)
	if _, err := migrations.ParseSnapshot([]byte(bad)); err == nil || !strings.Contains(err.Error(), "has no definition") {
		t.Errorf("a snapshot with a view without a query: %v", err)
	}
}
