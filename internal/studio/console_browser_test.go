package studio_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mizzle/mizzle/internal/studio"
)

// textOf returns the text content of the first element sel selects.
func textOf(b *studioTab, sel string) string {
	b.t.Helper()
	return tabRun(b, chromedp.TextContent(chromedp.CSS(sel)))
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
	b := openStudio(t, ts)
	b.do(chromedp.Navigate(ts.Base+"/?tab=console"), chromedp.WaitVisible(chromedp.ID(`console-sql`)))

	// Ctrl+Enter runs the statement; the result shows text as text.
	b.do(
		typeSQL("SELECT id, name, big\nFROM item ORDER BY id"),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.CSS(`.console-result tbody tr:nth-child(3)`)),
	)
	cells := tabEval[[]string](b, `[...document.querySelectorAll('.console-result tbody td')].map(td => td.textContent)`)
	want := []string{"1", "<script>alert(1)</script>", "9007199254740993", "2", "NULL", "2", "3", "(empty)", "3"}
	if strings.Join(cells, "|") != strings.Join(want, "|") {
		t.Errorf("result cells %q, want %q", cells, want)
	}
	if n := tabEval[int](b, `document.querySelectorAll('.console-result tbody td .null').length`); n != 1 {
		t.Errorf("%d NULL cells, want 1", n)
	}
	if n := tabEval[int](b, `document.querySelectorAll('.console-result script').length`); n != 0 {
		t.Errorf("a value became a script element")
	}
	if summary := textOf(b, `.console-summary`); !strings.Contains(summary, "SELECT 3") {
		t.Errorf("summary %q", summary)
	}
	b.screenshot("studio-console")

	// The tabs keep the URL contract's order, whichever part loaded first.
	if got := tabEval[string](b, `[...document.querySelectorAll('#tabs .tab')].map(t => t.dataset.tab).filter(id => ['data', 'console', 'log'].includes(id)).join(',')`); got != "data,console,log" {
		t.Errorf("tabs in the order %s", got)
	}

	// Export asks the server for the whole result.
	b.do(chromedp.Click(chromedp.CSS(`.console-export-csv`)))
	b.do(waitFor(`performance.getEntriesByType('resource').some(e => e.name.endsWith('/api/console/export'))`))

	// console:open, which other parts emit, fills the console.
	b.do(
		chromedp.Evaluate[chromedp.Void](`import('/static/js/bus.js').then(m => m.emit('console:open', {sql: 'SELECT 42 AS answer'}))`, chromedp.EvalAwaitPromise),
		waitFor(`document.getElementById('console-sql') && document.getElementById('console-sql').value === 'SELECT 42 AS answer'`),
		chromedp.Click(chromedp.CSS(`.console-run`)),
		waitFor(`[...document.querySelectorAll('.console-result td')].some(td => td.textContent === '42')`),
	)

	// An error is shown at its line and column, and selected there.
	b.do(
		typeSQL("SELECT id,\n   nosuch FROM item"),
		chromedp.Click(chromedp.CSS(`.console-run`)),
		chromedp.WaitVisible(chromedp.CSS(`.console-error`)),
	)
	msg := textOf(b, `.console-error-message`)
	line := tabEval[string](b, `document.querySelector('.console-error').dataset.line`)
	col := tabEval[string](b, `document.querySelector('.console-error').dataset.column`)
	if !strings.Contains(msg, `column "nosuch" does not exist`) || !strings.Contains(msg, "line 2, column 4") || line != "2" || col != "4" {
		t.Errorf("error %q at %s:%s, want line 2, column 4", msg, line, col)
	}
	if at := tabEval[string](b, `(() => { const t = document.getElementById('console-sql'); return t.value.slice(t.selectionStart, t.selectionStart + 6); })()`); at != "nosuch" {
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
	if n := tabEval[int](b, `document.querySelectorAll('.console-history-item').length`); n != 4 {
		t.Errorf("%d statements in the history, want 4", n)
	}

	// The log tab shows the studio's statements, newest first.
	b.do(
		chromedp.Click(chromedp.CSS(`button[data-tab=log]`)),
		chromedp.WaitVisible(chromedp.CSS(`.log-table`)),
	)
	if n := tabEval[int](b, `[...document.querySelectorAll('.log-sql')].filter(p => p.textContent.includes('nosuch')).length`); n == 0 {
		t.Error("the log tab does not show the failed statement")
	}
	if first := textOf(b, `.log-table tbody tr:first-child .log-sql`); strings.Contains(first, "SELECT id, name, big") {
		t.Errorf("the log is not newest first: %q on top", first)
	}
}

func TestBrowserConsoleReadOnly(t *testing.T) {
	ts := newStudio(t, `CREATE TABLE item (id int PRIMARY KEY, name text);`, func(o *studio.Options) { o.ReadOnly = true })
	b := openStudio(t, ts)
	b.do(
		chromedp.Navigate(ts.Base+"/?tab=console"),
		typeSQL("INSERT INTO item VALUES (1, 'x')"),
		chromedp.Click(chromedp.CSS(`.console-run`)),
		chromedp.WaitVisible(chromedp.CSS(`.console-error`)),
	)
	if msg := textOf(b, `.console-error-message`); !strings.Contains(msg, "read-only transaction") {
		t.Errorf("error %q", msg)
	}
	if n := tabEval[int](b, `document.querySelectorAll('#edit-bar, #edit-insert').length`); n != 0 {
		t.Errorf("the read-only page has %d editing elements", n)
	}
	if n := count(t, ts, "SELECT FROM item"); n != 0 {
		t.Errorf("%d rows inserted", n)
	}
}
