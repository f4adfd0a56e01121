package randschema

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// The menus below are the only SQL expressions the generator writes. Each is
// spelled exactly as PostgreSQL 15 prints it back (pg_get_expr for defaults,
// generated columns, checks and predicates, pg_get_indexdef for index
// elements, never pretty-printed; checks, predicates and index elements
// without the parentheses around the whole, which introspection takes off),
// so a model read back from a database is byte-for-byte the model that
// built it. The package's tests prove that for every generated model. Some
// checks and predicates nest an AND chain in parentheses, with a BETWEEN
// (an AND once parsed) inside: a pretty-printed deparse would flatten them
// into a chain that parses to another tree.

// family groups types whose row values (see value) are written alike.
type family int

const (
	famInt       family = iota // smallint, integer, bigint
	famNumeric                 // numeric, numeric(p,s)
	famFloat                   // double precision, real
	famText                    // text
	famVarchar                 // character varying, with or without a length
	famChar                    // character(n)
	famBool                    // boolean
	famUUID                    // uuid
	famJSONB                   // jsonb
	famTSTZ                    // timestamp with time zone
	famTS                      // timestamp without time zone
	famDate                    // date
	famIntArray                // integer[], bigint[]
	famTextArray               // text[]
	famEnum                    // a user enum
	famEnumArray               // an array of a user enum
)

func familyOf(t schema.Type) family {
	if t.Schema != "" {
		if t.Array {
			return famEnumArray
		}
		return famEnum
	}
	if t.Array {
		if t.Name == "text" {
			return famTextArray
		}
		return famIntArray
	}
	switch t.Name {
	case "smallint", "integer", "bigint":
		return famInt
	case "numeric":
		return famNumeric
	case "double precision", "real":
		return famFloat
	case "text":
		return famText
	case "character varying":
		return famVarchar
	case "character":
		return famChar
	case "boolean":
		return famBool
	case "uuid":
		return famUUID
	case "jsonb":
		return famJSONB
	case "timestamp with time zone":
		return famTSTZ
	case "timestamp without time zone":
		return famTS
	case "date":
		return famDate
	}
	panic("randschema: type outside the menu: " + t.String())
}

// builtinTypes are the column types the generator picks from, besides
// enums and arrays of enums. Serial types are left out on purpose: a
// database reports a serial column as an integer with a sequence default,
// so it never reads back as the model that made it.
var builtinTypes = []schema.Type{
	{Name: "smallint"}, {Name: "integer"}, {Name: "bigint"},
	{Name: "numeric"}, {Name: "numeric", Mod: "10,2"},
	{Name: "double precision"}, {Name: "real"},
	{Name: "text"}, {Name: "character varying", Mod: "20"}, {Name: "character varying"}, {Name: "character", Mod: "4"},
	{Name: "boolean"}, {Name: "uuid"}, {Name: "jsonb"},
	{Name: "timestamp with time zone"}, {Name: "timestamp without time zone"}, {Name: "date"},
	{Name: "integer", Array: true}, {Name: "bigint", Array: true}, {Name: "text", Array: true},
}

// value is the SQL literal row k (1 or 2) holds in a column of type t. It is
// an untyped string literal, so it converts to whatever type the column has
// and can be compared with = after any type change Change makes. Values
// depend only on the type family and k:
//
//   - the two rows differ in every column, so any new primary key or unique
//     constraint holds on them;
//   - a column and the column it references by foreign key have the same
//     type, hence the same values, so every foreign key holds (row k refers
//     to row k of the referenced table);
//   - numbers are positive and text is short and lower-case, so every check
//     in the menu holds and lower() and abs() (the generated columns) give
//     back the same value.
func value(t schema.Type, k int, enumValues []string) string {
	switch familyOf(t) {
	case famInt, famNumeric, famFloat:
		return quote.Literal(fmt.Sprint(k))
	case famText, famVarchar, famChar:
		return quote.Literal(fmt.Sprintf("k%d", k))
	case famBool:
		return quote.Literal([]string{"false", "true"}[k-1])
	case famUUID:
		return quote.Literal(fmt.Sprintf("00000000-0000-4000-8000-%012d", k))
	case famJSONB:
		return quote.Literal(fmt.Sprintf(`{"k": %d}`, k))
	case famTSTZ:
		return quote.Literal(fmt.Sprintf("2020-01-0%d 00:00:00+00", k))
	case famTS:
		return quote.Literal(fmt.Sprintf("2020-01-0%d 00:00:00", k))
	case famDate:
		return quote.Literal(fmt.Sprintf("2020-01-0%d", k))
	case famIntArray:
		return quote.Literal(fmt.Sprintf("{%d}", k))
	case famTextArray:
		return quote.Literal(fmt.Sprintf("{k%d}", k))
	case famEnum:
		return quote.Literal(enumValues[k-1])
	case famEnumArray:
		return quote.Literal(arrayLiteral(enumValues[k-1]))
	}
	panic("unreachable")
}

