package goschema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// viewNames are the Go names of the views: the struct, the constant
// holding the query, a field per column.
type viewNames struct {
	types  map[*schema.View]string
	consts map[*schema.View]string
	fields map[*schema.View][]string
}

// nameViews gives views their Go names, after the tables' and enums'.
func (w *writer) nameViews() {
	w.views = viewNames{types: map[*schema.View]string{}, consts: map[*schema.View]string{}, fields: map[*schema.View][]string{}}
	views := slices.Clone(w.out.Views)
	slices.SortStableFunc(views, func(a, b *schema.View) int { return publicFirst(a.Schema, b.Schema) })
	for _, v := range views {
		w.views.types[v] = w.pkgScope.claim("View", camel(v.Name), camel(v.Schema+"_"+v.Name), camel(v.Name)+"View")
	}
	for _, v := range views {
		w.views.consts[v] = w.pkgScope.claim("Query", w.views.types[v]+"Query")
		scope := newNamer()
		for _, c := range v.Columns {
			w.views.fields[v] = append(w.views.fields[v], scope.claim("Column", camel(c.Name)))
		}
	}
}

// checkViewNames adds the views' names no Go source can carry to
// problems.
func (w *writer) checkViewNames(problems []string) []string {
	for _, v := range w.out.Views {
		for what, name := range map[string]string{"view": v.Name, "schema": v.Schema} {
			if strings.ContainsAny(name, "\n\r\x00") {
				problems = append(problems, fmt.Sprintf("%s %s: a //mizzle: marker cannot hold a line break", what, quote.Ident(name)))
			}
		}
		for _, c := range v.Columns {
			if why := badTagName(c.Name); why != "" {
				problems = append(problems, fmt.Sprintf("column %s: %s", quote.Ident(v.Schema, v.Name, c.Name), why))
			}
		}
		for _, ix := range v.Indexes {
			if strings.ContainsAny(ix.Name, "\n\r\x00") {
				problems = append(problems, fmt.Sprintf("index %s: a //mizzle: marker cannot hold a line break", quote.Ident(ix.Name)))
			}
		}
	}
	return problems
}

// prepareViews trims the views' texts as the loader does, leaves out
// views without columns, and settles their columns' types as a table's.
func (w *writer) prepareViews() {
	w.out.Views = slices.DeleteFunc(w.out.Views, func(v *schema.View) bool {
		if len(v.Columns) == 0 {
			w.warn("%s %s has no columns, which a struct cannot declare: left out", v.Kind(), quote.Ident(v.Schema, v.Name))
			return true
		}
		return false
	})
	for _, v := range w.out.Views {
		v.Definition = strings.TrimSpace(v.Definition)
		// A view's columns are read as a table's: the same types, all
		// nullable (PostgreSQL keeps no NOT NULL on a view's column).
		t := &schema.Table{Schema: v.Schema, Name: v.Name, Columns: v.Columns}
		w.columnTypes(t)
		for i := range v.Indexes {
			ix := &v.Indexes[i]
			ix.Where = strings.TrimSpace(ix.Where)
			for k := range ix.Elements {
				ix.Elements[k].Expr = strings.TrimSpace(ix.Elements[k].Expr)
			}
		}
	}
}

// writeView writes a view's query constant and struct.
func (w *writer) writeView(src *source, v *schema.View) {
	typ, cst := w.views.types[v], w.views.consts[v]
	on := quote.Ident(v.Schema, v.Name)
	src.printf("// %s is the query of %s %s.\n", cst, v.Kind(), on)
	src.printf("const %s = %s\n\n", cst, goString(v.Definition))

	var markers []string
	t := &schema.Table{Schema: v.Schema, Name: v.Name, Columns: v.Columns}
	dropped := map[string]bool{}
	for i := range v.Indexes {
		ix := &v.Indexes[i]
		m := w.indexMarker(t, ix)
		if m == "" {
			w.warn("index %s on %s has an element the grammar cannot write: left out", quote.Ident(ix.Name), on)
			dropped[ix.Name] = true
			continue
		}
		markers = append(markers, m)
	}
	v.Indexes = slices.DeleteFunc(v.Indexes, func(ix schema.Index) bool { return dropped[ix.Name] })

	marker := "view"
	if v.Materialized {
		marker = "materialized-view"
	}
	src.printf("// %s is the %s %s.\n//\n", typ, v.Kind(), on)
	src.printf("//mizzle:%s %s\n", marker, grammar.FormatView(v, cst))
	writeComment(src, v.Comment)
	for _, m := range markers {
		src.printf("%s\n", m)
	}
	src.printf("type %s struct {\n", typ)
	for i, c := range v.Columns {
		g := goTypeOf(c.Type, w.enumType)
		if g.imp != "" {
			src.imports[g.imp] = true
		}
		tw := &tagWriter{name: c.Name, comment: c.Comment}
		if g.def != c.Type {
			tw.typ = typeOption(c.Type)
		}
		src.printf("\t%s *%s %s\n", w.views.fields[v][i], g.expr, tw)
	}
	src.printf("}\n\n")
}

// goString writes s as a Go string literal: a raw one when it can be.
func goString(s string) string {
	if !strings.ContainsAny(s, "`\r") && strconv.CanBackquote(strings.ReplaceAll(s, "\n", "")) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}
