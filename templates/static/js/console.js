// The SQL console tab: one statement at a time (Ctrl/Cmd+Enter runs it),
// EXPLAIN, the result as a table of text values, an error marked at its
// line and column, a history kept in this browser, and exports.
import { post, APIError } from './api.js';
import { on } from './bus.js';
import { h, cell, clear } from './dom.js';
import { registerTab, navigate } from './main.js';

const historyKey = 'mizzle-studio:console-history';
const maxHistory = 50;

// The console keeps its text and last result across tab switches.
const state = { sql: '', result: null, error: null, busy: false };

function history() {
  try {
    return JSON.parse(localStorage.getItem(historyKey) || '[]');
  } catch (_) {
    return [];
  }
}

function remember(sql) {
  const list = history().filter((s) => s !== sql);
  list.unshift(sql);
  try {
    localStorage.setItem(historyKey, JSON.stringify(list.slice(0, maxHistory)));
  } catch (_) { /* storage full or off: the history is a convenience */ }
}

let view = null; // the elements of the tab while it shows

async function run(explain) {
  if (!view || state.busy) return;
  state.sql = view.text.value;
  if (!state.sql.trim()) return;
  state.busy = true;
  view.root.classList.add('busy');
  remember(state.sql);
  try {
    state.result = await post('/api/console', { sql: state.sql, explain: explain || '' });
    state.error = null;
  } catch (e) {
    state.result = null;
    state.error = e instanceof APIError ? e.body : { message: e.message };
    if (!state.error.message) state.error.message = e.message;
  } finally {
    state.busy = false;
    if (view) view.root.classList.remove('busy');
  }
  drawOutput();
  drawHistory();
}

async function exportAs(format) {
  if (!view) return;
  state.sql = view.text.value;
  const res = await fetch('/api/console/export', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-Mizzle-Studio': '1' },
    body: JSON.stringify({ sql: state.sql, format }),
  });
  if (!res.ok) {
    let body = {};
    try { body = (await res.json()).error || {}; } catch (_) { /* not JSON */ }
    state.error = body.message ? body : { message: `HTTP ${res.status}` };
    state.result = null;
    drawOutput();
    return;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: 'query.' + format, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// offsetOf turns a 1-based line and column (in characters) into an
// offset in the textarea's value (in UTF-16 units, as it counts).
function offsetOf(text, line, column) {
  const lines = text.split('\n');
  let off = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) off += lines[i].length + 1;
  const chars = Array.from(lines[line - 1] || '').slice(0, column - 1).join('');
  return off + chars.length;
}

function drawOutput() {
  if (!view) return;
  const out = clear(view.output);
  const e = state.error;
  if (e) {
    const where = e.line ? ` (line ${e.line}, column ${e.column})` : '';
    const box = h('div', { class: 'console-error', role: 'alert', 'data-line': e.line || null, 'data-column': e.column || null },
      h('div', { class: 'console-error-message' }, (e.code ? e.code + ': ' : '') + e.message + where));
    if (e.line) {
      // The line the error is on, and a caret under its column.
      const text = view.text.value.split('\n')[e.line - 1] || '';
      box.append(h('pre', { class: 'console-error-at' }, text + '\n' + ' '.repeat(Math.max(0, e.column - 1)) + '^'));
      const at = offsetOf(view.text.value, e.line, e.column);
      view.text.focus();
      view.text.setSelectionRange(at, at + 1);
    }
    if (e.detail) box.append(h('div', { class: 'console-error-detail' }, 'Detail: ' + e.detail));
    if (e.hint) box.append(h('div', { class: 'console-error-hint' }, 'Hint: ' + e.hint));
    out.append(box);
    return;
  }
  const r = state.result;
  if (!r) return;
  const parts = [r.tag || 'done', `${r.duration_ms} ms`];
  if (r.truncated) parts.push(`showing the first ${r.rows.length} rows`);
  out.append(h('div', { class: 'console-summary' }, parts.join(' · ')));
  for (const n of r.notices || []) out.append(h('div', { class: 'console-notice' }, n));
  if (r.columns && r.columns.length) {
    out.append(h('div', { class: 'console-result-wrap' }, h('table', { class: 'console-result' },
      h('thead', {}, h('tr', {}, r.columns.map((c) => h('th', { title: c.type }, c.name, h('span', { class: 'console-type' }, c.type))))),
      h('tbody', {}, r.rows.map((row) => h('tr', {}, row.map((v) => h('td', {}, cell(v)))))))));
  }
}

function drawHistory() {
  if (!view) return;
  const list = clear(view.history);
  for (const sql of history()) {
    list.append(h('li', {}, h('button', { type: 'button', class: 'console-history-item', title: sql, onclick: () => {
      view.text.value = sql;
      state.sql = sql;
      view.text.focus();
    } }, sql.length > 120 ? sql.slice(0, 120) + '…' : sql)));
  }
}

function render(el) {
  const text = h('textarea', { id: 'console-sql', class: 'console-sql', rows: 8, spellcheck: 'false', placeholder: 'SELECT … (Ctrl/Cmd+Enter runs it)' });
  text.value = state.sql;
  text.addEventListener('input', () => { state.sql = text.value; });
  text.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      run('');
    }
  });
  const output = h('div', { class: 'console-output', id: 'console-output' });
  const hist = h('ol', { class: 'console-history' });
  const root = h('section', { class: 'console' },
    text,
    h('div', { class: 'console-actions' },
      h('button', { type: 'button', class: 'console-run primary', onclick: () => run('') }, 'Run'),
      h('button', { type: 'button', class: 'console-explain', onclick: () => run('plan') }, 'Explain'),
      h('button', { type: 'button', class: 'console-analyze', onclick: () => run('analyze') }, 'Explain analyze'),
      h('button', { type: 'button', class: 'console-export-csv', onclick: () => exportAs('csv') }, 'Export CSV'),
      h('button', { type: 'button', class: 'console-export-json', onclick: () => exportAs('json') }, 'Export JSON')),
    output,
    h('details', { class: 'console-history-box' }, h('summary', {}, 'History'), hist));
  el.append(root);
  view = { root, text, output, history: hist };
  drawOutput();
  drawHistory();
  text.focus();
}

registerTab('console', 'SQL', render);

on('route', ({ params }) => {
  if (params.tab !== 'console') view = null;
});

// console:open fills the console with a statement and shows it.
on('console:open', ({ sql }) => {
  state.sql = sql || '';
  state.result = null;
  state.error = null;
  navigate({ tab: 'console' });
});
