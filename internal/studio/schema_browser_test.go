package studio_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mizzle/mizzle/internal/studio"
	"github.com/mizzle/mizzle/migrate"
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
	size := tabRun(b, chromedp.Evaluate[[]float64](`new Promise((resolve, reject) => {
		const img = document.querySelector('img.er-image');
		const done = () => img.naturalWidth ? resolve([img.naturalWidth, img.naturalHeight]) : reject(new Error('the diagram did not load'));
		if (img.complete) done(); else { img.addEventListener('load', done); img.addEventListener('error', done); }
	})`, chromedp.EvalAwaitPromise))
	if len(size) != 2 || size[0] < 100 || size[1] < 50 {
		t.Errorf("the diagram's size is %v", size)
	}
	src := tabRun(b, chromedp.AttributeValue(chromedp.CSS(`img.er-image`), "src"))
	if src.Value != "/api/er.svg?schema=public" {
		t.Errorf("the image's src is %q", src.Value)
	}
	if tabEval[bool](b, `document.querySelector('#main svg') !== null`) {
		t.Error("the diagram is inlined in the page")
	}
	if got := tabEval[[]string](b, `[...document.querySelectorAll('#tabs [data-tab]')].map(b => b.dataset.tab)`); strings.Join(got, ",") != "data,structure,console,log,schema" {
		t.Errorf("the tabs come in the order %v", got)
	}
	b.screenshot("studio-schema")
	names := tabEval[[]string](b, `[...document.querySelectorAll('[data-section="tables"] td:first-child a.table-link')].map(a => a.textContent)`)
	if got := strings.Join(names, " "); got != "big_orders orders passports profiles users" {
		t.Errorf("the tables listed: %s", got)
	}
	b.do(
		chromedp.Click(chromedp.CSS(`[data-section="tables"] td:first-child a.table-link[data-name="orders"]`)),
		chromedp.Poll[chromedp.Void](`location.search.includes('table=orders')`),
	)
	if search := tabEval[string](b, `location.search`); search != "?schema=public&table=orders" {
		t.Errorf("a table's name leads to %q, want its data", search)
	}
}

