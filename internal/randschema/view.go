package randschema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/schema"
)

// Views. A random view selects some columns of one table or view, in the
// form PostgreSQL prints a view's query back (pg_get_viewdef without
// pretty-printing), so that an introspected view equals the model's:
//
//	SELECT t1.c2,
//	    t1.c3
//	   FROM s4.t1
//
// A view lives in its source's schema and follows it through the changes:
// syncViews rebuilds each view's query and columns from its source once
// the changes are made (a renamed table or column, a column dropped or
// retyped), and drops a view whose source or columns are gone, as a user
// would have to.

// viewSource is what a view selects from: a table's columns (by pointer,
// so renames follow) or a view's (by name).
type viewSource struct {
	table *schema.Table
	cols  []*schema.Column
	view  *schema.View
	names []string
}

// fromText is how pg_get_viewdef names a relation in FROM: qualified
// unless it is in public, which is on the search path.
func fromText(schemaName, name string) string {
	if schemaName == schema.DefaultSchema {
		return ident(name)
	}
	return ident(schemaName) + "." + ident(name)
}

// viewQuery writes a view's query as PostgreSQL prints it back.
func viewQuery(schemaName, from string, cols []string) string {
	refs := make([]string, len(cols))
	for i, c := range cols {
		refs[i] = ident(from) + "." + ident(c)
	}
	return "SELECT " + strings.Join(refs, ",\n    ") + "\n   FROM " + fromText(schemaName, from)
}

// viewSources finds each view's source again from its query.
func viewSources(m *schema.Model) map[*schema.View]*viewSource {
	out := map[*schema.View]*viewSource{}
	for _, v := range m.Views {
		for _, t := range m.Tables {
			if strings.HasSuffix(v.Definition, "\n   FROM "+fromText(t.Schema, t.Name)) {
				s := &viewSource{table: t}
				for _, c := range v.Columns {
					if tc := t.Column(c.Name); tc != nil {
						s.cols = append(s.cols, tc)
					}
				}
				out[v] = s
			}
		}
		for _, o := range m.Views {
			if o != v && strings.HasSuffix(v.Definition, "\n   FROM "+fromText(o.Schema, o.Name)) {
				s := &viewSource{view: o}
				for _, c := range v.Columns {
					s.names = append(s.names, c.Name)
				}
				out[v] = s
			}
		}
	}
	return out
}

// syncViews rebuilds every view from its source, sources first, dropping
// those whose source or selected columns are gone.
func syncViews(m *schema.Model, srcs map[*schema.View]*viewSource) {
	done := map[*schema.View]bool{}
	var order []*schema.View
	var visit func(v *schema.View)
	visit = func(v *schema.View) {
		if done[v] {
			return
		}
		done[v] = true
		if s := srcs[v]; s != nil && s.view != nil {
			visit(s.view)
		}
		order = append(order, v)
	}
	for _, v := range m.Views {
		visit(v)
	}
	gone := map[*schema.View]bool{}
	for _, v := range order {
		s := srcs[v]
		var cols []*schema.Column
		var srcSchema, srcName string
		switch {
		case s == nil:
		case s.table != nil && slices.Contains(m.Tables, s.table):
			srcSchema, srcName = s.table.Schema, s.table.Name
			for _, c := range s.cols {
				if slices.Contains(s.table.Columns, c) {
					cols = append(cols, &schema.Column{Name: c.Name, Type: c.Type.Storage()})
				}
			}
		case s.view != nil && !gone[s.view] && slices.Contains(m.Views, s.view):
			srcSchema, srcName = s.view.Schema, s.view.Name
			for _, n := range s.names {
				if c := s.view.Column(n); c != nil {
					cols = append(cols, &schema.Column{Name: c.Name, Type: c.Type})
				}
			}
		}
		if len(cols) == 0 {
			gone[v] = true
			continue
		}
		for _, c := range cols {
			if old := v.Column(c.Name); old != nil {
				c.Comment = old.Comment
			}
		}
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		v.Schema, v.Columns = srcSchema, cols
		v.Definition = viewQuery(srcSchema, srcName, names)
		// Only a view on a table is updatable, which a check option needs.
		if s.table == nil {
			v.Options.CheckOption = ""
		}
		// Filling a materialized view reads its source, which fails on an
		// empty one.
		if v.Materialized && readsEmpty(v, srcs) {
			v.WithNoData = true
		}
		v.Indexes = slices.DeleteFunc(v.Indexes, func(ix schema.Index) bool { return v.Column(ix.Elements[0].Column) == nil })
	}
	m.Views = slices.DeleteFunc(m.Views, func(v *schema.View) bool { return gone[v] })
	if len(m.Views) == 0 {
		m.Views = nil
	}
}

// readsEmpty reports whether v reads, directly or through views, a
// materialized view created WITH NO DATA.
func readsEmpty(v *schema.View, srcs map[*schema.View]*viewSource) bool {
	for s := srcs[v]; s != nil && s.view != nil; s = srcs[s.view] {
		if s.view.Materialized && s.view.WithNoData {
			return true
		}
	}
	return false
}

