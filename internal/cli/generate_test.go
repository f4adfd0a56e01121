package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// goldenDir is absolute: the tests change directory into their projects.
var goldenDir, _ = filepath.Abs(filepath.Join("testdata", "generate"))

func goldenPath(name string) string { return filepath.Join(goldenDir, name) }

// project is a throwaway Go module with a schema package, where tests run
// mizzle as a user would.
type project struct {
	t   *testing.T
	dir string
	// answers, when not nil, are typed on a terminal for the next runs.
	answers []string
}

const usersV1 = `package schema

//mizzle:table
type User struct {
	ID   int64  ` + "`db:\"id,pk,identity\"`" + `
	Name string ` + "`db:\"name\"`" + `
}
`

func newProject(t *testing.T, schemaSrc string) *project {
	t.Helper()
	dir, env := testmod.Write(t, &txtar.Archive{Files: []txtar.File{{Name: "schema/schema.go", Data: []byte(schemaSrc)}}})
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && (k == "GOFLAGS" || k == "GOPROXY" || k == "GOWORK") {
			t.Setenv(k, v)
		}
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1767225600") // 2026-01-01
	t.Setenv("DATABASE_URL", "")                // commands take the database from their flags only
	return &project{t: t, dir: dir}
}

func (p *project) writeSchema(src string) {
	p.t.Helper()
	if err := os.WriteFile(filepath.Join(p.dir, "schema", "schema.go"), []byte(src), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// run runs mizzle in dir (relative to the project).
func (p *project) run(dir string, args ...string) (code int, stdout, stderr string) {
	p.t.Helper()
	p.t.Chdir(filepath.Join(p.dir, dir))
	return runAnswering(p.answers, args...)
}

// files returns every file under the project's migrations folder with its
// contents.
func (p *project) files() map[string]string {
	p.t.Helper()
	out := map[string]string{}
	root := filepath.Join(p.dir, "migrations")
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, _ := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	return out
}

func (p *project) archive() []byte {
	files := p.files()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	ar := &txtar.Archive{}
	for _, n := range names {
		ar.Files = append(ar.Files, txtar.File{Name: n, Data: []byte(files[n])})
	}
	return txtar.Format(ar)
}

func TestGenerateFirstAndNext(t *testing.T) {
	p := newProject(t, usersV1)
	code, stdout, stderr := p.run("schema", "generate", "--migrations", "../migrations")
	if code != exitOK {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	if want := "../migrations/0000_create_user.sql: 1 statement written.\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	golden.Check(t, goldenPath("first.txtar"), p.archive())

	// Nothing changed: nothing is written.
	before := p.archive()
	code, stdout, _ = p.run("schema", "generate", "--migrations", "../migrations")
	if code != exitOK || stdout != "No schema changes, nothing to migrate.\n" {
		t.Errorf("second generate: exit %d, stdout %q", code, stdout)
	}
	if !bytes.Equal(before, p.archive()) {
		t.Errorf("generate without changes modified the migrations folder")
	}

	p.writeSchema(strings.Replace(usersV1, "Name string", "Email *string `db:\"email\"`\n\tName string", 1))
	code, stdout, stderr = p.run("schema", "generate", "--migrations", "../migrations")
	if code != exitOK {
		t.Fatalf("generate after a change: exit %d\n%s", code, stderr)
	}
	if want := "../migrations/0001_add_email.sql: 1 statement written.\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	golden.Check(t, goldenPath("next.txtar"), p.archive())
}

// TestGenerateDeterministic runs generate on the same schema in two
// projects: every byte but the journal's clock matches, and with the same
// clock those match too.
func TestGenerateDeterministic(t *testing.T) {
	var results []string
	for range 2 {
		p := newProject(t, usersV1)
		if code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations"); code != exitOK {
			t.Fatalf("generate: %s", stderr)
		}
		results = append(results, string(p.archive()))
	}
	if results[0] != results[1] {
		t.Errorf("two runs on the same schema differ:\n%s\n---\n%s", results[0], results[1])
	}
}

func TestGenerateRenames(t *testing.T) {
	renamed := strings.Replace(usersV1, "Name string `db:\"name\"`", "FullName string `db:\"full_name\"`", 1)
	t.Run("not on a terminal", func(t *testing.T) {
		p := newProject(t, usersV1)
		p.run("schema", "generate", "--migrations", "../migrations")
		before := p.archive()
		p.writeSchema(renamed)
		code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations")
		if code != exitFailure {
			t.Errorf("exit %d, want %d", code, exitFailure)
		}
		want := `mizzle: column "full_name" of table "public"."user" is new and "name" is gone: is it a rename?
  to rename, add was:name to the field's db tag
  to drop the old column with its data and create the new one, run again with --drop-and-add
Nothing was written.
`
		if stderr != want {
			t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
		}
		if !bytes.Equal(before, p.archive()) {
			t.Errorf("a failed generate modified the migrations folder")
		}
	})
	t.Run("drop and add", func(t *testing.T) {
		p := newProject(t, usersV1)
		p.run("schema", "generate", "--migrations", "../migrations")
		p.writeSchema(renamed)
		code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations", "--drop-and-add")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		sql := p.files()["0001_drop_name_and_add_full_name.sql"]
		if !strings.Contains(sql, `DROP COLUMN "name"`) || !strings.Contains(sql, `ADD COLUMN "full_name"`) {
			t.Errorf("migration:\n%s", sql)
		}
		if !strings.Contains(stderr, `warning: ../migrations/0001_drop_name_and_add_full_name.sql: drops column "name"`) {
			t.Errorf("no warning for the dropped column; stderr:\n%s", stderr)
		}
	})
	t.Run("answered on a terminal", func(t *testing.T) {
		p := newProject(t, usersV1)
		p.run("schema", "generate", "--migrations", "../migrations")
		p.writeSchema(renamed)
		p.answers = []string{"7", "2"}
		code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, want := range []string{`Is column "full_name" in table "public"."user" new, or renamed from one that is gone?`,
			`2) renamed from "name"`, `"7" is not a choice.`} {
			if !strings.Contains(stderr, want) {
				t.Errorf("prompt does not say %q:\n%s", want, stderr)
			}
		}
		sql := withoutLint(p.files()["0001_rename_name.sql"])
		if sql != "ALTER TABLE \"public\".\"user\" RENAME COLUMN \"name\" TO \"full_name\";\n" {
			t.Errorf("migration:\n%s", sql)
		}
	})
	t.Run("hint", func(t *testing.T) {
		p := newProject(t, usersV1)
		p.run("schema", "generate", "--migrations", "../migrations")
		p.writeSchema(strings.Replace(renamed, `db:"full_name"`, `db:"full_name,was:name"`, 1))
		if code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations"); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		// The hint stays in the code; once the rename is in the snapshot
		// it does nothing.
		if code, stdout, _ := p.run("schema", "generate", "--migrations", "../migrations"); code != exitOK ||
			stdout != "No schema changes, nothing to migrate.\n" {
			t.Errorf("generate after the rename: exit %d, %q", code, stdout)
		}
	})
}

func TestGenerateCustom(t *testing.T) {
	p := newProject(t, usersV1)
	p.run("schema", "generate", "--migrations", "../migrations")
	code, stdout, stderr := p.run("schema", "generate", "--migrations", "../migrations", "--custom", "--name", "backfill emails")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "../migrations/0001_backfill_emails.sql: empty migration written; put your SQL in it.\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	golden.Check(t, goldenPath("custom.txtar"), p.archive())
	// A custom migration keeps the schema where it was.
	if code, stdout, _ := p.run("schema", "generate", "--migrations", "../migrations"); code != exitOK ||
		stdout != "No schema changes, nothing to migrate.\n" {
		t.Errorf("generate after --custom: exit %d, %q", code, stdout)
	}
}

func TestGenerateConfig(t *testing.T) {
	p := newProject(t, usersV1)
	if err := os.WriteFile(filepath.Join(p.dir, "mizzle.yaml"), []byte("schema: schema\nmigrations: db/migrations\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Run from the schema package, as go generate does: the config is
	// found in the parent and its paths are relative to it.
	code, stdout, stderr := p.run("schema", "generate")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "../db/migrations/0000_create_user.sql: 1 statement written.\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if _, err := os.Stat(filepath.Join(p.dir, "db", "migrations", "meta", "_journal.json")); err != nil {
		t.Errorf("journal not written where the config says: %v", err)
	}

	if err := os.WriteFile(filepath.Join(p.dir, "mizzle.yaml"), []byte("schema: schema\nmigratons: db\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = p.run(".", "generate")
	if want := "mizzle: " + filepath.Join(p.dir, "mizzle.yaml") + ":2: unknown key \"migratons\" (the keys are schema, migrations, query, queries, migrationsTable, drizzle, schemas, databaseUrl, tableLockTimeout, online, seed, pooler)\n"; code != exitFailure || stderr != want {
		t.Errorf("unknown key: exit %d, stderr %q, want %q", code, stderr, want)
	}
}

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(p *project)
		args    []string
		wantErr string
	}{
		{
			name:    "schema mistake",
			setup:   func(p *project) { p.writeSchema(strings.Replace(usersV1, "pk,identity", "pk,identiti", 1)) },
			args:    []string{"generate", "--schema", "schema"},
			wantErr: "schema/schema.go:5:",
		},
		{
			name: "broken journal",
			setup: func(p *project) {
				os.MkdirAll(filepath.Join(p.dir, "migrations", "meta"), 0o755)
				os.WriteFile(filepath.Join(p.dir, "migrations", "meta", "_journal.json"), []byte("{\"version\": \n"), 0o644)
			},
			args:    []string{"generate", "--schema", "schema"},
			wantErr: "meta/_journal.json",
		},
		{
			name:    "migrations is a file",
			setup:   func(p *project) { os.WriteFile(filepath.Join(p.dir, "migrations"), nil, 0o644) },
			args:    []string{"generate", "--schema", "schema"},
			wantErr: "mizzle: --migrations migrations: not a directory\n",
		},
		{
			name:    "bad name",
			args:    []string{"generate", "--schema", "schema", "--name", "!!"},
			wantErr: "mizzle: --name \"!!\": a name needs a letter or digit\n",
		},
		{
			name:    "missing config",
			args:    []string{"generate", "--config", "nope.yaml"},
			wantErr: "mizzle: --config nope.yaml: no such file\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProject(t, usersV1)
			if tt.setup != nil {
				tt.setup(p)
			}
			before := p.archive()
			code, _, stderr := p.run(".", tt.args...)
			if code == exitOK {
				t.Fatalf("exit 0, want a failure")
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr:\n%s\nwant it to contain:\n%s", stderr, tt.wantErr)
			}
			if !bytes.Equal(before, p.archive()) {
				t.Errorf("a failed generate modified the migrations folder")
			}
		})
	}
}

// TestWriteMigrationFailure makes the disk fill up after each of a
// migration's files in turn: the files and folders the run created are
// removed and the journal is the old one, so the next generate or migrate
// finds the folder as it was.
func TestWriteMigrationFailure(t *testing.T) {
	full := errors.New("no space left on device")
	for _, existing := range []bool{false, true} {
		for n := range 3 { // files written before the disk is full
			t.Run(fmt.Sprintf("existing=%v/after %d", existing, n), func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "db", "migrations")
				folder := (*migrations.Folder)(nil)
				if existing {
					first, err := folder.Next("init", &schema.Model{}, nil, time.Unix(1000, 0))
					if err != nil {
						t.Fatal(err)
					}
					if err := writeMigration(dir, first); err != nil {
						t.Fatal(err)
					}
					if folder, err = migrations.ReadFolder(os.DirFS(dir)); err != nil {
						t.Fatal(err)
					}
				}
				before := listingOf(filepath.Dir(filepath.Dir(dir)))
				mig, err := folder.Next("more", &schema.Model{}, nil, time.Unix(2000, 0))
				if err != nil {
					t.Fatal(err)
				}
				written := 0
				err = writeMigrationWith(dir, mig, func(path string, data []byte) error {
					if written == n {
						// What a full disk does: the folder is made, the
						// write fails.
						os.MkdirAll(filepath.Dir(path), 0o755)
						return fmt.Errorf("writing %s: %w", path, full)
					}
					written++
					return writeFileAtomic(path, data)
				})
				if !errors.Is(err, full) {
					t.Fatalf("error %v, want the write's", err)
				}
				if diff := cmp.Diff(before, listingOf(filepath.Dir(filepath.Dir(dir)))); diff != "" {
					t.Errorf("the folder changed (-before +after); error %v:\n%s", err, diff)
				}
				if n > 0 && !strings.Contains(err.Error(), "(removed what this run had written: "+mig.Tag+".sql") {
					t.Errorf("error does not say what was removed: %v", err)
				}
			})
		}
	}
}

