package studio_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mizzle/mizzle/internal/studio"
)

// download sends GET path and returns the response, its body unread.
func download(t *testing.T, ts *testStudio, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.Base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ts.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// attachment checks that res is a download of filename and returns
// its body.
func attachment(t *testing.T, res *http.Response, contentType, filename string) string {
	t.Helper()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("status %d: %s", res.StatusCode, b)
	}
	if ct := res.Header.Get("Content-Type"); ct != contentType {
		t.Errorf("Content-Type %q, want %q", ct, contentType)
	}
	disp, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != filename {
		t.Errorf("Content-Disposition %q, want an attachment named %q", res.Header.Get("Content-Disposition"), filename)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestExportCSV(t *testing.T) {
	ts := newStudio(t, rowsSetup)
	params := url.Values{
		"format":  {"csv"},
		"sort":    {"qty"},
		"desc":    {"1"},
		"filters": {`[{"column":"id","op":"le","value":"8"},{"column":"name","op":"like","value":"item%"}]`},
	}
	body := attachment(t, download(t, ts, rowsPath("/api/export", "public", "items", params)), "text/csv; charset=utf-8", "public.items.csv")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("%v in\n%s", err, body)
	}
	if want := []string{"id", "name", "qty", "born", "mood", "flag", "addr", "code", "doc", "big", `we"ird`}; !slices.Equal(recs[0], want) {
		t.Errorf("header %q", recs[0])
	}
	var ids []string
	for _, r := range recs[1:] {
		ids = append(ids, r[0])
	}
	// qty going down, NULLs first: 4 and 8, then 3 (3), 2 and 7 (2), 1 and 6 (1), 5 (0).
	if want := []string{"8", "4", "3", "7", "2", "6", "1", "5"}; !slices.Equal(ids, want) {
		t.Errorf("ids %q, want %q", ids, want)
	}
	// Every value whole, and NULL apart from the empty string: COPY
	// writes NULL as nothing and '' as "".
	if !strings.Contains(body, "\n1,item 1,1,2024-01-02,ok,f,10.0.0.1,c1  ,\"{\"\"n\"\" : 1}\",,\"\"\n") {
		t.Errorf("row 1 not as COPY writes it:\n%s", body)
	}
	if !strings.Contains(body, strings.Repeat("é", 6000)) {
		t.Error("the long value of row 7 is not whole")
	}
}

func TestExportJSON(t *testing.T) {
	ts := newStudio(t, rowsSetup)
	params := url.Values{"format": {"json"}, "filters": {`[{"column":"born","op":"lt","value":"2024-01-04"}]`}}
	body := attachment(t, download(t, ts, rowsPath("/api/export", "public", "items", params)), "application/json; charset=utf-8", "public.items.json")
	var rows []map[string]*string
	if err := json.Unmarshal([]byte(body), &rows); err != nil {
		t.Fatalf("%v in\n%s", err, body)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows:\n%s", len(rows), body)
	}
	r := rows[0]
	if *r["id"] != "1" || *r["flag"] != "f" || *r["doc"] != `{"n" : 1}` || r["big"] != nil || r[`we"ird`] == nil || *r[`we"ird`] != "" {
		t.Errorf("row 1: %s", body)
	}
	// The columns keep the table's order.
	if !strings.HasPrefix(body, "[\n{\"id\":\"1\",\"name\":\"item 1\",\"qty\":\"1\",") {
		t.Errorf("body starts %.60q", body)
	}
	// No row: an empty array.
	params.Set("filters", `[{"column":"id","op":"gt","value":"100"}]`)
	body = attachment(t, download(t, ts, rowsPath("/api/export", "public", "items", params)), "application/json; charset=utf-8", "public.items.json")
	if err := json.Unmarshal([]byte(body), &rows); err != nil || len(rows) != 0 {
		t.Errorf("no row: %q", body)
	}
}

func TestExportFilename(t *testing.T) {
	ts := newStudio(t, `CREATE SCHEMA "my app"; CREATE TABLE "my app"."Ünïcode/../x" (id int);`)
	res := download(t, ts, rowsPath("/api/export", "my app", "Ünïcode/../x", url.Values{"format": {"json"}}))
	if body := attachment(t, res, "application/json; charset=utf-8", "my_app._n_code_.._x.json"); body != "[\n]\n" {
		t.Errorf("body %q", body)
	}
}

// TestExportLarge exports more than the studio holds back before the
// headers go, and checks every row arrives, in order.
func TestExportLarge(t *testing.T) {
	ts := newStudio(t, `CREATE TABLE big (id int PRIMARY KEY, pad text);
		INSERT INTO big SELECT i, repeat('x', 50) FROM generate_series(1, 20000) i;`)
	for _, format := range []string{"csv", "json"} {
		res := download(t, ts, rowsPath("/api/export", "public", "big", url.Values{"format": {format}, "desc": {"1"}}))
		body := attachment(t, res, map[string]string{"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}[format], "public.big."+format)
		lines := strings.Split(strings.TrimSpace(body), "\n")
		if format == "csv" && (len(lines) != 20001 || lines[1] != "20000,"+strings.Repeat("x", 50) || lines[20000] != "1,"+strings.Repeat("x", 50)) {
			t.Errorf("csv: %d lines, %q … %q", len(lines), lines[1], lines[len(lines)-1])
		}
		if format == "json" {
			var rows []map[string]string
			if err := json.Unmarshal([]byte(body), &rows); err != nil {
				t.Fatal(err)
			}
			if len(rows) != 20000 || rows[0]["id"] != "20000" || rows[19999]["id"] != "1" {
				t.Errorf("json: %d rows", len(rows))
			}
		}
	}
}

func TestExportErrors(t *testing.T) {
	ts := newStudio(t, rowsSetup)
	for _, c := range []struct{ params, want string }{
		{`format=xml`, `format: "xml" is neither csv nor json`},
		{`filters=[{"column":"born","op":"eq","value":"nodate"}]`, `filter on "born": the value 'nodate': invalid input syntax for type date: "nodate"`},
		{`sort=doc`, `sort by "doc": could not identify an ordering operator for type json`},
		{`format=json&sort=doc`, `sort by "doc": could not identify an ordering operator for type json`},
		{`filters=[{"column":"doc","op":"eq","value":"{}"}]`, `filter on "doc": operator does not exist: json = json`},
	} {
		params, _ := url.ParseQuery(c.params)
		if msg := errorOf(t, ts, rowsPath("/api/export", "public", "items", params), http.StatusBadRequest); msg != c.want {
			t.Errorf("%s: %q, want %q", c.params, msg, c.want)
		}
	}
}

// TestExportFailingMidway checks that an export PostgreSQL stops after
// the download began is cut short as a failed download, not ended as
// if whole.
func TestExportFailingMidway(t *testing.T) {
	ts := newStudio(t, `CREATE VIEW failing AS SELECT g, 1 / (g - 50000) AS x FROM generate_series(1, 100000) g;`)
	for _, format := range []string{"csv", "json"} {
		res := download(t, ts, rowsPath("/api/export", "public", "failing", url.Values{"format": {format}}))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", format, res.StatusCode)
		}
		b, err := io.ReadAll(res.Body)
		if err == nil {
			t.Errorf("%s: the download ended as if whole after %d bytes", format, len(b))
		}
	}
	// The log says why.
	entries := logEntries(t, ts)
	if n := len(entries); n == 0 || !strings.Contains(entries[n-1], "failing") {
		t.Fatalf("log %q", entries)
	}
	var log struct {
		Entries []struct {
			Error string `json:"error"`
		} `json:"entries"`
	}
	getJSON(t, ts, "/api/log", http.StatusOK, &log)
	if e := log.Entries[len(log.Entries)-1].Error; !strings.Contains(e, "division by zero") {
		t.Errorf("the log's error %q", e)
	}
}

// TestExportStopsWhenTheClientGoes reads the start of an endless export,
// hangs up, and checks that the statement stops on the server.
func TestExportStopsWhenTheClientGoes(t *testing.T) {
	// A recursive query streams its rows, where generate_series would
	// make all of them first.
	ts := newStudio(t, `CREATE VIEW endless AS WITH RECURSIVE r(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM r) SELECT g FROM r;`)
	for _, format := range []string{"csv", "json"} {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.Base+rowsPath("/api/export", "public", "endless", url.Values{"format": {format}}), nil)
		res, err := ts.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bufio.NewReaderSize(res.Body, 1<<20).Peek(100_000); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		running := func() int {
			var n int
			err := ts.DB.QueryRow(context.Background(),
				`SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%"endless"%' AND state = 'active' AND pid <> pg_backend_pid()`).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := running(); n != 1 {
			t.Errorf("%s: %d statements running during the download, want 1", format, n)
		}
		cancel()
		res.Body.Close()
		deadline := time.Now().Add(10 * time.Second)
		for running() > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the export still runs 10 s after the client went", format)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	entries := logEntries(t, ts)
	if !slices.Contains(entries, `COPY (SELECT "g" FROM "public"."endless") TO STDOUT WITH (FORMAT csv, HEADER)`) ||
		!slices.Contains(entries, `SELECT "g" FROM "public"."endless"`) {
		t.Errorf("the exports are not in the log")
	}
}

// TestExportReadOnly checks that a read-only studio exports: COPY TO
// and the settings it reads are no writes.
func TestExportReadOnly(t *testing.T) {
	ts := newStudio(t, rowsSetup, func(o *studio.Options) { o.ReadOnly = true })
	params := url.Values{"filters": {`[{"column":"id","op":"in","values":["2","3"]}]`}}
	body := attachment(t, download(t, ts, rowsPath("/api/export", "public", "items", params)), "text/csv; charset=utf-8", "public.items.csv")
	if n := strings.Count(body, "\n"); n != 3 {
		t.Errorf("%d lines:\n%s", n, body)
	}
}

// TestExportCSVValuesAreSettings checks that COPY, which takes no
// parameters, reads the filters' values from settings, never from its
// own text.
func TestExportCSVValuesAreSettings(t *testing.T) {
	ts := newStudio(t, rowsSetup)
	evil := `item 1'); DROP TABLE items; --`
	params := url.Values{"filters": {`[{"column":"name","op":"eq","value":"` + strings.ReplaceAll(evil, `"`, `\"`) + `"},{"column":"qty","op":"in","values":["1","2"]}]`}}
	body := attachment(t, download(t, ts, rowsPath("/api/export", "public", "items", params)), "text/csv; charset=utf-8", "public.items.csv")
	if body != "id,name,qty,born,mood,flag,addr,code,doc,big,\"we\"\"ird\"\n" {
		t.Errorf("body %q", body)
	}
	for _, e := range logEntries(t, ts) {
		if strings.HasPrefix(e, "COPY") {
			if strings.Contains(e, "DROP") || !strings.Contains(e, `"name" = pg_catalog.current_setting('mizzle_studio.v1')::"pg_catalog"."text"`) ||
				!strings.Contains(e, `"qty" IN (pg_catalog.current_setting('mizzle_studio.v2')::"pg_catalog"."int4", pg_catalog.current_setting('mizzle_studio.v3')::"pg_catalog"."int4")`) {
				t.Errorf("COPY statement: %s", e)
			}
		}
	}
	var n int
	if err := ts.DB.QueryRow(context.Background(), `SELECT count(*) FROM items`).Scan(&n); err != nil || n != 23 {
		t.Errorf("items: %d rows, %v", n, err)
	}
}
