package gen

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mizzle/mizzle/schema"
)

// genTable writes one table's file: its columns, its queries and the
// unexported pieces they share.
func genTable(f *jen.File, p *packageInfo, t *tableInfo) {
	genColumns(f, p, t)
	if t.view != nil {
		genViewQueries(f, p, t) // view.go
	} else {
		genQueries(f, p, t)
	}
	genGuard(f, p, t)
	genTableVar(f, p, t)
	genFill(f, p, t)
}

// rowType is the user's struct: schema.Order.
func (p *packageInfo) rowType(t *tableInfo) *jen.Statement { return goType(t.t.GoType) }

// genColumns writes the column descriptors:
//
//	// Orders holds the typed columns of the "Orders" table, ...
//	var Orders = OrdersColumns{
//		ID: pg.NewColumn[uuid.UUID]("Orders", "id"),
//	}
//
//	// OrdersColumns are the columns of the "Orders" table.
//	type OrdersColumns struct {
//		// ID is "id" uuid NOT NULL DEFAULT gen_random_uuid().
//		ID pg.Column[uuid.UUID]
//	}
func genColumns(f *jen.File, p *packageInfo, t *tableInfo) {
	// The struct's own doc comment stays on the struct: on the variable it
	// would read as documenting it.
	comment(f, columnsVarDoc(p, t))
	f.Var().Id(t.name).Op("=").Id(t.name + "Columns").ValuesFunc(func(g *jen.Group) {
		for _, c := range t.cols {
			_, ctor, arg := columnType(c.c)
			g.Line().Id(c.field).Op(":").Qual(pgPath, ctor).Types(arg).Call(jen.Lit(t.t.Name), jen.Lit(c.c.Name))
		}
		for _, w := range p.withRels(t) {
			g.Line().Id(w.r.Field).Op(":").Add(p.relValue(w))
		}
		g.Line()
	})
	f.Line()
	comment(f, fmt.Sprintf("%sColumns are the columns of the %q %s.", t.name, t.t.Name, t.kind()))
	f.Type().Id(t.name + "Columns").StructFunc(func(g *jen.Group) {
		for i, c := range t.cols {
			if i > 0 {
				g.Line()
			}
			commentg(g, fmt.Sprintf("%s is %s.", c.field, describe(t, c)))
			typ, _, _ := columnType(c.c)
			g.Id(c.field).Add(typ)
		}
		for _, w := range p.withRels(t) {
			g.Line()
			commentg(g, relDoc(w))
			g.Id(w.r.Field).Add(p.relType(w))
		}
	})
	f.Line()
	if fieldsTake(t, "As", "Alias", "AsAlias") {
		// Every name is a field's: no method, rather than one that
		// does not compile.
		return
	}
	doc := fmt.Sprintf("%s returns the columns of the %q %s read under another name, for a query that reads it so with As, such as a join of the %s with itself:", t.as, t.t.Name, t.kind(), t.kind())
	comment(f, reflow(doc, 76)+"\n\n"+fmt.Sprintf("\tq.%s.Select().As(\"other\").Where(%s.%s.%s(\"other\").%s.Eq(v))", t.name, p.pkg, t.name, t.as, t.cols[0].field))
	f.Func().Params(jen.Id("c").Id(t.name + "Columns")).Id(t.as).Params(jen.Id("alias").String()).Id(t.name + "Columns").Block(
		jen.Return(jen.Id(t.name + "Columns").ValuesFunc(func(g *jen.Group) {
			for _, c := range t.cols {
				g.Line().Id(c.field).Op(":").Id("c").Dot(c.field).Dot("As").Call(jen.Id("alias"))
			}
			// A relation loads by the keys of rows already read, whatever
			// name their table had in the query: it stays as it is.
			for _, w := range p.withRels(t) {
				g.Line().Id(w.r.Field).Op(":").Id("c").Dot(w.r.Field)
			}
			g.Line()
		})),
	)
	f.Line()
}

// fieldsTake reports whether t's columns have fields of every name given.
func fieldsTake(t *tableInfo, names ...string) bool {
	for _, n := range names {
		if !slices.ContainsFunc(t.cols, func(c *columnInfo) bool { return c.field == n }) &&
			!slices.ContainsFunc(t.t.Relations, func(r schema.Relation) bool { return r.Field == n }) {
			return false
		}
	}
	return true
}

// columnsVarDoc documents the variable of a table's columns.
func columnsVarDoc(p *packageInfo, t *tableInfo) string {
	text := fmt.Sprintf("%s holds the typed columns of the %q table, whose rows are %s values, for the conditions, orderings and assignments of queries:",
		t.name, t.t.Name, goTypeString(t.t.GoType, p))
	if t.view != nil {
		text = fmt.Sprintf("%s holds the typed columns of the %q %s, whose rows are %s values, for the conditions and orderings of queries:",
			t.name, t.t.Name, t.kind(), goTypeString(t.t.GoType, p))
	}
	example := fmt.Sprintf("\tq.%s.Select().Where(%s.%s.%s.Eq(v))", t.name, p.pkg, t.name, t.cols[0].field)
	return reflow(text, 76) + "\n\n" + example
}

// typeArg is the type argument of a column's descriptor: the field's type,
// or the pointed-to type of a pointer field.
func typeArg(c *schema.Column) *jen.Statement {
	if c.GoType.Kind == schema.GoPointer {
		return goType(*c.GoType.Elem)
	}
	return goType(c.GoType)
}

