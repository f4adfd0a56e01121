package studio_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// browseSeed is the database the browsing tests open: users with the
// values a browser is known to mangle (a bigint past 2^53, a numeric of
// 30 digits, a timestamp on a daylight-saving night, NULL beside the
// empty string, markup), posts that reference them, a view and a
// materialized view.
const browseSeed = `
CREATE TYPE mood AS ENUM ('happy', 'sad', 'ok');
CREATE TABLE users (
	id bigint PRIMARY KEY,
	name text NOT NULL,
	nickname text,
	mood mood,
	big bigint,
	amount numeric,
	seen timestamp,
	bio text
);
INSERT INTO users
SELECT g, 'user ' || lpad(g::text, 3, '0'),
	CASE g WHEN 1 THEN NULL WHEN 2 THEN '' WHEN 3 THEN '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">' ELSE 'nick' || g END,
	(ARRAY['happy', 'sad', 'ok'])[g % 3 + 1]::mood,
	CASE g WHEN 1 THEN 9007199254740993 ELSE g END,
	CASE g WHEN 1 THEN 1234567890.12345678901234567890 ELSE g END,
	CASE g WHEN 1 THEN timestamp '2026-03-29 02:30:00.123456' ELSE timestamp '2026-01-01' + g * interval '1 day' END,
	CASE g WHEN 1 THEN repeat('long ', 60) WHEN 2 THEN repeat('x', 12000) ELSE 'bio ' || g END
FROM generate_series(1, 120) g;
CREATE TABLE posts (
	id serial PRIMARY KEY,
	user_id bigint REFERENCES users,
	title text NOT NULL,
	extra jsonb,
	published boolean NOT NULL DEFAULT true
);
INSERT INTO posts (user_id, title) VALUES (1, 'first'), (1, 'second'), (3, 'third'), (NULL, 'orphan');
UPDATE posts SET published = false WHERE id = 2;
UPDATE posts SET extra = jsonb_build_object('n', 12345678901234567890123::numeric, 'tags', jsonb_build_array('a', 'b'), 'empty', '{}'::jsonb, 'note', repeat('z', 200)) WHERE id = 1;
CREATE VIEW user_names AS SELECT id, name FROM users;
CREATE MATERIALIZED VIEW moods AS SELECT mood, count(*) AS n FROM users GROUP BY mood;
ANALYZE users;
`

