package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// exprSchema holds expressions whose tree a pretty-printed deparse loses:
// an AND chain with parentheses, holding a BETWEEN (itself an AND once
// parsed). Printed pretty, each reads as one flat AND chain, which parses
// to another tree: a check built from that text is not the one the schema
// asked for, though it prints the same.
const exprSchema = `package schema

//mizzle:table users
//mizzle:index users_named_idx (email) WHERE email <> '' AND (name IS NOT NULL AND length(email) BETWEEN 3 AND 320)
//mizzle:index users_flag_idx ((email <> '' AND (name IS NOT NULL AND length(email) BETWEEN 3 AND 320)))
//mizzle:check users_email_check (email <> '' AND (name IS NOT NULL AND length(email) BETWEEN 3 AND 320))
type User struct {
	ID    int64   ` + "`db:\"id,pk,identity\"`" + `
	Email string  ` + "`db:\"email\"`" + `
	Name  *string ` + "`db:\"name\"`" + `
	Valid bool    ` + "`db:\"valid,generated:email <> '' AND (name IS NOT NULL AND length(email) BETWEEN 3 AND 320)\"`" + `
}
`

// userCatalog is the catalog lines of the public schema: the history table
// lives elsewhere.
func userCatalog(t *testing.T, url string) []string {
	t.Helper()
	return slices.DeleteFunc(pgtest.Catalog(t, dbConn(t, url)), func(l string) bool {
		return !strings.Contains(l, "public.")
	})
}

// TestExpressionsKeepTheirTree is the regression test for checks, index
// predicates, index expressions and generated columns that push and pull
// rebuilt from PostgreSQL's pretty-printed text: generate, migrate, push,
// check, pull and generate again agree, and the databases that migrate,
// push and the pulled baseline build are the same, catalog line by line.
func TestExpressionsKeepTheirTree(t *testing.T) {
	p := newProject(t, exprSchema)
	if code, _, stderr := p.run(".", "generate", "--schema", "schema"); code != exitOK {
		t.Fatalf("generate: %s", stderr)
	}
	migrated := pgtest.NewDatabase(t)
	if code, _, stderr := p.run(".", "migrate", "--database-url", migrated); code != exitOK {
		t.Fatalf("migrate: %s", stderr)
	}
	want := userCatalog(t, migrated)
	if !slices.ContainsFunc(want, func(l string) bool {
		return strings.Contains(l, "((name IS NOT NULL) AND ((length(email) >= 3) AND (length(email) <= 320)))")
	}) {
		t.Fatalf("the migration did not build the nested check:\n%s", strings.Join(want, "\n"))
	}

	code, stdout, stderr := p.run(".", "push", "--schema", "schema", "--database-url", migrated)
	if code != exitOK || stdout != "Nothing to push: the database matches the schema.\n" {
		t.Errorf("push after migrate: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = p.run(".", "check", "--schema", "schema", "--database-url", migrated)
	if code != exitOK {
		t.Errorf("check after migrate: exit %d\n%s%s", code, stdout, stderr)
	}

	// push builds what migrate builds, from the schema's own text.
	pushed := pgtest.NewDatabase(t)
	code, stdout, stderr = p.run(".", "push", "--schema", "schema", "--database-url", pushed)
	if code != exitOK {
		t.Fatalf("push on an empty database: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "length(email) BETWEEN 3 AND 320") {
		t.Errorf("push did not write the schema's text:\n%s", stdout)
	}
	if got := userCatalog(t, pushed); !slices.Equal(got, want) {
		t.Errorf("push built:\n%s\nmigrate built:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	code, stdout, stderr = p.run(".", "push", "--schema", "schema", "--database-url", pushed)
	if code != exitOK || stdout != "Nothing to push: the database matches the schema.\n" {
		t.Errorf("second push: exit %d\n%s%s", code, stdout, stderr)
	}

	// pull writes what rebuilds the same database, and generate agrees.
	q, _ := newPullProject(t, "")
	if code, _, stderr := q.run("", "pull", "--database-url", migrated, "--out", "pulled", "--migrations", "pulled-migrations"); code != exitOK {
		t.Fatalf("pull: %s", stderr)
	}
	code, stdout, stderr = q.run("pulled", "generate", "--migrations", "../pulled-migrations")
	if code != exitOK || stdout != "No schema changes, nothing to migrate.\n" {
		t.Errorf("generate after pull: exit %d\n%s%s", code, stdout, stderr)
	}
	rebuilt := pgtest.NewDatabase(t)
	if code, _, stderr := q.run("", "migrate", "--database-url", rebuilt, "--migrations", "pulled-migrations"); code != exitOK {
		t.Fatalf("migrate the pulled baseline: %s", stderr)
	}
	if got := userCatalog(t, rebuilt); !slices.Equal(got, want) {
		src, _ := os.ReadFile(filepath.Join(q.dir, "pulled", "schema.go"))
		t.Errorf("the pulled baseline built:\n%s\nmigrate built:\n%s\nfrom:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), src)
	}
	// The original schema pushed on the rebuilt database: nothing to do.
	code, stdout, stderr = p.run(".", "push", "--schema", "schema", "--database-url", rebuilt)
	if code != exitOK || stdout != "Nothing to push: the database matches the schema.\n" {
		t.Errorf("push on the rebuilt database: exit %d\n%s%s", code, stdout, stderr)
	}
}
