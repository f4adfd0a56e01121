// Package seedrun is the heart of the program mizzle seed builds in a
// module whose seed settings name Go code: a column's Func, fixtures (see
// package github.com/mizzle/mizzle/seed). mizzle seed writes that
// program's main package in a temporary directory and builds it in the
// module; the program registers the functions it was built with and calls
// Main, which does the whole seed run in its process and reports to mizzle
// seed. The package is public only so that the user's module can build
// it: a project does not call it itself.
package seedrun

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/seedprog"
)

// Program holds the functions of a seed program.
type Program struct {
	funcs    map[seedprog.FuncRef]func(*rand.Rand, int) any
	fixtures map[string]func(context.Context, pgx.Tx) error
}

// New returns a program without functions.
func New() *Program {
	return &Program{funcs: map[seedprog.FuncRef]func(*rand.Rand, int) any{}, fixtures: map[string]func(context.Context, pgx.Tx) error{}}
}

// Column registers f as the Func of column of table (the table's key in
// the seed settings).
func Column[T any](p *Program, table, column string, f func(r *rand.Rand, row int) T) {
	p.funcs[seedprog.FuncRef{Table: table, Column: column}] = func(r *rand.Rand, row int) any { return f(r, row) }
}

// Fixture registers f as the fixture ref ("import/path.Name").
func (p *Program) Fixture(ref string, f func(ctx context.Context, tx pgx.Tx) error) {
	p.fixtures[ref] = f
}

// Main does the run mizzle seed asks for on the standard input, writes
// the result where mizzle seed reads it, and exits. An interrupt cancels
// the run, which rolls it back.
func (p *Program) Main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	res := seedprog.Serve(ctx, os.Stdin, p.funcs, p.fixtures)
	stop()
	if err := seedprog.WriteResult(res); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if res.Error != "" {
		os.Exit(1)
	}
}
