// Package sqlscan finds structure in fragments of SQL text without parsing
// them: the parenthesis that closes another and the separators outside
// parentheses, skipping what is quoted. The
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

// Part is a piece of text cut by Split, with its byte offset in the input.
type Part struct {
	Text string
	Off  int
}

// Split cuts s at every sep that is outside parentheses and quotes, so
// "a, f(b, c), 'd,e'" split at ',' has three parts.
func Split(s string, sep byte) []Part {
	var parts []Part
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == sep && depth == 0:
			parts = append(parts, Part{s[start:i], start})
			start = i + 1
		}
	}
	return append(parts, Part{s[start:], start})
}
