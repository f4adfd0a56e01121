package loader_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/testmod"
	"github.com/mizzle/mizzle/schema"
)

// TestLoad loads each schema of the shared corpus, testdata/schemas/*.txtar
// (the migrations tests use it too), and compares the model, as JSON, with
// its want.json section.
func TestLoad(t *testing.T) {
	runCases(t, "../../testdata/schemas")
}

// TestErrors loads each testdata/errors/*.txtar schema, which has mistakes,
// and compares every reported file:line:col: message with want.err.
func TestErrors(t *testing.T) {
	runCases(t, "testdata/errors")
}

func runCases(t *testing.T, dir string) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no cases in %s", dir)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			modDir, env := testmod.Write(t, ar)
			m, err := loader.Load(context.Background(), loader.Config{Dir: modDir, Env: env})
			_, wantErr := section(ar, "want.err")
			switch {
			case err != nil && !wantErr && !golden.Updating():
				t.Fatalf("unexpected error:\n%s", formatErr(err, modDir))
			case err == nil && wantErr:
				t.Fatalf("loaded without error; want.err expects:\n%s", mustSection(ar, "want.err"))
			case err != nil:
				golden.CheckSection(t, file, ar, "want.err", []byte(formatErr(err, modDir)))
			default:
				golden.CheckSection(t, file, ar, "want.json", modelJSON(t, m, modDir))
			}
		})
	}
}

func section(ar *txtar.Archive, name string) ([]byte, bool) {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

func mustSection(ar *txtar.Archive, name string) string {
	data, _ := section(ar, name)
	return string(data)
}

// formatErr prints errors as the CLI does, with paths relative to the
// module, one per line.
func formatErr(err error, dir string) string {
	var list schema.ErrorList
	if !errors.As(err, &list) {
		return err.Error() + "\n"
	}
	var b strings.Builder
	for _, e := range list {
		b.WriteString(e.Pos.Rel(dir).String() + ": " + e.Msg + "\n")
	}
	return b.String()
}

// modelJSON renders the model with positions relative to dir.
func modelJSON(t *testing.T, m *schema.Model, dir string) []byte {
	t.Helper()
	m.RelativePositions(dir)
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

// TestLoadWholePackageErrors checks that the go command's errors about the
// package as a whole, which come with no position, are the error's
// message as they are, not a list entry at the position "-".
func TestLoadWholePackageErrors(t *testing.T) {
	ar := txtar.Parse([]byte("-- empty/README --\nno Go here\n-- sch ema/s.go --\npackage s\n"))
	dir, env := testmod.Write(t, ar)
	for _, tt := range []struct{ pattern, want string }{
		{"./empty", "no Go files in " + filepath.Join(dir, "empty")},
		{"./sch ema", `malformed import path "example.com/app/sch ema": invalid char ' '`},
	} {
		_, err := loader.Load(context.Background(), loader.Config{Dir: dir, Env: env, Pattern: tt.pattern})
		var list schema.ErrorList
		switch {
		case err == nil:
			t.Errorf("%s: loaded; want an error", tt.pattern)
		case errors.As(err, &list):
			t.Errorf("%s: %q is a list of positioned errors; want the message alone", tt.pattern, err)
		case err.Error() != tt.want:
			t.Errorf("%s: error %q, want %q", tt.pattern, err, tt.want)
		}
	}
}
