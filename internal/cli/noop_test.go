package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoopMemo: a generate that wrote nothing is recorded, the next one with
// the same inputs is a hit, and every input that changes is a miss whose run
// says what a run without the memo says. A hit prints what a full run
// prints, byte for byte.
func TestNoopMemo(t *testing.T) {
	p := newProject(t, usersV1)
	cache := t.TempDir()
	t.Setenv("MIZZLE_CACHE", cache)
	args := []string{"generate", "--schema", "schema", "--migrations", "migrations", "--query", "db"}
	flags := generateFlags{schema: "schema", migrations: "migrations", query: queryFlags{dir: "db"}}
	// hit asks the memo of a run with f in the project's folder.
	hit := func(f generateFlags, cmdArgs ...string) bool {
		t.Helper()
		t.Chdir(p.dir)
		env := newEnv(strings.NewReader(""), &strings.Builder{}, &strings.Builder{})
		cmd := newGenerateCmd(env)
		if err := cmd.ParseFlags(cmdArgs); err != nil {
			t.Fatal(err)
		}
		return openNoopMemo(cmd, env, f).hit()
	}
	// generate runs generate, and the same with --no-cache, which must say
	// the same thing.
	generate := func(wantCode int, want string, extra ...string) {
		t.Helper()
		code, stdout, stderr := p.run("", append(args, extra...)...)
		if code != wantCode || stdout != want {
			t.Fatalf("generate %v: exit %d, stdout %q, want %d, %q\n%s", extra, code, stdout, wantCode, want, stderr)
		}
	}
	path := func(rel string) string { return filepath.Join(p.dir, filepath.FromSlash(rel)) }
	edit := func(rel string, change func(string) string) (restore func()) {
		t.Helper()
		old, err := os.ReadFile(path(rel))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, path(rel), change(string(old)))
		return func() { writeFile(t, path(rel), string(old)) }
	}
	const noop = "No schema changes, nothing to migrate.\n"

	generate(exitOK, "db: query code for 1 table written.\nmigrations/0000_create_user.sql: 1 statement written.\n")
	if hit(flags) {
		t.Fatal("a hit before any run wrote nothing")
	}
	generate(exitOK, noop)
	if !hit(flags) {
		t.Fatal("no hit after a run that wrote nothing")
	}
	generate(exitOK, noop)
	code, stdout, stderr := p.run("", append(args, "--no-cache")...)
	if code != exitOK || stdout != noop || stderr != "" {
		t.Fatalf("--no-cache: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	// missAfter makes a change, checks that the memo does not vouch for the
	// new inputs and that the run says want, then undoes the change and
	// records the no-op again.
	missAfter := func(what string, change func() (restore func()), wantCode int, want string) {
		t.Helper()
		restore := change()
		if hit(flags) {
			t.Fatalf("%s: a hit", what)
		}
		generate(wantCode, want)
		restore()
		generate(exitOK, noop)
		generate(exitOK, noop)
		if !hit(flags) {
			t.Fatalf("%s, undone: no hit", what)
		}
	}
	missAfter("edited SQL file", func() func() {
		return edit("migrations/0000_create_user.sql", func(s string) string { return s + "-- a note\n" })
	}, exitOK, noop)
	missAfter("edited snapshot", func() func() {
		return edit("migrations/meta/0000_snapshot.json", func(s string) string { return s + "\n" })
	}, exitOK, noop)
	missAfter("snapshot edited into a mistake", func() func() {
		return edit("migrations/meta/0000_snapshot.json", func(s string) string { return strings.Replace(s, `"name"`, `"id"`, 1) })
	}, exitFailure, "")
	missAfter("unlisted SQL file", func() func() {
		writeFile(t, path("migrations/0001_extra.sql"), "SELECT 1;\n")
		return func() { os.Remove(path("migrations/0001_extra.sql")) }
	}, exitFailure, "")
	missAfter("deleted query file", func() func() {
		old, err := os.ReadFile(path("db/user.gen.go"))
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(path("db/user.gen.go"))
		return func() { writeFile(t, path("db/user.gen.go"), string(old)) }
	}, exitOK, "db: query code for 1 table written.\n"+noop)
	missAfter("edited query file", func() func() {
		return edit("db/queries.gen.go", func(s string) string { return s + "// edited\n" })
	}, exitOK, "db: query code for 1 table written.\n"+noop)
	missAfter("changed config", func() func() {
		writeFile(t, path("mizzle.yaml"), "schema: schema\n")
		return func() { os.Remove(path("mizzle.yaml")) }
	}, exitOK, noop)
	// The flags that change the output, the cache switched off, and a
	// damaged memo.
	for _, f := range []generateFlags{
		{schema: "schema", migrations: "migrations", query: queryFlags{dir: "db"}, name: "other"},
		{schema: "schema", migrations: "migrations", query: queryFlags{dir: "db2"}},
		{schema: "schema", migrations: "migrations"},
		{schema: "schema", migrations: "migrations", query: queryFlags{dir: "db"}, dropAndAdd: true},
		{schema: "schema", migrations: "migrations", query: queryFlags{dir: "db"}, custom: true},
	} {
		if hit(f) {
			t.Errorf("a hit for %+v", f)
		}
	}
	if hit(flags, "--no-cache") {
		t.Error("a hit with --no-cache")
	}
	t.Setenv("MIZZLE_CACHE", "off")
	if hit(flags) {
		t.Error("a hit with MIZZLE_CACHE=off")
	}
	t.Setenv("MIZZLE_CACHE", cache)
	if !hit(flags) {
		t.Fatal("no hit with the cache back")
	}
	env := newEnv(strings.NewReader(""), &strings.Builder{}, &strings.Builder{})
	memo := openNoopMemo(newGenerateCmd(env), env, flags).path
	good, err := os.ReadFile(memo)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", string(good[:len(good)-2]), strings.Replace(string(good), "1\n", "2\n", 1)} {
		writeFile(t, memo, bad)
		if hit(flags) {
			t.Fatalf("a hit with the memo %q", bad)
		}
		generate(exitOK, noop)
		if !hit(flags) {
			t.Fatal("the damaged memo was not written again")
		}
	}
	// Last, as it moves the project on: an edited schema.
	writeFile(t, path("schema/schema.go"), strings.Replace(usersV1, "Name string", "Email *string `db:\"email\"`\n\tName string", 1))
	if hit(flags) {
		t.Fatal("edited schema: a hit")
	}
	generate(exitOK, "db: query code for 1 table written.\nmigrations/0001_add_email.sql: 1 statement written.\n")
}