// describe says what a column is, in SQL words, for its field's comment.
func describe(t *tableInfo, c *columnInfo) string {
	s := fmt.Sprintf("%q %s", c.c.Name, c.c.Type)
	// A view's column is never NOT NULL in PostgreSQL.
	if c.c.NotNull && t.view == nil {
		s += " NOT NULL"
	}
	switch {
	case c.c.Generated != "":
		s += " GENERATED ALWAYS AS (" + c.c.Generated + ") STORED"
	case c.c.Identity != schema.IdentityNone:
		s += " GENERATED " + strings.ToUpper(string(c.c.Identity)) + " AS IDENTITY"
	case c.c.Default != "":
		s += " DEFAULT " + c.c.Default
	}
	for _, k := range t.pk {
		if k == c {
			s += ", primary key"
		}
	}
	if sendsUTC(c.c) {
		s += "; times are sent in UTC, so that it stores the UTC wall clock"
	}
	return s
}

// goTypeString spells a row type for comments: schema.Order.
func goTypeString(t schema.GoType, p *packageInfo) string {
	if t.Path == p.model.Go.Path {
		return p.model.Go.Name + "." + t.Name
	}
	return t.String()
}

// genQueries writes the queries of a table:
//
//	type OrdersQueries struct{ db pg.DBTX }
//	func (q OrdersQueries) Get(ctx context.Context, id uuid.UUID) (schema.Order, error)
//	func (q OrdersQueries) Select() pg.SelectQuery[schema.Order]
//	func (q OrdersQueries) Insert(ctx context.Context, row schema.Order, with ...pg.AnyColumn) (schema.Order, error)
//	func (q OrdersQueries) InsertMany(ctx context.Context, rows []schema.Order, with ...pg.AnyColumn) ([]schema.Order, error)
//	func (q OrdersQueries) Upsert(ctx context.Context, row schema.Order, on pg.Conflict, with ...pg.AnyColumn) (schema.Order, bool, error)
//	func (q OrdersQueries) UpsertMany(ctx context.Context, rows []schema.Order, on pg.Conflict, with ...pg.AnyColumn) ([]schema.Order, error)
//	func (q OrdersQueries) CopyFrom(ctx context.Context, rows []schema.Order, with ...pg.AnyColumn) (int64, error)
//	func (q OrdersQueries) Update() pg.UpdateQuery[schema.Order]
//	func (q OrdersQueries) Delete() pg.DeleteQuery[schema.Order]
//
// and the Load methods of its relations (see genRelation) and the key
// types they load by (see genKey).
func genQueries(f *jen.File, p *packageInfo, t *tableInfo) {
	g := &queriesGen{f: f, p: p, t: t, row: p.rowType(t), tableVar: "table" + t.name}
	qt := t.name + "Queries"
	comment(f, fmt.Sprintf("%s are the queries on the %q table; get them from Queries.%s.", qt, t.t.Name, t.name))
	f.Type().Id(qt).Struct(jen.Id("db").Qual(pgPath, "DBTX"))
	f.Line()

	if len(t.pk) > 0 {
		g.get()
		g.queueGet()
	}
	g.selectQuery()
	g.insert()
	g.insertMany()
	g.queueInsert()
	g.upsert()
	g.upsertMany()
	g.copyFrom()
	g.update()
	if len(t.pk) > 0 {
		g.updateRow()
		g.updateMany()
	}
	g.delete()
	for _, r := range t.belongsTo {
		genRelation(f, p, r)
	}
	for _, r := range t.hasMany {
		genRelation(f, p, r)
	}
	for _, k := range t.keys {
		genKey(f, k)
	}
}

// queriesGen writes the methods of a table's Queries type, one helper per
// method, so that each reads as the method it writes.
type queriesGen struct {
	f        *jen.File
	p        *packageInfo
	t        *tableInfo
	row      *jen.Statement // the row type: schema.Order
	tableVar string         // the table's pg.Table: tableOrders
}

// method writes the method name of the Queries type, documented by doc.
func (g *queriesGen) method(doc, name string, params, results []jen.Code, body ...jen.Code) {
	comment(g.f, doc)
	recv := jen.Id("q").Id(g.t.name + "Queries")
	g.f.Func().Params(recv).Id(name).Params(params...).Params(results...).Block(body...)
	g.f.Line()
}

// The parameters and results the methods share.
func (g *queriesGen) ctx() jen.Code       { return jen.Id("ctx").Qual(ctxPath, "Context") }
func (g *queriesGen) rowParam() jen.Code  { return jen.Id("row").Add(g.row.Clone()) }
func (g *queriesGen) rowsParam() jen.Code { return jen.Id("rows").Add(g.rows()) }
func (g *queriesGen) with() jen.Code      { return jen.Id("with").Op("...").Qual(pgPath, "AnyColumn") }
func (g *queriesGen) on() jen.Code        { return jen.Id("on").Qual(pgPath, "Conflict") }
func (g *queriesGen) rows() *jen.Statement {
	return jen.Index().Add(g.row.Clone())
}

// zero is the zero row: schema.Order{}.
func (g *queriesGen) zero() *jen.Statement { return g.row.Clone().Values() }

// table calls a method of the table's pg.Table on the queries' handle:
// tableOrders.Insert(ctx, q.db, rows, with...).
func (g *queriesGen) table(method string, args ...jen.Code) *jen.Statement {
	return jen.Id(g.tableVar).Dot(method).Call(append([]jen.Code{jen.Id("ctx"), jen.Id("q").Dot("db")}, args...)...)
}

// builder starts a query of the table's pg.Table: tableOrders.Select(q.db).
func (g *queriesGen) builder(method string) jen.Code {
	return jen.Return(jen.Id(g.tableVar).Dot(method).Call(jen.Id("q").Dot("db")))
}

