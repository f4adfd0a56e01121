package grammar

import "testing"

func TestParseRoutine(t *testing.T) {
	tests := []struct {
		src                                   string
		proc                                  bool
		schema, name, args, returns, sig, def string
	}{
		{
			src:  "create function touch() returns trigger language plpgsql as $$ begin return new; end $$;",
			name: "touch", returns: "trigger", sig: "() RETURNS trigger",
			def: "() returns trigger language plpgsql as $$ begin return new; end $$",
		},
		{
			src:    "-- lead\nCREATE OR REPLACE FUNCTION App.\"Sum It\"(a int DEFAULT 1, OUT b text, c numeric(10, 2) = 0.5 /* x */) RETURNS SETOF record AS 'x' LANGUAGE sql",
			schema: "app", name: "Sum It", args: "a int, OUT b text, c numeric(10, 2)", returns: "SETOF record",
			sig: "(a int DEFAULT 1, OUT b text, c numeric(10, 2) = 0.5) RETURNS SETOF record",
			def: "(a int DEFAULT 1, OUT b text, c numeric(10, 2) = 0.5 /* x */) RETURNS SETOF record AS 'x' LANGUAGE sql",
		},
		{
			src:  "CREATE FUNCTION t(x int) RETURNS TABLE (a int, language text) LANGUAGE sql BEGIN ATOMIC SELECT 1, 'x'; END",
			name: "t", args: "x int", returns: "TABLE(a int, language text)", sig: "(x int) RETURNS TABLE(a int, language text)",
			def: "(x int) RETURNS TABLE (a int, language text) LANGUAGE sql BEGIN ATOMIC SELECT 1, 'x'; END",
		},
		{
			src:  "create procedure p(inout n timestamp with time zone) language sql as $$ select $1 $$",
			proc: true, name: "p", args: "inout n timestamp with time zone", sig: "(inout n timestamp with time zone)",
			def: "(inout n timestamp with time zone) language sql as $$ select $1 $$",
		},
	}
	tests = append(tests, struct {
		src                                   string
		proc                                  bool
		schema, name, args, returns, sig, def string
	}{
		src:    "CREATE FUNCTION s . f ( a  s.t [ ] ,b int[]/* c */) RETURNS s.t[] AS 'x'",
		schema: "s", name: "f", args: "a s.t[], b int[]", returns: "s.t[]", sig: "(a s.t[], b int[]) RETURNS s.t[]",
		def: "( a  s.t [ ] ,b int[]/* c */) RETURNS s.t[] AS 'x'",
	})
	for _, tt := range tests {
		r, err := ParseRoutine(tt.src)
		if err != nil {
			t.Errorf("ParseRoutine(%q): %v", tt.src, err.Msg)
			continue
		}
		if r.Procedure != tt.proc || r.Schema != tt.schema || r.Name != tt.name || r.Args != tt.args ||
			r.Returns != tt.returns || r.Signature != tt.sig || r.Definition != tt.def {
			t.Errorf("ParseRoutine(%q) =\n%+v, want\nproc=%v schema=%q name=%q args=%q returns=%q sig=%q def=%q",
				tt.src, r, tt.proc, tt.schema, tt.name, tt.args, tt.returns, tt.sig, tt.def)
		}
	}
}

func TestParseRoutineErrors(t *testing.T) {
	tests := []struct {
		src  string
		off  int
		want string
	}{
		{"", 0, "holds no statement: it must hold one CREATE FUNCTION or CREATE PROCEDURE statement"},
		{"CREATE FUNCTION f() RETURNS int AS 'x' LANGUAGE sql; SELECT 1", 53, "holds a second statement: it must hold one CREATE FUNCTION or CREATE PROCEDURE statement alone"},
		{"  CREATE TABLE f (a int)", 2, "is not a CREATE FUNCTION or CREATE PROCEDURE statement"},
		{"CREATE OR FUNCTION f()", 0, "is not a CREATE FUNCTION or CREATE PROCEDURE statement"},
		{"CREATE FUNCTION", 15, "ends before the function's name"},
		{"CREATE FUNCTION 'f'()", 16, `expected the function's name, found "'f'"`},
		{"CREATE FUNCTION s.() RETURNS int", 16, "expected a name after the schema's"},
		{"CREATE FUNCTION f RETURNS int", 18, `expected "(" and the arguments after the function's name`},
		{"CREATE FUNCTION f(a int", 17, "the argument list's parenthesis is never closed"},
	}
	for _, tt := range tests {
		_, err := ParseRoutine(tt.src)
		if err == nil || err.Off != tt.off || err.Msg != tt.want {
			t.Errorf("ParseRoutine(%q) = %v, want %d: %s", tt.src, err, tt.off, tt.want)
		}
	}
}
