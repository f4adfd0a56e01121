package main

import (
	"os"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// TestMain gives the commands that talk to a database a throwaway
// PostgreSQL (see internal/pgtest).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
