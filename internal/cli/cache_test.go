package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// cacheEntries returns the model cache entries in dir.
func cacheEntries(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "models", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, n := range names {
		if filepath.Base(n) != "trim.txt" {
			entries = append(entries, n)
		}
	}
	return entries
}

// TestGenerateModelCache: generate fills the cache in MIZZLE_CACHE, and a
// change to the schema after that is seen by the next generate.
func TestGenerateModelCache(t *testing.T) {
	p := newProject(t, usersV1)
	cache := t.TempDir()
	t.Setenv("MIZZLE_CACHE", cache)
	generate := func(want string) {
		t.Helper()
		code, stdout, stderr := p.run("schema", "generate", "--migrations", "../migrations")
		if code != exitOK || stdout != want {
			t.Fatalf("generate: exit %d, stdout %q, want %q\n%s", code, stdout, want, stderr)
		}
	}
	generate("../migrations/0000_create_user.sql: 1 statement written.\n")
	if n := len(cacheEntries(t, cache)); n != 1 {
		t.Fatalf("%d cache entries after generate, want 1", n)
	}
	generate("No schema changes, nothing to migrate.\n")
	p.writeSchema(strings.Replace(usersV1, "Name string", "Email *string `db:\"email\"`\n\tName string", 1))
	generate("../migrations/0001_add_email.sql: 1 statement written.\n")
	generate("No schema changes, nothing to migrate.\n")
	code, stdout, stderr := p.run("schema", "schema")
	if code != exitOK || !strings.Contains(stdout, "email") {
		t.Fatalf("schema: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
}

// TestModelCacheOff: --no-cache and MIZZLE_CACHE=off load without the
// cache and write no entry.
func TestModelCacheOff(t *testing.T) {
	p := newProject(t, usersV1)
	cache := t.TempDir()
	t.Setenv("MIZZLE_CACHE", cache)
	for _, args := range [][]string{
		{"generate", "--no-cache", "--migrations", "../migrations"},
		{"schema", "--no-cache"},
		{"generate", "--no-cache", "--no-migrations", "--query", "../db"},
	} {
		if code, _, stderr := p.run("schema", args...); code != exitOK {
			t.Fatalf("%s: exit %d\n%s", args, code, stderr)
		}
	}
	if entries := cacheEntries(t, cache); len(entries) > 0 {
		t.Errorf("--no-cache wrote cache entries: %v", entries)
	}
	// The user's cache directory moves to a new one, where the go
	// command's must not follow.
	if os.Getenv("GOCACHE") == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("GOCACHE", filepath.Join(d, "go-build"))
	}
	user := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", user)
	t.Setenv("MIZZLE_CACHE", "off")
	if code, _, stderr := p.run("schema", "schema"); code != exitOK {
		t.Fatalf("schema with MIZZLE_CACHE=off: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(user, "mizzle")); err == nil {
		t.Errorf("MIZZLE_CACHE=off: the user's cache directory has a mizzle folder")
	}
	// Without MIZZLE_CACHE, that is where the cache goes (on systems whose
	// cache directory follows XDG_CACHE_HOME; others would write into the
	// real user's).
	if d, err := os.UserCacheDir(); err != nil || d != user {
		return
	}
	t.Setenv("MIZZLE_CACHE", "")
	if code, _, stderr := p.run("schema", "schema"); code != exitOK {
		t.Fatalf("schema: exit %d\n%s", code, stderr)
	}
	if n := len(cacheEntries(t, filepath.Join(user, "mizzle"))); n != 1 {
		t.Errorf("%d entries in the user's cache directory, want 1", n)
	}
}

// TestModelCacheRelative: MIZZLE_CACHE must be absolute; generate says so,
// without echoing the value, and writes nothing.
func TestModelCacheRelative(t *testing.T) {
	p := newProject(t, usersV1)
	t.Setenv("MIZZLE_CACHE", "relative-cache-dir")
	code, stdout, stderr := p.run("schema", "generate", "--migrations", "../migrations")
	if code != exitFailure || !strings.Contains(stderr, "MIZZLE_CACHE is not an absolute path") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, "relative-cache-dir") {
		t.Errorf("the variable's value is printed: %s", stderr)
	}
	for _, d := range []string{"migrations", "schema/relative-cache-dir"} {
		if _, err := os.Stat(filepath.Join(p.dir, d)); err == nil {
			t.Errorf("%s was written", d)
		}
	}
}

// TestPushCache: push loads the schema through the model cache and keeps
// Normalize's answers next to it, so a second push reads both; with
// --no-cache it writes neither, and says the same.
func TestPushCache(t *testing.T) {
	p := newProject(t, pushSchema)
	url := pgtest.NewDatabase(t)
	cache := t.TempDir()
	t.Setenv("MIZZLE_CACHE", cache)
	push := func(want string, flags ...string) {
		t.Helper()
		code, stdout, stderr := p.run(".", append([]string{"push", "--schema", "schema", "--database-url", url}, flags...)...)
		if code != exitOK || !strings.HasSuffix(stdout, want) {
			t.Fatalf("push %s: exit %d, stdout %q, want it to end with %q\n%s", flags, code, stdout, want, stderr)
		}
	}
	push("Pushed 3 statements.\n", "--no-cache")
	if entries, _ := filepath.Glob(filepath.Join(cache, "*")); len(entries) > 0 {
		t.Fatalf("push --no-cache wrote into the cache: %v", entries)
	}
	push("Nothing to push: the database matches the schema.\n")
	models := cacheEntries(t, cache)
	answers, _ := filepath.Glob(filepath.Join(cache, "normalize", "*"))
	if len(models) != 1 || len(answers) == 0 {
		t.Fatalf("after push, the cache holds models %v and answers %v; want one model and the answers", models, answers)
	}
	push("Nothing to push: the database matches the schema.\n")
	// A change to the schema is seen by the next push.
	p.writeSchema(strings.Replace(pushSchema, "quantity > 0", "quantity > 1", 1))
	push("Pushed 2 statements.\n")
	push("Nothing to push: the database matches the schema.\n", "--no-cache")
}
