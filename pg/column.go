package pg

import (
	"database/sql"
	"strings"
	"time"

	"github.com/mizzle/mizzle/internal/quote"
)

// colRef is a column's identity: its table and its name, quoted once when
// the generated package initialises.
type colRef struct {
	table string // quoted table name: "Orders"
	name  string // quoted column name: "status"
	qual  string // qualified: "Orders"."status"
	// utc says that values are sent through UTC: the column is a
	// timestamp without time zone (see NewTimestampColumn).
	utc bool
}

// arg is the value sent for v.
func (r colRef) arg(v any) any {
	if r.utc {
		return UTC(v)
	}
	return v
}

// args are the values sent for vs, converted in place.
func (r colRef) args(vs []any) []any {
	if r.utc {
		for i, v := range vs {
			vs[i] = UTC(v)
		}
	}
	return vs
}

func newColRef(table, name string) colRef {
	t, n := quote.Ident(table), quote.Ident(name)
	return colRef{table: t, name: n, qual: t + "." + n}
}

// AnyColumn is a column of any type. Insert takes them to name the columns
// with a database default whose values are to be sent anyway.
type AnyColumn interface {
	ref() colRef
}

// Column is a column whose values are of type T: the Go type of its field in
// the row struct. Generated code declares one per column; its methods make
// conditions, orderings and assignments that only accept a T, so the
// compiler checks the types of every query.
type Column[T any] struct {
	// c is a pointer so that a Column, held in an AnyColumn or an
	// Expr, is one word and needs no allocation of its own: a call
	// naming columns then costs nothing per column.
	c *colRef
}

// NewColumn returns the column name of table (both unquoted). Generated
// code calls it; applications use the columns it declares.
func NewColumn[T any](table, name string) Column[T] {
	r := newColRef(table, name)
	return Column[T]{&r}
}

func (c Column[T]) ref() colRef {
	if c.c == nil {
		return colRef{}
	}
	return *c.c
}

// String returns the qualified, quoted column: "Orders"."status".
func (c Column[T]) String() string { return c.c.qual }

func (c Column[T]) appendSQL(b *builder) { b.writeCol(c.c.qual) }

// Eq is column = v.
func (c Column[T]) Eq(v T) Expr { return cmpExpr{c.c.qual, " = ", c.c.arg(v)} }

// Ne is column <> v.
func (c Column[T]) Ne(v T) Expr { return cmpExpr{c.c.qual, " <> ", c.c.arg(v)} }

// Lt is column < v.
func (c Column[T]) Lt(v T) Expr { return cmpExpr{c.c.qual, " < ", c.c.arg(v)} }

// Le is column <= v.
func (c Column[T]) Le(v T) Expr { return cmpExpr{c.c.qual, " <= ", c.c.arg(v)} }

// Gt is column > v.
func (c Column[T]) Gt(v T) Expr { return cmpExpr{c.c.qual, " > ", c.c.arg(v)} }

// Ge is column >= v.
func (c Column[T]) Ge(v T) Expr { return cmpExpr{c.c.qual, " >= ", c.c.arg(v)} }

// Between is column BETWEEN lo AND hi (both ends included).
func (c Column[T]) Between(lo, hi T) Expr {
	return betweenExpr{c.c.qual, c.c.arg(lo), c.c.arg(hi)}
}

// In is column IN (vs...), one parameter per value; with no values it
// matches nothing. A statement takes at most 65535 parameters, so a longer
// list fails before it is sent: use InArray for long lists.
func (c Column[T]) In(vs ...T) Expr { return inExpr{c.c.qual, false, c.c.args(anys(vs))} }

// NotIn is column NOT IN (vs...); with no values it matches every row.
// Like SQL's NOT IN, it does not match rows where the column is NULL. For
// long lists, use NotInArray.
func (c Column[T]) NotIn(vs ...T) Expr { return inExpr{c.c.qual, true, c.c.args(anys(vs))} }

// InArray is column = ANY($1): In with the values sent as one array
// parameter, however many there are, and one statement text whatever their
// number (In makes one per length). It matches the rows In would, NULLs
// included; an empty or nil vs matches nothing.
//
// pgx must know the array type: built-in types and their arrays it does;
// for an enum column, register the schema's types on each connection with
// the generated package's RegisterTypes. PostgreSQL has no arrays of
// arrays, so an array column takes In only.
func (c Column[T]) InArray(vs []T) Expr {
	return arrayExpr{c.c.qual, false, c.c.arg(nonNil(vs))}
}

