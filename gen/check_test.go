package gen_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/imports"

	"github.com/mizzle/mizzle/gen"
)

// checkImports fails the test when goimports would change f: its imports
// must come in goimports' groups, the standard library first. Process with
// nil options is what goimports -l runs, at the version of x/tools the
// tools module pins for .ci/run.
func checkImports(t *testing.T, f gen.File) {
	t.Helper()
	want, err := imports.Process(f.Name, f.Data, nil)
	if err != nil {
		t.Fatalf("goimports %s: %v", f.Name, err)
	}
	if diff := cmp.Diff(string(want), string(f.Data)); diff != "" {
		t.Errorf("goimports would change %s (-goimports +generated):\n%s", f.Name, diff)
	}
}
