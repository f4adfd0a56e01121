package goschema

import (
	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// partitionMarkers writes a partitioned table's key as
// //mizzle:partition and each partition as //mizzle:partition-of, with
// its bound as PostgreSQL prints it.
func (w *writer) partitionMarkers(t *schema.Table) []string {
	p := t.Partition
	if p == nil {
		return nil
	}
	out := []string{"//mizzle:partition " + grammar.FormatPartitionBy(p)}
	for i := range p.Partitions {
		part := &p.Partitions[i]
		part.Bound = w.oneLine(part.Bound, "the bound of partition "+quote.Ident(t.Schema, part.Name))
		out = append(out, "//mizzle:partition-of "+grammar.FormatPartitionOf(*part))
	}
	return out
}
