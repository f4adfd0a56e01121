package gen

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Views get the typed columns and the reads of a table, never a write: a
// view's struct is its row type as a table's is. Internally a view is a
// tableInfo whose table stands for the view (its name and columns) and
// whose view is set; materialized views also get Refresh, and
// RefreshConcurrently when a unique index allows it.

// viewTables returns a table standing for each view of m, for the parts of
// gen that tables and views share, and the Go names of the views.
func viewTables(m *schema.Model, tableNames []string) ([]*schema.Table, []*schema.View, []string, error) {
	taken := map[string]string{}
	for i, t := range m.Tables {
		taken[tableNames[i]] = "table " + t.Schema + "." + t.Name
	}
	var tables []*schema.Table
	var names []string
	var clashes []string
	for _, v := range m.Views {
		if v.GoType.Kind != schema.GoNamed || v.GoType.Name == "" {
			return nil, nil, nil, fmt.Errorf("%s %q has no Go struct", v.Kind(), v.Name)
		}
		name := exported(v.Name)
		if v.Schema != schema.DefaultSchema {
			name = exported(v.Schema) + name
		}
		if reservedTop[name] || reservedTop[name+"Columns"] || reservedTop[name+"Queries"] {
			name += "View"
		}
		what := v.Kind() + " " + v.Schema + "." + v.Name
		if other, ok := taken[name]; ok {
			clashes = append(clashes, fmt.Sprintf("%s and %s would both be named %s in Go", other, what, name))
		}
		taken[name] = what
		names = append(names, name)
		tables = append(tables, &schema.Table{Schema: v.Schema, Name: v.Name, Columns: v.Columns,
			GoType: v.GoType, GoFields: v.GoFields, Doc: v.Doc, Pos: v.Pos})
	}
	if len(clashes) > 0 {
		return nil, nil, nil, errors.New(strings.Join(clashes, "; "))
	}
	return tables, m.Views, names, nil
}

// kind says what t is, for comments: "table", "view" or "materialized
// view".
func (t *tableInfo) kind() string {
	if t.view != nil {
		return t.view.Kind()
	}
	return "table"
}

// genViewQueries writes the queries of a view: Select, and for a
// materialized view Refresh and, when it has a unique index,
// RefreshConcurrently.
//
//	type ScoresQueries struct{ db pg.DBTX }
//	func (q ScoresQueries) Select() pg.SelectQuery[schema.Score]
//	func (q ScoresQueries) Refresh(ctx context.Context) error
//	func (q ScoresQueries) RefreshConcurrently(ctx context.Context) error
func genViewQueries(f *jen.File, p *packageInfo, t *tableInfo) {
	g := &queriesGen{f: f, p: p, t: t, row: p.rowType(t), tableVar: "table" + t.name}
	qt := t.name + "Queries"
	comment(f, reflow(fmt.Sprintf("%s are the queries on the %q %s, which is read and never written; get them from Queries.%s.", qt, t.t.Name, t.kind(), t.name), 76))
	f.Type().Id(qt).Struct(jen.Id("db").Qual(pgPath, "DBTX"))
	f.Line()
	g.selectQuery()
	v := t.view
	if !v.Materialized {
		return
	}
	refresh := func(name, doc, sqlConst string) {
		g.method(doc, name, []jen.Code{g.ctx()}, []jen.Code{jen.Error()},
			jen.List(jen.Id("_"), jen.Err()).Op(":=").Id("q").Dot("db").Dot("Exec").Call(jen.Id("ctx"), jen.Id(sqlConst)),
			jen.Return(jen.Qual(pgimplPath, "Wrap").Call(jen.Lit("refresh materialized view"), jen.Lit(v.Name), jen.Err())),
		)
	}
	refresh("Refresh", fmt.Sprintf(`Refresh computes the rows of the %q materialized view again (REFRESH
MATERIALIZED VIEW). It locks the view: reads wait until it is done.`, v.Name), "sql"+t.name+"Refresh")
	if v.HasUniqueIndex() {
		refresh("RefreshConcurrently", fmt.Sprintf(`RefreshConcurrently computes the rows of the %q materialized view again
without blocking its readers (REFRESH MATERIALIZED VIEW CONCURRENTLY), which
its unique index allows. It cannot run in a transaction block, and the view
must have been filled once (it fails on one created WITH NO DATA and never
refreshed).`, v.Name), "sql"+t.name+"RefreshConcurrently")
	}
}

// viewSQL writes the constants of a materialized view's refresh
// statements into g.
func viewSQL(g *jen.Group, t *tableInfo) {
	v := t.view
	if v == nil || !v.Materialized {
		return
	}
	g.Id("sql" + t.name + "Refresh").Op("=").Add(sqlLit("REFRESH MATERIALIZED VIEW " + quote.Ident(v.Schema, v.Name)))
	if v.HasUniqueIndex() {
		g.Id("sql" + t.name + "RefreshConcurrently").Op("=").Add(sqlLit("REFRESH MATERIALIZED VIEW CONCURRENTLY " + quote.Ident(v.Schema, v.Name)))
	}
}

// viewsDoc is the part of the package documentation about views, empty
// when the schema declares none.
func viewsDoc(p *packageInfo) string {
	if len(p.model.Views) == 0 {
		return ""
	}
	return `

Each view V has the same variable V of typed columns and a field
Queries.V with Select only: a view is read, never written. A materialized
view also has Refresh, and RefreshConcurrently when it has a unique index.`
}
