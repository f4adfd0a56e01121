package loader

import (
	"strings"
	"unicode/utf8"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/schema"
)

// typeComment reads the //mizzle:comment markers of a table's or enum's
// declaration: one line of the comment each, in order (see
// grammar.CommentLine).
func (l *loader) typeComment(d *typeDecl) string {
	var lines []string
	var first *marker
	for _, mk := range d.markers {
		if mk.Name != "comment" {
			continue
		}
		if first == nil {
			first = mk
		}
		line, err := grammar.CommentLine(mk.Args)
		if err != nil {
			l.markerError(mk, err)
			continue
		}
		if msg := badComment(line); msg != "" {
			l.errs.Addf(mk.at(grammar.LeadingSpace(mk.Args)), "//mizzle:comment: the text %s", msg)
			continue
		}
		lines = append(lines, line)
	}
	text := strings.Join(lines, "\n")
	if first != nil && strings.TrimSpace(text) == "" && len(lines) > 0 {
		// PostgreSQL takes an empty comment for none: say so rather than
		// declare a comment that never reaches the database.
		l.errs.Addf(first.pos, "//mizzle:comment needs a text; syntax: %s", grammar.MarkerSyntax("comment"))
		return ""
	}
	return text
}

// columnComment reads a column's comment: option.
func (l *loader) columnComment(o grammar.TagOption, at func(int) schema.Position) (string, bool) {
	text, err := grammar.CommentOption(o.Value)
	if err != nil {
		l.errs.Addf(at(o.ValOff+err.Off), "%s", err.Msg)
		return "", false
	}
	if msg := badComment(text); msg != "" {
		l.errs.Addf(at(o.ValOff), "comment: the text %s", msg)
		return "", false
	}
	if strings.TrimSpace(text) == "" {
		l.errs.Addf(at(o.ValOff), "comment: needs a text: PostgreSQL keeps no empty comment")
		return "", false
	}
	return text, true
}

// badComment says what makes s impossible as PostgreSQL text, or returns
// "".
func badComment(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "holds a NUL byte, which PostgreSQL text cannot"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	}
	return ""
}
