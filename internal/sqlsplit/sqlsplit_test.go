package sqlsplit

import (
	"slices"
	"strings"
	"testing"
)

// stmt is an expected statement: its text and where it starts.
type stmt struct {
	text      string
	line, col int
}

// splitTests are the rules of Split, one or more cases each. The fuzz test
// uses their inputs as its seed corpus.
var splitTests = []struct {
	name string
	src  string
	want []stmt
}{
	// Statement boundaries.
	{"empty", "", nil},
	{"blank", " \n\t\r\n", nil},
	{"one without semicolon", "SELECT 1", []stmt{{"SELECT 1", 1, 1}}},
	{"last without semicolon", "SELECT 1; SELECT 2", []stmt{{"SELECT 1", 1, 1}, {"SELECT 2", 1, 11}}},
	{"white space trimmed", "  SELECT 1 ;\n\n\tSELECT\n2 ;\n", []stmt{{"SELECT 1", 1, 3}, {"SELECT\n2", 3, 2}}},
	{"empty statements", ";;SELECT 1;;; ;\n;SELECT 2;;", []stmt{{"SELECT 1", 1, 3}, {"SELECT 2", 2, 2}}},
	{"only comments", "-- nothing;\n/* here; */ ;\n-- at all", nil},
	{"comments around a statement", "-- WARNING: drops data\nALTER TABLE t DROP COLUMN c /* gone */; -- done\n-- tail",
		[]stmt{{"ALTER TABLE t DROP COLUMN c", 2, 1}}},
	{"comments inside kept", "SELECT 1 -- one; two\n + /* ; */ 2; SELECT 3",
		[]stmt{{"SELECT 1 -- one; two\n + /* ; */ 2", 1, 1}, {"SELECT 3", 2, 15}}},
	{"breakpoint is a comment", "CREATE TABLE a (x int);\n--> statement-breakpoint\nCREATE TABLE b (y int);--> statement-breakpoint\nSELECT 1",
		[]stmt{{"CREATE TABLE a (x int)", 1, 1}, {"CREATE TABLE b (y int)", 3, 1}, {"SELECT 1", 4, 1}}},
	{"breakpoint without semicolon is no boundary", "SELECT 1\n--> statement-breakpoint\nSELECT 2",
		[]stmt{{"SELECT 1\n--> statement-breakpoint\nSELECT 2", 1, 1}}},

	// Single-quoted strings.
	{"string", "SELECT 'a;b'; SELECT 2", []stmt{{"SELECT 'a;b'", 1, 1}, {"SELECT 2", 1, 15}}},
	{"doubled quote", "SELECT 'it''s; fine'; SELECT 2", []stmt{{"SELECT 'it''s; fine'", 1, 1}, {"SELECT 2", 1, 23}}},
	{"empty strings", "SELECT '', ''''; SELECT 2", []stmt{{"SELECT '', ''''", 1, 1}, {"SELECT 2", 1, 18}}},
	{"standard conforming backslash", `SELECT 'C:\'; SELECT 2`, []stmt{{`SELECT 'C:\'`, 1, 1}, {"SELECT 2", 1, 15}}},
	{"backslash then doubled quote", `SELECT 'a\''; b'; SELECT 2`, []stmt{{`SELECT 'a\''; b'`, 1, 1}, {"SELECT 2", 1, 19}}},
	{"continued string", "SELECT 'a' -- c;\n  'b;c'; SELECT 2", []stmt{{"SELECT 'a' -- c;\n  'b;c'", 1, 1}, {"SELECT 2", 2, 10}}},
	{"B X N strings", "SELECT B'01;', X'0f;', N'n;'; SELECT 2", []stmt{{"SELECT B'01;', X'0f;', N'n;'", 1, 1}, {"SELECT 2", 1, 31}}},

	// E'...' strings.
	{"E string", `SELECT E'it\'s; fine'; SELECT 2`, []stmt{{`SELECT E'it\'s; fine'`, 1, 1}, {"SELECT 2", 1, 24}}},
	{"e string", `SELECT e'\\'; SELECT 2`, []stmt{{`SELECT e'\\'`, 1, 1}, {"SELECT 2", 1, 15}}},
	{"E string doubled quote", `SELECT E'a''\';'; SELECT 2`, []stmt{{`SELECT E'a''\';'`, 1, 1}, {"SELECT 2", 1, 19}}},
	{"E string continued", "SELECT E'a'\n'b\\';c'; SELECT 2", []stmt{{"SELECT E'a'\n'b\\';c'", 1, 1}, {"SELECT 2", 2, 10}}},
	{"plain string continued", "SELECT 'a'\n'b\\'; SELECT 2", []stmt{{"SELECT 'a'\n'b\\'", 1, 1}, {"SELECT 2", 2, 7}}},
	{"continuation needs a newline", "SELECT E'a' 'b\\'; SELECT 2", []stmt{{"SELECT E'a' 'b\\'", 1, 1}, {"SELECT 2", 1, 19}}},
	{"E only as a prefix", `SELECT somee'x\'; SELECT 2`, []stmt{{`SELECT somee'x\'`, 1, 1}, {"SELECT 2", 1, 19}}},
	{"E after a number is junk", `SELECT 1e'x\'; SELECT 2`, []stmt{{`SELECT 1e'x\'`, 1, 1}, {"SELECT 2", 1, 16}}},

	// Dollar quotes.
	{"dollar quote", "SELECT $$a;b$$; SELECT 2", []stmt{{"SELECT $$a;b$$", 1, 1}, {"SELECT 2", 1, 17}}},
	{"tagged dollar quote", "DO $fn$ BEGIN RAISE NOTICE '$$;'; END $fn$; SELECT 2",
		[]stmt{{"DO $fn$ BEGIN RAISE NOTICE '$$;'; END $fn$", 1, 1}, {"SELECT 2", 1, 45}}},
	{"other tags inside", "SELECT $a$ $b$ ; $ab$ ;$a$; SELECT 2", []stmt{{"SELECT $a$ $b$ ; $ab$ ;$a$", 1, 1}, {"SELECT 2", 1, 29}}},
	{"tag with digits and UTF-8", "SELECT $a1$;$a1$, $é$;$é$; SELECT 2", []stmt{{"SELECT $a1$;$a1$, $é$;$é$", 1, 1}, {"SELECT 2", 1, 30}}},
	{"quotes inside dollar quote", `SELECT $$'"/*--$$; SELECT 2`, []stmt{{`SELECT $$'"/*--$$`, 1, 1}, {"SELECT 2", 1, 20}}},
	{"parameters", "SELECT $1; SELECT $23", []stmt{{"SELECT $1", 1, 1}, {"SELECT $23", 1, 12}}},
	{"parameter then dollar quote", "SELECT $1$$;$$", []stmt{{"SELECT $1$$;$$", 1, 1}}},
	{"tag cannot start with a digit", "SELECT $1a$; SELECT $1a$", []stmt{{"SELECT $1a$", 1, 1}, {"SELECT $1a$", 1, 14}}},
	{"dollar in identifiers", "SELECT a$b; SELECT c$$; SELECT é$$; SELECT 4",
		[]stmt{{"SELECT a$b", 1, 1}, {"SELECT c$$", 1, 13}, {"SELECT é$$", 1, 25}, {"SELECT 4", 1, 38}}},
	{"dollar after a number", "SELECT 1$$;$$; SELECT 1e$$; SELECT 2",
		[]stmt{{"SELECT 1$$;$$", 1, 1}, {"SELECT 1e$$", 1, 16}, {"SELECT 2", 1, 29}}},
	{"dollar without closing tag", "SELECT $x; SELECT 2", []stmt{{"SELECT $x", 1, 1}, {"SELECT 2", 1, 12}}},

	// Quoted identifiers.
	{"quoted identifier", `SELECT 1 AS "a;""b"; SELECT 2`, []stmt{{`SELECT 1 AS "a;""b"`, 1, 1}, {"SELECT 2", 1, 22}}},
	{"quote in quoted identifier", `SELECT 1 AS "it's;"; SELECT 2`, []stmt{{`SELECT 1 AS "it's;"`, 1, 1}, {"SELECT 2", 1, 22}}},

	// U& forms.
	{"U& string", `SELECT U&'d\0061t\+000061;'; SELECT 2`, []stmt{{`SELECT U&'d\0061t\+000061;'`, 1, 1}, {"SELECT 2", 1, 30}}},
	{"U& string backslash hides no quote", `SELECT u&'\'; SELECT 2`, []stmt{{`SELECT u&'\'`, 1, 1}, {"SELECT 2", 1, 15}}},
	{"U& identifier", `SELECT 1 AS U&"a;\0062"; SELECT 2`, []stmt{{`SELECT 1 AS U&"a;\0062"`, 1, 1}, {"SELECT 2", 1, 26}}},

	// Comments.
	{"line comment", "SELECT 1 -- ; not here\n; SELECT 2", []stmt{{"SELECT 1", 1, 1}, {"SELECT 2", 2, 3}}},
	{"line comment at end", "SELECT 1 -- the end", []stmt{{"SELECT 1", 1, 1}}},
	{"nested block comments", "SELECT /* a /* b; */ c; */ 1; SELECT 2",
		[]stmt{{"SELECT /* a /* b; */ c; */ 1", 1, 1}, {"SELECT 2", 1, 31}}},
	{"slash star slash", "SELECT 1 /*/ ; */; SELECT 2", []stmt{{"SELECT 1", 1, 1}, {"SELECT 2", 1, 20}}},
	{"comment inside an operator", "SELECT 1 +-- c;\n 2; SELECT 3 */* ; */ 4",
		[]stmt{{"SELECT 1 +-- c;\n 2", 1, 1}, {"SELECT 3 */* ; */ 4", 2, 5}}},
	{"dashes in a string", "SELECT '--;'; SELECT '/*;'", []stmt{{"SELECT '--;'", 1, 1}, {"SELECT '/*;'", 1, 15}}},

	// Parentheses.
	{"rule actions", "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1",
		[]stmt{{"CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))", 1, 1}, {"SELECT 1", 1, 95}}},
	{"unbalanced close", "SELECT 1); SELECT 2", []stmt{{"SELECT 1)", 1, 1}, {"SELECT 2", 1, 12}}},

	// SQL-standard function bodies.
	{"BEGIN ATOMIC", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 3",
		[]stmt{{"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END", 1, 1}, {"SELECT 3", 1, 84}}},
	{"procedure with CASE", "create or replace procedure p(x int) begin atomic\n  select case when x > 0 then 1 else 2 end;\n  insert into t values (case x when 1 then 1 end);\nend;\nselect 1",
		[]stmt{{"create or replace procedure p(x int) begin atomic\n  select case when x > 0 then 1 else 2 end;\n  insert into t values (case x when 1 then 1 end);\nend", 1, 1}, {"select 1", 5, 1}}},
	{"OR REPLACE FUNCTION", "CREATE OR REPLACE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END; SELECT 2",
		[]stmt{{"CREATE OR REPLACE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END", 1, 1}, {"SELECT 2", 1, 72}}},
	{"transaction BEGIN and END", "BEGIN; SELECT 1; END; CASE;", []stmt{{"BEGIN", 1, 1}, {"SELECT 1", 1, 8}, {"END", 1, 18}, {"CASE", 1, 23}}},
	{"BEGIN in another CREATE", "CREATE TABLE t (x int) begin; SELECT 2", []stmt{{"CREATE TABLE t (x int) begin", 1, 1}, {"SELECT 2", 1, 31}}},
	{"BEGIN in a dollar-quoted body", "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$; SELECT 1",
		[]stmt{{"CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$", 1, 1}, {"SELECT 1", 1, 84}}},
	{"BEGIN in parentheses", "CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql AS 'SELECT 1'; SELECT 2",
		[]stmt{{"CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql AS 'SELECT 1'", 1, 1}, {"SELECT 2", 1, 70}}},
	{"quoted words do not count", `CREATE "function" f() BEGIN; SELECT 2`, []stmt{{`CREATE "function" f() BEGIN`, 1, 1}, {"SELECT 2", 1, 30}}},
	{"function body without END runs to the end", "CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; SELECT 2;",
		[]stmt{{"CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; SELECT 2;", 1, 1}}},

	// Line endings and positions.
	{"CRLF", "SELECT 1;\r\n-- c;\r\nSELECT\r\n 2;\r\n", []stmt{{"SELECT 1", 1, 1}, {"SELECT\r\n 2", 3, 1}}},
	{"CR ends a line comment", "SELECT 1 -- c\r;SELECT 2", []stmt{{"SELECT 1", 1, 1}, {"SELECT 2", 1, 16}}},
	{"CRLF continuation", "SELECT E'a'\r\n'\\';b'; SELECT 2", []stmt{{"SELECT E'a'\r\n'\\';b'", 1, 1}, {"SELECT 2", 2, 9}}},
	{"columns count bytes", "SELECT 'é'; SELECT 2", []stmt{{"SELECT 'é'", 1, 1}, {"SELECT 2", 1, 14}}},

	// Unterminated quotes and comments take the rest of the script.
	{"unterminated string", "SELECT 1; SELECT 'oops; SELECT 2;\n", []stmt{{"SELECT 1", 1, 1}, {"SELECT 'oops; SELECT 2;\n", 1, 11}}},
	{"unterminated E string", `SELECT E'\`, []stmt{{`SELECT E'\`, 1, 1}}},
	{"unterminated identifier", `SELECT "a; SELECT 2`, []stmt{{`SELECT "a; SELECT 2`, 1, 1}}},
	{"unterminated dollar quote", "DO $$ BEGIN; SELECT 1;  ", []stmt{{"DO $$ BEGIN; SELECT 1;  ", 1, 1}}},
	{"unterminated comment", "SELECT 1; /* oops; SELECT 2", []stmt{{"SELECT 1", 1, 1}, {"/* oops; SELECT 2", 1, 11}}},
	{"unterminated nested comment", "SELECT 1 /* a /* b */; SELECT 2 ", []stmt{{"SELECT 1 /* a /* b */; SELECT 2 ", 1, 1}}},
	{"unclosed parenthesis", "SELECT (1; SELECT 2", []stmt{{"SELECT (1; SELECT 2", 1, 1}}},
}

func TestSplit(t *testing.T) {
	for _, tt := range splitTests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.src)
			checkInvariants(t, tt.src, got)
			var gotS []stmt
			for _, s := range got {
				gotS = append(gotS, stmt{s.Text, s.Line, s.Column})
			}
			if !slices.Equal(gotS, tt.want) {
				t.Errorf("Split(%q)\n got %#v\nwant %#v", tt.src, gotS, tt.want)
			}
		})
	}
}

