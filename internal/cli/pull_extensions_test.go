package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/introspect"
)

// TestPullExtensions pulls a database with a citext column, a pg_trgm
// operator class and btree_gist in a schema of its own. The migrations pull
// writes once failed on an empty database (type "citext" does not exist):
// now they create the extensions first, and build the same database.
// Removing an extension from the schema drops it, with a warning.
func TestPullExtensions(t *testing.T) {
	p, url := newPullProject(t, "extensions.sql")
	code, stdout, stderr := p.run("", "pull", "--database-url", url, "--strict", "--baseline")
	if code != exitOK || stderr != "" {
		t.Fatalf("pull --strict: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	sql, err := os.ReadFile(filepath.Join(p.dir, "migrations", "0000_baseline.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(sql), "CREATE SCHEMA \"gist\";\n--> statement-breakpoint\nCREATE EXTENSION IF NOT EXISTS \"btree_gist\" SCHEMA \"gist\";") {
		t.Errorf("the baseline does not start by creating the extensions:\n%s", sql)
	}

	_, _, got := rebuildPulled(t, p, url, introspect.Options{})
	if len(got.Extensions) != 3 {
		t.Errorf("the database built from the baseline has extensions %+v, want 3", got.Extensions)
	}
	code, stdout, stderr = p.run("", "check", "--schema", "schema", "--database-url", url)
	if code != exitOK {
		t.Errorf("check after pull: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	// pg_trgm removed from the schema with the index that uses its
	// operator class: push drops the index, then the extension, saying
	// what that does.
	file := filepath.Join(p.dir, "schema", "schema.go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "//mizzle:extension pg_trgm\n", "", 1)
	edited = strings.Replace(edited, "//mizzle:index people_nick_trgm USING gin (nick gin_trgm_ops)\n", "", 1)
	if len(edited) != len(src)-len("//mizzle:extension pg_trgm\n//mizzle:index people_nick_trgm USING gin (nick gin_trgm_ops)\n") {
		t.Fatalf("schema.go does not declare pg_trgm and the index as expected:\n%s", src)
	}
	writeFile(t, file, edited)
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url, "--force")
	if code != exitOK || !strings.Contains(stdout+stderr, `DROP EXTENSION "pg_trgm";`) ||
		!strings.Contains(stdout+stderr, `drops extension "pg_trgm"`) {
		t.Errorf("push without pg_trgm: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, "SELECT count(*)::int FROM pg_extension WHERE extname = 'pg_trgm'"); n != 0 {
		t.Errorf("pg_trgm is still installed after push")
	}
}
