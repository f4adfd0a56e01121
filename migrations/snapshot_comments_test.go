package migrations_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// TestSnapshotComments checks that comments are database state: a
// snapshot keeps them and reads them back, a model without any writes no
// "comment" key (so snapshots written before comments existed read the
// same and hash alike), and a comment changes the snapshot's id.
func TestSnapshotComments(t *testing.T) {
	plain := &schema.Model{
		Enums: []*schema.Enum{{Schema: "public", Name: "mood", Values: []string{"ok"}}},
		Tables: []*schema.Table{{Schema: "public", Name: "docs", Columns: []*schema.Column{
			{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true},
		}}},
	}
	commented := plain.Clone()
	commented.Enums[0].Comment = "How it's going"
	commented.Tables[0].Comment = "A tenant's documents.\nSecond line: café"
	commented.Tables[0].Columns[0].Comment = `the "key"`

	plainID, plainData := migrations.MarshalSnapshot(migrations.ZeroID, plain)
	if strings.Contains(string(plainData), `"comment"`) {
		t.Errorf("a model without comments writes a comment key:\n%s", plainData)
	}
	id, data := migrations.MarshalSnapshot(migrations.ZeroID, commented)
	if id == plainID {
		t.Errorf("comments do not change the snapshot id")
	}
	s, err := migrations.ParseSnapshot(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(migrations.Strip(commented), s.Model); diff != "" {
		t.Errorf("the snapshot reads back as another model (-want +got):\n%s", diff)
	}
}

// TestSnapshotExtensions checks that a snapshot keeps the extensions and
// reads them back, and writes no "extensions" key for a model without any.
func TestSnapshotExtensions(t *testing.T) {
	m := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "docs", Columns: []*schema.Column{
		{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true},
	}}}}
	plainID, plainData := migrations.MarshalSnapshot(migrations.ZeroID, m)
	if strings.Contains(string(plainData), `"extensions"`) {
		t.Errorf("a model without extensions writes an extensions key:\n%s", plainData)
	}
	m.Extensions = []*schema.Extension{{Name: "pg_trgm"}, {Name: "citext", Schema: "ext", Version: "1.6", Pos: schema.Position{Line: 3}}}
	id, data := migrations.MarshalSnapshot(migrations.ZeroID, m)
	if id == plainID {
		t.Errorf("extensions do not change the snapshot id")
	}
	s, err := migrations.ParseSnapshot(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []*schema.Extension{{Name: "citext", Schema: "ext", Version: "1.6"}, {Name: "pg_trgm"}}
	if diff := cmp.Diff(want, s.Model.Extensions); diff != "" {
		t.Errorf("extensions read back (-want +got):\n%s", diff)
	}
}
