package schema

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Position is a place in a source file. Line and Column are 1-based; Column
// counts bytes, as go/token does.
type Position struct {
	Filename string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"col,omitempty"`
}

// IsValid reports whether the position names a line.
func (p Position) IsValid() bool { return p.Line > 0 }

// String returns "file:line:col", dropping the parts that are unknown.
func (p Position) String() string {
	s := p.Filename
	if p.IsValid() {
		if s != "" {
			s += ":"
		}
		s += fmt.Sprintf("%d", p.Line)
		if p.Column > 0 {
			s += fmt.Sprintf(":%d", p.Column)
		}
	}
	if s == "" {
		s = "-"
	}
	return s
}

// Rel returns the position with its file name made relative to dir when the
// file lies below dir, which keeps messages short and goldens portable.
func (p Position) Rel(dir string) Position {
	if p.Filename == "" || !filepath.IsAbs(p.Filename) {
		return p
	}
	// A file named "..x" below dir is inside it: only a ".." element leaves.
	if rel, err := filepath.Rel(dir, p.Filename); err == nil && rel != ".." &&
		!strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		p.Filename = rel
	}
	return p
}

// Error is a mistake at a position in a file: a schema package's source,
// a migration, the migrations journal. It is mizzle's one positioned
// diagnostic, like go/scanner.Error or analysis.Diagnostic: the loader,
// the migrations folder and the migrator report with it, and an error that
// carries more (a statement PostgreSQL refused) has a Position too.
type Error struct {
	Pos Position
	Msg string
	// Category says which check found the mistake when a caller gathers
	// several kinds ("schema", "folder", "history", "drift" in mizzle
	// check); empty when the context tells.
	Category string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList is a list of mistakes, each at its position. The zero value is
// an empty list ready to use.
type ErrorList []*Error

// Add appends an error at pos.
func (l *ErrorList) Add(pos Position, msg string) {
	*l = append(*l, &Error{Pos: pos, Msg: msg})
}

// Addf appends a formatted error at pos.
func (l *ErrorList) Addf(pos Position, format string, args ...any) {
	l.Add(pos, fmt.Sprintf(format, args...))
}

// Sort orders the list by file, line, column and message, and removes exact
// duplicates, so output is stable however the errors were found.
func (l ErrorList) Sort() ErrorList {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.Pos.Filename, b.Pos.Filename),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
	return slices.CompactFunc(l, func(a, b *Error) bool { return *a == *b })
}

// Error returns the first error and how many more there are, like
// go/scanner.ErrorList.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
