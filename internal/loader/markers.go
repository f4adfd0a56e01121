package loader

import (
	"go/ast"
	"go/token"

	"github.com/mizzle/mizzle/internal/grammar"
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

// parseMarker reads a comment as a marker. ok is false for comments that are
// not mizzle directives.
func parseMarker(fset *token.FileSet, c *ast.Comment) (m *marker, ok bool) {
	name, args, off, ok := grammar.CutMarker(c.Text)
	if !ok {
		return nil, false
	}
	p := fset.Position(c.Slash)
	return &marker{
		Name: name,
		Args: args,
		pos:  schema.Position{Filename: p.Filename, Line: p.Line, Column: p.Column},
		off:  off,
	}, true
}
