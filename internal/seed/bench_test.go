package seed_test

import (
	"context"
	"testing"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/seed"
)

// BenchmarkSeed seeds 1,000,000 rows over the example's schema, scaled:
// 10,000 trading models and 990,000 orders (a uuid key, a foreign key
// picked among the models, a symbol, a numeric(18,8) quantity, a JSON
// exit plan, an enum, a nullable timestamp and a nullable float), into a
// fresh database. Each iteration is a whole Load with Reset: TRUNCATE,
// COPY of both tables, sequences, ANALYZE, commit. gen is the rows made
// without a database, to show what generating costs apart from
// PostgreSQL.
func BenchmarkSeed(b *testing.B) {
	ctx := context.Background()
	m, err := loader.Load(ctx, loader.Config{Dir: "../../examples/trading/schema"})
	if err != nil {
		b.Fatal(err)
	}
	opts := seed.Options{Seed: 1, Tables: map[string]seed.Table{"Models": {Count: 10_000}, "Orders": {Count: 990_000}}}
	const rows = 1_000_000

	b.Run("gen", func(b *testing.B) {
		for b.Loop() {
			p, err := seed.New(m, opts)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for _, t := range p.Tables {
				r := p.Rows(t)
				for r.Next() {
					n++
				}
				if err := r.Err(); err != nil {
					b.Fatal(err)
				}
			}
			if n != rows {
				b.Fatalf("%d rows", n)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("load", func(b *testing.B) {
		conn := create(b, m)
		for b.Loop() {
			p, err := seed.New(m, opts)
			if err != nil {
				b.Fatal(err)
			}
			written, err := seed.Load(ctx, conn, p, seed.LoadOptions{Reset: resetOf(b, conn, p)})
			if err != nil {
				b.Fatal(err)
			}
			if written[0].Rows+written[1].Rows != rows {
				b.Fatalf("wrote %v", written)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
