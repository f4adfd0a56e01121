package gen

import (
	"fmt"
	"testing"

	"github.com/mizzle/mizzle/schema"
)

// TestColumnTypeOperators: the generator gives a column the pg type whose
// operators its SQL type has, and the constructor that sends its values
// as they must be sent; the cases the golden schemas do not hold.
func TestColumnTypeOperators(t *testing.T) {
	named := func(path, name string, args ...schema.GoType) schema.GoType {
		return schema.GoType{Kind: schema.GoNamed, Path: path, Name: name, TypeArgs: args}
	}
	ptr := func(e schema.GoType) schema.GoType { return schema.GoType{Kind: schema.GoPointer, Elem: &e} }
	slice := func(e schema.GoType) schema.GoType { return schema.GoType{Kind: schema.GoSlice, Elem: &e} }
	pgtype := "github.com/jackc/pgx/v5/pgtype"
	int32T, timeT := named("", "int32"), named("time", "Time")
	rng := named(pgtype, "Range", int32T)
	for _, c := range []struct {
		goType schema.GoType
		typ    string
		want   string
	}{
		{rng, "int4range", "pg.RangeColumn[int32] pg.NewRangeColumn[int32]"},
		{rng, "myrange", "pg.RangeColumn[int32] pg.NewRangeColumn[int32]"},
		// No nullable range type: a *pgtype.Range keeps NullColumn.
		{ptr(rng), "int4range", "pg.NullColumn[pgtype.Range[int32]] pg.NewNullColumn[pgtype.Range[int32]]"},
		{slice(timeT), "timestamp without time zone[]", "pg.ArrayColumn[time.Time] pg.NewTimestampArrayColumn[time.Time]"},
		// pg.UTC does not convert a *[]time.Time, so such a field is
		// sent as it is, as before.
		{ptr(slice(timeT)), "timestamp without time zone[]", "pg.NullArrayColumn[time.Time] pg.NewNullArrayColumn[time.Time]"},
		{ptr(slice(int32T)), "integer[]", "pg.NullArrayColumn[int32] pg.NewNullArrayColumn[int32]"},
		{slice(int32T), "integer[]", "pg.ArrayColumn[int32] pg.NewArrayColumn[int32]"},
		// A slice stored as jsonb is a document, not an array.
		{slice(int32T), "jsonb", "pg.JSONColumn[[]int32] pg.NewJSONColumn[[]int32]"},
		{named("", "string"), "json", "pg.Column[string] pg.NewColumn[string]"},
		{named("", "string"), "jsonb[]", "pg.Column[string] pg.NewColumn[string]"},
	} {
		typ, err := schema.ParseType(c.typ)
		if err != nil {
			t.Fatal(err)
		}
		col := &schema.Column{Name: "c", Type: typ, GoType: c.goType}
		ty, ctor, arg := columnType(col)
		got := fmt.Sprintf("%#v pg.%s[%#v]", ty, ctor, arg)
		if got != c.want {
			t.Errorf("%s %s: %s, want %s", c.goType, c.typ, got, c.want)
		}
	}
}
