package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// TestMain runs the package's tests with a throwaway PostgreSQL server for
// the migrate and status tests, and a model cache of their own rather than
// the user's, and removes the mizzle binary the process tests build.
func TestMain(m *testing.M) {
	cache, err := os.MkdirTemp("", "mizzle-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("MIZZLE_CACHE", cache)
	code := pgtest.Main(m)
	removeBinary()
	os.RemoveAll(cache)
	os.Exit(code)
}

// runArgs runs args in the working directory as a command would, with no
// terminal: prompts are not shown and stdin is empty.
func runArgs(args ...string) (code int, stdout, stderr string) {
	return runAnswering(nil, args...)
}

// runAnswering runs args as runArgs does, but as if stdin and stderr were
// a terminal on which a person types answers (one per line); nil answers
// means no terminal at all.
func runAnswering(answers []string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	env := newEnv(strings.NewReader(strings.Join(answers, "\n")+"\n"), &out, &errb)
	env.interactive = answers != nil
	code = run(context.Background(), env, args)
	return code, out.String(), errb.String()
}
