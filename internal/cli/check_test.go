package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
)

func TestCheck(t *testing.T) {
	p := newProject(t, usersV1)
	if code, _, stderr := p.run(".", "generate", "--schema", "schema"); code != exitOK {
		t.Fatalf("generate: %s", stderr)
	}
	code, stdout, stderr := p.run(".", "check", "--schema", "schema")
	if code != exitOK || stdout != "OK: 1 migration, and the schema has nothing left to generate. No database was found, so none was checked.\n" {
		t.Errorf("check of a project in step: exit %d, %q %q", code, stdout, stderr)
	}

	// A forgotten go generate.
	p.writeSchema(strings.Replace(usersV1, "Name string", "Email *string `db:\"email\"`\n\tName string", 1))
	code, _, stderr = p.run(".", "check", "--schema", "schema")
	want := "schema: 1 statement not generated yet; run go generate (or mizzle generate) and commit the migration. " +
		"The first: ALTER TABLE \"public\".\"user\" ADD COLUMN \"email\" text;\n1 problem\n"
	if code != exitFailure || stderr != want {
		t.Errorf("forgotten generate: exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
	if code, _, stderr := p.run(".", "generate", "--schema", "schema"); code != exitOK {
		t.Fatalf("generate: %s", stderr)
	}

	// A SQL file the journal does not list, in JSON.
	os.WriteFile(filepath.Join(p.dir, "migrations", "0002_stray.sql"), []byte("SELECT 1;"), 0o644)
	code, stdout, _ = p.run(".", "check", "--schema", "schema", "--json")
	var out struct{ Problems []jsonFinding }
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("check --json printed %q: %v", stdout, err)
	}
	if code != exitFailure || len(out.Problems) != 1 || out.Problems[0].Kind != "folder" ||
		out.Problems[0].File != "migrations/0002_stray.sql" || !strings.HasPrefix(out.Problems[0].Message, "not listed in meta/_journal.json") {
		t.Errorf("unlisted file: exit %d, %+v", code, out.Problems)
	}
}

// TestCheckDrift migrates a database, changes it by hand and expects check
// to list exactly the manual changes.
func TestCheckDrift(t *testing.T) {
	schemaSrc := `package schema

// Status of a user.
type Status string

const (
	StatusActive Status = "active"
	StatusGone   Status = "gone"
)

//mizzle:table
//mizzle:check users_name_check (length(name) > 0)
type User struct {
	ID     int64  ` + "`db:\"id,pk,identity\"`" + `
	Name   string ` + "`db:\"name\"`" + `
	Status Status ` + "`db:\"status,default:'active'\"`" + `
}
`
	p := newProject(t, schemaSrc)
	if code, _, stderr := p.run(".", "generate", "--schema", "schema"); code != exitOK {
		t.Fatalf("generate: %s", stderr)
	}
	url := pgtest.NewDatabase(t)
	if code, _, stderr := p.run(".", "migrate", "--database-url", url); code != exitOK {
		t.Fatalf("migrate: %s", stderr)
	}
	// Defaults and checks read back in PostgreSQL's spelling; that is not
	// drift.
	code, stdout, stderr := p.run(".", "check", "--schema", "schema", "--database-url", url)
	if code != exitOK {
		t.Fatalf("check right after migrate: exit %d\n%s%s", code, stdout, stderr)
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{
		`ALTER TABLE "user" ADD COLUMN nickname text`,
		`ALTER TABLE "user" ALTER COLUMN status DROP DEFAULT`,
		`CREATE INDEX user_name_idx ON "user" (name)`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr = p.run(".", "check", "--schema", "schema", "--database-url", url)
	want := `drift: the database differs from its migrations: ALTER TABLE "public"."user" ALTER COLUMN "status" DROP DEFAULT;
drift: the database differs from its migrations: ALTER TABLE "public"."user" ADD COLUMN "nickname" text;
drift: the database differs from its migrations: CREATE INDEX "user_name_idx" ON "public"."user" ("name");
3 problems
`
	if code != exitFailure || stderr != want {
		t.Errorf("drift: exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
}

// TestCheckFixMergedBranches simulates two branches that each generated a
// migration on the same parent, merged with the journal keeping both
// entries and the clashing snapshot file keeping the first branch's.
func TestCheckFixMergedBranches(t *testing.T) {
	p := newProject(t, usersV1)
	p.run(".", "generate", "--schema", "schema")
	base := p.files()

	// The other branch adds "bio" and generates 0001_add_bio.
	p.writeSchema(strings.Replace(usersV1, "Name string", "Bio *string `db:\"bio\"`\n\tName string", 1))
	p.run(".", "generate", "--schema", "schema")
	other := p.files()

	// This branch, from the same parent, adds "email" and generates
	// 0001_add_email.
	os.RemoveAll(filepath.Join(p.dir, "migrations"))
	for name, data := range base {
		path := filepath.Join(p.dir, "migrations", filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(path), 0o755)
		os.WriteFile(path, []byte(data), 0o644)
	}
	both := strings.Replace(usersV1, "Name string", "Bio *string `db:\"bio\"`\n\tEmail *string `db:\"email\"`\n\tName string", 1)
	p.writeSchema(strings.Replace(usersV1, "Name string", "Email *string `db:\"email\"`\n\tName string", 1))
	p.run(".", "generate", "--schema", "schema")
	mine := p.files()

	// The merge: the other branch's files win where they clash, and the
	// journal lists both new entries, the other branch's first.
	for name, data := range other {
		os.WriteFile(filepath.Join(p.dir, "migrations", filepath.FromSlash(name)), []byte(data), 0o644)
	}
	var j struct {
		Version, Dialect string
		Entries          []map[string]any
	}
	json.Unmarshal([]byte(other["meta/_journal.json"]), &j)
	var jm struct{ Entries []map[string]any }
	json.Unmarshal([]byte(mine["meta/_journal.json"]), &jm)
	e := jm.Entries[1]
	e["idx"] = 2
	j.Entries = append(j.Entries, e)
	merged, _ := json.MarshalIndent(map[string]any{"version": j.Version, "dialect": j.Dialect, "entries": j.Entries}, "", "  ")
	os.WriteFile(filepath.Join(p.dir, "migrations", "meta", "_journal.json"), merged, 0o644)
	p.writeSchema(both)

	code, _, stderr := p.run(".", "check", "--schema", "schema")
	if code != exitFailure || !strings.Contains(stderr, "0001_add_email") {
		t.Fatalf("check of the merged folder: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := p.run(".", "check", "--schema", "schema", "--fix")
	want := "Dropped 0001_add_email, generated against an older state.\n" +
		"Wrote migrations/0002_add_email.sql against the merged schema. If you edited the dropped SQL by hand, carry your edits over.\n"
	if code != exitOK || stdout != want {
		t.Fatalf("check --fix: exit %d\n%s%s\nwant:\n%s", code, stdout, stderr, want)
	}
	files := p.files()
	if _, ok := files["0001_add_email.sql"]; ok {
		t.Errorf("the dropped migration's SQL file is still there")
	}
	if got := withoutLint(files["0002_add_email.sql"]); got != "ALTER TABLE \"public\".\"user\" ADD COLUMN \"email\" text;\n" {
		t.Errorf("regenerated migration:\n%s", got)
	}
	if files["0001_add_bio.sql"] != other["0001_add_bio.sql"] || files["meta/0001_snapshot.json"] != other["meta/0001_snapshot.json"] {
		t.Errorf("the other branch's migration changed")
	}
	if code, stdout, stderr := p.run(".", "check", "--schema", "schema"); code != exitOK {
		t.Errorf("check after --fix: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, _ := p.run(".", "check", "--schema", "schema", "--fix"); code != exitOK ||
		stdout != "Nothing to fix: every migration follows the one before it.\n" {
		t.Errorf("second --fix: exit %d %q", code, stdout)
	}
}

// TestCheckHistoryPosition reports a pending migration that would end its
// own transaction at its line and column, as migrate and status do, in the
// text and in the JSON.
func TestCheckHistoryPosition(t *testing.T) {
	p := newProject(t, usersV1)
	t.Setenv("DATABASE_URL", "")
	t.Setenv("PGSSLMODE", "")
	db := pgtest.NewDatabase(t)
	if code, _, stderr := p.run(".", "generate", "--schema", "schema"); code != exitOK {
		t.Fatalf("generate: %s", stderr)
	}
	if code, _, stderr := p.run(".", "generate", "--schema", "schema", "--custom", "--name", "c"); code != exitOK {
		t.Fatalf("generate --custom: %s", stderr)
	}
	custom, err := filepath.Glob(filepath.Join(p.dir, "migrations", "0001_*.sql"))
	if err != nil || len(custom) != 1 {
		t.Fatalf("the custom migration: %v %v", custom, err)
	}
	if err := os.WriteFile(custom[0], []byte("CREATE TABLE c1 (x int);\nCOMMIT;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "migrations/" + filepath.Base(custom[0]) + ":2:1: statement 2 (COMMIT) would end the transaction the migration runs in"
	_, _, stderr := p.run(".", "check", "--schema", "schema", "--database-url", db)
	if !strings.HasPrefix(stderr, want) {
		t.Errorf("check does not say %q:\n%s", want, stderr)
	}
	_, stdout, _ := p.run(".", "check", "--schema", "schema", "--database-url", db, "--json")
	var out struct{ Problems []jsonFinding }
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("check --json printed %q: %v", stdout, err)
	}
	file, msg, _ := strings.Cut(want, ": ")
	if len(out.Problems) != 1 || out.Problems[0].Kind != "history" || out.Problems[0].File != file || !strings.HasPrefix(out.Problems[0].Message, msg) {
		t.Errorf("check --json: %+v, want one history problem at %s", out.Problems, file)
	}
}

// TestCheckLintsPending: the migrations still pending on the database must
// pass lint for its server version; applied ones are history, never
// linted again.
func TestCheckLintsPending(t *testing.T) {
	p := newProject(t, usersV1)
	if code, _, stderr := p.run(".", "generate", "--schema", "schema"); code != exitOK {
		t.Fatalf("generate: %s", stderr)
	}
	url := pgtest.NewDatabase(t)
	if code, _, stderr := p.run(".", "migrate", "--database-url", url); code != exitOK {
		t.Fatalf("migrate: %s", stderr)
	}
	p.writeSchema(strings.Replace(usersV1, "//mizzle:table", "//mizzle:table\n//mizzle:index user_name_idx (name)", 1))
	if code, _, stderr := p.run(".", "generate", "--schema", "schema", "--name", "index"); code != exitOK {
		t.Fatalf("generate: %s", stderr)
	}
	code, _, stderr := p.run(".", "check", "--schema", "schema", "--database-url", url)
	want := `migrations/0001_index.sql:5:1: lock-timeout: CREATE INDEX waits for a lock on "public"."user" with no lock_timeout: while it waits, every later query on the table waits behind it (fix: set tableLockTimeout: 2s in mizzle.yaml, which migrate sets for every migration (with --retries it tries again later), or start the migration with SET LOCAL lock_timeout = '2s';)
migrations/0001_index.sql:5:1: index-not-concurrent: CREATE INDEX on the existing table "public"."user" blocks its inserts, updates and deletes until the index is built (fix: build it with CREATE INDEX CONCURRENTLY, alone in a migration that starts with -- mizzle:no-transaction)
2 problems
`
	if code != exitFailure || stderr != want {
		t.Errorf("check with a pending migration lint refuses: exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
	if code, _, stderr := p.run(".", "migrate", "--database-url", url); code != exitOK {
		t.Fatalf("migrate: %s", stderr)
	}
	if code, stdout, stderr := p.run(".", "check", "--schema", "schema", "--database-url", url); code != exitOK {
		t.Errorf("check once it is applied: exit %d\n%s%s", code, stdout, stderr)
	}
}