// rowSel selects the grid's row of the users or posts whose id is id.
func rowSel(id int) string {
	return fmt.Sprintf(`table.grid tbody tr[data-key='{"id":"%d"}']`, id)
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// drawn runs the actions and waits until the data tab has drawn a view
// after them (ready, or failed with its error shown).
func drawn(b *studioTab, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.data-view').forEach((v) => { v.dataset.old = '1'; })`))
	b.do(actions...)
	b.do(chromedp.WaitVisible(chromedp.CSS(`.data-view[data-state]:not([data-old]):not([data-state="loading"])`)))
}

// openTable opens a view by its address, as a bookmark would.
func openView(b *studioTab, query string) {
	b.t.Helper()
	drawn(b, chromedp.Navigate(b.ts.Base+"/?"+query), chromedp.WaitReady(chromedp.CSS(`html[data-ready="true"]`)))
}

// cellText is the text the grid shows for column col of the row whose
// key is key (its data-key), without the cell's buttons.
func cellText(b *studioTab, key, col string) string {
	b.t.Helper()
	return tabEval[string](b, fmt.Sprintf(`(() => {
		const tr = [...document.querySelectorAll('table.grid tbody tr')].find((r) => r.dataset.key === %s);
		const td = tr && tr.querySelector('td[data-col="' + CSS.escape(%s) + '"]');
		return td ? td.firstChild.textContent : '(no such cell)';
	})()`, jsString(key), jsString(col)))
}

// column returns the texts of column col, top to bottom.
func column(b *studioTab, col string) []string {
	b.t.Helper()
	return tabEval[[]string](b, fmt.Sprintf(`[...document.querySelectorAll('table.grid tbody td[data-col="' + CSS.escape(%s) + '"]')].map((td) => td.firstChild.textContent)`, jsString(col)))
}

// query returns the page's URL query.
func query(b *studioTab) url.Values {
	b.t.Helper()
	q, err := url.ParseQuery(strings.TrimPrefix(tabEval[string](b, `location.search`), "?"))
	if err != nil {
		b.t.Fatal(err)
	}
	return q
}

func TestBrowserBrowse(t *testing.T) {
	ts := newStudio(t, browseSeed)
	b := openStudio(t, ts)

	// The sidebar: every relation with its kind and estimate, searched
	// as the user types, walked with the keyboard.
	b.do(chromedp.WaitVisible(chromedp.CSS(`a.rel[data-name="users"]`)))
	rels := tabEval[[]string](b, `[...document.querySelectorAll('a.rel')].map((a) => a.dataset.schema + '.' + a.dataset.name + ' ' + a.textContent)`)
	want := []string{"public.moods moodsmat. view?", "public.posts posts?", "public.user_names user_namesview?", "public.users users120"}
	if strings.Join(rels, "|") != strings.Join(want, "|") {
		t.Errorf("sidebar: %q, want %q", rels, want)
	}
	// A table made after the page loaded shows after a refresh.
	if _, err := ts.DB.Exec(context.Background(), `CREATE TABLE later (id int)`); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Click(chromedp.CSS(`.side-refresh`)), chromedp.WaitVisible(chromedp.CSS(`a.rel[data-name="later"]`)))
	b.do(chromedp.SendKeys(chromedp.CSS(`.side-search`), "user"))
	if got := tabEval[[]string](b, `[...document.querySelectorAll('a.rel:not([hidden])')].map((a) => a.dataset.name)`); strings.Join(got, ",") != "user_names,users" {
		t.Errorf("searching 'user' leaves %q", got)
	}
	drawn(b, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
	if q := query(b); q.Get("table") != "users" || q.Get("schema") != "public" {
		t.Errorf("Enter on users: the URL's view is %v", q)
	}
	if got := tabEval[string](b, `document.querySelector('a.rel[aria-current]').dataset.name`); got != "users" {
		t.Errorf("the sidebar highlights %q", got)
	}

	// No filters, no filter form in the way.
	if got := tabEval[string](b, `getComputedStyle(document.querySelector('form.filters')).display`); got != "none" {
		t.Errorf("the empty filter form is shown (display %s)", got)
	}

	// The header: each column's type and badges.
	heads := tabEval[[]string](b, `[...document.querySelectorAll('table.grid thead th[data-col]')].map((th) => th.dataset.col + ':' + th.querySelector('.col-meta').textContent)`)
	if want := "id:bigintPK|name:text|nickname:textNULL|mood:moodNULL|big:bigintNULL|amount:numericNULL|seen:timestamp without time zoneNULL|bio:textNULL"; strings.Join(heads, "|") != want {
		t.Errorf("header: %q\nwant %q", strings.Join(heads, "|"), want)
	}

	b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('.side-search'); s.value = ''; s.dispatchEvent(new Event('input')); s.blur(); document.activeElement.blur(); })()`))
	b.screenshot("studio-grid")

	// Values as PostgreSQL writes them: no JavaScript number or Date in
	// between, NULL apart from '', markup as text.
	for col, want := range map[string]string{
		"big":      "9007199254740993",
		"amount":   "1234567890.12345678901234567890",
		"seen":     "2026-03-29 02:30:00.123456",
		"nickname": "NULL",
		"mood":     "sad",
	} {
		if got := cellText(b, `{"id":"1"}`, col); got != want {
			t.Errorf("users 1 %s shows %q, want %q", col, got, want)
		}
	}
	if got := tabEval[string](b, `document.querySelector(`+jsString(rowSel(1)+" td[data-col=nickname] .v > span")+`).className`); got != "null" {
		t.Errorf("NULL is drawn with class %q", got)
	}
	if got := cellText(b, `{"id":"2"}`, "nickname"); got != "(empty)" {
		t.Errorf("the empty string shows %q", got)
	}
	markup := `<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">`
	if got := cellText(b, `{"id":"3"}`, "nickname"); got != markup {
		t.Errorf("markup shows %q", got)
	}
	if n := tabEval[int](b, `document.querySelectorAll('#main script, #main img').length + (window.pwned ? 100 : 0)`); n != 0 {
		t.Errorf("a value became markup (%d)", n)
	}

	// Long values: cut on screen with an expand action; one the server
	// cut is fetched whole from /api/cell.
	b.do(chromedp.Click(chromedp.CSS(rowSel(1)+" td[data-col=bio] .expand")),
		chromedp.WaitVisible(chromedp.CSS(`dialog.cell-viewer[open] .cell-full`)))
	if got := tabEval[string](b, `document.querySelector('.cell-full').textContent`); got != strings.Repeat("long ", 60) {
		t.Errorf("the expanded bio is %q", got)
	}
	b.do(chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.CSS(`dialog.cell-viewer`)))
	// The expand button took the focus; the value must not have scrolled
	// out of its cell to show it.
	if got := tabEval[int](b, `document.querySelector(`+jsString(rowSel(1)+" td[data-col=bio]")+`).scrollLeft`); got != 0 {
		t.Errorf("the bio's cell scrolled its value %dpx out of sight", got)
	}
	if !tabEval[bool](b, `document.querySelector(`+jsString(rowSel(2)+" td[data-col=bio]")+`).classList.contains('truncated')`) {
		t.Error("a value of 12,000 bytes is not marked as cut by the server")
	}
	b.do(chromedp.Click(chromedp.CSS(rowSel(2)+" td[data-col=bio] .expand")),
		chromedp.Poll[chromedp.Void](`document.querySelector('.cell-full').textContent.length === 12000`))
	b.do(chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.CSS(`dialog.cell-viewer`)))

	// The keyboard walks the cells; Enter (and a double-click) asks for
	// an editor on the bus.
	b.do(chromedp.Evaluate[chromedp.Void](`import('/static/js/bus.js').then((bus) => { window.edits = []; bus.on('cell:edit', (d) => window.edits.push(d)); })`, chromedp.EvalAwaitPromise))
	b.do(chromedp.Click(chromedp.CSS(rowSel(1)+" td[data-col=id]")),
		chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowDown))
	if got := tabEval[string](b, `document.activeElement.dataset.col + ' ' + document.activeElement.parentElement.dataset.key`); got != `name {"id":"2"}` {
		t.Errorf("after → ↓ the focus is on %q", got)
	}
	b.do(chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowUp), chromedp.KeyEvent(kb.Enter),
		chromedp.Poll[chromedp.Void](`window.edits.length === 1`))
	if got := tabEval[string](b, `JSON.stringify(window.edits[0])`); got != `{"schema":"public","name":"users","key":{"id":"1"},"column":"big","value":"9007199254740993"}` {
		t.Errorf("Enter emitted cell:edit %s", got)
	}
	b.do(chromedp.DoubleClick(chromedp.CSS(rowSel(2)+" td[data-col=bio]")), chromedp.Poll[chromedp.Void](`window.edits.length === 2`))
	if got := tabEval[int](b, `window.edits[1].value.length`); got != 12000 {
		t.Errorf("editing a cut value gives the editor %d bytes, want the whole 12000", got)
	}

	// Sorting: a header cycles ascending, descending, none.
	drawn(b, chromedp.Click(chromedp.CSS(`th[data-col=name] .sort`)))
	if q := query(b); q.Get("sort") != "name" || q.Has("desc") {
		t.Errorf("one click: the URL's view is %v", q)
	}
	if got := column(b, "name")[0]; got != "user 001" {
		t.Errorf("ascending, the first name is %q", got)
	}
	drawn(b, chromedp.Click(chromedp.CSS(`th[data-col=name] .sort`)))
	if q := query(b); q.Get("sort") != "name" || q.Get("desc") != "1" {
		t.Errorf("two clicks: the URL's view is %v", q)
	}
	if got := column(b, "name")[0]; got != "user 120" {
		t.Errorf("descending, the first name is %q", got)
	}
	if got := tabEval[string](b, `document.querySelector('th[data-col=name]').getAttribute('aria-sort')`); got != "descending" {
		t.Errorf("aria-sort %q", got)
	}
	drawn(b, chromedp.Click(chromedp.CSS(`th[data-col=name] .sort`)))
	if q := query(b); q.Has("sort") || q.Has("desc") {
		t.Errorf("three clicks: the URL's view is %v", q)
	}

	// Pages: forward and back, the page in the URL, the same page after
	// a reload, and a bookmark of page 3 without its cursor.
	first := func() string { return tabEval[string](b, `document.querySelector('table.grid tbody tr').dataset.key`) }
	if got := first(); got != `{"id":"1"}` {
		t.Fatalf("page 1 starts at %s", got)
	}
	// While the next page loads, the page shown stays, inert, instead of
	// an empty grid.
	drawn(b, chromedp.Evaluate[chromedp.Void](`document.querySelector('.pager .next').click(); window.stale = !!document.querySelector('#main > .data-view.stale[inert]')`))
	if !tabEval[bool](b, `window.stale`) {
		t.Error("the grid was emptied while the next page loaded")
	}
	if got, q := first(), query(b); got != `{"id":"51"}` || q.Get("page") != "2" {
		t.Errorf("page 2 starts at %s, URL %v", got, q)
	}
	drawn(b, chromedp.Click(chromedp.CSS(`.pager .next`)))
	if got, q := first(), query(b); got != `{"id":"101"}` || q.Get("page") != "3" {
		t.Errorf("page 3 starts at %s, URL %v", got, q)
	}
	if !tabEval[bool](b, `document.querySelector('.pager .next').disabled`) {
		t.Error("Next is enabled on the last page")
	}
	drawn(b, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS(`html[data-ready="true"]`)))
	if got, n := first(), tabEval[int](b, `document.querySelectorAll('table.grid tbody tr').length`); got != `{"id":"101"}` || n != 20 {
		t.Errorf("reloaded page 3 starts at %s with %d rows", got, n)
	}
	if got := tabEval[string](b, `document.querySelector('.page-number').textContent`); got != "Page 3" {
		t.Errorf("reloaded, the pager says %q", got)
	}
	drawn(b, chromedp.Click(chromedp.CSS(`.pager .prev`)))
	if got, q := first(), query(b); got != `{"id":"51"}` || q.Get("page") != "2" {
		t.Errorf("back to page 2: starts at %s, URL %v", got, q)
	}
	drawn(b, chromedp.Click(chromedp.CSS(`.pager .prev`)))
	if got, q := first(), query(b); got != `{"id":"1"}` || q.Has("page") || q.Has("after") {
		t.Errorf("back to page 1: starts at %s, URL %v", got, q)
	}
	openView(b, "table=users&page=3")
	if got := first(); got != `{"id":"101"}` {
		t.Errorf("page 3 by bookmark without a cursor starts at %s", got)
	}
	drawn(b, chromedp.Click(chromedp.CSS(`.pager .prev`)))
	if got := first(); got != `{"id":"51"}` {
		t.Errorf("back from a bookmarked page 3, page 2 starts at %s", got)
	}

	// Columns hidden on the spot, kept in the URL.
	b.do(chromedp.Click(chromedp.CSS(`.columns-menu summary`)), chromedp.Click(chromedp.CSS(`.columns-menu input[value=bio]`)))
	if !tabEval[bool](b, `document.querySelector('th[data-col=bio]').hidden && [...document.querySelectorAll('td[data-col=bio]')].every((td) => td.hidden)`) {
		t.Error("bio is still shown")
	}
	if q := query(b); q.Get("columns") != "bio" {
		t.Errorf("hiding bio: the URL's view is %v", q)
	}
	drawn(b, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS(`html[data-ready="true"]`)))
	if !tabEval[bool](b, `document.querySelector('th[data-col=bio]').hidden && !document.querySelector('th[data-col=name]').hidden`) {
		t.Error("reloaded, bio is shown again")
	}

	// The exact count, on demand.
	b.do(chromedp.Click(chromedp.CSS(`button.count`)), chromedp.Poll[chromedp.Void](`document.querySelector('.grid-count').textContent === '120 rows'`))
}

