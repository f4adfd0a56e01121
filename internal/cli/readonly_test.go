package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// catalogDump is what a read-only command must leave byte for byte as it
// found it: every schema, relation, column with its default, constraint
// and type outside the system catalogs, and mizzle's history.
func catalogDump(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var b strings.Builder
	for _, q := range []string{
		`SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' ORDER BY 1`,
		`SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema' ORDER BY 1`,
		`SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
			FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
			WHERE a.attnum > 0 AND NOT a.attisdropped AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema' ORDER BY 1`,
		`SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace NOT IN
			(SELECT oid FROM pg_namespace WHERE nspname LIKE 'pg\_%' OR nspname = 'information_schema') ORDER BY 1`,
		`SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
			WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema' ORDER BY 1`,
		`SELECT count(*)::text FROM mizzle.__mizzle_migrations`,
	} {
		rows, err := conn.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		b.WriteString(strings.Join(lines, "\n") + "\n--\n")
	}
	return b.String()
}

// TestReadOnlyCommandsCommitNothing runs push --dry-run and check
// --database-url on a migrated database with a schema whose default
// closes its statement, commits and creates tables (the reproduction
// of a dry run that committed), both from the schema package and from a
// hand-edited snapshot, which the loader never sees: every run fails
// and the database is byte for byte as it was.
func TestReadOnlyCommandsCommitNothing(t *testing.T) {
	const benign = "package schema\n\n//mizzle:table victim\ntype V struct {\n\tID int64 `db:\"id,pk\"`\n\tN  int64 `db:\"n,default:0\"`\n}\n"
	const payload = `0 /* ( */ ); COMMIT; CREATE TABLE pwned(x int); CREATE TABLE zz (y int DEFAULT 0 /* ) */`
	p := newProject(t, benign)
	if code, _, stderr := p.run(".", "generate", "--schema", "schema", "--no-query"); code != exitOK {
		t.Fatalf("generate: %s", stderr)
	}
	url := pgtest.NewDatabase(t)
	if code, _, stderr := p.run(".", "migrate", "--database-url", url); code != exitOK {
		t.Fatalf("migrate: %s", stderr)
	}
	before := catalogDump(t, url)

	// The schema package: refused where the default is written.
	p.writeSchema(strings.Replace(benign, `default:0`, `default:`+payload, 1))
	wantLoad := "schema/schema.go:6:36: db tag of N: unbalanced parentheses: \")\" without \"(\"\n"
	for _, args := range [][]string{
		{"push", "--dry-run", "--schema", "schema", "--database-url", url},
		{"check", "--schema", "schema", "--database-url", url},
	} {
		code, _, stderr := p.run(".", args...)
		if code == exitOK || !strings.Contains(stderr, wantLoad) {
			t.Errorf("%s with the payload in the schema package: exit %d, stderr:\n%s\nwant it to contain:\n%s", args[0], code, stderr, wantLoad)
		}
		if after := catalogDump(t, url); after != before {
			t.Fatalf("%s changed the database:\nbefore:\n%s\nafter:\n%s", args[0], before, after)
		}
	}

	// The last snapshot, edited by hand: check normalizes it without the
	// loader.
	p.writeSchema(benign)
	snap := filepath.Join(p.dir, "migrations", "meta", "0000_snapshot.json")
	data, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), `"default": "0"`, `"default": "`+payload+`"`, 1)
	if edited == string(data) {
		t.Fatalf("no default to edit in %s", data)
	}
	if err := os.WriteFile(snap, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := p.run(".", "check", "--schema", "schema", "--database-url", url)
	if code == exitOK || !strings.Contains(stderr, "the schema does not build on this database") {
		t.Errorf("check with an edited snapshot: exit %d\n%s%s", code, stdout, stderr)
	}
	if after := catalogDump(t, url); after != before {
		t.Fatalf("check changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
