package schema

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseTypeTests are the valid inputs of ParseType.
var parseTypeTests = []struct {
	in   string
	want Type
	// quoted marks inputs whose String form does not parse back to the
	// same Type: String leaves quoting to the SQL emitter, so a quoted name
	// ("MyType", "char") comes back unquoted and then folds to lower case or
	// means another type.
	quoted bool
}{
	// Every alias in typeAliases and its long form.
	{in: "int", want: Type{Name: "integer"}},
	{in: "int4", want: Type{Name: "integer"}},
	{in: "integer", want: Type{Name: "integer"}},
	{in: "int8", want: Type{Name: "bigint"}},
	{in: "bigint", want: Type{Name: "bigint"}},
	{in: "int2", want: Type{Name: "smallint"}},
	{in: "smallint", want: Type{Name: "smallint"}},
	{in: "serial4", want: Type{Name: "serial"}},
	{in: "serial", want: Type{Name: "serial"}},
	{in: "serial8", want: Type{Name: "bigserial"}},
	{in: "bigserial", want: Type{Name: "bigserial"}},
	{in: "serial2", want: Type{Name: "smallserial"}},
	{in: "smallserial", want: Type{Name: "smallserial"}},
	{in: "float8", want: Type{Name: "double precision"}},
	{in: "double precision", want: Type{Name: "double precision"}},
	{in: "float4", want: Type{Name: "real"}},
	{in: "real", want: Type{Name: "real"}},
	{in: "bool", want: Type{Name: "boolean"}},
	{in: "boolean", want: Type{Name: "boolean"}},
	{in: "varchar", want: Type{Name: "character varying"}},
	{in: "character varying", want: Type{Name: "character varying"}},
	{in: "char", want: Type{Name: "character", Mod: "1"}},
	{in: "character", want: Type{Name: "character", Mod: "1"}},
	// bpchar without a length is unlimited (format_type prints "bpchar"),
	// unlike char, which is char(1).
	{in: "bpchar", want: Type{Name: "bpchar"}},
	{in: "BPCHAR[]", want: Type{Name: "bpchar", Array: true}},
	{in: "bpchar(3)", want: Type{Name: "character", Mod: "3"}},
	{in: "varbit", want: Type{Name: "bit varying"}},
	{in: "bit varying", want: Type{Name: "bit varying"}},
	{in: "decimal", want: Type{Name: "numeric"}},
	{in: "numeric", want: Type{Name: "numeric"}},
	{in: "timestamptz", want: Type{Name: "timestamp with time zone"}},
	{in: "timestamp with time zone", want: Type{Name: "timestamp with time zone"}},
	{in: "timestamp", want: Type{Name: "timestamp without time zone"}},
	{in: "timestamp without time zone", want: Type{Name: "timestamp without time zone"}},
	{in: "timetz", want: Type{Name: "time with time zone"}},
	{in: "time with time zone", want: Type{Name: "time with time zone"}},
	{in: "time", want: Type{Name: "time without time zone"}},
	{in: "time without time zone", want: Type{Name: "time without time zone"}},

	// Case and white space.
	{in: "INT8", want: Type{Name: "bigint"}},
	{in: "Timestamp With Time Zone", want: Type{Name: "timestamp with time zone"}},
	{in: "  double   PRECISION\t", want: Type{Name: "double precision"}},
	{in: "Text", want: Type{Name: "text"}},

	// Modifiers.
	{in: "numeric(18, 8)", want: Type{Name: "numeric", Mod: "18,8"}},
	{in: "NUMERIC ( 18 ,8 )", want: Type{Name: "numeric", Mod: "18,8"}},
	{in: "decimal(10)", want: Type{Name: "numeric", Mod: "10"}},
	{in: "varchar(255)", want: Type{Name: "character varying", Mod: "255"}},
	{in: "character varying(255)", want: Type{Name: "character varying", Mod: "255"}},
	{in: "char(3)", want: Type{Name: "character", Mod: "3"}},
	{in: "bit", want: Type{Name: "bit", Mod: "1"}},
	{in: "bit(8)", want: Type{Name: "bit", Mod: "8"}},
	{in: "varbit(5)", want: Type{Name: "bit varying", Mod: "5"}},
	{in: "timestamptz(3)", want: Type{Name: "timestamp with time zone", Mod: "3"}},
	{in: "timestamp(3) with time zone", want: Type{Name: "timestamp with time zone", Mod: "3"}},
	{in: "timestamp(6) without time zone", want: Type{Name: "timestamp without time zone", Mod: "6"}},
	{in: "timestamp(0)", want: Type{Name: "timestamp without time zone", Mod: "0"}},
	{in: "timetz(3)", want: Type{Name: "time with time zone", Mod: "3"}},
	{in: "time(3)", want: Type{Name: "time without time zone", Mod: "3"}},
	{in: "interval day to second(3)", want: Type{Name: "interval day to second", Mod: "3"}},

	// float(p) is real up to 24 bits of precision, double precision above.
	{in: "float(1)", want: Type{Name: "real"}},
	{in: "float(24)", want: Type{Name: "real"}},
	{in: "FLOAT(24)", want: Type{Name: "real"}},
	{in: "float(25)", want: Type{Name: "double precision"}},
	{in: "float(53)", want: Type{Name: "double precision"}},
	{in: "float", want: Type{Name: "double precision"}},

	// Arrays.
	{in: "text[]", want: Type{Name: "text", Array: true}},
	{in: "text [ ]", want: Type{Name: "text", Array: true}},
	{in: "int[3]", want: Type{Name: "integer", Array: true}},
	{in: "integer[][]", want: Type{Name: "integer", Array: true}},
	{in: "integer ARRAY", want: Type{Name: "integer", Array: true}},
	{in: "integer array", want: Type{Name: "integer", Array: true}},
	{in: "varchar(255)[]", want: Type{Name: "character varying", Mod: "255", Array: true}},
	{in: "numeric(18,8) ARRAY", want: Type{Name: "numeric", Mod: "18,8", Array: true}},
	{in: "timestamp(3) with time zone[]", want: Type{Name: "timestamp with time zone", Mod: "3", Array: true}},

	// Quoted names keep their case and spelling.
	{in: `"MyType"`, want: Type{Name: "MyType"}, quoted: true},
	{in: `"MyType"[]`, want: Type{Name: "MyType", Array: true}, quoted: true},
	{in: `"char"`, want: Type{Name: "char"}, quoted: true}, // PostgreSQL's one-byte "char", not character(1)
	{in: `"My""Type"`, want: Type{Name: `My"Type`}, quoted: true},
	{in: `"my  type"`, want: Type{Name: "my  type"}, quoted: true},

	// A quoted schema qualifies the name, as for a domain or a composite
	// type (bare, the name folds to lower case).
	{in: `"auth"."Email"`, want: Type{Schema: "auth", Name: "Email"}, quoted: true},
	{in: `"public".EMAIL[]`, want: Type{Schema: "public", Name: "email", Array: true}, quoted: true},
	{in: `"my ""app"""."pair"(3)`, want: Type{Schema: `my "app"`, Name: "pair", Mod: "3"}, quoted: true},

	// Unknown (extension) types are kept, lower-cased; the modifier is
	// kept as written.
	{in: "CITEXT", want: Type{Name: "citext"}},
	{in: "vector(3)", want: Type{Name: "vector", Mod: "3"}},
	{in: "geography(Point, 4326)", want: Type{Name: "geography", Mod: "Point,4326"}},
	{in: "uuid[]", want: Type{Name: "uuid", Array: true}},
	// ParseType does not split a schema off; the loader sets Type.Schema
	// for enums itself.
	{in: "app.Status", want: Type{Name: "app.status"}},
}