// withAll is the variadic with argument, passed on: with...
func withAll() jen.Code { return jen.Id("with").Op("...") }

// primaryKey spells the primary key for Get and QueueGet: its parameter
// names, the parameters (id int64) and the values sent, a
// timestamp-without-time-zone key in UTC.
func (g *queriesGen) primaryKey() (names []string, params, values []jen.Code) {
	for _, k := range g.t.pk {
		names = append(names, k.param)
		params = append(params, jen.Id(k.param).Add(goType(k.c.GoType)))
		v := jen.Id(k.param)
		if sendsUTC(k.c) {
			v = utc(k.c, v)
		}
		values = append(values, v)
	}
	return names, params, values
}

func (g *queriesGen) get() {
	t := g.t
	keys, keyParams, keyValues := g.primaryKey()
	params := append([]jen.Code{g.ctx()}, keyParams...)
	args := append([]jen.Code{jen.Id("ctx"), jen.Id("sql" + t.name + "Get")}, keyValues...)
	notFoundArgs := []jen.Code{jen.Lit(t.t.Name), jen.Err()}
	for _, k := range t.pk {
		notFoundArgs = append(notFoundArgs, jen.Lit(k.c.Name), jen.Id(k.param))
	}
	doc := fmt.Sprintf(`Get returns the row of %q whose primary key is %s, or an error
wrapping pg.ErrNotFound (and pgx.ErrNoRows) that names the key when there
is none.`, t.t.Name, strings.Join(keys, ", "))
	query := jen.Id("q").Dot("db").Dot("QueryRow").Call(args...)
	g.method(doc, "Get", params, []jen.Code{g.row.Clone(), jen.Error()},
		jen.Var().Id("r").Add(g.row.Clone()),
		jen.Err().Op(":=").Id("scan"+t.name).Call(query, jen.Op("&").Id("r")),
		jen.If(jen.Err().Op("!=").Nil()).Block(
			jen.Return(g.zero(), jen.Qual(pgimplPath, "NotFound").Call(notFoundArgs...)),
		),
		jen.Return(jen.Id("r"), jen.Nil()),
	)
}

// queueGet writes QueueGet, Get's statement queued in a pg.Batch: the
// read by key a batch most often holds, without a statement to build.
func (g *queriesGen) queueGet() {
	t := g.t
	keys, keyParams, keyValues := g.primaryKey()
	params := append([]jen.Code{jen.Id("b").Op("*").Qual(pgPath, "Batch")}, keyParams...)
	args := append([]jen.Code{jen.Id("b"), jen.Id("sql" + t.name + "Get"), jen.Id("key" + t.name)}, keyValues...)
	doc := fmt.Sprintf(`QueueGet queues in b the read of the row of %q whose primary key is
%s; once b is sent, the Result holds what Get would have returned.`, t.t.Name, strings.Join(keys, ", "))
	g.method(doc, "QueueGet", params,
		[]jen.Code{jen.Op("*").Qual(pgPath, "Result").Types(g.row.Clone())},
		jen.Return(jen.Id(g.tableVar).Dot("GetQueued").Call(args...)),
	)
}

func (g *queriesGen) selectQuery() {
	doc := fmt.Sprintf(`Select starts a query for rows of %q. Run it with All, First, Iter,
Count or Exists.`, g.t.t.Name)
	g.method(doc, "Select", nil, []jen.Code{jen.Qual(pgPath, "SelectQuery").Types(g.row.Clone())},
		g.builder("Select"),
	)
}

// insert writes Insert. The fixed statement sends the InsertValue columns
// only. A call naming a column goes through the table's statement
// builder; a row that sets defaulted fields runs the statement the table
// keeps for that set, with the values insertArgs picks.
func (g *queriesGen) insert() {
	t := g.t
	body := []jen.Code{
		g.fillRow(), // defaults.go
		jen.If(jen.Len(jen.Id("with")).Op(">").Lit(0)).Block(
			jen.List(jen.Id("rows"), jen.Err()).Op(":=").Add(g.table("Insert", g.rows().Values(jen.Id("row")), withAll())),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(g.zero(), jen.Err())),
			jen.Return(jen.Id("rows").Index(jen.Lit(0)), jen.Nil()),
		),
	}
	if n := len(t.defaultCols()); n > 0 {
		dst := jen.Make(jen.Index().Any(), jen.Lit(0), jen.Lit(len(t.insertCols())+n))
		args := []jen.Code{
			jen.Id("ctx"),
			jen.Qual(pgimplPath, "InsertSQL").Call(jen.Id(g.tableVar), jen.Id("m")),
			jen.Id("insertArgs"+t.name).Call(jen.Op("&").Id("row"), jen.Id("m"), dst).Op("..."),
		}
		set := jen.Id("m").Op(":=").Id("nonZero" + t.name).Call(jen.Op("&").Id("row"))
		body = append(body, jen.If(set, jen.Id("m").Op("!=").Lit(0)).Block(
			insertRun(t, args, g.row),
			jen.Return(jen.Id("row"), jen.Nil()),
		))
	}
	sent := []jen.Code{jen.Id("ctx"), jen.Id("sql" + t.name + "Insert")}
	for _, c := range t.insertCols() {
		sent = append(sent, value("row", c))
	}
	body = append(body, insertRun(t, sent, g.row), jen.Return(jen.Id("row"), jen.Nil()))
	g.method(insertDoc(g.p, t), "Insert",
		[]jen.Code{g.ctx(), g.rowParam(), g.with()},
		[]jen.Code{g.row.Clone(), jen.Error()},
		body...)
}

