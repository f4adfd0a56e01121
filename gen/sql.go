package gen

import (
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mizzle/mizzle/internal/quote"
)

// The fixed statements of a table, written once here so that generated
// code sends constant strings: the same SQL text on every call, which pgx
// prepares and caches once per connection.

// selectList is the qualified column list: "Orders"."id", "Orders"."symbol".
func (t *tableInfo) selectList() string {
	var b strings.Builder
	alias := quote.Ident(t.t.Name)
	for i, c := range t.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(alias + "." + quote.Ident(c.c.Name))
	}
	return b.String()
}

func (t *tableInfo) from() string { return quote.Ident(t.t.Schema, t.t.Name) }

// getSQL selects one row by primary key.
func (t *tableInfo) getSQL() string {
	var b strings.Builder
	b.WriteString("SELECT " + t.selectList() + " FROM " + t.from() + " WHERE ")
	alias := quote.Ident(t.t.Name)
	for i, c := range t.pk {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(alias + "." + quote.Ident(c.c.Name) + " = $" + strconv.Itoa(i+1))
	}
	return b.String()
}

// insertCols are the columns Insert writes when no column is named.
func (t *tableInfo) insertCols() []*columnInfo {
	var out []*columnInfo
	for _, c := range t.cols {
		if c.mode == "InsertValue" {
			out = append(out, c)
		}
	}
	return out
}

// insertSQL inserts one row, writing the InsertValue columns.
func (t *tableInfo) insertSQL() string {
	cols := t.insertCols()
	var names, vals strings.Builder
	for i, c := range cols {
		if i > 0 {
			names.WriteString(", ")
			vals.WriteString(", ")
		}
		names.WriteString(quote.Ident(c.c.Name))
		vals.WriteString("$" + strconv.Itoa(i+1))
	}
	if len(cols) == 0 {
		// Every column is filled by the database: one DEFAULT makes the row.
		names.WriteString(quote.Ident(t.cols[0].c.Name))
		vals.WriteString("DEFAULT")
	}
	return "INSERT INTO " + t.from() + " (" + names.String() + ") VALUES (" + vals.String() + ") RETURNING " + t.selectList()
}

// sqlLit writes SQL as a raw string literal, easier to read with its
// quoted identifiers than an interpreted one.
func sqlLit(s string) jen.Code {
	if strings.Contains(s, "`") {
		return jen.Lit(s)
	}
	return jen.Op("`" + s + "`")
}
