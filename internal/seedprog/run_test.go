package seedprog

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/testmod"
)

// TestRunBuildFails: without the go command, and when the program does
// not build, Run says so and leaves nothing behind in the module.
func TestRunBuildFails(t *testing.T) {
	dir, env := testmod.Write(t, txtar.Parse([]byte("-- schema/schema.go --\npackage schema\n\nimport _ \"github.com/mizzle/mizzle/seed\"\n")))
	schemaDir := filepath.Join(dir, "schema")
	prog := &Program{Dir: schemaDir, SchemaPath: "example.com/app/schema", Funcs: []Func{{FuncRef{"users", "name"}, "Missing"}}}
	req := &Request{Protocol: Protocol}

	_, err := prog.Run(context.Background(), req, "postgres://x", env, io.Discard)
	var be *BuildError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "failed:\nseed-program.go:12:44: undefined: schema.Missing") || strings.Contains(err.Error(), os.TempDir()) {
		t.Errorf("a program that does not build: %v", err)
	}
	entries, err := os.ReadDir(schemaDir)
	if err != nil || len(entries) != 1 {
		t.Errorf("the schema's directory after the build: %v, %v", entries, err)
	}

	t.Setenv("PATH", t.TempDir())
	_, err = prog.Run(context.Background(), req, "postgres://x", env, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "that needs the go command, which is not on the PATH") {
		t.Errorf("without the go command: %v", err)
	}
}
