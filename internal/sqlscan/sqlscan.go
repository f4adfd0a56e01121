// Package sqlscan finds structure in fragments of SQL text without parsing
// them: the parenthesis that closes another, skipping what is quoted. The
// loader uses it to read markers and the SQL emitter to decide whether an
// expression needs parentheses.
package sqlscan

// ClosingParen returns the index of the parenthesis that closes the one at
// s[open], ignoring parentheses inside single-quoted strings and
// double-quoted identifiers. unclosed is the quote character left open when
// there is no match (0 when the parentheses simply do not balance); end is
// -1 then.
func ClosingParen(s string, open int) (end int, unclosed byte) {
	depth := 0
	var quote byte
	for i := open; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0 // a doubled quote closes and reopens: still balanced
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i, 0
			}
		}
	}
	return -1, quote
}
