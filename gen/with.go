package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// withRel is a relation field of a table's struct (rel:), as the columns
// value of its table offers it to With: db.Users.Posts.
type withRel struct {
	r      *schema.Relation
	owner  *tableInfo
	target *tableInfo
	ownK   *columnInfo // the key of the owner's rows
	tgtK   *columnInfo // the key of the loaded rows, matched with ownK
}

// withRels returns the relations of t's struct that generated code loads.
func (p *packageInfo) withRels(t *tableInfo) []withRel {
	var out []withRel
	for i := range t.t.Relations {
		r := &t.t.Relations[i]
		if r.Kind == schema.ManyToMany || len(r.Columns) != 1 {
			continue
		}
		target := p.tableNamed(r.Schema, r.Table)
		if target == nil {
			continue
		}
		own, tgt := t.colsNamed(r.Columns), target.colsNamed(r.RefColumns)
		if len(own) != 1 || len(tgt) != 1 {
			continue
		}
		out = append(out, withRel{r: r, owner: t, target: target, ownK: own[0], tgtK: tgt[0]})
	}
	return out
}

func (p *packageInfo) tableNamed(schemaName, name string) *tableInfo {
	for _, t := range p.tables {
		if t.t.Schema == schemaName && t.t.Name == name {
			return t
		}
	}
	return nil
}

// relType is the type of a relation's field in the columns struct:
// pg.Relation[schema.User, schema.Post].
func (p *packageInfo) relType(w withRel) *jen.Statement {
	return jen.Qual(pgPath, "Relation").Types(p.rowType(w.owner), p.rowType(w.target))
}

// relDoc documents a relation's field in the columns struct.
func relDoc(w withRel) string {
	return reflow(fmt.Sprintf(`%s is the %s relation to %q rows (%s.%s = %s.%s): pass it to With to load the field %s with the rows of a query.`,
		w.r.Field, w.r.Kind, w.target.t.Name, w.owner.t.Name, w.ownK.c.Name, w.target.t.Name, w.tgtK.c.Name, w.r.Field), 76)
}

// relValue is a relation's value in the columns variable:
//
//	pgimpl.Many(pgimpl.RelationDesc[schema.Post]{...},
//		func(r *schema.User) (int64, bool) { return r.ID, true },
//		func(r *schema.Post) (int64, bool) { return r.AuthorID, true },
//		func(r *schema.User, rel []schema.Post) { r.Posts = rel })
func (p *packageInfo) relValue(w withRel) *jen.Statement {
	tgt := w.target
	alias := quote.Ident(tgt.t.Name)
	// Rows of a relation to many come in primary key order unless the
	// query orders them; a relation to one needs no order.
	order := ""
	for i, c := range tgt.pk {
		if w.r.Kind != schema.HasMany {
			break
		}
		if i > 0 {
			order += ", "
		}
		order += alias + "." + quote.Ident(c.c.Name)
	}
	fields := jen.Dict{
		jen.Id("Name"):  jen.Lit(w.owner.t.Name + "." + w.r.Field),
		jen.Id("Table"): jen.Id("table" + tgt.name),
		jen.Id("Col"):   jen.Lit(alias + "." + quote.Ident(w.tgtK.c.Name)),
		jen.Id("Cast"):  jen.Lit(arrayCast(w.tgtK.c.Type)),
	}
	if order != "" {
		fields[jen.Id("Order")] = jen.Lit(order)
	}
	desc := jen.Qual(pgimplPath, "RelationDesc").Types(p.rowType(tgt)).Values(fields)
	ctor := "One"
	rel := jen.Op("*").Add(p.rowType(tgt))
	set := jen.Id("r").Dot(w.r.Field).Op("=").Id("rel")
	switch {
	case w.r.Kind == schema.HasMany:
		ctor, rel = "Many", jen.Index().Add(p.rowType(tgt))
	case !w.r.Pointer:
		set = jen.If(jen.Id("rel").Op("!=").Nil()).Block(
			jen.Id("r").Dot(w.r.Field).Op("=").Op("*").Id("rel"),
		).Else().Block(
			jen.Id("r").Dot(w.r.Field).Op("=").Add(p.rowType(tgt)).Values(),
		)
	}
	return jen.Qual(pgimplPath, ctor).Call(
		desc,
		keyFunc(p, w.owner, w.ownK),
		keyFunc(p, tgt, w.tgtK),
		jen.Func().Params(jen.Id("r").Op("*").Add(p.rowType(w.owner)), jen.Id("rel").Add(rel)).Block(set),
	)
}

// keyFunc is the function that gives a row's key: its column c, or false
// when c is NULL.
func keyFunc(p *packageInfo, t *tableInfo, c *columnInfo) *jen.Statement {
	v := jen.Id("r")
	for _, part := range c.path {
		v = v.Dot(part)
	}
	if c.c.GoType.Kind != schema.GoPointer {
		return jen.Func().Params(jen.Id("r").Op("*").Add(p.rowType(t))).Params(typeArg(c.c), jen.Bool()).Block(
			jen.Return(v, jen.True()),
		)
	}
	return jen.Func().Params(jen.Id("r").Op("*").Add(p.rowType(t))).Params(jen.Id("k").Add(typeArg(c.c)), jen.Id("ok").Bool()).Block(
		jen.If(v.Clone().Op("==").Nil()).Block(jen.Return(jen.Id("k"), jen.False())),
		jen.Return(jen.Op("*").Add(v), jen.True()),
	)
}
