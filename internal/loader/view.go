package loader

import (
	"go/constant"
	"go/types"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/schema"
)

// viewMarker returns a type's //mizzle:view or //mizzle:materialized-view
// marker, or nil.
func (d *typeDecl) viewMarker() *marker {
	if mk := d.marker("view"); mk != nil {
		return mk
	}
	return d.marker("materialized-view")
}

// viewColumnOptions are the db tag options a view's column takes: the rest
// (keys, defaults, references, ...) are a table's.
var viewColumnOptions = map[string]bool{"type": true, "comment": true}

// buildView reads a struct with a view marker: the view's name and
// options from the marker, its query from the Go constant the marker
// names, its columns from the fields (as a table's, with fewer options),
// and for a materialized view its indexes.
func (l *loader) buildView(d *typeDecl) *schema.View {
	mk := d.viewMarker()
	materialized := mk.Name == "materialized-view"
	v := &schema.View{
		Schema:       schema.DefaultSchema,
		Name:         schema.SnakeCase(d.obj.Name()),
		Materialized: materialized,
		GoType:       schema.GoType{Kind: schema.GoNamed, Path: l.pkg.PkgPath, Name: d.obj.Name()},
		Pos:          l.pos(d.spec.Name.Pos()),
	}
	if d.doc != nil {
		v.Doc = strings.TrimSpace(d.doc.Text())
	}
	spec, err := grammar.ParseView(mk.Args, materialized)
	if err != nil {
		l.markerError(mk, err)
	} else {
		v.Name = spec.Name
		l.checkName(mk.at(spec.NameOff), "view", spec.Name)
		if spec.Schema != "" {
			v.Schema = spec.Schema
			l.checkName(mk.at(spec.SchemaOff), "schema", spec.Schema)
		}
		v.Options, v.WithNoData = spec.Options, spec.WithNoData
		v.Definition = l.viewQuery(mk, spec)
	}
	var ignored string
	l.applySchemaAndWas(d, mk.Name, v.Name, &ignored, &v.Was)
	v.Comment = l.typeComment(d)

	// The columns are read as a table's would be, into a table that
	// stands for the view, which also takes a materialized view's index
	// markers.
	t := &schema.Table{Schema: v.Schema, Name: v.Name}
	ti := &tableInfo{t: t, decl: d}
	b := &tableBuilder{l: l, ti: ti, view: true, uniques: map[string]*namedGroup{}, indexes: map[string]*namedGroup{}}
	before := len(l.errs)
	st := d.obj.Type().Underlying().(*types.Struct)
	b.fields(st, nil, nil)
	if fs, ok := goFields(st); ok {
		v.GoFields = fs
	}
	if len(t.Columns) == 0 && len(l.errs) == before {
		l.errs.Addf(v.Pos, "%s %q has no columns: give %s a field for each column its query returns", v.Kind(), v.Name, d.obj.Name())
	}
	for _, m := range d.markers {
		switch m.Name {
		case "index":
			b.indexMarker(m)
		case "unique":
			b.uniqueMarker(m)
		}
	}
	v.Columns = t.Columns
	v.Indexes = t.Indexes
	// A materialized view has no constraints: a unique "constraint" on it
	// is a unique index.
	for _, u := range t.Uniques {
		ix := schema.Index{Name: u.Name, Unique: true, NullsNotDistinct: u.NullsNotDistinct, Pos: u.Pos}
		for _, c := range u.Columns {
			ix.Elements = append(ix.Elements, schema.IndexElem{Column: c})
		}
		v.Indexes = append(v.Indexes, ix)
	}
	return v
}

// viewQuery returns the query held by the constant a view marker names,
// trimmed and without a final semicolon, or "" after reporting why there
// is none.
func (l *loader) viewQuery(mk *marker, spec grammar.ViewSpec) string {
	at := mk.at(spec.ConstOff)
	obj := l.pkg.Types.Scope().Lookup(spec.Const)
	c, ok := obj.(*types.Const)
	if obj == nil {
		l.errs.Addf(at, "//mizzle:%s: no constant %s in package %s: declare the query as const %s = `SELECT ...`", mk.Name, spec.Const, l.pkg.Name, spec.Const)
		return ""
	}
	if !ok || c.Val().Kind() != constant.String {
		l.errs.Addf(at, "//mizzle:%s: %s is not a string constant: the view's query is a Go string constant of the package", mk.Name, spec.Const)
		return ""
	}
	q := strings.TrimSpace(constant.StringVal(c.Val()))
	for strings.HasSuffix(q, ";") {
		q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	}
	constPos := l.pos(c.Pos())
	if q == "" {
		l.errs.Addf(constPos, "constant %s, the query of view %q, is empty", spec.Const, spec.Name)
		return ""
	}
	if !l.checkExpr("query of view "+spec.Name+" (constant "+spec.Const+"):", q, func(int) schema.Position { return constPos }) {
		return ""
	}
	return q
}

// viewOption reports a db tag option a view's column does not take.
func (b *tableBuilder) viewOption(key string, at schema.Position) bool {
	if !b.view || viewColumnOptions[key] {
		return true
	}
	b.l.errs.Addf(at, "option %q is not for a view's column: a view's columns are what its query returns (a view's column takes type: and comment: only)", key)
	return false
}

// claimViews claims the names of views and of materialized views'
// indexes in their schema's namespace of relations, which tables share.
func (l *loader) claimViews(m *schema.Model, claim func(schemaName, name string, o owner) bool) {
	for _, v := range m.Views {
		claim(v.Schema, v.Name, owner{v.Kind() + " " + v.GoType.Name, v.Pos})
		for _, ix := range v.Indexes {
			claim(v.Schema, ix.Name, owner{"index of " + v.Name, ix.Pos})
		}
	}
}
