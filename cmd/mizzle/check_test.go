package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
)

func TestCheck(t *testing.T) {
	p := newProject(t, usersV1)
	if code, _, stderr := p.run(".", "generate", "--schema", "schema"); code != exitOK {
		t.Fatalf("generate: %s", stderr)
	}
	code, stdout, stderr := p.run(".", "check", "--schema", "schema")
	if code != exitOK || stdout != "OK: 1 migration, and the schema has nothing left to generate.\n" {
		t.Errorf("check of a project in step: exit %d, %q %q", code, stdout, stderr)
	}

	// A forgotten go generate.
	p.writeSchema(strings.Replace(usersV1, "Name string", "Email *string `db:\"email\"`\n\tName string", 1))
	code, _, stderr = p.run(".", "check", "--schema", "schema")
	want := "schema: 1 statement not generated yet; run go generate (or mizzle generate) and commit the migration. " +
		"The first: ALTER TABLE \"public\".\"user\" ADD COLUMN \"email\" text;\n1 problem\n"
	if code != exitFailure || stderr != want {
		t.Errorf("forgotten generate: exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
	if code, _, stderr := p.run(".", "generate", "--schema", "schema"); code != exitOK {
		t.Fatalf("generate: %s", stderr)
	}

	// A SQL file the journal does not list, in JSON.
	os.WriteFile(filepath.Join(p.dir, "migrations", "0002_stray.sql"), []byte("SELECT 1;"), 0o644)
	code, stdout, _ = p.run(".", "check", "--schema", "schema", "--json")
	var out struct{ Problems []finding }
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("check --json printed %q: %v", stdout, err)
	}
	if code != exitFailure || len(out.Problems) != 1 || out.Problems[0].Kind != "folder" ||
		out.Problems[0].File != "migrations/0002_stray.sql" || !strings.HasPrefix(out.Problems[0].Message, "not listed in meta/_journal.json") {
		t.Errorf("unlisted file: exit %d, %+v", code, out.Problems)
	}
}

// TestCheckDrift migrates a database, changes it by hand and expects check
// to list exactly the manual changes.
func TestCheckDrift(t *testing.T) {
	schemaSrc := `package schema

// Status of a user.
type Status string

const (
	StatusActive Status = "active"
	StatusGone   Status = "gone"
)

//mizzle:table
//mizzle:check users_name_check (length(name) > 0)
type User struct {
	ID     int64  ` + "`db:\"id,pk,identity\"`" + `
	Name   string ` + "`db:\"name\"`" + `
	Status Status ` + "`db:\"status,default:'active'\"`" + `
}
`
	p := newProject(t, schemaSrc)
	if code, _, stderr := p.run(".", "generate", "--schema", "schema"); code != exitOK {
		t.Fatalf("generate: %s", stderr)
	}
	url := pgtest.NewDatabase(t)
	if code, _, stderr := p.run(".", "migrate", "--database-url", url); code != exitOK {
		t.Fatalf("migrate: %s", stderr)
	}
	// Defaults and checks read back in PostgreSQL's spelling; that is not
	// drift.
	code, stdout, stderr := p.run(".", "check", "--schema", "schema", "--database-url", url)
	if code != exitOK {
		t.Fatalf("check right after migrate: exit %d\n%s%s", code, stdout, stderr)
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{
		`ALTER TABLE "user" ADD COLUMN nickname text`,
		`ALTER TABLE "user" ALTER COLUMN status DROP DEFAULT`,
		`CREATE INDEX user_name_idx ON "user" (name)`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr = p.run(".", "check", "--schema", "schema", "--database-url", url)
	want := `drift: the database differs from its migrations: ALTER TABLE "public"."user" ALTER COLUMN "status" DROP DEFAULT;
drift: the database differs from its migrations: ALTER TABLE "public"."user" ADD COLUMN "nickname" text;
drift: the database differs from its migrations: CREATE INDEX "user_name_idx" ON "public"."user" ("name");
3 problems
`
	if code != exitFailure || stderr != want {
		t.Errorf("drift: exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
}
