package grammar

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A comment (COMMENT ON) is written two ways.
//
// On a table or an enum type, as //mizzle:comment markers in the type's doc
// comment: each marker is one line of the comment, its text after the
// marker's name trimmed of blanks, and the lines of several markers are
// joined with line breaks, in order. A marker whose whole text is a Go
// double-quoted string ("...\n...") stands for the string's value, so any
// text, leading blanks and all, can be written; a marker with no text is
// an empty line.
//
// On a column, as the db tag's comment:'TEXT' option: TEXT is quoted as an
// SQL string constant, a quote inside doubled ('it''s'), so that a comma
// inside does not end the option. The tag's own escapes (\n in a
// double-quoted tag value) write line breaks.

// CommentLine reads one //mizzle:comment marker's arguments as a line of
// the comment.
func CommentLine(args string) (string, *OffsetError) {
	text := strings.TrimSpace(args)
	off := LeadingSpace(args)
	if strings.HasPrefix(text, `"`) {
		v, err := strconv.Unquote(text)
		if err != nil {
			return "", &OffsetError{off, `a comment that starts with " is a Go string and must be one, "like this" (write the text without the quotes otherwise)`}
		}
		return v, nil
	}
	return text, nil
}

// CommentMarkers writes text as the arguments of the //mizzle:comment
// markers that CommentLine reads back as it: one plain marker per line when
// that reads back the same, else one marker holding a Go string.
func CommentMarkers(text string) []string {
	lines := strings.Split(text, "\n")
	plain := true
	for _, l := range lines {
		if l == "" || strings.TrimSpace(l) != l || strings.HasPrefix(l, `"`) || !printable(l) {
			plain = false
			break
		}
	}
	if plain {
		return lines
	}
	return []string{strconv.Quote(text)}
}

// printable reports whether s is valid UTF-8 with no control characters,
// which a Go line comment can hold as they are.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError || r == '\ufeff' {
			return false
		}
	}
	return true
}

// CommentOption reads a comment: option's value, an SQL string constant
// ('text', a quote inside doubled).
func CommentOption(v string) (string, *OffsetError) {
	const syntax = "comment: takes the text in single quotes, a quote inside doubled: comment:'it''s'"
	if len(v) < 2 || v[0] != '\'' || v[len(v)-1] != '\'' {
		return "", &OffsetError{0, syntax}
	}
	inner := v[1 : len(v)-1]
	for i := 0; i < len(inner); i++ {
		if inner[i] != '\'' {
			continue
		}
		if i+1 < len(inner) && inner[i+1] == '\'' {
			i++
			continue
		}
		return "", &OffsetError{i + 1, syntax}
	}
	return strings.ReplaceAll(inner, "''", "'"), nil
}

// FormatCommentOption writes text as a comment: option's value, which
// CommentOption reads back as text.
func FormatCommentOption(text string) string {
	return "'" + strings.ReplaceAll(text, "'", "''") + "'"
}
