package pg

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mizzle/mizzle/internal/sqlsplit"
)

// FuzzSQL checks the placeholder scanner of SQL: on any text it never
// panics, the number of ? marks its error message counts is the number
// the builder binds, and with that many arguments the fragment binds each
// one, in order, as $1, $2, ...
func FuzzSQL(f *testing.F) {
	for _, s := range []string{
		"", "?", "??", "???", "????", "? = ?", "lower(email) = lower(?)",
		`"tags" ?? ?`, `data ?| ? and data ?& ?`, "?x?", "a ? b ?? c ? ",
		"\xff?\x00?", "$1 = ?",
		"'?' = ?", `"?" ?? ?`, "$$?$$ ?", "E'\\'?' ?", "-- ?\n?", "/* ? */ ?", "'??'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		// Count what the scanner binds, with too many arguments for any
		// text: each ? takes one, and the leftover ones make an error.
		args := make([]any, len(sql)+1)
		for i := range args {
			args[i] = i
		}
		var probe builder
		SQL(sql, args...).appendSQL(&probe)
		bound := len(probe.args)
		if probe.err == nil {
			t.Fatalf("SQL(%q) with %d arguments: no error", sql, len(args))
		}
		if want := fmt.Sprintf("has %d ? marks", bound); !strings.Contains(probe.err.Error(), want) {
			t.Fatalf("SQL(%q) binds %d arguments, but its error says %v", sql, bound, probe.err)
		}

		var b builder
		SQL(sql, args[:bound]...).appendSQL(&b)
		if b.err != nil {
			t.Fatalf("SQL(%q) with its %d arguments: %v", sql, bound, b.err)
		}
		got := b.args
		if len(got) != bound {
			t.Fatalf("SQL(%q) binds %d arguments, want %d", sql, len(got), bound)
		}
		for i, v := range got {
			if v != i {
				t.Fatalf("SQL(%q): argument %d is %v, want %d", sql, i+1, v, i)
			}
		}
		// The text keeps everything but the marks: each ?? becomes one ?,
		// each lone ? a placeholder.
		if strings.Count(string(b.buf), "$") < bound+strings.Count(sql, "$") {
			t.Fatalf("SQL(%q) wrote %q: placeholders missing", sql, string(b.buf))
		}
		// A ? that is not a mark (in quotes, in a comment, as ??) is
		// the text's own: as many are left, read by the same lexer.
		if got, want := quotedMarks(string(b.buf)), quotedMarks(sql); got != want {
			t.Fatalf("SQL(%q) wrote %q: %d question marks inside quotes and comments, want %d", sql, string(b.buf), got, want)
		}
		// Each placeholder is a token of its own, $n, as PostgreSQL
		// reads it.
		if got, want := params(string(b.buf)), params(sql)+bound; got != want {
			t.Fatalf("SQL(%q) wrote %q: %d $n tokens, want %d", sql, string(b.buf), got, want)
		}
		if bound > 0 {
			if _, err := withArgs(sql, bound-1); err == nil {
				t.Fatalf("SQL(%q) with %d arguments, one too few: no error", sql, bound-1)
			}
		}
	})
}

func withArgs(sql string, n int) ([]any, error) {
	var b builder
	SQL(sql, make([]any, n)...).appendSQL(&b)
	return b.args, b.err
}

// quotedMarks counts the question marks of sql that are inside a token
// other than a ? operator: quoted strings and identifiers, dollar quotes,
// comments.
func quotedMarks(sql string) int {
	n := 0
	for t := range sqlsplit.Tokens(sql) {
		if t.Text != "?" {
			n += strings.Count(t.Text, "?")
		}
	}
	return n
}

// params counts the tokens of sql that start with a parameter, $ and a
// digit (the lexer keeps a "." after one, as after a number).
func params(sql string) int {
	n := 0
	for t := range sqlsplit.Tokens(sql) {
		if len(t.Text) > 1 && t.Text[0] == '$' && t.Text[1] >= '0' && t.Text[1] <= '9' {
			n++
		}
	}
	return n
}
