package gen_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/golden"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/testmod"
)

// corpusDir is the shared corpus of schema packages: each of its schemas
// has a golden here too, holding only the generated files.
var corpusDir = filepath.Join("..", "testdata", "schemas")

// TestGolden generates the query package of each schema in
// testdata/golden and compares every file with the archive's db/ sections
// byte for byte (rewritten with -update). An archive's own Go files are its
// schema package; an archive without any takes its schema from the corpus
// archive of the same name. The files must be what goimports leaves, in
// the same bytes on a second run, with the literals of the runtime's
// structs in field order; and the packages, all in one throwaway module,
// must pass go vet.
func TestGolden(t *testing.T) {
	cases := goldenCases(t)
	if len(cases) < 10 {
		t.Errorf("%d golden schemas, want at least 10", len(cases))
	}
	module := &txtar.Archive{}
	for _, c := range cases {
		for _, f := range c.schema {
			module.Files = append(module.Files, txtar.File{Name: c.name + "/schema/" + f.Name, Data: f.Data})
		}
	}
	dir, env := testmod.Write(t, module)
	useThisModule(t, dir)

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := loader.Load(context.Background(), loader.Config{Dir: filepath.Join(dir, c.name, "schema"), Env: env})
			if err != nil {
				t.Fatal(err)
			}
			opts := gen.Options{Package: "db", Queries: c.queries(t)}
			files, err := gen.Generate(m, opts)
			if err != nil {
				t.Fatal(err)
			}
			dropStale(t, c, files)
			for _, f := range files {
				golden.CheckSection(t, c.path, c.ar, "db/"+f.Name, f.Data)
				checkImports(t, f)
				checkFieldOrder(t, f)
				checkNoStructDoc(t, m, f)
				writeFile(t, filepath.Join(dir, c.name, "db", f.Name), f.Data)
			}
			again, err := gen.Generate(m, opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(files, again); diff != "" {
				t.Errorf("a second run differs (-first +second):\n%s", diff)
			}
		})
	}
	if !t.Failed() {
		goCmd(t, dir, env, "vet", "./...")
	}
}

// goldenCase is one archive of testdata/golden and the schema it holds or
// names.
type goldenCase struct {
	name   string
	path   string
	ar     *txtar.Archive
	schema []txtar.File
}

// queries are the typed hand-written queries of an archive's queries.json
// section, as generate has them from the server: none without one.
func (c goldenCase) queries(t *testing.T) []gen.Query {
	t.Helper()
	for _, f := range c.ar.Files {
		if f.Name == "queries.json" {
			var qs []gen.Query
			if err := json.Unmarshal(f.Data, &qs); err != nil {
				t.Fatalf("%s: queries.json: %v", c.path, err)
			}
			return qs
		}
	}
	return nil
}

func goldenCases(t *testing.T) []goldenCase {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	have := map[string]bool{}
	for _, path := range paths {
		c := goldenCase{name: strings.TrimSuffix(filepath.Base(path), ".txtar"), path: path}
		if c.ar, err = txtar.ParseFile(path); err != nil {
			t.Fatal(err)
		}
		for _, f := range c.ar.Files {
			if !strings.HasPrefix(f.Name, "db/") && f.Name != "queries.json" {
				c.schema = append(c.schema, f)
			}
		}
		if c.schema == nil {
			c.schema = corpusSchema(t, filepath.Join(corpusDir, c.name+".txtar"))
		}
		have[c.name] = true
		cases = append(cases, c)
	}
	// Every schema of the corpus has its golden, so that a schema added
	// there is golden-tested here too.
	corpus, err := filepath.Glob(filepath.Join(corpusDir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range corpus {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		if have[name] {
			continue
		}
		if !golden.Updating() {
			t.Errorf("%s has no golden testdata/golden/%s.txtar (run the test with -update to add it)", path, name)
			continue
		}
		c := goldenCase{
			name:   name,
			path:   filepath.Join("testdata", "golden", name+".txtar"),
			ar:     &txtar.Archive{Comment: []byte("The query package of the corpus schema testdata/schemas/" + name + ".txtar.\n")},
			schema: corpusSchema(t, path),
		}
		cases = append(cases, c)
	}
	return cases
}

// corpusSchema is the schema package of a corpus archive: its files but
// the loader's expectations (want*).
func corpusSchema(t *testing.T, path string) []txtar.File {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatalf("%v (an archive without Go files takes its schema from the corpus)", err)
	}
	var files []txtar.File
	for _, f := range ar.Files {
		if !strings.HasPrefix(f.Name, "want") {
			files = append(files, f)
		}
	}
	return files
}

// dropStale reports the archive's db/ sections that no generated file
// matches; -update removes them.
func dropStale(t *testing.T, c goldenCase, files []gen.File) {
	t.Helper()
	c.ar.Files = slices.DeleteFunc(c.ar.Files, func(f txtar.File) bool {
		name, ok := strings.CutPrefix(f.Name, "db/")
		if !ok || slices.ContainsFunc(files, func(g gen.File) bool { return g.Name == name }) {
			return false
		}
		if !golden.Updating() {
			t.Errorf("%s: section %s is not generated any more (run the test with -update to remove it)", c.path, f.Name)
		}
		return golden.Updating()
	})
	if golden.Updating() {
		if err := os.WriteFile(c.path, txtar.Format(c.ar), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
