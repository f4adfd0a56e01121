package migrations_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// TestSnapshotSequences checks that sequences and the options of identity
// columns are database state: a snapshot keeps them and reads them back
// (rename hints and positions left out), a model without any writes no
// "sequences" or "sequence" key (so snapshots written before sequences
// existed read the same and hash alike), and they change the snapshot's id.
func TestSnapshotSequences(t *testing.T) {
	plain := &schema.Model{Tables: []*schema.Table{{Schema: "public", Name: "docs", Columns: []*schema.Column{
		{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true, Identity: schema.IdentityByDefault},
	}}}}
	plainID, plainData := migrations.MarshalSnapshot(migrations.ZeroID, plain)
	if strings.Contains(string(plainData), `"sequence`) {
		t.Errorf("a model without sequences writes a sequence key:\n%s", plainData)
	}

	start, min := int64(100), int64(-5)
	m := plain.Clone()
	m.Tables[0].Columns[0].Sequence = &schema.SequenceOptions{Start: &start, Increment: 5}
	m.Sequences = []*schema.Sequence{
		{Schema: "public", Name: "invoice_seq", Type: "bigint", Was: "old_seq", Pos: schema.Position{Line: 3}},
		{Schema: "public", Name: "down_seq", Type: "integer", Options: &schema.SequenceOptions{Increment: -1, MinValue: &min, Cycle: true}},
	}
	id, data := migrations.MarshalSnapshot(migrations.ZeroID, m)
	if id == plainID {
		t.Errorf("sequences do not change the snapshot id")
	}
	if strings.Contains(string(data), "old_seq") {
		t.Errorf("the snapshot keeps a rename hint:\n%s", data)
	}
	s, err := migrations.ParseSnapshot(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(migrations.Strip(m), s.Model); diff != "" {
		t.Errorf("the snapshot reads back as another model (-want +got):\n%s", diff)
	}
	if s.Model.Sequences[0].Name != "down_seq" {
		t.Errorf("sequences are not sorted by name: %+v", s.Model.Sequences)
	}

	// A snapshot edited into options PostgreSQL refuses is refused.
	bad := strings.Replace(string(data), `"minValue": -5`, `"minValue": 5`, 1)
	if bad == string(data) {
		t.Fatalf("no minValue to edit in:\n%s", data)
	}
	if _, err := migrations.ParseSnapshot([]byte(bad)); err == nil || !strings.Contains(err.Error(), `sequence "public"."down_seq": MINVALUE 5 must be less than MAXVALUE -1`) {
		t.Errorf("ParseSnapshot of a snapshot with impossible sequence options: %v", err)
	}
}
