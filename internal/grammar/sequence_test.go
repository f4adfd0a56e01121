package grammar

import "testing"

func TestQualifiedName(t *testing.T) {
	tests := []struct {
		in, schema, name, err string
		off                   int
	}{
		{in: "  seq START 1", name: "seq", off: 2},
		{in: "app.seq", schema: "app", name: "seq"},
		{in: `"My App"."Odd Seq" AS integer`, schema: "My App", name: "Odd Seq"},
		{in: `"a.b".seq`, schema: "a.b", name: "seq"},
		{in: `"a.b"`, name: "a.b"},
		{in: "app.", err: `expected a name or schema.name, found "app."`},
		{in: ".seq", err: `expected a name or schema.name, found ".seq"`},
		{in: "a.b.c", err: `expected a name or schema.name, found "a.b.c"`},
		{in: `app."x"`, err: `expected a name or schema.name, found "app.\"x\""`},
		{in: `"app".`, err: "expected a name after the dot", off: 6},
		{in: `"app`, err: "unterminated quoted name"},
		{in: "", name: ""},
	}
	for _, tt := range tests {
		s, n, off, err := NewScanner(tt.in).QualifiedName()
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
			off = err.(*OffsetError).Off
		}
		if s != tt.schema || n != tt.name || gotErr != tt.err || off != tt.off {
			t.Errorf("QualifiedName(%q) = %q, %q, %d, %q; want %q, %q, %d, %q", tt.in, s, n, off, gotErr, tt.schema, tt.name, tt.off, tt.err)
		}
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		in   string
		n    int64
		ok   bool
		rest string
	}{
		{"100 INCREMENT", 100, true, "INCREMENT"},
		{"-5", -5, true, ""},
		{"+7", 7, true, ""},
		{"-9223372036854775808", -9223372036854775808, true, ""},
		{"9223372036854775808", 0, false, "9223372036854775808"},
		{"x", 0, false, "x"},
		{"1.5", 0, false, "1.5"},
		{"+-1", 0, false, "+-1"},
		{`"5"`, 0, false, `"5"`},
		{"", 0, false, ""},
	}
	for _, tt := range tests {
		sc := NewScanner(tt.in)
		n, _, _, ok := sc.Int()
		rest, _ := sc.Rest()
		if n != tt.n || ok != tt.ok || rest != tt.rest {
			t.Errorf("Int(%q) = %d, %v, rest %q; want %d, %v, rest %q", tt.in, n, ok, rest, tt.n, tt.ok, tt.rest)
		}
	}
}
