package studio_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/studio"
)

func TestAPINeedsTheCookie(t *testing.T) {
	ts := newStudio(t, "")
	if _, code := ts.get(t, "/api/info"); code != http.StatusOK {
		t.Fatalf("signed in: status %d", code)
	}
	res, err := http.Get(ts.Base + "/api/info") // no cookie jar
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("without the cookie: status %d, want 401", res.StatusCode)
	}
}

func TestWrongTokenIsRefused(t *testing.T) {
	ts := newStudio(t, "")
	ts.Client.Jar = nil
	if _, code := ts.post(t, "/api/session", map[string]string{"token": ts.Token() + "x"}); code != http.StatusUnauthorized {
		t.Errorf("wrong token: status %d, want 401", code)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	ts := newStudio(t, "")
	req, _ := http.NewRequest(http.MethodPost, ts.Base+"/api/session", strings.NewReader(`{"token":"`+ts.Token()+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(studio.CSRFHeader, "1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	c := res.Cookies()
	if len(c) != 1 {
		t.Fatalf("cookies: %v", c)
	}
	if !c[0].HttpOnly || c[0].SameSite != http.SameSiteStrictMode || c[0].Path != "/" {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/", c[0])
	}
	if strings.Contains(c[0].Value, ts.Token()) {
		t.Error("the cookie carries the token")
	}
}

func TestForeignHostIsRefused(t *testing.T) {
	ts := newStudio(t, "")
	for _, host := range []string{"evil.example:80", "evil.example", "127.0.0.1:1"} {
		req, _ := http.NewRequest(http.MethodGet, ts.Base+"/", nil)
		req.Host = host
		res, err := ts.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("Host %s: status %d, want 421", host, res.StatusCode)
		}
		if strings.Contains(string(body), "<script") {
			t.Errorf("Host %s: the page was served", host)
		}
	}
}

func TestMutationNeedsHeaderAndJSON(t *testing.T) {
	ts := newStudio(t, "")
	for name, set := range map[string]func(*http.Request){
		"no CSRF header": func(r *http.Request) { r.Header.Set("Content-Type", "application/json") },
		"text/plain": func(r *http.Request) {
			r.Header.Set(studio.CSRFHeader, "1")
			r.Header.Set("Content-Type", "text/plain")
		},
		"form": func(r *http.Request) {
			r.Header.Set(studio.CSRFHeader, "1")
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		},
		"cross-site": func(r *http.Request) {
			r.Header.Set(studio.CSRFHeader, "1")
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
		},
		"foreign origin": func(r *http.Request) {
			r.Header.Set(studio.CSRFHeader, "1")
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Origin", "https://evil.example")
		},
	} {
		req, _ := http.NewRequest(http.MethodPost, ts.Base+"/api/session", strings.NewReader(`{"token":"`+ts.Token()+`"}`))
		set(req)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode < 400 || len(res.Cookies()) > 0 {
			t.Errorf("%s: status %d, cookies %v; want refused", name, res.StatusCode, res.Cookies())
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := newStudio(t, "")
	for _, path := range []string{"/", "/static/js/main.js", "/api/info"} {
		req, _ := http.NewRequest(http.MethodGet, ts.Base+path, nil)
		req.Header.Set("Origin", "https://evil.example")
		res, err := ts.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", path, res.StatusCode)
		}
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "connect-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q allows inline script or eval", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, h)
		}
		for k := range h {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("%s: CORS header %s", path, k)
			}
		}
		if strings.HasPrefix(path, "/api/") && h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, h.Get("Cache-Control"))
		}
	}
}

// send sends a request to the studio as a page would (the CSRF header and
// a JSON body on anything but GET), through client (nil: without the
// session cookie), and returns the status, the headers and the body.
func (ts *testStudio) send(t testing.TB, client *http.Client, method, path, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.Base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(studio.CSRFHeader, "1")
	}
	if client == nil {
		client = &http.Client{Timeout: time.Minute}
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, string(data)
}

func TestTokenMayBeExchangedAgain(t *testing.T) {
	ts := newStudio(t, "")
	// A browser restarted, or a second one: the printed URL still signs
	// in, and the first browser stays signed in.
	jar, _ := cookiejar.New(nil)
	second := &http.Client{Jar: jar, Timeout: time.Minute}
	if code, _, body := ts.send(t, second, http.MethodPost, "/api/session", `{"token":"`+ts.Token()+`"}`); code != http.StatusOK {
		t.Fatalf("second sign-in: status %d: %s", code, body)
	}
	for name, c := range map[string]*http.Client{"first": ts.Client, "second": second} {
		if code, _, body := ts.send(t, c, http.MethodGet, "/api/info", ""); code != http.StatusOK {
			t.Errorf("%s browser: /api/info status %d: %s", name, code, body)
		}
	}
}

