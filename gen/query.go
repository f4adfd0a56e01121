package gen

import (
	"errors"
	"fmt"
	"go/token"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Query is a hand-written SQL query with the types the server gave it: a
// method of the generated Queries, next to the tables' queries. The
// reading of query files and their typing are the callers' (mizzle
// generate); gen writes the method and its row type.
type Query struct {
	// Name is the method's name, an exported Go identifier.
	Name string
	// Command is "one" (the first row, or pgx.ErrNoRows), "many" (every
	// row), "exec" (nothing), "execrows" (the number of rows touched) or
	// "copyfrom" (rows loaded with COPY: see Copy).
	Command string
	// Doc is the query's own comment, for the method's documentation.
	Doc string
	// Source is where the query is written ("queries/reports.sql:12:1"),
	// and File the name of its file without the extension ("reports"),
	// which names the generated file: reports_sql.gen.go.
	Source, File string
	// SQL is the statement, its parameters written $1, $2, ...
	SQL    string
	Params []QueryParam
	// Columns are the result columns in order.
	Columns []QueryColumn
	// RowType is the struct the rows are scanned into when the columns are
	// exactly a table's or a view's (the user's struct, each column into
	// its Field); when it is nil, gen declares NameRow with a field per
	// column.
	RowType *schema.GoType
	// Limit is the constant LIMIT that ends the statement, or 0: a "many"
	// method sizes its slice for it at the first row (up to maxPresize
	// rows), as code written by hand for the query would.
	Limit int
	// Copy is what a "copyfrom" query loads: its method takes a slice of
	// NameParams structs, a field per parameter, and sends them with COPY
	// into the table's columns, the i-th column taking Params[i].
	Copy *QueryCopy
}

// QueryCopy is the table and columns a "copyfrom" Query loads.
type QueryCopy struct {
	Schema, Table string
	Columns       []string
}

// QueryParam is a parameter of a Query: $n is Params[n-1].
type QueryParam struct {
	Name string // as written in the query: author_id
	Type schema.GoType
}

// QueryColumn is a result column of a Query.
type QueryColumn struct {
	Name string // as the server names it
	Type schema.GoType
	// Field is the column's field in RowType ("Base.ID"), when set.
	Field string
}

// queryInfo is a Query with the Go names generated code uses for it.
type queryInfo struct {
	q      *Query
	row    *jen.Statement // the row type
	fields [][]string     // each column's selector path in the row
	params []string       // each parameter's Go name
	// paramFields are each parameter's field in NameParams, for copyfrom.
	paramFields []string
	sqlVar      string // the constant holding the SQL
}

// QueryFileName is the name of the generated file that holds the methods
// of the query file whose name without ".sql" is file (Query.File):
// reports_sql.gen.go.
func QueryFileName(file string) string { return queryFile(file) }

// queryFile is the name of the file a query file's methods go in.
func queryFile(file string) string {
	return strings.ToLower(schema.SnakeCase(exported(file))) + "_sql.gen.go"
}

// newQueryInfos checks the queries' Go names against each other and
// against the names the package declares, and gives every parameter and
// field its name. Every clash is in the error.
func newQueryInfos(p *packageInfo, qs []Query) ([]*queryInfo, error) {
	taken := map[string]string{}
	for n := range reservedTop {
		taken[n] = "the package's " + n
	}
	for _, n := range []string{"InTx", "DB"} {
		taken[n] = "Queries." + n
	}
	for _, t := range p.tables {
		what := t.kind() + " " + t.t.Schema + "." + t.t.Name
		for _, n := range []string{t.name, t.name + "Columns", t.name + "Queries"} {
			taken[n] = what
		}
	}
	files := map[string]bool{"queries.gen.go": true}
	for _, t := range p.tables {
		files[t.file] = true
	}
	var errs []string
	var out []*queryInfo
	for i := range qs {
		q := &qs[i]
		where := "query " + q.Name + " (" + q.Source + ")"
		if !token.IsIdentifier(q.Name) || !token.IsExported(q.Name) {
			errs = append(errs, fmt.Sprintf("%s: the name is not an exported Go identifier", where))
			continue
		}
		switch q.Command {
		case "one", "many", "exec", "execrows":
		case "copyfrom":
			if q.Copy == nil || len(q.Copy.Columns) != len(q.Params) || len(q.Params) == 0 {
				errs = append(errs, fmt.Sprintf("%s: :copyfrom needs a table and a column for each parameter", where))
				continue
			}
		default:
			errs = append(errs, fmt.Sprintf("%s: unknown command %q", where, q.Command))
			continue
		}
		if (q.Command == "one" || q.Command == "many") && len(q.Columns) == 0 {
			errs = append(errs, fmt.Sprintf("%s: :%s returns no columns: use :exec or :execrows", where, q.Command))
			continue
		}
		names := []string{q.Name}
		if q.RowType == nil && len(q.Columns) > 0 && q.Command != "exec" && q.Command != "execrows" && q.Command != "copyfrom" {
			names = append(names, q.Name+"Row")
		}
		if q.Command == "copyfrom" {
			names = append(names, q.Name+"Params")
		}
		for _, n := range names {
			if other, ok := taken[n]; ok {
				errs = append(errs, fmt.Sprintf("%s: %s is taken by %s: rename the query", where, n, other))
			}
			taken[n] = where
		}
		f := queryFile(q.File)
		if files[f] {
			errs = append(errs, fmt.Sprintf("%s: its file would be %s, which another file of the package takes: rename the query file", where, f))
		}
		qi := &queryInfo{q: q, sqlVar: "sqlQuery" + q.Name}
		pnames := map[string]bool{"ctx": true, "q": true, "r": true, "err": true, "rows": true, "row": true, "out": true, "tag": true}
		for _, prm := range q.Params {
			qi.params = append(qi.params, paramName(exported(prm.Name), pnames))
		}
		if q.Command == "copyfrom" {
			seen := map[string]string{}
			for _, prm := range q.Params {
				name := exported(prm.Name)
				if other, ok := seen[name]; ok {
					errs = append(errs, fmt.Sprintf("%s: parameters %q and %q would both be the field %s of %sParams: rename one", where, other, prm.Name, name, q.Name))
				}
				seen[name] = prm.Name
				qi.paramFields = append(qi.paramFields, name)
			}
		}
		if q.RowType != nil {
			qi.row = goType(*q.RowType)
			for _, c := range q.Columns {
				qi.fields = append(qi.fields, strings.Split(c.Field, "."))
			}
		} else {
			qi.row = jen.Id(q.Name + "Row")
			seen := map[string]string{}
			for _, c := range q.Columns {
				name := exported(c.Name)
				if other, ok := seen[name]; ok {
					errs = append(errs, fmt.Sprintf("%s: result columns %q and %q would both be the field %s: name one with AS", where, other, c.Name, name))
				}
				seen[name] = c.Name
				qi.fields = append(qi.fields, []string{name})
			}
		}
		out = append(out, qi)
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return out, nil
}

// genQueryFile writes the methods of the queries of one query file, in
// their order.
func genQueryFile(f *jen.File, qs []*queryInfo) {
	for _, qi := range qs {
		genQuery(f, qi)
	}
}

// genQuery writes a query's SQL constant, its row struct when it needs
// one, and its method:
//
//	func (q *Queries) TopAuthors(ctx context.Context, country string) ([]TopAuthorsRow, error)
func genQuery(f *jen.File, qi *queryInfo) {
	q := qi.q
	if q.Command == "copyfrom" {
		genCopyQuery(f, qi)
		return
	}
	f.Const().Id(qi.sqlVar).Op("=").Add(sqlLit(q.SQL))
	f.Line()
	returnsRows := q.Command == "one" || q.Command == "many"
	if q.RowType == nil && returnsRows {
		comment(f, fmt.Sprintf("%sRow is a row of %s.", q.Name, q.Name))
		f.Type().Id(q.Name + "Row").StructFunc(func(g *jen.Group) {
			for i, c := range q.Columns {
				g.Id(qi.fields[i][0]).Add(goType(c.Type)).Tag(map[string]string{"db": c.Name})
			}
		})
		f.Line()
	}

	params := []jen.Code{jen.Id("ctx").Qual(ctxPath, "Context")}
	args := []jen.Code{jen.Id("ctx"), jen.Id(qi.sqlVar)}
	for i, prm := range q.Params {
		params = append(params, jen.Id(qi.params[i]).Add(goType(prm.Type)))
		args = append(args, jen.Id(qi.params[i]))
	}
	var dests []jen.Code
	for _, path := range qi.fields {
		s := jen.Op("&").Id("r")
		for _, p := range path {
			s = s.Dot(p)
		}
		dests = append(dests, s)
	}
	db := jen.Id("q").Dot("db")

	var doc string
	var results []jen.Code
	var body []jen.Code
	switch q.Command {
	case "one":
		doc = fmt.Sprintf("%s runs the query at %s and returns its first row, or an error wrapping pgx.ErrNoRows when there is none.", q.Name, q.Source)
		results = []jen.Code{qi.row.Clone(), jen.Error()}
		body = []jen.Code{
			jen.Var().Id("r").Add(qi.row.Clone()),
			jen.Err().Op(":=").Add(db.Clone().Dot("QueryRow").Call(args...)).Dot("Scan").Call(dests...),
			jen.Return(jen.Id("r"), jen.Err()),
		}
	case "many":
		doc = fmt.Sprintf("%s runs the query at %s and returns its rows.", q.Name, q.Source)
		results = []jen.Code{jen.Index().Add(qi.row.Clone()), jen.Error()}
		body = []jen.Code{
			jen.List(jen.Id("rows"), jen.Err()).Op(":=").Add(db.Clone().Dot("Query").Call(args...)),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Defer().Id("rows").Dot("Close").Call(),
			jen.Var().Id("out").Index().Add(qi.row.Clone()),
			// Each row is scanned in place: a row variable whose fields
			// Scan takes would be allocated anew for every row.
			jen.For(jen.Id("rows").Dot("Next").Call()).Block(append(presize(q.Limit, qi.row),
				jen.Id("out").Op("=").Append(jen.Id("out"), qi.row.Clone().Values()),
				jen.Id("r").Op(":=").Op("&").Id("out").Index(jen.Len(jen.Id("out")).Op("-").Lit(1)),
				jen.If(jen.Err().Op(":=").Id("rows").Dot("Scan").Call(dests...), jen.Err().Op("!=").Nil()).Block(
					jen.Return(jen.Nil(), jen.Err()),
				),
			)...),
			jen.If(jen.Err().Op(":=").Id("rows").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Nil(), jen.Err()),
			),
			jen.Return(jen.Id("out"), jen.Nil()),
		}
	case "exec":
		doc = fmt.Sprintf("%s runs the statement at %s.", q.Name, q.Source)
		results = []jen.Code{jen.Error()}
		body = []jen.Code{
			jen.List(jen.Id("_"), jen.Err()).Op(":=").Add(db.Clone().Dot("Exec").Call(args...)),
			jen.Return(jen.Err()),
		}
	case "execrows":
		doc = fmt.Sprintf("%s runs the statement at %s and returns the number of rows it touched.", q.Name, q.Source)
		results = []jen.Code{jen.Int64(), jen.Error()}
		body = []jen.Code{
			jen.List(jen.Id("tag"), jen.Err()).Op(":=").Add(db.Clone().Dot("Exec").Call(args...)),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(0), jen.Err())),
			jen.Return(jen.Id("tag").Dot("RowsAffected").Call(), jen.Nil()),
		}
	}
	comment(f, methodDoc(q, reflow(doc, 76)))
	f.Func().Params(jen.Id("q").Op("*").Id("Queries")).Id(q.Name).Params(params...).Params(results...).Block(body...)
	f.Line()
}

