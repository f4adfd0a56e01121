package grammar

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/internal/sqlsplit"
	"github.com/mizzle/mizzle/schema"
)

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
	{"rls", "//mizzle:rls [force]"},
	{"policy", "//mizzle:policy NAME [was:OLDNAME] [AS PERMISSIVE|RESTRICTIVE] [FOR ALL|SELECT|INSERT|UPDATE|DELETE] [TO role, ...] [USING (expression)] [WITH CHECK (expression)]"},
	{"comment", "//mizzle:comment TEXT"},
	{"extension", "//mizzle:extension NAME [SCHEMA schema] [VERSION version]"},
	{"sequence", "//mizzle:sequence [schema.]NAME [AS smallint|integer|bigint] [START [WITH] n] [INCREMENT [BY] n] [MINVALUE n | NO MINVALUE] [MAXVALUE n | NO MAXVALUE] [CACHE n] [[NO] CYCLE] [WAS OLDNAME]"},
	{"function", "//mizzle:function NAME file:PATH | AS constName"},
	{"trigger", "//mizzle:trigger NAME BEFORE|AFTER event [OR event ...] [FOR EACH ROW|STATEMENT] [WHEN (condition)] EXECUTE FUNCTION name([argument, ...])"},
	{"partition", "//mizzle:partition BY RANGE|LIST|HASH (columns)"},
	{"partition-of", "//mizzle:partition-of NAME FOR VALUES FROM (values) TO (values) | FOR VALUES IN (values) | FOR VALUES WITH (MODULUS m, REMAINDER r) | DEFAULT"},
	{"view", "//mizzle:view [schema.]NAME [WITH (security_invoker[, security_barrier][, check_option=local|cascaded])] AS constName"},
	{"materialized-view", "//mizzle:materialized-view [schema.]NAME [WITH NO DATA] AS constName"},
}

// MarkerSyntax returns the syntax of the marker name, as error messages
// quote it, or "" for a name that is no marker.
func MarkerSyntax(name string) string {
	for _, d := range markerDoc {
		if d.Name == name {
			return d.Syntax
		}
	}
	return ""
}

// MarkerNames returns the names of the markers, to suggest one for a
// misspelt name.
func MarkerNames() []string {
	var names []string
	for _, d := range markerDoc {
		names = append(names, d.Name)
	}
	return names
}

// LooksLikeMarker catches "// mizzle:table" (with a space), which Go
// treats as prose and a user means as a marker.
func LooksLikeMarker(comment string) bool { return looksLikeMarker.MatchString(comment) }

var looksLikeMarker = regexp.MustCompile(`^//\s+mizzle:[a-z]`)

// CutMarker reads a comment's text as a marker: its name (the identifier
// after the prefix, whose words may be joined by hyphens, as in
// partition-of) and its arguments, the rest, untrimmed, which start at
// byte argsOff of the comment. ok is false for a comment that is not a
// mizzle directive.
func CutMarker(comment string) (name, args string, argsOff int, ok bool) {
	rest, ok := strings.CutPrefix(comment, markerPrefix)
	if !ok {
		return "", "", 0, false
	}
	n := 0
	// A name is an identifier, its words joined by "-"
	// (materialized-view).
	for n < len(rest) && (isIdentByte(rest[n]) || rest[n] == '-' && n > 0 && n+1 < len(rest) && isIdentByte(rest[n+1])) {
		n++
	}
	return rest[:n], rest[n:], len(markerPrefix) + n, true
}

// Scanner reads a marker's arguments: words, double-quoted names,
// parenthesised groups and keywords. Errors are *OffsetError, at the byte
// of the arguments they concern.
type Scanner struct {
	s   string
	off int
}

// NewScanner returns a Scanner reading args, a marker's text after its name.
func NewScanner(args string) *Scanner { return &Scanner{s: args} }

func (sc *Scanner) skipSpace() {
	for sc.off < len(sc.s) && (sc.s[sc.off] == ' ' || sc.s[sc.off] == '\t') {
		sc.off++
	}
}

