package loader

import (
	"fmt"
	"go/ast"
	"go/token"
	"regexp"
	"strings"

	"github.com/mizzle/mizzle/internal/sqlscan"
	"github.com/mizzle/mizzle/schema"
)

// A marker is one //mizzle:NAME ARGS directive in a comment.
type marker struct {
	Name string
	Args string // the text after the name, untrimmed
	pos  schema.Position
	off  int // offset of Args in the comment text
}

// at returns the position of byte off of the marker's Args. A // comment is
// one line, so the column is the comment's column plus the offset.
func (m *marker) at(off int) schema.Position {
	p := m.pos
	p.Column += m.off + off
	return p
}

// markerPrefix starts every mizzle directive. Directives have no space after
// "//", which is also why ast.CommentGroup.Text leaves them out of docs.
const markerPrefix = "//mizzle:"

// markerDoc gives each marker's syntax, quoted in error messages.
var markerDoc = []struct{ Name, Syntax string }{
	{"table", "//mizzle:table [NAME]"},
	{"schema", "//mizzle:schema NAME"},
	{"index", "//mizzle:index NAME [USING method] (elements) [WHERE predicate]"},
	{"unique", "//mizzle:unique NAME [USING method] (elements) [NULLS NOT DISTINCT] [WHERE predicate]"},
	{"check", "//mizzle:check NAME (expression)"},
	{"pk", "//mizzle:pk [NAME] (columns)"},
	{"fk", "//mizzle:fk NAME (columns) REFERENCES Type (columns) [ON DELETE action] [ON UPDATE action]"},
	{"was", "//mizzle:was OLDNAME"},
	{"enum", "//mizzle:enum [NAME]"},
}

func markerSyntax(name string) string {
	for _, d := range markerDoc {
		if d.Name == name {
			return d.Syntax
		}
	}
	return ""
}

func markerNames() []string {
	var names []string
	for _, d := range markerDoc {
		names = append(names, d.Name)
	}
	return names
}

// parseMarker reads a comment as a marker. ok is false for comments that are
// not mizzle directives.
func parseMarker(fset *token.FileSet, c *ast.Comment) (m *marker, ok bool) {
	if !strings.HasPrefix(c.Text, markerPrefix) {
		return nil, false
	}
	rest := c.Text[len(markerPrefix):]
	n := 0
	for n < len(rest) && (isIdentByte(rest[n])) {
		n++
	}
	p := fset.Position(c.Slash)
	return &marker{
		Name: rest[:n],
		Args: rest[n:],
		pos:  schema.Position{Filename: p.Filename, Line: p.Line, Column: p.Column},
		off:  len(markerPrefix) + n,
	}, true
}

// looksLikeMarker catches "// mizzle:table" (with a space), which Go treats
// as prose and a user means as a marker.
var looksLikeMarker = regexp.MustCompile(`^//\s+mizzle:[a-z]`)

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// argScanner reads a marker's arguments: words, double-quoted names,
// parenthesised groups and keywords. Errors carry the offset they concern.
type argScanner struct {
	s   string
	off int
}

func (sc *argScanner) skipSpace() {
	for sc.off < len(sc.s) && (sc.s[sc.off] == ' ' || sc.s[sc.off] == '\t') {
		sc.off++
	}
}

func (sc *argScanner) eof() bool {
	sc.skipSpace()
	return sc.off >= len(sc.s)
}

// name reads a bare word (up to space or "(") or a double-quoted identifier.
func (sc *argScanner) name() (string, int, error) {
	sc.skipSpace()
	start := sc.off
	if start >= len(sc.s) {
		return "", start, nil
	}
	if sc.s[start] == '"' {
		i := start + 1
		var b strings.Builder
		for {
			if i >= len(sc.s) {
				return "", start, &offsetError{start, "unterminated quoted name"}
			}
			if sc.s[i] == '"' {
				if i+1 < len(sc.s) && sc.s[i+1] == '"' {
					b.WriteByte('"')
					i += 2
					continue
				}
				break
			}
			b.WriteByte(sc.s[i])
			i++
		}
		sc.off = i + 1
		if b.Len() == 0 {
			// Not "no name given": PostgreSQL has no empty names, and
			// falling back to the default would hide the mistake.
			return "", start, &offsetError{start, `zero-length quoted name ""`}
		}
		return b.String(), start, nil
	}
	for sc.off < len(sc.s) && sc.s[sc.off] != ' ' && sc.s[sc.off] != '\t' && sc.s[sc.off] != '(' && sc.s[sc.off] != ')' {
		sc.off++
	}
	return sc.s[start:sc.off], start, nil
}

