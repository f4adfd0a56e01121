package studio_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/studio"
)

const editSetup = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE item (
	id bigint PRIMARY KEY,
	name text NOT NULL DEFAULT 'unnamed',
	price numeric(12,2),
	big bigint,
	tags text[],
	doc jsonb,
	born date,
	at timestamptz,
	feel mood,
	code varchar(3),
	flag bool,
	twice bigint GENERATED ALWAYS AS (id * 2) STORED
);
CREATE TABLE numbered (n int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text DEFAULT 'x');
CREATE TABLE pair (a text, b int, note text, PRIMARY KEY (b, a));
CREATE TABLE loose (a int);
CREATE VIEW item_names AS SELECT id, name FROM item;
INSERT INTO item (id, name, price) VALUES (1, 'one', 1.50), (2, 'two', 2.00);
INSERT INTO pair VALUES ('x', 1, 'first');
`

// v, null and dflt spell an edit's values as the page does.
func v(s string) map[string]any { return map[string]any{"value": s} }

var (
	null = map[string]any{"null": true}
	dflt = map[string]any{"default": true}
)

// rowText reads one row of sql as text, NULL as "<NULL>".
func rowText(t *testing.T, ts *testStudio, sql string) []string {
	t.Helper()
	rows, err := ts.DB.Query(context.Background(), sql, pgx.QueryResultFormats{pgx.TextFormatCode})
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("%s: no row (%v)", sql, rows.Err())
	}
	var out []string
	for _, raw := range rows.RawValues() {
		if raw == nil {
			out = append(out, "<NULL>")
		} else {
			out = append(out, string(raw))
		}
	}
	return out
}

// count counts the rows of sql's result.
func count(t *testing.T, ts *testStudio, sql string) int {
	t.Helper()
	var n int
	if err := ts.DB.QueryRow(context.Background(), "SELECT count(*) FROM ("+sql+") q").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func errMessage(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func TestSaveKeepsTextExact(t *testing.T) {
	ts := newStudio(t, editSetup)
	edits := []map[string]any{
		{"op": "insert", "schema": "public", "name": "item", "values": map[string]any{
			"id":    v("4611686018427387903"),
			"price": v("1234567890.12"),
			"big":   v("-9223372036854775808"),
			"tags":  v(`{a,"b c",NULL}`),
			"doc":   v(`{"n": 12345678901234567890, "s": "<script>"}`),
			"born":  v("1999-12-31"),
			"at":    v("2026-03-29 01:30:00+00"),
			"feel":  v("happy"),
			"code":  v("abc"),
			"flag":  v("true"),
		}},
		{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "1"}, "values": map[string]any{
			"name": v(""), "price": null, "feel": v("sad"),
		}},
		{"op": "delete", "schema": "public", "name": "item", "key": map[string]string{"id": "2"}},
	}
	body, code := ts.post(t, "/api/save", map[string]any{"edits": edits})
	if code != http.StatusOK {
		t.Fatalf("save: %d %v", code, body)
	}
	got := rowText(t, ts, `SELECT price, big, tags, doc, born, at AT TIME ZONE 'UTC', feel, code, flag, twice FROM item WHERE id = 4611686018427387903`)
	want := []string{"1234567890.12", "-9223372036854775808", `{a,"b c",NULL}`, `{"n": 12345678901234567890, "s": "<script>"}`,
		"1999-12-31", "2026-03-29 01:30:00", "happy", "abc", "t", "9223372036854775806"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("inserted row:\n got %q\nwant %q", got, want)
	}
	if got := rowText(t, ts, `SELECT name, price, feel FROM item WHERE id = 1`); !reflect.DeepEqual(got, []string{"", "<NULL>", "sad"}) {
		t.Errorf("updated row: %q", got)
	}
	if n := count(t, ts, "SELECT FROM item WHERE id = 2"); n != 0 {
		t.Errorf("deleted row still there")
	}
	results, _ := body["results"].([]any)
	if len(results) != 3 {
		t.Fatalf("results: %v", body)
	}
	ins := results[0].(map[string]any)
	row := ins["row"].(map[string]any)
	if ins["rows_affected"] != float64(1) || row["id"] != "4611686018427387903" || row["price"] != "1234567890.12" || row["name"] != "unnamed" {
		t.Errorf("insert's result: %v", ins)
	}
	if del := results[2].(map[string]any); del["rows_affected"] != float64(1) || del["row"] != nil {
		t.Errorf("delete's result: %v", del)
	}
}

func TestSaveNullDefaultAndDefaultValues(t *testing.T) {
	ts := newStudio(t, editSetup)
	edits := []map[string]any{
		{"op": "insert", "schema": "public", "name": "item", "values": map[string]any{"id": v("5"), "name": dflt, "price": null, "twice": dflt}},
		{"op": "insert", "schema": "public", "name": "numbered"},
		{"op": "insert", "schema": "public", "name": "numbered", "values": map[string]any{"n": dflt, "label": null}},
		{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "1"}, "values": map[string]any{"name": dflt}},
	}
	body, code := ts.post(t, "/api/preview", map[string]any{"edits": edits})
	if code != http.StatusOK {
		t.Fatalf("preview: %d %v", code, body)
	}
	var sqls []string
	for _, s := range body["statements"].([]any) {
		sqls = append(sqls, s.(map[string]any)["sql"].(string))
	}
	want := []string{
		`INSERT INTO "public"."item" ("id", "name", "price", "twice") VALUES ($1::text::bigint, DEFAULT, $2::text::numeric, DEFAULT) RETURNING *`,
		`INSERT INTO "public"."numbered" DEFAULT VALUES RETURNING *`,
		`INSERT INTO "public"."numbered" ("n", "label") VALUES (DEFAULT, $1::text::text) RETURNING *`,
		`UPDATE "public"."item" SET "name" = DEFAULT WHERE "id" = $1::text::bigint RETURNING *`,
	}
	if !reflect.DeepEqual(sqls, want) {
		t.Errorf("preview:\n got %q\nwant %q", sqls, want)
	}
	if args := body["statements"].([]any)[0].(map[string]any)["args"]; !reflect.DeepEqual(args, []any{"5", nil}) {
		t.Errorf("args: %#v", args)
	}
	if body, code := ts.post(t, "/api/save", map[string]any{"edits": edits}); code != http.StatusOK {
		t.Fatalf("save: %d %v", code, body)
	}
	if got := rowText(t, ts, "SELECT name, price, twice FROM item WHERE id = 5"); !reflect.DeepEqual(got, []string{"unnamed", "<NULL>", "10"}) {
		t.Errorf("insert with DEFAULT and NULL: %q", got)
	}
	if got := rowText(t, ts, "SELECT string_agg(n || ':' || coalesce(label, 'NULL'), ',' ORDER BY n) FROM numbered"); got[0] != "1:x,2:NULL" {
		t.Errorf("numbered: %q", got)
	}
	if got := rowText(t, ts, "SELECT name FROM item WHERE id = 1"); got[0] != "unnamed" {
		t.Errorf("update to DEFAULT: %q", got)
	}
}

// TestPreviewIsWhatSaveRuns compares the preview with the statements
// the operation log shows save ran.
func TestPreviewIsWhatSaveRuns(t *testing.T) {
	ts := newStudio(t, editSetup)
	edits := []map[string]any{
		{"op": "update", "schema": "public", "name": "pair", "key": map[string]string{"a": "x", "b": "1"}, "values": map[string]any{"note": v("it's")}},
		{"op": "insert", "schema": "public", "name": "pair", "values": map[string]any{"note": null, "b": v("2"), "a": v("<nil>")}},
		{"op": "delete", "schema": "public", "name": "pair", "key": map[string]string{"b": "2", "a": "<nil>"}},
	}
	prev, code := ts.post(t, "/api/preview", map[string]any{"edits": edits})
	if code != http.StatusOK {
		t.Fatalf("preview: %d %v", code, prev)
	}
	if body, code := ts.post(t, "/api/save", map[string]any{"edits": edits}); code != http.StatusOK {
		t.Fatalf("save: %d %v", code, body)
	}
	log, _ := ts.get(t, "/api/log")
	entries := log["entries"].([]any)
	var ran []any
	for _, e := range entries[len(entries)-3:] {
		e := e.(map[string]any)
		ran = append(ran, map[string]any{"sql": e["sql"], "args": e["args"]})
	}
	// The log writes arguments as PostgreSQL's log does: NULL bare, text
	// quoted.
	for _, st := range prev["statements"].([]any) {
		st := st.(map[string]any)
		for i, a := range st["args"].([]any) {
			if a == nil {
				st["args"].([]any)[i] = "NULL"
			} else {
				st["args"].([]any)[i] = "'" + strings.ReplaceAll(a.(string), "'", "''") + "'"
			}
		}
	}
	if !reflect.DeepEqual(prev["statements"], ran) {
		t.Errorf("preview:\n%v\nthe log of save:\n%v", prev["statements"], ran)
	}
	// The key's columns in the key's order (b, a), the values' in the table's.
	if s := ran[0].(map[string]any)["sql"]; s != `UPDATE "public"."pair" SET "note" = $1::text::text WHERE "b" = $2::text::integer AND "a" = $3::text::text RETURNING *` {
		t.Errorf("update: %s", s)
	}
	if got := rowText(t, ts, "SELECT note FROM pair WHERE a = 'x'"); got[0] != "it's" {
		t.Errorf("note: %q", got)
	}
}

// TestSaveIsOneTransaction: a failing edit leaves the database as it
// was, the edits before it included, and the error names it.
func TestSaveIsOneTransaction(t *testing.T) {
	ts := newStudio(t, editSetup)
	first := map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "1"}, "values": map[string]any{"name": v("changed")}}
	for _, c := range []struct {
		name   string
		second map[string]any
		status int
		want   []string
	}{
		{"no such row", map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "77"}, "values": map[string]any{"name": v("x")}},
			http.StatusConflict, []string{`edit 2 (update of "public"."item" where "id" = '77')`, "no row has this key", "nothing was saved"}},
		{"delete of no row", map[string]any{"op": "delete", "schema": "public", "name": "item", "key": map[string]string{"id": "77"}},
			http.StatusConflict, []string{`edit 2 (delete of "public"."item" where "id" = '77')`, "no row has this key"}},
		{"too long for varchar(3)", map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "2"}, "values": map[string]any{"code": v("abcd")}},
			http.StatusUnprocessableEntity, []string{`edit 2 (update of "public"."item" where "id" = '2')`, "value too long for type character varying(3)"}},
		{"not an enum label", map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "2"}, "values": map[string]any{"feel": v("angry")}},
			http.StatusUnprocessableEntity, []string{"edit 2", `invalid input value for enum mood: "angry"`}},
		{"duplicate key", map[string]any{"op": "insert", "schema": "public", "name": "item", "values": map[string]any{"id": v("2")}},
			http.StatusUnprocessableEntity, []string{`edit 2 (insert of "public"."item")`, "duplicate key"}},
		{"not null", map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "2"}, "values": map[string]any{"name": null}},
			http.StatusUnprocessableEntity, []string{"edit 2", `null value in column "name"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			body, code := ts.post(t, "/api/save", map[string]any{"edits": []any{first, c.second}})
			msg := errMessage(body)
			if code != c.status {
				t.Errorf("status %d, want %d: %v", code, c.status, body)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if got := rowText(t, ts, "SELECT name FROM item WHERE id = 1"); got[0] != "one" {
				t.Errorf("the first edit was saved: name = %q", got[0])
			}
			if n := count(t, ts, "SELECT FROM item"); n != 2 {
				t.Errorf("%d rows, want 2", n)
			}
		})
	}
}