// TestBrowserDrift shows the statements that would bring a database that
// lacks a column to the Go schema, and the migrations applied and
// pending, with what migrate would refuse.
func TestBrowserDrift(t *testing.T) {
	m, create := shopModel(t)
	sql := map[string]string{"0000_init": "SELECT 1;", "0001_next": "SELECT 2;", "0002_elsewhere": "SELECT 3;"}
	dir := migrationsFolder(t, []string{"0000_init", "0001_next"}, sql)
	ts := newStudio(t, create+"; ALTER TABLE customer DROP COLUMN email", func(o *studio.Options) {
		o.Model = m
		o.Migrations = dir
	})
	d, err := migrate.Open(os.DirFS(migrationsFolder(t, []string{"0000_init", "0002_elsewhere"}, sql)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(context.Background(), ts.DB, migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	b := showView(t, ts, "tab=schema")
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-drift="changes"]`)))
	text := tabRun(b, chromedp.Text(chromedp.CSS(`[data-drift="changes"]`)))
	for _, want := range []string{"2 changes", `ALTER TABLE "public"."customer" ADD COLUMN "email" text NOT NULL;`, "nothing was applied"} {
		if !strings.Contains(text, want) {
			t.Errorf("the drift panel lacks %q:\n%s", want, text)
		}
	}
	rows := tabEval[[]string](b, `[...document.querySelectorAll('.drift-migrations tbody tr')].map(tr => tr.cells[0].textContent + ' ' + tr.cells[1].textContent + ' ' + (tr.cells[2].textContent ? 'at' : '-'))`)
	want := []string{"0000_init applied at", "0001_next pending -", "0002_elsewhere applied, not in the folder at"}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("the migrations panel lists\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	migrations := tabRun(b, chromedp.Text(chromedp.CSS(`.drift-migrations`)))
	for _, want := range []string{"2 applied, 1 pending.", "0002_elsewhere"} {
		if !strings.Contains(migrations, want) {
			t.Errorf("the migrations panel lacks %q:\n%s", want, migrations)
		}
	}
	if n := tabEval[int](b, `document.querySelectorAll('.drift-migrations .problems li').length`); n != 1 {
		t.Errorf("%d problems shown, want the migration the folder does not list", n)
	}

	// The answer is kept while the page lives: another schema's diagram
	// does not ask again, "Check again" does, and sees the database now.
	asked := func() int {
		n := 0
		for _, u := range b.requestURLs() {
			if u == ts.Base+"/api/drift" {
				n++
			}
		}
		return n
	}
	b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('schema-picker'); s.value = 'public'; s.dispatchEvent(new Event('change')); })()`),
		chromedp.WaitVisible(chromedp.CSS(`[data-drift="changes"]`)))
	if n := asked(); n != 1 {
		t.Errorf("/api/drift asked %d times, want once", n)
	}
	if _, err := ts.DB.Exec(context.Background(), `ALTER TABLE customer ADD COLUMN email text NOT NULL; ALTER TABLE customer ADD CONSTRAINT customer_email_unique UNIQUE (email)`); err != nil {
		t.Fatal(err)
	}
	// Clicked from the page's script, not with the mouse: the diagram's
	// image may still be loading and move the button as it grows, and a
	// mouse click then lands where the button was.
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('button.drift-again').click()`),
		chromedp.WaitVisible(chromedp.CSS(`[data-drift="none"]`)))
	if n := asked(); n != 2 {
		t.Errorf("/api/drift asked %d times, want twice", n)
	}
	if got := tabRun(b, chromedp.Text(chromedp.CSS(`[data-drift="none"]`))); !strings.Contains(got, "The database matches the Go schema.") {
		t.Errorf("after the fix, the drift panel says:\n%s", got)
	}
}

// TestBrowserSchemaPicker shows every schema's diagram by default, and
// another schema's when picked from the list the sidebar also reads.
func TestBrowserSchemaPicker(t *testing.T) {
	ts := newStudio(t, schemaSetup)
	b := showView(t, ts, "tab=schema")
	b.do(chromedp.WaitVisible(chromedp.CSS(`img.er-image`)),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#schema-picker option').length === 3`))
	if src := tabRun(b, chromedp.AttributeValue(chromedp.CSS(`img.er-image`), "src")); src.Value != "/api/er.svg" {
		t.Errorf("the diagram of every schema is %q", src.Value)
	}
	if got := tabEval[[]string](b, `[...document.querySelectorAll('#schema-picker option')].map(o => o.textContent)`); strings.Join(got, ",") != "all schemas,billing,public" {
		t.Errorf("the picker offers %v", got)
	}
	b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('schema-picker'); s.value = 'billing'; s.dispatchEvent(new Event('change')); })()`),
		chromedp.Poll[chromedp.Void](`document.querySelector('img.er-image') !== null && document.querySelector('img.er-image').getAttribute('src') === '/api/er.svg?schema=billing'`))
	if search := tabEval[string](b, `location.search`); search != "?tab=schema&schema=billing" {
		t.Errorf("picking billing leads to %q", search)
	}
	b.do(chromedp.Poll[chromedp.Void](`document.querySelectorAll('#schema-picker option').length === 3`))
	if got := tabEval[[]string](b, `[...document.querySelectorAll('#schema-picker option')].map(o => o.textContent + (o.selected ? '*' : ''))`); strings.Join(got, ",") != "all schemas,billing*,public" {
		t.Errorf("with billing shown, the picker offers %v", got)
	}
	names := tabEval[[]string](b, `[...document.querySelectorAll('[data-section="tables"] td:first-child a.table-link')].map(a => a.textContent)`)
	if strings.Join(names, ",") != "invoices" {
		t.Errorf("billing's tables: %v", names)
	}
}

// TestBrowserStructure shows a table's structure: its index, its foreign
// keys and the table referencing it, each table's name leading to its
// data.
func TestBrowserStructure(t *testing.T) {
	ts := newStudio(t, schemaSetup+"CREATE INDEX orders_user ON orders (user_id);")
	b := showView(t, ts, "tab=structure&schema=public&table=orders")
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-section="indexes"]`)))
	b.screenshot("studio-structure")
	text := func(section string) string {
		t.Helper()
		return tabRun(b, chromedp.Text(chromedp.CSS(`[data-section="`+section+`"]`)))
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
	if search := tabEval[string](b, `location.search`); search != "?schema=billing&table=invoices" {
		t.Errorf("the referencing table's name leads to %q, want its data", search)
	}
}
