package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/queryfile"
	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// checkQueries reports the query files whose generated methods are not
// what generate would write now from the files, the migrations of migDir
// and pending (the statements generate has not written yet), naming each
// stale query at its place in its file. It writes nothing: the types come
// from the typed-query cache, or on a miss from a throwaway cluster it
// starts and stops (never a server a URL names, where it would create a
// database), and a miss is not recorded.
func checkQueries(ctx context.Context, env *env, f queryFlags, model *schema.Model, migDir string, pending []migrations.Statement) schema.ErrorList {
	fail := func(err error) schema.ErrorList {
		var list schema.ErrorList
		if errors.As(err, &list) {
			var out schema.ErrorList
			for _, e := range list {
				out = append(out, finding("queries", e.Pos, e.Msg))
			}
			return out
		}
		return schema.ErrorList{finding("queries", schema.Position{Filename: relPath(env, f.queries)}, err.Error())}
	}
	qs, err := readQueries(env, f)
	if err != nil {
		return fail(err)
	}
	tq := &typedQueries{files: qs, model: model}
	if len(qs) > 0 {
		key, keyed := queryKey(qs, migDir, pending, model)
		typed, hit := cachedTypes(key, keyed, expectedServer(env, f), qs)
		if !hit {
			if typed, _, err = typeOnServer(ctx, env, f, model, qs, migDir, pending, true); err != nil {
				return fail(err)
			}
		}
		tq.typed = typed
		if err := tq.name(env, f); err != nil {
			return fail(err)
		}
	}
	files, err := gen.Generate(model, gen.Options{Package: filepath.Base(filepath.Clean(f.dir)), Queries: tq.list})
	if err != nil {
		return fail(err)
	}
	want := map[string][]byte{}
	for _, file := range files {
		want[file.Name] = file.Data
	}
	rel := relPath(env, f.dir)
	var found schema.ErrorList
	// Each query file's generated file, its queries in order.
	var names []string
	byFile := map[string][]*queryfile.Query{}
	for i, q := range qs {
		name := gen.QueryFileName(tq.typed[i].File)
		if byFile[name] == nil {
			names = append(names, name)
		}
		byFile[name] = append(byFile[name], q)
	}
	for _, name := range names {
		shown := filepath.Join(rel, name)
		have, err := os.ReadFile(filepath.Join(f.dir, name))
		if err != nil {
			for _, q := range byFile[name] {
				found = append(found, finding("queries", q.Pos, fmt.Sprintf("query %s has no generated method (%s: %v); run go generate (or mizzle generate)", q.Name, shown, errors.Unwrap(err))))
			}
			continue
		}
		if bytes.Equal(have, want[name]) {
			continue
		}
		stale, gone := staleQueries(have, want[name], byFile[name])
		for _, q := range stale {
			found = append(found, finding("queries", q.Pos, fmt.Sprintf("the generated method of query %s in %s is not what its file and the migrations give now; run go generate (or mizzle generate)", q.Name, shown)))
		}
		if len(gone) > 0 {
			found = append(found, finding("queries", schema.Position{Filename: byFile[name][0].Pos.Filename}, fmt.Sprintf("%s has the %s of %s, which the file no longer declares; run go generate (or mizzle generate)",
				shown, plural(len(gone), "method", "methods"), strings.Join(gone, ", "))))
		}
		if len(stale) == 0 && len(gone) == 0 {
			found = append(found, finding("queries", schema.Position{Filename: shown}, "not what generate writes for the query files now; run go generate (or mizzle generate)"))
		}
	}
	// Generated files of query files that are gone, or hold no query now.
	entries, _ := os.ReadDir(f.dir)
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, "_sql.gen.go") || want[name] != nil {
			continue
		}
		if generated, err := isGenerated(filepath.Join(f.dir, name)); err == nil && generated {
			found = append(found, finding("queries", schema.Position{Filename: filepath.Join(rel, name)}, "holds the methods of a query file that is gone or holds no query now; run go generate (or mizzle generate), which removes it"))
		}
	}
	return found
}

// staleQueries compares a generated query file as it is (have) with what
// generate would write (want), declaration by declaration: the queries of
// qs whose SQL constant, row or parameter type, or method differs or is missing, and the
// methods have declares that no query of qs has.
func staleQueries(have, want []byte, qs []*queryfile.Query) (stale []*queryfile.Query, gone []string) {
	h, w := declarations(have), declarations(want)
	for _, q := range qs {
		for _, name := range []string{"sqlQuery" + q.Name, q.Name + "Row", q.Name + "Params", "Queries." + q.Name} {
			if h[name] != w[name] {
				stale = append(stale, q)
				break
			}
		}
	}
	for name := range h {
		if method, ok := strings.CutPrefix(name, "Queries."); ok && !slices.ContainsFunc(qs, func(q *queryfile.Query) bool { return q.Name == method }) {
			gone = append(gone, method)
		}
	}
	slices.Sort(gone)
	return stale, gone
}

// declarations maps the top-level names of a Go file (a method as
// Recv.Name) to their source text with their doc comments; nil when the
// file does not parse, so that every declaration of the other differs.
func declarations(src []byte) map[string]string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		return nil
	}
	text := func(from, to token.Pos) string {
		return string(src[fset.Position(from).Offset:fset.Position(to).Offset])
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			name := d.Name.Name
			if d.Recv != nil && len(d.Recv.List) == 1 {
				t := d.Recv.List[0].Type
				if star, ok := t.(*ast.StarExpr); ok {
					t = star.X
				}
				if id, ok := t.(*ast.Ident); ok {
					name = id.Name + "." + name
				}
			}
			from := d.Pos()
			if d.Doc != nil {
				from = d.Doc.Pos()
			}
			out[name] = text(from, d.End())
		case *ast.GenDecl:
			from := d.Pos()
			if d.Doc != nil {
				from = d.Doc.Pos()
			}
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					out[s.Name.Name] = text(from, d.End())
				case *ast.ValueSpec:
					for _, n := range s.Names {
						out[n.Name] = text(from, d.End())
					}
				}
			}
		}
	}
	return out
}
