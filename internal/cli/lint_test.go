package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/migrations"
)

// TestLintCommand lints a project's migrations: the first creates the
// table, so it needs no care; the second indexes it and adds a required
// column, which lint reports with the file, line and fix, and exits 1.
func TestLintCommand(t *testing.T) {
	p := newProject(t, usersV1)
	if code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations"); code != exitOK {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	if code, stdout, stderr := p.run("", "lint"); code != exitOK || stdout != "1 migration linted: 0 errors, 0 warnings.\n" {
		t.Fatalf("lint of the first migration: exit %d\n%s%s", code, stdout, stderr)
	}

	p.writeSchema(strings.Replace(usersV1, "//mizzle:table", "//mizzle:table\n//mizzle:index user_name_idx (name)", 1))
	// generate writes the findings above the statement and says them.
	code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations", "--name", "index")
	if code != exitOK || strings.Count(stderr, "lint: ../migrations/0001_index.sql:5:1: error ") != 2 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	if sql := p.files()["0001_index.sql"]; !strings.HasPrefix(sql, "-- LINT error lock-timeout: ") || !strings.Contains(sql, "\n--   fix: build it with CREATE INDEX CONCURRENTLY") {
		t.Errorf("the generated migration:\n%s", sql)
	}
	var stdout string
	code, stdout, stderr = p.run("", "lint")
	want := `migrations/0001_index.sql:5:1: error lock-timeout: CREATE INDEX waits for a lock on "public"."user" with no lock_timeout: while it waits, every later query on the table waits behind it
	CREATE INDEX "user_name_idx" ON "public"."user" ("name")
	fix: set tableLockTimeout: 2s in mizzle.yaml, which migrate sets for every migration (with --retries it tries again later), or start the migration with SET LOCAL lock_timeout = '2s';
migrations/0001_index.sql:5:1: error index-not-concurrent: CREATE INDEX on the existing table "public"."user" blocks its inserts, updates and deletes until the index is built
	CREATE INDEX "user_name_idx" ON "public"."user" ("name")
	fix: build it with CREATE INDEX CONCURRENTLY, alone in a migration that starts with -- mizzle:no-transaction
2 migrations linted: 2 errors, 0 warnings.
`
	if code != exitFailure || stdout != want || stderr != "" {
		t.Errorf("lint: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, stdout, want, stderr)
	}

	// --latest and --since choose the migrations; --json prints them
	// for CI with the same exit code.
	if code, stdout, _ := p.run("", "lint", "--since", "0001_index"); code != exitOK || !strings.HasPrefix(stdout, "0 migrations linted") {
		t.Errorf("lint --since the last: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = p.run("", "lint", "--latest", "1", "--json")
	var got struct {
		Findings []migrations.Finding
		Linted   int
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != exitFailure || got.Linted != 1 || len(got.Findings) != 2 ||
		got.Findings[1].Code != "index-not-concurrent" || got.Findings[1].File != "migrations/0001_index.sql" {
		t.Errorf("lint --latest 1 --json: exit %d, %v\n%s", code, err, stdout)
	}

	// A lock_timeout that migrate sets for every migration satisfies the
	// lock-timeout rule.
	p.writeFile("mizzle.yaml", "tableLockTimeout: 2s\n")
	code, stdout, _ = p.run("", "lint")
	if code != exitFailure || strings.Contains(stdout, "lock-timeout") || !strings.HasSuffix(stdout, "1 error, 0 warnings.\n") {
		t.Errorf("lint with tableLockTimeout in mizzle.yaml: exit %d\n%s", code, stdout)
	}
	if err := os.Remove(filepath.Join(p.dir, "mizzle.yaml")); err != nil {
		t.Fatal(err)
	}

	// A reason recorded above the statement silences both; lint passes
	// and still shows them.
	sql := "-- mizzle:lint-ignore lock-timeout,index-not-concurrent the table is created empty in this release\n" + p.files()["0001_index.sql"]
	p.writeFile("migrations/0001_index.sql", sql)
	code, stdout, _ = p.run("", "lint")
	if code != exitOK || !strings.Contains(stdout, "ignored: the table is created empty in this release") || !strings.HasSuffix(stdout, "0 errors, 0 warnings, 2 ignored.\n") {
		t.Errorf("lint with the findings ignored: exit %d\n%s", code, stdout)
	}
}

// TestLintUsage: flags that cannot work are refused before anything is
// read, each naming the flag.
func TestLintUsage(t *testing.T) {
	p := newProject(t, usersV1)
	if code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations"); code != exitOK {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--latest", "0"}, "--latest 0: give a number of migrations, 1 or more"},
		{[]string{"--latest", "1", "--since", "x"}, "--latest and --since both choose the migrations to lint: give one"},
		{[]string{"--since", "0042_nope"}, "--since 0042_nope: the journal of migrations has no such migration"},
		{[]string{"--pg-version", "3"}, "--pg-version 3: give the server's major version, such as 16"},
		{[]string{"--migrations", "nowhere"}, "--migrations nowhere: "},
	} {
		code, _, stderr := p.run("", append([]string{"lint"}, tt.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("lint %v: exit %d, stderr %q; want usage error %q", tt.args, code, stderr, tt.want)
		}
	}
	// With --json a usage error is a JSON document too.
	code, stdout, _ := p.run("", "lint", "--json", "--latest", "0")
	var doc struct{ Error struct{ ExitCode int } }
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != exitUsage || doc.Error.ExitCode != exitUsage {
		t.Errorf("lint --json --latest 0: exit %d, %v\n%s", code, err, stdout)
	}
	code, stdout, _ = p.run("", "lint", "--rules")
	if code != exitOK || len(strings.Split(strings.TrimSpace(stdout), "\n")) != len(migrations.LintRules) || !strings.Contains(stdout, "lock-timeout") {
		t.Errorf("lint --rules: exit %d\n%s", code, stdout)
	}
}

// writeFile writes a file of the project, its path relative to the
// project.
func (p *project) writeFile(name, data string) {
	p.t.Helper()
	if err := os.WriteFile(filepath.Join(p.dir, name), []byte(data), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// withoutLint is a generated migration without the lint comments generate
// writes above its statements, for tests about the statements.
func withoutLint(sql string) string {
	var b strings.Builder
	for line := range strings.Lines(sql) {
		if !strings.HasPrefix(line, "-- LINT ") && !strings.HasPrefix(line, "--   fix: ") {
			b.WriteString(line)
		}
	}
	return b.String()
}
