package sqlsplit

import "strings"

// kind is the class of a token, as far as finding statement boundaries
// needs to tell tokens apart.
type kind uint8

const (
	eof     kind = iota
	space        // white space: not part of any statement
	comment      // a terminated comment: not part of any statement either
	semicolon
	lparen
	rparen
	ident // an unquoted identifier or key word, which the BEGIN ATOMIC rule reads
	other // anything else: literals, quoted identifiers, operators, and whatever is left unterminated
)

// scanner cuts SQL text into tokens following the rules of PostgreSQL's
// lexer (src/backend/parser/scan.l) wherever they decide what hides a
// semicolon; elsewhere it may cut coarser or finer than the server (an
// operator comes out one byte at a time), which makes no difference to where
// statements end.
type scanner struct {
	src string
	pos int // offset of the next unread byte
	// escapes makes '...' take backslash escapes, as the server reads it
	// with standard_conforming_strings off.
	escapes bool
	// open names what the last token left unterminated (a quoted string,
	// a block comment, ...), or is "".
	open string
}

// next returns the kind of the token at s.pos and advances past it; the
// token is s.src[start:s.pos].
func (s *scanner) next() (k kind, start int) {
	src, p := s.src, s.pos
	if p >= len(src) {
		return eof, p
	}
	start = p
	s.open = ""
	c := src[p]
	switch {
	case isSpace(c):
		p++
		for p < len(src) && isSpace(src[p]) {
			p++
		}
		k = space
	case c == '-' && p+1 < len(src) && src[p+1] == '-':
		// A line comment ends before the newline, \r included: the server
		// takes either as the end of a line.
		if i := strings.IndexAny(src[p+2:], "\n\r"); i >= 0 {
			p += 2 + i
		} else {
			p = len(src)
		}
		k = comment
	case c == '/' && p+1 < len(src) && src[p+1] == '*':
		var ok bool
		p, ok = blockComment(src, p+2)
		k = comment
		if !ok {
			// Left for the server to report rather than dropped: a file
			// whose end is swallowed by a comment is a mistake.
			k = other
			s.open = "block comment"
		}
	case c == '\'':
		var ok bool
		p, ok = quoted(src, p+1, s.escapes)
		k = other
		s.unterminated(ok, "quoted string")
	case c == '"':
		var ok bool
		p, ok = quotedIdent(src, p+1)
		k = other
		s.unterminated(ok, "quoted identifier")
	case c == '$':
		var ok bool
		p, ok = dollar(src, p)
		k = other
		s.unterminated(ok, "dollar quote")
	case c == ';':
		p++
		k = semicolon
	case c == '(':
		p++
		k = lparen
	case c == ')':
		p++
		k = rparen
	case isIdentStart(c):
		var ok bool
		p, k, ok = word(src, p)
		s.unterminated(ok, "quoted string")
	case isDigit(c):
		p = number(src, p)
		k = other
	default:
		// An operator character or anything the server rejects: one byte
		// at a time, so that "--" and "/*" inside an operator start a
		// comment as they do in scan.l's {operator} rule.
		p++
		k = other
	}
	s.pos = p
	return k, start
}

// unterminated records what the token being scanned left open, unless ok.
func (s *scanner) unterminated(ok bool, what string) {
	if !ok {
		s.open = what
	}
}