// setFilter fills the last filter row: column, operator, then value
// (text typed, or an option chosen).
func setFilter(b *studioTab, col, op string) {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const row = [...document.querySelectorAll('.filter')].pop();
		const set = (sel, v) => { const el = row.querySelector(sel); el.value = v; el.dispatchEvent(new Event('change')); };
		set('.filter-column', %s);
		set('.filter-op', %s);
	})()`, jsString(col), jsString(op))))
}

func TestBrowserFilters(t *testing.T) {
	ts := newStudio(t, browseSeed)
	b := openStudio(t, ts)
	openView(b, "table=users")

	// The enum picker offers the type's labels, in order.
	b.do(chromedp.Click(chromedp.CSS(`.toggle-filters`)))
	setFilter(b, "mood", "eq")
	if got := tabEval[[]string](b, `[...document.querySelectorAll('.filter select.filter-input option')].map((o) => o.value)`); strings.Join(got, ",") != "happy,sad,ok" {
		t.Errorf("the enum picker offers %q", got)
	}
	ops := tabEval[[]string](b, `[...document.querySelectorAll('.filter .filter-op option')].map((o) => o.textContent)`)
	if strings.Join(ops, " ") != "= ≠ IN < ≤ > ≥ IS NULL IS NOT NULL" {
		t.Errorf("the operators of an enum: %q", ops)
	}
	b.do(chromedp.SetValue(chromedp.CSS(`.filter select.filter-input`), "sad"))
	// Nothing is asked before Apply.
	if q := query(b); q.Has("filters") {
		t.Errorf("before Apply the URL has filters: %v", q)
	}
	drawn(b, chromedp.Click(chromedp.CSS(`.filters .apply`)))
	if got := column(b, "mood"); len(got) != 40 || strings.Count(strings.Join(got, ","), "sad") != 40 {
		t.Errorf("mood = sad shows %d rows: %q", len(got), got)
	}

	// A second filter, IS NULL, is combined with AND.
	b.do(chromedp.Click(chromedp.CSS(`.filters .add-filter`)))
	setFilter(b, "nickname", "null")
	if n := tabEval[int](b, `[...document.querySelectorAll('.filter')].pop().querySelectorAll('.filter-input').length`); n != 0 {
		t.Errorf("IS NULL has %d value inputs", n)
	}
	drawn(b, chromedp.Click(chromedp.CSS(`.filters .apply`)))
	if got := tabEval[string](b, `[...document.querySelectorAll('table.grid tbody tr')].map((tr) => tr.dataset.key).join()`); got != `{"id":"1"}` {
		t.Errorf("mood = sad AND nickname IS NULL shows %s", got)
	}
	var fs []map[string]any
	if err := json.Unmarshal([]byte(query(b).Get("filters")), &fs); err != nil || len(fs) != 2 || fs[0]["column"] != "mood" || fs[0]["value"] != "sad" || fs[1]["op"] != "null" {
		t.Errorf("the URL's filters: %v (%v)", fs, err)
	}
	b.screenshot("studio-filters")

	// The same view from its address, the count of its rows, its export.
	drawn(b, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS(`html[data-ready="true"]`)))
	if got := tabEval[int](b, `document.querySelectorAll('.filters .filter').length`); got != 2 {
		t.Errorf("reloaded, %d filters are shown", got)
	}
	b.do(chromedp.Click(chromedp.CSS(`button.count`)), chromedp.Poll[chromedp.Void](`document.querySelector('.grid-count').textContent === '1 row'`))
	href := tabEval[string](b, `document.querySelector('a.export[data-format=csv]').getAttribute('href')`)
	u, err := url.Parse(href)
	if err != nil || u.Path != "/api/export" || u.Query().Get("filters") != query(b).Get("filters") || u.Query().Get("format") != "csv" {
		t.Errorf("the CSV export's link is %s", href)
	}
	got := tabRun(b, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%s).then(async (r) => r.status + ' ' + r.headers.get('Content-Disposition') + '\n' + await r.text())`, jsString(href)), chromedp.EvalAwaitPromise))
	if head, body, _ := strings.Cut(got, "\n"); !strings.HasPrefix(head, "200 attachment") || !strings.Contains(body, "user 001") || strings.Contains(body, "user 004") {
		t.Errorf("the CSV export of the view: %.300q", got)
	}

	// IN over the enum's labels.
	b.do(chromedp.Click(chromedp.CSS(`.filters .remove-filter`)), chromedp.Click(chromedp.CSS(`.filters .remove-filter`)), chromedp.Click(chromedp.CSS(`.filters .add-filter`)))
	setFilter(b, "mood", "in")
	b.do(chromedp.Click(chromedp.CSS(`.enum-picker input[value=happy]`)), chromedp.Click(chromedp.CSS(`.enum-picker input[value=ok]`)))
	drawn(b, chromedp.Click(chromedp.CSS(`.filters .apply`)))
	if got := column(b, "mood"); len(got) != 50 || strings.Contains(strings.Join(got, ","), "sad") {
		t.Errorf("mood IN (happy, ok) shows %q", got)
	}

	// A boolean is chosen, not typed; a NOT NULL column offers no IS NULL.
	openView(b, "table=posts")
	b.do(chromedp.Click(chromedp.CSS(`.toggle-filters`)))
	setFilter(b, "published", "eq")
	if got := tabEval[string](b, `[...document.querySelectorAll('.filter .filter-op option')].map((o) => o.value).join() + ' ' + [...document.querySelectorAll('.filter select.filter-input option')].map((o) => o.value).join()`); got != "eq,ne true,false" {
		t.Errorf("a boolean's operators and values: %s", got)
	}
	b.do(chromedp.SetValue(chromedp.CSS(`.filter select.filter-input`), "false"))
	drawn(b, chromedp.Click(chromedp.CSS(`.filters .apply`)))
	if got := column(b, "title"); strings.Join(got, ",") != "second" {
		t.Errorf("published = false shows %q", got)
	}
	// IN on text: one value a line.
	openView(b, "table=users")
	b.do(chromedp.Click(chromedp.CSS(`.toggle-filters`)))
	setFilter(b, "name", "in")
	b.do(chromedp.SendKeys(chromedp.CSS(`.filter textarea.filter-input`), "user 005\ruser 001"))
	drawn(b, chromedp.Click(chromedp.CSS(`.filters .apply`)))
	if got := column(b, "name"); strings.Join(got, ",") != "user 001,user 005" {
		t.Errorf("name IN (user 005, user 001) shows %q", got)
	}
	openView(b, "table=users&filters="+url.QueryEscape(`[{"column":"mood","op":"in","values":["happy","ok"]}]`))

	// A value the column's type refuses: the server's error next to the
	// filter, and the grid left as it was asked (no rows shown as if none matched).
	b.do(chromedp.Click(chromedp.CSS(`.filters .add-filter`)))
	setFilter(b, "big", "gt")
	b.do(chromedp.SendKeys(chromedp.CSS(`.filter:last-child input.filter-input`), "lots"))
	drawn(b, chromedp.Click(chromedp.CSS(`.filters .apply`)))
	msg := tabEval[string](b, `(() => { const e = [...document.querySelectorAll('.filter')].pop().querySelector('.filter-error'); return e.hidden ? '' : e.textContent; })()`)
	if !strings.Contains(msg, "lots") {
		t.Errorf("the bad filter's row says %q", msg)
	}
	if n := tabEval[int](b, `document.querySelectorAll('table.grid').length`); n != 0 {
		t.Errorf("a grid is drawn under a refused filter")
	}
}

