package studio_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/mizzle/mizzle/internal/pgtest"
	"github.com/mizzle/mizzle/internal/studio"
)

// The browser tests drive Debian's chromium, headless. A machine without it
// fails them, with the command that installs it: a browser test that skips
// would pass on exactly the machines where nobody looks.

var screenshotDir = flag.String("screenshots", "", "write the browser tests' named screenshots (the README's pictures) into this folder")

// installChromium is the advice a test fails with when chromium is missing.
const installChromium = "install Chromium: apt-get install chromium"

// browserTimeout bounds a tab's life, so that a test waiting for an element
// that never comes fails instead of hanging until go test's own timeout.
const browserTimeout = 3 * time.Minute

// sharedChromium is the one Chromium of the test binary, started by the first
// test that asks for it; each test gets a tab of its own.
var sharedChromium struct {
	once   sync.Once
	ctx    context.Context // a chromedp context that owns the browser
	cancel func()
	dir    string // the profile, fresh for each run
	err    error
}

func startBrowser() (context.Context, error) {
	sharedChromium.once.Do(func() {
		path, err := chromiumPath()
		if err != nil {
			sharedChromium.err = err
			return
		}
		dir, err := os.MkdirTemp("", "mizzle-studio-chromium-")
		if err != nil {
			sharedChromium.err = err
			return
		}
		actx, acancel := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(path),
			chromedp.UserDataDir(dir),
			chromedp.Headless,
			chromedp.NoSandbox, // as root, Chromium refuses to start sandboxed
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-quic", true),
			// Nothing but the studio may be fetched: these keep the
			// browser's own traffic (updates, sync, field trials) away.
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("disable-default-apps", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.WindowSize(1280, 800),
		)
		bctx, bcancel := chromedp.NewContext(actx)
		if err := chromedp.Do(bctx); err != nil {
			bcancel()
			acancel()
			os.RemoveAll(dir)
			sharedChromium.err = fmt.Errorf("starting %s: %v (%s)", path, err, installChromium)
			return
		}
		sharedChromium.ctx, sharedChromium.dir = bctx, dir
		sharedChromium.cancel = func() {
			_ = chromedp.Cancel(bctx) // closes the browser and waits for it
			bcancel()
			acancel()
			os.RemoveAll(dir)
		}
	})
	return sharedChromium.ctx, sharedChromium.err
}

// chromiumPath finds Debian's chromium on PATH.
func chromiumPath() (string, error) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		return "", fmt.Errorf("no chromium on PATH: %s", installChromium)
	}
	return path, nil
}

// stopBrowser closes the test binary's Chromium, if a test started it.
func stopBrowser() {
	sharedChromium.once.Do(func() { sharedChromium.err = errors.New("the tests have finished") })
	if sharedChromium.cancel != nil {
		sharedChromium.cancel()
	}
}

// newBrowser returns a new tab of the test binary's Chromium, closed when
// the test ends; actions on it fail after browserTimeout. The tab has a
// browser context of its own, as a fresh profile would: no cookie or
// storage of another test's. The context is chromedp's: pass it to
// chromedp.Do and chromedp.Run.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	bctx, err := startBrowser()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return openTab(t, bctx, chromedp.WithNewBrowserContext())
}

// anotherTab opens a second tab beside tab, in the same browser context:
// the same cookies, as another tab of the same browser.
func anotherTab(t testing.TB, tab context.Context) context.Context {
	t.Helper()
	return openTab(t, tab)
}

func openTab(t testing.TB, parent context.Context, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	tctx, cancel := chromedp.NewContext(parent, opts...)
	// The first action opens the tab and ties it to tctx; a deadline on
	// this call would close the tab when it passed.
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		cancel()
		t.Fatalf("chromium: opening a tab: %v", err)
	}
	dctx, dcancel := context.WithTimeout(tctx, browserTimeout)
	t.Cleanup(func() {
		dcancel()
		cancel()
	})
	return dctx
}

// studioTab is a browser tab on a studio. It is a chromedp context, so
// chromedp.Do(tab, ...) works on it; the helpers below fail the test
// instead of returning errors.
type studioTab struct {
	context.Context
	t    testing.TB
	ts   *testStudio
	base context.Context // the tab without the deadline

	mu       sync.Mutex
	requests []string // every URL the page requested, in order
	problems []string // uncaught exceptions, CSP violations, dialogs
}

