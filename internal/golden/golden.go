// Package golden compares test output with files checked into testdata, and
// rewrites those files when tests run with -update.
//
// Goldens are compared byte for byte: nothing is trimmed or normalised,
// because mizzle promises byte-identical output across runs. Review every
// change -update makes as you would review code.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files with the output of the tests")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Check compares got with the file at path, or writes it under -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", path)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// CheckSection compares got with the named file of the txtar archive at
// path, or rewrites that section (adding it if missing) under -update.
func CheckSection(t testing.TB, path string, ar *txtar.Archive, section string, got []byte) {
	t.Helper()
	for i, f := range ar.Files {
		if f.Name != section {
			continue
		}
		if *update {
			ar.Files[i].Data = got
			write(t, path, ar)
			return
		}
		if diff := cmp.Diff(string(f.Data), string(got)); diff != "" {
			t.Errorf("%s: section %s mismatch (-want +got):\n%s", path, section, diff)
		}
		return
	}
	if *update {
		ar.Files = append(ar.Files, txtar.File{Name: section, Data: got})
		write(t, path, ar)
		return
	}
	t.Errorf("%s: no section %q (run the test with -update to add it)", path, section)
}

func write(t testing.TB, path string, ar *txtar.Archive) {
	t.Helper()
	if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("updated %s", path)
}