// word scans what starts with an identifier character at src[p]: a string
// with a prefix (E'...', U&'...', U&"...", B'...', X'...', N'...') or an
// identifier. ok is false for a string or quoted identifier that runs to
// the end of src.
func word(src string, p int) (end int, k kind, ok bool) {
	c := src[p]
	if p+1 < len(src) {
		switch next := src[p+1]; {
		case next == '\'' && (c == 'e' || c == 'E'):
			// The only strings in which a backslash escapes the quote.
			end, ok = quoted(src, p+2, true)
			return end, other, ok
		case next == '\'' && (c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N'):
			// The prefix is not an identifier (it must not count for BEGIN
			// ATOMIC); the string that follows is an ordinary one as far as
			// quotes go.
			return p + 1, other, true
		case next == '&' && (c == 'u' || c == 'U'):
			// U&'...' and U&"..." are quoted like '...' and "...": their
			// escapes use a backslash but never hide a quote, which is
			// doubled as usual.
			if p+2 < len(src) {
				switch src[p+2] {
				case '\'':
					end, ok = quoted(src, p+3, false)
					return end, other, ok
				case '"':
					end, ok = quotedIdent(src, p+3)
					return end, other, ok
				}
			}
			// A U& without a quote is no identifier either (scan.l's
			// {xufailed}).
			return p + 1, other, true
		}
	}
	return identEnd(src, p+1), ident, true
}

// identEnd returns the end of the identifier characters from src[p] on.
// They include '$', so "a$b" and "a$$" are identifiers and start no dollar
// quote.
func identEnd(src string, p int) int {
	for p < len(src) && isIdentCont(src[p]) {
		p++
	}
	return p
}

// number scans a numeric literal starting with the digit at src[p]. What
// matters is where it ends: identifier characters right after it, '$'
// included, belong to it (PostgreSQL 15 and later reject them as trailing
// junk, earlier versions read an identifier), so "1e$$" starts no dollar
// quote, while "1$$" does; and the e of 1e'...' is no string prefix, as in
// PostgreSQL 15 and later.
func number(src string, p int) int {
	p = digits(src, p)
	if p+1 < len(src) && src[p] == '.' && src[p+1] != '.' { // "1..2" is 1, "..", 2
		p = digits(src, p+1)
	}
	if p+1 < len(src) && (src[p] == 'e' || src[p] == 'E') {
		q := p + 1
		if q < len(src) && (src[q] == '+' || src[q] == '-') {
			q++
		}
		if q < len(src) && isDigit(src[q]) {
			p = digits(src, q)
		}
	}
	if p < len(src) && isIdentStart(src[p]) {
		p = identEnd(src, p+1)
	}
	return p
}

func digits(src string, p int) int {
	for p < len(src) && isDigit(src[p]) {
		p++
	}
	return p
}

// dollar scans what starts with the '$' at src[p]: a parameter ($1), a
// dollar-quoted string ($$...$$, $tag$...$tag$) or a lone '$'. ok is false
// for a dollar quote that is never closed.
func dollar(src string, p int) (end int, ok bool) {
	q := p + 1
	if q < len(src) && isDigit(src[q]) {
		return number(src, q), true // $1, and like a number any junk after it
	}
	if q < len(src) && isIdentStart(src[q]) {
		// A tag is an identifier without '$'.
		for q < len(src) && isIdentCont(src[q]) && src[q] != '$' {
			q++
		}
	}
	if q >= len(src) || src[q] != '$' {
		// "$tag" without its closing '$' is a '$' followed by an
		// identifier, as in scan.l's {dolqfailed} rule.
		return p + 1, true
	}
	delim := src[p : q+1]
	// The body ends at the first occurrence of the delimiter, wherever it
	// is: scan.l looks at every '$' in the body and nothing in between can
	// hide one.
	if i := strings.Index(src[q+1:], delim); i >= 0 {
		return q + 1 + i + len(delim), true
	}
	return len(src), false
}

// quoted scans the rest of a single-quoted string whose body starts at
// src[p], returning the end of the closing quote, or len(src) and false when
// there is none. A doubled quote stands for one quote; with backslash (E'...'
// strings) a backslash escapes the byte after it. Strings separated only by
// white space that includes a newline are one string (SQL's continuation),
// which matters because the continuation of an E'...' string still takes
// backslash escapes.
func quoted(src string, p int, backslash bool) (end int, ok bool) {
	for {
		var i int
		if backslash {
			i = strings.IndexAny(src[p:], `'\`)
		} else {
			i = strings.IndexByte(src[p:], '\'')
		}
		if i < 0 {
			return len(src), false
		}
		p += i
		if src[p] == '\\' {
			p += 2
			if p > len(src) {
				return len(src), false
			}
			continue
		}
		p++ // past the quote
		if p < len(src) && src[p] == '\'' {
			p++
			continue
		}
		if q, ok := continuation(src, p); ok {
			p = q + 1
			continue
		}
		return p, true
	}
}

// continuation reports whether the string that ended before src[p] goes on:
// white space and line comments containing at least one newline, then a
// quote, whose offset it returns.
func continuation(src string, p int) (quote int, ok bool) {
	newline := false
	for p < len(src) {
		switch c := src[p]; {
		case c == '\n' || c == '\r':
			newline = true
			p++
		case isSpace(c):
			p++
		case c == '-' && p+1 < len(src) && src[p+1] == '-':
			i := strings.IndexAny(src[p+2:], "\n\r")
			if i < 0 {
				return 0, false
			}
			p += 2 + i
		case c == '\'' && newline:
			return p, true
		default:
			return 0, false
		}
	}
	return 0, false
}

// quotedIdent scans the rest of a double-quoted identifier whose body starts
// at src[p]; a doubled quote stands for one.
func quotedIdent(src string, p int) (end int, ok bool) {
	for {
		i := strings.IndexByte(src[p:], '"')
		if i < 0 {
			return len(src), false
		}
		p += i + 1
		if p < len(src) && src[p] == '"' {
			p++
			continue
		}
		return p, true
	}
}

// blockComment scans the rest of a /* comment whose body starts at src[p].
// Block comments nest in PostgreSQL, unlike in C.
func blockComment(src string, p int) (end int, ok bool) {
	depth := 1
	for {
		i := strings.IndexAny(src[p:], "*/")
		if i < 0 {
			return len(src), false
		}
		p += i
		switch {
		case src[p] == '/' && p+1 < len(src) && src[p+1] == '*':
			depth++
			p += 2
		case src[p] == '*' && p+1 < len(src) && src[p+1] == '/':
			depth--
			p += 2
			if depth == 0 {
				return p, true
			}
		default:
			p++
		}
	}
}

// isSpace reports the bytes scan.l takes for white space. Unicode spaces are
// not among them: bytes from 0x80 up are identifier characters.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isIdentStart reports whether c can start an identifier; every byte of a
// multibyte UTF-8 character can.
func isIdentStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentCont(c byte) bool {
	return isIdentStart(c) || isDigit(c) || c == '$'
}
