package migrations_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// TestDiff runs the golden cases in testdata/diff. Each archive holds a
// schema package before and after a change (before/*.go, after/*.go; no
// before or no after means an empty database), optionally an "options"
// section, and the expected migration (want.sql) or error (want.err).
//
// A "seed.sql" section is run after the before schema is built, so the
// migration is applied to rows; a "check.sql" section is run after the
// migration and must succeed (raise an error in it to fail the case).
//
// Options, one per line: "drop-and-add", or "resolve NAME=OLD" to answer
// the ambiguity about NAME with OLD (empty for "a new object"), each
// spelled schema.name or name, as spell does.
//
// Besides the golden text, every case checks that the differ is stable
// (Diff of a model with itself is empty) and, on PostgreSQL, that the
// migration applies to a database built from the before schema and leaves
// it exactly as a database built from the after schema directly.
func TestDiff(t *testing.T) {
	files, err := filepath.Glob("testdata/diff/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in testdata/diff: %v", err)
	}
	dbs := &databases{parent: t}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir, env := testmod.Write(t, ar)
			before := &schema.Model{}
			if hasDir(ar, "before/") {
				before = load(t, filepath.Join(dir, "before"), env)
			}
			after := &schema.Model{}
			if hasDir(ar, "after/") {
				after = load(t, filepath.Join(dir, "after"), env)
			}
			opts := parseOptions(t, ar)

			for _, m := range []*schema.Model{before, after} {
				if cs, err := migrations.Diff(m, m, migrations.Options{}); err != nil || len(cs) != 0 {
					t.Errorf("Diff of a model with itself = %v, %v; want nothing", cs, err)
				}
			}

			changes, err := migrations.Diff(before, after, opts)
			if err != nil {
				golden.CheckSection(t, file, ar, "want.err", []byte(err.Error()+"\n"))
				return
			}
			stmts, err := migrations.SQL(changes)
			if err != nil {
				t.Fatal(err)
			}
			golden.CheckSection(t, file, ar, "want.sql", formatSQL(stmts))
			if section(ar, "want.err") != nil && !golden.Updating() {
				t.Errorf("want.err is set but Diff succeeded")
			}
			checkApplies(t, dbs, ar, before, after, stmts)
		})
	}
}

func hasDir(ar *txtar.Archive, prefix string) bool {
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, prefix) {
			return true
		}
	}
	return false
}

func section(ar *txtar.Archive, name string) *txtar.File {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			return &ar.Files[i]
		}
	}
	return nil
}

func load(t *testing.T, dir string, env []string) *schema.Model {
	t.Helper()
	m, err := loader.Load(context.Background(), loader.Config{Dir: dir, Env: env})
	if err != nil {
		t.Fatalf("loading %s: %v", filepath.Base(dir), err)
	}
	return m
}

// spell writes q as the options of a case name it: schema.name, or the
// name alone. The cases use no dots in names.
func spell(q migrations.QName) string {
	if q.Schema == "" {
		return q.Name
	}
	return q.Schema + "." + q.Name
}

func parseOptions(t *testing.T, ar *txtar.Archive) migrations.Options {
	t.Helper()
	f := section(ar, "options")
	if f == nil {
		return migrations.Options{}
	}
	var opts migrations.Options
	answers := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
		switch {
		case line == "drop-and-add":
			opts.DropAndAdd = true
		case strings.HasPrefix(line, "resolve "):
			n, o, ok := strings.Cut(strings.TrimPrefix(line, "resolve "), "=")
			if !ok {
				t.Fatalf("options: %q: want resolve NAME=OLD", line)
			}
			answers[n] = o
		default:
			t.Fatalf("options: unknown option %q", line)
		}
	}
	if len(answers) > 0 {
		opts.Resolve = func(a migrations.Ambiguity) (migrations.QName, error) {
			o, ok := answers[spell(a.Name)]
			if !ok {
				return migrations.QName{}, fmt.Errorf("no answer for %s", a)
			}
			if o == "" {
				return migrations.QName{}, nil
			}
			for _, c := range a.Candidates {
				if spell(c) == o {
					return c, nil
				}
			}
			return migrations.QName{}, fmt.Errorf("%s: %s is not a candidate", a, o)
		}
	}
	return opts
}

