package introspect_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/cli"
	"github.com/mizzle/mizzle/internal/goschema"
	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// BenchmarkPushNoop1000 is a push that has nothing to do, on 1,000 tables
// with row-level security, a policy, comments and a view each
// (noopSchema).
//
// part=push is the whole push as the command runs it (cli.Do): load the
// schema package that pull would write for the database, connect, read
// the database, normalize the schema's model, plan, and say there is
// nothing to push, which it must. With cache=warm the model cache and
// Normalize's answers hold the schema (a push repeated without a change);
// with cache=cold each push starts from an empty cache directory (the
// first push: the go command loads the package and every table and view
// is built in scratch schemas).
//
// The other parts time pieces of it on the database's own model:
// part=inspect+plan reads the database (counting the queries, which must
// be introspect.Queries) and plans, which must give no statement;
// part=plan is the plan alone; part=normalize is introspect.Normalize,
// which builds everything, and part=normalize/cache=warm is
// NormalizeCached with every answer kept.
func BenchmarkPushNoop1000(b *testing.B) {
	const tables = 1000
	ctx := context.Background()
	url := pgtest.NewDatabase(b)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
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
	b.Run("part=normalize/cache=warm", func(b *testing.B) {
		cache := b.TempDir()
		if _, err := introspect.NormalizeCached(ctx, conn, want, cache); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			norm, err := introspect.NormalizeCached(ctx, conn, want, cache)
			if err != nil {
				b.Fatal(err)
			}
			if n := len(norm.Tables); n != tables {
				b.Fatalf("normalized %d tables, want %d", n, tables)
			}
		}
	})
	// The whole push, as the command runs it.
	dir := noopProject(b, want)
	b.Run("part=push/cache=warm", func(b *testing.B) {
		b.Setenv("MIZZLE_CACHE", b.TempDir())
		args := []string{"push", "--schema", dir, "--database-url", url}
		noopPush(b, args)
		b.ReportAllocs()
		for b.Loop() {
			noopPush(b, args)
		}
	})
	b.Run("part=push/cache=cold", func(b *testing.B) {
		args := []string{"push", "--schema", dir, "--database-url", url}
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			cache := b.TempDir()
			b.StartTimer()
			b.Setenv("MIZZLE_CACHE", cache)
			noopPush(b, args)
		}
	})
}

// noopProject writes m as the schema package pull would write for it, in
// a module of its own, and sets the go command's environment for loading
// it offline for the rest of tb.
func noopProject(tb testing.TB, m *schema.Model) string {
	tb.Helper()
	res, err := goschema.Write(m, goschema.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if len(res.Warnings) > 0 {
		tb.Fatalf("the schema package leaves things out: %v", res.Warnings)
	}
	ar := &txtar.Archive{}
	for _, f := range res.Files {
		ar.Files = append(ar.Files, txtar.File{Name: "schema/" + f.Name, Data: f.Data})
	}
	dir, env := testmod.Write(tb, ar)
	// The command's loader reads the process's environment.
	for _, kv := range env {
		if k, v, _ := strings.Cut(kv, "="); os.Getenv(k) != v {
			tb.Setenv(k, v)
		}
	}
	return filepath.Join(dir, "schema")
}

// noopPush runs the command line args, a push, and fails tb unless it
// found nothing to do.
func noopPush(tb testing.TB, args []string) {
	tb.Helper()
	var stdout, stderr strings.Builder
	code := cli.Do(args, strings.NewReader(""), &stdout, &stderr)
	if code != 0 || stdout.String() != "Nothing to push: the database matches the schema.\n" {
		tb.Fatalf("%s: exit %d, want a push with nothing to do\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
}

// noopSchema is generateSchema's n tables with a comment on each table and
// on one of its columns, and a view of each.
func noopSchema(n int) string {
	var b strings.Builder
	b.WriteString(generateSchema(n))
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "COMMENT ON TABLE t%04d IS 'table %d, with row-level security';\n", i, i)
		fmt.Fprintf(&b, "COMMENT ON COLUMN t%04d.name IS 'the name of row %d''s owner';\n", i, i)
		fmt.Fprintf(&b, "CREATE VIEW v%04d AS SELECT id, name FROM t%04d WHERE amount > 0;\n", i, i)
	}
	return b.String()
}

// TestNoopSchema keeps the benchmark's schema what it says: every table
// has row security, a policy, its comments and a view, read in
// introspect.Queries queries.
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
	if len(m.Views) != 20 {
		t.Errorf("read %d views, want 20", len(m.Views))
	}
	for _, v := range m.Views {
		if len(v.Columns) != 2 || v.Definition == "" {
			t.Errorf("view %s: %d columns, query %q; want 2 columns and a query", v.Name, len(v.Columns), v.Definition)
		}
	}
	if p, err := migrations.NewPlan(m, m, migrations.Options{}); err != nil || !p.Empty() {
		t.Errorf("the model planned against itself: %v, %v", p, err)
	}
}

// TestNoopPush runs the benchmark's whole push on a small schema: the
// package pull writes for the database pushes nothing, with the model
// cache and without.
func TestNoopPush(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, noopSchema(5)); err != nil {
		t.Fatal(err)
	}
	m, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := noopProject(t, m)
	t.Setenv("MIZZLE_CACHE", t.TempDir())
	args := []string{"push", "--schema", dir, "--database-url", url}
	noopPush(t, args) // fills the caches
	noopPush(t, args) // reads them
	noopPush(t, append(args, "--no-cache"))
}