// arrayLiteral writes a one-element array constant, quoting the element
// as array input requires.
func arrayLiteral(elem string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `{"` + r.Replace(elem) + `"}`
}

// defaults lists the DEFAULT expressions for a type, in canonical form. An
// enum's defaults name its values; enumType spells the enum as PostgreSQL
// does. None of them violates a check of the menu, so a column added with a
// default may be given any check later.
func defaults(t schema.Type, enumValues []string) []string {
	switch familyOf(t) {
	case famInt:
		return []string{"0", "42"}
	case famNumeric, famFloat:
		return []string{"0", "1.5"}
	case famText:
		return []string{"'abc'::text", "'it''s'::text"}
	case famVarchar:
		return []string{"'x'::character varying"}
	case famChar:
		return []string{"'x'::bpchar"}
	case famBool:
		return []string{"true", "false"}
	case famUUID:
		return []string{"gen_random_uuid()"}
	case famJSONB:
		return []string{"'{}'::jsonb", `'{"a": 1}'::jsonb`}
	case famTSTZ:
		return []string{"now()", "CURRENT_TIMESTAMP"}
	case famTS:
		return []string{"now()", "LOCALTIMESTAMP", "'2020-01-01 00:00:00'::timestamp without time zone"}
	case famDate:
		return []string{"CURRENT_DATE", "'2020-01-01'::date"}
	case famIntArray, famTextArray, famEnumArray:
		return []string{"'{}'::" + typeExpr(t)}
	case famEnum:
		var out []string
		for _, v := range enumValues {
			out = append(out, enumDefault(t, v))
		}
		return out
	}
	panic("unreachable")
}

// enumDefault is the canonical default that sets an enum column to label.
func enumDefault(t schema.Type, label string) string {
	return quote.Literal(label) + "::" + typeExpr(t)
}

var enumDefaultRE = regexp.MustCompile(`^'((?:[^']|'')*)'::`)

// enumDefaultLabel returns the label an enum default sets, if it is one.
func enumDefaultLabel(def string) (string, bool) {
	m := enumDefaultRE.FindStringSubmatch(def)
	if m == nil || strings.HasPrefix(m[1], "{") {
		return "", false
	}
	return strings.ReplaceAll(m[1], "''", "'"), true
}

// typeExpr spells a type as PostgreSQL prints it inside an expression: a
// user type qualified unless it lives in public (which is on the default
// search_path), with identifiers quoted only where needed.
func typeExpr(t schema.Type) string {
	if t.Schema == "" {
		return t.String()
	}
	s := ident(t.Name)
	if t.Schema != schema.DefaultSchema {
		s = ident(t.Schema) + "." + s
	}
	if t.Array {
		s += "[]"
	}
	return s
}

var bareIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// ident spells a column name the way PostgreSQL's quote_identifier does
// when it prints an expression. The generator never makes a name that is a
// keyword, so only the characters matter.
func ident(name string) string {
	if bareIdent.MatchString(name) {
		return name
	}
	return quote.Ident(name)
}

// checks lists the check expressions (without the outer parentheses) that
// hold for every value a row, a default or NULL can give a column of type
// t. Numeric and character varying columns only get IS NOT NULL: comparing
// them with a constant prints a cast whose parenthesisation differs between
// pretty and plain output.
func checks(t schema.Type, col string) []string {
	c := ident(col)
	out := []string{c + " IS NOT NULL"}
	switch familyOf(t) {
	case famInt:
		// The last is c >= 0 AND (c BETWEEN 0 AND 999999).
		out = append(out, c+" >= 0", c+" < 1000000", "("+c+" >= 0) AND (("+c+" >= 0) AND ("+c+" <= 999999))")
	case famText:
		out = append(out, c+" <> ''::text", "length("+c+") < 100",
			"("+c+" <> ''::text) AND ((length("+c+") >= 1) AND (length("+c+") <= 99))")
	case famJSONB:
		out = append(out, "jsonb_typeof("+c+") = 'object'::text")
	case famIntArray, famTextArray:
		out = append(out, "cardinality("+c+") < 10")
	}
	return out
}

// predicates lists partial-index predicates on a column of type t.
func predicates(t schema.Type, col string) []string {
	c := ident(col)
	out := []string{c + " IS NOT NULL"}
	switch familyOf(t) {
	case famInt:
		out = append(out, c+" > 0", "("+c+" > 0) AND (("+c+" >= 1) AND ("+c+" <= 999999))")
	case famText:
		out = append(out, c+" <> ''::text")
	case famBool:
		out = append(out, c)
	}
	return out
}

