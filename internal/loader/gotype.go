package loader

import (
	"go/types"

	"github.com/mizzle/mizzle/schema"
)

// goType spells a go/types type as a schema.GoType. ok is false for types a
// column cannot have (functions, channels, struct literals, non-empty
// interfaces).
func goType(t types.Type) (schema.GoType, bool) {
	t = types.Unalias(t)
	switch t := t.(type) {
	case *types.Basic:
		if t.Kind() == types.UnsafePointer || t.Info()&types.IsUntyped != 0 {
			return schema.GoType{}, false
		}
		return schema.GoType{Kind: schema.GoNamed, Name: t.Name()}, true
	case *types.Named:
		obj := t.Obj()
		g := schema.GoType{Kind: schema.GoNamed, Name: obj.Name()}
		if obj.Pkg() != nil {
			g.Path = obj.Pkg().Path()
		}
		switch t.Underlying().(type) {
		case *types.Slice, *types.Map, *types.Pointer:
			g.NilZero = true
		}
		g.Incomparable = !types.Comparable(t)
		if args := t.TypeArgs(); args != nil {
			for i := range args.Len() {
				a, ok := goType(args.At(i))
				if !ok {
					return schema.GoType{}, false
				}
				g.TypeArgs = append(g.TypeArgs, a)
			}
		}
		return g, true
	case *types.Pointer:
		return wrapGoType(schema.GoPointer, t.Elem())
	case *types.Slice:
		return wrapGoType(schema.GoSlice, t.Elem())
	case *types.Array:
		g, ok := wrapGoType(schema.GoArray, t.Elem())
		g.Len = t.Len()
		return g, ok
	case *types.Map:
		g, ok := wrapGoType(schema.GoMap, t.Elem())
		k, kok := goType(t.Key())
		g.Key = &k
		return g, ok && kok
	case *types.Interface:
		if t.Empty() {
			return schema.GoType{Kind: schema.GoAny}, true
		}
	}
	return schema.GoType{}, false
}

func wrapGoType(kind schema.GoKind, elem types.Type) (schema.GoType, bool) {
	e, ok := goType(elem)
	return schema.GoType{Kind: kind, Elem: &e}, ok
}

// Import paths of the types the default mapping knows.
const (
	pgtypePath  = "github.com/jackc/pgx/v5/pgtype"
	decimalPath = "github.com/shopspring/decimal"
)

// namedSQLTypes maps well-known named Go types to their column type. Nullable
// wrappers (sql.Null*, pgtype.*) are in nullableSQLTypes.
var namedSQLTypes = map[[2]string]string{
	{"time", "Time"}:                     "timestamp with time zone",
	{"github.com/google/uuid", "UUID"}:   "uuid",
	{"github.com/gofrs/uuid", "UUID"}:    "uuid",
	{"github.com/gofrs/uuid/v5", "UUID"}: "uuid",
	{"encoding/json", "RawMessage"}:      "jsonb",
	{"net/netip", "Addr"}:                "inet",
	{"net/netip", "Prefix"}:              "cidr",
	{decimalPath, "Decimal"}:             "numeric",
}

// nullableSQLTypes are value types that carry their own NULL (a Valid field),
// so a column of one is nullable without a pointer.
var nullableSQLTypes = map[[2]string]string{
	{"database/sql", "NullString"}:  "text",
	{"database/sql", "NullInt64"}:   "bigint",
	{"database/sql", "NullInt32"}:   "integer",
	{"database/sql", "NullInt16"}:   "smallint",
	{"database/sql", "NullByte"}:    "smallint",
	{"database/sql", "NullFloat64"}: "double precision",
	{"database/sql", "NullBool"}:    "boolean",
	{"database/sql", "NullTime"}:    "timestamp with time zone",
	{decimalPath, "NullDecimal"}:    "numeric",
	{pgtypePath, "Text"}:            "text",
	{pgtypePath, "Int8"}:            "bigint",
	{pgtypePath, "Int4"}:            "integer",
	{pgtypePath, "Int2"}:            "smallint",
	{pgtypePath, "Float8"}:          "double precision",
	{pgtypePath, "Float4"}:          "real",
	{pgtypePath, "Bool"}:            "boolean",
	{pgtypePath, "Timestamptz"}:     "timestamp with time zone",
	{pgtypePath, "Timestamp"}:       "timestamp without time zone",
	{pgtypePath, "Date"}:            "date",
	{pgtypePath, "Time"}:            "time without time zone",
	{pgtypePath, "Interval"}:        "interval",
	{pgtypePath, "UUID"}:            "uuid",
	{pgtypePath, "Numeric"}:         "numeric",
}

var basicSQLTypes = map[types.BasicKind]string{
	types.Int:     "bigint",
	types.Int64:   "bigint",
	types.Int32:   "integer",
	types.Int16:   "smallint",
	types.Int8:    "smallint",
	types.Float64: "double precision",
	types.Float32: "real",
	types.Bool:    "boolean",
	types.String:  "text",
}

func namedKey(n *types.Named) [2]string {
	obj := n.Obj()
	if obj.Pkg() == nil {
		return [2]string{"", obj.Name()}
	}
	return [2]string{obj.Pkg().Path(), obj.Name()}
}

// nullableWrapper reports whether t carries NULL by itself: a pointer, a
// sql.Null* or pgtype value type, or sql.Null[T]. inner is the type the
// column's values have, when it is known from the wrapper.
func nullableWrapper(t types.Type) (inner types.Type, sqlType string, ok bool) {
	t = types.Unalias(t)
	if p, isPtr := t.(*types.Pointer); isPtr {
		return p.Elem(), "", true
	}
	n, isNamed := t.(*types.Named)
	if !isNamed {
		return nil, "", false
	}
	if name, known := nullableSQLTypes[namedKey(n)]; known {
		return nil, name, true
	}
	if key := namedKey(n.Origin()); key == [2]string{"database/sql", "Null"} && n.TypeArgs().Len() == 1 {
		return n.TypeArgs().At(0), "", true
	}
	return nil, "", false
}

// sqlTypeOf maps a non-nullable Go type to its default column type. enumOf
// resolves named types of the schema package that are enums. ok is false
// when there is no default and the field needs a type: option.
func sqlTypeOf(t types.Type, enumOf func(*types.Named) *schema.Enum) (schema.Type, bool) {
	t = types.Unalias(t)
	switch t := t.(type) {
	case *types.Named:
		if e := enumOf(t); e != nil {
			return schema.Type{Schema: e.Schema, Name: e.Name}, true
		}
		if name, ok := namedSQLTypes[namedKey(t)]; ok {
			return schema.Type{Name: name}, true
		}
		if _, isStruct := t.Underlying().(*types.Struct); isStruct {
			return schema.Type{}, false // a struct is a document: it needs type:jsonb
		}
		return sqlTypeOf(t.Underlying(), enumOf)
	case *types.Basic:
		if name, ok := basicSQLTypes[t.Kind()]; ok {
			return schema.Type{Name: name}, true
		}
	case *types.Slice:
		if b, ok := types.Unalias(t.Elem()).(*types.Basic); ok && b.Kind() == types.Byte {
			return schema.Type{Name: "bytea"}, true
		}
		elem := t.Elem()
		if inner, name, ok := nullableWrapper(elem); ok {
			if name != "" {
				return schema.Type{Name: name, Array: true}, true
			}
			elem = inner
		}
		et, ok := sqlTypeOf(elem, enumOf)
		if !ok {
			return schema.Type{}, false
		}
		et.Array = true
		return et, true
	}
	return schema.Type{}, false
}
