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
	genQueries(f, p, t)
	genGuard(f, p, t)
	genTableVar(f, p, t)
}

// rowType is the user's struct: schema.Order.
func (p *packageInfo) rowType(t *tableInfo) *jen.Statement { return goType(t.t.GoType) }

// genColumns writes the column descriptors:
//
//	// Orders holds the columns of the "Orders" table ...
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
	comment(f, fmt.Sprintf("%s holds the typed columns of the %q table, whose rows are\n%s values, for the conditions, orderings and assignments of queries:\n\n\tq.%s.Select().Where(%s.%s.%s.Eq(v))",
		t.name, t.t.Name, goTypeString(t.t.GoType, p), t.name, p.pkg, t.name, t.cols[0].field))
	if doc := strings.TrimSpace(t.t.Doc); doc != "" {
		comment(f, "\n"+doc)
	}
	f.Var().Id(t.name).Op("=").Id(t.name + "Columns").ValuesFunc(func(g *jen.Group) {
		for _, c := range t.cols {
			_, ctor := columnType(c.c)
			g.Line().Id(c.field).Op(":").Qual(pgPath, ctor).Types(typeArg(c.c)).Call(jen.Lit(t.t.Name), jen.Lit(c.c.Name))
		}
		g.Line()
	})
	f.Line()
	comment(f, fmt.Sprintf("%sColumns are the columns of the %q table.", t.name, t.t.Name))
	f.Type().Id(t.name + "Columns").StructFunc(func(g *jen.Group) {
		for i, c := range t.cols {
			if i > 0 {
				g.Line()
			}
			commentg(g, fmt.Sprintf("%s is %s.", c.field, describe(t, c)))
			typ, _ := columnType(c.c)
			g.Id(c.field).Add(typ)
		}
	})
	f.Line()
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
	if c.c.NotNull {
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
//	func (q OrdersQueries) Update() pg.UpdateQuery[schema.Order]
//	func (q OrdersQueries) Delete() pg.DeleteQuery[schema.Order]
func genQueries(f *jen.File, p *packageInfo, t *tableInfo) {
	qt := t.name + "Queries"
	row := p.rowType(t)
	recv := jen.Id("q").Id(qt)
	ctx := jen.Id("ctx").Qual(ctxPath, "Context")
	tableVar := "table" + t.name

	comment(f, fmt.Sprintf("%s are the queries on the %q table; get them from Queries.%s.", qt, t.t.Name, t.name))
	f.Type().Id(qt).Struct(jen.Id("db").Qual(pgPath, "DBTX"))
	f.Line()

	if len(t.pk) > 0 {
		var keys []string
		params := []jen.Code{ctx.Clone()}
		args := []jen.Code{jen.Id("ctx"), jen.Id("sql" + t.name + "Get")}
		notFoundArgs := []jen.Code{jen.Lit(t.t.Name), jen.Err()}
		for _, k := range t.pk {
			notFoundArgs = append(notFoundArgs, jen.Lit(k.c.Name), jen.Id(k.param))
		}
		for _, k := range t.pk {
			keys = append(keys, k.param)
			params = append(params, jen.Id(k.param).Add(goType(k.c.GoType)))
			arg := jen.Id(k.param)
			if sendsUTC(k.c) {
				arg = utc(k.c, arg)
			}
			args = append(args, arg)
		}
		comment(f, fmt.Sprintf("Get returns the row of %q whose primary key is %s, or an error\nwrapping pg.ErrNotFound (and pgx.ErrNoRows) that names the key when there\nis none.", t.t.Name, strings.Join(keys, ", ")))
		f.Func().Params(recv.Clone()).Id("Get").Params(params...).Params(row.Clone(), jen.Error()).Block(
			jen.Var().Id("r").Add(row.Clone()),
			jen.Err().Op(":=").Id("scan"+t.name).Call(jen.Id("q").Dot("db").Dot("QueryRow").Call(args...), jen.Op("&").Id("r")),
			jen.If(jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Add(row.Clone()).Values(), jen.Qual(pgimplPath, "NotFound").Call(notFoundArgs...)),
			),
			jen.Return(jen.Id("r"), jen.Nil()),
		)
		f.Line()
	}

	comment(f, fmt.Sprintf("Select starts a query for rows of %q. Run it with All, First, Iter,\nCount or Exists.", t.t.Name))
	f.Func().Params(recv.Clone()).Id("Select").Params().Qual(pgPath, "SelectQuery").Types(row.Clone()).Block(
		jen.Return(jen.Id(tableVar).Dot("Select").Call(jen.Id("q").Dot("db"))),
	)
	f.Line()

	comment(f, insertDoc(p, t))
	var sent []jen.Code
	sent = append(sent, jen.Id("ctx"), jen.Id("sql"+t.name+"Insert"))
	for _, c := range t.insertCols() {
		sent = append(sent, value("row", c))
	}
	// The fixed statement sends the InsertValue columns only. A call
	// naming a column goes through the table's statement builder; a row
	// that sets defaulted fields runs the statement the table keeps for
	// that set, with the values insertArgs picks.
	body := []jen.Code{
		jen.If(jen.Len(jen.Id("with")).Op(">").Lit(0)).Block(
			jen.List(jen.Id("rows"), jen.Err()).Op(":=").Id(tableVar).Dot("Insert").Call(jen.Id("ctx"), jen.Id("q").Dot("db"), jen.Index().Add(row.Clone()).Values(jen.Id("row")), jen.Id("with").Op("...")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Add(row.Clone()).Values(), jen.Err())),
			jen.Return(jen.Id("rows").Index(jen.Lit(0)), jen.Nil()),
		),
	}
	if n := len(t.defaultCols()); n > 0 {
		args := []jen.Code{
			jen.Id("ctx"),
			jen.Qual(pgimplPath, "InsertSQL").Call(jen.Id(tableVar), jen.Id("m")),
			jen.Id("insertArgs"+t.name).Call(jen.Op("&").Id("row"), jen.Id("m"), jen.Make(jen.Index().Any(), jen.Lit(0), jen.Lit(len(t.insertCols())+n))).Op("..."),
		}
		body = append(body, jen.If(jen.Id("m").Op(":=").Id("nonZero"+t.name).Call(jen.Op("&").Id("row")), jen.Id("m").Op("!=").Lit(0)).Block(
			insertRun(t, args, row),
			jen.Return(jen.Id("row"), jen.Nil()),
		))
	}
	body = append(body, insertRun(t, sent, row), jen.Return(jen.Id("row"), jen.Nil()))
	f.Func().Params(recv.Clone()).Id("Insert").Params(ctx.Clone(), jen.Id("row").Add(row.Clone()), jen.Id("with").Op("...").Qual(pgPath, "AnyColumn")).Params(row.Clone(), jen.Error()).Block(body...)
	f.Line()

	comment(f, fmt.Sprintf("InsertMany inserts rows into %q in one statement and returns them as\nstored, in the order given. Columns are sent as by Insert, row by row:\none row may leave a defaulted field zero for the default (DEFAULT)\nwhile the next sets it. A statement\ntakes at most 65535 parameters, so very many rows must go in chunks.", t.t.Name))
	f.Func().Params(recv.Clone()).Id("InsertMany").Params(ctx.Clone(), jen.Id("rows").Index().Add(row.Clone()), jen.Id("with").Op("...").Qual(pgPath, "AnyColumn")).Params(jen.Index().Add(row.Clone()), jen.Error()).Block(
		jen.Return(jen.Id(tableVar).Dot("Insert").Call(jen.Id("ctx"), jen.Id("q").Dot("db"), jen.Id("rows"), jen.Id("with").Op("..."))),
	)
	f.Line()

	comment(f, fmt.Sprintf("Upsert inserts row into %q unless it conflicts with an existing row,\nand then does what on says: skip it, or update the existing row. It\nreturns the row as stored and true when a row was inserted or updated,\nand the zero row and false when the conflict skipped it:\n\n\trow, ok, err := q.%s.Upsert(ctx, row, pg.OnConflict(%s).DoNothing())\n\trow, _, err = q.%s.Upsert(ctx, row, pg.OnConflict(%s).DoUpdate(%s.%s.%s.SetExcluded()))\n\nColumns are sent as by Insert; a defaulted column named in with can\nbe the conflict target. SetExcluded of a defaulted column the row leaves\nzero is refused before anything is sent (EXCLUDED would hold the\ndefault): name the column in with to send its zero value.", t.t.Name, t.name, conflictExample(p, t), t.name, conflictExample(p, t), p.pkg, t.name, updateExample(t).field))
	f.Func().Params(recv.Clone()).Id("Upsert").Params(ctx.Clone(), jen.Id("row").Add(row.Clone()), jen.Id("on").Qual(pgPath, "Conflict"), jen.Id("with").Op("...").Qual(pgPath, "AnyColumn")).Params(row.Clone(), jen.Bool(), jen.Error()).Block(
		jen.List(jen.Id("rows"), jen.Err()).Op(":=").Id(tableVar).Dot("Upsert").Call(jen.Id("ctx"), jen.Id("q").Dot("db"), jen.Index().Add(row.Clone()).Values(jen.Id("row")), jen.Id("on"), jen.Id("with").Op("...")),
		jen.If(jen.Err().Op("!=").Nil().Op("||").Len(jen.Id("rows")).Op("==").Lit(0)).Block(jen.Return(jen.Add(row.Clone()).Values(), jen.False(), jen.Err())),
		jen.Return(jen.Id("rows").Index(jen.Lit(0)), jen.True(), jen.Nil()),
	)
	f.Line()

	comment(f, "UpsertMany is Upsert of many rows in one statement. It returns the rows\ninserted or updated, as stored; rows the conflict skipped are missing.\nColumns are sent as by InsertMany, row by row.")
	f.Func().Params(recv.Clone()).Id("UpsertMany").Params(ctx.Clone(), jen.Id("rows").Index().Add(row.Clone()), jen.Id("on").Qual(pgPath, "Conflict"), jen.Id("with").Op("...").Qual(pgPath, "AnyColumn")).Params(jen.Index().Add(row.Clone()), jen.Error()).Block(
		jen.Return(jen.Id(tableVar).Dot("Upsert").Call(jen.Id("ctx"), jen.Id("q").Dot("db"), jen.Id("rows"), jen.Id("on"), jen.Id("with").Op("..."))),
	)
	f.Line()

	comment(f, fmt.Sprintf("CopyFrom loads rows into %q with the COPY protocol, the fastest way\nto insert many rows, and returns how many it loaded. Columns are sent as\nby Insert, but COPY cannot send DEFAULT for some rows only: rows that\ndisagree on a defaulted column (one sets it, another leaves it zero) are\nrefused before anything is sent; name the column in with, or copy them\nin two calls. COPY returns no rows, so what the database filled in is\nnot read back.", t.t.Name))
	f.Func().Params(recv.Clone()).Id("CopyFrom").Params(ctx.Clone(), jen.Id("rows").Index().Add(row.Clone()), jen.Id("with").Op("...").Qual(pgPath, "AnyColumn")).Params(jen.Int64(), jen.Error()).Block(
		jen.Return(jen.Id(tableVar).Dot("CopyFrom").Call(jen.Id("ctx"), jen.Id("q").Dot("db"), jen.Id("rows"), jen.Id("with").Op("..."))),
	)
	f.Line()

	comment(f, fmt.Sprintf("Update starts an update of rows of %q: give it assignments with Set\n(made by the columns' Set methods), and Where conditions or All. Run it\nwith Exec or Returning.", t.t.Name))
	f.Func().Params(recv.Clone()).Id("Update").Params().Qual(pgPath, "UpdateQuery").Types(row.Clone()).Block(
		jen.Return(jen.Id(tableVar).Dot("Update").Call(jen.Id("q").Dot("db"))),
	)
	f.Line()

	comment(f, fmt.Sprintf("Delete starts a delete of rows of %q: give it Where conditions or All.\nRun it with Exec or Returning.", t.t.Name))
	f.Func().Params(recv.Clone()).Id("Delete").Params().Qual(pgPath, "DeleteQuery").Types(row.Clone()).Block(
		jen.Return(jen.Id(tableVar).Dot("Delete").Call(jen.Id("q").Dot("db"))),
	)
	f.Line()
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

