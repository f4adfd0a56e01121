package gen_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/loader"
)

// TestTradingGolden compares the query package of the example application
// with the files checked in under examples/trading/db (rewritten with
// -update), and checks that a second run gives the same bytes.
func TestTradingGolden(t *testing.T) {
	m, err := loader.Load(context.Background(), loader.Config{Dir: "../examples/trading/schema"})
	if err != nil {
		t.Fatal(err)
	}
	files, err := gen.Generate(m, gen.Options{Package: "db"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		golden.Check(t, filepath.Join("..", "examples", "trading", "db", f.Name), f.Data)
		checkImports(t, f)
		checkFieldOrder(t, f)
		checkNoStructDoc(t, m, f)
	}
	again, err := gen.Generate(m, gen.Options{Package: "db"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(files, again); diff != "" {
		t.Errorf("a second run differs (-first +second):\n%s", diff)
	}
}
