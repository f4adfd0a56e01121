package pg

import (
	"fmt"

	"github.com/mizzle/mizzle/internal/sqlsplit"
)

// Expr is an SQL expression: a condition for Where, or something to order
// by. Columns make them (Eq, In, IsNull, ...), And, Or and Not combine
// them, and SQL writes one by hand.
//
// Expr is sealed: only this package implements it, so every Expr writes its
// values as parameters.
type Expr interface {
	appendSQL(b *builder)
}

// cmpExpr is "column op $n".
type cmpExpr struct {
	col string // quoted and qualified
	op  string
	v   any
}

func (e cmpExpr) appendSQL(b *builder) {
	b.writeCol(e.col)
	b.writeSQL(e.op)
	b.writeArg(e.v)
}

// inExpr is "column IN ($1, $2, ...)". One parameter per value rather than
// "= ANY($1)": an array parameter needs pgx to know the array type, which it
// does not for enums and other user-defined types unless they are
// registered, and PostgreSQL has no array of arrays for an array column.
// arrayExpr is the other way, for long lists.
type inExpr struct {
	col string
	not bool
	vs  []any
}

func (e inExpr) appendSQL(b *builder) {
	if len(e.vs) == 0 {
		// x IN () is not SQL; an empty list matches nothing.
		if e.not {
			b.writeSQL("TRUE")
		} else {
			b.writeSQL("FALSE")
		}
		return
	}
	if len(e.vs) > maxParams {
		// The statement could never be sent; say so before writing 65536
		// placeholders, and say what to do.
		in, array := "In", "InArray"
		if e.not {
			in, array = "NotIn", "NotInArray"
		}
		b.fail(fmt.Errorf("pg: %s on %s with %d values: a statement takes at most %d parameters, and %s sends one per value; use %s, which sends them as one array parameter", in, e.col, len(e.vs), maxParams, in, array))
		return
	}
	b.writeCol(e.col)
	if e.not {
		b.writeSQL(" NOT IN (")
	} else {
		b.writeSQL(" IN (")
	}
	for i, v := range e.vs {
		if i > 0 {
			b.writeSQL(", ")
		}
		b.writeArg(v)
	}
	b.writeSQL(")")
}

// arrayExpr is "column = ANY($1)", or "column <> ALL($1)", with the values
// in one array parameter. It means what IN and NOT IN of the same values
// mean, NULLs included: a NULL column matches neither, nor does any
// value that equals no element when an element is NULL.
type arrayExpr struct {
	col string
	not bool
	vs  any // a non-nil slice: a nil one would be sent as NULL
}

func (e arrayExpr) appendSQL(b *builder) {
	b.writeCol(e.col)
	if e.not {
		b.writeSQL(" <> ALL(")
	} else {
		b.writeSQL(" = ANY(")
	}
	b.writeArg(e.vs)
	b.writeSQL(")")
}

// nullExpr is "column IS [NOT] NULL".
type nullExpr struct {
	col string
	not bool
}

func (e nullExpr) appendSQL(b *builder) {
	b.writeCol(e.col)
	if e.not {
		b.writeSQL(" IS NOT NULL")
	} else {
		b.writeSQL(" IS NULL")
	}
}

// betweenExpr is "column BETWEEN $1 AND $2".
type betweenExpr struct {
	col    string
	lo, hi any
}

func (e betweenExpr) appendSQL(b *builder) {
	b.writeCol(e.col)
	b.writeSQL(" BETWEEN ")
	b.writeArg(e.lo)
	b.writeSQL(" AND ")
	b.writeArg(e.hi)
}

// rawSQL is text this package wrote itself from keywords and quoted names.
type rawSQL string

func (e rawSQL) appendSQL(b *builder) { b.writeSQL(string(e)) }

// logicExpr is a conjunction or disjunction.
type logicExpr struct {
	op    string // " AND " or " OR "
	empty string // what no operands mean: TRUE for AND, FALSE for OR
	es    []Expr
}

func (e logicExpr) appendSQL(b *builder) {
	switch len(e.es) {
	case 0:
		b.writeSQL(e.empty)
		return
	case 1:
		e.es[0].appendSQL(b)
		return
	}
	b.writeSQL("(")
	for i, x := range e.es {
		if i > 0 {
			b.writeSQL(e.op)
		}
		x.appendSQL(b)
	}
	b.writeSQL(")")
}

