// Command mizzle generates typed query code and migration SQL from a Go
// schema package, and manages PostgreSQL databases with them. The commands
// live in an internal package; see "mizzle help".
package main

import (
	"os"
	"runtime/debug"

	"github.com/mizzle/mizzle/internal/cli"
)

func main() {
	tuneGC()
	os.Exit(cli.Do(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// tuneGC turns the garbage collector off up to a memory limit, unless the
// user set GOGC or GOMEMLIMIT: a command lives for a fraction of a second
// and its heap stays far below the limit, so collecting would only cost
// time (a quarter of generate's on a 1,000-table schema). It is the
// process's choice, so it lives here and not in the package tests share.
func tuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(1 << 30)
}
