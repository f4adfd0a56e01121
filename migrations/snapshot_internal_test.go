package migrations

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mizzle/mizzle/internal/jsonfile"
	"github.com/mizzle/mizzle/schema"
)

// TestParseSnapshotOnePass: the one-pass read of a mizzle snapshot returns
// exactly what decoding, validating and Strip (which copies) return, down to
// nil against empty lists.
func TestParseSnapshotOnePass(t *testing.T) {
	files, err := filepath.Glob("testdata/folder/golden/snapshot_*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no snapshots: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseSnapshot(data)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var s snapshotJSON
		if err := jsonfile.Unmarshal(data, &s); err != nil {
			t.Fatal(err)
		}
		want := Strip(&schema.Model{Schemas: s.Schemas, Enums: s.Enums, Tables: s.Tables})
		if !reflect.DeepEqual(got.Model, want) {
			t.Errorf("%s: the one-pass model differs from Strip's", file)
		}
	}
}

// TestParseSnapshotLastKeyWins: a header key given twice has its last value,
// in the one-pass read as in the header's, so a mizzle version followed by
// drizzle-kit's is a drizzle-kit snapshot.
func TestParseSnapshotLastKeyWins(t *testing.T) {
	data := []byte(`{"id": "a", "prevId": "` + ZeroID + `", "version": "mizzle/1", "dialect": "postgresql",
		"schemas": [], "enums": [], "tables": [], "version": "7"}`)
	s, err := ParseSnapshot(data)
	if err != nil || !s.DrizzleKit || s.Model != nil {
		t.Fatalf("ParseSnapshot: %+v, %v; want a drizzle-kit snapshot", s, err)
	}
}
