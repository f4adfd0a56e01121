package queryfile

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

// copyShape reads the statement of a :copyfrom query, which COPY replaces:
// it must insert one row whose every value is a parameter of its own, in
// order, into named columns,
//
//	INSERT INTO [schema.]table [AS alias] (a, b, ...) VALUES (@a, @b, ...)
//
// since COPY takes values column by column and nothing else: no
// expression, DEFAULT, second row, ON CONFLICT or RETURNING. Anything else
// is an error at the place it stops fitting. It sets q.Copy.
func (q *Query) copyShape() schema.ErrorList {
	var errs schema.ErrorList
	var toks []sqlsplit.Token
	for t := range sqlsplit.Tokens(q.SQL) {
		if !t.Comment {
			toks = append(toks, t)
		}
	}
	at := func(i int) schema.Position {
		off := len(q.SQL)
		if i < len(toks) {
			off = toks[i].Offset
		}
		return q.Position(int32(utf8.RuneCountInString(q.SQL[:off])) + 1)
	}
	fail := func(i int, what string) schema.ErrorList {
		errs.Addf(at(i), "query %s: :copyfrom loads rows with COPY, so its statement is INSERT INTO table (a, b) VALUES (@a, @b), each value a parameter of its own: %s", q.Name, what)
		return errs
	}
	i := 0
	word := func(w string) bool {
		if i < len(toks) && toks[i].Word && strings.EqualFold(toks[i].Text, w) {
			i++
			return true
		}
		return false
	}
	punct := func(p string) bool {
		if i < len(toks) && toks[i].Text == p {
			i++
			return true
		}
		return false
	}
	found := func() string {
		if i < len(toks) {
			return strconv.Quote(toks[i].Text)
		}
		return "the end"
	}
	if !word("INSERT") || !word("INTO") {
		return fail(0, "it is not an INSERT")
	}
	start := i
	if _, ok := ident(toks, i); !ok {
		return fail(i, "want the table's name, found "+found())
	}
	i++
	if punct(".") {
		if _, ok := ident(toks, i); !ok {
			return fail(i, "want the table's name after its schema, found "+found())
		}
		i++
	}
	table := q.SQL[toks[start].Offset : toks[i-1].Offset+len(toks[i-1].Text)]
	if word("AS") {
		if _, ok := ident(toks, i); !ok {
			return fail(i, "want an alias after AS, found "+found())
		}
		i++
	}
	if !punct("(") {
		return fail(i, "want the list of columns, found "+found())
	}
	var cols []string
	for {
		c, ok := ident(toks, i)
		if !ok {
			return fail(i, "want a column's name, found "+found())
		}
		if slices.Contains(cols, c) {
			return fail(i, "column "+strconv.Quote(c)+" is named twice")
		}
		cols = append(cols, c)
		i++
		if punct(")") {
			break
		}
		if !punct(",") {
			return fail(i, "want a comma or the closing parenthesis of the columns, found "+found())
		}
	}
	if !word("VALUES") {
		return fail(i, "want VALUES, found "+found())
	}
	if !punct("(") {
		return fail(i, "want the row's values, found "+found())
	}
	for n := 1; ; n++ {
		if i >= len(toks) || toks[i].Text != "$"+strconv.Itoa(n) {
			return fail(i, "want the parameter for column "+strconv.Quote(cols[min(n, len(cols))-1])+", found "+found())
		}
		i++
		if punct(")") {
			if n != len(cols) {
				return fail(i-1, strconv.Itoa(len(cols))+" columns take "+strconv.Itoa(n)+" values")
			}
			break
		}
		if !punct(",") || n == len(cols) {
			return fail(i, "want a comma or the closing parenthesis of the values, found "+found())
		}
	}
	if i < len(toks) {
		return fail(i, "nothing may follow the row, found "+found())
	}
	q.Copy = &Copy{Table: table, Columns: cols}
	return nil
}

// ident returns the name toks[i] is when it is an identifier: unquoted
// and folded to lower case, or quoted and taken as written.
func ident(toks []sqlsplit.Token, i int) (string, bool) {
	if i >= len(toks) {
		return "", false
	}
	t := toks[i]
	if t.Word {
		return strings.ToLower(t.Text), true
	}
	if len(t.Text) >= 3 && t.Text[0] == '"' && t.Text[len(t.Text)-1] == '"' {
		return strings.ReplaceAll(t.Text[1:len(t.Text)-1], `""`, `"`), true
	}
	return "", false
}
