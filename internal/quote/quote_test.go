package quote

import (
	"slices"
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
		{`back\slash`, `E'back\\slash'`},
		{"'; drop table x; --", `'''; drop table x; --'`},
		{`a\'); CREATE TABLE injected(x int); --`, `E'a\\''); CREATE TABLE injected(x int); --'`},
		{`\`, `E'\\'`},
		{`\\'`, `E'\\\\'''`},
		{"", `''`},
		{"café ☕", `'café ☕'`},
	}
	for _, tt := range tests {
		if got := Literal(tt.in); got != tt.want {
			t.Errorf("Literal(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSpellings(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"OPEN", []string{`'OPEN'`}},
		{"it's", []string{`'it''s'`}},
		{`back\slash`, []string{`E'back\\slash'`, `'back\slash'`}},
	}
	for _, tt := range tests {
		if got := Spellings(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Spellings(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzLiteral checks the shape of a literal without a server: read as
// PostgreSQL's lexer reads it under either setting of
// standard_conforming_strings, it is one constant, ending at its last
// quote, whose value is s.
func FuzzLiteral(f *testing.F) {
	for _, s := range []string{"OPEN", "it's", `back\slash`, `a\'); x; --`, `\`, `'\'`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Literal(s)
		escaped := strings.HasPrefix(q, "E'")
		if escaped != strings.Contains(s, `\`) || len(q) < 2 || !strings.HasSuffix(q, "'") {
			t.Fatalf("Literal(%q) = %s", s, q)
		}
		body := strings.TrimPrefix(q, "E")
		body = body[1 : len(body)-1]
		// A plain constant holds no backslash, so both settings read it
		// alike; an E'' one takes escapes under both.
		var b strings.Builder
		for i := 0; i < len(body); i++ {
			switch body[i] {
			case '\\':
				if !escaped {
					t.Fatalf("Literal(%q) = %s: a backslash in a plain constant", s, q)
				}
				if i+1 == len(body) {
					t.Fatalf("Literal(%q) = %s: a backslash escapes the closing quote", s, q)
				}
				i++
				b.WriteByte(body[i])
			case '\'':
				if i+1 == len(body) || body[i+1] != '\'' {
					t.Fatalf("Literal(%q) = %s: a quote ends the constant early", s, q)
				}
				i++
				b.WriteByte('\'')
			default:
				b.WriteByte(body[i])
			}
		}
		if b.String() != s {
			t.Fatalf("Literal(%q) = %s reads back as %q", s, q, b.String())
		}
	})
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