// checkInvariants checks what holds for any input: each Text is the
// script's bytes at Offset, non-empty, with the right line and column, the
// statements are in order, and nothing but white space, comments and
// semicolons lies between them.
func checkInvariants(t *testing.T, src string, stmts []Statement) {
	t.Helper()
	prev := 0
	for i, s := range stmts {
		if s.Text == "" {
			t.Fatalf("statement %d is empty", i)
		}
		if s.Offset < prev || s.Offset+len(s.Text) > len(src) || src[s.Offset:s.Offset+len(s.Text)] != s.Text {
			t.Fatalf("statement %d: Text %q is not the script's bytes at Offset %d", i, s.Text, s.Offset)
		}
		line := 1 + strings.Count(src[:s.Offset], "\n")
		col := s.Offset - strings.LastIndexByte(src[:s.Offset], '\n')
		if s.Line != line || s.Column != col {
			t.Fatalf("statement %d at %d:%d, want %d:%d", i, s.Line, s.Column, line, col)
		}
		gap := src[prev:s.Offset]
		if got := Split(gap); len(got) != 0 {
			t.Fatalf("statement %d: text before it, %q, holds statements %#v", i, gap, got)
		}
		if i > 0 && !strings.Contains(gap, ";") {
			t.Fatalf("statements %d and %d are not separated by a semicolon: %q", i-1, i, gap)
		}
		prev = s.Offset + len(s.Text)
	}
	if got := Split(src[prev:]); len(got) != 0 {
		t.Fatalf("text after the last statement, %q, holds statements %#v", src[prev:], got)
	}
}

