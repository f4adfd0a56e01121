package gen_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/imports"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/pg/pgimpl"
	"github.com/mizzle/mizzle/schema"
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

// checkFieldOrder fails the test when a keyed literal of one of the
// runtime's structs names its fields out of the struct's order, which a
// person writing the code would keep.
func checkFieldOrder(t *testing.T, f gen.File) {
	t.Helper()
	structs := map[string]reflect.Type{
		"RowFuncs":     reflect.TypeFor[pgimpl.RowFuncs[struct{}]](),
		"TableColumn":  reflect.TypeFor[pgimpl.TableColumn](),
		"RelationDesc": reflect.TypeFor[pgimpl.RelationDesc[struct{}]](),
	}
	file, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Data, 0)
	if err != nil {
		t.Fatal(err)
	}
	check := func(lit *ast.CompositeLit, typ reflect.Type) {
		last := -1
		for _, e := range lit.Elts {
			kv, ok := e.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			key := kv.Key.(*ast.Ident).Name
			sf, ok := typ.FieldByName(key)
			if !ok {
				t.Errorf("%s: %s has no field %s", f.Name, typ, key)
				continue
			}
			if sf.Index[0] < last {
				t.Errorf("%s: a literal of %s sets %s after a field declared after it", f.Name, typ, key)
			}
			last = sf.Index[0]
		}
	}
	ast.Inspect(file, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		if typ := structs[runtimeStruct(lit.Type)]; typ != nil {
			check(lit, typ)
		}
		// The elements of a []pgimpl.TableColumn literal leave out their type.
		if at, ok := lit.Type.(*ast.ArrayType); ok && structs[runtimeStruct(at.Elt)] != nil {
			for _, e := range lit.Elts {
				if el, ok := e.(*ast.CompositeLit); ok && el.Type == nil {
					check(el, structs[runtimeStruct(at.Elt)])
				}
			}
		}
		return true
	})
}

// runtimeStruct is the name of pgimpl.Name or pgimpl.Name[T], else "".
func runtimeStruct(e ast.Expr) string {
	if ix, ok := e.(*ast.IndexExpr); ok {
		e = ix.X
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "pgimpl" {
		return ""
	}
	return sel.Sel.Name
}

// checkNoStructDoc fails the test when f repeats the doc comment of one of
// m's table structs: it documents the struct, and next to a declaration of
// generated code it would read as documenting that instead.
func checkNoStructDoc(t *testing.T, m *schema.Model, f gen.File) {
	t.Helper()
	for _, tbl := range m.Tables {
		first, _, _ := strings.Cut(strings.TrimSpace(tbl.Doc), "\n")
		if first != "" && bytes.Contains(f.Data, []byte("// "+first+"\n")) {
			t.Errorf("%s repeats the doc comment of %s: %q", f.Name, tbl.GoType.Name, first)
		}
	}
}

// TestGoimportsVersion checks that checkImports runs the goimports of
// .ci/run: the x/tools this module requires is the one tools/go.mod pins.
func TestGoimportsVersion(t *testing.T) {
	version := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^\s*golang\.org/x/tools (v\S+)`).FindSubmatch(data)
		if m == nil {
			t.Fatalf("%s does not require golang.org/x/tools", path)
		}
		return string(m[1])
	}
	lib, tools := version(filepath.Join("..", "go.mod")), version(filepath.Join("..", "tools", "go.mod"))
	if lib != tools {
		t.Errorf("go.mod requires golang.org/x/tools %s, tools/go.mod pins %s: the tests would check imports with another goimports than .ci/run", lib, tools)
	}
}
