package sqlsplit

import (
	"slices"
	"strings"
	"testing"
)

// FuzzSplit checks the properties that hold whatever the input: Split does
// not panic; every statement is the script's own bytes at its offset and
// position, and only white space, comments and semicolons lie outside the
// statements (checkInvariants); joining the statements with semicolons and
// splitting again gives them back; Pos stays within the statement; and
// Tokens covers the script, in order, leaving out only white space.
func FuzzSplit(f *testing.F) {
	for _, tt := range splitTests {
		f.Add(tt.src)
	}
	for _, s := range []string{
		"E'a'\n'\\'", "U&'", "u&\"", "$", "$$", "$a", "$a$", "$1$", "1.e", "1e+", "/*/", "/**/", "--", "-",
		"create or replace function f() begin atomic case end; end", "CREATE PROCEDURE p() BEGIN (;) END;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts := Split(src)
		checkInvariants(t, src, stmts)

		texts := make([]string, len(stmts))
		for i, s := range stmts {
			texts[i] = s.Text
		}
		var again []string
		for _, s := range Split(strings.Join(texts, ";\n")) {
			again = append(again, s.Text)
		}
		if len(texts) > 0 && !slices.Equal(again, texts) {
			t.Fatalf("split, joined and split again:\n got %q\nwant %q", again, texts)
		}

		end := 0
		for tk := range Tokens(src) {
			if tk.Offset < end || tk.Text == "" || src[tk.Offset:tk.Offset+len(tk.Text)] != tk.Text {
				t.Fatalf("token %q at %d: overlaps the one before (ending at %d), is empty, or is not at its offset", tk.Text, tk.Offset, end)
			}
			if gap := src[end:tk.Offset]; strings.TrimLeft(gap, " \t\n\r\f\v") != "" {
				t.Fatalf("%q between tokens is not white space", gap)
			}
			end = tk.Offset + len(tk.Text)
		}
		if gap := src[end:]; strings.TrimLeft(gap, " \t\n\r\f\v") != "" {
			t.Fatalf("%q after the last token is not white space", gap)
		}

		for _, s := range stmts {
			for _, pos := range []int32{-1, 0, 1, 2, int32(len(s.Text)) / 2, int32(len(s.Text)) + 1, 1 << 30} {
				line, col := s.Pos(pos)
				last := s.Line + strings.Count(s.Text, "\n")
				if line < s.Line || line > last || col < 1 || line == s.Line && col < s.Column {
					t.Fatalf("%q at %d:%d: Pos(%d) = %d:%d", s.Text, s.Line, s.Column, pos, line, col)
				}
				// The offset is the same place: its line and column,
				// counted in the whole script, are Pos's.
				off := s.ErrorOffset(pos)
				if off < s.Offset || off > s.Offset+len(s.Text) {
					t.Fatalf("%q at %d: ErrorOffset(%d) = %d, outside the statement", s.Text, s.Offset, pos, off)
				}
				before := src[:off]
				wantLine := 1 + strings.Count(before, "\n")
				wantCol := off - strings.LastIndexByte(before, '\n')
				if line != wantLine || col != wantCol {
					t.Fatalf("%q: Pos(%d) = %d:%d, but ErrorOffset(%d) = %d is at %d:%d", s.Text, pos, line, col, pos, off, wantLine, wantCol)
				}
			}
		}
	})
}
