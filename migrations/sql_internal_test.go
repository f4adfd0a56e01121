package migrations

import "testing"

func TestIndexExpr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"lower(email)", "lower(email)"},
		{"pg_catalog.lower(email)", "pg_catalog.lower(email)"},
		{"(a + b)", "(a + b)"},
		{"a + b", "(a + b)"},
		{"(a) + (b)", "((a) + (b))"},
		{"lower(a) || upper(b)", "(lower(a) || upper(b))"},
		{"coalesce(parent_id, ')')", "coalesce(parent_id, ')')"},
		{"data->>'k'", "(data->>'k')"},
	}
	for _, tt := range tests {
		if got := indexExpr(tt.in); got != tt.want {
			t.Errorf("indexExpr(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
