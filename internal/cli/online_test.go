package cli

import (
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

const usersNullableEmail = `package schema

//mizzle:table
type User struct {
	ID    int64   ` + "`db:\"id,pk,identity\"`" + `
	Name  string  ` + "`db:\"name\"`" + `
	Email *string ` + "`db:\"email\"`" + `
}
`

// TestGenerateOnline: generate --online writes an index and a SET NOT
// NULL on an existing table as two migrations, the second outside a
// transaction; lint passes on both, migrate applies both to a database
// holding rows, and the next generate finds nothing to do. online: true
// in mizzle.yaml does the same.
func TestGenerateOnline(t *testing.T) {
	p := newProject(t, usersNullableEmail)
	db := pgtest.NewDatabase(t)
	if code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations"); code != exitOK {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := p.run("", "migrate", "--database-url", db); code != exitOK {
		t.Fatalf("migrate: exit %d\n%s", code, stderr)
	}
	conn := dbConn(t, db)
	if _, err := conn.Exec(t.Context(), `INSERT INTO "user" (name, email) VALUES ('a', 'a@example.com'), ('b', 'b@example.com')`); err != nil {
		t.Fatal(err)
	}

	v2 := strings.Replace(usersNullableEmail, "*string", "string ", 1)
	v2 = strings.Replace(v2, "//mizzle:table", "//mizzle:table\n//mizzle:index user_name_idx (name)", 1)
	p.writeSchema(v2)
	code, stdout, stderr := p.run("schema", "generate", "--migrations", "../migrations", "--online", "--name", "v2")
	want := "../migrations/0001_v2.sql: 2 statements written.\n../migrations/0002_v2_online.sql: 6 statements written, outside a transaction.\n"
	if code != exitOK || stdout != want || strings.Contains(stderr, "lint:") {
		t.Fatalf("generate --online: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, stdout, want, stderr)
	}
	files := p.files()
	if sql := files["0001_v2.sql"]; !strings.HasPrefix(sql, "SET LOCAL lock_timeout = '2s';\n") || !strings.Contains(sql, `CHECK ("email" IS NOT NULL) NOT VALID;`) {
		t.Errorf("0001_v2.sql:\n%s", sql)
	}
	if sql := files["0002_v2_online.sql"]; !strings.HasPrefix(sql, "-- mizzle:no-transaction\nSET lock_timeout = '2s';\n") ||
		!strings.Contains(sql, `CREATE INDEX CONCURRENTLY IF NOT EXISTS "user_name_idx"`) || !strings.HasSuffix(sql, "RESET lock_timeout;\n") {
		t.Errorf("0002_v2_online.sql:\n%s", sql)
	}
	if code, stdout, _ := p.run("", "lint"); code != exitOK || stdout != "3 migrations linted: 0 errors, 0 warnings.\n" {
		t.Errorf("lint: exit %d\n%s", code, stdout)
	}
	if code, stdout, stderr := p.run("", "migrate", "--database-url", db); code != exitOK || !strings.Contains(stdout, "2 migrations applied") {
		t.Fatalf("migrate: exit %d\n%s%s", code, stdout, stderr)
	}
	if got := query(t, conn, `SELECT (SELECT attnotnull FROM pg_attribute WHERE attrelid = '"user"'::regclass AND attname = 'email')::text
		|| ' ' || (SELECT indisvalid FROM pg_index WHERE indexrelid = 'user_name_idx'::regclass)::text
		|| ' ' || (SELECT count(*) FROM pg_constraint WHERE conrelid = '"user"'::regclass AND contype = 'c')::text`); got != "true true 0" {
		t.Errorf("email NOT NULL, index valid, checks left: %s; want true true 0", got)
	}
	if code, stdout, _ := p.run("schema", "generate", "--migrations", "../migrations", "--online"); code != exitOK || stdout != noChanges+"\n" {
		t.Errorf("generate after the online migrations: exit %d\n%s", code, stdout)
	}

	// online: true in mizzle.yaml; a change with nothing to move writes
	// one migration, which sets its own lock_timeout.
	p.writeFile("mizzle.yaml", "schema: schema\nmigrations: migrations\nonline: true\n")
	p.writeSchema(strings.Replace(v2, "\n}\n", "\n\tBio *string `db:\"bio\"`\n}\n", 1))
	code, stdout, stderr = p.run("", "generate", "--name", "bio")
	if code != exitOK || stdout != "migrations/0003_bio.sql: 2 statements written.\n" {
		t.Fatalf("generate with online: true: exit %d\n%s%s", code, stdout, stderr)
	}
	if sql := p.files()["0003_bio.sql"]; !strings.HasPrefix(sql, "SET LOCAL lock_timeout = '2s';\n") {
		t.Errorf("0003_bio.sql:\n%s", sql)
	}
	if code, _, stderr := p.run("", "generate", "--online", "--custom"); code != exitUsage || !strings.Contains(stderr, "--online plans the migration and --custom writes an empty one") {
		t.Errorf("generate --online --custom: exit %d\n%s", code, stderr)
	}
}

// TestConcurrentIndexByHand checks what the README says of an index the
// schema declares and a migration written by hand builds CONCURRENTLY.
// Built in a --custom migration, it is created again by the next
// generate (the custom migration's snapshot is the last one again), and
// migrate fails on the duplicate. Built by editing the migration generate
// wrote for it (CONCURRENTLY IF NOT EXISTS, the no-transaction marker on
// the first line), it passes lint, migrate builds it outside a
// transaction, and the next generate has nothing to do, since that
// migration's snapshot holds the index.
func TestConcurrentIndexByHand(t *testing.T) {
	withIndex := strings.Replace(usersNullableEmail, "//mizzle:table", "//mizzle:table\n//mizzle:index user_name_idx (name)", 1)
	const concurrently = `-- mizzle:no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS "user_name_idx" ON "public"."user" ("name");
`
	start := func(t *testing.T) (*project, string) {
		p := newProject(t, usersNullableEmail)
		db := pgtest.NewDatabase(t)
		if code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations"); code != exitOK {
			t.Fatalf("generate: exit %d\n%s", code, stderr)
		}
		if code, _, stderr := p.run("", "migrate", "--database-url", db); code != exitOK {
			t.Fatalf("migrate: exit %d\n%s", code, stderr)
		}
		p.writeSchema(withIndex)
		return p, db
	}

	t.Run("custom", func(t *testing.T) {
		p, db := start(t)
		if code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations", "--custom", "--name", "idx"); code != exitOK {
			t.Fatalf("generate --custom: exit %d\n%s", code, stderr)
		}
		p.writeFile("migrations/0001_idx.sql", concurrently)
		if code, stdout, stderr := p.run("", "migrate", "--database-url", db); code != exitOK {
			t.Fatalf("migrate: exit %d\n%s%s", code, stdout, stderr)
		}
		code, stdout, stderr := p.run("schema", "generate", "--migrations", "../migrations", "--name", "again")
		if code != exitOK || !strings.Contains(withoutLint(p.files()["0002_again.sql"]), `CREATE INDEX "user_name_idx"`) {
			t.Fatalf("generate after the custom migration: exit %d\n%s%s\nfiles: %v; want the index created again", code, stdout, stderr, p.files())
		}
		if code, stdout, stderr := p.run("", "migrate", "--database-url", db); code != exitFailure || !strings.Contains(stdout+stderr, `"user_name_idx" already exists`) {
			t.Errorf("migrate of the repeated index: exit %d\n%s%s; want it to fail on the duplicate", code, stdout, stderr)
		}
	})

	t.Run("edited", func(t *testing.T) {
		p, db := start(t)
		if code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations", "--name", "idx"); code != exitOK {
			t.Fatalf("generate: exit %d\n%s", code, stderr)
		}
		if sql := withoutLint(p.files()["0001_idx.sql"]); !strings.Contains(sql, `CREATE INDEX "user_name_idx"`) {
			t.Fatalf("0001_idx.sql:\n%s", sql)
		}
		p.writeFile("migrations/0001_idx.sql", concurrently)
		if code, stdout, _ := p.run("", "lint"); code != exitOK || stdout != "2 migrations linted: 0 errors, 0 warnings.\n" {
			t.Errorf("lint: exit %d\n%s", code, stdout)
		}
		if code, stdout, stderr := p.run("", "migrate", "--database-url", db); code != exitOK {
			t.Fatalf("migrate: exit %d\n%s%s", code, stdout, stderr)
		}
		if got := query(t, dbConn(t, db), `SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'user_name_idx'::regclass`); got != "true" {
			t.Errorf("index valid: %s", got)
		}
		if code, stdout, _ := p.run("schema", "generate", "--migrations", "../migrations"); code != exitOK || stdout != noChanges+"\n" {
			t.Errorf("generate after the edited migration: exit %d\n%s; want nothing to do", code, stdout)
		}
	})
}
