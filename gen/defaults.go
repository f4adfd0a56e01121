package gen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

// The app-side defaults (gen:Func) and update values (onupdate:) of the
// schema: generated inserts fill the zero fields of gen: columns by
// calling the schema's functions, and the table description tells every
// update what to set.

// genCols returns t's columns with an app-side default.
func (t *tableInfo) genCols() []*columnInfo {
	var out []*columnInfo
	for _, c := range t.cols {
		if c.c.Gen != "" {
			out = append(out, c)
		}
	}
	return out
}

// genFill writes the function that fills the zero fields of a row's gen:
// columns:
//
//	// fillDocs calls the functions of the schema's gen: options for the
//	// fields of r that are zero.
//	func fillDocs(r *schema.Doc) {
//		if r.Slug == "" {
//			r.Slug = schema.NewSlug()
//		}
//	}
func genFill(f *jen.File, p *packageInfo, t *tableInfo) {
	cols := t.genCols()
	if len(cols) == 0 {
		return
	}
	var names []string
	for _, c := range cols {
		names = append(names, c.c.Gen)
	}
	comment(f, fmt.Sprintf("fill%s sets each zero field of r that has an app-side default (gen:) to\nits function's result: %s.", t.name, strings.Join(names, ", ")))
	f.Func().Id("fill" + t.name).Params(jen.Id("r").Op("*").Add(p.rowType(t))).BlockFunc(func(g *jen.Group) {
		for _, c := range cols {
			v := jen.Id("r")
			for _, part := range c.path {
				v = v.Dot(part)
			}
			g.If(isZero(v.Clone(), c.c.GoType)).Block(
				v.Clone().Op("=").Qual(t.t.GoType.Path, c.c.Gen).Call(),
			)
		}
	})
	f.Line()
}

// fillRow fills the row parameter of Insert and Upsert: fillDocs(&row),
// or nothing for a table without gen: columns.
func (g *queriesGen) fillRow() jen.Code {
	if len(g.t.genCols()) == 0 {
		return jen.Null()
	}
	return jen.Id("fill" + g.t.name).Call(jen.Op("&").Id("row"))
}

// fillRows fills a copy of the rows of InsertMany, UpsertMany and
// CopyFrom: rows = pgimpl.Filled(rows, fillDocs).
func (g *queriesGen) fillRows() jen.Code {
	if len(g.t.genCols()) == 0 {
		return jen.Null()
	}
	return jen.Id("rows").Op("=").Qual(pgimplPath, "Filled").Call(jen.Id("rows"), jen.Id("fill"+g.t.name))
}

// onUpdateFields are the fields of a column's pgimpl.TableColumn for
// onupdate:: OnUpdate: "now()", or OnUpdateFunc: func() any { return
// schema.Touch() }.
func onUpdateFields(p *packageInfo, c *columnInfo) []jen.Code {
	switch {
	case c.c.OnUpdate == "":
		return nil
	case c.c.OnUpdateGen:
		v := jen.Qual(p.model.Go.Path, c.c.OnUpdate).Call()
		if sendsUTC(c.c) {
			// As every value sent to a timestamp without time zone.
			v = utc(c.c, v)
		}
		return []jen.Code{jen.Id("OnUpdateFunc").Op(":").Func().Params().Any().Block(jen.Return(v))}
	}
	return []jen.Code{jen.Id("OnUpdate").Op(":").Lit(c.c.OnUpdate)}
}
