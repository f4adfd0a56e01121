package gen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

// genPackage writes the package file:
//
//	// Package db ... (the rules of the generated API)
//	package db
//
//	const _ = pgimpl.SupportPackageIsVersion4
//
//	type Queries struct { db pg.DBTX; Orders OrdersQueries; ... }
//	func New(db pg.DBTX) *Queries
//	func (q *Queries) InTx(ctx context.Context, fn func(tx *Queries) error) error
//	func RegisterTypes(ctx context.Context, conn *pgx.Conn) error
//	func (q *Queries) DB() pg.DBTX
func genPackage(f *jen.File, p *packageInfo) {
	for _, line := range strings.Split(packageDoc(p), "\n") {
		f.PackageComment(line)
	}

	f.Comment("A compile error here means the mizzle runtime (package pgimpl) is older")
	f.Comment("than the mizzle that generated this code: upgrade github.com/mizzle/mizzle.")
	f.Const().Id("_").Op("=").Qual(pgimplPath, "SupportPackageIsVersion4")
	f.Line()

	f.Comment("Queries runs the typed queries of every table on one database handle:")
	f.Comment("q.Orders.Get, q.Orders.Select, and so on. A Queries is safe for concurrent")
	f.Comment("use when its handle is (a pool is; a connection or transaction is not).")
	f.Type().Id("Queries").StructFunc(func(g *jen.Group) {
		g.Id("db").Qual(pgPath, "DBTX")
		for _, t := range p.tables {
			g.Line()
			commentg(g, fmt.Sprintf("%s are the queries on the %q %s.", t.name, t.t.Name, t.kind()))
			g.Id(t.name).Id(t.name + "Queries")
		}
	})
	f.Line()

	f.Comment("New returns the queries of every table, run on db: a " + pgxpoolDoc + ", a")
	f.Comment("*pgx.Conn or a pgx.Tx.")
	f.Func().Id("New").Params(jen.Id("db").Qual(pgPath, "DBTX")).Op("*").Id("Queries").Block(
		jen.Return(jen.Op("&").Id("Queries").ValuesFunc(func(g *jen.Group) {
			g.Line().Id("db").Op(":").Id("db")
			for _, t := range p.tables {
				g.Line().Id(t.name).Op(":").Id(t.name + "Queries").Values(jen.Id("db"))
			}
			g.Line()
		})),
	)
	f.Line()

	f.Comment("InTx runs fn in a transaction, with queries that run in it: the")
	f.Comment("transaction commits when fn returns nil and rolls back when fn returns an")
	f.Comment("error or panics. Inside a transaction it makes a savepoint, so calls nest.")
	f.Func().Params(jen.Id("q").Op("*").Id("Queries")).Id("InTx").Params(
		jen.Id("ctx").Qual(ctxPath, "Context"),
		jen.Id("fn").Func().Params(jen.Id("tx").Op("*").Id("Queries")).Error(),
	).Error().Block(
		jen.Return(jen.Qual(pgPath, "InTx").Call(
			jen.Id("ctx"), jen.Id("q").Dot("db"),
			jen.Func().Params(jen.Id("tx").Qual(pgPath, "DBTX")).Error().Block(
				jen.Return(jen.Id("fn").Call(jen.Id("New").Call(jen.Id("tx")))),
			),
		)),
	)
	f.Line()

	var typeNames []jen.Code
	for _, e := range p.model.Enums {
		typeNames = append(typeNames, jen.Lit(e.Schema+"."+e.Name), jen.Lit(e.Schema+"._"+e.Name))
	}
	comment(f, `RegisterTypes teaches conn the schema's enum types and their arrays, which
pgx needs to send or read an array of enum values (a column such as
[]schema.Status, or a parameter of that type); single enum values work
without it. Call it once per connection; for a pool, make it the hook
that runs on each new connection:

	cfg, err := pgxpool.ParseConfig(url)
	cfg.AfterConnect = `+p.pkg+`.RegisterTypes
	pool, err := pgxpool.NewWithConfig(ctx, cfg)

The types must exist when the connection is made: it returns an error
naming a type the database does not have. Run the migrations on a
connection of their own before opening the pool.`)
	f.Func().Id("RegisterTypes").Params(jen.Id("ctx").Qual(ctxPath, "Context"), jen.Id("conn").Op("*").Qual(pgxPath, "Conn")).Error().BlockFunc(func(g *jen.Group) {
		if len(typeNames) == 0 {
			g.Comment("The schema declares no enum.")
			g.Return(jen.Nil())
			return
		}
		g.Id("names").Op(":=").Index().String().ValuesFunc(func(g *jen.Group) {
			for _, n := range typeNames {
				g.Line().Add(n)
			}
			g.Line()
		})
		g.List(jen.Id("types"), jen.Err()).Op(":=").Id("conn").Dot("LoadTypes").Call(jen.Id("ctx"), jen.Id("names"))
		g.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
		g.Id("conn").Dot("TypeMap").Call().Dot("RegisterTypes").Call(jen.Id("types"))
		g.Comment("LoadTypes finds nothing, without an error, for a type that does not")
		g.Comment("exist yet; the enum arrays would then fail on first use.")
		g.For(jen.List(jen.Id("_"), jen.Id("n")).Op(":=").Range().Id("names")).Block(
			jen.If(jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Id("conn").Dot("TypeMap").Call().Dot("TypeForName").Call(jen.Id("n")), jen.Op("!").Id("ok")).Block(
				jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit("register types: type %s does not exist: run the migrations before opening the pool"), jen.Id("n"))),
			),
		)
		g.Return(jen.Nil())
	})
	f.Line()

	f.Comment("DB returns the handle the queries run on, for statements written by hand.")
	f.Func().Params(jen.Id("q").Op("*").Id("Queries")).Id("DB").Params().Qual(pgPath, "DBTX").Block(
		jen.Return(jen.Id("q").Dot("db")),
	)
}

