package sqlsplit

// An EmbedError says why a piece of SQL cannot be written into a
// statement. Offset is the byte of the piece it concerns.
type EmbedError struct {
	Offset int
	Msg    string
}

func (e *EmbedError) Error() string { return e.Msg }

// CheckEmbeddable reports whether src, an expression that is written into a
// statement around it (after DEFAULT, inside CHECK (...), after WHERE),
// stays inside that statement: whatever the expression means, it must not
// end the statement, close a parenthesis it did not open, or hide what
// follows it. It returns an *EmbedError for the first of
//
//   - a semicolon outside quotes and comments (inside parentheses too:
//     no expression has one there);
//   - a ")" that closes more than src opened, or a "(" never closed;
//   - a quoted string, quoted identifier, dollar quote or block comment
//     left open;
//   - a -- comment, which would hide the rest of the line src is written
//     on.
//
// src must pass under both readings of '...' (standard_conforming_strings
// on and off), so that a backslash before a quote cannot make one
// constant for one server and a constant followed by SQL for another.
func CheckEmbeddable(src string) error {
	if err := checkEmbeddable(src, false); err != nil {
		return err
	}
	if err := checkEmbeddable(src, true); err != nil {
		err.Msg += ` when a backslash escapes a quote, as with standard_conforming_strings off: write a string holding a backslash as E'...', with \\ for each backslash`
		return err
	}
	return nil
}

func checkEmbeddable(src string, escapes bool) *EmbedError {
	sc := scanner{src: src, escapes: escapes}
	var opens []int // offsets of the open parentheses
	for {
		k, pos := sc.next()
		if sc.open != "" {
			return &EmbedError{pos, "unterminated " + sc.open}
		}
		switch k {
		case eof:
			if len(opens) > 0 {
				return &EmbedError{opens[len(opens)-1], `unbalanced parentheses: "(" is never closed`}
			}
			return nil
		case space, comment:
			if src[pos] == '-' {
				return &EmbedError{pos, "a -- comment would hide the rest of the line the expression is written on; use /* ... */"}
			}
		case semicolon:
			return &EmbedError{pos, "a semicolon outside quotes would end the statement the expression is written into"}
		case lparen:
			opens = append(opens, pos)
		case rparen:
			if len(opens) == 0 {
				return &EmbedError{pos, `unbalanced parentheses: ")" without "("`}
			}
			opens = opens[:len(opens)-1]
		}
	}
}