func (g *queriesGen) insertMany() {
	doc := fmt.Sprintf(`InsertMany inserts rows into %q in one statement and returns them as
stored, in the order given. Columns are sent as by Insert, row by row:
one row may leave a defaulted field zero for the default (DEFAULT)
while the next sets it. A statement
takes at most 65535 parameters, so very many rows must go in chunks.`, g.t.t.Name)
	g.method(doc, "InsertMany",
		[]jen.Code{g.ctx(), g.rowsParam(), g.with()},
		[]jen.Code{g.rows(), jen.Error()},
		g.fillRows(),
		jen.Return(g.table("Insert", jen.Id("rows"), withAll())),
	)
}

func (g *queriesGen) upsert() {
	t, p := g.t, g.p
	target := conflictExample(p, t)
	update := fmt.Sprintf("%s.%s.%s.SetExcluded()", p.pkg, t.name, updateExample(t).field)
	doc := fmt.Sprintf(`Upsert inserts row into %q unless it conflicts with an existing row,
and then does what on says: skip it, or update the existing row. It
returns the row as stored and true when a row was inserted or updated,
and the zero row and false when the conflict skipped it:

	row, ok, err := q.%s.Upsert(ctx, row, pg.OnConflict(%s).DoNothing())
	row, _, err = q.%s.Upsert(ctx, row, pg.OnConflict(%s).DoUpdate(%s))

Columns are sent as by Insert; a defaulted column named in with can
be the conflict target. SetExcluded of a defaulted column the row leaves
zero is refused before anything is sent (EXCLUDED would hold the
default): name the column in with to send its zero value.`, t.t.Name, t.name, target, t.name, target, update)
	failed := jen.Err().Op("!=").Nil().Op("||").Len(jen.Id("rows")).Op("==").Lit(0)
	g.method(doc, "Upsert",
		[]jen.Code{g.ctx(), g.rowParam(), g.on(), g.with()},
		[]jen.Code{g.row.Clone(), jen.Bool(), jen.Error()},
		g.fillRow(),
		jen.List(jen.Id("rows"), jen.Err()).Op(":=").Add(g.table("Upsert", g.rows().Values(jen.Id("row")), jen.Id("on"), withAll())),
		jen.If(failed).Block(jen.Return(g.zero(), jen.False(), jen.Err())),
		jen.Return(jen.Id("rows").Index(jen.Lit(0)), jen.True(), jen.Nil()),
	)
}

func (g *queriesGen) upsertMany() {
	const doc = `UpsertMany is Upsert of many rows in one statement. It returns the rows
inserted or updated, as stored; rows the conflict skipped are missing.
Columns are sent as by InsertMany, row by row.`
	g.method(doc, "UpsertMany",
		[]jen.Code{g.ctx(), g.rowsParam(), g.on(), g.with()},
		[]jen.Code{g.rows(), jen.Error()},
		g.fillRows(),
		jen.Return(g.table("Upsert", jen.Id("rows"), jen.Id("on"), withAll())),
	)
}

func (g *queriesGen) copyFrom() {
	doc := fmt.Sprintf(`CopyFrom loads rows into %q with the COPY protocol, the fastest way
to insert many rows, and returns how many it loaded. Columns are sent as
by Insert, but COPY cannot send DEFAULT for some rows only: rows that
disagree on a defaulted column (one sets it, another leaves it zero) are
refused before anything is sent; name the column in with, or copy them
in two calls. COPY returns no rows, so what the database filled in is
not read back.`, g.t.t.Name)
	g.method(doc, "CopyFrom",
		[]jen.Code{g.ctx(), g.rowsParam(), g.with()},
		[]jen.Code{jen.Int64(), jen.Error()},
		g.fillRows(),
		jen.Return(g.table("CopyFrom", jen.Id("rows"), withAll())),
	)
}

func (g *queriesGen) update() {
	doc := fmt.Sprintf(`Update starts an update of rows of %q: give it assignments with Set
(made by the columns' Set methods), and Where conditions or All. Run it
with Exec or Returning.`, g.t.t.Name)
	g.method(doc, "Update", nil, []jen.Code{jen.Qual(pgPath, "UpdateQuery").Types(g.row.Clone())},
		g.builder("Update"),
	)
}

func (g *queriesGen) queueInsert() {
	doc := fmt.Sprintf(`QueueInsert queues an insert of rows into %q in b, sent as by
InsertMany; once b is sent, the Result holds the rows as stored.`, g.t.t.Name)
	g.method(doc, "QueueInsert",
		[]jen.Code{jen.Id("b").Op("*").Qual(pgPath, "Batch"), g.rowsParam(), g.with()},
		[]jen.Code{jen.Op("*").Qual(pgPath, "Result").Types(g.rows())},
		jen.Return(jen.Id(g.tableVar).Dot("InsertQueued").Call(jen.Id("b"), jen.Id("rows"), withAll())),
	)
}

func (g *queriesGen) updateRow() {
	t := g.t
	ex := updateExample(t)
	doc := fmt.Sprintf(`UpdateRow writes row over the stored row of %q with the same primary
key and returns it as stored. It sets the columns named in cols, or,
when none is, every column but the primary key's and those the database
fills:

	row, err = q.%s.UpdateRow(ctx, row)                 // every column
	row, err = q.%s.UpdateRow(ctx, row, %s.%s.%s) // only this one

A row whose primary key is zero is refused before anything is sent (it
was never stored); a key no row has is an error wrapping pg.ErrNotFound
that names it.`, t.t.Name, t.name, t.name, g.p.pkg, t.name, ex.field)
	g.method(doc, "UpdateRow",
		[]jen.Code{g.ctx(), g.rowParam(), jen.Id("cols").Op("...").Qual(pgPath, "AnyColumn")},
		[]jen.Code{g.row.Clone(), jen.Error()},
		jen.Return(g.table("UpdateRow", jen.Id("row"), jen.Id("cols").Op("..."))),
	)
}