// EOF reports whether only blanks are left.
func (sc *Scanner) EOF() bool {
	sc.skipSpace()
	return sc.off >= len(sc.s)
}

// Name reads a bare word (up to space or "(") or a double-quoted identifier.
func (sc *Scanner) Name() (string, int, error) {
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
				return "", start, &OffsetError{start, "unterminated quoted name"}
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
			return "", start, &OffsetError{start, `zero-length quoted name ""`}
		}
		return b.String(), start, nil
	}
	for sc.off < len(sc.s) && sc.s[sc.off] != ' ' && sc.s[sc.off] != '\t' && sc.s[sc.off] != '(' && sc.s[sc.off] != ')' {
		sc.off++
	}
	return sc.s[start:sc.off], start, nil
}

// NameList reads one or more names (as Name reads them) separated by
// commas, with the offset of each.
func (sc *Scanner) NameList() ([]string, []int, error) {
	var names []string
	var offs []int
	for {
		sc.skipSpace()
		start := sc.off
		var name string
		if start < len(sc.s) && sc.s[start] == '"' {
			n, _, err := sc.Name()
			if err != nil {
				return nil, nil, err
			}
			name = n
		} else {
			for sc.off < len(sc.s) && !strings.ContainsRune(" \t(),", rune(sc.s[sc.off])) {
				sc.off++
			}
			name = sc.s[start:sc.off]
		}
		if name == "" {
			return nil, nil, &OffsetError{start, "expected a name"}
		}
		names = append(names, name)
		offs = append(offs, start)
		sc.skipSpace()
		if sc.off < len(sc.s) && sc.s[sc.off] == ',' {
			sc.off++
			continue
		}
		return names, offs, nil
	}
}

// Option reads a word made of prefix, such as "was:", and a name (bare or
// double-quoted, as Name reads it) right after it, when the next word
// starts with prefix (exactly, case included, as a db tag's options are
// spelled). found reports whether it did; value is "" when no name follows
// at once, and off is where the name is, or would be.
func (sc *Scanner) Option(prefix string) (value string, off int, found bool, err error) {
	sc.skipSpace()
	if !strings.HasPrefix(sc.s[sc.off:], prefix) {
		return "", sc.off, false, nil
	}
	sc.off += len(prefix)
	if sc.off >= len(sc.s) || strings.IndexByte(" \t()", sc.s[sc.off]) >= 0 {
		return "", sc.off, true, nil
	}
	value, off, err = sc.Name()
	return value, off, true, err
}

// Group reads a balanced parenthesised group and returns its inside and the
// inside's offset.
func (sc *Scanner) Group(what string) (string, int, error) {
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
		return "", sc.off, &OffsetError{sc.off, fmt.Sprintf("expected \"(\" before %s, found %s", what, got)}
	}
	open := sc.off
	end, unterminated := sqlsplit.ClosingParen(sc.s, open)
	if end >= 0 {
		sc.off = end + 1
		return sc.s[open+1 : end], open + 1, nil
	}
	if unterminated != "" {
		return "", open, &OffsetError{open, fmt.Sprintf("unterminated %s in %s", unterminated, what)}
	}
	return "", open, &OffsetError{open, fmt.Sprintf("unbalanced parentheses: \"(\" of %s is never closed", what)}
}

