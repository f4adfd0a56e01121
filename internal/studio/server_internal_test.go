package studio

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// serve starts s on loopback until the test ends and returns its base
// URL and the session cookie.
func serve(t *testing.T, s *Server) (base string, cookie *http.Cookie) {
	t.Helper()
	lns, err := Listen("", 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, lns) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	u := s.URL(lns)
	// Serve names the cookie, maybe not yet: the name is the port's.
	port := lns[0].Addr().(*net.TCPAddr).Port
	return u[:strings.Index(u, "/#")], &http.Cookie{Name: "mizzle_studio_" + strconv.Itoa(port), Value: s.session}
}

func newServer(t *testing.T, setup string, readOnly bool) *Server {
	t.Helper()
	dbURL := pgtest.NewDatabase(t)
	if setup != "" {
		conn, err := pgx.Connect(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), setup); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(context.Background(), Options{Conn: cfg, ReadOnly: readOnly})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReadOnlySessionStaysReadOnly: a statement that turns its session
// read-write does not lend that session to the next request.
func TestReadOnlySessionStaysReadOnly(t *testing.T) {
	s := newServer(t, "CREATE TABLE t (id int)", true)
	defer s.Close()
	ctx := context.Background()
	for _, sql := range []string{
		"SET default_transaction_read_only = off",
		"SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
	} {
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
		c.Release()
		// The pool looks at a connection given back on a goroutine of
		// its own: wait for it, or the next statement takes a new one
		// and proves nothing.
		for s.pool.Stat().AcquiredConns() != 0 {
			time.Sleep(time.Millisecond)
		}
		_, err = s.exec(ctx, s.pool, "INSERT INTO t VALUES (1)")
		if pe, ok := errors.AsType[*pgconn.PgError](err); !ok || pe.Code != "25006" {
			t.Errorf("after %s: INSERT: %v, want read_only_sql_transaction", sql, err)
		}
	}
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows (%v), want none", n, err)
	}
}

// TestClientGoneCancelsStatement: a page that goes away (a closed tab, a
// second click) stops the statement it started, in the database too.
func TestClientGoneCancelsStatement(t *testing.T) {
	s := newServer(t, "", false)
	mux := s.mux()
	started := make(chan struct{})
	mux.HandleFunc("GET /api/test/sleep", s.api(func(w http.ResponseWriter, r *http.Request) (any, error) {
		close(started)
		return s.collect(r.Context(), s.pool, "SELECT pg_sleep(60)", nil, 1, 1)
	}))
	s.handler = s.secure(mux)
	base, cookie := serve(t, s)

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/test/sleep", nil)
	req.AddCookie(cookie)
	errc := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		errc <- err
	}()
	select {
	case <-started:
	case err := <-errc:
		t.Fatalf("the request ended before its statement started: %v", err)
	}
	time.Sleep(200 * time.Millisecond) // the statement reaches the server
	cancel()
	<-errc

	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		err := s.pool.QueryRow(context.Background(),
			"SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active'").Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the statement still runs 10s after its client went away")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var e LogEntry
	for _, l := range s.log.list() {
		if l.SQL == "SELECT pg_sleep(60)" {
			e = l
		}
	}
	if e.Error == "" || e.DurationMS > 10000 {
		t.Errorf("the log's entry: %+v, want it failed, early", e)
	}
}

// TestIdleConnectionsClose: a keep-alive connection left quiet is closed
// by the server.
func TestIdleConnectionsClose(t *testing.T) {
	defer func(d time.Duration) { idleTimeout = d }(idleTimeout)
	idleTimeout = 300 * time.Millisecond
	s := newServer(t, "", false)
	base, _ := serve(t, s)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /static/app.css HTTP/1.1\r\nHost: "+strings.TrimPrefix(base, "http://")+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("an idle connection: %v after %v, want the server to close it", err, time.Since(start))
	}
}

func TestRedact(t *testing.T) {
	s := &Server{secrets: secretForms("p/w+é"), opts: Options{Redact: func(m string) string { return strings.ReplaceAll(m, "other", "xxxxx") }}}
	for in, want := range map[string]string{
		"password p/w+é here":          "password xxxxx here",
		"url u:p%2Fw%2B%C3%A9@h":       "url u:xxxxx@h",
		"path p%2Fw+%C3%A9":            "path xxxxx",
		"base64 cC93K8Op and cC93K8Op": "base64 xxxxx and xxxxx",
		"hex 702f772bc3a9":             "hex xxxxx",
		"HEX 702F772BC3A9":             "HEX xxxxx",
		"and the other secret":         "and the xxxxx secret",
		"p/w alone":                    "p/w alone",
	} {
		if got := s.redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
	if secretForms("") != nil {
		t.Error("no password: forms to redact")
	}
}
