package loader_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/schema"
)

// cachedLoad loads cfg with a cache in cacheDir and returns the model and
// whether it came from the cache, failing the test on an error.
func cachedLoad(t *testing.T, cfg loader.Config, cacheDir string) (*schema.Model, bool) {
	t.Helper()
	m, logs, err := cachedLoadErr(cfg, cacheDir)
	if err != nil {
		t.Fatalf("Load: %v\ncache log:\n%s", err, logs)
	}
	return m, strings.Contains(logs, "loader: cache hit")
}

func cachedLoadErr(cfg loader.Config, cacheDir string) (*schema.Model, string, error) {
	var logs strings.Builder
	var mu sync.Mutex
	cfg.CacheDir = cacheDir
	cfg.Logf = func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(&logs, format+"\n", args...)
	}
	m, err := loader.Load(context.Background(), cfg)
	return m, logs.String(), err
}

// uncachedLoad is Load without a cache: what a cached model must equal.
func uncachedLoad(t *testing.T, cfg loader.Config) *schema.Model {
	t.Helper()
	m, err := loader.Load(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCacheSameModel loads every schema of the corpus, and a 1,000-table
// one, three times: without the cache, into it and from it. The model from
// the cache must be the loaded one exactly, down to nil versus empty
// slices, positions and the Go fields that snapshots leave out.
func TestCacheSameModel(t *testing.T) {
	files, err := filepath.Glob("../../testdata/schemas/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	archives := map[string]*txtar.Archive{"tables=1000": schemaArchive(1000, 100)}
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		archives[strings.TrimSuffix(filepath.Base(file), ".txtar")] = ar
	}
	for name, ar := range archives {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir, env := testmod.Write(t, ar)
			cfg := loader.Config{Dir: dir, Env: env}
			want := uncachedLoad(t, cfg)
			cache := t.TempDir()
			if _, hit := cachedLoad(t, cfg, cache); hit {
				t.Fatal("first load with an empty cache was a hit")
			}
			got, hit := cachedLoad(t, cfg, cache)
			if !hit {
				t.Fatal("second load with nothing changed was a miss")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("model from the cache differs from the loaded one (-loaded +cached):\n%s", diff)
			}
		})
	}
}

// staleArchive is a module with a schema package at its root that uses a
// mixin from another package of the module, and one from a module replaced
// by a directory outside it.
const staleArchive = `
-- schema.go --
package schema

import (
	"example.com/app/mixin"
	"example.com/shared/audit"
)

//mizzle:table
type Post struct {
	mixin.Base
	audit.Stamp
	Title string ` + "`db:\"title\"`" + `
}
-- mixin/base.go --
package mixin

// Base gives a table its key.
type Base struct {
	ID int64 ` + "`db:\"id,pk,identity\"`" + `
}
`

// writeStaleModule writes staleArchive and the replaced module it uses,
// and returns the load's config and the replaced module's directory.
func writeStaleModule(t *testing.T) (loader.Config, string) {
	t.Helper()
	dir, env := testmod.Write(t, txtar.Parse([]byte(staleArchive)))
	shared := t.TempDir()
	writeFile(t, filepath.Join(shared, "go.mod"), "module example.com/shared\n\ngo 1.22\n")
	writeFile(t, filepath.Join(shared, "audit", "stamp.go"), `package audit

// Stamp says who changed a row.
type Stamp struct {
	By string `+"`db:\"changed_by\"`"+`
}
`)
	appendFile(t, filepath.Join(dir, "go.mod"),
		"\nrequire example.com/shared v0.0.0\n\nreplace example.com/shared => "+shared+"\n")
	return loader.Config{Dir: dir, Env: env}, shared
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path, data string) {
	t.Helper()
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(old)+data)
}

func columnNames(m *schema.Model) string {
	var names []string
	for _, tb := range m.Tables {
		for _, c := range tb.Columns {
			names = append(names, tb.Name+"."+c.Name)
		}
	}
	return strings.Join(names, " ")
}

