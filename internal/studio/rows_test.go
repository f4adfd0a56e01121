package studio_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mizzle/mizzle/internal/studio"
)

// rowsSetup holds a table of every kind of value the grid shows, with
// NULLs in a column to sort by, a view, and tables keyed otherwise.
const rowsSetup = `
CREATE SCHEMA shop;
CREATE TYPE shop.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE items (
	id int PRIMARY KEY,
	name text,
	qty int,
	born date,
	mood shop.mood,
	flag bool,
	addr inet,
	code char(4),
	doc json,
	big text,
	"we""ird" text
);
INSERT INTO items
SELECT i, 'item ' || i, CASE WHEN i % 4 = 0 THEN NULL ELSE i % 5 END, date '2024-01-01' + i,
       (ARRAY['sad', 'ok', 'happy'])[i % 3 + 1]::shop.mood, i % 2 = 0, ('10.0.0.' || i)::inet, 'c' || i,
       json_build_object('n', i), NULL, CASE WHEN i = 1 THEN '' END
  FROM generate_series(1, 23) i;
UPDATE items SET big = repeat('é', 6000) WHERE id = 7;
CREATE VIEW items_view AS SELECT id, name, qty FROM items;
CREATE TABLE nokey (x int, y text);
INSERT INTO nokey SELECT i % 3, 'y' || i FROM generate_series(1, 11) i;
CREATE TABLE ukey (code text NOT NULL UNIQUE, n int);
INSERT INTO ukey SELECT 'k' || i, i % 2 FROM generate_series(1, 9) i;
CREATE TABLE pair (a int, b text, v int, PRIMARY KEY (a, b));
INSERT INTO pair SELECT i % 3, 'b' || i, CASE WHEN i % 2 = 0 THEN i END FROM generate_series(1, 14) i;
CREATE TABLE days (d date);
`

// pageOf is GET /api/rows's reply.
type pageOf struct {
	Columns []struct {
		Name string `json:"name"`
		Type string `json:"type"`
		OID  uint32 `json:"oid"`
	} `json:"columns"`
	Rows           [][]*string `json:"rows"`
	Key            []int       `json:"key"`
	Next           *string     `json:"next"`
	Offset         int64       `json:"offset"`
	Limit          int         `json:"limit"`
	TruncatedCells [][2]int    `json:"truncated_cells"`
}

// column returns the values of the column named name.
func (p *pageOf) column(t testing.TB, name string) []string {
	t.Helper()
	for i, c := range p.Columns {
		if c.Name == name {
			var out []string
			for _, r := range p.Rows {
				if r[i] == nil {
					out = append(out, "NULL")
				} else {
					out = append(out, *r[i])
				}
			}
			return out
		}
	}
	t.Fatalf("no column %q in %v", name, p.Columns)
	return nil
}

// rowsPath is the path of GET /api/rows of table with params.
func rowsPath(endpoint, schema, table string, params url.Values) string {
	if params == nil {
		params = url.Values{}
	}
	params.Set("schema", schema)
	params.Set("name", table)
	return endpoint + "?" + params.Encode()
}