func (g *queriesGen) updateMany() {
	doc := fmt.Sprintf(`UpdateMany writes each of rows over the stored row of %q with the same
primary key, all in one statement (UPDATE ... FROM (VALUES ...)), and
returns how many rows it changed; a key no row has changes nothing.
Columns are set as by UpdateRow. Rows with a zero key or the same key,
and more values than one statement takes (65535), are refused before
anything is sent.`, g.t.t.Name)
	g.method(doc, "UpdateMany",
		[]jen.Code{g.ctx(), g.rowsParam(), jen.Id("cols").Op("...").Qual(pgPath, "AnyColumn")},
		[]jen.Code{jen.Int64(), jen.Error()},
		jen.Return(g.table("UpdateMany", jen.Id("rows"), jen.Id("cols").Op("..."))),
	)
}

func (g *queriesGen) delete() {
	doc := fmt.Sprintf(`Delete starts a delete of rows of %q: give it Where conditions or All.
Run it with Exec or Returning.`, g.t.t.Name)
	g.method(doc, "Delete", nil, []jen.Code{jen.Qual(pgPath, "DeleteQuery").Types(g.row.Clone())},
		g.builder("Delete"),
	)
}

// insertRun runs Insert's fixed statement: it scans the columns read back
// into row, or, when there is none, executes it.
func insertRun(t *tableInfo, sent []jen.Code, row *jen.Statement) jen.Code {
	wrapped := jen.Qual(pgimplPath, "Wrap").Call(jen.Lit("insert into"), jen.Lit(t.t.Name), jen.Err())
	fail := jen.Block(jen.Return(row.Clone().Values(), wrapped))
	failed := jen.Err().Op("!=").Nil()
	if len(t.returnedCols()) == 0 {
		exec := jen.List(jen.Id("_"), jen.Err()).Op(":=").Id("q").Dot("db").Dot("Exec").Call(sent...)
		return jen.If(exec, failed).Add(fail)
	}
	query := jen.Id("q").Dot("db").Dot("QueryRow").Call(sent...)
	scan := jen.Err().Op(":=").Id("scan"+t.name+"Inserted").Call(query, jen.Op("&").Id("row"))
	return jen.If(scan, failed).Add(fail)
}

// conflictExample is the conflict target the Upsert example names: the
// primary key, else the first column.
func conflictExample(p *packageInfo, t *tableInfo) string {
	cols := t.pk
	if len(cols) == 0 {
		cols = t.cols[:1]
	}
	var out []string
	for _, c := range cols {
		out = append(out, p.pkg+"."+t.name+"."+c.field)
	}
	return strings.Join(out, ", ")
}

// updateExample is a column the Upsert example updates: the first one
// that is not part of the primary key and can be written.
func updateExample(t *tableInfo) *columnInfo {
	for _, c := range t.cols {
		if c.mode != "InsertNever" && !slices.Contains(t.pk, c) {
			return c
		}
	}
	return t.cols[0]
}

// insertDoc documents what Insert sends: the rule, with this table's
// columns named, its paragraphs filled to the width of a comment.
func insertDoc(p *packageInfo, t *tableInfo) string { return reflow(insertText(p, t), 76) }

// reflow fills each paragraph of s (separated by blank lines) to width
// columns; indented paragraphs (code) are kept as they are.
func reflow(s string, width int) string {
	paras := strings.Split(s, "\n\n")
	for i, para := range paras {
		if strings.HasPrefix(para, "\t") {
			continue
		}
		var b strings.Builder
		n := 0
		for _, w := range strings.Fields(para) {
			switch {
			case n == 0:
			case n+1+len(w) > width:
				b.WriteByte('\n')
				n = 0
			default:
				b.WriteByte(' ')
				n++
			}
			b.WriteString(w)
			n += len(w)
		}
		paras[i] = b.String()
	}
	return strings.Join(paras, "\n\n")
}