// openStudio opens the studio's printed URL (the token in its fragment) in
// a new tab and waits until the page is signed in and drawn
// (html[data-ready=true]).
//
// While the test runs it records every URL the page requests, and at the
// end fails the test if one left the studio's origin or carried the token,
// or if the page threw an uncaught exception, broke its Content Security
// Policy or opened a dialog (alert, confirm, prompt: dismissed at once).
// When the test has failed, it saves a screenshot and logs its path.
func openStudio(t testing.TB, ts *testStudio) *studioTab {
	t.Helper()
	ctx := newBrowser(t)
	// The cleanups' screenshot must work past the tab's deadline.
	base := context.WithoutCancel(ctx)
	b := &studioTab{Context: ctx, t: t, ts: ts, base: base}
	err := chromedp.Listen(base, func(ev any) {
		// Runs in the tab's event loop: record, never call back.
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			b.record(&b.requests, ev.Request.URL)
		case *runtime.EventExceptionThrown:
			b.record(&b.problems, "uncaught exception: "+exceptionText(ev.ExceptionDetails))
		case *log.EventEntryAdded:
			if e := ev.Entry; e != nil && strings.Contains(e.Text, "Content Security Policy") {
				b.record(&b.problems, "CSP violation: "+e.Text)
			}
		case *page.EventJavascriptDialogOpening:
			b.record(&b.problems, fmt.Sprintf("a %s dialog opened: %q", ev.Type, ev.Message))
			go func() {
				_, _ = chromedp.Call(base, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}()
		}
	})
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	t.Cleanup(b.check)
	b.do(chromedp.Navigate(ts.URL), chromedp.WaitReady(chromedp.CSS(`html[data-ready="true"]`)))
	return b
}

func (b *studioTab) record(list *[]string, s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	*list = append(*list, s)
}

// requestURLs returns the URLs the page requested so far.
func (b *studioTab) requestURLs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string{}, b.requests...)
}

// problemList returns the page's problems recorded so far.
func (b *studioTab) problemList() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string{}, b.problems...)
}

// check runs when the test ends, before the tab closes.
func (b *studioTab) check() {
	t := b.t
	b.mu.Lock()
	requests, problems := b.requests, b.problems
	b.mu.Unlock()
	for _, u := range requests {
		if !sameOrigin(u, b.ts.Base) {
			t.Errorf("the page requested %s, outside the studio's origin %s", u, b.ts.Base)
		}
		if strings.Contains(u, b.ts.Token()) {
			t.Errorf("the page sent the token in a URL: %s", u)
		}
	}
	for _, p := range problems {
		t.Errorf("in the page: %s", p)
	}
	if t.Failed() {
		b.saveScreenshot()
	}
}

// saveScreenshot saves the tab as it is, for a failed test. The file is
// kept after the test (t.TempDir would remove it with the test).
func (b *studioTab) saveScreenshot() {
	ctx, cancel := context.WithTimeout(b.base, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("no screenshot of the failure: %v", err)
		return
	}
	f, err := os.CreateTemp("", "mizzle-studio-"+screenshotName(b.t.Name())+"-*.png")
	if err == nil {
		_, err = f.Write(png)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		b.t.Logf("no screenshot of the failure: %v", err)
		return
	}
	b.t.Logf("the page when the test failed: %s", f.Name())
}

// screenshot writes the tab as name.png into the -screenshots folder; it
// does nothing without the flag.
func (b *studioTab) screenshot(name string) {
	b.t.Helper()
	if *screenshotDir == "" {
		return
	}
	png := tabRun(b, chromedp.CaptureScreenshot())
	if err := os.MkdirAll(*screenshotDir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(*screenshotDir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", path)
}

// do runs actions in the tab, failing the test on an error.
func (b *studioTab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b, actions...); err != nil {
		b.t.Fatalf("in the browser: %v", err)
	}
}

// tabRun runs an action that returns a value in the tab, failing the test on
// an error.
func tabRun[T any](b *studioTab, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b, a)
	if err != nil {
		b.t.Fatalf("in the browser: %v", err)
	}
	return v
}

// tabEval evaluates a JavaScript expression in the page and decodes its value
// into T, failing the test on an error.
func tabEval[T any](b *studioTab, expr string) T {
	b.t.Helper()
	return tabRun(b, chromedp.Evaluate[T](expr))
}

