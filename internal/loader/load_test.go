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
