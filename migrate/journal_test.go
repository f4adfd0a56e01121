package migrate_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/migrate"
)

// drizzleJournal is a journal as drizzle-kit 0.31 writes it: two-space
// indent and no newline at the end.
const drizzleJournal = `{
  "version": "7",
  "dialect": "postgresql",
  "entries": [
    {
      "idx": 0,
      "version": "7",
      "when": 1735689600000,
      "tag": "0000_brave_wolverine",
      "breakpoints": true
    },
    {
      "idx": 1,
      "version": "7",
      "when": 1735693200000,
      "tag": "0001_add_posts",
      "breakpoints": true
    }
  ]
}`

// TestJournalDrizzleLayout checks that mizzle writes byte for byte what
// drizzle-kit writes, plus the final newline, so either tool can take over
// the other's journal and a review shows no reformatting.
func TestJournalDrizzleLayout(t *testing.T) {
	j, err := migrate.ParseJournal([]byte(drizzleJournal))
	if err != nil {
		t.Fatal(err)
	}
	want := &migrate.Journal{Version: "7", Dialect: "postgresql", Entries: []migrate.JournalEntry{
		{Idx: 0, Version: "7", When: 1735689600000, Tag: "0000_brave_wolverine", Breakpoints: true},
		{Idx: 1, Version: "7", When: 1735693200000, Tag: "0001_add_posts", Breakpoints: true},
	}}
	if diff := cmp.Diff(want, j); diff != "" {
		t.Errorf("ParseJournal mismatch (-want +got):\n%s", diff)
	}
	if got := string(j.Marshal()); got != drizzleJournal+"\n" {
		t.Errorf("Marshal() =\n%s\nwant drizzle-kit's layout:\n%s", got, drizzleJournal)
	}
	if got := j.Entries[1].Time(); !got.Equal(time.Date(2025, 1, 1, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("Time() = %v", got)
	}
}

func TestJournalMarshal(t *testing.T) {
	tests := []struct {
		name string
		j    migrate.Journal
	}{
		// drizzle-kit writes "entries": [] for a new journal, never null.
		{"empty", migrate.Journal{Version: "7", Dialect: "postgresql"}},
		{"entries", migrate.Journal{Version: "7", Dialect: "postgresql", Entries: []migrate.JournalEntry{
			{Idx: 0, Version: "7", When: 1700000000000, Tag: "0000_init", Breakpoints: true},
			{Idx: 1, Version: "7", When: 1700000000001, Tag: "0001_add_trailing_stop", Breakpoints: true},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.j.Marshal()
			golden.Check(t, filepath.Join("testdata", "golden", "journal_"+tt.name+".json"), got)
			if again := tt.j.Marshal(); string(again) != string(got) {
				t.Errorf("Marshal is not deterministic:\n%s\n%s", got, again)
			}
			back, err := migrate.ParseJournal(got)
			if err != nil {
				t.Fatal(err)
			}
			if string(back.Marshal()) != string(got) {
				t.Errorf("Marshal(Parse(Marshal(j))) differs from Marshal(j)")
			}
		})
	}
}

func TestParseJournalErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"syntax", "{\n  \"version\": \"7\",\n  \"dialect\" \"postgresql\"\n}", `3:13: not valid JSON: invalid character '"' after object key`},
		{"truncated", "{\n  \"entries\": [\n", `3:1: not valid JSON: unexpected end of JSON input`},
		{"trailing comma", "{\"entries\": [{\"idx\": 0},]}", `1:25: not valid JSON: invalid character ']' looking for beginning of value`},
		{"when is a string", "{\n  \"entries\": [\n    {\"idx\": 0, \"when\": \"yesterday\"}\n  ]\n}", `3:34: "entries.when" is a JSON string, want an integer`},
		{"idx is fractional", "{\"entries\": [{\"idx\": 0.5}]}", `1:24: "entries.idx" is a JSON number 0.5, want an integer`},
		{"not an object", "[]", `1:1: the document is a JSON array, want an object`},
		{"trailing garbage", "{}\n}", `2:1: not valid JSON: invalid character '}' after top-level value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := migrate.ParseJournal([]byte(tt.in))
			var je *migrate.JSONError
			if !errors.As(err, &je) {
				t.Fatalf("ParseJournal(%q) = %v, want a *JSONError", tt.in, err)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseJournal(%q) error\n got %s\nwant %s", tt.in, err, tt.want)
			}
		})
	}
}
