package grammar

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var commentSeeds = []string{
	"A tenant's document.",
	"two\nlines",
	"blank\n\nline",
	"  leading", "trailing ", "\ttab",
	`"looks like a Go string"`,
	`back\slash and 'single' and "double"`,
	"café, 東京",
	"--> statement-breakpoint",
	"a, b, 'c'",
	"\n", "x\r\ny", "\u2028",
	"a `backquote`",
}

// FuzzCommentMarkers checks that the markers CommentMarkers writes read
// back, line by line, as the text, and that a comment: option reads back
// as its text and stays one option in a db tag.
func FuzzCommentMarkers(f *testing.F) {
	for _, s := range commentSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if text == "" || !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
			return
		}
		var lines []string
		for _, m := range CommentMarkers(text) {
			if strings.ContainsAny(m, "\n\r") {
				t.Fatalf("CommentMarkers(%q) wrote a line break in %q", text, m)
			}
			// The marker as a comment holds it, after "//mizzle:comment".
			l, err := CommentLine(" " + m)
			if err != nil {
				t.Fatalf("CommentMarkers(%q) wrote %q, which reads as an error: %v", text, m, err)
			}
			lines = append(lines, l)
		}
		if got := strings.Join(lines, "\n"); got != text {
			t.Errorf("CommentMarkers(%q) reads back as %q", text, got)
		}

		opts, err := SplitOptions("c,comment:" + FormatCommentOption(text) + ",pk")
		if err != nil {
			t.Fatalf("comment:%s does not split: %v", FormatCommentOption(text), err)
		}
		if len(opts) != 3 || opts[1].Key != "comment" || opts[2].Key != "pk" {
			t.Fatalf("comment:%s splits as %+v", FormatCommentOption(text), opts)
		}
		got, oerr := CommentOption(opts[1].Value)
		// SplitOptions trims the value: text with blanks at either end is
		// inside the quotes, so nothing of it is lost.
		if oerr != nil || got != text {
			t.Errorf("comment:%s reads back as %q, %v", FormatCommentOption(text), got, oerr)
		}
	})
}

func TestCommentLine(t *testing.T) {
	for _, tc := range []struct{ args, want, err string }{
		{" A tenant's document. ", "A tenant's document.", ""},
		{"", "", ""},
		{` "two\nlines"`, "two\nlines", ""},
		{` "unterminated`, "", `a comment that starts with " is a Go string`},
		{` "a" b`, "", `a comment that starts with " is a Go string`},
		{` say "hi"`, `say "hi"`, ""},
	} {
		got, err := CommentLine(tc.args)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Msg, tc.err)):
			t.Errorf("CommentLine(%q) error = %v; want one containing %q", tc.args, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("CommentLine(%q) = %q, %v; want %q", tc.args, got, err, tc.want)
		}
	}
}

func TestCommentOption(t *testing.T) {
	for _, tc := range []struct {
		v, want string
		errOff  int // -1: no error
	}{
		{"'owning tenant'", "owning tenant", -1},
		{"'it''s'", "it's", -1},
		{"''", "", -1},
		{"owning tenant", "", 0},
		{"'open", "", 0},
		{"E'x'", "", 0},
		{"'a'b'", "", 2},
	} {
		got, err := CommentOption(tc.v)
		switch {
		case tc.errOff >= 0 && (err == nil || err.Off != tc.errOff):
			t.Errorf("CommentOption(%q) error = %v; want one at %d", tc.v, err, tc.errOff)
		case tc.errOff < 0 && (err != nil || got != tc.want):
			t.Errorf("CommentOption(%q) = %q, %v; want %q", tc.v, got, err, tc.want)
		}
	}
}