// NotInArray is column <> ALL($1): NotIn with the values sent as one array
// parameter (see InArray). Like NotIn it does not match rows where the
// column is NULL, and an empty or nil vs matches every row.
func (c Column[T]) NotInArray(vs []T) Expr {
	return arrayExpr{c.c.qual, true, c.c.arg(nonNil(vs))}
}

// IsNull is column IS NULL.
func (c Column[T]) IsNull() Expr { return nullExpr{c.c.qual, false} }

// IsNotNull is column IS NOT NULL.
func (c Column[T]) IsNotNull() Expr { return nullExpr{c.c.qual, true} }

// EqCol is column = other, comparing two columns of the same type: the
// condition of a join, such as db.Orders.ModelID.EqCol(db.Models.ID).
func (c Column[T]) EqCol(other ColumnOf[T]) Expr {
	return colsExpr{c.c.qual, " = ", other.column().c.qual}
}

// colsExpr is "column op column".
type colsExpr struct{ a, op, b string }

func (e colsExpr) appendSQL(b *builder) {
	b.writeCol(e.a)
	b.writeSQL(e.op)
	b.writeCol(e.b)
}

// Asc orders by the column, ascending.
func (c Column[T]) Asc() Order { return Order{col: c.c.qual} }

// Desc orders by the column, descending.
func (c Column[T]) Desc() Order { return Order{col: c.c.qual, desc: true} }

// Set assigns v to the column in an update.
func (c Column[T]) Set(v T) Assignment { return Assignment{col: c.ref(), v: c.c.arg(v)} }

// SetDefault assigns the column's default (DEFAULT) in an update.
func (c Column[T]) SetDefault() Assignment { return Assignment{col: c.ref(), e: rawSQL("DEFAULT")} }

// SetSQL assigns an expression written with [SQL] in an update, such as
// pg.SQL(`"count" + ?`, 1) or pg.SQL("now()").
func (c Column[T]) SetSQL(e Fragment) Assignment { return Assignment{col: c.ref(), e: e} }

// NewTimestampColumn returns the column name of table (both unquoted),
// of type timestamp without time zone (or an array of it). Such a column
// stores a wall-clock time and no zone: pgx would send a time.Time's own
// wall clock, and a time of another zone than UTC would be read back, in
// UTC, as another instant. So the values its conditions and assignments
// send go through [UTC], as generated code sends the fields of such
// columns: the column holds UTC wall-clock times, and a time read back is
// the instant written.
func NewTimestampColumn[T any](table, name string) Column[T] {
	c := NewColumn[T](table, name)
	c.c.utc = true
	return c
}

// NewNullTimestampColumn is NewTimestampColumn for a nullable column
// whose field is a *T.
func NewNullTimestampColumn[T any](table, name string) NullColumn[T] {
	return NullColumn[T]{NewTimestampColumn[T](table, name)}
}

// UTC returns v with its time in UTC: what is sent for a timestamp
// (without time zone) column, where pgx would store the time's own wall
// clock. v is a time.Time, a *time.Time, a sql.NullTime, or a slice of
// time.Time or *time.Time (an array column), whose times are converted;
// anything else, such as a pgtype.Timestamp, whose Time is already the
// wall clock to store, is returned as it is. Pointers and slices are
// copied, never changed. Generated code sends the fields of such columns
// through it.
func UTC(v any) any {
	switch t := v.(type) {
	case time.Time:
		return t.UTC()
	case *time.Time:
		if t == nil {
			return t
		}
		u := t.UTC()
		return &u
	case sql.NullTime:
		t.Time = t.Time.UTC()
		return t
	case []time.Time:
		if t == nil {
			return t
		}
		out := make([]time.Time, len(t))
		for i, x := range t {
			out[i] = x.UTC()
		}
		return out
	case []*time.Time:
		if t == nil {
			return t
		}
		out := make([]*time.Time, len(t))
		for i, x := range t {
			if x != nil {
				u := x.UTC()
				out[i] = &u
			}
		}
		return out
	}
	return v
}

func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// NullColumn is a nullable column whose field is a *T. Conditions compare
// with a T (use IsNull for NULL); Set takes a *T, where nil means NULL.
type NullColumn[T any] struct {
	Column[T]
}

// NewNullColumn returns the nullable column name of table (both unquoted).
func NewNullColumn[T any](table, name string) NullColumn[T] {
	return NullColumn[T]{NewColumn[T](table, name)}
}