// sameOrigin reports whether the request URL u stays at base (a
// "scheme://host:port"); data: URLs and blobs the page made fetch nothing
// from elsewhere.
func sameOrigin(u, base string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch p.Scheme {
	case "data":
		return true
	case "blob":
		return sameOrigin(p.Opaque, base)
	}
	return p.Scheme+"://"+p.Host == base
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "?"
	}
	s := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		s += " " + d.Exception.Description
	}
	return fmt.Sprintf("%s (%s:%d:%d)", s, d.URL, d.LineNumber+1, d.ColumnNumber+1)
}

var notInFileName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

func screenshotName(s string) string { return notInFileName.ReplaceAllString(s, "_") }

// TestBrowserSignIn opens the printed URL as a user would: the page signs
// in, drops the token from the address bar, asks /api/info, and shows the
// database's name, which here is markup, as text.
func TestBrowserSignIn(t *testing.T) {
	admin, err := pgx.Connect(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	name := `<img src=x onerror=alert(1)><script>alert(2)</script>` + fmt.Sprint(time.Now().UnixNano()%1e6)
	if _, err := admin.Exec(context.Background(), "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, err := admin.Exec(context.Background(), "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		if err != nil {
			t.Error(err)
		}
	})
	ts := newStudio(t, "", func(o *studio.Options) { o.Conn.Database = name })
	b := openStudio(t, ts)

	if href := tabEval[string](b, `location.href`); strings.Contains(href, "token") || strings.Contains(href, ts.Token()) {
		t.Errorf("the address bar still holds the token: %s", href)
	}
	if got, want := tabEval[string](b, `document.getElementById('db-name').textContent`), name+" as "; !strings.HasPrefix(got, want) {
		t.Errorf("db-name shows %q, want it to start with %q", got, want)
	}
	if n := tabEval[int](b, `document.querySelectorAll('#db-name *, img, body script').length`); n != 0 {
		t.Errorf("the database's name became %d elements", n)
	}
	var info bool
	for _, u := range b.requestURLs() {
		info = info || u == ts.Base+"/api/info"
	}
	if !info {
		t.Errorf("the page did not ask /api/info: %v", b.requestURLs())
	}
	b.screenshot("studio")

	// Another browser (or this one, restarted) signs in with the same
	// URL while the studio runs.
	again := openStudio(t, ts)
	if got := tabEval[string](again, `document.getElementById('db-name').textContent`); !strings.HasPrefix(got, name) {
		t.Errorf("signed in again: db-name shows %q", got)
	}
}

// recordingT is a test that keeps its errors instead of failing, for the
// harness's own test.
type recordingT struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recordingT) errors() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "\n")
}

