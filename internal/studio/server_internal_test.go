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
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mizzle/mizzle/internal/pgtest"
)

// serveInternal starts s on loopback until the test ends and returns its base
// URL and the session cookie.
func serveInternal(t *testing.T, s *Server) (base string, cookie *http.Cookie) {
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

func newInternalServer(t *testing.T, setup string, readOnly bool) *Server {
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
	s := newInternalServer(t, "CREATE TABLE t (id int)", true)
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
	s := newInternalServer(t, "", false)
	mux := s.mux()
	started := make(chan struct{})
	mux.HandleFunc("GET /api/test/sleep", s.api(func(w http.ResponseWriter, r *http.Request) (any, error) {
		close(started)
		return s.collect(r.Context(), s.pool, "SELECT pg_sleep(60)", nil, 1, 1)
	}))
	s.handler = s.secure(mux)
	base, cookie := serveInternal(t, s)

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
	running := func() bool {
		var n int
		err := s.pool.QueryRow(context.Background(),
			"SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active'").Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	// Cancelled before it reached the server, the statement would show
	// nothing.
	for deadline := time.Now().Add(10 * time.Second); !running(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the statement never showed in pg_stat_activity")
		}
	}
	cancel()
	<-errc
	for deadline := time.Now().Add(10 * time.Second); running(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the statement still runs 10s after its client went away")
		}
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
	s := newInternalServer(t, "", false)
	s.idle = 300 * time.Millisecond
	base, _ := serveInternal(t, s)
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

// TestLogRedacted: the operation log keeps no password, in a statement,
// an argument or an error, even where it cuts one short.
func TestLogRedacted(t *testing.T) {
	s := &Server{secrets: secretForms("Pw-4x/9")}
	s.log.max, s.log.redact = 10, s.redact
	s.log.add("SELECT dblink_connect('password=Pw-4x/9')", []any{"Pw-4x%2F9"}, time.Now(), -1, errors.New("bad password UHctNHgvOQ=="))
	long := strings.Repeat("x", maxLogSQL-3) + "Pw-4x/9"
	s.log.add(long, []any{strings.Repeat("é", maxLogArg)}, time.Now(), 0, nil)
	v, err := s.handleLog(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	entries := v.(map[string]any)["entries"].([]LogEntry)
	if e := entries[0]; e.SQL != "SELECT dblink_connect('password=xxxxx')" || e.Args[0] != "'xxxxx'" || e.Error != "bad password xxxxx" {
		t.Errorf("the log shows %+v", e)
	}
	e := entries[1]
	if strings.Contains(e.SQL, "Pw-") || !strings.HasSuffix(e.SQL, "xxx… (2 more bytes)") {
		t.Errorf("a long statement is kept as …%q", e.SQL[len(e.SQL)-40:])
	}
	if !utf8.ValidString(e.Args[0]) || len(e.Args[0]) > maxLogArg+30 || !strings.HasSuffix(e.Args[0], "… (1027 more bytes)") {
		t.Errorf("a long argument is kept as …%q (%d bytes)", e.Args[0][len(e.Args[0])-40:], len(e.Args[0]))
	}
}

func TestLogArguments(t *testing.T) {
	var l opLog
	l.max = 10
	text := "it's"
	var null *string
	l.add("SELECT $1, $2, $3, $4, $5, $6", []any{nil, null, &text, []byte("bytes"), 42, []byte(nil)}, time.Now(), 1, nil)
	if got, want := strings.Join(l.list()[0].Args, "|"), "NULL|NULL|'it''s'|'bytes'|42|NULL"; got != want {
		t.Errorf("arguments %q, want %q", got, want)
	}
}

// TestStatementTimeout: every statement is bounded, and the error says by
// what; a statement cancelled for another reason does not blame it.
func TestStatementTimeout(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(context.Background(), Options{Conn: cfg, StatementTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	_, err = s.collect(context.Background(), s.pool, "SELECT pg_sleep(5)", nil, 1, 1)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the statement ran %v", d)
	}
	ae := s.toAPIError(err)
	if ae.Code != "57014" || ae.Message != "canceling statement due to statement timeout (the studio's statement timeout is 200ms)" {
		t.Errorf("timed out: %+v", ae)
	}
	ae = s.toAPIError(&pgconn.PgError{Code: "57014", Message: "canceling statement due to user request"})
	if strings.Contains(ae.Message, "timeout") {
		t.Errorf("cancelled: %q blames the timeout", ae.Message)
	}
}
