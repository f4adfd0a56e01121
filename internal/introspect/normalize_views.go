package introspect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// shadowViews moves c's views (c is m's copy being shadowed) into their
// scratch schemas: a query's schema-qualified names are written with the
// scratch schemas' names, so that it reads the scratch tables; a
// materialized view is created empty, which is quicker and prints the
// same.
func shadowViews(c, m *schema.Model, sc *scratch) {
	for _, v := range c.Views {
		v.Schema = sc.name(v.Schema)
		v.Definition = shadowQuery(v.Definition, m, sc)
		v.Comment = ""
		for _, col := range v.Columns {
			col.Comment = ""
		}
		if v.Materialized {
			v.WithNoData = true
		}
		v.Indexes = slices.DeleteFunc(v.Indexes, func(ix schema.Index) bool { return !rewritten(ix) })
	}
}

// shadowQuery writes the scratch schema's name for each name of a schema
// of m that qualifies another name in a query (app.orders, "app".orders):
// an identifier followed by a dot. A table or alias named like a schema
// of the model and followed by a column would be rewritten too, and the
// query then fails to build, saying so.
func shadowQuery(q string, m *schema.Model, sc *scratch) string {
	schemas := map[string]bool{schema.DefaultSchema: true}
	for _, s := range m.Schemas {
		schemas[s.Name] = true
	}
	var toks []sqlsplit.Token
	for t := range sqlsplit.Tokens(q) {
		toks = append(toks, t)
	}
	var b strings.Builder
	last := 0
	for i, t := range toks {
		if i+1 >= len(toks) || toks[i+1].Text != "." || toks[i+1].Offset != t.Offset+len(t.Text) {
			continue
		}
		if i > 0 && toks[i-1].Text == "." && toks[i-1].Offset+1 == t.Offset {
			continue // the second part of a qualified name
		}
		name := ""
		switch {
		case t.Word:
			name = strings.ToLower(t.Text)
		case len(t.Text) >= 2 && t.Text[0] == '"' && t.Text[len(t.Text)-1] == '"':
			name = strings.ReplaceAll(t.Text[1:len(t.Text)-1], `""`, `"`)
		}
		if !schemas[name] {
			continue
		}
		b.WriteString(q[last:t.Offset])
		b.WriteString(sc.name(name))
		last = t.Offset + len(t.Text)
	}
	b.WriteString(q[last:])
	return b.String()
}

// unshadowViews puts the query PostgreSQL printed for each view of the
// shadow into the ParsedDefinition of c's (m's copy), and the texts of its
// indexes' expressions, and returns the columns each view's query returns,
// for checkViewColumns.
func unshadowViews(c, got *schema.Model, sc *scratch) map[relKey][]*schema.Column {
	realSchema := map[string]string{}
	for _, s := range sc.real {
		realSchema[sc.name(s)] = s
	}
	columns := map[relKey][]*schema.Column{}
	for _, v := range c.Views {
		g := got.View(sc.name(v.Schema), v.Name)
		if g == nil {
			continue
		}
		v.ParsedDefinition = sc.fix(g.Definition)
		for i := range v.Indexes {
			for _, gx := range g.Indexes {
				if gx.Name != v.Indexes[i].Name {
					continue
				}
				ix := &v.Indexes[i]
				if ix.Where != "" {
					ix.ParsedWhere = sc.fix(gx.Where)
				}
				for k := range ix.Elements {
					if k < len(gx.Elements) {
						if ix.Elements[k].Expr != "" {
							ix.Elements[k].ParsedExpr = sc.fix(gx.Elements[k].Expr)
						}
						ix.Elements[k].Opclass, ix.Elements[k].Nulls = gx.Elements[k].Opclass, gx.Elements[k].Nulls
					}
				}
			}
		}
		for _, gc := range g.Columns {
			if s, ok := realSchema[gc.Type.Schema]; ok {
				gc.Type.Schema = s
			}
		}
		columns[relKey{schema: v.Schema, name: v.Name}] = g.Columns
	}
	return columns
}

// checkViewColumns checks that each view's declared columns are what its
// query returns (columns, by view): names, order and types.
func checkViewColumns(c *schema.Model, columns map[relKey][]*schema.Column) error {
	var errs schema.ErrorList
	for _, v := range c.Views {
		got, ok := columns[relKey{schema: v.Schema, name: v.Name}]
		if !ok {
			continue
		}
		for _, msg := range viewColumnMismatch(v, &schema.View{Columns: got}) {
			errs.Add(v.Pos, fmt.Sprintf("%s %q: %s", v.Kind(), v.Name, msg))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs.Sort()
}

// viewColumnMismatch says how the columns v declares differ from those its
// query returns (got's), one sentence each.
func viewColumnMismatch(v, got *schema.View) []string {
	var out []string
	for _, c := range v.Columns {
		gc := got.Column(c.Name)
		switch {
		case gc == nil:
			out = append(out, fmt.Sprintf("the struct declares column %q, which the query does not return", c.Name))
		case gc.Type != c.Type.Storage():
			out = append(out, fmt.Sprintf("column %q is %s in the query, but the struct declares %s", c.Name, gc.Type, c.Type))
		}
	}
	for _, gc := range got.Columns {
		if v.Column(gc.Name) == nil {
			out = append(out, fmt.Sprintf("the query returns column %q (%s), which the struct does not declare", gc.Name, gc.Type))
		}
	}
	if len(out) == 0 {
		var want, have []string
		for _, c := range v.Columns {
			want = append(want, c.Name)
		}
		for _, gc := range got.Columns {
			have = append(have, gc.Name)
		}
		if !slices.Equal(want, have) {
			out = append(out, fmt.Sprintf("the query returns its columns in the order %s, the struct declares %s",
				strings.Join(have, ", "), strings.Join(want, ", ")))
		}
	}
	return out
}
