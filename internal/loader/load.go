// Package loader builds a schema.Model from the user's schema package: Go
// structs tagged with db:"..." options and //mizzle: markers.
//
// It loads the package with golang.org/x/tools/go/packages (syntax and types
// only: no user code runs), reads tags and markers, maps Go types to
// PostgreSQL types and resolves references between tables. Every mistake is
// reported as a schema.ErrorList of file:line:col messages, all at once, and
// then no model is returned.
//
// It knows nothing about SQL generation, migrations, databases or the query
// generator.
package loader

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/schema"
)

// Config says which package to load.
type Config struct {
	// Dir is the directory the go command runs in; empty means the current
	// directory.
	Dir string
	// Pattern names the schema package; empty means ".", the package in Dir.
	Pattern string
	// Env, when not nil, is the environment of the go command.
	Env []string
	// CacheDir, when not empty, is a directory where Load keeps the models
	// it loads and finds them again without running the go command, as
	// long as no file they were read from has changed (see cache.go). Only
	// the package in Dir is cached, not other patterns, and only a model:
	// a schema with mistakes is loaded again each time.
	CacheDir string
	// Logf, when not nil, receives what the cache did and why: a hit, or
	// the input that made a miss.
	Logf func(format string, args ...any)
	// Overlay, when not nil, maps absolute file paths to contents the go
	// command reads instead of the files on disk, which need not exist
	// (nor their directory): pull loads the package it is about to write.
	// A function's file (//mizzle:function NAME file:PATH) is read from it
	// too.
	// A load with an overlay is never cached.
	Overlay map[string][]byte
}

// Load loads the schema package and returns its model, sorted. When the
// package does not compile or the schema has mistakes, the error is a
// schema.ErrorList with every problem. When the go command cannot load it
// at all (a folder without Go files, a malformed import path), the error
// is the go command's message, with no position.
func Load(ctx context.Context, cfg Config) (*schema.Model, error) {
	if cfg.CacheDir == "" || cfg.Overlay != nil {
		return load(ctx, cfg)
	}
	c, err := openCache(cfg)
	if err != nil {
		if cfg.Logf != nil {
			cfg.Logf("loader: cache not used: %v", err)
		}
		return load(ctx, cfg)
	}
	if m := c.get(); m != nil {
		return m, nil
	}
	// The inputs are hashed before the go command reads them, and put
	// checks them again after: a file saved during the load is never
	// recorded with a model read from its previous content.
	inputs, err := c.inputs()
	if err != nil {
		c.log("not used: %v", err)
		return load(ctx, cfg)
	}
	m, err := load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	c.put(inputs, m)
	return m, nil
}

// Fingerprint identifies the model Load would return for cfg from the model
// cache, without decoding it: when the cache holds an intact entry for cfg
// and every input it lists is unchanged, it returns a hash of the entry's
// key (mizzle's build, the go command, its environment and the directory)
// and of the entry's content, and true. Otherwise, and when cfg has no
// cache, it returns false: Load would start the go command. Two calls that
// return the same hash stand for the same model, so a caller may keep what
// it computed from one model under this hash.
func Fingerprint(cfg Config) ([sha256.Size]byte, bool) {
	if cfg.CacheDir == "" {
		return [sha256.Size]byte{}, false
	}
	c, err := openCache(cfg)
	if err != nil {
		return [sha256.Size]byte{}, false
	}
	return c.fingerprint()
}

func load(ctx context.Context, cfg Config) (*schema.Model, error) {
	pattern := cfg.Pattern
	if pattern == "" {
		pattern = "."
	}
	pcfg := &packages.Config{
		Context: ctx,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax |
			packages.NeedTypes | packages.NeedTypesInfo,
		Dir:     cfg.Dir,
		Env:     cfg.Env,
		Overlay: cfg.Overlay,
	}
	pkgs, err := packages.Load(pcfg, pattern)
	if err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("loader: pattern %q matches %d packages; the schema is one package", pattern, len(pkgs))
	}
	pkg := pkgs[0]
	if err := packageErrors(pkg); err != nil {
		return nil, err
	}
	l := &loader{
		overlay: cfg.Overlay,
		fset:    pkg.Fset,
		pkg:     pkg,
		fields:  make(map[token.Pos]*ast.Field),
		tables:  make(map[*types.TypeName]*tableInfo),
		enums:   make(map[*types.TypeName]*enumInfo),
	}
	m := l.load()
	if len(l.errs) > 0 {
		return nil, l.errs.Sort()
	}
	return m, nil
}

