package studio_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/studio"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// driftReply is GET /api/drift's answer as the page reads it.
type driftReply struct {
	Available        bool
	Reason           string
	Drift            bool
	DriftReason      string `json:"drift_reason"`
	Normalized       bool
	Note             string
	Changes          []struct{ Kind string }
	Statements       []struct{ SQL, Kind, Warning string }
	MigrationsFolder bool   `json:"migrations_folder"`
	MigrationsReason string `json:"migrations_reason"`
	Migrations       []struct {
		Tag       string
		Applied   bool
		AppliedAt *string `json:"applied_at"`
		InFolder  bool    `json:"in_folder"`
	}
	Problems []string
}

func getDrift(t *testing.T, ts *testStudio) driftReply {
	t.Helper()
	body, code := ts.get(t, "/api/drift")
	if code != http.StatusOK {
		t.Fatalf("GET /api/drift: status %d: %v", code, body)
	}
	data, _ := json.Marshal(body)
	var r driftReply
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDriftUnavailable(t *testing.T) {
	ts := newStudio(t, "")
	r := getDrift(t, ts)
	if r.Available || !strings.Contains(r.Reason, "--schema") || !strings.Contains(r.Reason, "--migrations") {
		t.Errorf("got available %v, reason %q; want unavailable, naming both flags", r.Available, r.Reason)
	}
}

// shopModel is the Go schema of testdata/drift/shop.txtar, and the
// statements that create it.
func shopModel(t *testing.T) (*schema.Model, string) {
	t.Helper()
	m := testmod.Load(t, filepath.Join("testdata", "drift", "shop.txtar"))
	p, err := migrations.NewPlan(nil, m, migrations.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var sql []string
	for _, s := range p.Statements {
		sql = append(sql, s.SQL)
	}
	return m, strings.Join(sql, ";\n")
}

// statementsOf lists the kinds and first lines of r's statements.
func statementsOf(r driftReply) []string {
	var out []string
	for _, s := range r.Statements {
		line, _, _ := strings.Cut(s.SQL, "\n")
		out = append(out, s.Kind+": "+line)
	}
	return out
}

// TestDrift compares a database built from the Go schema (no drift), then
// the same database changed by hand, and checks that the studio planned
// without changing the database.
func TestDrift(t *testing.T) {
	m, create := shopModel(t)
	ts := newStudio(t, create, func(o *studio.Options) { o.Model = m })
	r := getDrift(t, ts)
	if !r.Available || !r.Drift || !r.Normalized || r.Note != "" {
		t.Fatalf("got %+v, want drift, normalized", r)
	}
	if len(r.Statements) != 0 || len(r.Changes) != 0 {
		t.Errorf("a database built from the schema drifts: %v", statementsOf(r))
	}
	if r.MigrationsFolder || !strings.Contains(r.MigrationsReason, "--migrations") {
		t.Errorf("migrations: folder %v, reason %q; want none, naming the flag", r.MigrationsFolder, r.MigrationsReason)
	}

	ctx := context.Background()
	if _, err := ts.DB.Exec(ctx, `ALTER TABLE customer DROP COLUMN status; ALTER TABLE purchase ADD COLUMN note text`); err != nil {
		t.Fatal(err)
	}
	r = getDrift(t, ts)
	want := []string{
		`drop column: ALTER TABLE "public"."purchase" DROP COLUMN "note";`,
		`add column: ALTER TABLE "public"."customer" ADD COLUMN "status" text DEFAULT 'active' NOT NULL;`,
	}
	if diff := cmp.Diff(want, statementsOf(r)); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
	if len(r.Changes) != 2 || r.Changes[0].Kind != "drop column" || r.Changes[1].Kind != "add column" {
		t.Errorf("changes = %+v", r.Changes)
	}
	if r.Statements[0].Warning == "" {
		t.Error("dropping a column carries no warning")
	}
	// Planned, never applied, and the scratch schemas are gone.
	var status, shadows int
	if err := ts.DB.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM information_schema.columns WHERE table_name = 'customer' AND column_name = 'status'),
		(SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'mizzle\_shadow\_%')`).Scan(&status, &shadows); err != nil {
		t.Fatal(err)
	}
	if status != 0 || shadows != 0 {
		t.Errorf("the database changed: %d status columns, %d scratch schemas", status, shadows)
	}
}

// TestDriftReadOnly checks that a read-only studio does not build the
// schema in scratch schemas (that transaction writes), still plans, and
// says that a spelling may differ.
func TestDriftReadOnly(t *testing.T) {
	m, create := shopModel(t)
	ts := newStudio(t, create+"; ALTER TABLE customer DROP COLUMN email", func(o *studio.Options) { o.Model = m; o.ReadOnly = true })
	r := getDrift(t, ts)
	if !r.Drift || r.Normalized || !strings.Contains(r.Note, "read-only") || !strings.Contains(r.Note, "spelling") {
		t.Fatalf("drift %v, normalized %v, note %q: want a plan not normalized, saying why", r.Drift, r.Normalized, r.Note)
	}
	got := strings.Join(statementsOf(r), "\n")
	if !strings.Contains(got, `add column: ALTER TABLE "public"."customer" ADD COLUMN "email" text NOT NULL;`) {
		t.Errorf("statements lack the column email:\n%s", got)
	}
	body, _ := ts.get(t, "/api/log")
	for _, e := range body["entries"].([]any) {
		if sql := e.(map[string]any)["sql"].(string); strings.Contains(sql, "scratch") {
			t.Errorf("a read-only studio built scratch schemas: %s", sql)
		}
	}
}

// migrationsFolder writes a folder of the given migrations (tag → SQL),
// in order, and returns its path.
func migrationsFolder(t *testing.T, tags []string, sql map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	j := &migrate.Journal{Version: migrate.JournalVersion, Dialect: "postgresql"}
	for i, tag := range tags {
		j.Entries = append(j.Entries, migrate.JournalEntry{Idx: i, Version: migrate.JournalVersion, When: int64(1_700_000_000_000 + i), Tag: tag, Breakpoints: true})
		if err := os.WriteFile(filepath.Join(dir, tag+".sql"), []byte(sql[tag]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "meta"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "meta", "_journal.json"), j.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDriftMigrations lists a folder's migrations against the history
// table: one applied (with its time), one pending, and a row of the
// history the folder does not list, which is also a problem.
func TestDriftMigrations(t *testing.T) {
	sql := map[string]string{
		"0000_init":  "CREATE TABLE a (id int PRIMARY KEY);",
		"0001_b":     "CREATE TABLE b (id int PRIMARY KEY);",
		"0002_later": "CREATE TABLE c (id int PRIMARY KEY);",
	}
	dir := migrationsFolder(t, []string{"0000_init", "0001_b"}, sql)
	ts := newStudio(t, "", func(o *studio.Options) { o.Migrations = dir })
	// The database applied 0000 and, from another branch, 0002.
	applied := migrationsFolder(t, []string{"0000_init", "0002_later"}, sql)
	d, err := migrate.Open(os.DirFS(applied))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(context.Background(), ts.DB, migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	r := getDrift(t, ts)
	if !r.Available || !r.MigrationsFolder || r.Drift || !strings.Contains(r.DriftReason, "--schema") {
		t.Fatalf("got %+v, want the migrations and no drift", r)
	}
	var got []string
	for _, m := range r.Migrations {
		s := m.Tag
		if m.Applied {
			s += " applied"
			if m.AppliedAt == nil || !strings.HasSuffix(*m.AppliedAt, "Z") {
				t.Errorf("%s: applied_at %v, want a UTC time", m.Tag, m.AppliedAt)
			}
		} else if m.AppliedAt != nil {
			t.Errorf("%s: pending, applied_at %q", m.Tag, *m.AppliedAt)
		}
		if !m.InFolder {
			s += " (not in the folder)"
		}
		got = append(got, s)
	}
	want := []string{"0000_init applied", "0001_b", "0002_later applied (not in the folder)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("migrations (-want +got):\n%s", diff)
	}
	if len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "0002_later") {
		t.Errorf("problems = %q, want the migration the folder does not list", r.Problems)
	}
}

// TestDriftMigrationsProblems reports a folder that does not read, and an
// applied file that changed, as problems naming the file.
func TestDriftMigrationsProblems(t *testing.T) {
	t.Run("broken journal", func(t *testing.T) {
		dir := migrationsFolder(t, []string{"0000_init"}, map[string]string{"0000_init": "SELECT 1;"})
		if err := os.WriteFile(filepath.Join(dir, "meta", "_journal.json"), []byte(`{"entries": [`), 0o644); err != nil {
			t.Fatal(err)
		}
		ts := newStudio(t, "", func(o *studio.Options) { o.Migrations = dir })
		r := getDrift(t, ts)
		if len(r.Problems) == 0 || !strings.Contains(r.Problems[0], filepath.Join(dir, "meta", "_journal.json")) {
			t.Errorf("problems = %q, want the journal named", r.Problems)
		}
	})
	t.Run("changed file", func(t *testing.T) {
		dir := migrationsFolder(t, []string{"0000_init"}, map[string]string{"0000_init": "CREATE TABLE a (id int);"})
		ts := newStudio(t, "", func(o *studio.Options) { o.Migrations = dir })
		d, err := migrate.Open(fstest.MapFS{
			"0000_init.sql":      {Data: []byte("CREATE TABLE a (id int);")},
			"meta/_journal.json": {Data: mustRead(t, filepath.Join(dir, "meta", "_journal.json"))},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Apply(context.Background(), ts.DB, migrate.Options{}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "0000_init.sql"), []byte("CREATE TABLE a (id bigint);"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := getDrift(t, ts)
		if len(r.Problems) != 1 || !strings.Contains(r.Problems[0], filepath.Join(dir, "0000_init.sql")) {
			t.Errorf("problems = %q, want the changed file named", r.Problems)
		}
		if len(r.Migrations) != 1 || !r.Migrations[0].Applied {
			t.Errorf("migrations = %+v, want 0000_init applied", r.Migrations)
		}
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestDriftRoleCannotCreate checks that a role that may not create
// schemas still gets the plan, compared as written, with the reason.
func TestDriftRoleCannotCreate(t *testing.T) {
	m, create := shopModel(t)
	role := fmt.Sprintf("drift_reader_%d", time.Now().UnixNano())
	ts := newStudio(t, create+"; CREATE ROLE "+role+" LOGIN; ALTER TABLE customer DROP COLUMN email", func(o *studio.Options) {
		o.Model = m
		o.Conn.User = role
	})
	t.Cleanup(func() {
		ts.Close()
		if _, err := ts.DB.Exec(context.Background(), "DROP ROLE "+role); err != nil {
			t.Errorf("dropping the role: %v", err)
		}
	})
	r := getDrift(t, ts)
	if !r.Drift || r.Normalized || !strings.Contains(r.Note, "may not create schemas") {
		t.Fatalf("drift %v, normalized %v, note %q: want a plan not normalized, saying why", r.Drift, r.Normalized, r.Note)
	}
	if got := strings.Join(statementsOf(r), "\n"); !strings.Contains(got, `ADD COLUMN "email"`) {
		t.Errorf("statements lack the column email:\n%s", got)
	}
}

// TestDriftMigrationsDrizzle reads the history from drizzle-orm's table
// when told to, as migrate does: without History, every migration would
// show as pending. drizzle-orm records no time of application.
func TestDriftMigrationsDrizzle(t *testing.T) {
	sql := map[string]string{"0000_init": "CREATE TABLE a (id int PRIMARY KEY);", "0001_b": "CREATE TABLE b (id int PRIMARY KEY);"}
	dir := migrationsFolder(t, []string{"0000_init", "0001_b"}, sql)
	ts := newStudio(t, "", func(o *studio.Options) {
		o.Migrations = dir
		o.History = migrate.Options{Drizzle: true}
	})
	d, err := migrate.Open(os.DirFS(migrationsFolder(t, []string{"0000_init"}, sql)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(context.Background(), ts.DB, migrate.Options{Drizzle: true}); err != nil {
		t.Fatal(err)
	}
	r := getDrift(t, ts)
	var got []string
	for _, m := range r.Migrations {
		got = append(got, fmt.Sprintf("%s %v %v", m.Tag, m.Applied, m.AppliedAt))
	}
	want := []string{"0000_init true <nil>", "0001_b false <nil>"}
	if diff := cmp.Diff(want, got); diff != "" || len(r.Problems) != 0 {
		t.Errorf("migrations (-want +got):\n%s\nproblems: %q", diff, r.Problems)
	}
}

// TestDriftSchemaDoesNotBuild reports a Go schema this database cannot
// create (a check calling a function it lacks) as an error saying so, with the server's
// message, and changes nothing.
func TestDriftSchemaDoesNotBuild(t *testing.T) {
	dir, env := testmod.Write(t, &txtar.Archive{Files: []txtar.File{{Name: "schema.go", Data: []byte(`package schema

//mizzle:table
type Tag struct {
	ID   int64  ` + "`db:\"id,pk\"`" + `
	Name string ` + "`db:\"name,check:no_such_function(name)\"`" + `
}
`)}}})
	m, err := loader.Load(context.Background(), loader.Config{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	ts := newStudio(t, "", func(o *studio.Options) { o.Model = m })
	body, code := ts.get(t, "/api/drift")
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422: %v", code, body)
	}
	e := body["error"].(map[string]any)
	if msg := e["message"].(string); !strings.Contains(msg, "does not build on this database") || !strings.Contains(msg, "function no_such_function(text) does not exist") {
		t.Errorf("message = %q", msg)
	}
	if e["code"] != "42883" {
		t.Errorf("code = %v, want 42883", e["code"])
	}
	var shadows int
	if err := ts.DB.QueryRow(context.Background(), `SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'mizzle\_shadow\_%'`).Scan(&shadows); err != nil || shadows != 0 {
		t.Errorf("%d scratch schemas left (%v)", shadows, err)
	}
}
