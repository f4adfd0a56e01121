package introspect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestCorpus loads each schema of the shared corpus, creates it in a fresh
// database, and checks that introspection gives the loaded model back, apart
// from what a database cannot know (positions, Go types, doc comments, rename
// hints) and the text of expressions, which PostgreSQL deparses in its own
// words. That text goes to testdata/introspect/<case>.json for review.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("../../testdata/schemas/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas in the corpus: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			loaded := testmod.Load(t, file)
			conn := pgtest.Connect(t)
			apply(t, conn, loaded)

			got, unsupported, err := introspect.Inspect(ctx, conn, introspect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(unsupported) > 0 {
				t.Errorf("unsupported objects reported: %q", unsupported)
			}
			golden.Check(t, filepath.Join("..", "..", "testdata", "introspect", name+".json"), marshal(t, got))

			want := migrations.Strip(loaded)
			if diff := cmp.Diff(maskExprs(want), maskExprs(got.Clone())); diff != "" {
				t.Errorf("introspected model differs from the loaded one (-loaded +introspected):\n%s", diff)
			}
		})
	}
}

// TestCases runs the SQL of each testdata/*.txtar archive's setup.sql
// section in a fresh database and compares what Inspect reads with its
// want.json section (rewritten with -update). An optional schemas section
// lists Options.Schemas, one a line.
//
// Unless the case filters schemas or has a no-fixpoint section (for models
// mizzle knowingly cannot recreate; the archive's comment says why), it also
// creates the introspected model in
// a second database with the migrations package and introspects that: the
// result must be the same model, expression text included, which shows that
// what introspection returns is something mizzle can create.
func TestCases(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var setup string
			var opts introspect.Options
			fixpoint := true
			for _, f := range ar.Files {
				switch f.Name {
				case "setup.sql":
					setup = string(f.Data)
				case "schemas":
					opts.Schemas = strings.Fields(string(f.Data))
					fixpoint = false
				case "no-fixpoint":
					fixpoint = false
				}
			}
			if setup == "" {
				t.Fatal("no setup.sql section")
			}
			ctx := context.Background()
			url := pgtest.NewDatabase(t)
			conns := connectN(t, url, 3)
			conn := conns[0]
			if _, err := conn.Exec(ctx, setup); err != nil {
				t.Fatalf("setup.sql: %v", err)
			}
			m, lost, err := introspect.Inspect(ctx, conn, opts)
			if err != nil {
				t.Fatal(err)
			}
			// Read on three connections at once, the same.
			popts := opts
			popts.Parallel = []introspect.Querier{conns[1], conns[2]}
			pm, plost, err := introspect.Inspect(ctx, conn, popts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(m, pm); diff != "" {
				t.Errorf("read in parallel, the model differs (-one connection +three):\n%s", diff)
			}
			if diff := cmp.Diff(lost, plost); diff != "" {
				t.Errorf("read in parallel, what is lost differs (-one connection +three):\n%s", diff)
			}
			var unsupported []string
			for _, l := range lost {
				unsupported = append(unsupported, l.String())
			}
			out := marshal(t, struct {
				Model       *schema.Model `json:"model"`
				Unsupported []string      `json:"unsupported,omitempty"`
			}{m, unsupported})
			golden.CheckSection(t, file, ar, "want.json", out)

			if !fixpoint {
				return
			}
			// The model creates its extensions itself.
			again := pgtest.Connect(t)
			apply(t, again, m)
			m2, _, err := introspect.Inspect(ctx, again, introspect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(m, m2); diff != "" {
				t.Errorf("introspect, create, introspect is not a fixpoint (-first +second):\n%s", diff)
			}
		})
	}
}

// TestQueryCount proves that the number of queries does not depend on the
// size of the database.
func TestQueryCount(t *testing.T) {
	for _, tables := range []int{1, 50} {
		t.Run(fmt.Sprintf("%d tables", tables), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			conn := pgtest.Connect(t)
			if _, err := conn.Exec(ctx, generateSchema(tables)); err != nil {
				t.Fatal(err)
			}
			q := &countingQuerier{q: conn}
			m, _, err := introspect.Inspect(ctx, q, introspect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Tables) != tables {
				t.Errorf("read %d tables, want %d", len(m.Tables), tables)
			}
			if q.n != introspect.Queries {
				t.Errorf("Inspect issued %d queries, want introspect.Queries = %d", q.n, introspect.Queries)
			}
		})
	}
}

// connectN opens n connections to url, closed at cleanup.
func connectN(t *testing.T, url string, n int) []*pgx.Conn {
	t.Helper()
	var conns []*pgx.Conn
	for range n {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(context.Background()) })
		conns = append(conns, conn)
	}
	return conns
}

// TestQueryCountParallel: read on several connections, Inspect still
// issues introspect.Queries queries in all.
func TestQueryCountParallel(t *testing.T) {
	ctx := context.Background()
	conns := connectN(t, pgtest.NewDatabase(t), 3)
	if _, err := conns[0].Exec(ctx, generateSchema(20)); err != nil {
		t.Fatal(err)
	}
	var qs []*countingQuerier
	for _, c := range conns {
		qs = append(qs, &countingQuerier{q: c})
	}
	m, _, err := introspect.Inspect(ctx, qs[0], introspect.Options{Parallel: []introspect.Querier{qs[1], qs[2]}})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Tables) != 20 {
		t.Errorf("read %d tables, want 20", len(m.Tables))
	}
	n := 0
	for i, q := range qs {
		if q.n == 0 {
			t.Errorf("connection %d was given no query", i)
		}
		n += q.n
	}
	if n != introspect.Queries {
		t.Errorf("Inspect issued %d queries, want introspect.Queries = %d", n, introspect.Queries)
	}
}

