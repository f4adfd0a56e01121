// Package seedprog is the program mizzle seed builds in a user's module
// when the seed settings name Go code (a column's Func, fixtures): its
// source, its build and run, and the protocol between mizzle seed and it.
//
// mizzle reads a schema without running it, but a Go function can only be
// called by a program that imports it. So mizzle seed writes a main
// package into a temporary directory, builds it with the go command as if
// it were a package of the schema's directory (go build -overlay: nothing
// is written into the module), and runs it. The program (Serve, through
// the public package seed/seedrun) does the whole run in its own process:
// it reads a Request on its standard input (the model, the options, the
// reset planned and confirmed by mizzle seed), connects to the database
// named by the URLEnv variable (never an argument, which other users of
// the machine could read), fills the tables with internal/seed, calls the
// fixtures, and writes a Result to the file ResultEnv names; its own
// standard output and error are the user code's. Protocol numbers the
// shape of the exchange, so that a program built from another mizzle
// version than the command's is an error saying how to align them.
//
// The package does not know flags, mizzle.yaml or printing; checking that
// the functions exist with the right signatures is the loader's (Func) and
// CheckFixtures' (fixtures), before anything is built.
package seedprog

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/mizzle/mizzle/internal/dbreset"
	"github.com/mizzle/mizzle/internal/seed"
	"github.com/mizzle/mizzle/schema"
)

// Protocol is the version of Request and Result. It changes whenever
// either changes shape, or the program's behaviour does in a way the
// command relies on.
const Protocol = 1

// URLEnv holds the database's URL in the program's environment, and
// ResultEnv the path of the file it writes its Result to.
const (
	URLEnv    = "MIZZLE_SEED_DATABASE_URL"
	ResultEnv = "MIZZLE_SEED_RESULT"
)

// Request is what the program is asked to do.
type Request struct {
	Protocol int
	Model    *schema.Model
	// Options are the run's options without the columns' Funcs, which
	// the program has compiled in: Funcs says which they are.
	Options seed.Options
	Funcs   []FuncRef
	// Reset, when set, empties the tables first (planned and confirmed
	// by the command).
	Reset *dbreset.Truncation
	// Fixtures are the fixtures to run after the rows, in order, by
	// reference ("import/path.Name").
	Fixtures []string
	// FixturesOnly writes no generated rows: the reset and the fixtures
	// alone.
	FixturesOnly bool
}

// FuncRef is a column whose values a function makes: Table is the key of
// Options.Tables ("users", "app.users").
type FuncRef struct {
	Table, Column string
}

// Result is what the program did: the rows written, or the error that
// rolled everything back.
type Result struct {
	// Protocol is the program's own: when it differs from the request's,
	// the program did nothing.
	Protocol int
	Written  []seed.Written
	Elapsed  time.Duration
	// Error is the failure, with Table and Column when it is a
	// seed.Error about them and Fixture when a fixture failed.
	Error         string
	Table, Column string
	Fixture       string
}

// readResult reads the Result the program wrote to path.
func readResult(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("the seed program ended without a result")
		}
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("the seed program's result: %w", err)
	}
	return &r, nil
}