// generatedExpr is the expression of a generated column computed from a
// column of type t, or "" when the menu has none. The result has t's type,
// and on the row values it is the identity.
func generatedExprs(t schema.Type, col string) []string {
	c := ident(col)
	switch {
	case t.Array || t.Schema != "":
		return nil
	case t.Name == "text":
		return []string{"lower(" + c + ")", "btrim(" + c + ")"}
	case t.Name == "smallint" || t.Name == "integer" || t.Name == "bigint":
		return []string{"abs(" + c + ")"}
	}
	return nil
}

// indexExprs lists index expressions on a column of type t, each a single
// function call, which pg_get_indexdef prints without extra parentheses.
func indexExprs(t schema.Type, col string) []string {
	c := ident(col)
	switch {
	case t.Array || t.Schema != "":
		return nil
	case t.Name == "text":
		return []string{"lower(" + c + ")", "COALESCE(" + c + ", ''::text)"}
	case t.Name == "smallint" || t.Name == "integer" || t.Name == "bigint":
		return []string{"abs(" + c + ")"}
	}
	return nil
}

// opclasses lists the btree operator classes other than the default for a
// type: a default one is not printed back, so the model never names it.
func opclasses(t schema.Type) []string {
	switch {
	case t.Array || t.Schema != "":
		return nil
	case t.Name == "text":
		return []string{"text_pattern_ops"}
	case t.Name == "character varying":
		return []string{"varchar_pattern_ops"}
	}
	return nil
}

// ginOK reports whether a column of type t can be in a GIN index with its
// default operator class; jsonb also has jsonb_path_ops.
func ginOK(t schema.Type) bool {
	return t.Array || t.Name == "jsonb" && t.Schema == ""
}

// hashOK reports whether a column of type t has a default hash operator
// class.
func hashOK(t schema.Type) bool {
	if t.Array {
		return false
	}
	switch familyOf(t) {
	case famJSONB:
		return false
	}
	return true
}

// castTargets lists the types a column of type t may change to, keeping
// the rows' values: ALTER COLUMN ... TYPE accepts each pair without USING
// (an implicit or assignment cast exists) and the cast of value(t, k)
// compares equal to value(t, k) as a literal of the new type.
func castTargets(t schema.Type) []schema.Type {
	var out []schema.Type
	add := func(ts ...schema.Type) {
		for _, x := range ts {
			if x != t {
				out = append(out, x)
			}
		}
	}
	ints := []schema.Type{{Name: "smallint"}, {Name: "integer"}, {Name: "bigint"}}
	nums := []schema.Type{{Name: "numeric"}, {Name: "numeric", Mod: "10,2"}, {Name: "numeric", Mod: "12,4"}}
	strs := []schema.Type{{Name: "text"}, {Name: "character varying"}, {Name: "character varying", Mod: "20"},
		{Name: "character varying", Mod: "8"}, {Name: "character", Mod: "4"}}
	switch familyOf(t) {
	case famInt:
		add(ints...)
		add(nums...)
		add(schema.Type{Name: "double precision"}, schema.Type{Name: "real"})
	case famNumeric:
		add(ints...)
		add(nums...)
		add(schema.Type{Name: "double precision"})
	case famFloat:
		add(schema.Type{Name: "double precision"}, schema.Type{Name: "real"}, schema.Type{Name: "numeric"}, schema.Type{Name: "bigint"})
	case famText, famVarchar, famChar:
		add(strs...)
	case famEnum, famUUID, famBool, famJSONB:
		add(schema.Type{Name: "text"})
	case famTS:
		add(schema.Type{Name: "timestamp with time zone"}, schema.Type{Name: "date"})
	case famTSTZ:
		add(schema.Type{Name: "timestamp without time zone"})
	case famDate:
		add(schema.Type{Name: "timestamp without time zone"}, schema.Type{Name: "timestamp with time zone"})
	case famIntArray:
		add(schema.Type{Name: "integer", Array: true}, schema.Type{Name: "bigint", Array: true})
	case famEnumArray:
		add(schema.Type{Name: "text", Array: true})
	}
	return out
}

// keepsValues reports whether a change from type a to b leaves the rows
// holding exactly value(b, k), so that the column may still take part in a
// new foreign key. Other changes keep the values distinct and non-NULL,
// but no longer equal to what a fresh column of type b would hold.
func keepsValues(a, b schema.Type) bool {
	fa, fb := familyOf(a), familyOf(b)
	num := func(f family) bool { return f == famInt || f == famNumeric || f == famFloat }
	str := func(f family) bool { return f == famText || f == famVarchar || f == famChar }
	switch {
	case num(fa) && num(fb), str(fa) && str(fb), fa == fb:
		return true
	case fa == famTS && fb == famDate, fa == famDate && fb == famTS:
		return true
	}
	return false
}
