package quote

import (
	"strings"
	"testing"
)

func TestIdent(t *testing.T) {
	tests := []struct {
		parts []string
		want  string
	}{
		{[]string{"users"}, `"users"`},
		{[]string{"Users"}, `"Users"`},
		{[]string{"auth", "users"}, `"auth"."users"`},
		{[]string{`we"ird`}, `"we""ird"`},
		{[]string{`"`}, `""""`},
		{[]string{""}, `""`},
		{[]string{"a.b"}, `"a.b"`},
	}
	for _, tt := range tests {
		if got := Ident(tt.parts...); got != tt.want {
			t.Errorf("Ident(%q) = %s, want %s", tt.parts, got, tt.want)
		}
	}
}

func TestLiteral(t *testing.T) {
	tests := []struct{ in, want string }{
		{"OPEN", `'OPEN'`},
		{"it's", `'it''s'`},
		{`back\slash`, `'back\slash'`},
		{"'; drop table x; --", `'''; drop table x; --'`},
	}
	for _, tt := range tests {
		if got := Literal(tt.in); got != tt.want {
			t.Errorf("Literal(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// FuzzIdent checks that a quoted identifier is one token: it starts and ends
// with a quote and every quote inside is doubled.
func FuzzIdent(f *testing.F) {
	for _, s := range []string{"users", `a"b`, `""`, "x\x00y", "ünïcode"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Ident(s)
		inner := q[1 : len(q)-1]
		if q[0] != '"' || q[len(q)-1] != '"' || strings.Count(inner, `"`)%2 != 0 ||
			strings.ReplaceAll(inner, `""`, `"`) != s {
			t.Errorf("Ident(%q) = %s is not a single quoted identifier", s, q)
		}
	})
}