func TestWrongTokenSetsNoCookie(t *testing.T) {
	ts := newStudio(t, "")
	for _, body := range []string{`{"token":""}`, `{"token":"` + ts.Token()[1:] + `"}`, `{}`} {
		code, h, out := ts.send(t, nil, http.MethodPost, "/api/session", body)
		if code != http.StatusUnauthorized || h.Get("Set-Cookie") != "" {
			t.Errorf("token %s: status %d, Set-Cookie %q: %s; want 401 and no cookie", body, code, h.Get("Set-Cookie"), out)
		}
	}
}

// apiRoutes returns the patterns the package registers on its mux, read
// from its source: a route added in any file is in the list without
// anyone remembering to add it.
func apiRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "HandleFunc" && sel.Sel.Name != "Handle") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: a route whose pattern is not a literal: the test cannot check it", fset.Position(call.Pos()))
				return true
			}
			p, _ := strconv.Unquote(lit.Value)
			patterns = append(patterns, p)
			return true
		})
	}
	return patterns
}

// TestEveryRouteIsGuarded walks every route the package registers: each
// is the page, its static files, or under /api/, where it answers 401
// without the session cookie.
func TestEveryRouteIsGuarded(t *testing.T) {
	ts := newStudio(t, "")
	routes := apiRoutes(t)
	for _, want := range []string{"GET /api/info", "GET /api/log", "POST /api/session"} {
		if !slices.Contains(routes, want) {
			t.Fatalf("the routes found, %q, lack %q: the walk is broken", routes, want)
		}
	}
	wildcard := regexp.MustCompile(`\{[^}]*\}`)
	for _, p := range routes {
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			method, path = http.MethodGet, p
		}
		switch {
		case p == "GET /{$}" || p == "GET /static/":
			continue // the page and its files hold no data
		case p == "POST /api/session":
			continue // exchanges the token: TestWrongTokenSetsNoCookie
		case !strings.HasPrefix(path, "/api/"):
			t.Errorf("route %q is outside /api/, where the session cookie is not checked", p)
			continue
		}
		path = wildcard.ReplaceAllString(path, "x")
		code, h, body := ts.send(t, nil, method, path, `{}`)
		if code != http.StatusUnauthorized {
			t.Errorf("%s %s without the cookie: status %d, want 401: %s", method, path, code, body)
		}
		if h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: Cache-Control %q, want no-store", method, path, h.Get("Cache-Control"))
		}
	}
}

func TestHostAllowlist(t *testing.T) {
	ts := newStudio(t, "")
	port := ts.Base[strings.LastIndexByte(ts.Base, ':')+1:]
	accepted := []string{"127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port}
	if ln, err := net.Listen("tcp", "[::1]:0"); err == nil {
		ln.Close()
		accepted = append(accepted, "[::1]:"+port)
	}
	refused := []string{
		"evil.example", "evil.example:" + port,
		"attacker.test:" + port, // DNS rebinding: a name of theirs, pointed at 127.0.0.1
		"127.0.0.1", "localhost", "127.0.0.1:1", "127.0.0.2:" + port, "0.0.0.0:" + port,
		"[::1]:1", "localhost." + ":" + port, "127.0.0.1:" + port + ".evil.example",
	}
	// The client's jar would pick cookies by the Host header: the cookie
	// goes by hand, as a browser that resolved the name would send it.
	base, _ := url.Parse(ts.Base)
	cookies := ts.Client.Jar.Cookies(base)
	for _, host := range append(accepted, refused...) {
		req, _ := http.NewRequest(http.MethodGet, ts.Base+"/api/info", nil)
		req.Host = host
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		want := http.StatusOK
		if !slices.Contains(accepted, host) {
			want = http.StatusMisdirectedRequest
		}
		if res.StatusCode != want {
			t.Errorf("Host %s: status %d, want %d: %s", host, res.StatusCode, want, body)
		}
		if want != http.StatusOK && strings.Contains(string(body), `"database"`) {
			t.Errorf("Host %s: the API answered: %s", host, body)
		}
	}
}

// TestNoCORS: the studio never lets another origin read it, so it sends
// no Access-Control header, to a preflight or to anything else.
func TestNoCORS(t *testing.T) {
	ts := newStudio(t, "")
	for _, path := range []string{"/", "/static/js/main.js", "/api/info", "/api/session", "/api/rows", "/api/nowhere"} {
		for _, method := range []string{http.MethodOptions, http.MethodGet, http.MethodPost} {
			req, _ := http.NewRequest(method, ts.Base+path, nil)
			req.Header.Set("Origin", "https://evil.example")
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "x-mizzle-studio, content-type")
			res, err := ts.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			for k := range res.Header {
				if strings.HasPrefix(k, "Access-Control-") {
					t.Errorf("%s %s: %s: %s", method, path, k, res.Header.Get(k))
				}
			}
			if method == http.MethodOptions && res.StatusCode < 400 {
				t.Errorf("OPTIONS %s: status %d, want a refusal", path, res.StatusCode)
			}
		}
	}
}

