package migrations_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// TestSnapshotFunctions checks that a snapshot keeps functions and
// triggers and reads them back without what only the loader or
// Normalize knows (positions, the file, the Parsed texts), writes no
// "functions" or "triggers" key for a model without any (so older
// snapshots keep their bytes and ids), and that a function or trigger
// changes the snapshot's id.
func TestSnapshotFunctions(t *testing.T) {
	plain := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "docs", Columns: []*schema.Column{
		{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true},
	}}}}
	plainID, plainData := migrations.MarshalSnapshot(migrations.ZeroID, plain)
	if strings.Contains(string(plainData), `"functions"`) || strings.Contains(string(plainData), `"triggers"`) {
		t.Errorf("a model without functions or triggers writes their keys:\n%s", plainData)
	}

	withFunction := plain.Clone()
	withFunction.Functions = []*schema.Function{{
		Schema: "public", Name: "touch", Signature: "( ) RETURNS trigger",
		Definition:      "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
		ParsedSignature: "() RETURNS trigger", ParsedDefinition: "()\n RETURNS trigger", File: "sql/touch.sql", Pos: schema.Position{Line: 3},
	}}
	fnID, _ := migrations.MarshalSnapshot(migrations.ZeroID, withFunction)
	if fnID == plainID {
		t.Errorf("a function does not change the snapshot id")
	}
	withTrigger := withFunction.Clone()
	withTrigger.Tables[0].Triggers = []schema.Trigger{{
		Name: "docs_touch", Timing: schema.TriggerBefore, Events: []string{"update"}, Columns: []string{"id"}, Row: true,
		When: "new.id > 0", ParsedWhen: "(new.id > 0)", FunctionSchema: "public", Function: "touch", Args: []string{"it's"},
		Pos: schema.Position{Line: 9},
	}}
	id, data := migrations.MarshalSnapshot(migrations.ZeroID, withTrigger)
	if id == fnID {
		t.Errorf("a trigger does not change the snapshot id")
	}
	s, err := migrations.ParseSnapshot(data)
	if err != nil {
		t.Fatal(err)
	}
	want := withTrigger.Clone()
	f := want.Functions[0]
	f.ParsedSignature, f.ParsedDefinition, f.File, f.Pos = "", "", "", schema.Position{}
	want.Tables[0].Triggers[0].ParsedWhen, want.Tables[0].Triggers[0].Pos = "", schema.Position{}
	if diff := cmp.Diff(want, s.Model); diff != "" {
		t.Errorf("the snapshot reads back as another model (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(migrations.Strip(withTrigger), s.Model); diff != "" {
		t.Errorf("the snapshot reads back as another model than Strip's (-want +got):\n%s", diff)
	}
}
