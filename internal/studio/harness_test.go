package studio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/studio"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	stopBrowser()
	os.Exit(code)
}

// testStudio is a studio serving a fresh database on loopback, and a
// client signed in to it.
type testStudio struct {
	*studio.Server
	URL    string // the printed URL, token in its fragment
	Base   string // http://127.0.0.1:port
	DBURL  string
	DB     *pgx.Conn // for setting up and checking the database
	Client *http.Client
}

// newStudio creates a database, runs setup (SQL) in it, and serves a
// studio over it until the test ends. Options may be adjusted by opt.
func newStudio(t testing.TB, setup string, opt ...func(*studio.Options)) *testStudio {
	t.Helper()
	dbURL := pgtest.NewDatabase(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if setup != "" {
		if _, err := conn.Exec(ctx, setup); err != nil {
			t.Fatalf("setup: %v", err)
		}
	}
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	opts := studio.Options{Conn: cfg}
	for _, o := range opt {
		o(&opts)
	}
	srv, err := studio.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	lns, err := studio.Listen("", 0)
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, lns) }()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return")
		}
	})
	u := srv.URL(lns)
	ts := &testStudio{Server: srv, URL: u, Base: u[:strings.Index(u, "/#")], DBURL: dbURL, DB: conn}
	jar, _ := cookiejar.New(nil)
	ts.Client = &http.Client{Jar: jar, Timeout: time.Minute}
	if _, code := ts.post(t, "/api/session", map[string]string{"token": srv.Token()}); code != http.StatusOK {
		t.Fatalf("signing in: status %d", code)
	}
	return ts
}

// get sends a GET to path and returns the decoded body and the status.
func (ts *testStudio) get(t testing.TB, path string) (map[string]any, int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.Base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ts.do(t, req)
}

// post sends body as JSON to path, as the page does, and returns the
// decoded reply and the status.
func (ts *testStudio) post(t testing.TB, path string, body any) (map[string]any, int) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, ts.Base+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(studio.CSRFHeader, "1")
	return ts.do(t, req)
}

func (ts *testStudio) do(t testing.TB, req *http.Request) (map[string]any, int) {
	t.Helper()
	res, err := ts.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if len(data) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("%s %s: %v in %s", req.Method, req.URL.Path, err, data)
		}
	}
	return out, res.StatusCode
}
