package queryfile

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mizzle/mizzle/schema"
)

func TestParse(t *testing.T) {
	src := `-- A file comment before the first query is not a statement.

-- name: TopAuthors :many
-- The authors with the most books,
-- at most n.
-- mizzle:notnull books, name
SELECT a.name, count(*) AS books
FROM authors a JOIN books b ON b.author_id = a.id
WHERE a.country = @country AND b.tags @> @tags::text[] AND b.tags <@ ARRAY['a'] AND b.tsv @@ 'x'
  AND a.note <> '@not_a_param' AND a."@col" = $$ @nor_this $$ /* @nor_that */ -- @nor_here
  AND a.country <> @country
LIMIT sqlc.arg(n);

-- name: SetNote :execrows
UPDATE authors SET note = sqlc.narg('note') WHERE id = sqlc.arg(id);

/* name: Positional :one */
SELECT $2::int + $1::int
`
	qs, errs := Parse("q/a.sql", src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := []string{}
	for _, q := range qs {
		got = append(got, q.String())
	}
	if want := []string{"TopAuthors :many", "SetNote :execrows", "Positional :one"}; !cmp.Equal(got, want) {
		t.Fatalf("queries %v, want %v", got, want)
	}
	top := qs[0]
	wantSQL := `SELECT a.name, count(*) AS books
FROM authors a JOIN books b ON b.author_id = a.id
WHERE a.country = $1 AND b.tags @> $2::text[] AND b.tags <@ ARRAY['a'] AND b.tsv @@ 'x'
  AND a.note <> '@not_a_param' AND a."@col" = $$ @nor_this $$ /* @nor_that */ -- @nor_here
  AND a.country <> $1
LIMIT $3`
	if diff := cmp.Diff(wantSQL, top.SQL); diff != "" {
		t.Errorf("SQL (-want +got):\n%s", diff)
	}
	if top.Doc != "The authors with the most books,\nat most n." {
		t.Errorf("doc %q", top.Doc)
	}
	if !cmp.Equal(top.NotNull, []string{"books", "name"}) {
		t.Errorf("notnull %q", top.NotNull)
	}
	if top.Pos.String() != "q/a.sql:3:1" {
		t.Errorf("pos %s", top.Pos)
	}
	params := func(q *Query) []Param { return q.Params }
	opt := cmpopts.IgnoreFields(Param{}, "Pos")
	if diff := cmp.Diff([]Param{{Name: "country"}, {Name: "tags"}, {Name: "n"}}, params(top), opt); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	if p := top.Params[1].Pos.String(); p != "q/a.sql:9:42" {
		t.Errorf("@tags at %s", p)
	}
	set := qs[1]
	if set.SQL != "UPDATE authors SET note = $1 WHERE id = $2" {
		t.Errorf("SQL %q", set.SQL)
	}
	if diff := cmp.Diff([]Param{{Name: "note", Nullable: true}, {Name: "id"}}, params(set), opt); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	pos := qs[2]
	if pos.SQL != "SELECT $2::int + $1::int" {
		t.Errorf("SQL %q", pos.SQL)
	}
	if diff := cmp.Diff([]Param{{Name: "arg1"}, {Name: "arg2"}}, params(pos), opt); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
}

// TestPosition maps positions in the statement sent back to the file,
// across the parameters rewritten before them, as PostgreSQL's error
// positions are characters (not bytes) of the text it was sent.
func TestPosition(t *testing.T) {
	src := "-- name: Q :one\nSELECT @long_parameter_name, 'é',\n  nmae FROM t WHERE x = sqlc.arg(x) AND y = zz\n"
	qs, errs := Parse("r.sql", src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	q := qs[0]
	// SELECT $1, 'é',\n  nmae FROM t WHERE x = $2 AND y = zz
	for _, tc := range []struct {
		word string
		want string
	}{
		{"SELECT", "r.sql:2:1"},
		{"$1", "r.sql:2:8"},
		{"nmae", "r.sql:3:3"},
		{"$2", "r.sql:3:25"},
		{"zz", "r.sql:3:45"},
	} {
		i := strings.Index(q.SQL, tc.word)
		chars := int32(len([]rune(q.SQL[:i]))) + 1
		if got := q.Position(chars).String(); got != tc.want {
			t.Errorf("%s at character %d: %s, want %s", tc.word, chars, got, tc.want)
		}
	}
	if got := q.Position(0).String(); got != "r.sql:2:1" {
		t.Errorf("position 0: %s", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"statement before any name", "SELECT 1;\n-- name: A :one\nSELECT 2", []string{
			`f.sql:1:1: a statement without a name: start each query with a "-- name: Name :command" line`}},
		{"no name", "-- name:\nSELECT 1", []string{
			`f.sql:1:1: "-- name:" needs the query's name and a command: -- name: TopAuthors :many`}},
		{"command only", "-- name: :one\nSELECT 1", []string{
			`f.sql:1:1: "-- name:" needs the query's name before the command :one`}},
		{"no command", "-- name: A\nSELECT 1", []string{
			`f.sql:1:1: query A needs a command after its name: :one, :many, :exec, :execrows or :copyfrom`}},
		{"unknown command", "\n\n  -- name: A :all\nSELECT 1", []string{
			`f.sql:3:3: query A: unknown command ":all": want :one, :many, :exec, :execrows or :copyfrom`}},
		{"copyfrom of a SELECT", "-- name: A :copyfrom\nSELECT @a", []string{
			"f.sql:2:1: query A: :copyfrom loads rows with COPY, so its statement is INSERT INTO table (a, b) VALUES (@a, @b), each value a parameter of its own: it is not an INSERT"}},
		{"copyfrom without columns", "-- name: A :copyfrom\nINSERT INTO t VALUES (@a)", []string{
			"f.sql:2:15: query A: :copyfrom loads rows with COPY, so its statement is INSERT INTO table (a, b) VALUES (@a, @b), each value a parameter of its own: want the list of columns, found \"VALUES\""}},
		{"copyfrom of an expression", "-- name: A :copyfrom\nINSERT INTO t (a, b)\nVALUES (@a, lower(@b))", []string{
			"f.sql:3:13: query A: :copyfrom loads rows with COPY, so its statement is INSERT INTO table (a, b) VALUES (@a, @b), each value a parameter of its own: want the parameter for column \"b\", found \"lower\""}},
		{"copyfrom of two rows", "-- name: A :copyfrom\nINSERT INTO t (a) VALUES (@a), (@b)", []string{
			"f.sql:2:30: query A: :copyfrom loads rows with COPY, so its statement is INSERT INTO table (a, b) VALUES (@a, @b), each value a parameter of its own: nothing may follow the row, found \",\""}},
		{"copyfrom returning", "-- name: A :copyfrom\nINSERT INTO t (a) VALUES (@a) RETURNING id", []string{
			"f.sql:2:31: query A: :copyfrom loads rows with COPY, so its statement is INSERT INTO table (a, b) VALUES (@a, @b), each value a parameter of its own: nothing may follow the row, found \"RETURNING\""}},
		{"copyfrom of a parameter twice", "-- name: A :copyfrom\nINSERT INTO t (a, b) VALUES (@a, @a)", []string{
			"f.sql:2:34: query A: :copyfrom loads rows with COPY, so its statement is INSERT INTO table (a, b) VALUES (@a, @b), each value a parameter of its own: want the parameter for column \"b\", found \"$1\""}},
		{"copyfrom of fewer values", "-- name: A :copyfrom\nINSERT INTO t (a, b) VALUES (@a)", []string{
			"f.sql:2:32: query A: :copyfrom loads rows with COPY, so its statement is INSERT INTO table (a, b) VALUES (@a, @b), each value a parameter of its own: 2 columns take 1 values"}},
		{"copyfrom of a column twice", "-- name: A :copyfrom\nINSERT INTO t (a, \"a\") VALUES (@a, @b)", []string{
			"f.sql:2:19: query A: :copyfrom loads rows with COPY, so its statement is INSERT INTO table (a, b) VALUES (@a, @b), each value a parameter of its own: column \"a\" is named twice"}},
		{"copyfrom of DEFAULT", "-- name: A :copyfrom\nINSERT INTO t (a) VALUES (DEFAULT)", []string{
			"f.sql:2:27: query A: :copyfrom loads rows with COPY, so its statement is INSERT INTO table (a, b) VALUES (@a, @b), each value a parameter of its own: want the parameter for column \"a\", found \"DEFAULT\""}},
		{"not a Go name", "-- name: top-authors :many\nSELECT 1\n-- name: lower :one\nSELECT 1", []string{
			`f.sql:1:1: query name "top-authors" is not an exported Go identifier: it names the query's method`,
			`f.sql:3:1: query name "lower" is not an exported Go identifier: it names the query's method`}},
		{"duplicate", "-- name: A :one\nSELECT 1;\n-- name: A :one\nSELECT 2", []string{
			`f.sql:3:1: query A is declared twice: first at f.sql:1:1`}},
		{"no statement", "-- name: A :exec\n-- nothing\n;", []string{
			`f.sql:1:1: query A has no statement`}},
		{"two statements", "-- name: A :exec\nSELECT 1;\nSELECT 2;", []string{
			`f.sql:3:1: query A holds a second statement: give each its own "-- name:" line`}},
		{"mixed", "-- name: A :one\nSELECT $1 + @b", []string{
			`f.sql:2:8: query A mixes $n with named parameters: name them all (@name)`}},
		{"sqlc.embed", "-- name: A :one\nSELECT sqlc.embed(t) FROM t", []string{
			`f.sql:2:8: query A: sqlc.embed is not supported: only sqlc.arg and sqlc.narg`}},
		{"sqlc.arg without name", "-- name: A :one\nSELECT sqlc.arg(1)", []string{
			`f.sql:2:8: query A: sqlc.arg takes one name: sqlc.arg(author_id)`}},
		{"annotations", "-- name: A :one\n-- mizzle:notnul a\n-- mizzle:notnull\nSELECT 1", []string{
			`f.sql:2:1: unknown annotation mizzle:notnul: want mizzle:notnull or mizzle:nullable`,
			`f.sql:3:1: mizzle:notnull needs the names of result columns: -- mizzle:notnull a, b`}},
		{"not UTF-8", "-- name: A :one\nSELECT '\xff'", []string{`f.sql:2:9: the file is not UTF-8`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := Parse("f.sql", tc.src)
			var got []string
			for _, e := range errs.Sort() {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseCopyFrom: a :copyfrom query's table as written and its
// columns as PostgreSQL names them, each taking a parameter.
func TestParseCopyFrom(t *testing.T) {
	qs, errs := Parse("f.sql", "-- name: Load :copyfrom\nINSERT INTO app.\"Author\" AS a (id, \"Full Name\", Bio)\nVALUES (@id, sqlc.arg(full_name), sqlc.narg(bio));\n")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	q := qs[0]
	if q.Command != CopyFrom {
		t.Errorf("command %q", q.Command)
	}
	if diff := cmp.Diff(&Copy{Table: `app."Author"`, Columns: []string{"id", "Full Name", "bio"}}, q.Copy); diff != "" {
		t.Errorf("copy (-want +got):\n%s", diff)
	}
	if len(q.Params) != 3 || q.Params[1].Name != "full_name" || !q.Params[2].Nullable {
		t.Errorf("params %+v", q.Params)
	}
}

// TestRead reads every .sql file of a folder, and reports the mistakes of
// all of them at once, names repeated across files included.
func TestRead(t *testing.T) {
	fsys := fstest.MapFS{
		"a.sql":     {Data: []byte("-- name: A :one\nSELECT 1;\n-- name: B :bad\nSELECT 1")},
		"b.sql":     {Data: []byte("-- name: A :many\nSELECT 2")},
		"notes.txt": {Data: []byte("SELECT nothing")},
		"sub/c.sql": {Data: []byte("SELECT nothing")},
	}
	_, err := Read(fsys, "queries")
	want := `queries/a.sql:3:1: query B: unknown command ":bad": want :one, :many, :exec, :execrows or :copyfrom (and 1 more errors)`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	var list schema.ErrorList
	if !errors.As(err, &list) || len(list) != 2 || list[1].Error() != "queries/b.sql:1:1: query A is declared twice: first at queries/a.sql:1:1" {
		t.Fatalf("errors %v", list)
	}
	delete(fsys, "a.sql")
	qs, err := Read(fsys, "queries")
	if err != nil || len(qs) != 1 || qs[0].Pos.String() != "queries/b.sql:1:1" {
		t.Fatalf("%v %v", qs, err)
	}
}

// TestLimit: the constant of the LIMIT that ends a statement, outside
// parentheses; anything else is 0.
func TestLimit(t *testing.T) {
	for sql, want := range map[string]int{
		"SELECT * FROM t ORDER BY id LIMIT 100":                  100,
		"SELECT * FROM t limit 20 OFFSET $1":                     20,
		"SELECT * FROM t LIMIT $1":                               0,
		"SELECT * FROM t LIMIT ALL":                              0,
		"SELECT * FROM t WHERE id IN (SELECT id FROM u LIMIT 5)": 0,
		"SELECT * FROM (SELECT * FROM t LIMIT 5) s LIMIT 3":      3,
		"SELECT * FROM t -- LIMIT 10":                            0,
		"SELECT * FROM t LIMIT /* rows */ 7":                     7,
		"SELECT * FROM t LIMIT 0":                                0,
		"SELECT 1 UNION ALL SELECT 2 LIMIT 2":                    2,
		"SELECT 'LIMIT 10'":                                      0,
	} {
		if got := limit(sql); got != want {
			t.Errorf("limit(%q) = %d, want %d", sql, got, want)
		}
	}
}
