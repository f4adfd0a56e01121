// Package sqlsplit splits a PostgreSQL script into its statements, cutting
// where the server and psql would: at semicolons outside quotes, comments,
// parentheses and the BEGIN ATOMIC ... END body of a function, so that a
// migrator can run statements one by one and say which one failed and where.
//
// It owns the lexical rules that decide what hides a semicolon: string
// constants ('...' with doubled quotes, E'...' with backslash escapes,
// U&'...', B'...', X'...', and strings continued across lines), dollar
// quotes ($$...$$ and $tag$...$tag$, but not a parameter $1 nor the '$'
// inside an identifier such as a$b), quoted identifiers ("..." and
// U&"..."), line comments and nested block comments, and psql's rule for
// BEGIN ATOMIC bodies. It also owns mapping PostgreSQL's error position back
// to a line and column, and deciding whether an expression can be written
// into a statement without ending it (CheckEmbeddable).
//
// It does not parse SQL and does not know what a statement means: it lexes
// just enough to find statement boundaries. Invalid SQL is split too, and
// left for the server to reject. It assumes standard_conforming_strings is
// on (the default since PostgreSQL 9.1), so that a backslash in '...' is an
// ordinary character. psql's backslash commands and variables are not
// recognised.
package sqlsplit

import (
	"iter"
	"strings"
	"unicode/utf8"
)

// Statement is one statement of a script.
type Statement struct {
	// Text is the statement as it must be sent to the server: from its
	// first token to its last, so without the terminating semicolon and
	// without the white space and comments around it. Comments between its
	// tokens are kept.
	Text string
	// Offset is the byte offset of Text in the script:
	// Text == script[Offset:Offset+len(Text)].
	Offset int
	// Line and Column are the 1-based position of Text's first byte in the
	// script. Column counts bytes, as go/token does, and lines end at "\n"
	// (a "\r\n" file counts lines as usual). When the script is a piece of
	// a file, such as the text between two breakpoints, a caller adds the
	// piece's own position.
	Line, Column int
}

// Split returns the statements of src in order.
//
// A statement ends at a semicolon outside quotes, comments and parentheses
// (so that the actions of CREATE RULE ... DO (...; ...) stay together), and
// outside the body of a SQL-standard function: in a statement that begins
// CREATE [OR REPLACE] FUNCTION or PROCEDURE, each BEGIN (and, inside one,
// CASE) outside parentheses opens a block that END closes, the heuristic psql
// uses (like psql, it takes BEGIN, CASE or END used as a name outside
// parentheses in such a statement for the key word). The last statement
// needs no semicolon. Statements with nothing but white space and comments
// (";;", a trailing comment) are left out.
//
// Split never fails. An unterminated quoted string, quoted identifier, dollar
// quote or block comment extends to the end of src, so that everything from
// the statement it is in to the end becomes one last statement, which the
// server will reject with a position pointing at the problem.
func Split(src string) []Statement {
	var (
		out    []Statement
		sc     = scanner{src: src}
		start  = -1 // offset of the current statement's first token; -1 before it
		end    int  // end of its last token
		parens int  // open parentheses
		begins int  // open BEGIN (and CASE) blocks of a function body
		words  int  // identifiers seen in the statement
		head   [4]byte
		lines  = lineCounter{src: src, line: 1}
	)
	flush := func() {
		if start >= 0 {
			line, col := lines.at(start)
			out = append(out, Statement{Text: src[start:end], Offset: start, Line: line, Column: col})
		}
		start, words, head = -1, 0, [4]byte{}
	}
	for {
		k, pos := sc.next()
		switch k {
		case eof:
			flush()
			return out
		case space, comment:
			continue
		case semicolon:
			if parens == 0 && begins == 0 {
				flush()
				continue
			}
		case lparen:
			parens++
		case rparen:
			// Unbalanced: the server will say so; do not let it hide later
			// semicolons. (psql does the same.)
			if parens > 0 {
				parens--
			}
		case ident:
			word := src[pos:sc.pos]
			// head holds the first letters of the statement's first four
			// identifiers when they are among the words that can begin
			// CREATE [OR REPLACE] FUNCTION|PROCEDURE, as psql records them.
			if words < len(head) {
				for _, w := range [...]string{"create", "function", "procedure", "or", "replace"} {
					if strings.EqualFold(word, w) {
						head[words] = w[0]
					}
				}
			}
			words++
			if parens == 0 && isRoutine(head) {
				switch {
				case strings.EqualFold(word, "begin"):
					begins++
				case strings.EqualFold(word, "case"):
					// CASE ends with END too, which must not be taken for
					// the end of the body.
					if begins > 0 {
						begins++
					}
				case strings.EqualFold(word, "end"):
					if begins > 0 {
						begins--
					}
				}
			}
		}
		if start < 0 {
			start = pos
		}
		end = sc.pos
	}
}

