package gen

import (
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
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

// readBack reports whether an insert reads the column back with RETURNING
// instead of keeping, in the row it returns, the value it sent. The rule
// is conservative: a column the database fills (a default, an identity, a
// serial, a generated column) is always read back, and a column that is
// sent is kept only when its type stores exactly what pgx sends for the Go
// field:
//
//   - smallint, integer and bigint from a Go integer, boolean from a bool,
//     double precision from a float64 or float32;
//   - text, and character varying without a length, from a Go string;
//   - json (stored as sent, unlike jsonb) and enums (a label is stored as
//     itself, or the insert fails), from any Go type.
//
// Every other type is read back, since the stored value can differ from
// the one sent: numeric is rounded to its scale and respelled (1e3 reads
// back as 1000), character(n) is padded, character varying(n) cuts
// trailing spaces beyond n, timestamps and times are rounded to
// microseconds and come back in another zone, dates drop the time of day,
// real rounds a float64, jsonb reorders and deduplicates keys, uuid, inet
// and the like respell text, and arrays hold any of these. A trigger that
// changes a sent column is not seen: what Insert returns for such a column
// is the value sent.
func readBack(c *columnInfo, enums map[[2]string]bool) bool {
	if c.mode != "InsertValue" {
		return true
	}
	t := c.c.Type
	if t.Array {
		return true
	}
	if t.Schema != "" {
		return !enums[[2]string{t.Schema, t.Name}]
	}
	g := c.c.GoType
	for g.Kind == schema.GoPointer && g.Elem != nil {
		g = *g.Elem
	}
	// Only predeclared Go types: a named type of the user's may encode
	// itself in any way (driver.Valuer, pgx's encoders).
	basic := ""
	if g.Kind == schema.GoNamed && g.Path == "" {
		basic = g.Name
	}
	switch t.Name {
	case "smallint", "integer", "bigint":
		switch basic {
		case "int", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "uint":
			return false
		}
	case "boolean":
		return basic != "bool"
	case "double precision":
		return basic != "float64" && basic != "float32"
	case "text":
		return basic != "string"
	case "character varying":
		return t.Mod != "" || basic != "string"
	case "json":
		return false
	}
	return true
}

// returnedCols are the columns an insert reads back: see readBack.
func (t *tableInfo) returnedCols() []*columnInfo {
	var out []*columnInfo
	for _, c := range t.cols {
		if c.readBack {
			out = append(out, c)
		}
	}
	return out
}

// returningList is the RETURNING clause of an insert, with returnedCols
// qualified as in selectList; empty when there is none.
func (t *tableInfo) returningList() string {
	cols := t.returnedCols()
	if len(cols) == 0 {
		return ""
	}
	alias := quote.Ident(t.t.Name)
	var b strings.Builder
	b.WriteString(" RETURNING ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(alias + "." + quote.Ident(c.c.Name))
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

// defaultCols are the InsertDefault columns, in order: bit k of the
// generated nonZero function is about the k-th.
func (t *tableInfo) defaultCols() []*columnInfo {
	var out []*columnInfo
	for _, c := range t.cols {
		if c.mode == "InsertDefault" {
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
	return "INSERT INTO " + t.from() + " (" + names.String() + ") VALUES (" + vals.String() + ")" + t.returningList()
}

// sqlLit writes SQL as a raw string literal, easier to read with its
// quoted identifiers than an interpreted one.
func sqlLit(s string) jen.Code {
	if strings.Contains(s, "`") {
		return jen.Lit(s)
	}
	return jen.Op("`" + s + "`")
}
