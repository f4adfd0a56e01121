package sqlscan

import "testing"

func TestClosingParen(t *testing.T) {
	tests := []struct {
		s        string
		open     int
		end      int
		unclosed byte
	}{
		{"(a)", 0, 2, 0},
		{"f(a, (b)) + 1", 1, 8, 0},
		{"(')')", 0, 4, 0},
		{`(")")`, 0, 4, 0},
		{"('it''s')", 0, 8, 0},
		{"((a)", 0, -1, 0},
		{"('a)", 0, -1, '\''},
		{`("a)`, 0, -1, '"'},
	}
	for _, tt := range tests {
		end, unclosed := ClosingParen(tt.s, tt.open)
		if end != tt.end || unclosed != tt.unclosed {
			t.Errorf("ClosingParen(%q, %d) = %d, %q; want %d, %q", tt.s, tt.open, end, unclosed, tt.end, tt.unclosed)
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		s    string
		sep  byte
		want []Part
	}{
		{"a", ',', []Part{{"a", 0}}},
		{"a, f(b, c), 'd,e'", ',', []Part{{"a", 0}, {" f(b, c)", 2}, {" 'd,e'", 11}}},
		{`"x,y",z`, ',', []Part{{`"x,y"`, 0}, {"z", 6}}},
		{"lower(x) DESC", ' ', []Part{{"lower(x)", 0}, {"DESC", 9}}},
		{"", ',', []Part{{"", 0}}},
	}
	for _, tt := range tests {
		got := Split(tt.s, tt.sep)
		if len(got) != len(tt.want) {
			t.Errorf("Split(%q, %q) = %v, want %v", tt.s, tt.sep, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("Split(%q, %q) = %v, want %v", tt.s, tt.sep, got, tt.want)
				break
			}
		}
	}
}
