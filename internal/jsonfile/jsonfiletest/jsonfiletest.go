// Package jsonfiletest holds what the fuzz tests of the migrations
// folder's JSON readers (the journal in package migrate, snapshots in
// package migrations) share: their seed corpus and the rule their errors
// follow. Tests only.
package jsonfiletest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mizzle/mizzle/internal/jsonfile"
)

// AddSeeds adds to f's corpus the files under the test's testdata whose
// names match pattern (two or three folders down), docs, and a few
// malformed documents.
func AddSeeds(f *testing.F, pattern string, docs ...string) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*", pattern))
	if err != nil {
		f.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join("testdata", "*", "*", "*", pattern))
	for _, file := range append(files, more...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, doc := range append(docs, "", "{", "[]", "null", "\ufeff{}", `{"version": 7}`, "{\n  \"entries\": [1]\n}") {
		f.Add([]byte(doc))
	}
}

// CheckError checks the error of a reader of data: when data is not JSON
// at all, or a value has the wrong JSON type, the error must be a
// *jsonfile.Error whose line and column lie within data. Errors about a
// well formed document as a whole (a missing id, another dialect) have
// none.
func CheckError(t *testing.T, data []byte, err error) {
	t.Helper()
	var jerr *jsonfile.Error
	if !errors.As(err, &jerr) {
		if !json.Valid(bytes.TrimPrefix(data, []byte("\ufeff"))) {
			t.Fatalf("%q is not JSON, yet the error has no position: %v", data, err)
		}
		return
	}
	lines := 1 + bytes.Count(data, []byte("\n"))
	if jerr.Line < 1 || jerr.Line > lines || jerr.Column < 1 || jerr.Column > len(data)+1 {
		t.Fatalf("%q: error %v points outside the data (%d lines, %d bytes)", data, err, lines, len(data))
	}
}
