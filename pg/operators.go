package pg

import (
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/mizzle/mizzle/internal/quote"
)

// This file holds PostgreSQL's own operators: those of arrays, jsonb,
// ranges and full-text search. Each exists on the columns of its type only,
// which the generator picks from the column's SQL type, so the compiler
// refuses an array operator on a jsonb column.

// opExpr is "left op right", where left and right are expressions or
// values: an Expr is written as its SQL, anything else is bound.
type opExpr struct {
	left  any
	op    string
	right any
}

func (e opExpr) appendSQL(b *builder) {
	writeOperand(b, e.left)
	b.writeSQL(e.op)
	writeOperand(b, e.right)
}

func writeOperand(b *builder, v any) {
	if x, ok := v.(Expr); ok {
		x.appendSQL(b)
		return
	}
	b.writeArg(v)
}

// owned returns a copy of s, never nil (pgx would send a nil slice as
// NULL): a condition must not change when its caller reuses the slice it
// was made from before the query runs.
func owned[S ~[]E, E any](s S) S {
	out := make(S, len(s))
	copy(out, s)
	return out
}

// ArrayOps are the operators of an array column whose elements are of
// type E: [ArrayColumn] and [NullArrayColumn] have them.
type ArrayOps[E any] struct {
	a colRef
}

// colExpr is a column as an expression, written through writeCol.
type colExpr string

func (e colExpr) appendSQL(b *builder) { b.writeCol(string(e)) }

// Contains is column @> vs: the column holds every element of vs
// (duplicates count once). An empty or nil vs is contained in every array.
func (o ArrayOps[E]) Contains(vs []E) Expr {
	return cmpExpr{o.a.qual, " @> ", o.a.arg(owned(vs))}
}

// ContainedBy is column <@ vs: every element of the column is in vs.
func (o ArrayOps[E]) ContainedBy(vs []E) Expr {
	return cmpExpr{o.a.qual, " <@ ", o.a.arg(owned(vs))}
}

// Overlaps is column && vs: the column and vs have an element in common.
func (o ArrayOps[E]) Overlaps(vs []E) Expr {
	return cmpExpr{o.a.qual, " && ", o.a.arg(owned(vs))}
}

// Has is v = ANY(column): the column holds v. Unlike Contains it does
// not need pgx to know the array type of v's type, and a GIN index on the
// column does not serve it: prefer Contains([]E{v}) on an indexed column.
func (o ArrayOps[E]) Has(v E) Expr { return anyExpr{o.a.arg(v), o.a.qual} }

// anyExpr is "$1 = ANY(column)".
type anyExpr struct {
	v   any
	col string
}

func (e anyExpr) appendSQL(b *builder) {
	b.writeArg(e.v)
	b.writeSQL(" = ANY(")
	b.writeCol(e.col)
	b.writeSQL(")")
}

// ArrayColumn is an array column whose field is a []E: a Column[[]E]
// with the array operators (@>, <@, &&, = ANY).
type ArrayColumn[E any] struct {
	Column[[]E]
	ArrayOps[E]
}

// NewArrayColumn returns the array column name of table (both unquoted).
func NewArrayColumn[E any](table, name string) ArrayColumn[E] {
	c := NewColumn[[]E](table, name)
	return ArrayColumn[E]{c, ArrayOps[E]{c.ref()}}
}

// NewTimestampArrayColumn is NewArrayColumn for an array of timestamp
// without time zone, whose values are sent in UTC (see
// [NewTimestampColumn]).
func NewTimestampArrayColumn[E any](table, name string) ArrayColumn[E] {
	c := NewTimestampColumn[[]E](table, name)
	return ArrayColumn[E]{c, ArrayOps[E]{c.ref()}}
}

// NullArrayColumn is a nullable array column whose field is a *[]E.
type NullArrayColumn[E any] struct {
	NullColumn[[]E]
	ArrayOps[E]
}

// NewNullArrayColumn returns the nullable array column name of table.
func NewNullArrayColumn[E any](table, name string) NullArrayColumn[E] {
	c := NewNullColumn[[]E](table, name)
	return NullArrayColumn[E]{c, ArrayOps[E]{c.ref()}}
}

