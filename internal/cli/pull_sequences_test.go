package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/introspect"
)

// TestPullSequences pulls a database whose column defaults draw from
// standalone sequences and whose identity and serial columns have sequence
// options. The baseline pull wrote once did not apply to an empty database
// (relation "invoice_number_seq" does not exist) and gave the identity
// columns the default options in silence: now it creates the sequences
// before the table, with their options and the columns', the defaults
// still draw from them, and check and push find nothing to do. Removing a
// sequence with the default that uses it drops it, as a loss push asks
// about.
func TestPullSequences(t *testing.T) {
	p, url := newPullProject(t, "sequences.sql")
	code, stdout, stderr := p.run("", "pull", "--database-url", url, "--strict", "--baseline")
	if code != exitOK || stderr != "" {
		t.Fatalf("pull --strict: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	sql, err := os.ReadFile(filepath.Join(p.dir, "migrations", "0000_baseline.sql"))
	if err != nil {
		t.Fatal(err)
	}
	create, table := strings.Index(string(sql), `CREATE SEQUENCE "public"."invoice_number_seq"`), strings.Index(string(sql), `CREATE TABLE "public"."invoices"`)
	if create < 0 || table < 0 || create > table {
		t.Errorf("the baseline does not create the sequences before the table:\n%s", sql)
	}

	fresh, _, got := rebuildPulled(t, p, url, introspect.Options{})
	if len(got.Sequences) != 4 {
		t.Errorf("the database built from the baseline has sequences %+v, want 4", got.Sequences)
	}
	ctx := context.Background()
	// The defaults draw from the sequences, which start where declared.
	fc := dbConn(t, fresh)
	if _, err := fc.Exec(ctx, "INSERT INTO invoices DEFAULT VALUES"); err != nil {
		t.Fatal(err)
	}
	var id, number int64
	var ticket, line int32
	var odd, copied int16
	if err := fc.QueryRow(ctx, "SELECT id, number, ticket, odd, line, copy FROM invoices").Scan(&id, &number, &ticket, &odd, &line, &copied); err != nil {
		t.Fatal(err)
	}
	if id != 100 || number != 1000 || ticket != 5 || odd != 10 || line != 10 || copied != 1 {
		t.Errorf("first row of the rebuilt database = id %d, number %d, ticket %d, odd %d, line %d, copy %d; want 100, 1000, 5, 10, 10, 1",
			id, number, ticket, odd, line, copied)
	}

	for _, cmd := range [][]string{
		{"check", "--schema", "schema", "--database-url", url},
		{"check", "--schema", "schema", "--database-url", fresh},
		{"push", "--schema", "schema", "--database-url", url},
	} {
		code, stdout, stderr = p.run("", cmd...)
		if code != exitOK || strings.Contains(stdout, "SEQUENCE") || strings.Contains(stdout, "ALTER") {
			t.Errorf("%s after pull: exit %d\nstdout:\n%s\nstderr:\n%s", cmd[0], code, stdout, stderr)
		}
	}

	// invoice_number_seq removed with the default that draws from it: push
	// takes the default off, then drops the sequence, as a loss.
	file := filepath.Join(p.dir, "schema", "schema.go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "//mizzle:sequence invoice_number_seq START 1000 INCREMENT 10\n", "", 1)
	edited = strings.Replace(edited, `,default:nextval('invoice_number_seq'::regclass)`, "", 1)
	if len(edited) != len(src)-len("//mizzle:sequence invoice_number_seq START 1000 INCREMENT 10\n,default:nextval('invoice_number_seq'::regclass)") {
		t.Fatalf("schema.go does not declare the sequence and the default as expected:\n%s", src)
	}
	writeFile(t, file, edited)
	code, stdout, stderr = p.run("", "push", "--schema", "schema", "--database-url", url, "--force")
	if code != exitOK || !strings.Contains(stdout+stderr, `DROP SEQUENCE "public"."invoice_number_seq";`) ||
		!strings.Contains(stdout+stderr, `drops sequence "public"."invoice_number_seq"`) {
		t.Errorf("push without invoice_number_seq: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if n := queryInt(t, url, "SELECT count(*)::int FROM pg_class WHERE relname = 'invoice_number_seq'"); n != 0 {
		t.Errorf("invoice_number_seq is still there after push")
	}
}
