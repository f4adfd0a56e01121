// Package testmod writes Go source from test archives into throwaway modules
// that the loader can read without the network, and loads them (Load).
// Imported only by tests.
package testmod

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/schema"
)

// repoRoot is this repository's root, found from this file's path so tests
// of any package can call Write.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Write writes the archive's files, except sections whose names start with
// "want", into a new module and returns its directory and the environment
// for the go command. The module requires what this repository requires, so
// schema sources may import uuid, decimal and pgtype: those modules are
// already in the module cache, and GOPROXY=off keeps the go command from
// reaching for the network. A file that imports a package of this
// repository makes the module require it, replaced by this checkout.
func Write(t testing.TB, ar *txtar.Archive) (dir string, env []string) {
	t.Helper()
	dir = t.TempDir()
	root := repoRoot()
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(gomod), "\n")
	for _, f := range ar.Files {
		// A schema that imports this repository's packages (seed settings
		// import github.com/mizzle/mizzle/seed) gets this checkout.
		if !strings.HasPrefix(f.Name, "want") && strings.Contains(string(f.Data), `"github.com/mizzle/mizzle/`) {
			rest += "\nrequire github.com/mizzle/mizzle v0.0.0\n\nreplace github.com/mizzle/mizzle => " + root + "\n"
			break
		}
	}
	mustWrite(t, filepath.Join(dir, "go.mod"), "module example.com/app\n"+rest)
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "go.sum"), string(gosum))
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "want") {
			continue
		}
		mustWrite(t, filepath.Join(dir, f.Name), string(f.Data))
	}
	env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	return dir, env
}

func mustWrite(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Load writes the txtar archive at file into a throwaway module (see Write)
// and loads its schema package, failing the test on any error: the first
// step of every test that runs on the shared corpus.
func Load(t testing.TB, file string) *schema.Model {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir, env := Write(t, ar)
	m, err := loader.Load(context.Background(), loader.Config{Dir: dir, Env: env})
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return m
}
