package sqlsplit

import (
	"errors"
	"strings"
	"testing"
)

var embedTests = []struct {
	src string
	off int    // -1: accepted
	msg string // a part of the message
}{
	{"0", -1, ""},
	{"now()", -1, ""},
	{"qty > 0 AND (a IS NULL OR b IN (1, 2))", -1, ""},
	{"'a;b' || \"c;)\" || $$;$$ || $t$ ) $t$ || E'\\';'", -1, ""},
	{"/* ( */ 1 /* nested /* ; */ ) */", -1, ""},
	{`'back\slash'`, -1, ""},
	{`E'back\\slash'`, -1, ""},
	{"'it''s'", -1, ""},
	{"'a'\n'b'", -1, ""},
	{"", -1, ""},

	// The reproduction: a comment hides "(" from a naive count.
	{"0 /* ( */ ); COMMIT; CREATE TABLE pwned(x int); CREATE TABLE zz (y int DEFAULT 0 /* ) */", 10, `")" without "("`},
	{"0; DROP TABLE t", 1, "semicolon"},
	{"f(1; 2)", 3, "semicolon"},
	{"a > 0) OR (true", 5, `")" without "("`},
	{"(a > 0", 0, `"(" is never closed`},
	{"f((a)", 1, `"(" is never closed`},
	{"'abc", 0, "unterminated quoted string"},
	{`"abc`, 0, "unterminated quoted identifier"},
	{"$x$ abc", 0, "unterminated dollar quote"},
	{"1 /* abc", 2, "unterminated block comment"},
	{"E'a\\'", 0, "unterminated quoted string"},
	{"0 -- NOT NULL dropped", 2, "-- comment"},
	{"0 --", 2, "-- comment"},
	// One constant when backslashes are plain characters, a constant and
	// SQL when they escape quotes.
	{`'\'' ; DROP TABLE t; --'`, 5, "standard_conforming_strings off"},
	{`'a\'`, 0, "standard_conforming_strings off"},
}

func TestCheckEmbeddable(t *testing.T) {
	for _, tt := range embedTests {
		err := CheckEmbeddable(tt.src)
		if tt.off < 0 {
			if err != nil {
				t.Errorf("CheckEmbeddable(%q) = %v, want nil", tt.src, err)
			}
			continue
		}
		var ee *EmbedError
		if !errors.As(err, &ee) {
			t.Errorf("CheckEmbeddable(%q) = %v, want an *EmbedError", tt.src, err)
			continue
		}
		if ee.Offset != tt.off || !strings.Contains(ee.Msg, tt.msg) {
			t.Errorf("CheckEmbeddable(%q) = %d: %s; want %d: ...%s...", tt.src, ee.Offset, ee.Msg, tt.off, tt.msg)
		}
	}
}

// FuzzCheckEmbeddable checks that what CheckEmbeddable accepts stays in
// the statement it is written into, wherever the emitter writes it: the
// script splits into exactly the statements it was built from.
func FuzzCheckEmbeddable(f *testing.F) {
	for _, tt := range embedTests {
		f.Add(tt.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if CheckEmbeddable(src) != nil {
			return
		}
		script := "CREATE TABLE t (a int DEFAULT " + src + " NOT NULL, b int CHECK (" + src + "));\n" +
			"CREATE INDEX i ON t ((" + src + ")) WHERE " + src + ";\nSELECT 1"
		stmts := Split(script)
		if len(stmts) != 3 || stmts[2].Text != "SELECT 1" || !strings.HasSuffix(stmts[0].Text, "))") {
			t.Fatalf("%q is accepted, but the script splits into %+v", src, stmts)
		}
	})
}