// newView adds a view (or a materialized view) selecting some columns of a
// random table or view, or returns nil when there is nothing to select
// from.
func (g *gen) newView(srcs map[*schema.View]*viewSource) *schema.View {
	if len(g.m.Tables) == 0 {
		return nil
	}
	v := &schema.View{Name: fmt.Sprintf("v%d", g.num()), Materialized: g.chance(0.3)}
	s := &viewSource{}
	if len(g.m.Views) > 0 && g.chance(0.3) {
		s.view = pick(g, g.m.Views)
		for _, c := range s.view.Columns {
			if g.chance(0.6) {
				s.names = append(s.names, c.Name)
			}
		}
		if len(s.names) == 0 {
			s.names = []string{s.view.Columns[0].Name}
		}
	} else {
		s.table = pick(g, g.m.Tables)
		if len(s.table.Columns) == 0 {
			return nil
		}
		for _, c := range s.table.Columns {
			if g.chance(0.6) {
				s.cols = append(s.cols, c)
			}
		}
		if len(s.cols) == 0 {
			s.cols = []*schema.Column{s.table.Columns[0]}
		}
	}
	if v.Materialized {
		v.WithNoData = g.chance(0.3)
	} else {
		g.viewOptions(v, s.table != nil)
	}
	v.Comment = g.maybeComment()
	srcs[v] = s
	g.m.Views = append(g.m.Views, v)
	syncViews(g.m, srcs)
	if v.Materialized && g.chance(0.5) && slices.Contains(g.m.Views, v) {
		v.Indexes = append(v.Indexes, schema.Index{Name: g.objectName(), Elements: []schema.IndexElem{{Column: pick(g, v.Columns).Name}}})
	}
	return v
}

// viewOptions gives a view random options; a check option only when it
// reads a table (else it is not updatable).
func (g *gen) viewOptions(v *schema.View, onTable bool) {
	v.Options = schema.ViewOptions{SecurityInvoker: g.chance(0.3), SecurityBarrier: g.chance(0.3)}
	if onTable && g.chance(0.3) {
		v.Options.CheckOption = pick(g, []string{schema.CheckLocal, schema.CheckCascaded})
	}
}

// The view changes. Each is made on c.views, the sources of the views of
// the model being changed, which Change syncs once the changes are made.

func (c *changer) createView() (string, bool) {
	v := c.newView(c.views)
	if v == nil || !slices.Contains(c.m.Views, v) {
		return "", false
	}
	return fmt.Sprintf("create %s %s", v.Kind(), qual(v.Schema, v.Name)), true
}

func (c *changer) randomView() *schema.View {
	if len(c.m.Views) == 0 {
		return nil
	}
	return pick(&c.gen, c.m.Views)
}

func (c *changer) dropView() (string, bool) {
	v := c.randomView()
	if v == nil {
		return "", false
	}
	c.m.Views = slices.DeleteFunc(c.m.Views, func(o *schema.View) bool { return o == v })
	return fmt.Sprintf("drop %s %s (and the views on it)", v.Kind(), qual(v.Schema, v.Name)), true
}

func (c *changer) renameView() (string, bool) {
	v := c.randomView()
	if v == nil || v.Was != "" {
		return "", false
	}
	old := v.Name
	v.Name, v.Was = fmt.Sprintf("v%d", c.num()), old
	return fmt.Sprintf("rename %s %s to %s", v.Kind(), qual(v.Schema, old), v.Name), true
}

// changeViewColumns selects other columns of the same source: a view
// whose old columns stay first is replaced, any other is dropped and
// created again, with the views on it.
func (c *changer) changeViewColumns() (string, bool) {
	v := c.randomView()
	s := c.views[v]
	if v == nil || s == nil || s.table == nil {
		return "", false
	}
	if c.chance(0.5) {
		for _, col := range s.table.Columns {
			if !slices.Contains(s.cols, col) {
				s.cols = append(s.cols, col)
				return fmt.Sprintf("view %s selects %s too", qual(v.Schema, v.Name), col.Name), true
			}
		}
	}
	if len(s.cols) < 2 {
		return "", false
	}
	i := c.r.IntN(len(s.cols))
	name := s.cols[i].Name
	s.cols = slices.Delete(slices.Clone(s.cols), i, i+1)
	return fmt.Sprintf("view %s no longer selects %s", qual(v.Schema, v.Name), name), true
}

func (c *changer) changeViewOptions() (string, bool) {
	v := c.randomView()
	if v == nil || v.Materialized {
		return "", false
	}
	c.viewOptions(v, c.views[v] != nil && c.views[v].table != nil)
	return fmt.Sprintf("options of view %s: %+v", qual(v.Schema, v.Name), v.Options), true
}

func (c *changer) setViewComment() (string, bool) {
	v := c.randomView()
	if v == nil {
		return "", false
	}
	if c.chance(0.5) {
		v.Comment = c.maybeComment()
		return fmt.Sprintf("comment of %s %s: %q", v.Kind(), qual(v.Schema, v.Name), v.Comment), true
	}
	col := pick(&c.gen, v.Columns)
	col.Comment = c.comment()
	return fmt.Sprintf("comment on column %s of %s", col.Name, qual(v.Schema, v.Name)), true
}

func (c *changer) addViewIndex() (string, bool) {
	v := c.randomView()
	if v == nil || !v.Materialized {
		return "", false
	}
	if len(v.Indexes) > 0 && c.chance(0.5) {
		name := v.Indexes[0].Name
		v.Indexes = v.Indexes[1:]
		return fmt.Sprintf("drop index %s of %s", name, qual(v.Schema, v.Name)), true
	}
	ix := schema.Index{Name: c.objectName(), Elements: []schema.IndexElem{{Column: pick(&c.gen, v.Columns).Name}}}
	v.Indexes = append(v.Indexes, ix)
	return fmt.Sprintf("add index %s on %s", ix.Name, qual(v.Schema, v.Name)), true
}
