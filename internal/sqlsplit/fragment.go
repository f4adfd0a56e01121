package sqlsplit

import "fmt"

// Part is a piece of SQL text cut by SplitList or Fields, with its byte
// offset in the text.
type Part struct {
	Text   string
	Offset int
}

// ClosingParen returns the offset of the ")" that closes the "(" at
// s[open], by the lexer's rules: a parenthesis inside a quoted string
// (E'...' included), a quoted identifier, a dollar quote or a comment does
// not count. When there is none, end is -1 and unterminated names what was
// left open ("quoted string", "dollar quote", ...), or is "" when the
// parentheses simply do not balance.
func ClosingParen(s string, open int) (end int, unterminated string) {
	sc := scanner{src: s, pos: open}
	depth := 0
	for {
		k, pos := sc.next()
		if sc.open != "" {
			return -1, sc.open
		}
		switch k {
		case eof:
			return -1, ""
		case lparen:
			depth++
		case rparen:
			depth--
			if depth == 0 {
				return pos, ""
			}
		}
	}
}

// SplitList cuts s at the commas outside parentheses, brackets, quotes,
// dollar quotes and comments: "a, f(b, c), 'd,e', $$f,g$$" has four
// parts. There is always at least one part, empty for empty s.
func SplitList(s string) []Part {
	var parts []Part
	start := 0
	cut(s, func(k kind, pos, end int) {
		if k == other && s[pos] == ',' && end == pos+1 {
			parts = append(parts, Part{s[start:pos], start})
			start = end
		}
	})
	return append(parts, Part{s[start:], start})
}

// Fields cuts s at the white space outside parentheses, brackets, quotes,
// dollar quotes and comments, like strings.Fields: "lower(a b) DESC" has
// two fields, "lower(a b)" and "DESC". A comment between blanks is a field.
func Fields(s string) []Part {
	var parts []Part
	start := 0
	cut(s, func(k kind, pos, end int) {
		if k == space {
			if pos > start {
				parts = append(parts, Part{s[start:pos], start})
			}
			start = end
		}
	})
	if start < len(s) {
		parts = append(parts, Part{s[start:], start})
	}
	return parts
}

// cut calls at with each token of s that stands outside parentheses and
// brackets. A ")" or "]" that closes nothing is left alone, so that it
// cannot hide the rest of s.
func cut(s string, at func(k kind, pos, end int)) {
	sc := scanner{src: s}
	depth := 0
	for {
		k, pos := sc.next()
		switch {
		case k == eof:
			return
		case k == lparen || k == other && s[pos] == '[':
			depth++
			continue
		case k == rparen || k == other && s[pos] == ']':
			if depth > 0 {
				depth--
				continue
			}
		}
		if depth == 0 {
			at(k, pos, sc.pos)
		}
	}
}

// ItemEnd returns the end of the list item that starts at s[from]: the
// offset of the first comma from there on that stands outside parentheses,
// brackets, quotes, dollar quotes and comments, or len(s). It is how a db
// tag's SQL option (default:'a,b', type:numeric(18,8)) finds where it ends.
// It returns an error for a ")" or "]" that closes nothing, or
// closes the other kind, for a "(" or "[" never closed, and for a quoted
// string, quoted identifier, dollar quote or block comment left open.
func ItemEnd(s string, from int) (int, *EmbedError) {
	sc := scanner{src: s, pos: from}
	var opens []int // offsets of the open parentheses and brackets
	for {
		k, pos := sc.next()
		if sc.open != "" {
			return 0, &EmbedError{pos, "unterminated " + sc.open}
		}
		c := byte(0)
		if k != eof {
			c = s[pos]
		}
		switch {
		case k == eof:
			if n := len(opens); n > 0 {
				at := opens[n-1]
				return 0, &EmbedError{at, fmt.Sprintf(`unbalanced %s: "%c" is never closed`, pairName(s[at]), s[at])}
			}
			return len(s), nil
		case k == lparen || k == other && c == '[':
			opens = append(opens, pos)
		case k == rparen || k == other && c == ']':
			open := byte('(')
			if c == ']' {
				open = '['
			}
			if len(opens) == 0 || s[opens[len(opens)-1]] != open {
				return 0, &EmbedError{pos, fmt.Sprintf(`unbalanced %s: "%c" without "%c"`, pairName(c), c, open)}
			}
			opens = opens[:len(opens)-1]
		case k == other && c == ',' && len(opens) == 0:
			return pos, nil
		}
	}
}

// pairName names the kind of bracket c is, for messages.
func pairName(c byte) string {
	if c == '[' || c == ']' {
		return "brackets"
	}
	return "parentheses"
}
