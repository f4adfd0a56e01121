package loader

import (
	"go/ast"
	"go/token"
	"regexp"
	"strings"

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