// TestErrorsParallel: a query that fails on any of the connections fails
// Inspect with what was being read, and when Inspect returns it uses none
// of the connections any more.
func TestErrorsParallel(t *testing.T) {
	ctx := context.Background()
	for _, failing := range []int{0, 1, 2} {
		t.Run(fmt.Sprintf("connection %d", failing), func(t *testing.T) {
			conns := connectN(t, pgtest.NewDatabase(t), 3)
			qs := []introspect.Querier{conns[0], conns[1], conns[2]}
			// The first connection runs the schemas query before the rest:
			// it fails the query after.
			after := 0
			if failing == 0 {
				after = 1
			}
			qs[failing] = &failingQuerier{q: conns[failing], after: after, err: errBoom}
			m, lost, err := introspect.Inspect(ctx, qs[0], introspect.Options{Parallel: qs[1:]})
			if err == nil || !errors.Is(err, errBoom) || !strings.HasPrefix(err.Error(), "introspect: reading ") {
				t.Fatalf("Inspect: %v, want an error saying what was being read and wrapping %v", err, errBoom)
			}
			if m != nil || lost != nil {
				t.Errorf("results returned with an error")
			}
			for i, c := range conns {
				var one int
				if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
					t.Errorf("connection %d after Inspect returned: %v", i, err)
				}
			}
		})
	}
	t.Run("cancelled context", func(t *testing.T) {
		conns := connectN(t, pgtest.NewDatabase(t), 2)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, _, err := introspect.Inspect(cctx, conns[0], introspect.Options{Parallel: []introspect.Querier{conns[1]}})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Inspect: %v, want context.Canceled", err)
		}
	})
}

// TestErrors checks that a failing query comes back as an error that says
// what was being read and wraps the cause.
func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T) (context.Context, introspect.Querier)
		is      error
	}{
		{
			name: "cancelled context",
			prepare: func(t *testing.T) (context.Context, introspect.Querier) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, pgtest.Connect(t)
			},
			is: context.Canceled,
		},
		{
			name: "closed connection",
			prepare: func(t *testing.T) (context.Context, introspect.Querier) {
				conn := pgtest.Connect(t)
				if err := conn.Close(context.Background()); err != nil {
					t.Fatal(err)
				}
				return context.Background(), conn
			},
		},
		{
			name: "failure after the first query",
			prepare: func(t *testing.T) (context.Context, introspect.Querier) {
				return context.Background(), &failingQuerier{q: pgtest.Connect(t), after: 2, err: errBoom}
			},
			is: errBoom,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, q := tt.prepare(t)
			m, unsupported, err := introspect.Inspect(ctx, q, introspect.Options{})
			if err == nil {
				t.Fatalf("Inspect succeeded (%d tables, %d unsupported), want an error", len(m.Tables), len(unsupported))
			}
			if !strings.HasPrefix(err.Error(), "introspect: reading ") {
				t.Errorf("error %q does not say what was being read", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q does not wrap %v", err, tt.is)
			}
			if m != nil || unsupported != nil {
				t.Errorf("results returned with an error")
			}
		})
	}
}

var errBoom = errors.New("boom")

// countingQuerier counts the queries it passes on.
type countingQuerier struct {
	q introspect.Querier
	n int
}

func (c *countingQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	c.n++
	return c.q.Query(ctx, sql, args...)
}

// failingQuerier fails every query after the first few.
type failingQuerier struct {
	q     introspect.Querier
	after int
	n     int
	err   error
}

func (f *failingQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	f.n++
	if f.n > f.after {
		return nil, f.err
	}
	return f.q.Query(ctx, sql, args...)
}

// apply creates m in the database behind conn.
func apply(t *testing.T, conn *pgx.Conn, m *schema.Model) {
	t.Helper()
	stmts, err := migrations.SQL(migrations.Create(m))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := conn.Exec(context.Background(), s.SQL); err != nil {
			t.Fatalf("%s\n%v", s.SQL, err)
		}
	}
}

// maskExprs replaces the text of every expression with a placeholder, so
// that models compare equal when they have expressions in the same places.
func maskExprs(m *schema.Model) *schema.Model {
	mask := func(s *string) {
		if *s != "" {
			*s = "<expr>"
		}
	}
	for _, t := range m.Tables {
		for _, c := range t.Columns {
			mask(&c.Default)
			mask(&c.Generated)
		}
		for i := range t.Checks {
			mask(&t.Checks[i].Expr)
		}
		for i := range t.Policies {
			mask(&t.Policies[i].Using)
			mask(&t.Policies[i].WithCheck)
		}
		for i := range t.Triggers {
			mask(&t.Triggers[i].When)
		}
		if p := t.Partition; p != nil {
			for i := range p.Partitions {
				mask(&p.Partitions[i].Bound)
			}
		}
		for i := range t.Indexes {
			ix := &t.Indexes[i]
			mask(&ix.Where)
			for j := range ix.Elements {
				mask(&ix.Elements[j].Expr)
			}
		}
	}
	// A function's text is PostgreSQL's; its arguments for DROP too.
	for _, f := range m.Functions {
		mask(&f.Signature)
		mask(&f.Definition)
		mask(&f.Args)
	}
	for _, v := range m.Views {
		mask(&v.Definition)
		for i := range v.Indexes {
			ix := &v.Indexes[i]
			mask(&ix.Where)
			for j := range ix.Elements {
				mask(&ix.Elements[j].Expr)
			}
		}
	}
	return m
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // keep <> readable in expressions
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// What the documentation of Querier promises. (*pgxpool.Pool has the same
// Query method; pgxpool is not a dependency of this module.)
var (
	_ introspect.Querier = (*pgx.Conn)(nil)
	_ introspect.Querier = pgx.Tx(nil)
)
