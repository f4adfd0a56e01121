package migrations_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/introspect"
	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// TestLint lints the migration of each testdata/lint archive against the
// schema its before.sql builds on a real database, and compares the
// findings with the archive's findings section. The migration is then
// run on that database, so every case is SQL PostgreSQL accepts.
//
// An archive's comment may hold "version: N" (the target server's major
// version), "before: unknown" (lint without the snapshot before) and
// "fails: TEXT" (the migration must fail with an error holding TEXT).
func TestLint(t *testing.T) {
	files, err := filepath.Glob("testdata/lint/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no lint cases: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var before, mig []byte
			for _, f := range ar.Files {
				switch f.Name {
				case "before.sql":
					before = f.Data
				case "migration.sql":
					mig = f.Data
				}
			}
			var opts migrations.LintOptions
			unknown, fails := false, ""
			for line := range strings.Lines(string(ar.Comment)) {
				k, v, _ := strings.Cut(strings.TrimSpace(line), ": ")
				switch k {
				case "version":
					opts.Version, _ = strconv.Atoi(v)
				case "before":
					unknown = v == "unknown"
				case "fails":
					fails = v
				}
			}

			ctx := context.Background()
			conn, err := pgx.Connect(ctx, pgtest.NewDatabase(t))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if len(before) > 0 {
				if _, err := conn.Exec(ctx, string(before)); err != nil {
					t.Fatalf("before.sql: %v", err)
				}
			}
			model, _, err := introspect.Inspect(ctx, conn, introspect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if unknown {
				model = nil
			}

			findings := migrations.LintSQL("0001_change.sql", mig, model, opts)
			var got bytes.Buffer
			for _, f := range findings {
				fmt.Fprintln(&got, f)
				if f.Fix != "" {
					fmt.Fprintf(&got, "\tfix: %s\n", f.Fix)
				}
			}
			golden.CheckSection(t, path, ar, "findings", got.Bytes())

			// The case is real SQL: it runs as the migrator would run it,
			// and fails where the case says PostgreSQL refuses it.
			err = run(ctx, conn, mig)
			switch {
			case fails == "" && err != nil:
				t.Fatal(err)
			case fails != "" && (err == nil || !strings.Contains(err.Error(), fails)):
				t.Fatalf("the migration ran with %v, want an error holding %q", err, fails)
			}
		})
	}
}

// run runs a migration's statements as the migrator does.
func run(ctx context.Context, conn *pgx.Conn, mig []byte) error {
	script := migrate.ReadScript(mig)
	if !script.NoTransaction {
		if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
			return err
		}
		defer conn.Exec(ctx, "ROLLBACK")
	}
	for _, s := range script.Statements {
		if _, err := conn.Exec(ctx, s.SQL); err != nil {
			return fmt.Errorf("migration.sql:%d:%d: %w", s.Line, s.Column, err)
		}
	}
	if !script.NoTransaction {
		_, err := conn.Exec(ctx, "COMMIT")
		return err
	}
	return nil
}

// TestLintFindingJSON keeps the JSON shape of a finding that mizzle lint
// --json prints, which CI scripts read.
func TestLintFindingJSON(t *testing.T) {
	fs := migrations.LintSQL("0001_x.sql", []byte("ALTER TABLE t ADD COLUMN c int NOT NULL;"), nil, migrations.LintOptions{})
	if len(fs) != 2 {
		t.Fatalf("findings: %v", fs)
	}
	b, err := json.Marshal(fs[1])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"code":"add-required-column","severity":"error","file":"0001_x.sql","line":1,"column":15,"statement":"ALTER TABLE t ADD COLUMN c int NOT NULL","message":"adding \"c\" NOT NULL without a default fails if \"public\".\"t\" has any row","fix":"give it a constant default (PostgreSQL 11 and later add it without a rewrite), or add it nullable, fill it, then SET NOT NULL the safe way"}`
	if string(b) != want {
		t.Errorf("JSON:\n%s\nwant:\n%s", b, want)
	}
}

// TestLintFirstMigration: every table of the first migration is new, so
// indexes, keys and constraints on them need no care, and only what
// could still hurt is reported.
func TestLintFirstMigration(t *testing.T) {
	sql := `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE INDEX users_email_idx ON users (email);
ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email <> '');
ALTER TABLE users ALTER COLUMN email SET NOT NULL;`
	if fs := migrations.LintSQL("0000_init.sql", []byte(sql), &schema.Model{}, migrations.LintOptions{}); len(fs) != 0 {
		t.Errorf("findings on new tables: %v", fs)
	}
}