// tree returns every file under dir (relative to the project) with its
// contents, and its folders.
func (p *project) tree(dir string) map[string]string {
	p.t.Helper()
	return listingOf(filepath.Join(p.dir, dir))
}

// TestGenerateRenameQuestionWritesNothing: a rename question that stops
// generate (no terminal to ask on) leaves the query package as it was,
// as well as the migrations folder, so that "Nothing was written." is
// true; the query code used to be rewritten first, and then compiled
// against a column that did not exist.
func TestGenerateRenameQuestionWritesNothing(t *testing.T) {
	p := newProject(t, usersV1)
	if code, _, stderr := p.run("schema", "generate", "--migrations", "../migrations", "--query", "../db"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	query, folder := p.tree("db"), p.tree("migrations")
	if len(query) == 0 {
		t.Fatal("the first generate wrote no query code")
	}
	p.writeSchema(strings.Replace(usersV1, "Name string `db:\"name\"`", "FullName string `db:\"full_name\"`", 1))
	code, stdout, stderr := p.run("schema", "generate", "--migrations", "../migrations", "--query", "../db")
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if stdout != "" || !strings.HasSuffix(stderr, "is it a rename?\n  to rename, add was:name to the field's db tag\n  to drop the old column with its data and create the new one, run again with --drop-and-add\nNothing was written.\n") {
		t.Errorf("stdout %q, stderr:\n%s", stdout, stderr)
	}
	if diff := cmp.Diff(query, p.tree("db")); diff != "" {
		t.Errorf("the query package changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(folder, p.tree("migrations")); diff != "" {
		t.Errorf("the migrations folder changed (-before +after):\n%s", diff)
	}

	// Answered, the query code and the migration are written together.
	code, stdout, stderr = p.run("schema", "generate", "--migrations", "../migrations", "--query", "../db", "--drop-and-add")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "../db: query code for 1 table written.\n../migrations/0001_drop_name_and_add_full_name.sql: 2 statements written.\n"; stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
	if !strings.Contains(p.tree("db")["user.gen.go"], `"full_name"`) {
		t.Errorf("the query code does not have the new column")
	}
}

// TestGenerateFailureUndoesQueryCode: when writing the migration fails
// (a full disk at the journal), the query files written before it are
// undone too: new ones removed, replaced and removed ones restored.
func TestGenerateFailureUndoesQueryCode(t *testing.T) {
	full := errors.New("no space left on device")
	root := t.TempDir()
	dbDir, migDir := filepath.Join(root, "db"), filepath.Join(root, "migrations")
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := map[string]string{
		"a.gen.go":    gen.Header + "\n// a, before\n",
		"c.gen.go":    gen.Header + "\n// c: no longer generated\n",
		"keep.go":     "package db\n",
		"same.gen.go": gen.Header + "\n// same\n",
	}
	for n, data := range old {
		if err := os.WriteFile(filepath.Join(dbDir, n), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ops, changed, removed, err := planGenerated(dbDir, "db", []gen.File{
		{Name: "a.gen.go", Data: []byte(gen.Header + "\n// a, after\n")},
		{Name: "b.gen.go", Data: []byte(gen.Header + "\n// b, new\n")},
		{Name: "same.gen.go", Data: []byte(gen.Header + "\n// same\n")},
	})
	if err != nil || changed != 2 || removed != 1 {
		t.Fatalf("plan: %d changed, %d removed, %v; want 2, 1", changed, removed, err)
	}
	mig, err := (*migrations.Folder)(nil).Next("init", &schema.Model{}, nil, time.Unix(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	before := listingOf(root)
	err = applyFiles(append(ops, migrationOps(migDir, mig)...), func(path string, data []byte) error {
		if filepath.Base(path) == "_journal.json" {
			return fmt.Errorf("writing %s: %w", path, full)
		}
		return writeFileAtomic(path, data)
	})
	if !errors.Is(err, full) {
		t.Fatalf("error %v, want the write's", err)
	}
	if diff := cmp.Diff(before, listingOf(root)); diff != "" {
		t.Errorf("the folders changed (-before +after):\n%s", diff)
	}
	for _, want := range []string{"removed what this run had written: db/b.gen.go, 0000_init.sql, meta/0000_snapshot.json", "restored: db/a.gen.go, db/c.gen.go"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q: %v", want, err)
		}
	}
}

// listingOf returns every file and folder under dir, with the files'
// contents.
func listingOf(dir string) map[string]string {
	out := map[string]string{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		data, _ := os.ReadFile(path)
		out[rel] = string(data)
		return nil
	})
	return out
}