func insertText(p *packageInfo, t *tableInfo) string {
	var never []string
	for _, c := range t.cols {
		if c.mode == "InsertNever" {
			never = append(never, c.field)
		}
	}
	def := t.defaultCols()
	var noTest []*columnInfo
	for _, c := range t.cols {
		if c.noZeroTest {
			noTest = append(noTest, c)
		}
	}
	s := fmt.Sprintf("Insert inserts row into %q and returns it as stored, with the values\nthe database filled in.%s", t.t.Name, readBackDoc(t))
	if len(def) == 0 && len(noTest) == 0 && len(never) == 0 {
		return s + " Every field of row is sent, zero values included."
	}
	if len(def) > 0 {
		var names, surprising []string
		for _, c := range def {
			names = append(names, c.field)
			if d := nonZeroDefault(c); d != "" {
				surprising = append(surprising, fmt.Sprintf("%s (DEFAULT %s)", c.field, d))
			}
		}
		s += fmt.Sprintf(`

A field that is not zero is always sent. Zero means default for
%s: when %s zero, the database fills %s. Naming a
column in with sends its zero value too:

	q.%s.Insert(ctx, row, %s.%s.%s)`,
			strings.Join(names, ", "), plural(len(def), "it is", "one is"), plural(len(def), "it", "that column"),
			t.name, p.pkg, t.name, def[0].field)
		if len(surprising) > 0 {
			n := len(surprising)
			s += fmt.Sprintf("\n\nMind %s:\n%s default %s not %s zero value, so storing the zero\nvalue needs the column named in with.",
				strings.Join(surprising, ", "), plural(n, "its", "their"), plural(n, "is", "are"), plural(n, "its type's", "their types'"))
		}
		s += "\n\nEvery other field is sent, zero values included."
	} else if len(noTest) > 0 {
		s += "\n\nEvery field of row is sent, zero values included."
	} else {
		s += " Every field of row is sent, zero values included, except those\nbelow."
	}
	if len(noTest) > 0 {
		var names []string
		for _, c := range noTest {
			names = append(names, c.field)
		}
		n := len(names)
		s += fmt.Sprintf("\n%s %s a default, but %s no zero value to\ntest, so %s always sent.",
			strings.Join(names, ", "), plural(n, "has", "have"), plural(n, "its type has", "their types have"), plural(n, "it is", "they are"))
	}
	if len(never) > 0 {
		s += fmt.Sprintf("\n%s %s always filled by the database (generated or identity\nALWAYS) and never sent.", strings.Join(never, ", "), plural(len(never), "is", "are"))
	}
	for _, c := range t.genCols() {
		s += fmt.Sprintf("\nA zero %s is first set to %s.%s() (gen:), here and in\nInsertMany, Upsert, UpsertMany and CopyFrom.", c.field, p.model.Go.Name, c.c.Gen)
	}
	return s
}

// nonZeroDefault is the default of a bool or numeric column whose default
// is not its Go type's zero value, which a reader could take for "sent";
// "" for the others.
func nonZeroDefault(c *columnInfo) string {
	d := strings.TrimSpace(c.c.Default)
	if d == "" || c.c.GoType.Kind != schema.GoNamed || c.c.GoType.Path != "" {
		return ""
	}
	switch c.c.GoType.Name {
	case "bool":
		if strings.EqualFold(d, "false") {
			return ""
		}
		return d
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		if f, err := strconv.ParseFloat(strings.Trim(d, "'()"), 64); err == nil && f == 0 {
			return ""
		}
		return d
	}
	return ""
}

// hasZeroTest reports whether nonZero has a test for typ.
func hasZeroTest(typ schema.GoType) bool { return nonZero(jen.Id("v"), typ) != nil }

// nonZero is the test that a field of type typ is not its zero value, or
// nil for a type that has none (a struct == does not apply to).
func nonZero(v *jen.Statement, typ schema.GoType) *jen.Statement { return zeroTest(v, typ, false) }

// isZero is the test that a field of type typ is its zero value, or nil
// for a type that has none; the negation of nonZero, spelled as a person
// would rather than as !(nonZero).
func isZero(v *jen.Statement, typ schema.GoType) *jen.Statement { return zeroTest(v, typ, true) }

// zeroTest is isZero when zero, else nonZero.
func zeroTest(v *jen.Statement, typ schema.GoType, zero bool) *jen.Statement {
	cmp, not := "!=", jen.Op("!")
	if zero {
		cmp, not = "==", jen.Null()
	}
	switch typ.Kind {
	case schema.GoPointer, schema.GoSlice, schema.GoMap, schema.GoAny:
		return v.Op(cmp).Nil()
	case schema.GoArray:
		if typ.Elem.Incomparable {
			return nil
		}
		return not.Qual(pgimplPath, "IsZero").Call(v)
	}
	if typ.Path == "" {
		switch typ.Name {
		case "string":
			return v.Op(cmp).Lit("")
		case "bool":
			if zero {
				return jen.Op("!").Add(v)
			}
			return v
		case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "float32", "float64", "byte", "rune":
			return v.Op(cmp).Lit(0)
		}
	}
	switch {
	case isNamed(typ, "time", "Time"):
		// == would compare the location too.
		return not.Add(v).Dot("IsZero").Call()
	case typ.NilZero:
		return v.Op(cmp).Nil()
	case typ.Incomparable:
		return nil
	}
	return not.Qual(pgimplPath, "IsZero").Call(v)
}