// maxPresize bounds the capacity a "many" method gives its slice from the
// statement's LIMIT: a LIMIT is a bound, not a count, and a large one
// would allocate for rows that may not come.
const maxPresize = 1024

// presize is what a "many" method does with the first row when the
// statement has a LIMIT: size the slice for it, since growing it from nil
// copies the rows read so far at each doubling. Without a row the result
// stays nil, with a LIMIT or without.
func presize(limit int, row *jen.Statement) []jen.Code {
	if limit <= 0 {
		return nil
	}
	return []jen.Code{jen.If(jen.Id("out").Op("==").Nil()).Block(
		jen.Id("out").Op("=").Make(jen.Index().Add(row.Clone()), jen.Lit(0), jen.Lit(min(limit, maxPresize))),
	)}
}

// genCopyQuery writes a :copyfrom query's row struct and its method,
// which sends the rows with COPY: the statement itself is never run.
//
//	func (q *Queries) LoadAuthors(ctx context.Context, rows []LoadAuthorsParams) (int64, error)
func genCopyQuery(f *jen.File, qi *queryInfo) {
	q := qi.q
	params := q.Name + "Params"
	comment(f, fmt.Sprintf("%s is a row of %s, a field for each parameter of its statement.", params, q.Name))
	f.Type().Id(params).StructFunc(func(g *jen.Group) {
		for i, prm := range q.Params {
			g.Id(qi.paramFields[i]).Add(goType(prm.Type)).Tag(map[string]string{"db": q.Copy.Columns[i]})
		}
	})
	f.Line()
	var cols, values []jen.Code
	for i := range q.Params {
		cols = append(cols, jen.Lit(q.Copy.Columns[i]))
		values = append(values, jen.Id("r").Dot(qi.paramFields[i]))
	}
	comment(f, methodDoc(q, reflow(fmt.Sprintf("%s loads rows into %s with COPY, a row for each element, as the statement at %s inserts one, and returns the number of rows loaded.",
		q.Name, quote.Ident(q.Copy.Schema, q.Copy.Table), q.Source), 76)))
	f.Func().Params(jen.Id("q").Op("*").Id("Queries")).Id(q.Name).
		Params(jen.Id("ctx").Qual(ctxPath, "Context"), jen.Id("rows").Index().Id(params)).
		Params(jen.Int64(), jen.Error()).
		Block(jen.Return(jen.Id("q").Dot("db").Dot("CopyFrom").Call(
			jen.Id("ctx"),
			jen.Qual(pgxPath, "Identifier").Values(jen.Lit(q.Copy.Schema), jen.Lit(q.Copy.Table)),
			jen.Index().String().Values(cols...),
			jen.Qual(pgxPath, "CopyFromSlice").Call(jen.Len(jen.Id("rows")), jen.Func().Params(jen.Id("i").Int()).Params(jen.Index().Any(), jen.Error()).Block(
				jen.Id("r").Op(":=").Op("&").Id("rows").Index(jen.Id("i")),
				jen.Return(jen.Index().Any().Values(values...), jen.Nil()),
			)),
		)))
	f.Line()
}

// queryFiles groups the queries by file, in the order of their files'
// first queries.
func queryFiles(qs []*queryInfo) (names []string, byFile map[string][]*queryInfo) {
	byFile = map[string][]*queryInfo{}
	for _, qi := range qs {
		f := queryFile(qi.q.File)
		if !slices.Contains(names, f) {
			names = append(names, f)
		}
		byFile[f] = append(byFile[f], qi)
	}
	return names, byFile
}

// methodDoc is a query method's doc comment: what the method does, and
// the query's own comment first when it reads as a Go doc comment (it
// starts with the name), else after.
func methodDoc(q *Query, does string) string {
	switch {
	case q.Doc == "":
		return does
	case strings.HasPrefix(q.Doc, q.Name+" "):
		return q.Doc + "\n\n" + does
	default:
		return does + "\n\n" + q.Doc
	}
}
