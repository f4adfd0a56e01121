package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/introspect"
)

// TestPullFunctions pulls a database with functions, a procedure and
// triggers: pull writes each function's statement in a file next to the
// schema and the triggers as markers, its baseline builds the same
// database (the trigger touches updated_at there too), check finds no
// drift, and push replaces a function whose file changed, drops a trigger
// whose marker went and, with --force only, a function whose marker went,
// after which it has nothing to do.
func TestPullFunctions(t *testing.T) {
	p, url := newPullProject(t, "functions.sql")
	code, stdout, stderr := p.run("", "pull", "--database-url", url, "--strict", "--baseline")
	if code != exitOK || stderr != "" {
		t.Fatalf("pull --strict: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	sql, err := os.ReadFile(filepath.Join(p.dir, "migrations", "0000_baseline.sql"))
	if err != nil {
		t.Fatal(err)
	}
	fn, table, trigger := strings.Index(string(sql), `FUNCTION "public"."touch_updated_at"`),
		strings.Index(string(sql), `CREATE TABLE "public"."documents"`), strings.Index(string(sql), `CREATE TRIGGER "documents_touch"`)
	if fn < 0 || table < fn || trigger < table {
		t.Errorf("the baseline does not create the function, then the table, then the trigger:\n%s", sql)
	}

	fresh, _, got := rebuildPulled(t, p, url, introspect.Options{})
	if len(got.Functions) != 5 {
		t.Errorf("the database built from the baseline has %d functions, want 5", len(got.Functions))
	}
	if n := queryInt(t, fresh, `WITH d AS (INSERT INTO documents (id, title, updated_at) VALUES (1, 'a', '2000-01-01') RETURNING id),
		u AS (UPDATE documents SET title = 'b' WHERE id = 1 RETURNING updated_at)
		SELECT count(*)::int FROM d`); n != 1 {
		t.Fatalf("insert: %d rows", n)
	}
	if n := queryInt(t, fresh, `WITH u AS (UPDATE documents SET title = 'b' WHERE id = 1 RETURNING updated_at)
		SELECT count(*)::int FROM u WHERE updated_at > '2001-01-01'`); n != 1 {
		t.Errorf("the trigger of the database built from the baseline did not touch updated_at")
	}
	code, stdout, stderr = p.run("", "check", "--schema", "schema", "--database-url", url)
	if code != exitOK {
		t.Errorf("check after pull: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	// The function's body changes and a trigger goes: push replaces the
	// one and drops the other, and check is clean again.
	file := filepath.Join(p.dir, "schema", "sql", "touch_updated_at.sql")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "NEW.updated_at := now();", "NEW.updated_at := now() + interval '1 day';", 1)
	if edited == string(src) {
		t.Fatalf("%s does not hold the body expected:\n%s", file, src)
	}
	writeFile(t, file, edited)
	goFile := filepath.Join(p.dir, "schema", "schema.go")
	gsrc, err := os.ReadFile(goFile)
	if err != nil {
		t.Fatal(err)
	}
	line := "//mizzle:trigger documents_log AFTER INSERT OR DELETE EXECUTE FUNCTION audit.log('it''s', 'a\\b', '42')\n"
	if !strings.Contains(string(gsrc), line) {
		t.Fatalf("schema.go does not declare the trigger as expected:\n%s", gsrc)
	}
	fnLine := "//mizzle:function \"Weird Name\" file:sql/weird_name.sql\n"
	if !strings.Contains(string(gsrc), fnLine) {
		t.Fatalf("schema.go does not declare the function as expected:\n%s", gsrc)
	}
	writeFile(t, goFile, strings.Replace(strings.Replace(string(gsrc), line, "", 1), fnLine, "", 1))
	// Dropping a function the schema no longer declares is a loss push
	// does not take without --force.
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url)
	if code == exitOK || !strings.Contains(stdout+stderr, `drops function "public"."Weird Name", which the schema does not declare`) {
		t.Errorf("push dropping a function without --force: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, `SELECT count(*)::int FROM pg_proc WHERE proname = 'Weird Name'`); n != 1 {
		t.Errorf("push without --force dropped the function")
	}
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url, "--force")
	if code != exitOK || !strings.Contains(stdout+stderr, `CREATE OR REPLACE FUNCTION "public"."touch_updated_at"()`) ||
		!strings.Contains(stdout+stderr, `DROP TRIGGER "documents_log" ON "public"."documents";`) ||
		!strings.Contains(stdout+stderr, `DROP FUNCTION "public"."Weird Name"();`) {
		t.Errorf("push: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, "SELECT count(*)::int FROM pg_trigger WHERE tgname = 'documents_log'"); n != 0 {
		t.Errorf("the trigger is still there after push")
	}
	// Pushed again, nothing is left to do: the replaced function compares
	// equal as PostgreSQL prints it.
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url, "--force")
	if code != exitOK || strings.Contains(stdout+stderr, "FUNCTION") || strings.Contains(stdout+stderr, "TRIGGER") {
		t.Errorf("push again: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestPullKeepsForeignSQL: pull does not overwrite a SQL file it did not
// write, unless told to.
func TestPullKeepsForeignSQL(t *testing.T) {
	p, url := newPullProject(t, "functions.sql")
	mine := filepath.Join(p.dir, "schema", "sql", "touch_updated_at.sql")
	writeFile(t, mine, "-- mine\n")
	code, stdout, stderr := p.run("", "pull", "--database-url", url)
	if code == exitOK || !strings.Contains(stderr, "already holds SQL files that pull did not write (sql/touch_updated_at.sql)") {
		t.Errorf("pull over a SQL file of the user's: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if data, _ := os.ReadFile(mine); string(data) != "-- mine\n" {
		t.Errorf("the user's file was changed:\n%s", data)
	}
	if code, stdout, stderr := p.run("", "pull", "--database-url", url, "--force"); code != exitOK {
		t.Errorf("pull --force: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