// group reads a balanced parenthesised group and returns its inside and the
// inside's offset.
func (sc *argScanner) group(what string) (string, int, error) {
	sc.skipSpace()
	if sc.off >= len(sc.s) || sc.s[sc.off] != '(' {
		got := "end of line"
		if sc.off < len(sc.s) {
			w := sc.s[sc.off:]
			if i := strings.IndexAny(w, " \t("); i > 0 {
				w = w[:i]
			}
			got = fmt.Sprintf("%q", w)
		}
		return "", sc.off, &offsetError{sc.off, fmt.Sprintf("expected \"(\" before %s, found %s", what, got)}
	}
	open := sc.off
	end, quote := sqlscan.ClosingParen(sc.s, open)
	if end >= 0 {
		sc.off = end + 1
		return sc.s[open+1 : end], open + 1, nil
	}
	if quote != 0 {
		return "", open, &offsetError{open, fmt.Sprintf("unterminated %c quote in %s", quote, what)}
	}
	return "", open, &offsetError{open, fmt.Sprintf("unbalanced parentheses: \"(\" of %s is never closed", what)}
}

// keyword consumes the given words (case-insensitive, separated by blanks)
// if they come next.
func (sc *argScanner) keyword(words ...string) bool {
	save := sc.off
	for _, w := range words {
		sc.skipSpace()
		end := sc.off + len(w)
		if end > len(sc.s) || !strings.EqualFold(sc.s[sc.off:end], w) ||
			(end < len(sc.s) && isIdentByte(sc.s[end])) {
			sc.off = save
			return false
		}
		sc.off = end
	}
	return true
}

// rest returns the remaining text, trimmed, with its offset.
func (sc *argScanner) rest() (string, int) {
	sc.skipSpace()
	r := strings.TrimRight(sc.s[sc.off:], " \t")
	off := sc.off
	sc.off = len(sc.s)
	return r, off
}

// element is a parsed index element with the offset of its text.
type element struct {
	schema.IndexElem
	off int
}

var bareIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// parseElements splits the inside of an element list at top-level commas and
// reads each element: a column or an expression, then an optional operator
// class, ASC or DESC, and NULLS FIRST or LAST.
func parseElements(inside string, base int) ([]element, error) {
	var out []element
	for _, part := range sqlscan.Split(inside, ',') {
		text := strings.TrimSpace(part.Text)
		off := base + part.Off + leadingSpace(part.Text)
		if text == "" {
			return nil, &offsetError{off, "empty element in list"}
		}
		toks := sqlscan.Split(text, ' ')
		words := make([]string, 0, len(toks))
		for _, t := range toks {
			if t.Text != "" {
				words = append(words, t.Text)
			}
		}
		var e element
		e.off = off
		if n := len(words); n >= 3 && strings.EqualFold(words[n-2], "nulls") {
			switch strings.ToLower(words[n-1]) {
			case "first", "last":
				e.Nulls = strings.ToLower(words[n-1])
				words = words[:n-2]
			default:
				return nil, &offsetError{off, fmt.Sprintf("NULLS must be followed by FIRST or LAST, not %q", words[n-1])}
			}
		}
		if n := len(words); n >= 2 {
			switch strings.ToLower(words[n-1]) {
			case "asc":
				words = words[:n-1]
			case "desc":
				e.Desc = true
				words = words[:n-1]
			}
		}
		// NULLS LAST is the default for ascending keys and NULLS FIRST for
		// descending ones; PostgreSQL keeps no trace of either, so neither
		// does the model, or a schema spelling them out would never match
		// its own database.
		if e.Nulls == "last" && !e.Desc || e.Nulls == "first" && e.Desc {
			e.Nulls = ""
		}
		if n := len(words); n == 2 && bareIdent.MatchString(words[1]) && (isColumnWord(words[0]) || strings.HasSuffix(words[0], ")")) {
			e.Opclass = words[1]
			words = words[:1]
		}
		if len(words) == 1 && isColumnWord(words[0]) {
			e.Column = unquoteName(words[0])
			if e.Column == "" {
				return nil, &offsetError{off, "zero-length quoted name \"\""}
			}
		} else {
			e.Expr = strings.Join(words, " ")
		}
		out = append(out, e)
	}
	return out, nil
}

func isColumnWord(w string) bool {
	if bareIdent.MatchString(w) {
		return true
	}
	return len(w) >= 2 && w[0] == '"' && w[len(w)-1] == '"'
}

func unquoteName(w string) string {
	if len(w) >= 2 && w[0] == '"' && w[len(w)-1] == '"' {
		return strings.ReplaceAll(w[1:len(w)-1], `""`, `"`)
	}
	return w
}

// parseAction reads a referential action keyword sequence.
func parseAction(sc *argScanner) (schema.Action, bool) {
	switch {
	case sc.keyword("cascade"):
		return schema.Cascade, true
	case sc.keyword("restrict"):
		return schema.Restrict, true
	case sc.keyword("set", "null"):
		return schema.SetNull, true
	case sc.keyword("set", "default"):
		return schema.SetDefault, true
	case sc.keyword("no", "action"):
		return schema.NoAction, true
	}
	return "", false
}

// actionFromTag reads an ondelete:/onupdate: value.
func actionFromTag(v string) (schema.Action, bool) {
	sc := &argScanner{s: v}
	a, ok := parseAction(sc)
	if !ok || !sc.eof() {
		return "", false
	}
	return a, true
}