// TestErrorsCarryTheHeaders: a refusal is a response like any other, with
// the same headers.
func TestErrorsCarryTheHeaders(t *testing.T) {
	ts := newStudio(t, "")
	for _, tt := range []struct {
		path, host string
		code       int
	}{
		{"/static/nowhere.js", "", http.StatusNotFound},
		{"/api/info", "evil.example", http.StatusMisdirectedRequest},
		{"/api/nowhere", "", http.StatusNotFound},
	} {
		req, _ := http.NewRequest(http.MethodGet, ts.Base+tt.path, nil)
		if tt.host != "" {
			req.Host = tt.host
		}
		res, err := ts.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		h := res.Header
		if res.StatusCode != tt.code || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s (Host %q): status %d (want %d), headers %v", tt.path, tt.host, res.StatusCode, tt.code, h)
		}
	}
	// Without the cookie.
	_, h, _ := ts.send(t, nil, http.MethodGet, "/api/info", "")
	if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") || h.Get("Cache-Control") != "no-store" {
		t.Errorf("401: headers %v", h)
	}
}

func TestBodyLimit(t *testing.T) {
	ts := newStudio(t, "")
	big := `{"token":"` + strings.Repeat("a", 17<<20) + `"}`
	code, _, body := ts.send(t, ts.Client, http.MethodPost, "/api/session", big)
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "over the studio's limit of 16 MB") {
		t.Errorf("a 17 MB body: status %d: %.200s", code, body)
	}
}

// TestTwoStudiosDoNotShareACookie: cookies ignore the port, so a browser
// sends the cookie of one studio to another on the same machine; each
// names its cookie after its port and accepts only its own.
func TestTwoStudiosDoNotShareACookie(t *testing.T) {
	a := newStudio(t, "")
	b := newStudio(t, "")
	b.Client = a.Client // a's cookie jar: it holds a's cookie, for 127.0.0.1
	if code, _, _ := a.send(t, a.Client, http.MethodGet, "/api/info", ""); code != http.StatusOK {
		t.Fatalf("studio a: status %d", code)
	}
	if code, _, body := b.send(t, b.Client, http.MethodGet, "/api/info", ""); code != http.StatusUnauthorized {
		t.Errorf("studio b with a's cookie: status %d, want 401: %s", code, body)
	}
	u, _ := url.Parse(b.Base)
	if cs := a.Client.Jar.Cookies(u); len(cs) != 1 {
		t.Errorf("a's cookie is not offered to b (%v): the test shows nothing", cs)
	}
}

