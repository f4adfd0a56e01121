package goschema

import (
	"regexp"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// goBase is the Go type a column's values get, before nullability.
type goBase struct {
	expr string // as written in the struct: "int64", "time.Time", "[]string"
	imp  string // the import it needs, if any
	// def is the column type the loader maps expr to by default; when the
	// column's type differs, the field needs a type: option.
	def schema.Type
}

// scalarTypes maps built-in SQL types to Go types. The Go type is the one
// pgx reads the type into by default where there is one; the loader maps
// it back to def, and a type: option makes up any difference (varchar(n),
// timestamp, serial, ...). Types missing here are strings with a type:
// option: pgx reads any type as text.
var scalarTypes = map[string]goBase{
	"bigint":                      {expr: "int64", def: schema.Type{Name: "bigint"}},
	"bigserial":                   {expr: "int64", def: schema.Type{Name: "bigint"}},
	"integer":                     {expr: "int32", def: schema.Type{Name: "integer"}},
	"serial":                      {expr: "int32", def: schema.Type{Name: "integer"}},
	"smallint":                    {expr: "int16", def: schema.Type{Name: "smallint"}},
	"smallserial":                 {expr: "int16", def: schema.Type{Name: "smallint"}},
	"double precision":            {expr: "float64", def: schema.Type{Name: "double precision"}},
	"real":                        {expr: "float32", def: schema.Type{Name: "real"}},
	"boolean":                     {expr: "bool", def: schema.Type{Name: "boolean"}},
	"text":                        {expr: "string", def: schema.Type{Name: "text"}},
	"bytea":                       {expr: "[]byte", def: schema.Type{Name: "bytea"}},
	"timestamp with time zone":    {expr: "time.Time", imp: "time", def: schema.Type{Name: "timestamp with time zone"}},
	"timestamp without time zone": {expr: "time.Time", imp: "time", def: schema.Type{Name: "timestamp with time zone"}},
	"date":                        {expr: "time.Time", imp: "time", def: schema.Type{Name: "timestamp with time zone"}},
	"interval":                    {expr: "time.Duration", imp: "time", def: schema.Type{Name: "bigint"}},
	"uuid":                        {expr: "uuid.UUID", imp: "github.com/google/uuid", def: schema.Type{Name: "uuid"}},
	"json":                        {expr: "json.RawMessage", imp: "encoding/json", def: schema.Type{Name: "jsonb"}},
	"jsonb":                       {expr: "json.RawMessage", imp: "encoding/json", def: schema.Type{Name: "jsonb"}},
	"inet":                        {expr: "netip.Addr", imp: "net/netip", def: schema.Type{Name: "inet"}},
	"cidr":                        {expr: "netip.Prefix", imp: "net/netip", def: schema.Type{Name: "cidr"}},
	"numeric":                     {expr: "decimal.Decimal", imp: "github.com/shopspring/decimal", def: schema.Type{Name: "numeric"}},
}

// goTypeOf returns the Go type of a column type (arrays included) for a
// NOT NULL column. enumType names the Go type of an enum the package
// declares, "" for other types.
func goTypeOf(t schema.Type, enumType func(schema.Type) string) goBase {
	elem := schema.Type{Schema: t.Schema, Name: t.Name, Mod: t.Mod}
	var b goBase
	if name := enumType(elem); name != "" {
		b = goBase{expr: name, def: schema.Type{Schema: elem.Schema, Name: elem.Name}}
	} else if s, ok := scalarTypes[elem.Name]; ok && elem.Schema == "" {
		b = s
	} else if strings.HasPrefix(elem.Name, "interval ") && elem.Schema == "" {
		b = scalarTypes["interval"] // with fields: "interval day to second"
	} else {
		b = goBase{expr: "string", def: schema.Type{Name: "text"}}
	}
	if t.Array {
		b.expr = "[]" + b.expr
		b.def.Array = true
	}
	return b
}

// typeAlias gives the short spelling of canonical type names in type:
// options, the way people write them.
var typeAlias = map[string]string{
	"character varying":           "varchar",
	"character":                   "char",
	"timestamp with time zone":    "timestamptz",
	"timestamp without time zone": "timestamp",
	"time with time zone":         "timetz",
	"time without time zone":      "time",
	"bit varying":                 "varbit",
}

// plainTypeName is a type name ParseType reads back unchanged without
// quotes: lower case words.
var plainTypeName = regexp.MustCompile(`^[a-z_][a-z0-9_$]*( [a-z_][a-z0-9_$]*)*$`)

// typeOption spells t for a type: option, so that ParseType reads it back
// as t (the caller checks). A type with a schema (a domain, a composite
// type) is written quoted and qualified: "public"."email".
func typeOption(t schema.Type) string {
	name := t.Name
	if t.Schema != "" {
		name = quote.Ident(t.Schema, t.Name)
	} else if a, ok := typeAlias[name]; ok {
		name = a
	} else if !plainTypeName.MatchString(name) || !readsBack(name) {
		// Quoted, a name is taken as it is: "char" (one byte) is not
		// char, which means character(1).
		name = `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	}
	if t.Mod != "" {
		name += "(" + t.Mod + ")"
	}
	if t.Array {
		name += "[]"
	}
	return name
}

// readsBack reports whether ParseType reads a bare type name as itself
// rather than as the canonical name of an alias.
func readsBack(name string) bool {
	t, err := schema.ParseType(name)
	return err == nil && t.Name == name
}

// GoTypeOf returns the Go type of a NOT NULL value of type t, as pull
// writes it for a column of that type: the one mapping from SQL types to Go
// types, which generate also types hand-written queries with. Enums and
// other types a schema declares are the caller's (their Go types are the
// schema package's); any other type not in the mapping reads as a string.
func GoTypeOf(t schema.Type) schema.GoType {
	b := goTypeOf(t, func(schema.Type) string { return "" })
	return parseGoExpr(b.expr, b.imp)
}

// parseGoExpr turns a goBase's expression ("[]time.Time", "int64") and
// the import its package name stands for into a schema.GoType.
func parseGoExpr(expr, imp string) schema.GoType {
	if elem, ok := strings.CutPrefix(expr, "[]"); ok {
		e := parseGoExpr(elem, imp)
		return schema.GoType{Kind: schema.GoSlice, Elem: &e}
	}
	if _, name, ok := strings.Cut(expr, "."); ok {
		return schema.GoType{Kind: schema.GoNamed, Path: imp, Name: name}
	}
	return schema.GoType{Kind: schema.GoNamed, Name: expr}
}