// TestCacheNeverStale changes, in each case, one thing the model depends
// on after a load filled the cache, and checks that the next load misses
// and returns the model the change makes: the same model as a load without
// the cache.
func TestCacheNeverStale(t *testing.T) {
	cases := []struct {
		name string
		// before, when set, edits the module before the first load.
		before func(t *testing.T, dir, shared string)
		// change edits the module in dir whose replaced module is in
		// shared.
		change func(t *testing.T, dir, shared string)
		// want is the model's columns after the change, when it changes
		// them.
		want string
	}{{
		name: "edited mixin in another package of the module",
		change: func(t *testing.T, dir, _ string) {
			writeFile(t, filepath.Join(dir, "mixin", "base.go"), `package mixin

// Base gives a table its key and a version.
type Base struct {
	ID      int64 `+"`db:\"id,pk,identity\"`"+`
	Version int32 `+"`db:\"version\"`"+`
}
`)
		},
		want: "post.id post.version post.changed_by post.title",
	}, {
		name: "edited file in a replaced module",
		change: func(t *testing.T, _, shared string) {
			writeFile(t, filepath.Join(shared, "audit", "stamp.go"), `package audit

// Stamp says who changed a row.
type Stamp struct {
	By string `+"`db:\"updated_by\"`"+`
}
`)
		},
		want: "post.id post.updated_by post.title",
	}, {
		name: "new file in the schema package",
		change: func(t *testing.T, dir, _ string) {
			writeFile(t, filepath.Join(dir, "tag.go"), `package schema

//mizzle:table
type Tag struct {
	Name string `+"`db:\"name,pk\"`"+`
}
`)
		},
		want: "post.id post.changed_by post.title tag.name",
	}, {
		name: "new file in an imported package",
		change: func(t *testing.T, dir, _ string) {
			// Base embeds a mixin declared in a new file of its package.
			writeFile(t, filepath.Join(dir, "mixin", "base.go"), `package mixin

// Base gives a table its key.
type Base struct {
	ID int64 `+"`db:\"id,pk,identity\"`"+`
	Extra
}
`)
			writeFile(t, filepath.Join(dir, "mixin", "extra.go"), `package mixin

// Extra is a second mixin.
type Extra struct {
	Note string `+"`db:\"note\"`"+`
}
`)
		},
		want: "post.id post.note post.changed_by post.title",
	}, {
		name: "deleted file",
		before: func(t *testing.T, dir, _ string) {
			writeFile(t, filepath.Join(dir, "tag.go"), "package schema\n\n//mizzle:table\ntype Tag struct {\n\tName string `db:\"name,pk\"`\n}\n")
		},
		change: func(t *testing.T, dir, _ string) {
			if err := os.Remove(filepath.Join(dir, "tag.go")); err != nil {
				t.Fatal(err)
			}
		},
		want: "post.id post.changed_by post.title",
	}, {
		name: "changed go.mod",
		change: func(t *testing.T, dir, shared string) {
			// The replaced module moves: the same import path now
			// reads another directory, which only go.mod says.
			moved := filepath.Join(t.TempDir(), "shared2")
			writeFile(t, filepath.Join(moved, "go.mod"), "module example.com/shared\n\ngo 1.22\n")
			writeFile(t, filepath.Join(moved, "audit", "stamp.go"), "package audit\n\n// Stamp says who created a row.\ntype Stamp struct {\n\tBy string `db:\"created_by\"`\n}\n")
			gomod := filepath.Join(dir, "go.mod")
			old, err := os.ReadFile(gomod)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, gomod, strings.Replace(string(old), "=> "+shared, "=> "+moved, 1))
		},
		want: "post.id post.created_by post.title",
	}, {
		name: "edit that keeps the size and the modification time",
		change: func(t *testing.T, dir, _ string) {
			path := filepath.Join(dir, "schema.go")
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			old, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// "title" becomes "topic": as long, and the time is put back.
			writeFile(t, path, strings.Replace(string(old), `db:"title"`, `db:"topic"`, 1))
			if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		},
		want: "post.id post.changed_by post.topic",
	}, {
		name: "edited function file",
		before: func(t *testing.T, dir, _ string) {
			writeFile(t, filepath.Join(dir, "doc.go"), "// Package schema has a function.\n//\n//mizzle:function one file:sql/one.sql\npackage schema\n")
			writeFile(t, filepath.Join(dir, "sql", "one.sql"), "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';\n")
		},
		change: func(t *testing.T, dir, _ string) {
			writeFile(t, filepath.Join(dir, "sql", "one.sql"), "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 2';\n")
		},
		want: "post.id post.changed_by post.title",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, shared := writeStaleModule(t)
			cache := t.TempDir()
			if tc.before != nil {
				tc.before(t, cfg.Dir, shared)
			}
			cachedLoad(t, cfg, cache)
			if _, hit := cachedLoad(t, cfg, cache); !hit {
				t.Fatal("the load before the change was a miss")
			}
			tc.change(t, cfg.Dir, shared)
			got, hit := cachedLoad(t, cfg, cache)
			if hit {
				t.Fatal("the load after the change was a hit")
			}
			if cols := columnNames(got); cols != tc.want {
				t.Errorf("columns after the change: %s\nwant %s", cols, tc.want)
			}
			if diff := cmp.Diff(uncachedLoad(t, cfg), got); diff != "" {
				t.Errorf("model differs from a load without the cache (-want +got):\n%s", diff)
			}
			if again, hit := cachedLoad(t, cfg, cache); !hit {
				t.Error("the load after the miss was not a hit: the miss did not refill the cache")
			} else if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("refilled entry differs (-miss +hit):\n%s", diff)
			}
		})
	}
}

