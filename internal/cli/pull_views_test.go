package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/introspect"
)

// TestPullViews pulls a database with views and materialized views (pull
// once reported them as lost): nothing is warned about, the migrations it
// writes build them in an empty database, check finds no drift, a query
// edited in the schema is drift for check and a change for push, and a
// view whose struct no longer matches its query is an error at the struct.
func TestPullViews(t *testing.T) {
	p, url := newPullProject(t, "views.sql")
	code, stdout, stderr := p.run("", "pull", "--database-url", url, "--strict", "--baseline")
	if code != exitOK || stderr != "" {
		t.Fatalf("pull --strict: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	_, _, got := rebuildPulled(t, p, url, introspect.Options{Schemas: []string{"public", "billing"}})
	if len(got.Views) != 3 {
		t.Errorf("the database built from the pulled migrations has %d views, want 3", len(got.Views))
	}

	code, stdout, stderr = p.run("", "check", "--schema", "schema", "--database-url", url)
	if code != exitOK {
		t.Errorf("check after pull: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	file := filepath.Join(p.dir, "schema", "schema.go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(from, to string) {
		t.Helper()
		s := string(src)
		edited := strings.Replace(s, from, to, 1)
		if edited == s {
			t.Fatalf("schema.go has no %q:\n%s", from, s)
		}
		src = []byte(edited)
		writeFile(t, file, edited)
	}

	// Another query: drift, then pushed.
	edit("WHERE (docs.mood = 'ok'::mood)`", "WHERE mood = 'meh'`")
	code, stdout, stderr = p.run("", "check", "--schema", "schema", "--database-url", url)
	if code == exitOK || !strings.Contains(stdout+stderr, `CREATE OR REPLACE VIEW "billing"."active"`) {
		t.Errorf("check after editing a query: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url)
	if code != exitOK {
		t.Fatalf("push: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got := query(t, dbConn(t, url), "SELECT pg_get_viewdef('billing.active'::regclass)"); !strings.Contains(got, "'meh'") {
		t.Errorf("after push, the view's query is %q", got)
	}
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url, "--dry-run")
	if want := "Nothing to push: the database matches the schema.\n"; code != exitOK || stdout != want {
		t.Errorf("push --dry-run after push: exit %d\nstdout:\n%s\nstderr:\n%s\nwant stdout:\n%s", code, stdout, stderr, want)
	}

	// A struct that no longer matches its query.
	edit("Tick  *string `db:\"tick\"`", "Tick  *int64 `db:\"tick\"`")
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url)
	if code == exitOK || !strings.Contains(stdout+stderr, `schema.go:`) ||
		!strings.Contains(stdout+stderr, `view "titles": column "tick" is text in the query, but the struct declares bigint`) {
		t.Errorf("push with a struct that does not match its query: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
