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
//	pg.TextColumn[string] a string field of a text type (adds Like, ILike)
//	pg.NullTextColumn[string]
//
// It returns the type and the name of its constructor.
func columnType(c *schema.Column) (typ *jen.Statement, ctor string) {
	t, kind := c.GoType, "Column"
	if t.Kind == schema.GoPointer {
		t, kind = *t.Elem, "NullColumn"
	}
	if isString(t) && isText(c.Type) {
		if kind == "Column" {
			kind = "TextColumn"
		} else {
			kind = "NullTextColumn"
		}
	}
	ctor = "New" + kind
	if sendsUTC(c) {
		// The same column types, made to send their values in UTC.
		ctor = strings.Replace(ctor, "Column", "TimestampColumn", 1)
	}
	return jen.Qual(pgPath, kind).Types(goType(t)), ctor
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
