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
	// Many-to-many: the join table, its column matched with ownK and its
	// column matched with tgtK.
	join         *tableInfo
	joinK, joinT *columnInfo
}

// withRels returns the relations of t's struct that generated code loads.
func (p *packageInfo) withRels(t *tableInfo) []withRel {
	var out []withRel
	for i := range t.t.Relations {
		r := &t.t.Relations[i]
		// The loader accepts only relations over one column, between
		// tables of the model.
		target := p.tableNamed(r.Schema, r.Table)
		w := withRel{r: r, owner: t, target: target, ownK: t.colsNamed(r.Columns)[0], tgtK: target.colsNamed(r.RefColumns)[0]}
		if th := r.Through; th != nil {
			w.join = p.tableNamed(th.Schema, th.Table)
			w.joinK, w.joinT = w.join.colsNamed(th.Columns)[0], w.join.colsNamed(th.RefColumns)[0]
		}
		out = append(out, w)
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
	on := fmt.Sprintf("%s.%s = %s.%s", w.owner.t.Name, w.ownK.c.Name, w.target.t.Name, w.tgtK.c.Name)
	if w.join != nil {
		on = fmt.Sprintf("through %q: %s.%s = %s.%s, %s.%s = %s.%s", w.join.t.Name, w.owner.t.Name, w.ownK.c.Name, w.join.t.Name, w.joinK.c.Name,
			w.join.t.Name, w.joinT.c.Name, w.target.t.Name, w.tgtK.c.Name)
	}
	return reflow(fmt.Sprintf(`%s is the %s relation to %q rows (%s): pass it to With to load the field %s with the rows of a query.`,
		w.r.Field, w.r.Kind, w.target.t.Name, on, w.r.Field), 76)
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
		if w.r.Kind != schema.HasMany && w.r.Kind != schema.ManyToMany {
			break
		}
		if i > 0 {
			order += ", "
		}
		order += alias + "." + quote.Ident(c.c.Name)
	}
	col, cast := alias+"."+quote.Ident(w.tgtK.c.Name), arrayCast(w.tgtK.c.Type)
	if w.join != nil {
		col, cast = quote.Ident(w.join.t.Name)+"."+quote.Ident(w.joinK.c.Name), arrayCast(w.joinK.c.Type)
	}
	// In the order of RelationDesc's fields, as a person would write them.
	fields := []jen.Code{
		jen.Line().Id("Name").Op(":").Lit(w.owner.t.Name + "." + w.r.Field),
		jen.Line().Id("Table").Op(":").Id("table" + tgt.name),
		jen.Line().Id("Col").Op(":").Lit(col),
		jen.Line().Id("Cast").Op(":").Lit(cast),
	}
	if order != "" {
		fields = append(fields, jen.Line().Id("Order").Op(":").Lit(order))
	}
	if w.join != nil {
		ja := quote.Ident(w.join.t.Name)
		fields = append(fields, jen.Line().Id("Join").Op(":").Lit(" JOIN "+w.join.from()+" ON "+ja+"."+quote.Ident(w.joinT.c.Name)+" = "+alias+"."+quote.Ident(w.tgtK.c.Name)))
	}
	fields = append(fields, jen.Line())
	desc := jen.Qual(pgimplPath, "RelationDesc").Types(p.rowType(tgt)).Values(fields...)
	if w.join != nil {
		return jen.Qual(pgimplPath, "ManyThrough").Call(
			desc,
			keyFunc(p, w.owner, w.ownK),
			jen.Func().Params(jen.Id("r").Op("*").Add(p.rowType(w.owner)), jen.Id("rel").Index().Add(p.rowType(tgt))).Block(
				jen.Id("r").Dot(w.r.Field).Op("=").Id("rel"),
			),
		)
	}
	ctor := "One"
	rel := jen.Op("*").Add(p.rowType(tgt))
	set := jen.Id("r").Dot(w.r.Field).Op("=").Id("rel")
	switch {
	case w.r.Kind == schema.HasMany || w.r.Kind == schema.ManyToMany:
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