// isRoutine reports whether a statement's first identifiers are CREATE
// [OR REPLACE] FUNCTION or PROCEDURE.
func isRoutine(h [4]byte) bool {
	return h[0] == 'c' && (h[1] == 'f' || h[1] == 'p' ||
		h[1] == 'o' && h[2] == 'r' && (h[3] == 'f' || h[3] == 'p'))
}

// lineCounter turns increasing offsets into lines and columns, reading the
// text once.
type lineCounter struct {
	src       string
	off       int // offset up to which lines have been counted
	line      int // line at off
	lineStart int // offset of the line's first byte
}

func (c *lineCounter) at(off int) (line, col int) {
	seg := c.src[c.off:off]
	if n := strings.Count(seg, "\n"); n > 0 {
		c.line += n
		c.lineStart = c.off + strings.LastIndexByte(seg, '\n') + 1
	}
	c.off = off
	return c.line, off - c.lineStart + 1
}

// Pos returns the line and column in the script of the character at
// position in s.Text. position counts characters from 1, as PostgreSQL's
// error position does (pgconn.PgError.Position), not bytes; the column is in
// bytes, like Column. A position of 0 or less (the server gave none) is
// the statement's start, and one past the end of Text (an error at the end
// of input) is just after its last byte.
func (s Statement) Pos(position int32) (line, col int) {
	off := s.ErrorOffset(position) - s.Offset
	before := s.Text[:off]
	if i := strings.LastIndexByte(before, '\n'); i >= 0 {
		return s.Line + strings.Count(before, "\n"), off - i
	}
	return s.Line, s.Column + off
}

// ErrorOffset returns the byte offset in the script of the character at
// position in s.Text, position counting characters from 1 as in Pos: what
// a caller needs to quote the line the server's error points at.
func (s Statement) ErrorOffset(position int32) int {
	off := 0
	for n := int32(1); n < position && off < len(s.Text); n++ {
		_, size := utf8.DecodeRuneInString(s.Text[off:])
		off += size
	}
	return s.Offset + off
}

// Token is a token or a comment of a script, as Tokens yields it.
type Token struct {
	// Text is the token as written: a key word or identifier keeps its
	// case, a quoted identifier or string its quotes.
	Text string
	// Offset is the byte offset of Text in the script.
	Offset int
	// Word says Text is an unquoted identifier or key word.
	Word bool
	// Comment says Text is a whole comment, "--" line or "/* */" block.
	Comment bool
}

// Tokens yields the tokens and comments of src in order, skipping white
// space, by the same lexical rules as Split: a caller can read the key
// words that begin a statement, or the comments before it, without being
// fooled by quotes or comments. Operators may come one character at a
// time; an unterminated quote or comment is one last token.
func Tokens(src string) iter.Seq[Token] {
	return func(yield func(Token) bool) {
		sc := scanner{src: src}
		for {
			k, pos := sc.next()
			switch k {
			case eof:
				return
			case space:
				continue
			}
			if !yield(Token{Text: src[pos:sc.pos], Offset: pos, Word: k == ident, Comment: k == comment}) {
				return
			}
		}
	}
}