// TestCacheEnvironment: a build tag in GOFLAGS changes which files load,
// so it is part of the key; the first entry stays usable.
func TestCacheEnvironment(t *testing.T) {
	cfg, _ := writeStaleModule(t)
	writeFile(t, filepath.Join(cfg.Dir, "extra.go"), "//go:build extra\n\npackage schema\n\n//mizzle:table\ntype Extra struct {\n\tID int64 `db:\"id,pk\"`\n}\n")
	cache := t.TempDir()
	plain, _ := cachedLoad(t, cfg, cache)
	tagged := cfg
	tagged.Env = append(append([]string(nil), cfg.Env...), "GOFLAGS=-mod=mod -tags=extra")
	m, hit := cachedLoad(t, tagged, cache)
	if hit || len(m.Tables) != 2 || len(plain.Tables) != 1 {
		t.Fatalf("with -tags=extra: hit %v, %d tables (without: %d)", hit, len(m.Tables), len(plain.Tables))
	}
	if _, hit := cachedLoad(t, cfg, cache); !hit {
		t.Error("without the tag again: a miss")
	}
	// go generate sets these for each directive; they do not change the
	// load, so they share the entry.
	gen := cfg
	gen.Env = append(append([]string(nil), cfg.Env...), "GOFILE=schema.go", "GOLINE=3", "GOPACKAGE=schema")
	if _, hit := cachedLoad(t, gen, cache); !hit {
		t.Error("under go generate's variables: a miss")
	}
}

// TestCacheWorkspace: a go.work created above the module changes how its
// imports resolve, and a module it uses is local like a replaced one.
func TestCacheWorkspace(t *testing.T) {
	root := t.TempDir()
	cfg, shared := writeStaleModule(t)
	// Put the module under root, where a go.work can appear above it.
	app := filepath.Join(root, "app")
	if err := os.Rename(cfg.Dir, app); err != nil {
		t.Fatal(err)
	}
	cfg.Dir = app
	// Look for go.work, as by default; -mod=mod is refused in a workspace.
	cfg.Env = append(cfg.Env, "GOWORK=", "GOFLAGS=")
	cache := t.TempDir()
	cachedLoad(t, cfg, cache)
	writeFile(t, filepath.Join(root, "go.work"), "go 1.26.0\n\nuse (\n\t./app\n\t"+shared+"\n)\n")
	if _, hit := cachedLoad(t, cfg, cache); hit {
		t.Fatal("a new go.work above the module: a hit")
	}
	if _, hit := cachedLoad(t, cfg, cache); !hit {
		t.Fatal("second load in the workspace: a miss")
	}
	writeFile(t, filepath.Join(shared, "audit", "stamp.go"), "package audit\n\n// Stamp says who changed a row.\ntype Stamp struct {\n\tBy string `db:\"edited_by\"`\n}\n")
	m, hit := cachedLoad(t, cfg, cache)
	if hit || !strings.Contains(columnNames(m), "post.edited_by") {
		t.Fatalf("after editing a module of the workspace: hit %v, columns %s", hit, columnNames(m))
	}
}