// TestBrowserHarnessCatches shows that openStudio's checks can fail: a
// page that leaves the origin, breaks the CSP, throws and opens a dialog
// is reported on each count.
func TestBrowserHarnessCatches(t *testing.T) {
	ts := newStudio(t, "")
	rt := &recordingT{TB: t}
	b := openStudio(rt, ts)
	b.do(chromedp.Evaluate[chromedp.Void](`
		document.body.insertAdjacentHTML('beforeend', '<p style="color: red">inline style</p>');
		setTimeout(() => { throw new Error('thrown on purpose'); }, 0);
		alert('on purpose');
	`))
	// The exception comes from a timer and reaches the test as an event
	// of its own: wait for it, or the navigation below may come first and
	// lose it on a loaded machine.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(strings.Join(b.problemList(), "\n"), "thrown on purpose"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			break // reported below, by the check
		}
	}
	// Another origin that answers: localhost is not 127.0.0.1.
	other := strings.Replace(ts.Base, "127.0.0.1", "localhost", 1) + "/"
	b.do(chromedp.Navigate(other))
	b.check()
	got := rt.errors()
	for _, want := range []string{
		"outside the studio's origin",
		"CSP violation",
		"thrown on purpose",
		`a alert dialog opened: "on purpose"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the checks did not report %q; they reported:\n%s", want, got)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	base := "http://127.0.0.1:4984"
	for u, want := range map[string]bool{
		base + "/":                                true,
		base + "/api/rows?schema=public":          true,
		"data:,":                                  true,
		"blob:" + base + "/0b5e":                  true,
		"blob:http://evil.example/0b5e":           false,
		"http://localhost:4984/":                  false,
		"http://127.0.0.1:4985/":                  false,
		"https://127.0.0.1:4984/":                 false,
		"https://fonts.googleapis.com/css?family": false,
		"ws://127.0.0.1:4984/":                    false,
		"://":                                     false,
	} {
		if got := sameOrigin(u, base); got != want {
			t.Errorf("sameOrigin(%q) = %v, want %v", u, got, want)
		}
	}
}

// crossSitePage is a page of another server on this machine (another
// port of 127.0.0.1: the same site, so the browser sends the studio's
// SameSite=Strict cookie with its requests) that tries what a hostile
// page would: read the API, and send it statements every way a page can.
const crossSitePage = `<!doctype html>
<title>elsewhere</title>
<iframe name="sink"></iframe>
<form id="form" method="POST" action="STUDIO/api/console" enctype="text/plain" target="sink">
<input name='{"sql":"CREATE TABLE pwned_form ()","x":"' value='"}'>
</form>
<script>
const studio = 'STUDIO';
const results = {};
async function attempt(name, path, init) {
  try {
    const r = await fetch(studio + path, Object.assign({ credentials: 'include' }, init));
    results[name] = r.type === 'opaque' ? 'opaque' : 'read ' + r.status + ': ' + await r.text();
  } catch (e) {
    results[name] = 'failed';
  }
}
(async () => {
  await attempt('read', '/api/info', {});
  await attempt('json', '/api/console', { method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Mizzle-Studio': '1' },
    body: JSON.stringify({ sql: 'CREATE TABLE pwned_json ()' }) });
  await attempt('simple', '/api/console', { method: 'POST', mode: 'no-cors',
    headers: { 'Content-Type': 'text/plain' },
    body: JSON.stringify({ sql: 'CREATE TABLE pwned_simple ()' }) });
  await attempt('session', '/api/session', { method: 'POST', mode: 'no-cors',
    headers: { 'Content-Type': 'text/plain' }, body: '{"token":"x"}' });
  document.getElementById('form').submit();
  window.results = results;
})();
</script>`

// TestBrowserRefusesCrossSiteRequests: with the studio signed in, a page
// of another local server, in another tab, can neither read the API nor
// run a statement through it.
func TestBrowserRefusesCrossSiteRequests(t *testing.T) {
	ts := newStudio(t, "")
	b := openStudio(t, ts)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, strings.ReplaceAll(crossSitePage, "STUDIO", ts.Base))
	}))
	defer evil.Close()

	tab := anotherTab(t, b)
	type seen struct {
		method, url string
		status      int64 // 0: no response came
		acao        bool  // an Access-Control header in the response
		cookie      bool  // the studio's cookie went with the request
	}
	var mu sync.Mutex
	requests := map[network.RequestID]*seen{}
	// The extra-info events may come before or after the request's.
	request := func(id network.RequestID) *seen {
		if requests[id] == nil {
			requests[id] = &seen{}
		}
		return requests[id]
	}
	if err := chromedp.Listen(tab, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			r := request(ev.RequestID)
			r.method, r.url = ev.Request.Method, ev.Request.URL
		case *network.EventRequestWillBeSentExtraInfo:
			for k, v := range ev.Headers {
				if strings.EqualFold(k, "cookie") && strings.Contains(fmt.Sprint(v), "mizzle_studio_") {
					request(ev.RequestID).cookie = true
				}
			}
		case *network.EventResponseReceivedExtraInfo:
			// Unlike responseReceived, also for the responses the
			// browser then blocks.
			r := request(ev.RequestID)
			r.status = ev.StatusCode
			for k := range ev.Headers {
				r.acao = r.acao || strings.HasPrefix(strings.ToLower(k), "access-control-")
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(evil.URL)); err != nil {
		t.Fatal(err)
	}
	results, err := chromedp.Run(tab, chromedp.Poll[map[string]string](`window.results`))
	if err != nil {
		t.Fatal(err)
	}
	// The page can read nothing, not even an opaque response: the
	// studio's Cross-Origin-Resource-Policy blocks those too.
	for _, name := range []string{"read", "json", "simple", "session"} {
		if results[name] != "failed" {
			t.Errorf("the other page's %s request: %q, want it failed", name, results[name])
		}
	}
	// The form's POST, the last, has had time to come back.
	time.Sleep(500 * time.Millisecond)

	mu.Lock()
	defer mu.Unlock()
	var refused []string
	for _, r := range requests {
		if !strings.HasPrefix(r.url, ts.Base) {
			continue
		}
		if r.acao {
			t.Errorf("%s %s: an Access-Control header in the response", r.method, r.url)
		}
		if r.method != http.MethodPost || r.status == 0 {
			continue // a preflight, or the POST it kept in the browser
		}
		refused = append(refused, r.url)
		if r.status != http.StatusForbidden {
			t.Errorf("POST %s from the other page: status %d, want 403", r.url, r.status)
		}
		if !r.cookie {
			t.Errorf("POST %s went without the studio's cookie: the test shows less than it says", r.url)
		}
	}
	// The form, the no-cors statement and the session; the JSON one
	// never leaves the browser, its preflight refused.
	if len(refused) != 3 {
		t.Errorf("POSTs that reached the studio: %q, want 3", refused)
	}
	var tables []string
	rows, err := ts.DB.Query(context.Background(), "SELECT relname FROM pg_class WHERE relname LIKE 'pwned%'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		tables = append(tables, n)
	}
	if rows.Err() != nil || len(tables) > 0 {
		t.Errorf("the other page created %v (%v)", tables, rows.Err())
	}
}

func TestNoChromiumSaysHowToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := chromiumPath()
	if err == nil || !strings.Contains(err.Error(), "install Chromium: apt-get install chromium") {
		t.Errorf("without chromium: %v", err)
	}
}

// TestBrowserOtherLoopbackNames: the printed URL names 127.0.0.1; the
// same studio opened as localhost or [::1] signs in and works too.
func TestBrowserOtherLoopbackNames(t *testing.T) {
	ts := newStudio(t, "")
	hosts := []string{"localhost"}
	if ln, err := net.Listen("tcp", "[::1]:0"); err == nil {
		ln.Close()
		hosts = append(hosts, "[::1]")
	}
	for _, host := range hosts {
		tab := newBrowser(t)
		u := strings.Replace(ts.URL, "127.0.0.1", host, 1)
		err := chromedp.Do(tab, chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS(`html[data-ready="true"]`)))
		if err != nil {
			t.Errorf("%s: %v", u, err)
			continue
		}
		name, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#db-name")))
		if err != nil || !strings.Contains(name, " as ") {
			t.Errorf("%s: db-name %q (%v)", host, name, err)
		}
	}
}

// markupValues are values (and a table name) that a page building HTML
// from strings would run; the studio must show them as written.
var markupValues = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(2)>`,
	`"><svg onload=alert(3)>`,
	`javascript:alert(4)`,
	`&lt;b&gt;not bold&lt;/b&gt;`,
}

