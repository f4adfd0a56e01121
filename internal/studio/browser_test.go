package studio_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// browser is the one Chromium of the test binary, started by the first
// test that asks for it; each test gets a tab of its own.
var browser struct {
	once   sync.Once
	ctx    context.Context // a chromedp context that owns the browser
	cancel func()
	dir    string // the profile, fresh for each run
	err    error
}

func startBrowser() (context.Context, error) {
	browser.once.Do(func() {
		path, err := exec.LookPath("chromium")
		if err != nil {
			browser.err = fmt.Errorf("no chromium on PATH: %s", installChromium)
			return
		}
		dir, err := os.MkdirTemp("", "mizzle-studio-chromium-")
		if err != nil {
			browser.err = err
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
			browser.err = fmt.Errorf("starting %s: %v (%s)", path, err, installChromium)
			return
		}
		browser.ctx, browser.dir = bctx, dir
		browser.cancel = func() {
			_ = chromedp.Cancel(bctx) // closes the browser and waits for it
			bcancel()
			acancel()
			os.RemoveAll(dir)
		}
	})
	return browser.ctx, browser.err
}

// stopBrowser closes the test binary's Chromium, if a test started it.
func stopBrowser() {
	browser.once.Do(func() { browser.err = errors.New("the tests have finished") })
	if browser.cancel != nil {
		browser.cancel()
	}
}

// newBrowser returns a new tab of the test binary's Chromium, closed when
// the test ends; actions on it fail after browserTimeout. The context is
// chromedp's: pass it to chromedp.Do and chromedp.Run.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	bctx, err := startBrowser()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	tctx, cancel := chromedp.NewContext(bctx)
	// The first action opens the tab and ties it to tctx; a deadline on
	// this call would close the tab when it passed.
	if err := chromedp.Do(tctx); err != nil {
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
	f, err := os.CreateTemp("", "mizzle-studio-"+fileName(b.t.Name())+"-*.png")
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
	png := run(b, chromedp.CaptureScreenshot())
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

// run runs an action that returns a value in the tab, failing the test on
// an error.
func run[T any](b *studioTab, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b, a)
	if err != nil {
		b.t.Fatalf("in the browser: %v", err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page and decodes its value
// into T, failing the test on an error.
func eval[T any](b *studioTab, expr string) T {
	b.t.Helper()
	return run(b, chromedp.Evaluate[T](expr))
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

var notFileName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

func fileName(s string) string { return notFileName.ReplaceAllString(s, "_") }

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

	if href := eval[string](b, `location.href`); strings.Contains(href, "token") || strings.Contains(href, ts.Token()) {
		t.Errorf("the address bar still holds the token: %s", href)
	}
	if got, want := eval[string](b, `document.getElementById('db-name').textContent`), name+" as "; !strings.HasPrefix(got, want) {
		t.Errorf("db-name shows %q, want it to start with %q", got, want)
	}
	if n := eval[int](b, `document.querySelectorAll('#db-name *, img, body script').length`); n != 0 {
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