// insertRun runs Insert's fixed statement: it scans the columns read back
// into row, or, when there is none, executes it.
func insertRun(t *tableInfo, sent []jen.Code, row *jen.Statement) jen.Code {
	fail := jen.Block(jen.Return(jen.Add(row.Clone()).Values(), jen.Qual(pgimplPath, "Wrap").Call(jen.Lit("insert into"), jen.Lit(t.t.Name), jen.Err())))
	if len(t.returnedCols()) == 0 {
		return jen.If(jen.List(jen.Id("_"), jen.Err()).Op(":=").Id("q").Dot("db").Dot("Exec").Call(sent...), jen.Err().Op("!=").Nil()).Add(fail)
	}
	return jen.If(jen.Err().Op(":=").Id("scan"+t.name+"Inserted").Call(jen.Id("q").Dot("db").Dot("QueryRow").Call(sent...), jen.Op("&").Id("row")), jen.Err().Op("!=").Nil()).Add(fail)
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
		s += fmt.Sprintf("\n\nA field that is not zero is always sent. Zero means default for\n%s: when %s zero, the database fills %s. Naming a\ncolumn in with sends its zero value too:\n\n\tq.%s.Insert(ctx, row, %s.%s.%s)",
			strings.Join(names, ", "), plural(len(def), "it is", "one is"), plural(len(def), "it", "that column"), t.name, p.pkg, t.name, def[0].field)
		if len(surprising) > 0 {
			s += fmt.Sprintf("\n\nMind %s:\n%s default %s not %s zero value, so storing the zero\nvalue needs the column named in with.",
				strings.Join(surprising, ", "), plural(len(surprising), "its", "their"), plural(len(surprising), "is", "are"), plural(len(surprising), "its type's", "their types'"))
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
		s += fmt.Sprintf("\n%s %s a default, but %s no zero value to\ntest, so %s always sent.", strings.Join(names, ", "), plural(len(names), "has", "have"), plural(len(names), "its type has", "their types have"), plural(len(names), "it is", "they are"))
	}
	if len(never) > 0 {
		s += fmt.Sprintf("\n%s %s always filled by the database (generated or identity\nALWAYS) and never sent.", strings.Join(never, ", "), plural(len(never), "is", "are"))
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
func nonZero(v *jen.Statement, typ schema.GoType) *jen.Statement {
	switch typ.Kind {
	case schema.GoPointer, schema.GoSlice, schema.GoMap, schema.GoAny:
		return v.Op("!=").Nil()
	case schema.GoArray:
		if typ.Elem.Incomparable {
			return nil
		}
		return jen.Op("!").Qual(pgimplPath, "IsZero").Call(v)
	}
	if typ.Path == "" {
		switch typ.Name {
		case "string":
			return v.Op("!=").Lit("")
		case "bool":
			return v
		case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "float32", "float64", "byte", "rune":
			return v.Op("!=").Lit(0)
		}
	}
	switch {
	case isNamed(typ, "time", "Time"):
		// == would compare the location too.
		return jen.Op("!").Add(v).Dot("IsZero").Call()
	case typ.NilZero:
		return v.Op("!=").Nil()
	case typ.Incomparable:
		return nil
	}
	return jen.Op("!").Qual(pgimplPath, "IsZero").Call(v)
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
	return fmt.Sprintf(" %s %s read back too, since the\ndatabase may store %s other than the one sent.", strings.Join(sent, ", "), plural(len(sent), "is", "are"), plural(len(sent), "a value", "values"))
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
		g.Id("sql" + t.name + "Insert").Op("=").Add(sqlLit(t.insertSQL()))
		for _, r := range t.belongsTo {
			g.Id(r.sqlConst).Op("=").Add(sqlLit(r.loadSQL()))
		}
		for _, r := range t.hasMany {
			g.Id(r.sqlConst).Op("=").Add(sqlLit(r.loadSQL()))
		}
	})
	f.Line()
	f.Var().Id("table"+t.name).Op("=").Qual(pgimplPath, "NewTable").Call(
		jen.Lit(t.t.Schema), jen.Lit(t.t.Name),
		jen.Index().Qual(pgimplPath, "TableColumn").ValuesFunc(func(g *jen.Group) {
			for _, c := range t.cols {
				fields := []jen.Code{jen.Id("Name").Op(":").Lit(c.c.Name), jen.Id("Insert").Op(":").Qual(pgimplPath, c.mode)}
				if c.readBack {
					fields = append(fields, jen.Id("ReadBack").Op(":").True())
				}
				g.Line().Values(fields...)
			}
			g.Line()
		}),
		jen.Qual(pgimplPath, "RowFuncs").Types(p.rowType(t)).Values(jen.DictFunc(func(d jen.Dict) {
			d[jen.Id("Scan")] = jen.Id("scan" + t.name)
			d[jen.Id("Values")] = jen.Id("values" + t.name)
			d[jen.Id("Targets")] = jen.Id("targets" + t.name)
			d[jen.Id("InsertValues")] = jen.Id("insertValues" + t.name)
			d[jen.Id("ScanInserted")] = jen.Id("scan" + t.name + "Inserted")
			d[jen.Id("NonZero")] = jen.Id("nonZero" + t.name)
		})),
	)
	f.Line()
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
	f.Func().Id("insertValues"+t.name).Params(jen.Id("r").Op("*").Add(p.rowType(t)), jen.Id("dst").Index().Any()).Index().Any().Block(
		jen.Return(jen.AppendFunc(func(g *jen.Group) {
			g.Id("dst")
			for _, c := range t.insertCols() {
				g.Add(value("r", c))
			}
		})),
	)
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
