package studio_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/studio"
)

// benchHost is the Host the benchmarks' requests carry: they call the
// handler directly, measuring the server (catalog, statements, JSON)
// without a network between.
const benchHost = "127.0.0.1:9"

// benchStudio is a studio over dbURL and its session cookie.
type benchStudio struct {
	srv    *studio.Server
	cookie *http.Cookie
}

func newBenchStudio(b *testing.B, dbURL string) *benchStudio {
	b.Helper()
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := studio.New(context.Background(), studio.Options{Conn: cfg})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	srv.AllowHost(benchHost)
	req := httptest.NewRequest(http.MethodPost, "http://"+benchHost+"/api/session", strings.NewReader(`{"token":"`+srv.Token()+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(studio.CSRFHeader, "1")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	cookies := rec.Result().Cookies()
	if rec.Code != http.StatusOK || len(cookies) != 1 {
		b.Fatalf("signing in: status %d, cookies %v", rec.Code, cookies)
	}
	return &benchStudio{srv: srv, cookie: cookies[0]}
}

// get serves GET path and returns the recorded response, failing
// unless it is a 200.
func (bs *benchStudio) get(b *testing.B, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "http://"+benchHost+path, nil)
	req.AddCookie(bs.cookie)
	rec := httptest.NewRecorder()
	bs.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: status %d: %s", path, rec.Code, rec.Body)
	}
	return rec
}

// page serves GET path and decodes the page.
func (bs *benchStudio) page(b *testing.B, path string) (rows int, next string) {
	var p struct {
		Rows [][]*string `json:"rows"`
		Next *string     `json:"next"`
	}
	if err := json.Unmarshal(bs.get(b, path).Body.Bytes(), &p); err != nil {
		b.Fatal(err)
	}
	if p.Next != nil {
		next = *p.Next
	}
	return len(p.Rows), next
}

// BenchmarkRows reads pages of a table of 1,000,000 rows, made once for
// all its sub-benchmarks (and only when benchmarks run): the first page,
// the page after one in the middle of the table (keyset), and the first
// page of a filter on an indexed column. The goal is 50 ms each.
func BenchmarkRows(b *testing.B) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(b)
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{
		`CREATE TABLE big (
			id bigint PRIMARY KEY,
			name text NOT NULL,
			category int NOT NULL,
			qty int,
			price numeric(10,2),
			created_at timestamptz NOT NULL,
			note text
		)`,
		`INSERT INTO big
		 SELECT i, 'item ' || i, i % 1000, NULLIF(i % 7, 0), CASE WHEN i % 10 <> 0 THEN (i % 100000) / 100.0 END,
		        timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute', CASE WHEN i % 3 = 0 THEN repeat('n', 40) END
		   FROM generate_series(1, 1000000) i`,
		`CREATE INDEX big_category_idx ON big (category)`,
		`CREATE INDEX big_price_idx ON big (price)`,
		`VACUUM ANALYZE big`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	bs := newBenchStudio(b, dbURL)
	first := "/api/rows?schema=public&name=big"
	if n, _ := bs.page(b, first); n != 50 {
		b.Fatalf("first page: %d rows", n)
	}
	_, middle := bs.page(b, first+"&offset=500000")
	next := first + "&after=" + url.QueryEscape(middle)
	if n, _ := bs.page(b, next); n != 50 {
		b.Fatalf("next page: %d rows", n)
	}
	filtered := first + "&filters=" + url.QueryEscape(`[{"column":"category","op":"eq","value":"42"}]`)
	if n, _ := bs.page(b, filtered); n != 50 {
		b.Fatalf("filtered page: %d rows", n)
	}
	sortedFirst := first + "&sort=price"
	_, sortedMiddle := bs.page(b, sortedFirst+"&offset=500000")
	sortedNext := sortedFirst + "&after=" + url.QueryEscape(sortedMiddle)
	for _, c := range []struct{ name, path string }{
		{"SortedFirstPage", sortedFirst},
		{"SortedNextPage", sortedNext},
		{"FirstPage", first},
		{"NextPage", next},
		{"FilteredPage", filtered},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bs.get(b, c.path)
			}
		})
	}
}

// BenchmarkSidebar lists a schema of 1,000 tables, each with a primary
// key, an index and a foreign key; the goal is 200 ms.
func BenchmarkSidebar(b *testing.B) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(b)
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	var sql strings.Builder
	for i := 1; i <= 1000; i++ {
		fmt.Fprintf(&sql, `CREATE TABLE t%04d (id bigint PRIMARY KEY, name text NOT NULL, parent_id bigint REFERENCES t%04d (id));
CREATE INDEX t%04d_name_idx ON t%04d (name);
`, i, max(i-1, 1), i, i)
	}
	if _, err := conn.Exec(ctx, sql.String()); err != nil {
		b.Fatal(err)
	}
	bs := newBenchStudio(b, dbURL)
	var got struct {
		Relations []json.RawMessage `json:"relations"`
	}
	if err := json.Unmarshal(bs.get(b, "/api/relations").Body.Bytes(), &got); err != nil || len(got.Relations) != 1000 {
		b.Fatalf("%d relations, %v", len(got.Relations), err)
	}
	b.Run("Tables1000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bs.get(b, "/api/relations")
		}
	})
}