// TestEditMistakes: each mistake is a 400 naming the edit (and the
// column where there is one), from preview and save alike, and nothing
// is saved.
func TestEditMistakes(t *testing.T) {
	ts := newStudio(t, editSetup)
	ok := map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "1"}, "values": map[string]any{"name": v("changed")}}
	for _, c := range []struct {
		name string
		edit map[string]any
		want []string
	}{
		{"view", map[string]any{"op": "update", "schema": "public", "name": "item_names", "key": map[string]string{"id": "1"}, "values": map[string]any{"name": v("x")}},
			[]string{"edit 2", `"public"."item_names" is a view`}},
		{"no primary key", map[string]any{"op": "insert", "schema": "public", "name": "loose", "values": map[string]any{"a": v("1")}},
			[]string{"edit 2", `table "public"."loose" has no primary key`}},
		{"no such table", map[string]any{"op": "insert", "schema": "public", "name": "nope"},
			[]string{"edit 2", `no table "public"."nope"`}},
		{"name with a quote", map[string]any{"op": "insert", "schema": "public", "name": `item"; DROP TABLE item; --`},
			[]string{"edit 2", `no table "public"."item""; DROP TABLE item; --"`}},
		{"no such column", map[string]any{"op": "insert", "schema": "public", "name": "item", "values": map[string]any{"id": v("3"), "colour": v("red")}},
			[]string{`edit 2 (insert of "public"."item")`, `no column "colour"`}},
		{"invalid JSON", map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "2"}, "values": map[string]any{"doc": v(`{"a": 1,}`)}},
			[]string{`edit 2 (update of "public"."item" where "id" = '2')`, `column "doc": not valid JSON`, "at byte 9"}},
		{"generated column", map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "2"}, "values": map[string]any{"twice": v("4")}},
			[]string{"edit 2", `column "twice" is generated`}},
		{"identity always", map[string]any{"op": "insert", "schema": "public", "name": "numbered", "values": map[string]any{"n": v("4")}},
			[]string{"edit 2", `column "n" is an identity column GENERATED ALWAYS`}},
		{"null to identity always", map[string]any{"op": "insert", "schema": "public", "name": "numbered", "values": map[string]any{"n": null}},
			[]string{"edit 2", `column "n" is an identity column`}},
		{"value and null", map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "2"}, "values": map[string]any{"name": map[string]any{"value": "a", "null": true}}},
			[]string{"edit 2", `column "name": give exactly one of value, null or default`}},
		{"nothing", map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "2"}, "values": map[string]any{"name": map[string]any{}}},
			[]string{"edit 2", `column "name": give exactly one`}},
		{"no values", map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "2"}},
			[]string{"edit 2", "no values to set"}},
		{"no key", map[string]any{"op": "delete", "schema": "public", "name": "item"},
			[]string{"edit 2", "no key: give the row's primary key (id)"}},
		{"part of the key", map[string]any{"op": "delete", "schema": "public", "name": "pair", "key": map[string]string{"a": "x"}},
			[]string{"edit 2", `the key lacks the primary key's column "b"`}},
		{"null key", map[string]any{"op": "delete", "schema": "public", "name": "item", "key": map[string]any{"id": nil}},
			[]string{"edit 2", `key column "id" is null`}},
		{"not the key", map[string]any{"op": "delete", "schema": "public", "name": "item", "key": map[string]string{"name": "one"}},
			[]string{"edit 2", `key column "name" is not in the primary key (id)`}},
		{"delete with values", map[string]any{"op": "delete", "schema": "public", "name": "item", "key": map[string]string{"id": "2"}, "values": map[string]any{"name": v("x")}},
			[]string{"edit 2", "a delete sets no values"}},
		{"insert with a key", map[string]any{"op": "insert", "schema": "public", "name": "item", "key": map[string]string{"id": "2"}},
			[]string{"edit 2", "an insert has no key"}},
		{"unknown op", map[string]any{"op": "upsert", "schema": "public", "name": "item"},
			[]string{"edit 2", `op "upsert"`}},
		{"unknown field", map[string]any{"op": "insert", "schema": "public", "name": "item", "vals": map[string]any{}},
			[]string{`unknown field "vals"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range []string{"/api/preview", "/api/save"} {
				body, code := ts.post(t, path, map[string]any{"edits": []any{ok, c.edit}})
				if code != http.StatusBadRequest {
					t.Errorf("%s: status %d, want 400: %v", path, code, body)
				}
				msg := errMessage(body)
				for _, w := range c.want {
					if !strings.Contains(msg, w) {
						t.Errorf("%s: error %q lacks %q", path, msg, w)
					}
				}
			}
			if got := rowText(t, ts, "SELECT name FROM item WHERE id = 1"); got[0] != "one" {
				t.Errorf("saved anyway: name = %q", got[0])
			}
		})
	}
	if body, code := ts.post(t, "/api/save", map[string]any{"edits": []any{}}); code != http.StatusBadRequest || !strings.Contains(errMessage(body), "no edits") {
		t.Errorf("no edits: %d %v", code, body)
	}
	if n := count(t, ts, "SELECT FROM pg_tables WHERE tablename = 'item'"); n != 1 {
		t.Error("item is gone")
	}
}

func TestReadOnlyRefusesEdits(t *testing.T) {
	ts := newStudio(t, editSetup, func(o *studio.Options) { o.ReadOnly = true })
	edit := map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "1"}, "values": map[string]any{"name": v("changed")}}
	for _, path := range []string{"/api/preview", "/api/save"} {
		body, code := ts.post(t, path, map[string]any{"edits": []any{edit}})
		if code != http.StatusForbidden || !strings.Contains(errMessage(body), "read-only") {
			t.Errorf("%s: %d %v, want 403", path, code, body)
		}
	}
	if got := rowText(t, ts, "SELECT name FROM item WHERE id = 1"); got[0] != "one" {
		t.Errorf("saved in read-only mode: name = %q", got[0])
	}
}

// TestSaveRefusesAKeyMatchingTwoRows: a primary key matches one row,
// but a rule can make an update by key change several; save refuses
// that rather than trust the key.
func TestSaveRefusesAKeyMatchingTwoRows(t *testing.T) {
	ts := newStudio(t, editSetup+`
CREATE TABLE ruled (id int PRIMARY KEY, v text);
CREATE TABLE other (id int, v text);
INSERT INTO ruled VALUES (1, 'a'), (2, 'b');
INSERT INTO other VALUES (1, 'a'), (2, 'b');
CREATE RULE everyone AS ON UPDATE TO ruled DO INSTEAD UPDATE other SET v = NEW.v RETURNING other.*;
`)
	edit := map[string]any{"op": "update", "schema": "public", "name": "ruled", "key": map[string]string{"id": "1"}, "values": map[string]any{"v": v("z")}}
	body, code := ts.post(t, "/api/save", map[string]any{"edits": []any{edit}})
	if code != http.StatusConflict || !strings.Contains(errMessage(body), "more than one row") {
		t.Errorf("%d %v, want 409 naming more than one row", code, body)
	}
	if got := rowText(t, ts, "SELECT string_agg(v, ',' ORDER BY id) FROM other"); got[0] != "a,b" {
		t.Errorf("saved: %q", got)
	}
}

// TestSaveRefusesAnInsertATriggerSkips: a BEFORE trigger that returns
// NULL skips the row, and save says so instead of reporting success.
func TestSaveRefusesAnInsertATriggerSkips(t *testing.T) {
	ts := newStudio(t, editSetup+`
CREATE FUNCTION skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER skip BEFORE INSERT ON pair FOR EACH ROW EXECUTE FUNCTION skip();
`)
	edits := []any{
		map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "1"}, "values": map[string]any{"name": v("changed")}},
		map[string]any{"op": "insert", "schema": "public", "name": "pair", "values": map[string]any{"a": v("z"), "b": v("9")}},
	}
	body, code := ts.post(t, "/api/save", map[string]any{"edits": edits})
	if code != http.StatusConflict || !strings.Contains(errMessage(body), `edit 2 (insert of "public"."pair"): no row was inserted`) {
		t.Errorf("%d %v", code, body)
	}
	if got := rowText(t, ts, "SELECT name FROM item WHERE id = 1"); got[0] != "one" {
		t.Errorf("saved: %q", got)
	}
}

func TestSaveRefusesTooManyEdits(t *testing.T) {
	ts := newStudio(t, editSetup)
	edit := map[string]any{"op": "update", "schema": "public", "name": "item", "key": map[string]string{"id": "1"}, "values": map[string]any{"name": v("x")}}
	edits := make([]any, 10001)
	for i := range edits {
		edits[i] = edit
	}
	body, code := ts.post(t, "/api/save", map[string]any{"edits": edits})
	if code != http.StatusBadRequest || !strings.Contains(errMessage(body), "10001 edits: the studio saves at most 10000 at once") {
		t.Errorf("%d %v", code, body)
	}
}