// JSONOps are the operators of a jsonb document: a [JSONColumn], a
// [NullJSONColumn] or a [JSON] value inside one. Keys, paths and documents
// are always sent as parameters.
type JSONOps struct {
	doc Expr
}

// Get is doc -> key: the value of the object's key, as jsonb (NULL when
// there is none). Chain it to go deeper: doc.Get("a").Get("b").
func (o JSONOps) Get(key string) JSON {
	return JSON{JSONOps{parenExpr{opExpr{o.doc, " -> ", key}}}}
}

// At is doc -> i: the array's i-th element (from 0; from the end when
// negative), as jsonb.
func (o JSONOps) At(i int) JSON {
	return JSON{JSONOps{parenExpr{opExpr{o.doc, " -> ", typedArg{i, "::int"}}}}}
}

// Text is doc ->> key: the value of the object's key as text (a string
// without its quotes; NULL when there is none or it is JSON null), to
// compare or to select.
func (o JSONOps) Text(key string) JSONText { return JSONText{o.doc, key} }

// TextAt is doc ->> i: the array's i-th element as text.
func (o JSONOps) TextAt(i int) JSONText {
	return JSONText{o.doc, typedArg{i, "::int"}}
}

// Contains is doc @> v: the document contains v, a value pgx sends as
// JSON (a map, a struct, a json.RawMessage...): every key of an object in
// v is in the document with a value that contains v's, and an array
// contains each element of v's array. v is any JSON, not the column's Go
// type: a struct of that type would send its zero fields too, and match
// only the documents holding them.
func (o JSONOps) Contains(v any) Expr { return jsonContainsExpr{o.doc, v} }

// jsonContainsExpr is doc @> $1::jsonb. The cast sends the value as jsonb
// whatever its Go type: pgx would send a string or []byte as text, which
// PostgreSQL cannot compare with jsonb.
type jsonContainsExpr struct {
	doc Expr
	v   any
}

func (e jsonContainsExpr) appendSQL(b *builder) {
	e.doc.appendSQL(b)
	b.writeSQL(" @> ")
	b.writeArg(e.v)
	b.writeSQL("::jsonb")
}

// HasKey is doc ? key: the object has the key (or the array holds the
// string key, or the document is that string).
func (o JSONOps) HasKey(key string) Expr { return opExpr{o.doc, " ? ", key} }

// HasAnyKey is doc ?| keys: the object has at least one of the keys; no
// keys matches nothing.
func (o JSONOps) HasAnyKey(keys ...string) Expr { return opExpr{o.doc, " ?| ", owned(keys)} }

// HasAllKeys is doc ?& keys: the object has every key; no keys matches
// every document.
func (o JSONOps) HasAllKeys(keys ...string) Expr { return opExpr{o.doc, " ?& ", owned(keys)} }

// PathExists is doc @? path: the SQL/JSON path returns an item, such as
// `$.tags[*] ? (@ == "go")`. A path that is not valid fails the
// statement.
func (o JSONOps) PathExists(path string) Expr {
	return opExpr{o.doc, " @? ", typedArg{path, "::jsonpath"}}
}

// PathMatch is doc @@ path: the SQL/JSON path predicate, such as
// `$.age > 18`, is true.
func (o JSONOps) PathMatch(path string) Expr {
	return opExpr{o.doc, " @@ ", typedArg{path, "::jsonpath"}}
}

// typedArg is a parameter with a cast PostgreSQL needs to pick the
// operator.
type typedArg struct {
	v    any
	cast string
}

func (a typedArg) appendSQL(b *builder) {
	b.writeArg(a.v)
	b.writeSQL(a.cast)
}

// JSONColumn is a jsonb column whose field is a T: a Column[T] with the
// jsonb operators.
type JSONColumn[T any] struct {
	Column[T]
	JSONOps
}

