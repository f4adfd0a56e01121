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