// packageDoc is the generated package's documentation: what it is for and
// the rules a reader must know, the insert rule first.
func packageDoc(p *packageInfo) string {
	return `Package ` + p.pkg + ` holds the typed queries of the tables declared in
package ` + p.model.Go.Name + ` (import "` + p.model.Go.Path + `").

mizzle generated it from those declarations, whose structs are the row
types: queries scan into their fields and insert from them.

	q := ` + p.pkg + `.New(pool)
	row, err := q.T.Get(ctx, id)
	rows, err := q.T.Select().Where(` + p.pkg + `.T.Col.Eq(v)).Limit(10).All(ctx)

Each table T has a variable T holding its typed columns, which make the
conditions, orderings and assignments of queries, and a field Queries.T
with its queries: Get (by primary key) and QueueGet (the same, queued in
a pg.Batch), Select, Insert, InsertMany, QueueInsert, Upsert, UpsertMany,
CopyFrom, Update, UpdateRow and UpdateMany (by primary key), Delete, and a
Load method for each relation that a foreign key makes: belongs-to on the
table that holds the key (q.Orders.LoadModel), has-many on the table it
refers to (q.Models.LoadOrders). Each loads the related rows of a slice of
rows in one query and returns them in a map by key. pg.Join and
pg.LeftJoin join two Selects into pairs of rows; pg.Select1 to pg.Select4
select aggregates (pg.Count, pg.Sum, ...) and grouped summaries as typed
tuples.

Inserts and database defaults: a field that is not zero is always sent.
A zero field of a column with a DEFAULT, an identity BY DEFAULT or a
serial type lets the database fill it, row by row; naming the column in
the call sends its zero value too (false over DEFAULT true):

	q.T.Insert(ctx, row)           // zero defaulted fields take their defaults
	q.T.Insert(ctx, row, ` + p.pkg + `.T.Col) // row.Col is sent, even zero

Columns without a default are always sent, zero values included.
Generated columns and identity ALWAYS columns are never sent. Insert
returns the row as stored, with the database's values filled in. Each
Insert method's documentation lists the columns where zero means default.

An Update or Delete without a Where condition fails unless it calls All.
Reads of one row return an error wrapping pg.ErrNotFound, which wraps
pgx.ErrNoRows.` + viewsDoc(p)
}