// Set assigns v to the column in an update; nil assigns NULL.
func (c NullColumn[T]) Set(v *T) Assignment { return Assignment{col: c.ref(), v: c.c.arg(v)} }

// SetNull assigns NULL to the column in an update.
func (c NullColumn[T]) SetNull() Assignment { return Assignment{col: c.ref(), e: rawSQL("NULL")} }

// TextColumn is a column of text whose field is a string type: it adds
// pattern matching to Column.
type TextColumn[T ~string] struct {
	Column[T]
}

// NewTextColumn returns the text column name of table (both unquoted).
func NewTextColumn[T ~string](table, name string) TextColumn[T] {
	return TextColumn[T]{NewColumn[T](table, name)}
}

// Like is column LIKE pattern: % matches any text, _ any one character,
// and \ makes the next character match itself. Put user input through
// [EscapeLike] to match it literally:
//
//	db.Users.Email.Like("%" + pg.EscapeLike(input) + "%") // contains input
func (c TextColumn[T]) Like(pattern string) Expr { return cmpExpr{c.c.qual, " LIKE ", pattern} }

// ILike is column ILIKE pattern: Like ignoring case; see [EscapeLike] for
// user input.
func (c TextColumn[T]) ILike(pattern string) Expr { return cmpExpr{c.c.qual, " ILIKE ", pattern} }

// likeEscaper escapes what LIKE gives a meaning to.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// EscapeLike returns s with the characters LIKE and ILIKE treat specially
// (%, _ and the escape character \) escaped with \, PostgreSQL's default
// escape character, so that a pattern matches s literally. It is for user
// input inside a pattern; the pattern is still sent as a parameter:
//
//	db.Posts.Title.ILike(pg.EscapeLike(prefix) + "%") // starts with prefix, 100% included
func EscapeLike(s string) string { return likeEscaper.Replace(s) }

// NullTextColumn is a nullable text column whose field is a *T.
type NullTextColumn[T ~string] struct {
	NullColumn[T]
}

// NewNullTextColumn returns the nullable text column name of table (both
// unquoted).
func NewNullTextColumn[T ~string](table, name string) NullTextColumn[T] {
	return NullTextColumn[T]{NewNullColumn[T](table, name)}
}

// Like is column LIKE pattern: % matches any text, _ any one character,
// and \ makes the next character match itself. Put user input through
// [EscapeLike] to match it literally:
//
//	db.Users.Email.Like("%" + pg.EscapeLike(input) + "%") // contains input
func (c NullTextColumn[T]) Like(pattern string) Expr { return cmpExpr{c.c.qual, " LIKE ", pattern} }

// ILike is column ILIKE pattern: Like ignoring case; see [EscapeLike] for
// user input.
func (c NullTextColumn[T]) ILike(pattern string) Expr { return cmpExpr{c.c.qual, " ILIKE ", pattern} }

// Order is one element of ORDER BY, made by a column's Asc or Desc, or by
// [Asc] and [Desc] for an expression.
type Order struct {
	// A column's ordering keeps the column's text in col rather than
	// wrapping it in an Expr: putting a string in an interface allocates,
	// and ordering by a column is the common case. e is set otherwise.
	col   string
	e     Expr
	desc  bool
	nulls string // "", " NULLS FIRST" or " NULLS LAST"
}

// Asc orders by an expression, ascending.
func Asc(e Expr) Order { return Order{e: e} }

// Desc orders by an expression, descending.
func Desc(e Expr) Order { return Order{e: e, desc: true} }

// NullsFirst puts NULLs before other values (the default for Desc).
func (o Order) NullsFirst() Order { o.nulls = " NULLS FIRST"; return o }

// NullsLast puts NULLs after other values (the default for Asc).
func (o Order) NullsLast() Order { o.nulls = " NULLS LAST"; return o }

func (o Order) appendSQL(b *builder) {
	if o.e != nil {
		o.e.appendSQL(b)
	} else {
		b.writeCol(o.col)
	}
	if o.desc {
		b.writeSQL(" DESC")
	}
	b.writeSQL(o.nulls)
}

// Assignment is one "column = value" of an update, made by a column's Set
// methods.
type Assignment struct {
	col colRef
	v   any
	e   Expr // when set, the value is this expression
}

func (a Assignment) appendSQL(b *builder) {
	b.writeSQL(a.col.name)
	b.writeSQL(" = ")
	if a.e != nil {
		a.e.appendSQL(b)
		return
	}
	b.writeArg(a.v)
}

// nonNil returns s, or an empty slice when s is nil, which pgx would send
// as NULL.
func nonNil[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}