// TestReadOnlyRefusesWrites tries every path that writes, in a read-only
// studio, and looks at the table afterwards: it is still empty.
func TestReadOnlyRefusesWrites(t *testing.T) {
	ts := newStudio(t, "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE SEQUENCE s",
		func(o *studio.Options) { o.ReadOnly = true })
	insert := func(id string) string {
		return `{"edits":[{"op":"insert","schema":"public","name":"t","values":{"id":{"value":"` + id + `"},"v":{"value":"x"}}}]}`
	}
	console := func(sql string) string {
		b, _ := json.Marshal(map[string]string{"sql": sql})
		return string(b)
	}
	for _, w := range []struct {
		path, body string
		mustFail   bool // an attempt to write, not a step towards one
	}{
		{"/api/save", insert("1"), true},
		{"/api/console", console("INSERT INTO t VALUES (2, 'x')"), true},
		{"/api/console", console("WITH w AS (INSERT INTO t VALUES (3, 'x') RETURNING id) SELECT * FROM w"), true},
		{"/api/console", console("DO $$ BEGIN INSERT INTO t VALUES (4, 'x'); END $$"), true},
		{"/api/console", console("SELECT nextval('s')"), true},
		// Attempts to turn the session read-write for what follows.
		{"/api/console", console("SET default_transaction_read_only = off"), false},
		{"/api/console", console("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"), false},
		{"/api/console", console("COMMIT"), false},
		{"/api/console", console("BEGIN READ WRITE"), false},
		{"/api/console", console("INSERT INTO t VALUES (5, 'x')"), true},
		{"/api/save", insert("6"), true},
		{"/api/console", console("COMMIT; INSERT INTO t VALUES (7, 'x')"), true},
	} {
		code, _, body := ts.send(t, ts.Client, http.MethodPost, w.path, w.body)
		switch {
		case code == http.StatusNotFound && strings.Contains(body, "no such API"):
			t.Logf("%s is not served (yet): %s", w.path, w.body)
		case w.mustFail && code < 300:
			t.Errorf("%s %s: status %d in a read-only studio: %s", w.path, w.body, code, body)
		}
	}
	var n int
	if err := ts.DB.QueryRow(context.Background(), "SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a read-only studio wrote %d rows", n)
	}
	info, _ := ts.get(t, "/api/info")
	if info["read_only"] != true {
		t.Errorf("/api/info: read_only %v", info["read_only"])
	}
	if _, _, page := ts.send(t, ts.Client, http.MethodGet, "/", ""); !strings.Contains(page, `data-read-only="true"`) {
		t.Errorf("the page does not say it is read-only")
	}
}

// secretLeak returns the form of secret that out holds: as it is,
// %-escaped, quoted as JSON quotes it, in base64 or in hex; "" if none.
func secretLeak(out, secret string) string {
	js, _ := json.Marshal(secret)
	b := []byte(secret)
	for _, f := range []string{
		secret, url.QueryEscape(secret), url.PathEscape(secret), string(js[1 : len(js)-1]),
		base64.StdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
		hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)),
	} {
		if strings.Contains(out, f) {
			return f
		}
	}
	return ""
}

func TestSecretLeak(t *testing.T) {
	pw := "p/w+x"
	for out, want := range map[string]string{
		"nothing here":                  "",
		"p/w+x":                         "p/w+x",
		"postgres://u:p%2Fw%2Bx@h/d":    "p%2Fw%2Bx",
		"cC93K3g=":                      "cC93K3g=",
		"cC93K3g":                       "cC93K3g",
		"at 702f772b78":                 "702f772b78",
		"AT 702F772B78":                 "702F772B78",
		"the password p/w is not there": "",
	} {
		if got := secretLeak(out, pw); got != want {
			t.Errorf("secretLeak(%q) = %q, want %q", out, got, want)
		}
	}
}

// TestPasswordNeverLeaks connects as a role with a password, given in the
// URL, provokes errors (bad statements, a dropped connection, a refused
// login) and looks for the password in every response and the log.
func TestPasswordNeverLeaks(t *testing.T) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	role := "studio_" + hex.EncodeToString(suffix[:])
	pw := "S3cr3t/pässwörd+" + hex.EncodeToString(suffix[:]) + "=%&@:"
	if _, err := admin.Exec(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD "+roleLiteral(pw)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP ROLE "+role); err != nil {
			t.Error(err)
		}
	})
	ts := newStudio(t, "CREATE TABLE t (id int PRIMARY KEY); GRANT ALL ON t TO "+role, func(o *studio.Options) {
		u, err := url.Parse(o.Conn.ConnString())
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(role, pw)
		if o.Conn, err = pgx.ParseConfig(u.String()); err != nil {
			t.Fatal(err)
		}
	})
	var seen []string
	check := func(what, out string) {
		t.Helper()
		// JSON escapes some characters (& as \u0026): the strings it
		// holds are looked at as the page reads them, too.
		out += "\n" + jsonStrings(out)
		seen = append(seen, out)
		if f := secretLeak(out, pw); f != "" {
			t.Errorf("%s: the password, as %q, in %s", what, f, out)
		}
	}
	request := func(method, path, body string) {
		t.Helper()
		code, h, out := ts.send(t, ts.Client, method, path, body)
		check(fmt.Sprintf("%s %s %s (%d)", method, path, body, code), out)
		check(fmt.Sprintf("%s %s %s (%d): the headers", method, path, body, code), fmt.Sprint(h))
	}
	terminate := func() {
		t.Helper()
		if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role); err != nil {
			t.Fatal(err)
		}
	}
	request(http.MethodGet, "/", "")
	request(http.MethodGet, "/api/info", "")
	request(http.MethodPost, "/api/console", `{"sql":"SELEC 1"}`)
	request(http.MethodPost, "/api/console", `{"sql":"SELECT 1/0"}`)
	request(http.MethodPost, "/api/console", `{"sql":"SELECT * FROM pg_authid"}`)
	request(http.MethodGet, "/api/rows?schema=public&name=nowhere", "")
	request(http.MethodGet, "/api/table?schema=public&name=t", "")
	request(http.MethodPost, "/api/session", `{"token":`)
	// A dropped connection, and then one the server refuses.
	terminate()
	request(http.MethodGet, "/api/info", "")
	request(http.MethodGet, "/api/info", "")
	if _, err := admin.Exec(ctx, "ALTER ROLE "+role+" NOLOGIN"); err != nil {
		t.Fatal(err)
	}
	terminate()
	request(http.MethodGet, "/api/info", "")
	request(http.MethodGet, "/api/info", "")
	request(http.MethodGet, "/api/log", "")
	if !slices.ContainsFunc(seen, func(s string) bool { return strings.Contains(s, "not permitted to log in") }) {
		t.Errorf("no response shows the refused login: the test provoked nothing:\n%s", strings.Join(seen, "\n"))
	}
}