// Keyword consumes the given words (case-insensitive, separated by blanks)
// if they come next.
func (sc *Scanner) Keyword(words ...string) bool {
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

// Offset returns the offset of what comes next, after blanks.
func (sc *Scanner) Offset() int {
	sc.skipSpace()
	return sc.off
}

// Rest returns the remaining text, trimmed, with its offset.
func (sc *Scanner) Rest() (string, int) {
	sc.skipSpace()
	r := strings.TrimRight(sc.s[sc.off:], " \t")
	off := sc.off
	sc.off = len(sc.s)
	return r, off
}

// Element is an index element read by ParseElements, with the offset of
// its text.
type Element struct {
	schema.IndexElem
	Off int
}

var bareIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// ParseElements splits the inside of an element list at top-level commas and
// reads each element: a column or an expression, then an optional operator
// class, ASC or DESC, and NULLS FIRST or LAST.
func ParseElements(inside string, base int) ([]Element, error) {
	var out []Element
	for _, part := range sqlsplit.SplitList(inside) {
		text := strings.TrimSpace(part.Text)
		off := base + part.Offset + LeadingSpace(part.Text)
		if text == "" {
			return nil, &OffsetError{off, "empty element in list"}
		}
		var words []string
		for _, w := range sqlsplit.Fields(text) {
			words = append(words, w.Text)
		}
		var e Element
		e.Off = off
		if n := len(words); n >= 3 && strings.EqualFold(words[n-2], "nulls") {
			switch strings.ToLower(words[n-1]) {
			case "first", "last":
				e.Nulls = strings.ToLower(words[n-1])
				words = words[:n-2]
			default:
				return nil, &OffsetError{off, fmt.Sprintf("NULLS must be followed by FIRST or LAST, not %q", words[n-1])}
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
				return nil, &OffsetError{off, "zero-length quoted name \"\""}
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

// ParseAction reads a referential action keyword sequence.
func ParseAction(sc *Scanner) (schema.Action, bool) {
	switch {
	case sc.Keyword("cascade"):
		return schema.Cascade, true
	case sc.Keyword("restrict"):
		return schema.Restrict, true
	case sc.Keyword("set", "null"):
		return schema.SetNull, true
	case sc.Keyword("set", "default"):
		return schema.SetDefault, true
	case sc.Keyword("no", "action"):
		return schema.NoAction, true
	}
	return "", false
}

// ActionFromTag reads an ondelete:/onupdate: value.
func ActionFromTag(v string) (schema.Action, bool) {
	sc := NewScanner(v)
	a, ok := ParseAction(sc)
	if !ok || !sc.EOF() {
		return "", false
	}
	return a, true
}

// IsBareIdent reports whether s is an identifier that the grammar reads
// as a name without quotes, such as an operator class or an index method.
func IsBareIdent(s string) bool { return bareIdent.MatchString(s) }

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Name writes a name as a marker's argument: bare when Scanner.Name reads
// it back whole, else double-quoted.
func Name(name string) string {
	if name == "" || strings.ContainsAny(name, " \t()\"") {
		return quote.Ident(name)
	}
	return name
}

var lowerIdent = regexp.MustCompile(`^[a-z_][a-z0-9_$]*$`)

// ColumnRef writes a column in an element list: bare when it is a
// lower-case identifier, double-quoted otherwise, as in SQL.
func ColumnRef(name string) string {
	if lowerIdent.MatchString(name) {
		return name
	}
	return quote.Ident(name)
}

// FormatElement writes an index element as an element list has it.
// ParseElements may read the text back as another element (an expression
// ending in DESC, say, would lose its DESC to the element): a writer that
// needs the same element back parses what it wrote and compares.
func FormatElement(e schema.IndexElem) string {
	text := e.Expr
	if e.Column != "" {
		text = ColumnRef(e.Column)
	}
	if e.Opclass != "" {
		text += " " + e.Opclass
	}
	if e.Desc {
		text += " DESC"
	}
	if e.Nulls != "" {
		text += " NULLS " + strings.ToUpper(e.Nulls)
	}
	return text
}

// ParseElement reads text as one index element, as ParseElements reads
// each of a list's.
func ParseElement(text string) (schema.IndexElem, error) {
	els, err := ParseElements(text, 0)
	if err != nil {
		return schema.IndexElem{}, err
	}
	if len(els) != 1 {
		return schema.IndexElem{}, &OffsetError{els[1].Off, fmt.Sprintf("%d elements where one was expected", len(els))}
	}
	return els[0].IndexElem, nil
}
