package gen

import (
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mizzle/mizzle/schema"
)

// goType spells a model Go type; named types carry their import path, so
// jennifer adds the imports.
func goType(t schema.GoType) *jen.Statement {
	switch t.Kind {
	case schema.GoNamed:
		var s *jen.Statement
		if t.Path == "" {
			s = jen.Id(t.Name)
		} else {
			s = jen.Qual(t.Path, t.Name)
		}
		if len(t.TypeArgs) > 0 {
			args := make([]jen.Code, len(t.TypeArgs))
			for i, a := range t.TypeArgs {
				args[i] = goType(a)
			}
			s = s.Types(args...)
		}
		return s
	case schema.GoPointer:
		return jen.Op("*").Add(goType(*t.Elem))
	case schema.GoSlice:
		return jen.Index().Add(goType(*t.Elem))
	case schema.GoArray:
		return jen.Index(jen.Lit(int(t.Len))).Add(goType(*t.Elem))
	case schema.GoMap:
		return jen.Map(goType(*t.Key)).Add(goType(*t.Elem))
	}
	return jen.Any()
}

// columnType is the pg column type a column's descriptor has:
//
//	pg.Column[T]          a NOT NULL (or sql.Null*, pgtype) field of type T
//	pg.NullColumn[T]      a *T field
//	pg.TextColumn[string] a string field of a text type (adds Like, ILike, Search)
//	pg.ArrayColumn[E]     a []E field of an array type (adds @>, <@, &&, = ANY)
//	pg.JSONColumn[T]      a field of type jsonb (adds ->, ->>, @>, ?, jsonpath)
//	pg.RangeColumn[E]     a pgtype.Range[E] field of a range type (adds @>, <@, &&)
//	pg.NullTextColumn[string], pg.NullArrayColumn[E], pg.NullJSONColumn[T]
//
// It returns the type, the name of its constructor and the constructor's
// type argument.
func columnType(c *schema.Column) (typ *jen.Statement, ctor string, arg *jen.Statement) {
	t, null := c.GoType, false
	if t.Kind == schema.GoPointer {
		t, null = *t.Elem, true
	}
	kind, targ := "Column", t
	switch {
	case isString(t) && isText(c.Type):
		kind = "TextColumn"
	case t.Kind == schema.GoSlice && c.Type.Array:
		kind, targ = "ArrayColumn", *t.Elem
	case c.Type.Name == "jsonb" && c.Type.Schema == "" && !c.Type.Array:
		kind = "JSONColumn"
	case !null && isRange(t, c.Type):
		kind, targ = "RangeColumn", t.TypeArgs[0]
	}
	name := kind
	if sendsUTC(c) {
		// The same column types, made to send their values in UTC.
		name = "Timestamp" + name
	}
	if null {
		kind, name = "Null"+kind, "Null"+name
	}
	return jen.Qual(pgPath, kind).Types(goType(targ)), "New" + name, goType(targ)
}

// isRange reports a pgtype.Range[E] field of a range type, built in or
// not: PostgreSQL's range types end in "range".
func isRange(t schema.GoType, typ schema.Type) bool {
	return t.Kind == schema.GoNamed && t.Path == "github.com/jackc/pgx/v5/pgtype" && t.Name == "Range" &&
		len(t.TypeArgs) == 1 && !typ.Array && strings.HasSuffix(typ.Name, "range")
}

// sendsUTC reports a column of type timestamp without time zone (or an
// array of it) whose field pg.UTC converts: its values are sent in UTC,
// since PostgreSQL stores the wall clock pgx sends and no zone, and a
// time of another zone would be read back as another instant.
func sendsUTC(c *schema.Column) bool {
	if c.Type.Name != "timestamp without time zone" || c.Type.Schema != "" {
		return false
	}
	t := c.GoType
	if isNamed(t, "database/sql", "NullTime") {
		return true
	}
	if t.Kind == schema.GoSlice {
		t = *t.Elem
	}
	if t.Kind == schema.GoPointer {
		t = *t.Elem
	}
	return isNamed(t, "time", "Time")
}

// utc is the value sent for a field of a column that sendsUTC: the time
// itself in UTC, else the field through pg.UTC.
func utc(c *schema.Column, v *jen.Statement) *jen.Statement {
	if isNamed(c.GoType, "time", "Time") {
		return v.Dot("UTC").Call()
	}
	return jen.Qual(pgPath, "UTC").Call(v)
}

func isNamed(t schema.GoType, path, name string) bool {
	return t.Kind == schema.GoNamed && t.Path == path && t.Name == name && len(t.TypeArgs) == 0
}

// isString reports a field of the predeclared string type. A named string
// type may be anything with a text codec, so it gets a plain Column.
func isString(t schema.GoType) bool {
	return t.Kind == schema.GoNamed && t.Path == "" && t.Name == "string"
}

func isText(t schema.Type) bool {
	if t.Array || t.Schema != "" {
		return false
	}
	switch t.Name {
	case "text", "character varying", "character", "citext":
		return true
	}
	return false
}