// jsonStrings returns the strings in the JSON document doc, one a line;
// "" if doc is not JSON.
func jsonStrings(doc string) string {
	var v any
	if json.Unmarshal([]byte(doc), &v) != nil {
		return ""
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for k, e := range v {
				out = append(out, k)
				walk(e)
			}
		}
	}
	walk(v)
	return strings.Join(out, "\n")
}

func roleLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// TestEveryAddressHostAllowlist: a studio on every address (--host 0.0.0.0
// --allow-remote) answers to the machine's addresses and name, and still
// not to a name of someone else's.
func TestEveryAddressHostAllowlist(t *testing.T) {
	cfg, err := pgx.ParseConfig(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := studio.New(context.Background(), studio.Options{Conn: cfg})
	if err != nil {
		t.Fatal(err)
	}
	lns, err := studio.Listen("0.0.0.0", 0)
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lns) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	u := srv.URL(lns)
	if !strings.HasPrefix(u, "http://127.0.0.1:") {
		t.Errorf("URL %s, want one on 127.0.0.1, which works here", u)
	}
	ts := &testStudio{Server: srv, URL: u, Base: u[:strings.Index(u, "/#")]}
	port := ts.Base[strings.LastIndexByte(ts.Base, ':')+1:]
	accepted := []string{"127.0.0.1:" + port, "localhost:" + port}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			accepted = append(accepted, n.IP.String()+":"+port)
		}
	}
	if h, err := os.Hostname(); err == nil {
		accepted = append(accepted, h+":"+port)
	}
	for _, host := range append(accepted, "evil.example:"+port, "attacker.test:"+port) {
		req, _ := http.NewRequest(http.MethodPost, ts.Base+"/api/session", strings.NewReader(`{"token":"`+srv.Token()+`"}`))
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(studio.CSRFHeader, "1")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		want := http.StatusMisdirectedRequest
		if slices.Contains(accepted, host) {
			want = http.StatusOK
		}
		if res.StatusCode != want {
			t.Errorf("Host %s: status %d, want %d", host, res.StatusCode, want)
		}
	}
}

// TestStaticServesFilesOnly: the page's files, each with its type, and no
// listing of their folders.
func TestStaticServesFilesOnly(t *testing.T) {
	ts := newStudio(t, "")
	for path, want := range map[string]string{
		"/static/js/main.js": "text/javascript; charset=utf-8",
		"/static/app.css":    "text/css; charset=utf-8",
		"/static/":           "",
		"/static/js/":        "",
		"/static/js":         "", // a redirect to the listing
		"/static/../go.mod":  "",
	} {
		req, _ := http.NewRequest(http.MethodGet, ts.Base+path, nil)
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if want != "" {
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != want {
				t.Errorf("%s: status %d, Content-Type %q, want 200 and %q", path, res.StatusCode, res.Header.Get("Content-Type"), want)
			}
			continue
		}
		if res.StatusCode == http.StatusOK || strings.Contains(string(body), "main.js") {
			t.Errorf("%s: status %d: %.200s", path, res.StatusCode, body)
		}
	}
}
