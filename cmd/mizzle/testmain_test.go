package main

import (
	"os"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// TestMain runs the package's tests with a throwaway PostgreSQL server for
// the migrate and status tests, and removes the mizzle binary the process
// tests build.
func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	removeBinary()
	os.Exit(code)
}
