package goschema_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/internal/goschema"
	"github.com/mizzle/mizzle/schema"
)

// TestPartitions writes partitioned tables, with a quoted key column, a
// partition whose name needs quotes and a bound that spans lines, and
// loads them back to the model written.
func TestPartitions(t *testing.T) {
	m := &schema.Model{Tables: []*schema.Table{
		{
			Schema: "public", Name: "events",
			Columns: []*schema.Column{
				{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true},
				{Name: "At", Type: schema.Type{Name: "date"}, NotNull: true},
			},
			PrimaryKey: &schema.PrimaryKey{Name: "events_pkey", Columns: []string{"id", "At"}},
			Partition: &schema.Partitioning{Strategy: schema.PartitionRange, Columns: []string{"At", "id"}, Partitions: []schema.Partition{
				{Name: "events 2026", Bound: "FOR VALUES FROM ('2026-01-01', MINVALUE) TO ('2027-01-01', MAXVALUE)"},
				{Name: "events_rest", Bound: schema.DefaultBound},
				{Name: "events_x", Bound: "FOR VALUES FROM ('2020-01-01', 0) TO\n('2020-02-01', 0)"},
			}},
		},
		{
			Schema: "public", Name: "blobs",
			Columns: []*schema.Column{{Name: "id", Type: schema.Type{Name: "bigint"}, NotNull: true}},
			Partition: &schema.Partitioning{Strategy: schema.PartitionHash, Columns: []string{"id"}, Partitions: []schema.Partition{
				{Name: "blobs_0", Bound: schema.FormatHashBound(2, 0)},
			}},
		},
		{
			Schema: "public", Name: "shops",
			Columns:   []*schema.Column{{Name: "region", Type: schema.Type{Name: "text"}, NotNull: true}},
			Partition: &schema.Partitioning{Strategy: schema.PartitionList, Columns: []string{"region"}},
		},
	}}
	res, err := goschema.Write(m, goschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := string(res.Files[0].Data)
	for _, want := range []string{
		`//mizzle:partition BY RANGE ("At", id)`,
		`//mizzle:partition-of "events 2026" FOR VALUES FROM ('2026-01-01', MINVALUE) TO ('2027-01-01', MAXVALUE)`,
		`//mizzle:partition-of events_rest DEFAULT`,
		`//mizzle:partition-of events_x FOR VALUES FROM ('2020-01-01', 0) TO ('2020-02-01', 0)`,
		`//mizzle:partition BY HASH (id)`,
		`//mizzle:partition-of blobs_0 FOR VALUES WITH (modulus 2, remainder 0)`,
		`//mizzle:partition BY LIST (region)`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("the package has no line %s:\n%s", want, src)
		}
	}
	got := load(t, res.Files)
	for _, tn := range []string{"events", "blobs", "shops"} {
		w, g := res.Model.Table("public", tn), got.Table("public", tn)
		g.Partition.Pos = schema.Position{}
		for i := range g.Partition.Partitions {
			g.Partition.Partitions[i].Pos = schema.Position{}
		}
		if diff := cmp.Diff(w.Partition, g.Partition); diff != "" {
			t.Errorf("%s: partitioning (-written +loaded):\n%s", tn, diff)
		}
	}
}
