package introspect_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrations"
)

// BenchmarkPushNoop1000 is the database side of a push that has nothing
// to do, on 1,000 tables with row-level security, a policy and comments
// each (noopSchema): part=inspect+plan reads the database (counting the
// queries, which must be introspect.Queries) and plans it against the
// schema's model, which must give no statement (part=plan is the plan
// alone, without the database); part=normalize is the
// rest of what push does with the database, reading the schema's
// expressions back through it (introspect.Normalize). The schema's model
// is the database's own, read once before the timer, as push would have it
// after Normalize. Loading the Go package is timed by the loader's
// benchmarks.
func BenchmarkPushNoop1000(b *testing.B) {
	const tables = 1000
	ctx := context.Background()
	conn := pgtest.Connect(b)
	if _, err := conn.Exec(ctx, noopSchema(tables)); err != nil {
		b.Fatal(err)
	}
	want, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if n := len(want.Tables); n != tables {
		b.Fatalf("read %d tables, want %d", n, tables)
	}
	b.Run("part=inspect+plan", func(b *testing.B) {
		b.ReportAllocs()
		queries := 0
		for b.Loop() {
			q := &countingQuerier{q: conn}
			got, _, err := introspect.Inspect(ctx, q, introspect.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if q.n != introspect.Queries {
				b.Fatalf("Inspect issued %d queries, want introspect.Queries = %d", q.n, introspect.Queries)
			}
			queries += q.n
			p, err := migrations.NewPlan(got, want, migrations.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if !p.Empty() {
				b.Fatalf("a push with nothing to do plans %d statements, the first %s", len(p.Statements), p.Statements[0].SQL)
			}
		}
		b.ReportMetric(float64(queries)/float64(b.N), "queries/op")
	})
	b.Run("part=plan", func(b *testing.B) {
		got, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			p, err := migrations.NewPlan(got, want, migrations.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if !p.Empty() {
				b.Fatalf("a push with nothing to do plans %d statements", len(p.Statements))
			}
		}
	})
	b.Run("part=normalize", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			norm, err := introspect.Normalize(ctx, conn, want)
			if err != nil {
				b.Fatal(err)
			}
			if n := len(norm.Tables); n != tables {
				b.Fatalf("normalized %d tables, want %d", n, tables)
			}
		}
	})
}

// noopSchema is generateSchema's n tables with a comment on each table and
// on one of its columns.
func noopSchema(n int) string {
	var b strings.Builder
	b.WriteString(generateSchema(n))
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "COMMENT ON TABLE t%04d IS 'table %d, with row-level security';\n", i, i)
		fmt.Fprintf(&b, "COMMENT ON COLUMN t%04d.name IS 'the name of row %d''s owner';\n", i, i)
		// A view per table goes here once views are in the model (the
		// issue asks for one), e.g.
		// CREATE VIEW v%04d AS SELECT id, name FROM t%04d WHERE amount > 0;
		// with the check below counting them.
	}
	return b.String()
}

// TestNoopSchema keeps the benchmark's schema what it says: every table
// has row security, a policy and its comments, read in introspect.Queries
// queries.
func TestNoopSchema(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.Connect(t)
	if _, err := conn.Exec(ctx, noopSchema(20)); err != nil {
		t.Fatal(err)
	}
	q := &countingQuerier{q: conn}
	m, lost, err := introspect.Inspect(ctx, q, introspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if q.n != introspect.Queries {
		t.Errorf("Inspect issued %d queries, want introspect.Queries = %d", q.n, introspect.Queries)
	}
	if len(lost) > 0 {
		t.Errorf("lost: %v", lost)
	}
	if len(m.Tables) != 20 {
		t.Fatalf("read %d tables, want 20", len(m.Tables))
	}
	for _, tb := range m.Tables {
		if !tb.RowSecurity.Enabled || len(tb.Policies) != 1 || tb.Comment == "" || tb.Column("name").Comment == "" {
			t.Errorf("table %s: row security %+v, %d policies, comment %q, column comment %q; want each set",
				tb.Name, tb.RowSecurity, len(tb.Policies), tb.Comment, tb.Column("name").Comment)
		}
	}
	if p, err := migrations.NewPlan(m, m, migrations.Options{}); err != nil || !p.Empty() {
		t.Errorf("the model planned against itself: %v, %v", p, err)
	}
}
