package cli

import (
	"fmt"
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
