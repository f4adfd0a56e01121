package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// rlsDatabase has row level security on many tables, most of them without
// a policy (where it keeps every row from every role but the owner), some
// forced, and policies of each kind: the shape of a real schema whose RLS a
// pull once lost on every table, so that a database rebuilt from the
// baseline let every role read every row.
func rlsDatabase() string {
	var b strings.Builder
	for i := range 12 {
		fmt.Fprintf(&b, "CREATE TABLE t%02d (id bigint PRIMARY KEY, tenant bigint NOT NULL);\n", i)
		switch {
		case i%4 == 3:
			// no row security
		case i%3 == 0:
			fmt.Fprintf(&b, "ALTER TABLE t%02d ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;\n", i)
		default:
			fmt.Fprintf(&b, "ALTER TABLE t%02d ENABLE ROW LEVEL SECURITY;\n", i)
		}
	}
	b.WriteString(`CREATE POLICY t00_read ON t00 FOR SELECT TO pg_monitor, pg_read_all_stats USING (tenant = current_setting('app.tenant')::bigint);
CREATE POLICY t00_write ON t00 FOR INSERT WITH CHECK (tenant > 0);
CREATE POLICY t00_guard ON t00 AS RESTRICTIVE USING (tenant <> 13) WITH CHECK (tenant <> 13);
CREATE POLICY t01_all ON t01 USING (EXISTS (SELECT 1 FROM t02 WHERE t02.id = t01.id));
CREATE POLICY t03_ignored ON t03 FOR UPDATE USING (true) WITH CHECK (id > 0);
`)
	return b.String()
}

