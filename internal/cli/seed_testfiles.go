package cli

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// seedVarsInTests finds the package-level variables of type seed.Config
// declared in the _test.go files of the schema directory, by their
// syntax: the loader reads the package without its tests, so such a
// variable is never the seed settings, and a user who put them there
// would see the defaults with no word why. mizzle seed warns rather than
// fails, because a test may well build a seed.Config for code it tests;
// it warns only when the package declares no settings of its own, when
// the test file's are the likely intent. The results are "file:line:col:
// Name", file relative to cwd.
func seedVarsInTests(dir, cwd string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	var found []string
	fset := token.NewFileSet()
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			continue // the go command reports it when the tests build
		}
		local := ""
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == seedPkgPath {
				local = "seed"
				if imp.Name != nil {
					local = imp.Name.Name
				}
			}
		}
		if local == "" || local == "_" {
			continue
		}
		isConfig := func(e ast.Expr) bool {
			if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
				e = u.X
			}
			if cl, ok := e.(*ast.CompositeLit); ok {
				e = cl.Type
			}
			if st, ok := e.(*ast.StarExpr); ok {
				e = st.X
			}
			sel, ok := e.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Config" {
				return false
			}
			id, ok := sel.X.(*ast.Ident)
			return ok && id.Name == local
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if (vs.Type != nil && isConfig(vs.Type)) || (vs.Type == nil && i < len(vs.Values) && isConfig(vs.Values[i])) {
						p := fset.Position(n.Pos())
						rel, err := filepath.Rel(cwd, p.Filename)
						if err != nil || strings.HasPrefix(rel, "..") {
							rel = p.Filename
						}
						found = append(found, fmt.Sprintf("%s:%d:%d: %s", rel, p.Line, p.Column, n.Name))
					}
				}
			}
		}
	}
	slices.Sort(found)
	return found, nil
}

// seedPkgPath is the package of the seed settings' types.
const seedPkgPath = "github.com/mizzle/mizzle/seed"