// NewJSONColumn returns the jsonb column name of table (both unquoted).
func NewJSONColumn[T any](table, name string) JSONColumn[T] {
	c := NewColumn[T](table, name)
	return JSONColumn[T]{c, JSONOps{colExpr(c.c.qual)}}
}

// NullJSONColumn is a nullable jsonb column whose field is a *T.
type NullJSONColumn[T any] struct {
	NullColumn[T]
	JSONOps
}

// NewNullJSONColumn returns the nullable jsonb column name of table.
func NewNullJSONColumn[T any](table, name string) NullJSONColumn[T] {
	c := NewNullColumn[T](table, name)
	return NullJSONColumn[T]{c, JSONOps{colExpr(c.c.qual)}}
}

// JSON is a jsonb value inside a document, made by Get and At: it has
// the jsonb operators, and selects as raw JSON.
type JSON struct {
	JSONOps
}

func (j JSON) appendSQL(b *builder) { j.doc.appendSQL(b) }
func (JSON) scanInto(*[]byte)       {}

// IsNull is value IS NULL: the key or element is missing. A JSON null
// is not SQL's NULL; use Text(...).IsNull() to take both.
func (j JSON) IsNull() Expr { return postfixExpr{j, " IS NULL"} }

// parenExpr is an expression in parentheses.
type parenExpr struct{ e Expr }

func (p parenExpr) appendSQL(b *builder) {
	b.writeSQL("(")
	p.e.appendSQL(b)
	b.writeSQL(")")
}

// postfixExpr is "e op", such as IS NULL.
type postfixExpr struct {
	e  Expr
	op string
}

func (p postfixExpr) appendSQL(b *builder) {
	p.e.appendSQL(b)
	b.writeSQL(p.op)
}

// JSONText is a value of a jsonb document as text (doc ->> key), made by
// Text and TextAt. It compares with strings, orders, and selects as a
// *string: NULL when the key is missing or its value is JSON null.
type JSONText struct {
	// The document and the key, kept apart rather than as one
	// expression, so that a comparison costs one allocation.
	doc Expr
	key any
}

func (t JSONText) appendSQL(b *builder) {
	b.writeSQL("(")
	t.doc.appendSQL(b)
	b.writeSQL(" ->> ")
	writeOperand(b, t.key)
	b.writeSQL(")")
}
func (JSONText) scanInto(**string) {}

// textCmpExpr is "(doc ->> key) op $n".
type textCmpExpr struct {
	t  JSONText
	op string
	v  any
}

func (e textCmpExpr) appendSQL(b *builder) {
	e.t.appendSQL(b)
	b.writeSQL(e.op)
	writeOperand(b, e.v)
}

// Eq is value = v.
func (t JSONText) Eq(v string) Expr { return textCmpExpr{t, " = ", v} }

// Ne is value <> v.
func (t JSONText) Ne(v string) Expr { return textCmpExpr{t, " <> ", v} }

// Lt is value < v, comparing text.
func (t JSONText) Lt(v string) Expr { return textCmpExpr{t, " < ", v} }

// Gt is value > v, comparing text.
func (t JSONText) Gt(v string) Expr { return textCmpExpr{t, " > ", v} }

// In is value = ANY(vs), the values in one array parameter; no values
// match nothing.
func (t JSONText) In(vs ...string) Expr {
	return textCmpExpr{t, " = ANY", parenExpr{argExpr{owned(vs)}}}
}

// Like is value LIKE pattern; see [EscapeLike] for user input.
func (t JSONText) Like(pattern string) Expr { return textCmpExpr{t, " LIKE ", pattern} }

// ILike is value ILIKE pattern; see [EscapeLike] for user input.
func (t JSONText) ILike(pattern string) Expr { return textCmpExpr{t, " ILIKE ", pattern} }

// IsNull is value IS NULL: the key is missing or its value is JSON null.
func (t JSONText) IsNull() Expr { return postfixExpr{t, " IS NULL"} }

// IsNotNull is value IS NOT NULL.
func (t JSONText) IsNotNull() Expr { return postfixExpr{t, " IS NOT NULL"} }