// formatSQL lays statements out as a migration file shows them.
func formatSQL(stmts []migrations.Statement) []byte {
	var b strings.Builder
	for i, s := range stmts {
		if i > 0 {
			b.WriteString("--> statement-breakpoint\n")
		}
		if s.Warning != "" {
			b.WriteString("-- WARNING: " + s.Warning + "\n")
		}
		b.WriteString(s.SQL + "\n")
	}
	return []byte(b.String())
}

// checkApplies builds the before schema in an empty database, applies the
// migration, and compares the result with the after schema built directly
// in the same database once it is emptied again.
func checkApplies(t *testing.T, dbs *databases, ar *txtar.Archive, before, after *schema.Model, stmts []migrations.Statement) {
	t.Helper()
	conn := dbs.get(t)
	defer dbs.put(t, conn)
	exec := func(what string, stmts []migrations.Statement) {
		t.Helper()
		for _, s := range stmts {
			if _, err := conn.Exec(context.Background(), s.SQL); err != nil {
				t.Fatalf("%s: %s\n%v", what, s.SQL, err)
			}
		}
	}
	build := func(what string, m *schema.Model) {
		t.Helper()
		create, err := migrations.SQL(migrations.Create(m))
		if err != nil {
			t.Fatal(err)
		}
		exec(what, create)
	}
	build("creating the after schema", after)
	want := pgtest.Catalog(t, conn)
	dbs.reset(t, conn)

	build("creating the before schema", before)
	if f := section(ar, "seed.sql"); f != nil {
		exec("seeding", []migrations.Statement{{SQL: string(f.Data)}})
	}
	exec("migrating", stmts)
	if f := section(ar, "check.sql"); f != nil {
		exec("checking", []migrations.Statement{{SQL: string(f.Data)}})
	}
	if diff := cmp.Diff(want, pgtest.Catalog(t, conn)); diff != "" {
		t.Errorf("migrated database differs from one created from the after schema (-created +migrated):\n%s", diff)
	}
}

// databases lends the parallel cases empty databases. Creating a database
// takes most of a case's time, so each is created once, for the parent
// test, and emptied between uses by dropping every schema in it.
type databases struct {
	parent *testing.T
	mu     sync.Mutex
	free   []*pgx.Conn
}

func (d *databases) get(t *testing.T) *pgx.Conn {
	t.Helper()
	d.mu.Lock()
	if n := len(d.free); n > 0 {
		conn := d.free[n-1]
		d.free = d.free[:n-1]
		d.mu.Unlock()
		return conn
	}
	d.mu.Unlock()
	// pgtest ties the database to the test it is made for; the parent
	// outlives every case, so the database can be reused.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.NewDatabase(d.parent))
	if err != nil {
		t.Fatalf("connecting to the test database: %v", err)
	}
	d.parent.Cleanup(func() { conn.Close(context.Background()) })
	d.reset(t, conn)
	return conn
}

// put empties the database and gives it back; a database left in an
// unknown state (the case failed halfway) is not reused.
func (d *databases) put(t *testing.T, conn *pgx.Conn) {
	if t.Failed() || !d.reset(t, conn) {
		return
	}
	d.mu.Lock()
	d.free = append(d.free, conn)
	d.mu.Unlock()
}

// reset drops every schema of the database, then creates public and the
// extensions the cases use.
func (d *databases) reset(t *testing.T, conn *pgx.Conn) bool {
	t.Helper()
	err := emptyDatabase(context.Background(), conn)
	if err != nil {
		t.Errorf("emptying the test database: %v", err)
		return false
	}
	return true
}

// emptyDatabase drops every schema of the database, with the extensions
// in them, then creates public.
func emptyDatabase(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, `
DO $$
DECLARE s name;
BEGIN
	FOR s IN SELECT nspname FROM pg_namespace
		WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_%'
	LOOP
		EXECUTE format('DROP SCHEMA %I CASCADE', s);
	END LOOP;
END $$;
CREATE SCHEMA public;`)
	return err
}