func TestBrowserRelations(t *testing.T) {
	ts := newStudio(t, browseSeed)
	b := openStudio(t, ts)
	openView(b, "table=posts")

	if got := tabEval[string](b, `document.querySelector('th[data-col=user_id] .col-meta').textContent`); got != "bigintFKNULL" {
		t.Errorf("user_id's header: %q", got)
	}
	if n := tabEval[int](b, `document.querySelectorAll('td[data-col=user_id] .fk-link').length`); n != 3 {
		t.Errorf("%d links for 3 references and a NULL", n)
	}
	// JSON laid out in the viewer, its numbers to the last digit.
	b.do(chromedp.Click(chromedp.CSS(rowSel(1)+" td[data-col=extra] .expand")),
		chromedp.WaitVisible(chromedp.CSS(`dialog.cell-viewer[open] .cell-full`)))
	want := "{\n  \"n\": 12345678901234567890123,\n  \"note\": \"" + strings.Repeat("z", 200) + "\",\n  \"tags\": [\n    \"a\",\n    \"b\"\n  ],\n  \"empty\": {}\n}"
	if got := tabEval[string](b, `document.querySelector('.cell-full').textContent`); got != want {
		t.Errorf("the JSON viewer shows\n%s\nwant\n%s", got, want)
	}
	b.do(chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.CSS(`dialog.cell-viewer`)))

	// A foreign key followed: the users row it references.
	drawn(b, chromedp.Click(chromedp.CSS(rowSel(3)+" td[data-col=user_id] .fk-link")))
	q := query(b)
	if q.Get("table") != "users" || q.Get("filters") != `[{"column":"id","op":"eq","value":"3"}]` {
		t.Errorf("following user_id: the URL's view is %v", q)
	}
	if got := tabEval[string](b, `[...document.querySelectorAll('table.grid tbody tr')].map((tr) => tr.dataset.key).join()`); got != `{"id":"3"}` {
		t.Errorf("following user_id shows %s", got)
	}
	// And back the other way: the posts that reference a user.
	openView(b, "table=users")
	b.do(chromedp.Click(chromedp.CSS(rowSel(1) + " details.refs summary")))
	drawn(b, chromedp.Click(chromedp.CSS(rowSel(1)+" details.refs a.ref-link")))
	if got := column(b, "title"); strings.Join(got, ",") != "first,second" {
		t.Errorf("the posts of user 1: %q", got)
	}
	// Back in the history is back to the users.
	drawn(b, chromedp.NavigateBack())
	if q := query(b); q.Get("table") != "users" {
		t.Errorf("back: the URL's view is %v", q)
	}
}