// TestBrowserValuesAreText opens a table whose name and values are markup,
// in the sidebar and the grid: each shows as text, no element comes of
// it, and no dialog opens (openStudio's check). The grid is another
// part's: where it is not served yet the test says so and checks the
// sidebar alone.
func TestBrowserValuesAreText(t *testing.T) {
	table := `<img src=x onerror=alert(5)>`
	setup := `CREATE TABLE ` + pgx.Identifier{table}.Sanitize() + ` (id int PRIMARY KEY, v text);`
	for i, v := range markupValues {
		setup += fmt.Sprintf("INSERT INTO %s VALUES (%d, %s);", pgx.Identifier{table}.Sanitize(), i+1, roleLiteral(v))
	}
	ts := newStudio(t, setup)
	b := openStudio(t, ts)
	b.do(chromedp.Navigate(ts.Base+"/?"+url.Values{"schema": {"public"}, "table": {table}}.Encode()),
		chromedp.WaitReady(chromedp.CSS(`html[data-ready="true"]`)))
	// What the values would become as HTML; the page's own icons and
	// markup are left alone.
	noMarkup := `document.querySelectorAll('[onerror], [onload], img[src="x"], script:not([src])').length`
	if !tabEval[bool](b, `!!document.querySelector('[data-tab="data"]')`) {
		t.Log("no data tab: the grid is not served yet; only the page around it is checked")
		if n := tabEval[int](b, noMarkup); n != 0 {
			t.Errorf("%d elements came of the table's name", n)
		}
		return
	}
	b.do(chromedp.WaitReady(chromedp.CSS(`table.grid td[data-col="v"]`)))
	got := tabEval[[]string](b, `[...document.querySelectorAll('table.grid td[data-col="v"]')].map(td => td.textContent)`)
	for _, v := range markupValues {
		if !slices.Contains(got, v) {
			t.Errorf("the grid does not show %q as text; it shows %q", v, got)
		}
	}
	if sidebar := tabEval[string](b, `document.getElementById('sidebar').textContent`); !strings.Contains(sidebar, table) {
		t.Errorf("the sidebar does not show the table %q as text: %q", table, sidebar)
	}
	if n := tabEval[int](b, noMarkup); n != 0 {
		t.Errorf("%d elements came of the values", n)
	}
	b.screenshot("grid-markup")
}
