package migrations_test

import (
	"testing"

	"github.com/mizzle/mizzle/internal/jsonfile/jsonfiletest"

	"github.com/mizzle/mizzle/migrations"
)

// FuzzParseSnapshot checks that ParseSnapshot never panics on any bytes
// and that a decoding error has a position.
func FuzzParseSnapshot(f *testing.F) {
	jsonfiletest.AddSeeds(f, "*snapshot*.json", drizzleSnapshot)
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := migrations.ParseSnapshot(data); err != nil {
			jsonfiletest.CheckError(t, data, err)
		}
	})
}