// Asc orders by the value as text, ascending.
func (t JSONText) Asc() Order { return Asc(t) }

// Desc orders by the value as text, descending.
func (t JSONText) Desc() Order { return Desc(t) }

// argExpr is a bound value as an expression.
type argExpr struct{ v any }

func (a argExpr) appendSQL(b *builder) { b.writeArg(a.v) }

// RangeColumn is a range column (int4range, tstzrange, daterange, ...)
// whose field is a pgtype.Range[E]: a Column with the range operators.
type RangeColumn[E any] struct {
	Column[pgtype.Range[E]]
}

// NewRangeColumn returns the range column name of table (both unquoted).
func NewRangeColumn[E any](table, name string) RangeColumn[E] {
	return RangeColumn[E]{NewColumn[pgtype.Range[E]](table, name)}
}

// Contains is column @> r: the column's range holds all of r.
func (c RangeColumn[E]) Contains(r pgtype.Range[E]) Expr {
	return cmpExpr{c.c.qual, " @> ", c.c.arg(r)}
}

// ContainsElem is column @> v: the column's range holds the value v.
func (c RangeColumn[E]) ContainsElem(v E) Expr {
	return elemExpr{c.c.qual, c.c.arg(v)}
}

// elemExpr is column @> $1 where $1 is an element of the range. Written
// so, PostgreSQL takes $1 for a range (of the column's type), the other
// operator @> has; the CASE gives $1 the type of lower(column), the
// element type, whatever the range type, and the planner folds it away
// before it looks for an index.
type elemExpr struct {
	col string
	v   any
}

func (e elemExpr) appendSQL(b *builder) {
	b.writeCol(e.col)
	b.writeSQL(" @> CASE WHEN FALSE THEN lower(")
	b.writeCol(e.col)
	b.writeSQL(") ELSE ")
	b.writeArg(e.v)
	b.writeSQL(" END")
}

// ContainedBy is column <@ r: r holds all of the column's range.
func (c RangeColumn[E]) ContainedBy(r pgtype.Range[E]) Expr {
	return cmpExpr{c.c.qual, " <@ ", c.c.arg(r)}
}

// Overlaps is column && r: the ranges have a value in common.
func (c RangeColumn[E]) Overlaps(r pgtype.Range[E]) Expr {
	return cmpExpr{c.c.qual, " && ", c.c.arg(r)}
}

// WebSearch is full-text search: to_tsvector(config, doc) @@
// websearch_to_tsquery(config, query), where query is what people type
// in a search box ("quoted phrases", -excluded, or). doc is a text
// column or any text expression, such as pg.SQL(`? || ' ' || ?`,
// db.Posts.Title, db.Posts.Body).
//
// config names a text search configuration ("english", "simple"): it is
// written into the statement as a string constant, not bound, so that the
// condition is the expression of an index such as
// CREATE INDEX ON posts USING gin (to_tsvector('english', body)), which
// PostgreSQL only uses when the configuration is a constant. An empty
// config uses the server's default_text_search_config, and no index. The
// query is always bound.
func WebSearch(config string, doc Expr, query string) Expr {
	return searchExpr{config, doc, query}
}

type searchExpr struct {
	config string
	doc    Expr
	query  string
}

func (e searchExpr) appendSQL(b *builder) {
	cfg := ""
	if e.config != "" {
		cfg = quote.Literal(e.config) + "::regconfig, "
	}
	b.writeSQL("to_tsvector(" + cfg)
	e.doc.appendSQL(b)
	b.writeSQL(") @@ websearch_to_tsquery(" + cfg)
	b.writeArg(e.query)
	b.writeSQL(")")
}

// Search is [WebSearch] on the column: the rows whose text matches what
// people typed in a search box, in the configuration config.
func (c TextColumn[T]) Search(config, query string) Expr {
	return WebSearch(config, colExpr(c.c.qual), query)
}

// Search is [WebSearch] on the column; a NULL column matches nothing.
func (c NullTextColumn[T]) Search(config, query string) Expr {
	return WebSearch(config, colExpr(c.c.qual), query)
}