// packageErrors turns go/packages errors (the go command's, parse and type
// errors) into positioned schema errors. Errors about the package as a
// whole come from the go command with the position "-"; when there is
// nothing else, their messages are the error, as a position that names
// nothing would only be noise ("-: no Go files in ...").
func packageErrors(pkg *packages.Package) error {
	var errs, listErrs schema.ErrorList
	packages.Visit([]*packages.Package{pkg}, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			if e.Kind == packages.ListError {
				listErrs.Add(parsePos(e.Pos), e.Msg)
			} else {
				errs.Add(parsePos(e.Pos), e.Msg)
			}
		}
	})
	// The go command repeats the compiler's errors as one unpositioned
	// block; keep it only when there is nothing better to show.
	if len(errs) == 0 {
		errs = listErrs
	}
	if len(errs) == 0 && len(pkg.GoFiles) == 0 {
		errs.Add(schema.Position{Filename: pkg.PkgPath}, "no Go files in the schema package")
	}
	if len(errs) == 0 {
		return nil
	}
	var msgs []string
	for _, e := range errs {
		if e.Pos != (schema.Position{}) {
			return errs.Sort()
		}
		if !slices.Contains(msgs, e.Msg) {
			msgs = append(msgs, e.Msg)
		}
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// parsePos reads "file:line:col" or "file:line" as go/packages reports them.
func parsePos(s string) schema.Position {
	if s == "" || s == "-" {
		return schema.Position{}
	}
	parts := strings.Split(s, ":")
	var p schema.Position
	nums := []int{}
	for len(parts) > 1 && len(nums) < 2 {
		n, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		parts = parts[:len(parts)-1]
	}
	p.Filename = strings.Join(parts, ":")
	if len(nums) > 0 {
		p.Line = nums[0]
	}
	if len(nums) > 1 {
		p.Column = nums[1]
	}
	return p
}

type loader struct {
	// overlay is Config.Overlay: files not yet on disk, a function's
	// SQL file among them.
	overlay map[string][]byte
	fset    *token.FileSet
	pkg     *packages.Package
	errs    schema.ErrorList

	// fields maps the position of a field's name (or of an embedded
	// field's type name) to its syntax, to find tag positions.
	fields map[token.Pos]*ast.Field
	decls  []*typeDecl
	tables map[*types.TypeName]*tableInfo
	enums  map[*types.TypeName]*enumInfo
	order  []*tableInfo
	// pkgMarkers are the markers of the package's doc comment.
	pkgMarkers []*marker
	// triggerRefs are the triggers' functions, resolved last.
	triggerRefs []triggerRef
}

// typeDecl is a type declaration of the schema package with its markers.
type typeDecl struct {
	obj     *types.TypeName
	spec    *ast.TypeSpec
	doc     *ast.CommentGroup
	markers []*marker
}

func (d *typeDecl) marker(name string) *marker {
	for _, m := range d.markers {
		if m.Name == name {
			return m
		}
	}
	return nil
}

func (l *loader) pos(p token.Pos) schema.Position {
	if !p.IsValid() {
		return schema.Position{}
	}
	q := l.fset.Position(p)
	return schema.Position{Filename: q.Filename, Line: q.Line, Column: q.Column}
}

func (l *loader) load() *schema.Model {
	l.scanSyntax()
	l.collectEnums()
	for _, d := range l.decls {
		l.checkMarkers(d)
	}
	for _, d := range l.decls {
		if d.marker("table") != nil && l.isStruct(d) {
			ti := l.buildTable(d)
			l.tables[d.obj] = ti
			l.order = append(l.order, ti)
		}
	}
	for _, ti := range l.order {
		l.resolveRefs(ti)
	}
	for _, ti := range l.order {
		l.resolveRelations(ti)
	}
	if len(l.order) == 0 && len(l.errs) == 0 {
		// Point at the package clause: the package as a whole is wrong.
		l.errs.Addf(l.pos(l.pkg.Syntax[0].Package),
			"no tables: no type in package %s has a //mizzle:table marker in its doc comment", l.pkg.Name)
	}

	m := &schema.Model{Go: schema.GoPackage{Path: l.pkg.PkgPath, Name: l.pkg.Name}, Extensions: l.extensions(), Sequences: l.sequences(), Functions: l.functions()}
	for _, d := range l.decls {
		if d.viewMarker() != nil && d.marker("table") == nil && l.isStruct(d) {
			m.Views = append(m.Views, l.buildView(d))
		}
	}
	for _, ti := range l.order {
		m.Tables = append(m.Tables, ti.t)
	}
	l.resolveTriggers(m)
	for _, d := range l.decls {
		if ei := l.enums[d.obj]; ei != nil && (ei.used || ei.marked) && len(ei.e.Values) > 0 {
			m.Enums = append(m.Enums, ei.e)
		}
	}
	l.checkNames(m)
	schemas := map[string]bool{}
	for _, t := range m.Tables {
		schemas[t.Schema] = true
	}
	for _, e := range m.Enums {
		schemas[e.Schema] = true
	}
	for _, x := range m.Extensions {
		schemas[x.Schema] = true // "" for public
	}
	for _, s := range m.Sequences {
		schemas[s.Schema] = true
	}
	for _, f := range m.Functions {
		schemas[f.Schema] = true
	}
	for _, v := range m.Views {
		schemas[v.Schema] = true
	}
	for name := range schemas {
		if name != schema.DefaultSchema && name != "" {
			m.Schemas = append(m.Schemas, &schema.Schema{Name: name})
		}
	}
	m.Sort()
	m.Seed = l.seedSettings(m)
	return m
}

// scanSyntax finds the type declarations and their markers, indexes struct
// fields by position, and reports markers that are attached to nothing.
func (l *loader) scanSyntax() {
	info := l.pkg.TypesInfo
	used := map[*ast.Comment]bool{}
	for _, f := range l.pkg.Syntax {
		if f.Doc != nil {
			for _, c := range f.Doc.List {
				if mk, ok := parseMarker(l.fset, c); ok {
					l.packageDocMarker(mk)
					used[c] = true
				}
			}
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				obj, _ := info.Defs[ts.Name].(*types.TypeName)
				if obj == nil {
					continue
				}
				d := &typeDecl{obj: obj, spec: ts, doc: doc}
				if doc != nil {
					for _, c := range doc.List {
						if mk, ok := parseMarker(l.fset, c); ok {
							d.markers = append(d.markers, mk)
							used[c] = true
						}
					}
				}
				l.decls = append(l.decls, d)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			st, ok := n.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fld := range st.Fields.List {
				for _, name := range fld.Names {
					l.fields[name.Pos()] = fld
				}
				if len(fld.Names) == 0 {
					l.fields[embeddedIdentPos(fld.Type)] = fld
				}
			}
			return true
		})
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if used[c] {
					continue
				}
				if mk, ok := parseMarker(l.fset, c); ok {
					l.errs.Addf(mk.pos, "//mizzle:%s is not in the doc comment of a type declaration; markers go right above \"type X struct\"", mk.Name)
				} else if grammar.LooksLikeMarker(c.Text) {
					p := l.pos(c.Slash)
					l.errs.Add(p, "a mizzle marker must have no space after \"//\": write //mizzle:...")
				}
			}
		}
	}
}

