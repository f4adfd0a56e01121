package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/introspect"
)

// TestPullComments pulls a database whose tables, columns and enum types
// have comments (pull once left them out without a word): nothing is
// warned about, the migrations it writes give an empty database the same
// comments, and a comment edited in the schema is drift for check and a
// change for push.
func TestPullComments(t *testing.T) {
	p, url := newPullProject(t, "comments.sql")
	code, stdout, stderr := p.run("", "pull", "--database-url", url, "--strict", "--baseline")
	if code != exitOK || stderr != "" {
		t.Fatalf("pull --strict: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	fresh, _, _ := rebuildPulled(t, p, url, introspect.Options{Schemas: []string{"public", "billing"}})
	conn := dbConn(t, fresh)
	for sql, want := range map[string]string{
		"SELECT obj_description('public.docs'::regclass, 'pg_class')":          "A tenant's documents.\nEach has a body: café, 東京.",
		"SELECT col_description('public.docs'::regclass, 5)":                   `"looks like a Go string"`,
		"SELECT obj_description('billing.state'::regtype, 'pg_type')":          "Where an invoice is.\n\nPaid ones are final.",
		"SELECT col_description('billing.invoices'::regclass, 2)":              "--> statement-breakpoint",
		"SELECT col_description('public.docs'::regclass, 3)":                   "  leading and trailing blanks\t",
		"SELECT obj_description('billing.invoices'::regclass, 'pg_class')":     "  \"quoted\"\n--> statement-breakpoint\nend",
		"SELECT col_description('public.docs'::regclass, 6)":                   "a `backquote`",
		"SELECT coalesce(col_description('public.docs'::regclass, 1), 'none')": "none",
	} {
		if got := query(t, conn, sql); got != want {
			t.Errorf("%s = %q, want %q", sql, got, want)
		}
	}

	// The pulled database is at the baseline.
	code, stdout, stderr = p.run("", "check", "--schema", "schema", "--database-url", url)
	if code != exitOK {
		t.Errorf("check after pull: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	// A comment edited in the schema: check reports it, push applies it.
	file := filepath.Join(p.dir, "schema", "schema.go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "comment:'what the user wrote, as written'", "comment:'the body'", 1)
	if edited == string(src) {
		t.Fatalf("schema.go has no body comment to edit:\n%s", src)
	}
	writeFile(t, file, edited)
	code, stdout, stderr = p.run("", "check", "--schema", "schema", "--database-url", url)
	if code == exitOK || !strings.Contains(stdout+stderr, `COMMENT ON COLUMN "public"."docs"."body" IS 'the body';`) {
		t.Errorf("check after editing a comment: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url)
	if code != exitOK {
		t.Fatalf("push: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got := query(t, dbConn(t, url), "SELECT col_description('public.docs'::regclass, 2)"); got != "the body" {
		t.Errorf("after push, the comment is %q", got)
	}
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url, "--dry-run")
	if want := "Nothing to push: the database matches the schema.\n"; code != exitOK || stdout != want {
		t.Errorf("push --dry-run after push: exit %d\nstdout:\n%s\nstderr:\n%s\nwant stdout:\n%s", code, stdout, stderr, want)
	}
}