// And is true when every condition is; And() is TRUE.
func And(conds ...Expr) Expr { return logicExpr{op: " AND ", empty: "TRUE", es: conds} }

// Or is true when any condition is; Or() is FALSE.
func Or(conds ...Expr) Expr { return logicExpr{op: " OR ", empty: "FALSE", es: conds} }

type notExpr struct{ e Expr }

func (e notExpr) appendSQL(b *builder) {
	b.writeSQL("NOT (")
	e.e.appendSQL(b)
	b.writeSQL(")")
}

// Not negates a condition. Like SQL's NOT, it is NULL, not true, where the
// condition is NULL.
func Not(cond Expr) Expr { return notExpr{cond} }

// Fragment is hand-written SQL with parameters, made by [SQL].
type Fragment struct {
	sql  string
	args []any
}

// SQL writes an expression by hand. Each ? in sql becomes a parameter
// bound to the next argument, so values never become SQL text; ?? stands
// for a literal question mark (the jsonb operators ?, ?| and ?&):
//
//	pg.SQL("lower(email) = lower(?)", email)
//	pg.SQL(`"tags" ?? ?`, "urgent")
//
// A ? inside a string constant ('...', E'...', $$...$$), a quoted
// identifier or a comment is text, as PostgreSQL reads it, and so is ??
// there: pg.SQL("note <> 'why?'") binds nothing. The text is read as
// migrations are, with standard_conforming_strings on (PostgreSQL's
// default), so a backslash in '...' is an ordinary character.
//
// A typed column given as an argument is written in place of its ? as its
// quoted, qualified name, and so is any other expression of this package
// (an aggregate, another fragment), as its SQL; only values are bound:
//
//	pg.SQL("? @> ?", db.Posts.Tags, []string{"go"}) // "posts"."tags" @> $1
//
// The text is used as written, in parentheses so that it combines with
// other conditions as one, so quote mixed-case identifiers yourself.
// The number of ? marks must match the arguments; a mismatch makes the
// statement fail before it is sent.
func SQL(sql string, args ...any) Fragment { return Fragment{sql: sql, args: args} }

func (f Fragment) appendSQL(b *builder) {
	b.writeSQL("(")
	defer b.writeSQL(")")
	n := 0
	scanMarks(f.sql, b.writeSQL, func() {
		if n < len(f.args) {
			f.writeArg(b, f.args[n])
		} else {
			b.fail(f.argsError())
		}
		n++
	})
	if n != len(f.args) {
		b.fail(f.argsError())
	}
}

// scanMarks walks sql, calling text with what is to be written as it is
// and mark at each ? placeholder. Marks are the ? operator characters of
// sqlsplit's lexer, the one that splits migrations, so a ? inside quotes or
// a comment is never one; ?? outside them is text, one ?.
func scanMarks(sql string, text func(string), mark func()) {
	var qs []int
	for t := range sqlsplit.Tokens(sql) {
		if t.Text == "?" {
			qs = append(qs, t.Offset)
		}
	}
	last := 0
	for i := 0; i < len(qs); i++ {
		p := qs[i]
		text(sql[last:p])
		if i+1 < len(qs) && qs[i+1] == p+1 {
			text("?")
			last = p + 2
			i++
			continue
		}
		// A placeholder is a token of its own: "A?" must not become
		// the identifier A$1, nor "?x" the $1x PostgreSQL rejects.
		if p > 0 && isIdentByte(sql[p-1]) {
			text(" ")
		}
		mark()
		if p+1 < len(sql) && isIdentByte(sql[p+1]) {
			text(" ")
		}
		last = p + 1
	}
	text(sql[last:])
}

// isIdentByte reports whether c can continue an identifier in PostgreSQL:
// '$', digits and every byte of a multibyte character included.
func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// writeArg writes one argument of the fragment: an expression of this
// package (a typed column, an aggregate, another fragment) as its SQL,
// which for a column is its quoted, qualified name; anything else as a
// parameter.
// Binding a column as a value would compare with the text of its name, in
// silence.
func (f Fragment) writeArg(b *builder, v any) {
	switch v := v.(type) {
	case Expr:
		v.appendSQL(b)
	default:
		b.writeArg(v)
	}
}

func (f Fragment) argsError() error {
	marks := 0
	scanMarks(f.sql, func(string) {}, func() { marks++ })
	return fmt.Errorf("pg: SQL(%q) has %d ? marks and %d arguments", f.sql, marks, len(f.args))
}
