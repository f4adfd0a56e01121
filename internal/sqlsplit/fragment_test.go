package sqlsplit

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClosingParen(t *testing.T) {
	tests := []struct {
		s            string
		open         int
		end          int
		unterminated string
	}{
		{"(a)", 0, 2, ""},
		{"f(a, (b)) + 1", 1, 8, ""},
		{"(')')", 0, 4, ""},
		{`(")")`, 0, 4, ""},
		{"('it''s')", 0, 8, ""},
		{`(E'it\'s)')`, 0, 10, ""},
		{"($$)$$)", 0, 6, ""},
		{"($f$ ) $f$)", 0, 10, ""},
		{"(/* ) */ a)", 0, 10, ""},
		{"(a -- )\n)", 0, 8, ""},
		{"((a)", 0, -1, ""},
		{"('a)", 0, -1, "quoted string"},
		{`("a)`, 0, -1, "quoted identifier"},
		{"($$a)", 0, -1, "dollar quote"},
		{"(/* a)", 0, -1, "block comment"},
	}
	for _, tt := range tests {
		end, open := ClosingParen(tt.s, tt.open)
		if end != tt.end || open != tt.unterminated {
			t.Errorf("ClosingParen(%q, %d) = %d, %q; want %d, %q", tt.s, tt.open, end, open, tt.end, tt.unterminated)
		}
	}
}

// TestSplitList cuts where the lexer that splits migrations would see a
// comma, never inside an E'...' string, a dollar quote or a comment.
func TestSplitList(t *testing.T) {
	tests := []struct {
		s    string
		want []Part
	}{
		{"a", []Part{{"a", 0}}},
		{"", []Part{{"", 0}}},
		{"a, f(b, c), 'd,e'", []Part{{"a", 0}, {" f(b, c)", 2}, {" 'd,e'", 11}}},
		{`"x,y",z`, []Part{{`"x,y"`, 0}, {"z", 6}}},
		{"a, $$x,y$$, b", []Part{{"a", 0}, {" $$x,y$$", 2}, {" b", 11}}},
		{`a, E'x\',y', b`, []Part{{"a", 0}, {` E'x\',y'`, 2}, {" b", 12}}},
		{"a -- c,d\n, b", []Part{{"a -- c,d\n", 0}, {" b", 10}}},
		{"a /* , */, b", []Part{{"a /* , */", 0}, {" b", 10}}},
		{"ARRAY[1, 2], c", []Part{{"ARRAY[1, 2]", 0}, {" c", 12}}},
		{"a), b", []Part{{"a)", 0}, {" b", 3}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, SplitList(tt.s)); diff != "" {
			t.Errorf("SplitList(%q) (-want +got):\n%s", tt.s, diff)
		}
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		s    string
		want []Part
	}{
		{"", nil},
		{"  ", nil},
		{"lower(x) DESC", []Part{{"lower(x)", 0}, {"DESC", 9}}},
		{" a\tb  c ", []Part{{"a", 1}, {"b", 3}, {"c", 6}}},
		{"lower(a b) 'x y' $$z w$$", []Part{{"lower(a b)", 0}, {"'x y'", 11}, {"$$z w$$", 17}}},
		{"a /* b */ c", []Part{{"a", 0}, {"/* b */", 2}, {"c", 10}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Fields(tt.s)); diff != "" {
			t.Errorf("Fields(%q) (-want +got):\n%s", tt.s, diff)
		}
	}
}