// TestCacheCorruptEntry damages the entry in several ways: each is a miss,
// never an error, and the load rewrites the entry.
func TestCacheCorruptEntry(t *testing.T) {
	cfg, _ := writeStaleModule(t)
	cache := t.TempDir()
	want, _ := cachedLoad(t, cfg, cache)
	entries, err := filepath.Glob(filepath.Join(cache, "models", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var entry string
	for _, e := range entries {
		if filepath.Base(e) != "trim.txt" {
			entry = e
		}
	}
	good, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	damages := map[string][]byte{
		"empty":        {},
		"truncated":    good[:len(good)/2],
		"flipped byte": append(append(append([]byte(nil), good[:len(good)-10]...), good[len(good)-10]^0xff), good[len(good)-9:]...),
		"other format": append([]byte("mizzle model cache 1\n"), good[len("mizzle model cache 3\n"):]...),
		"garbage":      []byte(strings.Repeat("\x00\xff", 1000)),
	}
	for name, data := range damages {
		if err := os.WriteFile(entry, data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, logs, err := cachedLoadErr(cfg, cache)
		if err != nil {
			t.Fatalf("%s entry: %v", name, err)
		}
		if strings.Contains(logs, "cache hit") {
			t.Fatalf("%s entry: a hit", name)
		}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Fatalf("%s entry: model differs (-want +got):\n%s", name, diff)
		}
		if _, hit := cachedLoad(t, cfg, cache); !hit {
			t.Fatalf("%s entry: not rewritten", name)
		}
	}
}

// TestCacheUnwritable: a cache directory that cannot be created costs the
// cache, not the load.
func TestCacheUnwritable(t *testing.T) {
	cfg, _ := writeStaleModule(t)
	file := filepath.Join(t.TempDir(), "file")
	writeFile(t, file, "not a directory")
	m, logs, err := cachedLoadErr(cfg, filepath.Join(file, "cache"))
	if err != nil || len(m.Tables) != 1 {
		t.Fatalf("Load with an unusable cache: %v", err)
	}
	if !strings.Contains(logs, "not written") {
		t.Errorf("log does not say the entry was not written:\n%s", logs)
	}
}

// TestCacheErrorsNotCached: a schema with a mistake is reported each time
// and its fix is seen at once.
func TestCacheErrorsNotCached(t *testing.T) {
	cfg, _ := writeStaleModule(t)
	cache := t.TempDir()
	path := filepath.Join(cfg.Dir, "schema.go")
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, strings.Replace(string(old), `db:"title"`, `db:"title,bogus"`, 1))
	for range 2 {
		if _, _, err := cachedLoadErr(cfg, cache); err == nil || !strings.Contains(err.Error(), "bogus") {
			t.Fatalf("want the mistake reported, got %v", err)
		}
	}
	writeFile(t, path, string(old))
	if m, hit := cachedLoad(t, cfg, cache); hit || columnNames(m) != "post.id post.changed_by post.title" {
		t.Fatalf("after the fix: hit %v, columns %s", hit, columnNames(m))
	}
}

// TestCacheConcurrent runs loads of one package side by side on one cache
// (go generate ./... runs directives one at a time, but two terminals or
// CI jobs may not): each gets the model, and the entry left is whole.
func TestCacheConcurrent(t *testing.T) {
	cfg, _ := writeStaleModule(t)
	want := uncachedLoad(t, cfg)
	cache := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			m, _, err := cachedLoadErr(cfg, cache)
			if err == nil && !cmp.Equal(want, m) {
				err = fmt.Errorf("model differs:\n%s", cmp.Diff(want, m))
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if _, hit := cachedLoad(t, cfg, cache); !hit {
		t.Error("after concurrent loads: a miss")
	}
	left, _ := filepath.Glob(filepath.Join(cache, "models", "*.tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestCacheTrim: entries unused for a week go when an entry is written.
func TestCacheTrim(t *testing.T) {
	cfg, _ := writeStaleModule(t)
	cache := t.TempDir()
	old := filepath.Join(cache, "models", "0123")
	writeFile(t, old, "an entry of a directory long gone")
	week := time.Now().Add(-8 * 24 * time.Hour)
	if err := os.Chtimes(old, week, week); err != nil {
		t.Fatal(err)
	}
	cachedLoad(t, cfg, cache)
	if _, err := os.Stat(old); err == nil {
		t.Error("an entry unused for 8 days is still there")
	}
	if _, logs, _ := cachedLoadErr(cfg, cache); !strings.Contains(logs, "hit") {
		t.Error("the new entry was trimmed", logs)
	}
}

// TestCacheNotUsed: loads whose inputs the cache cannot list go to the go
// command every time, and write no entry.
func TestCacheNotUsed(t *testing.T) {
	cfg, _ := writeStaleModule(t)
	if err := os.WriteFile(filepath.Join(cfg.Dir, "alt.mod"), mustRead(t, filepath.Join(cfg.Dir, "go.mod")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg.Dir, "alt.sum"), mustRead(t, filepath.Join(cfg.Dir, "go.sum")), 0o644); err != nil {
		t.Fatal(err)
	}
	pattern := cfg
	pattern.Pattern = "example.com/app"
	modfile := cfg
	modfile.Env = append(append([]string(nil), cfg.Env...), "GOFLAGS=-mod=mod -modfile=alt.mod")
	goenv := cfg
	goenvFile := filepath.Join(t.TempDir(), "env")
	writeFile(t, goenvFile, "GOFLAGS=-mod=mod -modfile=alt.mod\n")
	// GOFLAGS from go env -w applies only when the environment's is empty.
	goenv.Env = append(append([]string(nil), cfg.Env...), "GOENV="+goenvFile, "GOFLAGS=")
	for name, c := range map[string]loader.Config{"an import path": pattern, "GOFLAGS=-modfile": modfile, "go env -w GOFLAGS=-modfile": goenv} {
		cache := t.TempDir()
		for range 2 {
			m, logs, err := cachedLoadErr(c, cache)
			if err != nil || len(m.Tables) != 1 {
				t.Fatalf("%s: %v", name, err)
			}
			if !strings.Contains(logs, "cache not used") {
				t.Errorf("%s: log does not say the cache is not used:\n%s", name, logs)
			}
		}
		if entries, _ := filepath.Glob(filepath.Join(cache, "*", "*")); len(entries) > 0 {
			t.Errorf("%s: entries written: %v", name, entries)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestFingerprint: Fingerprint vouches for an entry only while Load would
// return it from the cache, and changes with the model: no entry, an edited
// input, a damaged entry and no cache directory are no fingerprint.
func TestFingerprint(t *testing.T) {
	cfg, shared := writeStaleModule(t)
	cache := t.TempDir()
	cfg.CacheDir = cache
	if _, ok := loader.Fingerprint(cfg); ok {
		t.Fatal("a fingerprint from an empty cache")
	}
	cachedLoad(t, cfg, cache)
	first, ok := loader.Fingerprint(cfg)
	if !ok {
		t.Fatal("no fingerprint after a load filled the cache")
	}
	if again, ok := loader.Fingerprint(cfg); !ok || again != first {
		t.Fatal("a second fingerprint of the same entry differs")
	}
	if _, ok := loader.Fingerprint(loader.Config{Dir: cfg.Dir, Env: cfg.Env}); ok {
		t.Fatal("a fingerprint without a cache directory")
	}

	// An input outside the schema package changes: no fingerprint until a
	// load writes the new model, whose fingerprint differs.
	appendFile(t, filepath.Join(shared, "audit", "stamp.go"), "\n// Note is a note.\ntype Note string\n")
	if _, ok := loader.Fingerprint(cfg); ok {
		t.Fatal("a fingerprint after an input changed")
	}
	if _, hit := cachedLoad(t, cfg, cache); hit {
		t.Fatal("a hit after an input changed")
	}
	second, ok := loader.Fingerprint(cfg)
	if !ok || second == first {
		t.Fatalf("after the reload: fingerprint %v, same as before: %v", ok, second == first)
	}

	entries, err := filepath.Glob(filepath.Join(cache, "models", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Base(e) == "trim.txt" {
			continue
		}
		data, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)-1] ^= 0xff // in the model, past the inputs
		if err := os.WriteFile(e, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := loader.Fingerprint(cfg); ok {
		t.Fatal("a fingerprint of a damaged entry")
	}
}