// queryColumn runs sql on the test's own connection and returns its
// one column as text, NULL as "NULL".
func queryColumn(t testing.TB, ts *testStudio, sql string, args ...any) []string {
	t.Helper()
	rows, err := ts.DB.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s *string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s == nil {
			out = append(out, "NULL")
		} else {
			out = append(out, *s)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRowsFirstPage(t *testing.T) {
	ts := newStudio(t, rowsSetup)
	var p pageOf
	getJSON(t, ts, rowsPath("/api/rows", "public", "items", nil), http.StatusOK, &p)
	var cols []string
	for _, c := range p.Columns {
		cols = append(cols, c.Name+" "+c.Type)
	}
	if want := []string{"id integer", "name text", "qty integer", "born date", "mood shop.mood", "flag boolean",
		"addr inet", "code character(4)", "doc json", "big text", `we"ird text`}; !slices.Equal(cols, want) {
		t.Errorf("columns %q, want %q", cols, want)
	}
	if p.Columns[0].OID != 23 {
		t.Errorf("id's oid %d, want 23", p.Columns[0].OID)
	}
	if len(p.Rows) != 23 || p.Next != nil || p.Offset != 0 || p.Limit != 50 || !slices.Equal(p.Key, []int{0}) {
		t.Fatalf("%d rows, next %v, offset %d, limit %d, key %v", len(p.Rows), p.Next, p.Offset, p.Limit, p.Key)
	}
	// Every value in PostgreSQL's text form: what the output function
	// writes, not what a cast to text would (true, 10.0.0.2/32).
	var second []string
	for _, v := range p.Rows[1] {
		if v == nil {
			second = append(second, "NULL")
		} else {
			second = append(second, *v)
		}
	}
	if want := []string{"2", "item 2", "2", "2024-01-03", "happy", "t", "10.0.0.2", "c2  ", `{"n" : 2}`, "NULL", "NULL"}; !slices.Equal(second, want) {
		t.Errorf("row 2: %q, want %q", second, want)
	}
	// The empty string is not NULL.
	if w := p.column(t, `we"ird`); w[0] != "" || w[1] != "NULL" {
		t.Errorf(`we"ird: %q`, w[:2])
	}
}

func TestRowsCutLongValues(t *testing.T) {
	ts := newStudio(t, rowsSetup+`
		CREATE TABLE blobs (id int PRIMARY KEY, b bytea, c char(12000), n text);
		INSERT INTO blobs VALUES (1, decode(repeat('ab', 6000), 'hex'), 'x', repeat('n', 10000)), (2, '\x00', 'y', repeat('n', 10001));`)
	var p pageOf
	getJSON(t, ts, rowsPath("/api/rows", "public", "items", nil), http.StatusOK, &p)
	if !slices.Equal(p.TruncatedCells, [][2]int{{6, 9}}) {
		t.Fatalf("truncated cells %v, want [[6 9]]", p.TruncatedCells)
	}
	// Cut at 10,000 bytes, between two characters of two bytes.
	if v := *p.Rows[6][9]; v != strings.Repeat("é", 5000) {
		t.Errorf("the cut value: %d bytes", len(v))
	}
	var cell struct {
		Value *string `json:"value"`
	}
	getJSON(t, ts, "/api/cell?schema=public&name=items&column=big&key="+url.QueryEscape(`{"id":"7"}`), http.StatusOK, &cell)
	if cell.Value == nil || *cell.Value != strings.Repeat("é", 6000) {
		t.Errorf("the whole value: %v", cell.Value)
	}
	getJSON(t, ts, "/api/cell?schema=public&name=items&column=big&key="+url.QueryEscape(`{"id":"8"}`), http.StatusOK, &cell)
	if cell.Value != nil {
		t.Errorf("a NULL cell: %q", *cell.Value)
	}

	// bytea's hex and a long char(n) (whose ::text would trim it, so the
	// server does not cut it) are cut too; exactly 10,000 bytes is not.
	getJSON(t, ts, rowsPath("/api/rows", "public", "blobs", nil), http.StatusOK, &p)
	if !slices.Equal(p.TruncatedCells, [][2]int{{0, 1}, {0, 2}, {1, 2}, {1, 3}}) {
		t.Errorf("truncated cells %v", p.TruncatedCells)
	}
	if v := *p.Rows[0][1]; v != `\x`+strings.Repeat("ab", 4999) {
		t.Errorf("bytea cut to %d bytes: %.20q", len(v), v)
	}
	if v := *p.Rows[0][3]; len(v) != 10000 {
		t.Errorf("10,000 bytes: %d", len(v))
	}
	getJSON(t, ts, "/api/cell?schema=public&name=blobs&column=c&key="+url.QueryEscape(`{"id":"1"}`), http.StatusOK, &cell)
	if cell.Value == nil || *cell.Value != "x"+strings.Repeat(" ", 11999) {
		t.Errorf("char(12000) whole: %d bytes", len(*cell.Value))
	}
}

func TestCellErrors(t *testing.T) {
	ts := newStudio(t, rowsSetup)
	for _, c := range []struct {
		query  string
		status int
		want   string
	}{
		{`column=big&key={"id":"99"}`, 404, `no row of "public"."items" has that key`},
		{`column=nope&key={"id":"7"}`, 400, `column: "public"."items" has no column "nope"`},
		{`column=big&key={"name":"7"}`, 400, `key: no value for "id", a column of the key of "public"."items"`},
		{`column=big&key={"id":"7","name":"x"}`, 400, `key: "name" is not a column of the key of "public"."items"`},
		{`column=big&key={"id":null}`, 400, `key: no value for "id"`},
		{`column=big&key={"id":"seven"}`, 400, `key "id": the value 'seven': invalid input syntax for type integer: "seven"`},
		{`column=big&key=[1]`, 400, `key: not a JSON object`},
	} {
		path := "/api/cell?schema=public&name=items&" + strings.ReplaceAll(c.query, `"`, "%22")
		if msg := errorOf(t, ts, path, c.status); !strings.HasPrefix(msg, c.want) {
			t.Errorf("%s: %q, want %q", c.query, msg, c.want)
		}
	}
	if msg := errorOf(t, ts, "/api/cell?schema=public&name=nokey&column=y&key={}", 400); msg != `"public"."nokey" has no key: no value of it can be asked for by its row` {
		t.Errorf("no key: %q", msg)
	}
	// A unique key of NOT NULL columns identifies a row as well as a
	// primary key does.
	var cell struct {
		Value *string `json:"value"`
	}
	getJSON(t, ts, "/api/cell?schema=public&name=ukey&column=n&key="+url.QueryEscape(`{"code":"k3"}`), http.StatusOK, &cell)
	if cell.Value == nil || *cell.Value != "1" {
		t.Errorf("ukey k3: %v", cell.Value)
	}
}

// walk reads every page of a view through the cursors and returns the
// values of column col, checking each page's offset and size.
func walk(t *testing.T, ts *testStudio, schema, table string, params url.Values, col string, limit int) (values []string, keyset bool) {
	t.Helper()
	params.Set("limit", fmt.Sprint(limit))
	var p pageOf
	getJSON(t, ts, rowsPath("/api/rows", schema, table, params), http.StatusOK, &p)
	keyset = p.Key != nil
	for page := 0; ; page++ {
		if p.Offset != int64(page*limit) {
			t.Fatalf("page %d: offset %d, want %d", page+1, p.Offset, page*limit)
		}
		values = append(values, p.column(t, col)...)
		if p.Next == nil {
			if len(p.Rows) > limit || (page > 0 && len(p.Rows) == 0) {
				t.Fatalf("last page: %d rows", len(p.Rows))
			}
			return values, keyset
		}
		if len(p.Rows) != limit {
			t.Fatalf("page %d: %d rows and a next page", page+1, len(p.Rows))
		}
		if page > 100 {
			t.Fatal("no end")
		}
		params.Set("after", *p.Next)
		p = pageOf{}
		getJSON(t, ts, rowsPath("/api/rows", schema, table, params), http.StatusOK, &p)
	}
}

// TestRowsPages walks tables page by page in many orders, through the
// cursors the pages give, and checks the rows against PostgreSQL's own
// ORDER BY: keyset pages where a key ends the order (NULLs in the sort
// column included), offset pages where none does.
func TestRowsPages(t *testing.T) {
	ts := newStudio(t, rowsSetup)
	for _, c := range []struct {
		table, sort string
		desc        bool
		filters     string
		col, want   string // the column compared, and the query giving it
		keyset      bool
	}{
		{"items", "", false, "", "id", `SELECT id::text AS v FROM items ORDER BY id`, true},
		{"items", "", true, "", "id", `SELECT id::text AS v FROM items ORDER BY id DESC`, true},
		{"items", "qty", false, "", "id", `SELECT id::text AS v FROM items ORDER BY qty ASC NULLS LAST, id`, true},
		{"items", "qty", true, "", "id", `SELECT id::text AS v FROM items ORDER BY qty DESC NULLS FIRST, id DESC`, true},
		{"items", "name", false, "", "id", `SELECT id::text AS v FROM items ORDER BY name, id`, true},
		{"items", "born", true, "", "id", `SELECT id::text AS v FROM items ORDER BY born DESC, id DESC`, true},
		{"items", "id", true, "", "id", `SELECT id::text AS v FROM items ORDER BY id DESC`, true},
		{"items", "big", false, "", "id", `SELECT id::text AS v FROM items ORDER BY big ASC NULLS LAST, id`, true},
		{"items", "mood", false, `[{"column":"qty","op":"notnull"}]`, "id", `SELECT id::text AS v FROM items WHERE qty IS NOT NULL ORDER BY mood, id`, true},
		{"pair", "", false, "", "b", `SELECT b FROM pair ORDER BY a, b`, true},
		{"pair", "v", false, "", "b", `SELECT b FROM pair ORDER BY v ASC NULLS LAST, a, b`, true},
		{"pair", "v", true, "", "b", `SELECT b FROM pair ORDER BY v DESC NULLS FIRST, a DESC, b DESC`, true},
		{"pair", "b", false, "", "b", `SELECT b FROM pair ORDER BY b, a`, true},
		{"ukey", "n", true, "", "code", `SELECT code FROM ukey ORDER BY n DESC, code DESC`, true},
		{"items_view", "id", false, "", "id", `SELECT id::text AS v FROM items ORDER BY id`, false},
		{"items_view", "name", true, "", "name", `SELECT name FROM items ORDER BY name DESC`, false},
		{"nokey", "", false, "", "y", `SELECT y FROM nokey ORDER BY ctid`, false},
		{"nokey", "x", false, "", "y", `SELECT y FROM nokey ORDER BY x, ctid`, false},
	} {
		name := fmt.Sprintf("%s sort=%s desc=%v %s", c.table, c.sort, c.desc, c.filters)
		want := queryColumn(t, ts, c.want)
		for _, limit := range []int{1, 2, 5, 23, 50} {
			params := url.Values{"sort": {c.sort}, "filters": {c.filters}}
			if c.desc {
				params.Set("desc", "1")
			}
			got, keyset := walk(t, ts, "public", c.table, params, c.col, limit)
			if !slices.Equal(got, want) {
				t.Errorf("%s, limit %d:\n got %q\nwant %q", name, limit, got, want)
			}
			if keyset != c.keyset {
				t.Errorf("%s: key %v, want a key: %v", name, keyset, c.keyset)
			}
		}
	}
}

// TestRowsKeysetStatement checks that the next page of a keyed table
// starts from the cursor's values, not from an offset; that after a
// value of a nullable sort column the rows above it and the NULLs are
// read as two ranges, each in an index's order (the NULLs in the key's),
// since PostgreSQL reads an OR of the two by bitmap and sorts all of it;
// and that every
// statement is in the operation log with its values.
func TestRowsKeysetStatement(t *testing.T) {
	ts := newStudio(t, rowsSetup)
	lastPage := func() (string, []string) {
		var log struct {
			Entries []struct {
				SQL  string   `json:"sql"`
				Args []string `json:"args"`
			} `json:"entries"`
		}
		getJSON(t, ts, "/api/log", http.StatusOK, &log)
		for i := len(log.Entries) - 1; i >= 0; i-- {
			if e := log.Entries[i]; strings.Contains(e.SQL, " LIMIT ") && strings.Contains(e.SQL, `FROM "public"."items"`) {
				return e.SQL, e.Args
			}
		}
		t.Fatal("no page in the log")
		return "", nil
	}
	for _, c := range []struct {
		params url.Values
		sql    string
		args   []string
	}{{
		url.Values{"limit": {"5"}},
		`FROM "public"."items" WHERE "id" > $1::pg_catalog.text::"pg_catalog"."int4" ORDER BY "id" ASC NULLS LAST LIMIT $2`,
		[]string{"'5'", "6"},
	}, {
		// The first page ends at qty 1, id 6 (qty 0 for ids 5, 10 and 15).
		url.Values{"limit": {"5"}, "sort": {"qty"}},
		` FROM "public"."items" WHERE ("qty", "id") > ($1::pg_catalog.text::"pg_catalog"."int4", $2::pg_catalog.text::"pg_catalog"."int4") ORDER BY "qty" ASC NULLS LAST, "id" ASC NULLS LAST LIMIT $3)` +
			` UNION ALL (SELECT "id" AS c0, `,
		[]string{"'1'", "'6'", "6"},
	}, {
		url.Values{"limit": {"5"}, "sort": {"qty"}, "filters": {`[{"column":"name","op":"ne","value":"x"}]`}},
		` FROM "public"."items" WHERE "name" <> $1::pg_catalog.text::"pg_catalog"."text" AND "qty" IS NULL ORDER BY "id" ASC NULLS LAST LIMIT $4)` +
			`) AS page ORDER BY "k0" ASC NULLS LAST, "k1" ASC NULLS LAST LIMIT $4`,
		[]string{"'x'", "'1'", "'6'", "6"},
	}} {
		var p pageOf
		getJSON(t, ts, rowsPath("/api/rows", "public", "items", c.params), http.StatusOK, &p)
		c.params.Set("after", *p.Next)
		getJSON(t, ts, rowsPath("/api/rows", "public", "items", c.params), http.StatusOK, &p)
		sql, args := lastPage()
		if !strings.Contains(sql, c.sql) || strings.Contains(sql, "OFFSET") || strings.Contains(sql, " OR ") {
			t.Errorf("%v: the next page's statement\n%s\nwant it to hold\n%s", c.params, sql, c.sql)
		}
		if !slices.Equal(args, c.args) {
			t.Errorf("%v: its values %q, want %q", c.params, args, c.args)
		}
	}
}

func TestRowsOffsetParameter(t *testing.T) {
	ts := newStudio(t, rowsSetup)
	var p pageOf
	getJSON(t, ts, rowsPath("/api/rows", "public", "items", url.Values{"limit": {"5"}, "offset": {"20"}}), http.StatusOK, &p)
	if got := p.column(t, "id"); !slices.Equal(got, []string{"21", "22", "23"}) || p.Offset != 20 || p.Next != nil {
		t.Errorf("offset 20: %q, offset %d, next %v", got, p.Offset, p.Next)
	}
	// A page reached by offset still gives a keyset cursor.
	getJSON(t, ts, rowsPath("/api/rows", "public", "items", url.Values{"limit": {"5"}, "offset": {"10"}}), http.StatusOK, &p)
	getJSON(t, ts, rowsPath("/api/rows", "public", "items", url.Values{"limit": {"5"}, "after": {*p.Next}}), http.StatusOK, &p)
	if got := p.column(t, "id"); !slices.Equal(got, []string{"16", "17", "18", "19", "20"}) || p.Offset != 15 {
		t.Errorf("after offset 10: %q, offset %d", got, p.Offset)
	}
}

func TestRowsFilters(t *testing.T) {
	ts := newStudio(t, rowsSetup)
	for _, c := range []struct {
		filters string
		where   string
	}{
		{`[{"column":"born","op":"eq","value":"2024-01-05"}]`, `born = '2024-01-05'`},
		{`[{"column":"born","op":"ge","value":"Jan 20, 2024"}]`, `born >= '2024-01-20'`},
		{`[{"column":"qty","op":"gt","value":"2"}]`, `qty > 2`},
		{`[{"column":"qty","op":"le","value":"2"},{"column":"flag","op":"eq","value":"true"}]`, `qty <= 2 AND flag`},
		{`[{"column":"qty","op":"lt","value":" 2 "}]`, `qty < 2`},
		{`[{"column":"qty","op":"ne","value":"1"}]`, `qty <> 1`},
		{`[{"column":"qty","op":"null"}]`, `qty IS NULL`},
		{`[{"column":"qty","op":"notnull"}]`, `qty IS NOT NULL`},
		{`[{"column":"mood","op":"in","values":["ok","happy"]}]`, `mood IN ('ok', 'happy')`},
		{`[{"column":"mood","op":"gt","value":"sad"}]`, `mood > 'sad'`}, // enum order, not text order
		{`[{"column":"name","op":"like","value":"item 1%"}]`, `name LIKE 'item 1%'`},
		{`[{"column":"name","op":"ilike","value":"ITEM _"}]`, `name ILIKE 'ITEM _'`},
		{`[{"column":"name","op":"eq","value":"item 3'; DROP TABLE items; --"}]`, `false`},
		{`[{"column":"code","op":"eq","value":"c3"}]`, `code = 'c3'`},
		{`[{"column":"addr","op":"eq","value":"10.0.0.3/32"}]`, `addr = '10.0.0.3'`},
		{`[{"column":"we\"ird","op":"eq","value":""}]`, `"we""ird" = ''`},
		{`[{"column":"id","op":"in","values":["3","3","5"]}]`, `id IN (3, 5)`},
		{`[]`, `true`},
	} {
		want := queryColumn(t, ts, `SELECT id::text AS v FROM items WHERE `+c.where+` ORDER BY id`)
		var p pageOf
		getJSON(t, ts, rowsPath("/api/rows", "public", "items", url.Values{"filters": {c.filters}}), http.StatusOK, &p)
		if got := p.column(t, "id"); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", c.filters, got, want)
		}
		var n struct {
			Count *int64 `json:"count"`
		}
		getJSON(t, ts, rowsPath("/api/count", "public", "items", url.Values{"filters": {c.filters}}), http.StatusOK, &n)
		if n.Count == nil || *n.Count != int64(len(want)) {
			t.Errorf("%s: count %v, want %d", c.filters, n.Count, len(want))
		}
	}
}

// TestRowsFilterErrors checks that a filter the table cannot take is a
// 400 naming the filter, and that nothing is read.
func TestRowsFilterErrors(t *testing.T) {
	ts := newStudio(t, rowsSetup)
	for _, c := range []struct {
		table, params, want string
	}{
		{"items", `filters=[{"column":"qty","op":"eq","value":"abc"}]`, `filter on "qty": the value 'abc': invalid input syntax for type integer: "abc"`},
		{"items", `filters=[{"column":"qty","op":"in","values":["1","x"]}]`, `filter on "qty": the value 'x': invalid input syntax for type integer: "x"`},
		{"items", `filters=[{"column":"qty","op":"gt","value":"99999999999"}]`, `filter on "qty": the value '99999999999': value "99999999999" is out of range for type integer`},
		{"items", `filters=[{"column":"mood","op":"eq","value":"angry"}]`, `filter on "mood": the value 'angry': invalid input value for enum shop.mood: "angry"`},
		// A date's input function is not immutable: without the check
		// first, an empty table would answer a bad date with no rows.
		{"days", `filters=[{"column":"d","op":"eq","value":"2024-02-30"}]`, `filter on "d": the value '2024-02-30': date/time field value out of range: "2024-02-30"`},
		{"items", `filters=[{"column":"nope","op":"eq","value":"1"}]`, `filter on "nope": "public"."items" has no such column`},
		{"items", `filters=[{"column":"qty","op":"between","value":"1"}]`, `filter on "qty": unknown operator "between"`},
		{"items", `filters=[{"column":"qty","op":"like","value":"1%"}]`, `filter on "qty": like applies to text columns, and "qty" is integer`},
		{"items", `filters=[{"column":"mood","op":"ilike","value":"s%"}]`, `filter on "mood": ilike applies to text columns, and "mood" is shop.mood`},
		{"items", `filters=[{"column":"qty","op":"eq"}]`, `filter on "qty": eq needs a value`},
		{"items", `filters=[{"column":"qty","op":"in","values":[]}]`, `filter on "qty": in needs at least one value`},
		{"items", `filters=[{"column":"qty","op":"in","value":"1","values":["1"]}]`, `filter on "qty": in takes values, not value`},
		{"items", `filters=[{"column":"qty","op":"null","value":"1"}]`, `filter on "qty": null takes no value`},
		{"items", `filters=[{"column":"qty","op":"eq","value":"1","values":["2"]}]`, `filter on "qty": eq takes one value, not values`},
		{"items", `filters=[{"column":"doc","op":"eq","value":"{}"}]`, `filter on "doc": operator does not exist: json = json`},
		{"items", `filters=[{"column":"doc","op":"in","values":["{}"]}]`, `filter on "doc": operator does not exist: json = json`},
		{"items", `filters={"column":"qty"}`, `filters: not a JSON array of filters`},
		{"items", `filters=[] []`, `filters: not a JSON array of filters: more than one value`},
		{"items", `after=` + cursorOf(`{"c":["id"],"v":[null],"o":5}`), `after: the cursor holds NULL for "id", a key column`},
		{"items", `after=` + cursorOf(`{"c":["id"],"v":["abc"],"o":5}`), `after (the cursor): the value 'abc': invalid input syntax for type integer: "abc"`},
		{"items", `after=` + cursorOf(`{"c":["id"],"v":["1"],"o":-5}`), `after: not a cursor this studio made`},
		{"items", `after=` + cursorOf(`{"c":["id"],"v":["1"],"x":1}`), `after: not a cursor this studio made`},
		{"items", `filters=[{"column":"qty","op":"eq","value":"1","extra":1}]`, `filters: not a JSON array of filters: json: unknown field "extra"`},
		{"items", `filters=[{"column":"id","op":"in","values":["1"` + strings.Repeat(`,"1"`, 1000) + `]}]`, `filter on "id": in takes at most 1000 values, not 1001`},
		{"items", `sort=doc`, `sort by "doc": could not identify an ordering operator for type json`},
		{"items", `sort=nope`, `sort: "public"."items" has no column "nope"`},
		{"items", `desc=yes`, `desc: "yes" is neither 1 nor 0`},
		{"items", `limit=0`, `limit: "0" is not a whole number from 1 to 1000`},
		{"items", `limit=1001`, `limit: "1001" is not a whole number from 1 to 1000`},
		{"items", `offset=-1`, `offset: "-1" is not a whole number`},
		{"items", `after=garbage!`, `after: not a cursor this studio made`},
		{"nope", ``, `no table or view "public"."nope"`},
	} {
		status := http.StatusBadRequest
		if c.table == "nope" {
			status = http.StatusNotFound
		}
		params := url.Values{}
		if c.params != "" {
			k, v, _ := strings.Cut(c.params, "=")
			params.Set(k, v)
		}
		msg := errorOf(t, ts, rowsPath("/api/rows", "public", c.table, params), status)
		if !strings.HasPrefix(msg, c.want) {
			t.Errorf("%s: %q, want %q", c.params, msg, c.want)
		}
		if strings.Contains(c.params, "filters") {
			if msg := errorOf(t, ts, rowsPath("/api/count", "public", c.table, params), status); !strings.HasPrefix(msg, c.want) {
				t.Errorf("count %s: %q, want %q", c.params, msg, c.want)
			}
		}
	}
}

// cursorOf encodes a cursor as the studio does, for tests that forge
// one.
func cursorOf(js string) string { return base64.RawURLEncoding.EncodeToString([]byte(js)) }

// TestRowsForeignCursor checks that a cursor is refused by a page of
// another order, instead of starting it at the wrong row.
func TestRowsForeignCursor(t *testing.T) {
	ts := newStudio(t, rowsSetup)
	var p pageOf
	getJSON(t, ts, rowsPath("/api/rows", "public", "items", url.Values{"limit": {"5"}, "sort": {"qty"}}), http.StatusOK, &p)
	for _, params := range []url.Values{
		{"limit": {"5"}, "sort": {"name"}},
		{"limit": {"5"}, "sort": {"qty"}, "desc": {"1"}},
		{"limit": {"5"}},
	} {
		params.Set("after", *p.Next)
		if msg := errorOf(t, ts, rowsPath("/api/rows", "public", "items", params), 400); !strings.Contains(msg, "another order") {
			t.Errorf("%v: %q", params, msg)
		}
	}
	params := url.Values{"after": {*p.Next}}
	if msg := errorOf(t, ts, rowsPath("/api/rows", "public", "items_view", params), 400); !strings.Contains(msg, "another order") {
		t.Errorf("a keyset cursor on a view: %q", msg)
	}
}

// TestCountTimeout checks that an exact count is bounded by the
// studio's statement timeout, and says so.
func TestCountTimeout(t *testing.T) {
	ts := newStudio(t, `CREATE VIEW slow AS SELECT 1 AS s FROM pg_sleep(5);`, func(o *studio.Options) { o.StatementTimeout = 200 * time.Millisecond })
	start := time.Now()
	msg := errorOf(t, ts, "/api/count?schema=public&name=slow", http.StatusUnprocessableEntity)
	if want := "canceling statement due to statement timeout (the studio's statement timeout is 200ms)"; msg != want {
		t.Errorf("%q, want %q", msg, want)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the count took %s", d)
	}
}