func TestPos(t *testing.T) {
	src := "SELECT 1;\n-- é;\nSELECT 'é',\n  x; SELECT é + 1"
	stmts := Split(src)
	if len(stmts) != 3 {
		t.Fatalf("Split: %#v", stmts)
	}
	tests := []struct {
		stmt      int
		position  int32
		line, col int
	}{
		{1, 0, 3, 1},   // no position: the statement's start
		{1, 1, 3, 1},   // S
		{1, 9, 3, 9},   // é
		{1, 10, 3, 11}, // the quote after é, two bytes on
		{1, 11, 3, 12}, // ,
		{1, 12, 3, 13}, // the newline ends line 3
		{1, 13, 4, 1},
		{1, 15, 4, 3},  // x
		{1, 16, 4, 4},  // end of input
		{1, 999, 4, 4}, // clamped to the end
		{2, 8, 4, 13},  // é
		{2, 10, 4, 16}, // +
	}
	for _, tt := range tests {
		line, col := stmts[tt.stmt].Pos(tt.position)
		if line != tt.line || col != tt.col {
			t.Errorf("statement %d %q: Pos(%d) = %d:%d, want %d:%d", tt.stmt, stmts[tt.stmt].Text, tt.position, line, col, tt.line, tt.col)
		}
	}
}

