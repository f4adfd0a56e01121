package migrate_test

import (
	"testing"

	"github.com/mizzle/mizzle/internal/jsonfile/jsonfiletest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mizzle/mizzle/migrate"
)

// FuzzParseJournal checks that any bytes read as a journal either give an
// error with a position or a journal that marshals and reads back equal.
func FuzzParseJournal(f *testing.F) {
	jsonfiletest.AddSeeds(f, "*journal*.json", drizzleJournal)
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := migrate.ParseJournal(data)
		if err != nil {
			jsonfiletest.CheckError(t, data, err)
			return
		}
		back, err := migrate.ParseJournal(j.Marshal())
		if err != nil {
			t.Fatalf("ParseJournal(%q) marshals to a journal that does not read back: %v", data, err)
		}
		// Marshal writes no entries as [], never null.
		if diff := cmp.Diff(j, back, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("ParseJournal(%q) changes once marshaled (-first +second):\n%s", data, diff)
		}
	})
}
