package studio_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mizzle/mizzle/internal/studio"
)

// showView signs in through the printed URL, then opens the view query
// (the URL's query string, without "?") and waits until it is drawn.
func showView(t *testing.T, ts *testStudio, query string) *studioTab {
	t.Helper()
	b := openStudio(t, ts)
	b.do(chromedp.Navigate(ts.Base+"/?"+query), chromedp.WaitReady(chromedp.CSS(`html[data-ready="true"]`)))
	return b
}

// TestBrowserSchemaTab opens the schema tab: the ER diagram is an image
// that loads with a size, the tables are listed, and a table's name
// opens its data.
func TestBrowserSchemaTab(t *testing.T) {
	ts := newStudio(t, schemaSetup)
	b := showView(t, ts, "tab=schema&schema=public")
	b.do(chromedp.WaitVisible(chromedp.CSS(`img.er-image`)))
	size := run(b, chromedp.Evaluate[[]float64](`new Promise((resolve, reject) => {
		const img = document.querySelector('img.er-image');
		const done = () => img.naturalWidth ? resolve([img.naturalWidth, img.naturalHeight]) : reject(new Error('the diagram did not load'));
		if (img.complete) done(); else { img.addEventListener('load', done); img.addEventListener('error', done); }
	})`, chromedp.EvalAwaitPromise))
	if len(size) != 2 || size[0] < 100 || size[1] < 50 {
		t.Errorf("the diagram's size is %v", size)
	}
	src := run(b, chromedp.AttributeValue(chromedp.CSS(`img.er-image`), "src"))
	if src.Value != "/api/er.svg?schema=public" {
		t.Errorf("the image's src is %q", src.Value)
	}
	if eval[bool](b, `document.querySelector('#main svg') !== null`) {
		t.Error("the diagram is inlined in the page")
	}
	b.screenshot("schema")
	names := eval[[]string](b, `[...document.querySelectorAll('[data-section="tables"] td:first-child a.table-link')].map(a => a.textContent)`)
	if got := strings.Join(names, " "); got != "big_orders orders passports profiles users" {
		t.Errorf("the tables listed: %s", got)
	}
	b.do(
		chromedp.Click(chromedp.CSS(`[data-section="tables"] td:first-child a.table-link[data-name="orders"]`)),
		chromedp.Poll[chromedp.Void](`location.search.includes('table=orders')`),
	)
	if search := eval[string](b, `location.search`); search != "?schema=public&table=orders" {
		t.Errorf("a table's name leads to %q, want its data", search)
	}
}

// TestBrowserDrift shows the statements that would bring a database that
// lacks a column to the Go schema, and that no migrations folder was
// given.
func TestBrowserDrift(t *testing.T) {
	m, create := shopModel(t)
	ts := newStudio(t, create+"; ALTER TABLE customer DROP COLUMN email", func(o *studio.Options) { o.Model = m })
	b := showView(t, ts, "tab=schema")
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-drift="changes"]`)))
	text := run(b, chromedp.Text(chromedp.CSS(`[data-drift="changes"]`)))
	migrations := run(b, chromedp.Text(chromedp.CSS(`.drift-migrations`)))
	for _, want := range []string{"2 changes", `ALTER TABLE "public"."customer" ADD COLUMN "email" text NOT NULL;`, "nothing was applied"} {
		if !strings.Contains(text, want) {
			t.Errorf("the drift panel lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(migrations, "--migrations") {
		t.Errorf("the migrations panel does not say how to give a folder:\n%s", migrations)
	}
}

// TestBrowserStructure shows a table's structure: its index, its foreign
// keys and the table referencing it, each table's name leading to its
// data.
func TestBrowserStructure(t *testing.T) {
	ts := newStudio(t, schemaSetup+"CREATE INDEX orders_user ON orders (user_id);")
	b := showView(t, ts, "tab=structure&schema=public&table=orders")
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-section="indexes"]`)))
	b.screenshot("structure")
	text := func(section string) string {
		t.Helper()
		return run(b, chromedp.Text(chromedp.CSS(`[data-section="`+section+`"]`)))
	}
	for section, want := range map[string][]string{
		"columns":       {"user_id", "bigint", "public.users(id)"},
		"indexes":       {"orders_user", "CREATE INDEX orders_user ON public.orders USING btree (user_id)", "orders_pkey"},
		"foreign-keys":  {"orders_user_id_fkey", "public.users(id)", "orders_parent_id_fkey"},
		"referenced-by": {"billing.invoices", "invoices_order_id_fkey", "(order_id) → (id)"},
	} {
		got := text(section)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q:\n%s", section, w, got)
			}
		}
	}
	b.do(
		chromedp.Click(chromedp.CSS(`[data-section="referenced-by"] a.table-link[data-name="invoices"]`)),
		chromedp.Poll[chromedp.Void](`location.search.includes('table=invoices')`),
	)
	if search := eval[string](b, `location.search`); search != "?schema=billing&table=invoices" {
		t.Errorf("the referencing table's name leads to %q, want its data", search)
	}
}
