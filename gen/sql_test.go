package gen

import (
	"testing"

	"github.com/mizzle/mizzle/schema"
)

// TestReadBack checks the rule for which columns an insert reads back:
// those the database fills, and sent ones whose stored value can differ
// from the value sent.
func TestReadBack(t *testing.T) {
	named := func(name string) schema.GoType { return schema.GoType{Kind: schema.GoNamed, Name: name} }
	ptr := func(g schema.GoType) schema.GoType { return schema.GoType{Kind: schema.GoPointer, Elem: &g} }
	enums := map[[2]string]bool{{"public", "status"}: true}
	tests := []struct {
		name string
		mode string
		typ  schema.Type
		goT  schema.GoType
		want bool
	}{
		{"defaulted", "InsertDefault", schema.Type{Name: "bigint"}, named("int64"), true},
		{"generated", "InsertNever", schema.Type{Name: "text"}, named("string"), true},
		{"bigint", "InsertValue", schema.Type{Name: "bigint"}, named("int64"), false},
		{"nullable integer", "InsertValue", schema.Type{Name: "integer"}, ptr(named("int32")), false},
		{"integer as string", "InsertValue", schema.Type{Name: "integer"}, named("string"), true},
		{"text", "InsertValue", schema.Type{Name: "text"}, named("string"), false},
		{"text as a named type", "InsertValue", schema.Type{Name: "text"}, schema.GoType{Kind: schema.GoNamed, Path: "example.com/x", Name: "Email"}, true},
		{"varchar", "InsertValue", schema.Type{Name: "character varying"}, named("string"), false},
		{"varchar(n)", "InsertValue", schema.Type{Name: "character varying", Mod: "10"}, named("string"), true},
		{"char(n)", "InsertValue", schema.Type{Name: "character", Mod: "3"}, named("string"), true},
		{"numeric", "InsertValue", schema.Type{Name: "numeric", Mod: "18,8"}, named("string"), true},
		{"timestamptz", "InsertValue", schema.Type{Name: "timestamp with time zone"}, schema.GoType{Kind: schema.GoNamed, Path: "time", Name: "Time"}, true},
		{"double", "InsertValue", schema.Type{Name: "double precision"}, named("float64"), false},
		{"real", "InsertValue", schema.Type{Name: "real"}, named("float32"), true},
		{"json", "InsertValue", schema.Type{Name: "json"}, schema.GoType{Kind: schema.GoAny}, false},
		{"jsonb", "InsertValue", schema.Type{Name: "jsonb"}, schema.GoType{Kind: schema.GoAny}, true},
		{"array", "InsertValue", schema.Type{Name: "text", Array: true}, schema.GoType{Kind: schema.GoSlice, Elem: &schema.GoType{Kind: schema.GoNamed, Name: "string"}}, true},
		{"enum", "InsertValue", schema.Type{Schema: "public", Name: "status"}, schema.GoType{Kind: schema.GoNamed, Path: "example.com/x", Name: "Status"}, false},
		{"other user type", "InsertValue", schema.Type{Schema: "public", Name: "money2"}, named("string"), true},
		{"uuid", "InsertValue", schema.Type{Name: "uuid"}, named("string"), true},
	}
	for _, tt := range tests {
		c := &columnInfo{c: &schema.Column{Name: "c", Type: tt.typ, GoType: tt.goT}, mode: tt.mode}
		if got := readBack(c, enums); got != tt.want {
			t.Errorf("%s: readBack = %v, want %v", tt.name, got, tt.want)
		}
	}
}