func TestParseType(t *testing.T) {
	for _, tt := range parseTypeTests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseType(tt.in)
			if err != nil {
				t.Fatalf("ParseType(%q): unexpected error %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseType(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestParseTypeAliases checks that the table above covers every alias.
func TestParseTypeAliases(t *testing.T) {
	covered := map[string]bool{}
	for _, tt := range parseTypeTests {
		covered[tt.in] = true
	}
	for alias := range typeAliases {
		if !covered[alias] {
			t.Errorf("ParseType(%q) has no test case", alias)
		}
	}
}

// TestParseTypeRoundTrip checks that String is a spelling ParseType reads
// back to the same Type, for every valid input whose name is not quoted.
func TestParseTypeRoundTrip(t *testing.T) {
	for _, tt := range parseTypeTests {
		t.Run(tt.in, func(t *testing.T) {
			typ, err := ParseType(tt.in)
			if err != nil {
				t.Fatalf("ParseType(%q): unexpected error %v", tt.in, err)
			}
			checkRoundTrip(t, tt.in, typ, tt.quoted)
		})
	}
}

// checkRoundTrip checks that typ, parsed from in, parses back from its
// String form; or, when its name was quoted, from that form quoted again
// (the documented exception: String leaves quoting to the SQL emitter).
func checkRoundTrip(t *testing.T, in string, typ Type, quoted bool) {
	t.Helper()
	s := typ.String()
	if quoted {
		s = `"` + strings.ReplaceAll(typ.Name, `"`, `""`) + `"`
		if typ.Schema != "" {
			s = `"` + strings.ReplaceAll(typ.Schema, `"`, `""`) + `".` + s
		}
		if typ.Mod != "" {
			s += "(" + typ.Mod + ")"
		}
		if typ.Array {
			s += "[]"
		}
	}
	got, err := ParseType(s)
	if err != nil {
		t.Fatalf("ParseType(%q) (String of ParseType(%q)): unexpected error %v", s, in, err)
	}
	if diff := cmp.Diff(typ, got); diff != "" {
		t.Errorf("ParseType(%q) (String of ParseType(%q)) mismatch (-want +got):\n%s", s, in, diff)
	}
}

// FuzzParseType checks that ParseType never panics and that whatever it
// accepts reads back from its String form to an equal Type. The valid and
// invalid inputs of the tests above are its seeds.
func FuzzParseType(f *testing.F) {
	for _, tt := range parseTypeTests {
		f.Add(tt.in)
	}
	for _, in := range parseTypeErrorInputs {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		typ, err := ParseType(in)
		if err != nil {
			return
		}
		if typ.Name == "" {
			t.Fatalf("ParseType(%q) = %#v: no name and no error", in, typ)
		}
		checkRoundTrip(t, in, typ, strings.Contains(in, `"`))
	})
}

// parseTypeErrorInputs are inputs ParseType must refuse.
var parseTypeErrorInputs = []string{
	"",
	"   ",
	"numeric(",
	"numeric(18,8",
	"numeric(1,)",
	"numeric()",
	"numeric)",
	"text[x]",
	"text[-1]",
	"text]",
	"text[[]]",
	"text[[",
	"[]",
	"a(1)(2)",
	"(3)",
	"int;",
	"text, integer",
	"float(0)",
	"float(54)",
	"float(x)",
	"float(+5)",
	// 2^64+1, which wraps to 1 in an int64 that is not checked.
	"float(18446744073709551617)",
	`"MyType`,
	`MyType"`,
	`"a"x"b"`,
	`""`,
	`"a".`,
	`"".b`,
	`"a".b-c`,
	`"a"."b`,
	`"a"."".`,
}

func TestParseTypeErrors(t *testing.T) {
	for _, in := range parseTypeErrorInputs {
		t.Run(in, func(t *testing.T) {
			got, err := ParseType(in)
			if err == nil {
				t.Errorf("ParseType(%q) = %#v, want an error", in, got)
			}
		})
	}
}

func TestTypeString(t *testing.T) {
	tests := []struct {
		typ  Type
		want string
	}{
		{Type{Name: "integer"}, "integer"},
		{Type{Name: "numeric", Mod: "18,8"}, "numeric(18,8)"},
		{Type{Name: "character varying", Mod: "255", Array: true}, "character varying(255)[]"},
		{Type{Name: "timestamp with time zone"}, "timestamp with time zone"},
		{Type{Name: "timestamp with time zone", Mod: "3"}, "timestamp(3) with time zone"},
		{Type{Name: "time without time zone", Mod: "6", Array: true}, "time(6) without time zone[]"},
		{Type{Schema: DefaultSchema, Name: "status"}, "status"},
		{Type{Schema: "app", Name: "status"}, "app.status"},
		{Type{Schema: "app", Name: "status", Array: true}, "app.status[]"},
		{Type{Schema: "app", Name: "Status"}, "app.Status"}, // not quoted: the emitter's job
		{Type{Name: "MyType"}, "MyType"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.typ.String()); diff != "" {
				t.Errorf("(%#v).String() mismatch (-want +got):\n%s", tt.typ, diff)
			}
		})
	}
}