// readBackDoc names the sent fields Insert reads back because the
// database may store another value than the one sent (see readBack).
func readBackDoc(t *tableInfo) string {
	var sent []string
	for _, c := range t.cols {
		if c.readBack && c.mode == "InsertValue" {
			sent = append(sent, c.field)
		}
	}
	if len(sent) == 0 {
		return ""
	}
	return fmt.Sprintf(" %s %s read back too, since the\ndatabase may store %s other than the one sent.",
		strings.Join(sent, ", "), plural(len(sent), "is", "are"), plural(len(sent), "a value", "values"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// fieldOf is row.Field, following embedded structs: row.Base.ID.
func fieldOf(v string, c *columnInfo) *jen.Statement {
	s := jen.Id(v)
	for _, part := range c.path {
		s = s.Dot(part)
	}
	return s
}

// value is the value sent for a column: the field, with a nil slice of a
// NOT NULL column sent as an empty one (pgx would send NULL), and the
// times of a timestamp without time zone in UTC (see sendsUTC).
func value(v string, c *columnInfo) *jen.Statement {
	s := fieldOf(v, c)
	if c.c.NotNull && c.c.GoType.Kind == schema.GoSlice {
		s = jen.Qual(pgimplPath, "NonNil").Call(s)
	}
	if sendsUTC(c.c) {
		s = utc(c.c, s)
	}
	return s
}

// genGuard writes the staleness check:
//
//	// A compile error here means the schema's structs changed after this
//	// file was generated: run go generate in the schema package again.
//	func _() {
//		var r schema.Order
//		var _ uuid.UUID = r.ID
//		_ = struct {
//			ID uuid.UUID
//			schema.Base
//		}(r)
//		_ = struct{ CreatedAt time.Time }(r.Base)
//	}
//
// The assignments name the field whose type changed; the conversions fail
// when a field is added, removed, renamed or retyped, since a struct
// converts only to a struct with the same fields (tags aside). A struct
// with a field generated code cannot name (unexported) gets the
// assignments only.
func genGuard(f *jen.File, p *packageInfo, t *tableInfo) {
	f.Comment("A compile error here means the schema's structs changed after this file")
	f.Comment("was generated (a field added, removed, renamed or retyped): run go")
	f.Comment("generate in the schema package again.")
	f.Func().Id("_").Params().BlockFunc(func(g *jen.Group) {
		g.Var().Id("r").Add(p.rowType(t))
		for _, c := range t.cols {
			g.Var().Id("_").Add(goType(c.c.GoType)).Op("=").Add(fieldOf("r", c))
		}
		if t.t.GoFields != nil {
			guardFields(g, jen.Id("r"), t.t.GoFields)
		}
	})
	f.Line()
}

// guardFields converts v, a struct with fields fs, to the unnamed struct
// of those fields, and so on for the mixins among them.
func guardFields(g *jen.Group, v *jen.Statement, fs []schema.GoField) {
	g.Id("_").Op("=").StructFunc(func(g *jen.Group) {
		for _, f := range fs {
			if f.Embedded {
				g.Add(goType(f.Type))
			} else {
				g.Id(f.Name).Add(goType(f.Type))
			}
		}
	}).Parens(v)
	for _, f := range fs {
		if f.Fields != nil {
			guardFields(g, v.Clone().Dot(f.Name), f.Fields)
		}
	}
}

// genTableVar writes the fixed SQL, the table description and its scan and
// values functions:
//
//	const sqlOrdersGet = `SELECT ... WHERE "Orders"."id" = $1`
//	const sqlOrdersInsert = `INSERT INTO ... RETURNING ...`
//	var tableOrders = pgimpl.NewTable("public", "Orders", []pgimpl.TableColumn{...}, pgimpl.RowFuncs[schema.Order]{...})
//	func scanOrders(row pgx.Row, r *schema.Order) error { return row.Scan(&r.ID, ...) }
//	func valuesOrders(r *schema.Order, dst []any) []any { return append(dst, r.ID, ...) }
func genTableVar(f *jen.File, p *packageInfo, t *tableInfo) {
	f.Const().DefsFunc(func(g *jen.Group) {
		if len(t.pk) > 0 {
			g.Id("sql" + t.name + "Get").Op("=").Add(sqlLit(t.getSQL()))
		}
		if t.view != nil {
			viewSQL(g, t) // view.go
			return
		}
		g.Id("sql" + t.name + "Insert").Op("=").Add(sqlLit(t.insertSQL()))
		for _, r := range t.belongsTo {
			g.Id(r.sqlConst).Op("=").Add(sqlLit(r.loadSQL()))
		}
		for _, r := range t.hasMany {
			g.Id(r.sqlConst).Op("=").Add(sqlLit(r.loadSQL()))
		}
	})
	f.Line()
	if t.view == nil && len(t.pk) > 0 {
		// QueueGet's key columns, for the message of a miss: one slice for
		// every call, which the batch keeps.
		f.Var().Id("key" + t.name).Op("=").Index().String().ValuesFunc(func(g *jen.Group) {
			for _, k := range t.pk {
				g.Lit(k.c.Name)
			}
		})
		f.Line()
	}
	f.Var().Id("table"+t.name).Op("=").Qual(pgimplPath, "NewTable").Call(
		jen.Lit(t.t.Schema), jen.Lit(t.t.Name),
		jen.Index().Qual(pgimplPath, "TableColumn").ValuesFunc(func(g *jen.Group) {
			for _, c := range t.cols {
				fields := []jen.Code{jen.Id("Name").Op(":").Lit(c.c.Name), jen.Id("Insert").Op(":").Qual(pgimplPath, c.mode)}
				if c.readBack {
					fields = append(fields, jen.Id("ReadBack").Op(":").True())
				}
				fields = append(fields, onUpdateFields(p, c)...) // defaults.go
				if slices.Contains(t.pk, c) {
					fields = append(fields, jen.Id("PK").Op(":").True())
				}
				fields = append(fields, jen.Id("Type").Op(":").Lit(castType(c.c.Type)))
				g.Line().Values(fields...)
			}
			g.Line()
		}),
		// In the order of pg.RowFuncs' fields, as a person would write them:
		// a jen.Dict would sort the keys.
		jen.Qual(pgimplPath, "RowFuncs").Types(p.rowType(t)).Values(
			jen.Line().Id("Scan").Op(":").Id("scan"+t.name),
			jen.Line().Id("Values").Op(":").Id("values"+t.name),
			jen.Line().Id("Targets").Op(":").Id("targets"+t.name),
			jen.Line().Id("InsertValues").Op(":").Id("insertValues"+t.name),
			jen.Line().Id("ScanInserted").Op(":").Id("scan"+t.name+"Inserted"),
			jen.Line().Id("NonZero").Op(":").Id("nonZero"+t.name),
			jen.Do(func(s *jen.Statement) {
				if len(t.pk) > 0 {
					s.Line().Id("Value").Op(":").Id("value" + t.name)
				}
			}),
			jen.Do(func(s *jen.Statement) {
				if len(t.pk) > 0 {
					s.Line().Id("ZeroKey").Op(":").Id("zeroKey" + t.name)
				}
			}),
			jen.Line(),
		),
	)
	f.Line()
	if len(t.pk) > 0 {
		// One column's value, as values gives it: UpdateMany converts to
		// any only the fields it sends.
		f.Func().Id("value"+t.name).Params(jen.Id("r").Op("*").Add(p.rowType(t)), jen.Id("col").Int()).Any().Block(
			jen.Switch(jen.Id("col")).BlockFunc(func(g *jen.Group) {
				for i, c := range t.cols {
					g.Case(jen.Lit(i)).Block(jen.Return(value("r", c)))
				}
			}),
			jen.Return(jen.Nil()),
		)
		f.Line()
		// A key whose every field is zero was never stored: UpdateRow
		// and UpdateMany refuse it. A field of a type with no zero test
		// makes the key never zero.
		f.Func().Id("zeroKey" + t.name).Params(jen.Id("r").Op("*").Add(p.rowType(t))).Bool().BlockFunc(func(g *jen.Group) {
			var all *jen.Statement
			for i, k := range t.pk {
				test := isZero(fieldOf("r", k), k.c.GoType)
				if test == nil {
					g.Return(jen.False())
					return
				}
				if i == 0 {
					all = jen.Add(test)
				} else {
					all = all.Op("&&").Add(test)
				}
			}
			g.Return(all)
		})
		f.Line()
	}
	// Which defaulted fields are set: those are sent, the zero ones left
	// to the database.
	f.Func().Id("nonZero" + t.name).Params(jen.Id("r").Op("*").Add(p.rowType(t))).Uint64().BlockFunc(func(g *jen.Group) {
		g.Var().Id("m").Uint64()
		for k, c := range t.defaultCols() {
			if test := nonZero(fieldOf("r", c), c.c.GoType); test != nil {
				g.If(test).Block(jen.Id("m").Op("|=").Lit(1).Op("<<").Lit(k))
			} else {
				// No zero test for this type: the value is always sent.
				g.Id("m").Op("|=").Lit(1).Op("<<").Lit(k)
			}
		}
		g.Return(jen.Id("m"))
	})
	f.Line()
	if len(t.defaultCols()) > 0 {
		// The values of the columns pgimpl.InsertSQL(t, m) sends, in its
		// order: the InsertValue columns and the defaulted ones m sets.
		f.Func().Id("insertArgs"+t.name).Params(jen.Id("r").Op("*").Add(p.rowType(t)), jen.Id("m").Uint64(), jen.Id("dst").Index().Any()).Index().Any().BlockFunc(func(g *jen.Group) {
			k := 0
			for _, c := range t.cols {
				switch c.mode {
				case "InsertValue":
					g.Id("dst").Op("=").Append(jen.Id("dst"), value("r", c))
				case "InsertDefault":
					g.If(jen.Id("m").Op("&").Parens(jen.Lit(1).Op("<<").Lit(k)).Op("!=").Lit(0)).Block(
						jen.Id("dst").Op("=").Append(jen.Id("dst"), value("r", c)),
					)
					k++
				}
			}
			g.Return(jen.Id("dst"))
		})
		f.Line()
	}
	// What Insert and InsertMany send and read back: the InsertValue
	// columns only, so that the other fields are not converted to any,
	// and the readBack columns only, so that values the row already holds
	// are not decoded again.
	// A table whose every column has a default sends none of them here:
	// append(dst) alone is what vet refuses.
	insertValues := jen.Return(jen.Id("dst"))
	if cols := t.insertCols(); len(cols) > 0 {
		insertValues = jen.Return(jen.AppendFunc(func(g *jen.Group) {
			g.Id("dst")
			for _, c := range cols {
				g.Add(value("r", c))
			}
		}))
	}
	f.Func().Id("insertValues"+t.name).Params(jen.Id("r").Op("*").Add(p.rowType(t)), jen.Id("dst").Index().Any()).Index().Any().Block(insertValues)
	f.Line()
	f.Func().Id("scan"+t.name+"Inserted").Params(jen.Id("row").Qual(pgxPath, "Row"), jen.Id("r").Op("*").Add(p.rowType(t))).Error().Block(
		jen.Return(jen.Id("row").Dot("Scan").CallFunc(func(g *jen.Group) {
			for _, c := range t.returnedCols() {
				g.Op("&").Add(fieldOf("r", c))
			}
		})),
	)
	f.Line()
	f.Func().Id("scan"+t.name).Params(jen.Id("row").Qual(pgxPath, "Row"), jen.Id("r").Op("*").Add(p.rowType(t))).Error().Block(
		jen.Return(jen.Id("row").Dot("Scan").CallFunc(func(g *jen.Group) {
			for _, c := range t.cols {
				g.Op("&").Add(fieldOf("r", c))
			}
		})),
	)
	f.Line()
	f.Func().Id("values"+t.name).Params(jen.Id("r").Op("*").Add(p.rowType(t)), jen.Id("dst").Index().Any()).Index().Any().Block(
		jen.Return(jen.AppendFunc(func(g *jen.Group) {
			g.Id("dst")
			for _, c := range t.cols {
				g.Add(value("r", c))
			}
		})),
	)
	f.Line()
	f.Func().Id("targets"+t.name).Params(jen.Id("r").Op("*").Add(p.rowType(t)), jen.Id("dst").Index().Any()).Index().Any().Block(
		jen.Return(jen.AppendFunc(func(g *jen.Group) {
			g.Id("dst")
			for _, c := range t.cols {
				g.Op("&").Add(fieldOf("r", c))
			}
		})),
	)
}
