package studio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mizzle/mizzle/internal/studio"
)

const consoleSetup = `
CREATE TABLE item (id int PRIMARY KEY, name text);
INSERT INTO item VALUES (1, 'one'), (2, 'two');
`

// console runs sql in the console and returns the reply and status.
func console(t *testing.T, ts *testStudio, sql string, explain ...string) (map[string]any, int) {
	t.Helper()
	body := map[string]any{"sql": sql}
	if len(explain) > 0 {
		body["explain"] = explain[0]
	}
	return ts.post(t, "/api/console", body)
}

// rows returns a console result's rows as strings, NULL as "<NULL>".
func rows(body map[string]any) [][]string {
	var out [][]string
	rs, _ := body["rows"].([]any)
	for _, r := range rs {
		var row []string
		for _, c := range r.([]any) {
			if c == nil {
				row = append(row, "<NULL>")
			} else {
				row = append(row, c.(string))
			}
		}
		out = append(out, row)
	}
	return out
}

func TestConsoleSelect(t *testing.T) {
	ts := newStudio(t, consoleSetup)
	body, code := console(t, ts, `SELECT 9007199254740993::bigint AS big, NULL::text AS "null", ''::text AS empty, '<b>'::text AS html, 0.1::numeric + 0.2 AS sum, now() > '2000-01-01' AS later`)
	if code != http.StatusOK {
		t.Fatalf("%d %v", code, body)
	}
	want := [][]string{{"9007199254740993", "<NULL>", "", "<b>", "0.3", "t"}}
	if got := rows(body); !reflect.DeepEqual(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
	var types []string
	for _, c := range body["columns"].([]any) {
		types = append(types, c.(map[string]any)["name"].(string)+" "+c.(map[string]any)["type"].(string))
	}
	if want := []string{"big bigint", "null text", "empty text", "html text", "sum numeric", "later boolean"}; !reflect.DeepEqual(types, want) {
		t.Errorf("columns %q, want %q", types, want)
	}
	if body["tag"] != "SELECT 1" || body["rows_affected"] != float64(1) || body["truncated"] != false {
		t.Errorf("tag %v, rows_affected %v, truncated %v", body["tag"], body["rows_affected"], body["truncated"])
	}
	if _, ok := body["duration_ms"].(float64); !ok {
		t.Errorf("no duration_ms: %v", body)
	}
	log, _ := ts.get(t, "/api/log")
	var found bool
	for _, e := range log["entries"].([]any) {
		if strings.Contains(e.(map[string]any)["sql"].(string), "9007199254740993") {
			found = true
		}
	}
	if !found {
		t.Error("the console's statement is not in the operation log")
	}
}

func TestConsoleRunsOneStatement(t *testing.T) {
	ts := newStudio(t, consoleSetup)
	for _, c := range []struct {
		sql  string
		code int
		want string
	}{
		{"", http.StatusBadRequest, "no statement to run"},
		{"  -- a comment\n;;", http.StatusBadRequest, "no statement to run"},
		{"SELECT 1;\nDELETE FROM item", http.StatusBadRequest, "one statement at a time, and this holds 2: the second begins at line 2"},
		{"SELECT ';'; ", http.StatusOK, ""},
		{"/* first */ SELECT 1 -- last", http.StatusOK, ""},
	} {
		body, code := console(t, ts, c.sql)
		if code != c.code || !strings.Contains(errMessage(body), c.want) {
			t.Errorf("%q: %d %v, want %d %q", c.sql, code, body, c.code, c.want)
		}
	}
	if n := count(t, ts, "SELECT FROM item"); n != 2 {
		t.Errorf("%d rows: the second statement ran", n)
	}
	if body, code := console(t, ts, "SELECT 1", "yes"); code != http.StatusBadRequest || !strings.Contains(errMessage(body), `explain "yes"`) {
		t.Errorf("explain yes: %d %v", code, body)
	}
}

func TestConsoleErrorPosition(t *testing.T) {
	ts := newStudio(t, consoleSetup)
	for _, c := range []struct {
		sql, explain     string
		line, column     int
		message, snippet string
	}{
		{"SELECT id,\n       nosuch\nFROM item", "", 2, 8, `column "nosuch" does not exist`, "nosuch"},
		{"-- why\n\n  SELECT  nosuch FROM item;", "", 3, 11, `column "nosuch" does not exist`, "nosuch"},
		{"SELECT  nosuch FROM item", "plan", 1, 9, `column "nosuch" does not exist`, "nosuch"},
		{"SELECT  nosuch FROM item", "analyze", 1, 9, `column "nosuch" does not exist`, "nosuch"},
		{"SELECT 'éé', nosuch FROM item", "", 1, 14, `column "nosuch" does not exist`, "nosuch"},
		{"SELEC 1", "", 1, 1, `syntax error at or near "SELEC"`, "SELEC"},
	} {
		body, code := console(t, ts, c.sql, c.explain)
		e, _ := body["error"].(map[string]any)
		if code != http.StatusUnprocessableEntity || e["message"] != c.message || e["line"] != float64(c.line) || e["column"] != float64(c.column) {
			t.Errorf("%q (explain %q): %d %v, want %q at %d:%d", c.sql, c.explain, code, body, c.message, c.line, c.column)
			continue
		}
		// The page marks the error at line:column: it must fall on the word.
		lines := strings.Split(c.sql, "\n")
		if at := string([]rune(lines[c.line-1])[c.column-1:]); !strings.HasPrefix(at, c.snippet) {
			t.Errorf("%q: %d:%d points at %q, not %q", c.sql, c.line, c.column, at, c.snippet)
		}
	}
}

func TestConsoleExplain(t *testing.T) {
	ts := newStudio(t, consoleSetup)
	body, code := console(t, ts, "SELECT * FROM item WHERE id = 1", "plan")
	if code != http.StatusOK || !strings.Contains(strings.Join(rows(body)[0], ""), "Index Scan") {
		t.Errorf("plan: %d %v", code, body)
	}
	body, code = console(t, ts, "DELETE FROM item", "analyze")
	if code != http.StatusOK || !strings.Contains(strings.Join(rows(body)[0], ""), "actual") {
		t.Errorf("analyze: %d %v", code, body)
	}
	if n := count(t, ts, "SELECT FROM item"); n != 2 {
		t.Errorf("EXPLAIN ANALYZE DELETE deleted: %d rows left", n)
	}
}

func TestConsoleAutocommitsOnAConnectionOfItsOwn(t *testing.T) {
	ts := newStudio(t, consoleSetup, func(o *studio.Options) { o.StatementTimeout = 7 * time.Second })
	body, code := console(t, ts, "INSERT INTO item VALUES (3, 'three'), (4, 'four')")
	if code != http.StatusOK || body["rows_affected"] != float64(2) || body["tag"] != "INSERT 0 2" {
		t.Fatalf("insert: %d %v", code, body)
	}
	if n := count(t, ts, "SELECT FROM item"); n != 4 {
		t.Errorf("%d rows after the insert, want 4", n)
	}
	// Session state does not outlive its statement.
	for _, sql := range []string{"SET statement_timeout = 0", "BEGIN", "CREATE TEMP TABLE scratch (a int)"} {
		if body, code := console(t, ts, sql); code != http.StatusOK {
			t.Fatalf("%s: %d %v", sql, code, body)
		}
	}
	if body, _ := console(t, ts, "SHOW statement_timeout"); !reflect.DeepEqual(rows(body), [][]string{{"7s"}}) {
		t.Errorf("statement_timeout after SET: %v", body)
	}
	if body, _ := console(t, ts, "SELECT count(*) FROM pg_class WHERE relname = 'scratch'"); !reflect.DeepEqual(rows(body), [][]string{{"0"}}) {
		t.Errorf("the temporary table outlived its statement: %v", body)
	}
	if body, code := console(t, ts, "INSERT INTO item VALUES (5, 'five')"); code != http.StatusOK {
		t.Fatalf("insert: %d %v", code, body)
	}
	if n := count(t, ts, "SELECT FROM item WHERE id = 5"); n != 1 {
		t.Error("an insert after BEGIN was left in an open transaction")
	}
}

func TestConsoleReadOnly(t *testing.T) {
	ts := newStudio(t, consoleSetup, func(o *studio.Options) { o.ReadOnly = true })
	if body, code := console(t, ts, "SELECT name FROM item ORDER BY id"); code != http.StatusOK || !reflect.DeepEqual(rows(body), [][]string{{"one"}, {"two"}}) {
		t.Errorf("select: %d %v", code, body)
	}
	for _, sql := range []string{
		"INSERT INTO item VALUES (3, 'three')",
		"UPDATE item SET name = 'x'",
		"CREATE TABLE other (a int)",
	} {
		body, code := console(t, ts, sql)
		e, _ := body["error"].(map[string]any)
		if code != http.StatusUnprocessableEntity || e["code"] != "25006" {
			t.Errorf("%s: %d %v, want a read-only transaction's refusal", sql, code, body)
		}
	}
	// Leaving read-only mode takes more than one statement.
	for _, sql := range []string{"SET default_transaction_read_only = off", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "COMMIT"} {
		console(t, ts, sql)
		if _, code := console(t, ts, "INSERT INTO item VALUES (3, 'three')"); code == http.StatusOK {
			t.Errorf("after %s, an insert ran", sql)
		}
	}
	if body, code := console(t, ts, "DELETE FROM item", "analyze"); code != http.StatusUnprocessableEntity {
		t.Errorf("EXPLAIN ANALYZE DELETE: %d %v", code, body)
	}
	if res, got := export(t, ts, "DELETE FROM item RETURNING *", "csv"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, "read-only transaction") {
		t.Errorf("export of DELETE ... RETURNING: %d %s", res.StatusCode, got)
	}
	if n := count(t, ts, "SELECT FROM item"); n != 2 {
		t.Errorf("%d rows, want 2", n)
	}
}

func TestConsoleCaps(t *testing.T) {
	ts := newStudio(t, "")
	body, code := console(t, ts, "SELECT g FROM generate_series(1, 5000) g")
	if code != http.StatusOK || len(rows(body)) != 1000 || body["truncated"] != true || body["rows_affected"] != float64(5000) {
		t.Errorf("rows cap: %d, %d rows, truncated %v, rows_affected %v", code, len(rows(body)), body["truncated"], body["rows_affected"])
	}
	body, code = console(t, ts, "SELECT repeat('x', 1000000) FROM generate_series(1, 30)")
	if n := len(rows(body)); code != http.StatusOK || n == 0 || n > 11 || body["truncated"] != true {
		t.Errorf("bytes cap: %d, %d rows, truncated %v", code, n, body["truncated"])
	}
}

func TestConsoleNotices(t *testing.T) {
	ts := newStudio(t, "")
	body, code := console(t, ts, "DO $$ BEGIN RAISE NOTICE 'hello %', 42; RAISE WARNING 'careful'; END $$")
	if code != http.StatusOK {
		t.Fatalf("%d %v", code, body)
	}
	if got, want := body["notices"], []any{"NOTICE: hello 42", "WARNING: careful"}; !reflect.DeepEqual(got, want) {
		t.Errorf("notices %v, want %v", got, want)
	}
}

// TestConsoleNoticesRedacted: a notice goes through the same redaction
// as an error, since a server's notice may quote anything.
func TestConsoleNoticesRedacted(t *testing.T) {
	ts := newStudio(t, "", func(o *studio.Options) {
		o.Redact = func(s string) string { return strings.ReplaceAll(s, "hunter2", "xxxxx") }
	})
	body, code := console(t, ts, "DO $$ BEGIN RAISE NOTICE 'the password is hunter2'; END $$")
	if got, want := body["notices"], []any{"NOTICE: the password is xxxxx"}; code != http.StatusOK || !reflect.DeepEqual(got, want) {
		t.Errorf("%d: notices %v, want %v", code, got, want)
	}
}

func TestConsoleStatementTimeout(t *testing.T) {
	ts := newStudio(t, "", func(o *studio.Options) { o.StatementTimeout = 300 * time.Millisecond })
	start := time.Now()
	body, code := console(t, ts, "SELECT pg_sleep(5)")
	e, _ := body["error"].(map[string]any)
	if code != http.StatusUnprocessableEntity || e["code"] != "57014" || !strings.Contains(e["message"].(string), "statement timeout is 300ms") {
		t.Errorf("%d %v", code, body)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
}

// TestConsoleCancelledWithTheRequest: when the browser goes away, the
// query stops on the server, not at the statement timeout.
func TestConsoleCancelledWithTheRequest(t *testing.T) {
	ts := newStudio(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.Base+"/api/console", strings.NewReader(`{"sql":"SELECT pg_sleep(60) AS cancel_me"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(studio.CSRFHeader, "1")
		res, err := ts.Client.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	running := func() int {
		return count(t, ts, "SELECT FROM pg_stat_activity WHERE query LIKE '%cancel_me%' AND state = 'active' AND pid <> pg_backend_pid()")
	}
	deadline := time.Now().Add(10 * time.Second)
	for running() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the query never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err == nil {
		t.Error("the request was not cancelled")
	}
	start := time.Now()
	for running() != 0 {
		if time.Since(start) > 5*time.Second {
			t.Fatal("the query still runs 5s after the request ended")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("the query stopped %s after the request ended", time.Since(start).Round(time.Millisecond))
}

// export posts to /api/console/export and returns the raw reply.
func export(t *testing.T, ts *testStudio, sql, format string) (*http.Response, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"sql": sql, "format": format})
	req, _ := http.NewRequest(http.MethodPost, ts.Base+"/api/console/export", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(studio.CSRFHeader, "1")
	res, err := ts.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(data)
}

func TestConsoleExport(t *testing.T) {
	ts := newStudio(t, consoleSetup)
	const sql = `SELECT id AS a, NULL::text AS b, '' AS c, 'x,"y"' || chr(10) || 'z' AS d, ' pad' AS e FROM item ORDER BY id`
	res, got := export(t, ts, sql, "csv")
	if want := "a,b,c,d,e\n1,,\"\",\"x,\"\"y\"\"\nz\", pad\n2,,\"\",\"x,\"\"y\"\"\nz\", pad\n"; res.StatusCode != http.StatusOK || got != want {
		t.Errorf("csv: %d\n got %q\nwant %q", res.StatusCode, got, want)
	}
	// The same bytes as PostgreSQL's own CSV.
	var copied bytes.Buffer
	if _, err := ts.DB.PgConn().CopyTo(context.Background(), &copied, "COPY ("+sql+") TO STDOUT WITH (FORMAT csv, HEADER)"); err != nil {
		t.Fatal(err)
	}
	if got != copied.String() {
		t.Errorf("csv differs from COPY's:\n got %q\nwant %q", got, copied.String())
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="query.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	res, got = export(t, ts, sql, "json")
	var objs []map[string]any
	if err := json.Unmarshal([]byte(got), &objs); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("json: %d %v in %q", res.StatusCode, err, got)
	}
	if want := []map[string]any{
		{"a": "1", "b": nil, "c": "", "d": "x,\"y\"\nz", "e": " pad"},
		{"a": "2", "b": nil, "c": "", "d": "x,\"y\"\nz", "e": " pad"},
	}; !reflect.DeepEqual(objs, want) {
		t.Errorf("json: %v", objs)
	}
	if res, got := export(t, ts, "SELECT 1 WHERE false", "json"); res.StatusCode != http.StatusOK || got != "[]\n" {
		t.Errorf("no rows: %d %q", res.StatusCode, got)
	}
	for _, c := range []struct {
		sql, format string
		code        int
		want        string
	}{
		{"SELECT 1 AS a, 2 AS a", "json", http.StatusBadRequest, `the column name "a" appears twice`},
		{"UPDATE item SET name = name", "csv", http.StatusBadRequest, "returns no rows to export (UPDATE 2)"},
		{"SELECT 1", "xml", http.StatusBadRequest, `format "xml"`},
		{"SELECT 1; SELECT 2", "csv", http.StatusBadRequest, "one statement at a time"},
		{"SELECT\n nosuch", "csv", http.StatusUnprocessableEntity, `"line":2,"column":2`},
		{"SELECT 1/(2 - g) FROM generate_series(1, 3) g", "csv", http.StatusUnprocessableEntity, "division by zero"},
	} {
		res, got := export(t, ts, c.sql, c.format)
		var body map[string]any
		_ = json.Unmarshal([]byte(got), &body)
		if res.StatusCode != c.code || !strings.Contains(errMessage(body)+got, c.want) {
			t.Errorf("%s as %s: %d %s, want %d %q", c.sql, c.format, res.StatusCode, got, c.code, c.want)
		}
	}
}

// TestConsoleExportFailingLate: an error after the download began cuts
// the connection, so that the file is not taken for a whole one.
func TestConsoleExportFailingLate(t *testing.T) {
	ts := newStudio(t, "")
	b, _ := json.Marshal(map[string]string{"sql": "SELECT 1/(100000 - g), repeat('x', 100) FROM generate_series(1, 100000) g", "format": "csv"})
	req, _ := http.NewRequest(http.MethodPost, ts.Base+"/api/console/export", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(studio.CSRFHeader, "1")
	res, err := ts.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err == nil {
		t.Errorf("the download ended cleanly after %d bytes (status %d)", len(data), res.StatusCode)
	}
}