func TestTypeKinds(t *testing.T) {
	tests := []struct {
		typ     Type
		integer bool
		serial  bool
		storage Type
	}{
		{typ: Type{Name: "smallint"}, integer: true, storage: Type{Name: "smallint"}},
		{typ: Type{Name: "integer"}, integer: true, storage: Type{Name: "integer"}},
		{typ: Type{Name: "bigint"}, integer: true, storage: Type{Name: "bigint"}},
		{typ: Type{Name: "smallserial"}, serial: true, storage: Type{Name: "smallint"}},
		{typ: Type{Name: "serial"}, serial: true, storage: Type{Name: "integer"}},
		{typ: Type{Name: "bigserial"}, serial: true, storage: Type{Name: "bigint"}},
		{typ: Type{Name: "numeric", Mod: "18,8"}, storage: Type{Name: "numeric", Mod: "18,8"}},
		{typ: Type{Name: "text"}, storage: Type{Name: "text"}},
		{typ: Type{Name: "integer", Array: true}, storage: Type{Name: "integer", Array: true}},
		{typ: Type{Name: "serial", Array: true}, storage: Type{Name: "serial", Array: true}},
		// An enum that happens to be called "integer" or "serial".
		{typ: Type{Schema: DefaultSchema, Name: "integer"}, storage: Type{Schema: DefaultSchema, Name: "integer"}},
		{typ: Type{Schema: "app", Name: "serial"}, storage: Type{Schema: "app", Name: "serial"}},
	}
	for _, tt := range tests {
		name := tt.typ.String()
		if tt.typ.Schema != "" {
			name = "enum " + tt.typ.Schema + "." + tt.typ.Name
		}
		t.Run(name, func(t *testing.T) {
			if got := tt.typ.IsInteger(); got != tt.integer {
				t.Errorf("(%#v).IsInteger() = %v, want %v", tt.typ, got, tt.integer)
			}
			if got := tt.typ.IsSerial(); got != tt.serial {
				t.Errorf("(%#v).IsSerial() = %v, want %v", tt.typ, got, tt.serial)
			}
			got := tt.typ.Storage()
			if diff := cmp.Diff(tt.storage, got); diff != "" {
				t.Errorf("(%#v).Storage() mismatch (-want +got):\n%s", tt.typ, diff)
			}
			if got.IsSerial() {
				t.Errorf("(%#v).Storage() = %#v is still serial", tt.typ, got)
			}
		})
	}
}

// TestParseTypeStorage checks the serial aliases end up as the right
// integer types.
func TestParseTypeStorage(t *testing.T) {
	for in, want := range map[string]string{
		"serial2": "smallint", "smallserial": "smallint",
		"serial4": "integer", "serial": "integer",
		"serial8": "bigint", "bigserial": "bigint",
	} {
		t.Run(in, func(t *testing.T) {
			typ, err := ParseType(in)
			if err != nil {
				t.Fatalf("ParseType(%q): %v", in, err)
			}
			if diff := cmp.Diff(Type{Name: want}, typ.Storage()); diff != "" {
				t.Errorf("ParseType(%q).Storage() mismatch (-want +got):\n%s", in, diff)
			}
			if !typ.Storage().IsInteger() {
				t.Errorf("ParseType(%q).Storage() is not an integer type", in)
			}
		})
	}
}
