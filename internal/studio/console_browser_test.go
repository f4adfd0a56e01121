package studio_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/mizzle/mizzle/internal/studio"
)

// The page's tests run on a local stand-in for the shared browser
// harness, named apart from it: newEditBrowser, openEditStudio, editTab.

// newEditBrowser starts Debian's chromium, headless, for one test: a
// missing browser fails the test with the way to install it.
func newEditBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("the studio's browser tests need Chromium: apt-get install -y chromium (%v)", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// editTab is a tab on a studio.
type editTab struct {
	context.Context
	t *testing.T
}

// openEditStudio opens the studio's printed URL in a tab and waits until
// the page is ready, recording every request's URL; at the end of the
// test, any request that left the studio's origin fails it.
func openEditStudio(t *testing.T, ts *testStudio) *editTab {
	t.Helper()
	ctx := newEditBrowser(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	b := &editTab{Context: ctx, t: t}
	var mu sync.Mutex
	var urls []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			urls = append(urls, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if len(urls) == 0 {
			t.Error("no request recorded")
		}
		for _, u := range urls {
			if !strings.HasPrefix(u, ts.Base+"/") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:"+ts.Base+"/") {
				t.Errorf("a request left the studio's origin: %s", u)
			}
		}
	})
	b.do(chromedp.Navigate(ts.URL), chromedp.WaitVisible(chromedp.CSS(`html[data-ready=true]`)))
	t.Cleanup(func() {
		if t.Failed() {
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80)); err == nil {
				f := filepath.Join(os.TempDir(), "mizzle-studio-"+strings.ReplaceAll(t.Name(), "/", "_")+".png")
				if os.WriteFile(f, png, 0o644) == nil {
					t.Logf("screenshot: %s", f)
				}
			}
		}
	})
	return b
}

// do runs steps in the tab, failing the test on error.
func (b *editTab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b, steps...); err != nil {
		b.t.Fatalf("in the browser: %v", err)
	}
}

// evalIn evaluates js in the page.
func evalIn[T any](b *editTab, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// textOf returns the text content of the first element sel selects.
func textOf(b *editTab, sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s: %v", sel, err)
	}
	return v
}

// typeSQL replaces the console's text with sql.
func typeSQL(sql string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		return chromedp.Void{}, chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.ID(`console-sql`)),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('console-sql').value = ''`),
			chromedp.SendKeys(chromedp.ID(`console-sql`), sql))
	}
}

func TestBrowserConsole(t *testing.T) {
	ts := newStudio(t, `
CREATE TABLE item (id int PRIMARY KEY, name text, big bigint);
INSERT INTO item VALUES (1, '<script>alert(1)</script>', 9007199254740993), (2, NULL, 2), (3, '', 3);
`)
	b := openEditStudio(t, ts)
	b.do(chromedp.Navigate(ts.Base+"/?tab=console"), chromedp.WaitVisible(chromedp.ID(`console-sql`)))

	// Ctrl+Enter runs the statement; the result shows text as text.
	b.do(
		typeSQL("SELECT id, name, big\nFROM item ORDER BY id"),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.CSS(`.console-result tbody tr:nth-child(3)`)),
	)
	cells := evalIn[[]string](b, `[...document.querySelectorAll('.console-result tbody td')].map(td => td.textContent)`)
	want := []string{"1", "<script>alert(1)</script>", "9007199254740993", "2", "NULL", "2", "3", "(empty)", "3"}
	if strings.Join(cells, "|") != strings.Join(want, "|") {
		t.Errorf("result cells %q, want %q", cells, want)
	}
	if n := evalIn[int](b, `document.querySelectorAll('.console-result tbody td .null').length`); n != 1 {
		t.Errorf("%d NULL cells, want 1", n)
	}
	if n := evalIn[int](b, `document.querySelectorAll('.console-result script').length`); n != 0 {
		t.Errorf("a value became a script element")
	}
	if summary := textOf(b, `.console-summary`); !strings.Contains(summary, "SELECT 3") {
		t.Errorf("summary %q", summary)
	}

	// An error is shown at its line and column, and selected there.
	b.do(
		typeSQL("SELECT id,\n   nosuch FROM item"),
		chromedp.Click(chromedp.CSS(`.console-run`)),
		chromedp.WaitVisible(chromedp.CSS(`.console-error`)),
	)
	msg := textOf(b, `.console-error-message`)
	line := evalIn[string](b, `document.querySelector('.console-error').dataset.line`)
	col := evalIn[string](b, `document.querySelector('.console-error').dataset.column`)
	if !strings.Contains(msg, `column "nosuch" does not exist`) || !strings.Contains(msg, "line 2, column 4") || line != "2" || col != "4" {
		t.Errorf("error %q at %s:%s, want line 2, column 4", msg, line, col)
	}
	if at := evalIn[string](b, `(() => { const t = document.getElementById('console-sql'); return t.value.slice(t.selectionStart, t.selectionStart + 6); })()`); at != "nosuch" {
		t.Errorf("the selection is at %q, not at the error", at)
	}

	// Explain shows the plan; the history remembers the statements.
	b.do(
		typeSQL("SELECT * FROM item WHERE id = 1"),
		chromedp.Click(chromedp.CSS(`.console-explain`)),
		chromedp.WaitVisible(chromedp.CSS(`.console-result`)),
	)
	if plan := textOf(b, `.console-result tbody`); !strings.Contains(plan, "Scan") {
		t.Errorf("plan %q", plan)
	}
	if n := evalIn[int](b, `document.querySelectorAll('.console-history-item').length`); n != 3 {
		t.Errorf("%d statements in the history, want 3", n)
	}

	// The log tab shows the studio's statements, newest first.
	b.do(
		chromedp.Click(chromedp.CSS(`button[data-tab=log]`)),
		chromedp.WaitVisible(chromedp.CSS(`.log-table`)),
	)
	if n := evalIn[int](b, `[...document.querySelectorAll('.log-sql')].filter(p => p.textContent.includes('nosuch')).length`); n == 0 {
		t.Error("the log tab does not show the failed statement")
	}
	if first := textOf(b, `.log-table tbody tr:first-child .log-sql`); strings.Contains(first, "SELECT id, name, big") {
		t.Errorf("the log is not newest first: %q on top", first)
	}
}

func TestBrowserConsoleReadOnly(t *testing.T) {
	ts := newStudio(t, `CREATE TABLE item (id int PRIMARY KEY, name text);`, func(o *studio.Options) { o.ReadOnly = true })
	b := openEditStudio(t, ts)
	b.do(
		chromedp.Navigate(ts.Base+"/?tab=console"),
		typeSQL("INSERT INTO item VALUES (1, 'x')"),
		chromedp.Click(chromedp.CSS(`.console-run`)),
		chromedp.WaitVisible(chromedp.CSS(`.console-error`)),
	)
	if msg := textOf(b, `.console-error-message`); !strings.Contains(msg, "read-only transaction") {
		t.Errorf("error %q", msg)
	}
	if n := evalIn[int](b, `document.querySelectorAll('#edit-bar, #edit-insert').length`); n != 0 {
		t.Errorf("the read-only page has %d editing elements", n)
	}
	if n := count(t, ts, "SELECT FROM item"); n != 0 {
		t.Errorf("%d rows inserted", n)
	}
}
