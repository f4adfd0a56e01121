package migrations_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mizzle/mizzle/migrate"
	"github.com/mizzle/mizzle/migrations"
)

// addJSONSeeds adds the testdata files whose names match pattern, and a
// few malformed documents, to the corpus of f.
func addJSONSeeds(f *testing.F, pattern string, docs ...string) {
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

// checkJSONError checks the error of a reader of data: when data is not
// JSON at all, or a value has the wrong JSON type, the error must be a
// *JSONError whose line and column lie within data. Errors about a well
// formed document as a whole (a missing id, another dialect) have none.
func checkJSONError(t *testing.T, data []byte, err error) {
	t.Helper()
	var jerr *migrate.JSONError
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

// FuzzParseSnapshot checks that ParseSnapshot never panics on any bytes
// and that a decoding error has a position.
func FuzzParseSnapshot(f *testing.F) {
	addJSONSeeds(f, "*snapshot*.json", drizzleSnapshot)
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := migrations.ParseSnapshot(data); err != nil {
			checkJSONError(t, data, err)
		}
	})
}
