package grammar

import (
	"strconv"
	"strings"
)

// QualifiedName reads a name that may be qualified by its schema
// (schema.name), each part bare or double-quoted, and returns both parts
// (schemaName empty when not given) with the offset of the whole.
func (sc *Scanner) QualifiedName() (schemaName, name string, off int, err error) {
	sc.skipSpace()
	off = sc.off
	quoted := off < len(sc.s) && sc.s[off] == '"'
	first, _, err := sc.Name()
	if err != nil || first == "" {
		return "", first, off, err
	}
	if !quoted {
		// A bare word runs up to a blank, so it holds the dot.
		schemaName, rest, dotted := strings.Cut(first, ".")
		if !dotted {
			return "", first, off, nil
		}
		if schemaName == "" || rest == "" || strings.ContainsAny(rest, `."`) {
			return "", "", off, &OffsetError{off, "expected a name or schema.name, found " + strconv.Quote(first)}
		}
		return schemaName, rest, off, nil
	}
	if sc.off < len(sc.s) && sc.s[sc.off] == '.' {
		sc.off++
		n, noff, err := sc.Name()
		if err != nil {
			return "", "", off, err
		}
		if n == "" {
			return "", "", off, &OffsetError{noff, "expected a name after the dot"}
		}
		return first, n, off, nil
	}
	return "", first, off, nil
}

// Int reads a whole number (an optional sign, then digits) that fits in
// 64 bits, with its offset; ok is false, and nothing is read, when what
// comes next is not one (text is then the word found, for the message).
func (sc *Scanner) Int() (n int64, text string, off int, ok bool) {
	save := sc.off
	off = sc.Offset()
	w, _, err := sc.Name()
	if err != nil || w == "" || sc.s[off] == '"' {
		sc.off = save
		return 0, w, off, false
	}
	n, err = strconv.ParseInt(strings.TrimPrefix(w, "+"), 10, 64)
	if err != nil || strings.HasPrefix(w, "+-") {
		sc.off = save
		return 0, w, off, false
	}
	return n, w, off, true
}