func TestTokens(t *testing.T) {
	src := "-- lead\n/* block; 'x' */ COMMIT /* c */ AND\"q;\"'s; -- '$$a$$ E'\\''; -- tail"
	type tok struct {
		Text          string
		Word, Comment bool
	}
	want := []tok{
		{"-- lead", false, true},
		{"/* block; 'x' */", false, true},
		{"COMMIT", true, false},
		{"/* c */", false, true},
		{"AND", true, false},
		{`"q;"`, false, false},
		{"'s; -- '", false, false},
		{"$$a$$", false, false},
		{`E'\''`, false, false},
		{";", false, false},
		{"-- tail", false, true},
	}
	var got []tok
	for tk := range Tokens(src) {
		if src[tk.Offset:tk.Offset+len(tk.Text)] != tk.Text {
			t.Errorf("token %q is not at offset %d", tk.Text, tk.Offset)
		}
		got = append(got, tok{tk.Text, tk.Word, tk.Comment})
	}
	if !slices.Equal(got, want) {
		t.Errorf("Tokens(%q)\n got %+v\nwant %+v", src, got, want)
	}
	// Stopping early stops the scan.
	n := 0
	for range Tokens("a b c") {
		n++
		break
	}
	if n != 1 {
		t.Errorf("break after the first token: %d tokens", n)
	}
}