// TestPullRowSecurity pulls a database with row level security on many
// tables, with and without policies: pull --strict names nothing as lost,
// generate then finds nothing to do, check no drift, push nothing to do, and the baseline applied to an
// empty database gives back the same tables, row security and policies.
func TestPullRowSecurity(t *testing.T) {
	p, url := newPullProject(t, rlsDatabase())
	code, stdout, stderr := p.run("", "pull", "--database-url", url, "--strict", "--baseline")
	if code != exitOK || stderr != "" {
		t.Fatalf("pull --strict --baseline: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run("schema", "generate", "--migrations", "../migrations")
	if code != exitOK || stdout != "No schema changes, nothing to migrate.\n" {
		t.Errorf("generate after pull: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run("", "check", "--schema", "schema", "--database-url", url)
	if code != exitOK || strings.Contains(stdout+stderr, "drift") {
		t.Errorf("check after pull: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url, "--dry-run")
	if want := "Nothing to push: the database matches the schema.\n"; code != exitOK || stdout != want {
		t.Errorf("push --dry-run after pull: exit %d\nstdout:\n%s\nstderr:\n%s\nwant stdout:\n%s", code, stdout, stderr, want)
	}

	empty := pgtest.NewDatabase(t)
	code, _, stderr = p.run("", "migrate", "--database-url", empty)
	if code != exitOK {
		t.Fatalf("migrate to an empty database: exit %d\n%s", code, stderr)
	}
	want := pgtest.Catalog(t, dbConn(t, url))
	// Both have mizzle's history table: the baseline is recorded as
	// applied to the pulled database.
	got := pgtest.Catalog(t, dbConn(t, empty))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the database rebuilt from the pulled baseline differs (-pulled +rebuilt):\n%s", diff)
	}
	var rls int
	for _, line := range got {
		if strings.HasPrefix(line, "row security ") {
			rls++
		}
	}
	if rls != 9 {
		t.Errorf("%d tables with row security rebuilt, want 9:\n%s", rls, strings.Join(got, "\n"))
	}
}

// TestMigratePolicyRoleMissing: mizzle references roles and never creates
// them, so a policy naming a role the database lacks fails where it is
// applied, with PostgreSQL's message and the statement that failed.
func TestMigratePolicyRoleMissing(t *testing.T) {
	p := newProject(t, `package schema

//mizzle:table
//mizzle:rls
//mizzle:policy doc_read TO mizzle_no_such_role USING (true)
type Doc struct {
	ID int64 `+"`db:\"id,pk\"`"+`
}
`)
	code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations")
	if code != exitOK {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	url := pgtest.NewDatabase(t)
	code, _, stderr = p.run("", "migrate", "--database-url", url)
	// The error is at the statement, in the file: its line is the
	// CREATE POLICY.
	const file = "0000_create_doc_and_more.sql"
	want := "migrations/" + file + ":8:1: statement 3: ERROR: role \"mizzle_no_such_role\" does not exist"
	if code == exitOK || !strings.Contains(stderr, want) {
		t.Errorf("migrate: exit %d, stderr lacks %q:\n%s", code, want, stderr)
	}
	sql, err := os.ReadFile(filepath.Join(p.dir, "migrations", file))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(string(sql), "\n"); len(lines) < 8 ||
		lines[7] != `CREATE POLICY "doc_read" ON "public"."doc" TO "mizzle_no_such_role" USING (true);` {
		t.Errorf("line 8 of %s is not the CREATE POLICY:\n%s", file, sql)
	}
}

// rlsSchema has policies whose expressions PostgreSQL spells differently
// (casts, parentheses), so that push and check compare them as PostgreSQL
// parses them.
const rlsSchema = `package schema

//mizzle:table
//mizzle:rls force
//mizzle:policy doc_read FOR SELECT TO pg_monitor USING (tenant = current_setting('app.tenant')::bigint AND NOT archived)
//mizzle:policy doc_write AS RESTRICTIVE WITH CHECK (tenant > 0 OR tenant < -10)
type Doc struct {
	ID       int64 ` + "`db:\"id,pk\"`" + `
	Tenant   int64 ` + "`db:\"tenant\"`" + `
	Archived bool  ` + "`db:\"archived\"`" + `
}
`

// TestPushRowSecurity pushes row security and policies, then pushes again
// (nothing to do) and checks (no drift); then pushes the schema with RLS
// turned off and a policy gone, which warns before it weakens anything.
func TestPushRowSecurity(t *testing.T) {
	p := newProject(t, rlsSchema)
	url := pgtest.NewDatabase(t)
	code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", url)
	if code != exitOK || !strings.HasSuffix(stdout, "Pushed 5 statements.\n") {
		t.Fatalf("push: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run(".", "push", "--schema", "schema", "--database-url", url)
	if code != exitOK || stdout != "Nothing to push: the database matches the schema.\n" {
		t.Errorf("second push: exit %d\n%s%s", code, stdout, stderr)
	}
	if got := queryInt(t, url, "SELECT count(*) FROM pg_class WHERE relname = 'doc' AND relrowsecurity AND relforcerowsecurity"); got != 1 {
		t.Errorf("row security of doc not enabled and forced")
	}
	if got := queryInt(t, url, "SELECT count(*) FROM pg_policies WHERE tablename = 'doc'"); got != 2 {
		t.Errorf("doc has %d policies, want 2", got)
	}

	p.writeSchema(strings.NewReplacer("//mizzle:rls force\n", "", "//mizzle:policy doc_write AS RESTRICTIVE WITH CHECK (tenant > 0 OR tenant < -10)\n", "").Replace(rlsSchema))
	code, stdout, stderr = p.run(".", "push", "--schema", "schema", "--database-url", url, "--dry-run")
	for _, want := range []string{
		`DROP POLICY "doc_write" ON "public"."doc";`,
		`ALTER TABLE "public"."doc" DISABLE ROW LEVEL SECURITY;`,
		`disables row-level security on "public"."doc"`,
		`drops policy "doc_write" of "public"."doc"`,
	} {
		if code != exitOK || !strings.Contains(stdout+stderr, want) {
			t.Errorf("push --dry-run of weaker RLS: exit %d, output lacks %q:\n%s%s", code, want, stdout, stderr)
		}
	}
}