func TestBrowserPaletteAndTheme(t *testing.T) {
	ts := newStudio(t, browseSeed)
	b := openStudio(t, ts)

	// Ctrl+K, a few letters, Enter: the table is open.
	b.do(chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.CSS(`dialog.palette[open] .palette-input`)),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('.palette-list [role=option]').length > 4`))
	b.do(chromedp.SendKeys(chromedp.CSS(`.palette-input`), "posts"))
	if got := tabEval[string](b, `document.querySelector('.palette-list [aria-selected=true]').firstChild.textContent`); got != "public.posts" {
		t.Errorf("'posts' selects %q first", got)
	}
	b.screenshot("studio-palette")
	drawn(b, chromedp.KeyEvent(kb.Enter))
	if q := query(b); q.Get("table") != "posts" {
		t.Errorf("the palette opened %v", q)
	}
	if tabEval[bool](b, `document.querySelector('dialog.palette').open`) {
		t.Error("the palette stays open")
	}

	// Arrows choose; Escape closes without doing anything.
	b.do(chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.WaitVisible(chromedp.CSS(`dialog.palette[open]`)),
		chromedp.SendKeys(chromedp.CSS(`.palette-input`), "theme"),
		chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	if got := tabEval[string](b, `document.querySelector('.palette-list [aria-selected=true]').firstChild.textContent`); got != "Theme: dark" {
		t.Errorf("two arrows down select %q", got)
	}
	b.do(chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.CSS(`dialog.palette`)))
	if got := tabEval[string](b, `document.documentElement.dataset.theme || 'system'`); got != "system" {
		t.Errorf("Escape changed the theme to %s", got)
	}
	b.do(chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.WaitVisible(chromedp.CSS(`dialog.palette[open]`)),
		chromedp.SendKeys(chromedp.CSS(`.palette-input`), "dark"), chromedp.KeyEvent(kb.Enter))
	if got := tabEval[string](b, `document.documentElement.dataset.theme`); got != "dark" {
		t.Errorf("the theme is %q", got)
	}
	b.do(chromedp.Reload(), chromedp.WaitReady(chromedp.CSS(`html[data-ready="true"]`)))
	if got := tabEval[string](b, `document.documentElement.dataset.theme + ' ' + getComputedStyle(document.body).backgroundColor`); got != "dark rgb(23, 24, 27)" {
		t.Errorf("reloaded, the theme is %q", got)
	}
	b.screenshot("studio-dark")
	// The toggle goes round: dark → system → light.
	b.do(chromedp.Click(chromedp.CSS(`.theme-toggle`)), chromedp.Click(chromedp.CSS(`.theme-toggle`)))
	if got := tabEval[string](b, `document.documentElement.dataset.theme + ' ' + localStorage.getItem('mizzle-studio-theme')`); got != "light light" {
		t.Errorf("after two clicks the theme is %q", got)
	}

	// "/" outside a field goes to the sidebar's search, and is not typed
	// into it. The key is sent as Chromium sends a real one, a keyDown
	// with its text, so that the page's preventDefault can stop the
	// typing (chromedp's KeyEvent types with a separate char event).
	b.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if _, err := chromedp.Call(b, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: typ, Key: "/", Code: "Slash", Text: "/", WindowsVirtualKeyCode: 191}); err != nil {
			t.Fatal(err)
		}
	}
	if got := tabEval[string](b, `document.activeElement.className + ' [' + document.activeElement.value + ']'`); got != "side-search []" {
		t.Errorf("after / the focus is on %q", got)
	}

	// A tab from the palette: the palette lists the tabs the page has,
	// here one registered for the test, so that it does not hang on
	// which other parts are there.
	b.do(chromedp.Evaluate[chromedp.Void](`import('/static/js/main.js').then((m) => {
		m.registerTab('probe', 'Probe', (el) => { el.textContent = 'the probe tab'; });
		m.navigate({});
	})`, chromedp.EvalAwaitPromise))
	b.do(chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.WaitVisible(chromedp.CSS(`dialog.palette[open]`)),
		chromedp.SendKeys(chromedp.CSS(`.palette-input`), "tab probe"), chromedp.KeyEvent(kb.Enter))
	if q, got := query(b), tabEval[string](b, `document.getElementById('main').textContent`); q.Get("tab") != "probe" || got != "the probe tab" {
		t.Errorf("the palette's 'Tab: Probe' gave %v, showing %q", q, got)
	}
}

// TestBrowserBrowseErrors: what cannot be shown is said, in place, and
// no rows are drawn as if they were the answer.
func TestBrowserBrowseErrors(t *testing.T) {
	ts := newStudio(t, browseSeed+`
CREATE TABLE notes (body text);
INSERT INTO notes VALUES (repeat('y', 12000)), ('short');
CREATE VIEW boom AS SELECT g FROM generate_series(1, 200) g WHERE 1 / (g - 100) <> 2;
`)
	b := openStudio(t, ts)

	openView(b, "table=nope")
	if got := tabEval[string](b, `document.querySelector('.data-view[data-state=error] .grid-error').textContent`); !strings.Contains(got, "public.nope") {
		t.Errorf("a table that is not there: %q", got)
	}

	openView(b, "table=users&filters="+url.QueryEscape(`{"column":"id"`))
	if got := tabEval[string](b, `document.querySelector('.filter-error[data-for=all]').textContent`); !strings.Contains(got, "filters are not readable") {
		t.Errorf("unreadable filters: %q", got)
	}
	if n := tabEval[int](b, `document.querySelectorAll('table.grid').length`); n != 0 {
		t.Error("rows are drawn under unreadable filters")
	}

	// A count that fails says so where the count goes; the first page,
	// which stops before the row that fails, is still shown.
	openView(b, "table=boom")
	b.do(chromedp.Click(chromedp.CSS(`button.count`)), chromedp.Poll[chromedp.Void](`document.querySelector('.grid-count').textContent !== 'counting…'`))
	if got := tabEval[string](b, `document.querySelector('.grid-count').textContent`); got != "count failed: division by zero" {
		t.Errorf("a failed count shows %q", got)
	}

	// A tab chosen while the grid's page is on its way keeps the main
	// area: the page, when it comes, is not drawn over it.
	b.do(chromedp.Evaluate[chromedp.Void](`import('/static/js/main.js').then((m) => {
		m.registerTab('probe', 'Probe', (el) => { el.textContent = 'the probe tab'; });
		performance.clearResourceTimings();
		m.navigate({ table: 'users', filters: null });
		m.navigate({ tab: 'probe' });
	})`, chromedp.EvalAwaitPromise),
		chromedp.Poll[chromedp.Void](`performance.getEntriesByType('resource').some((e) => e.name.includes('/api/rows?'))`),
		chromedp.Evaluate[chromedp.Void](`new Promise((ok) => setTimeout(ok, 200))`, chromedp.EvalAwaitPromise))
	if got := tabEval[string](b, `document.getElementById('main').textContent`); got != "the probe tab" {
		t.Errorf("the grid's late page was drawn over another tab: %.80q", got)
	}

	// A table without a primary key: rows have no data-key, and a value
	// the server cut cannot be fetched whole, which the viewer says.
	openView(b, "table=notes")
	if n := tabEval[int](b, `document.querySelectorAll('table.grid tbody tr[data-key]').length`); n != 0 {
		t.Errorf("%d rows of a table without a key have a data-key", n)
	}
	b.do(chromedp.Click(chromedp.CSS(`td.truncated .expand`)), chromedp.WaitVisible(chromedp.CSS(`.cell-full.error`)))
	if got := tabEval[string](b, `document.querySelector('.cell-full').textContent`); !strings.Contains(got, "no primary key") {
		t.Errorf("expanding a cut value without a key: %q", got)
	}
}

// TestBrowserOddNames: names are data too. A schema, a table and
// columns named with spaces, quotes, dots, commas and markup are shown
// as text, opened, sorted, filtered and hidden through the URL.
func TestBrowserOddNames(t *testing.T) {
	ts := newStudio(t, `
CREATE SCHEMA "Other <b>Schema</b>";
CREATE TABLE "Other <b>Schema</b>"."we""ird.name" (id int PRIMARY KEY, "a,b" text, "<i>x</i>" int);
INSERT INTO "Other <b>Schema</b>"."we""ird.name" VALUES (1, 'one', 20), (2, 'two', 10);
`)
	b := openStudio(t, ts)
	sel := `a.rel[data-name="we\"ird.name"]`
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	if got := tabEval[string](b, `document.querySelector('.side-schema[data-schema="Other <b>Schema</b>"] h2').firstChild.textContent`); got != "Other <b>Schema</b>" {
		t.Errorf("the schema's heading: %q", got)
	}
	drawn(b, chromedp.Click(chromedp.CSS(sel)))
	if got := tabEval[string](b, `document.querySelector('.grid-title').textContent`); got != `Other <b>Schema</b>.we"ird.name` {
		t.Errorf("the grid's title: %q", got)
	}
	if n := tabEval[int](b, `document.querySelectorAll('#main b, #main i, #sidebar b').length`); n != 0 {
		t.Errorf("names became %d elements", n)
	}
	drawn(b, chromedp.Click(chromedp.CSS(`th[data-col="<i>x</i>"] .sort`)))
	if got := column(b, "a,b"); strings.Join(got, "|") != "two|one" {
		t.Errorf("sorted by <i>x</i>: %q", got)
	}
	b.do(chromedp.Click(chromedp.CSS(`.columns-menu summary`)), chromedp.Click(chromedp.CSS(`.columns-menu input[value="a,b"]`)))
	if q := query(b); q.Get("columns") != "a%2Cb" || q.Get("schema") != "Other <b>Schema</b>" {
		t.Errorf("the URL's view: %v", q)
	}
	drawn(b, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS(`html[data-ready="true"]`)))
	if got := tabEval[string](b, `[...document.querySelectorAll('thead th[data-col]')].map((th) => th.dataset.col + (th.hidden ? ':hidden' : '')).join('|')`); got != "id|a,b:hidden|<i>x</i>" {
		t.Errorf("reloaded, the columns: %q", got)
	}
	// Following a link keeps the schema: a filter on the odd column.
	b.do(chromedp.Click(chromedp.CSS(`.toggle-filters`)))
	setFilter(b, "a,b", "eq")
	b.do(chromedp.SendKeys(chromedp.CSS(`.filter input.filter-input`), "one"))
	drawn(b, chromedp.Click(chromedp.CSS(`.filters .apply`)))
	if got := tabEval[string](b, `[...document.querySelectorAll('table.grid tbody tr')].map((tr) => tr.dataset.key).join()`); got != `{"id":"1"}` {
		t.Errorf(`"a,b" = one shows %s`, got)
	}

	// A column added since the table was opened shows at the next page
	// drawn, with its type and among the filters' columns.
	if _, err := ts.DB.Exec(context.Background(), `ALTER TABLE "Other <b>Schema</b>"."we""ird.name" ADD COLUMN added boolean`); err != nil {
		t.Fatal(err)
	}
	drawn(b, chromedp.Click(chromedp.CSS(`th[data-col=id] .sort`)))
	if got := tabEval[string](b, `document.querySelector('th[data-col=added] .col-meta').textContent + ' ' + [...document.querySelector('.filter-column').options].map((o) => o.value).join('|')`); got != "booleanNULL id|a,b|<i>x</i>|added" {
		t.Errorf("the added column: %q", got)
	}
}