// embeddedIdentPos returns the position of the type name of an embedded
// field, which go/types uses as the field's position.
func embeddedIdentPos(e ast.Expr) token.Pos {
	switch e := e.(type) {
	case *ast.StarExpr:
		return embeddedIdentPos(e.X)
	case *ast.SelectorExpr:
		return e.Sel.Pos()
	case *ast.IndexExpr:
		return embeddedIdentPos(e.X)
	case *ast.IndexListExpr:
		return embeddedIdentPos(e.X)
	}
	return e.Pos()
}

func (l *loader) isStruct(d *typeDecl) bool {
	_, ok := d.obj.Type().Underlying().(*types.Struct)
	return ok
}

// tableOnly are the markers that describe a table's constraints and indexes.
var tableOnly = map[string]bool{"index": true, "unique": true, "check": true, "pk": true, "fk": true, "rls": true, "policy": true, "trigger": true, "partition": true, "partition-of": true}

// materializedToo are the table markers a materialized view takes too.
var materializedToo = map[string]bool{"index": true, "unique": true}

// singular are the markers a type may carry once.
var singular = map[string]bool{"table": true, "schema": true, "was": true, "enum": true, "pk": true, "rls": true, "partition": true, "view": true, "materialized-view": true}

// checkMarkers reports unknown markers and markers on the wrong kind of type.
func (l *loader) checkMarkers(d *typeDecl) {
	seen := map[string]*marker{}
	isTable := d.marker("table") != nil
	isEnum := d.marker("enum") != nil
	view := d.viewMarker()
	for _, m := range d.markers {
		if grammar.MarkerSyntax(m.Name) == "" {
			msg := fmt.Sprintf("unknown marker //mizzle:%s", m.Name)
			if s := suggest(m.Name, grammar.MarkerNames()); s != "" {
				msg += fmt.Sprintf(" (did you mean //mizzle:%s?)", s)
			}
			l.errs.Add(m.pos, msg)
			continue
		}
		if first := seen[m.Name]; first != nil && singular[m.Name] {
			l.errs.Addf(m.pos, "//mizzle:%s appears twice on %s (first at line %d)", m.Name, d.obj.Name(), first.pos.Line)
			continue
		}
		seen[m.Name] = m
		switch {
		case packageMarkers[m.Name]:
			l.errs.Addf(m.pos, "//mizzle:%s on %s: it goes in the package's doc comment, above \"package %s\"", m.Name, d.obj.Name(), l.pkg.Name)
		case m.Name == "table" && !l.isStruct(d):
			l.errs.Addf(m.pos, "//mizzle:table on %s, which is not a struct type", d.obj.Name())
		case m.Name == "enum" && isTable:
			l.errs.Addf(m.pos, "//mizzle:enum on %s, which is also a //mizzle:table", d.obj.Name())
		case (m.Name == "view" || m.Name == "materialized-view") && !l.isStruct(d):
			l.errs.Addf(m.pos, "//mizzle:%s on %s, which is not a struct type: a view's struct is its row type", m.Name, d.obj.Name())
		case (m.Name == "view" || m.Name == "materialized-view") && (isTable || isEnum || m != view):
			l.errs.Addf(m.pos, "//mizzle:%s on %s, which is already a %s", m.Name, d.obj.Name(), map[bool]string{true: "table", false: "view or enum"}[isTable])
		case view != nil && m.Name == "schema":
			l.errs.Addf(m.pos, "//mizzle:schema on view %s: write the schema in the view's marker, //mizzle:%s schema.NAME ...", d.obj.Name(), view.Name)
		case view != nil && tableOnly[m.Name] && !(view.Name == "materialized-view" && materializedToo[m.Name]):
			l.errs.Addf(m.pos, "//mizzle:%s on view %s: only a materialized view takes //mizzle:index and //mizzle:unique, and no view takes the other table markers", m.Name, d.obj.Name())
		case view != nil:
		case tableOnly[m.Name] && !isTable:
			l.errs.Addf(m.pos, "//mizzle:%s on %s, which has no //mizzle:table marker", m.Name, d.obj.Name())
		case (m.Name == "schema" || m.Name == "was" || m.Name == "comment") && !isTable && !isEnum && l.enums[d.obj] == nil:
			l.errs.Addf(m.pos, "//mizzle:%s on %s, which is neither a table nor an enum", m.Name, d.obj.Name())
		}
	}
}

// suggest returns the candidate closest to word when it is a plausible typo.
func suggest(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(word), c); d < bestDist && d < len(c) {
			best, bestDist = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
