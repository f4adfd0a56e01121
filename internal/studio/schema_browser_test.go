package studio_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mizzle/mizzle/internal/studio"
)

// newTestBrowser starts Debian's chromium, headless, for one test. A
// machine without it fails the test with what to install: a browser test
// that skips would pass having checked nothing.
func newTestBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("the browser tests need chromium: apt-get install -y chromium (%v)", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelCtx := chromedp.NewContext(actx)
	// The browser lives as long as the context of its first run: start
	// it without the deadline, which then bounds the test's actions.
	if err := chromedp.Do(bctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("starting chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// openTestStudio opens the studio at the view query (the URL's query
// string, without "?") signed in with the printed token, and waits until
// the page has started.
func openTestStudio(t *testing.T, ctx context.Context, ts *testStudio, query string) {
	t.Helper()
	u := ts.Base + "/"
	if query != "" {
		u += "?" + query
	}
	u += "#token=" + ts.Token()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(u),
		chromedp.WaitVisible(chromedp.CSS(`html[data-ready="true"]`)),
	); err != nil {
		t.Fatalf("opening the studio: %v", err)
	}
}

// TestBrowserSchemaTab opens the schema tab: the ER diagram is an image
// that loads with a size, the tables are listed, and a table's name
// opens its data.
func TestBrowserSchemaTab(t *testing.T) {
	ts := newStudio(t, schemaSetup)
	ctx := newTestBrowser(t)
	openTestStudio(t, ctx, ts, "tab=schema&schema=public")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`img.er-image`))); err != nil {
		t.Fatal(err)
	}
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`new Promise((resolve, reject) => {
		const img = document.querySelector('img.er-image');
		const done = () => img.naturalWidth ? resolve([img.naturalWidth, img.naturalHeight]) : reject(new Error('the diagram did not load'));
		if (img.complete) done(); else { img.addEventListener('load', done); img.addEventListener('error', done); }
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(size) != 2 || size[0] < 100 || size[1] < 50 {
		t.Errorf("the diagram's size is %v", size)
	}
	src, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`img.er-image`), "src"))
	if err != nil {
		t.Fatal(err)
	}
	if src.Value != "/api/er.svg?schema=public" {
		t.Errorf("the image's src is %q", src.Value)
	}
	inline, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#main svg') !== null`))
	if err != nil {
		t.Fatal(err)
	}
	if inline {
		t.Error("the diagram is inlined in the page")
	}
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-section="tables"] td:first-child a.table-link')].map(a => a.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names, " "); got != "big_orders orders passports profiles users" {
		t.Errorf("the tables listed: %s", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-section="tables"] td:first-child a.table-link[data-name="orders"]`)),
		chromedp.Poll[chromedp.Void](`location.search.includes('table=orders')`),
	); err != nil {
		t.Fatalf("following a table's name: %v", err)
	}
	search, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.search`))
	if err != nil {
		t.Fatal(err)
	}
	if search != "?schema=public&table=orders" {
		t.Errorf("a table's name leads to %q, want its data", search)
	}
}

// TestBrowserDrift shows the statements that would bring a database that
// lacks a column to the Go schema, and that no migrations folder was
// given.
func TestBrowserDrift(t *testing.T) {
	m, create := shopModel(t)
	ts := newStudio(t, create+"; ALTER TABLE customer DROP COLUMN email", func(o *studio.Options) { o.Model = m })
	ctx := newTestBrowser(t)
	openTestStudio(t, ctx, ts, "tab=schema")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-drift="changes"]`))); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-drift="changes"]`)))
	if err != nil {
		t.Fatal(err)
	}
	migrations, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.drift-migrations`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 changes", `ALTER TABLE "public"."customer" ADD COLUMN "email" text NOT NULL;`, "nothing was applied"} {
		if !strings.Contains(text, want) {
			t.Errorf("the drift panel lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(migrations, "--migrations") {
		t.Errorf("the migrations panel does not say how to give a folder:\n%s", migrations)
	}
}
