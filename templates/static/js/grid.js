// The data grid of a table (the 'data' tab), its filters, sort and pages.
//
// Everything the grid shows comes from the URL (see main.js): reloading
// or sharing the address shows the same page. Next follows the API's
// opaque cursor (keyset or offset, the server's choice); the cursors of
// the pages seen are kept for this browser tab, so that Previous goes
// back along them, and a page opened from a bookmark without them goes
// back by offset.
//
// Values are PostgreSQL's text form and are only ever set as text.
import { get, APIError } from './api.js';
import { on, emit } from './bus.js';
import { h, cell, clear } from './dom.js';
import { registerTab, navigate, params } from './main.js';
import { filterPanel, parseFilters, kindOf } from './filters.js';
import { viewHref } from './sidebar.js';

// pageSize is the number of rows a page asks for.
export const pageSize = 50;

// cut is where a cell's text is shortened on screen (dom.js cell()).
const cut = 200;

let shown = null;   // {el, p}: the view drawn last, for grid:reload
let last = null;    // the last view drawn, kept on screen while the next one loads
let drawing = 0;    // the number of the latest draw; older ones give up

// describe asks for the table's description with every page, in
// parallel with the rows: it costs a millisecond at the server, and a
// column added in the console since shows with its badges and filters.
function describe(schema, name) {
  return get('/api/table', { schema, name });
}

// hiddenColumns reads the URL's 'columns': names, each URI-encoded, so
// that a name holding a comma survives.
function hiddenColumns(p) {
  return new Set((p.columns || '').split(',').filter(Boolean).map((c) => {
    try { return decodeURIComponent(c); } catch (_) { return c; }
  }));
}

// replaceParam changes one key of the URL without drawing again.
function replaceParam(k, v) {
  const q = new URLSearchParams(location.search);
  if (v) q.set(k, v); else q.delete(k);
  history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q : ''));
}

// The cursors of the pages seen in this tab, for the view (table,
// filters, sort) shown: cursors[page] is the 'after' that page was
// fetched with ('' for none).
function viewKey(p) {
  return JSON.stringify([p.schema || 'public', p.table, p.sort || '', p.desc || '', p.filters || '']);
}
function cursors(p) {
  try {
    const c = JSON.parse(sessionStorage.getItem('mizzle-studio-cursors') || 'null');
    if (c && c.view === viewKey(p)) return c.pages;
  } catch (_) { /* a broken entry is forgotten */ }
  return {};
}
function remember(p, page, after) {
  const pages = cursors(p);
  pages[page] = after || '';
  try {
    sessionStorage.setItem('mizzle-studio-cursors', JSON.stringify({ view: viewKey(p), pages }));
  } catch (_) { /* storage full or off: Previous goes by offset */ }
}

function status(msg) {
  document.getElementById('status').textContent = msg;
}

async function draw(el, p) {
  const n = ++drawing;
  shown = { el, p };
  if (!p.table) {
    el.append(h('div', { class: 'grid-empty' }, h('p', {}, 'Choose a table in the sidebar, or press Ctrl+K.')));
    return;
  }
  const schema = p.schema || 'public';
  const name = p.table;
  const page = Math.max(1, parseInt(p.page, 10) || 1);
  const parsed = parseFilters(p.filters);
  // The page shown stays, inert, until the next one is there, so that
  // paging or sorting does not flash an empty grid.
  const view = h('section', { class: 'data-view', 'data-state': 'loading', 'data-table': schema + '.' + name });
  if (!el.firstChild) {
    if (last && last.dataset.table === view.dataset.table) {
      last.inert = true;
      last.classList.add('stale');
      el.append(last);
    } else {
      el.append(h('p', { class: 'grid-loading' }, `Loading ${schema}.${name}…`));
    }
  }

  const q = { schema, name, limit: pageSize };
  if (p.sort) q.sort = p.sort;
  if (p.sort && p.desc) q.desc = '1';
  if (parsed.filters.length) q.filters = JSON.stringify(parsed.filters);
  if (p.after) q.after = p.after;
  else if (page > 1) q.offset = (page - 1) * pageSize;
  // Unreadable filters fetch no rows: all the rows shown as if they
  // matched would be wrong in silence.
  const rowsP = parsed.error ? Promise.reject(new Error(parsed.error)) : get('/api/rows', q);
  const [metaR, rowsR] = await Promise.allSettled([describe(schema, name), rowsP]);
  // A later view, or another tab chosen meanwhile, owns the main area now.
  if (n !== drawing || (params().tab || 'data') !== 'data') return;
  el.replaceChildren(view);
  last = view;
  if (metaR.status === 'rejected') {
    view.append(h('p', { class: 'error grid-error' }, `${schema}.${name}: ${metaR.reason.message}`));
    view.dataset.state = 'error';
    return;
  }
  const meta = metaR.value;
  const res = rowsR.status === 'fulfilled' ? rowsR.value : null;
  const ctx = { p, schema, name, page, meta, res, filters: parsed.filters, hidden: hiddenColumns(p) };

  const panel = filterPanel(meta.columns, parsed.filters, (fs) => {
    navigate({ filters: fs.length ? JSON.stringify(fs) : null, page: null, after: null });
  });
  if (!parsed.filters.length) panel.hidden = true;
  view.append(toolbar(ctx, panel), panel);
  if (!res) {
    const e = rowsR.reason;
    if (parsed.error || (parsed.filters.length && e instanceof APIError && e.status < 500)) {
      panel.hidden = false;
      panel.showError(e.message);
    } else {
      view.append(h('p', { class: 'error grid-error' }, e.message));
    }
    view.dataset.state = 'error';
    return;
  }
  remember(p, page, p.after);
  view.append(h('div', { class: 'grid-wrap' }, table(ctx)), pager(ctx));
  view.dataset.state = 'ready';
  status(`${schema}.${name}: page ${page}, ${res.rows.length} row${res.rows.length === 1 ? '' : 's'}`);
  emit('table:loaded', { schema, name, meta, page: res });
}

function toolbar(ctx, panel) {
  const { meta, res, schema, name, p } = ctx;
  const countOut = h('span', { class: 'grid-count', title: 'estimated from the catalog' },
    meta.estimate === null || meta.estimate === undefined ? 'not analyzed' : `≈ ${meta.estimate} rows`);
  const countBtn = h('button', {
    type: 'button', class: 'count', title: 'Count the rows that match, exactly (bounded by the statement timeout)',
    onclick: async () => {
      countBtn.disabled = true;
      countOut.textContent = 'counting…';
      try {
        const q = { schema, name };
        if (ctx.filters.length) q.filters = JSON.stringify(ctx.filters);
        const r = await get('/api/count', q);
        countOut.textContent = `${r.count} row${String(r.count) === '1' ? '' : 's'}`;
        countOut.title = 'counted';
      } catch (e) {
        countOut.textContent = `count failed: ${e.message}`;
      } finally {
        countBtn.disabled = false;
      }
    },
  }, 'Count');

  const exportQ = { schema, name };
  if (ctx.filters.length) exportQ.filters = JSON.stringify(ctx.filters);
  if (p.sort) exportQ.sort = p.sort;
  if (p.sort && p.desc) exportQ.desc = '1';
  const exportLink = (format) => h('a', {
    class: 'button export', 'data-format': format, download: '',
    href: '/api/export?' + new URLSearchParams({ ...exportQ, format }),
    title: `Download the rows of this view (every page, filtered and sorted) as ${format.toUpperCase()}`,
  }, format.toUpperCase());

  const nFilters = ctx.filters.length;
  return h('div', { class: 'grid-toolbar' },
    h('h1', { class: 'grid-title' }, h('span', { class: 'muted' }, schema + '.'), name,
      meta.kind && meta.kind !== 'table' ? h('span', { class: 'badge kind' }, meta.kind) : null),
    h('button', {
      type: 'button', class: 'toggle-filters', 'aria-expanded': String(!panel.hidden),
      onclick: (e) => {
        panel.hidden = !panel.hidden;
        e.currentTarget.setAttribute('aria-expanded', String(!panel.hidden));
        if (!panel.hidden && !panel.querySelector('.filter') && meta.columns.length) panel.addRow({ column: meta.columns[0].name, op: 'eq', value: '' }, true);
      },
    }, nFilters ? `Filters (${nFilters})` : 'Filter'),
    res ? columnsMenu(ctx) : null,
    countOut, countBtn,
    h('span', { class: 'grid-export' }, 'Export ', exportLink('csv'), exportLink('json')),
    h('span', { id: 'grid-actions', class: 'grid-actions' }));
}

// columnsMenu shows and hides columns on the spot; the hidden ones go in
// the URL, replacing its entry.
function columnsMenu(ctx) {
  const { res, hidden } = ctx;
  const summary = h('summary', {}, hidden.size ? `Columns (${hidden.size} hidden)` : 'Columns');
  const menu = h('details', { class: 'columns-menu' }, summary,
    h('div', { class: 'menu' }, res.columns.map((c) => h('label', {},
      h('input', {
        type: 'checkbox', value: c.name, checked: !hidden.has(c.name),
        onchange: (e) => {
          if (e.target.checked) hidden.delete(c.name); else hidden.add(c.name);
          for (const x of document.querySelectorAll('table.grid [data-col]')) {
            x.hidden = hidden.has(x.dataset.col);
          }
          summary.textContent = hidden.size ? `Columns (${hidden.size} hidden)` : 'Columns';
          replaceParam('columns', [...hidden].map(encodeURIComponent).join(','));
        },
      }), c.name))));
  return menu;
}

function pager(ctx) {
  const { res, page, p } = ctx;
  const more = res.next !== null && res.next !== undefined;
  const prev = h('button', {
    type: 'button', class: 'prev', disabled: page <= 1,
    onclick: () => {
      const back = page - 1;
      const after = back > 1 ? cursors(p)[back] : null;
      navigate({ page: back > 1 ? back : null, after: after || null });
    },
  }, '← Previous');
  const next = h('button', {
    type: 'button', class: 'next', disabled: !more,
    onclick: () => navigate({ page: page + 1, after: res.next }),
  }, 'Next →');
  const first = (page - 1) * pageSize + 1;
  return h('nav', { class: 'pager', 'aria-label': 'Pages' }, prev,
    h('span', { class: 'page-number' }, `Page ${page}`),
    h('span', { class: 'muted' }, res.rows.length ? ` rows ${first}–${first + res.rows.length - 1}` : ' no rows'),
    next);
}

function keyOf(res, row) {
  if (!res.key) return null;
  const k = {};
  for (const i of res.key) k[res.columns[i].name] = row[i];
  return k;
}

// refHref is the address of the rows of schema.table whose columns equal
// values: a foreign key followed, one way or the other.
function refHref(schema, table, columns, values) {
  const filters = columns.map((c, i) => ({ column: c, op: 'eq', value: values[i] }));
  return viewHref({ schema: schema === 'public' ? null : schema, table, filters: JSON.stringify(filters) });
}

function follow(e, href) {
  if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  const q = new URLSearchParams(href.slice(href.indexOf('?')));
  navigate({ tab: null, schema: q.get('schema'), table: q.get('table'), filters: q.get('filters'), page: null, after: null, sort: null, desc: null, columns: null });
}

function table(ctx) {
  const { res, meta, schema, name, p, hidden } = ctx;
  const metaCols = new Map(meta.columns.map((c) => [c.name, c]));
  const colIndex = new Map(res.columns.map((c, i) => [c.name, i]));
  const cutCells = new Set((res.truncated_cells || []).map(([r, c]) => r + ',' + c));
  // fkOf[i] is the foreign key column i belongs to, when all its columns are in the result.
  const fkOf = res.columns.map((c) => (meta.foreign_keys || []).find((fk) => fk.columns.includes(c.name) && fk.columns.every((x) => colIndex.has(x))));
  const refs = (meta.referenced_by || []).filter((r) => r.ref_columns.every((x) => colIndex.has(x)));

  const head = h('tr', {}, h('th', { class: 'rowhead', scope: 'col' }, refs.length ? h('span', { class: 'muted', title: 'rows of other tables refer to these' }, '↳') : ''),
    res.columns.map((c, i) => {
      const mc = metaCols.get(c.name) || {};
      const sorted = p.sort === c.name ? (p.desc ? 'descending' : 'ascending') : 'none';
      const th = h('th', {
        scope: 'col', 'data-col': c.name, 'aria-sort': sorted, hidden: hidden.has(c.name),
        class: 'k-' + kindOf(c.type, mc),
      },
      h('button', {
        type: 'button', class: 'sort', title: `Sort by ${c.name}`,
        onclick: () => {
          const next = p.sort !== c.name ? { sort: c.name, desc: null } : !p.desc ? { sort: c.name, desc: '1' } : { sort: null, desc: null };
          navigate({ ...next, page: null, after: null });
        },
      }, h('span', { class: 'col-name' }, c.name), h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted === 'ascending' ? '▲' : sorted === 'descending' ? '▼' : '')),
      h('span', { class: 'col-meta' },
        h('span', { class: 'col-type' }, c.type || mc.type || ''),
        mc.pk ? h('span', { class: 'badge pk', title: 'primary key' }, 'PK') : null,
        fkOf[i] ? h('span', { class: 'badge fk', title: `references ${fkOf[i].ref_schema}.${fkOf[i].ref_table}` }, 'FK') : null,
        mc.nullable ? h('span', { class: 'badge nullable', title: 'nullable' }, 'NULL') : null));
      return th;
    }));

  const body = h('tbody', {});
  res.rows.forEach((row, r) => {
    const key = keyOf(res, row);
    const tr = h('tr', { 'data-key': key ? JSON.stringify(key) : null });
    tr.append(h('th', { class: 'rowhead', scope: 'row' }, refs.length ? refsMenu(refs, res, row, colIndex) : null));
    row.forEach((v, i) => {
      const c = res.columns[i];
      const truncated = cutCells.has(r + ',' + i);
      const td = h('td', {
        'data-col': c.name, tabindex: '-1', hidden: hidden.has(c.name),
        class: 'k-' + kindOf(c.type, metaCols.get(c.name)) + (truncated ? ' truncated' : ''),
      }, h('span', { class: 'v' }, cell(v, cut)));
      if (truncated) td.append(h('span', { class: 'cut-mark', title: 'the server cut this value: expand to fetch it whole' }, ' [cut]'));
      if (v !== null && (truncated || v.length > cut)) {
        td.append(h('button', {
          type: 'button', class: 'expand', title: 'Show the whole value', 'aria-label': `Show the whole value of ${c.name}`,
          onclick: (e) => { e.stopPropagation(); expand(ctx, key, c, v, truncated); },
        }, '⤢'));
      }
      const fk = fkOf[i];
      if (fk && fk.columns.every((x) => row[colIndex.get(x)] !== null)) {
        const href = refHref(fk.ref_schema, fk.ref_table, fk.ref_columns, fk.columns.map((x) => row[colIndex.get(x)]));
        td.append(h('a', {
          class: 'fk-link', href, title: `Open the ${fk.ref_schema}.${fk.ref_table} row it references`,
          'aria-label': `Open the referenced ${fk.ref_table} row`, onclick: (e) => follow(e, href),
        }, '↗'));
      }
      td.addEventListener('dblclick', () => edit(ctx, key, c, v, truncated));
      tr.append(td);
    });
    body.append(tr);
  });
  if (!res.rows.length) {
    body.append(h('tr', { class: 'no-rows' }, h('td', { colspan: res.columns.length + 1 }, ctx.filters.length ? 'No rows match the filters.' : 'No rows.')));
  }
  const t = h('table', { class: 'grid', 'data-schema': schema, 'data-name': name }, h('thead', {}, head), body);
  const first = t.querySelector('td[data-col]:not([hidden])');
  if (first) first.tabIndex = 0;
  t.addEventListener('keydown', (e) => keys(e, ctx));
  t.addEventListener('focusin', (e) => {
    const td = e.target.closest('td[data-col]');
    if (!td) return;
    for (const x of t.querySelectorAll('td[tabindex="0"]')) if (x !== td) x.tabIndex = -1;
    td.tabIndex = 0;
  });
  return t;
}

function refsMenu(refs, res, row, colIndex) {
  const list = h('ul', {});
  const menu = h('details', { class: 'refs' }, h('summary', { title: 'Rows that refer to this one', 'aria-label': 'Rows that refer to this one' }, '↳'), list);
  menu.addEventListener('toggle', () => {
    if (!menu.open || list.firstChild) return;
    for (const r of refs) {
      const values = r.ref_columns.map((x) => row[colIndex.get(x)]);
      if (values.some((v) => v === null)) continue;
      const href = refHref(r.schema, r.table, r.columns, values);
      list.append(h('li', {}, h('a', { class: 'ref-link', href, onclick: (e) => follow(e, href) },
        `${r.schema}.${r.table}`, h('span', { class: 'muted' }, ` (${r.columns.join(', ')})`))));
    }
    if (!list.firstChild) list.append(h('li', { class: 'muted' }, 'nothing can refer to a NULL key'));
  });
  return menu;
}

// full returns a cell's whole value, fetched when the server cut it.
async function full(ctx, key, col, value, truncated) {
  if (!truncated) return value;
  if (!key) throw new Error('the server cut this value and the table has no primary key to fetch it whole by');
  const r = await get('/api/cell', { schema: ctx.schema, name: ctx.name, key: JSON.stringify(key), column: col.name });
  return r.value;
}

async function edit(ctx, key, col, value, truncated) {
  try {
    const v = await full(ctx, key, col, value, truncated);
    emit('cell:edit', { schema: ctx.schema, name: ctx.name, key, column: col.name, value: v });
  } catch (e) {
    status(`${col.name}: ${e.message}`);
  }
}

// indentJSON lays out JSON text with two-space indents without parsing
// it into JavaScript values, so that a number keeps every digit.
export function indentJSON(text) {
  let out = '';
  let depth = 0;
  let inString = false;
  const nl = () => '\n' + '  '.repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] || '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') { inString = true; out += ch; continue; }
    if (/\s/.test(ch)) continue;
    if (ch === '{' || ch === '[') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] === (ch === '{' ? '}' : ']')) { out += ch + text[j]; i = j; continue; }
      depth++;
      out += ch + nl();
    } else if (ch === '}' || ch === ']') {
      depth = Math.max(0, depth - 1);
      out += nl() + ch;
    } else if (ch === ',') out += ',' + nl();
    else if (ch === ':') out += ': ';
    else out += ch;
  }
  return out;
}

const viewer = h('dialog', { class: 'cell-viewer', 'aria-label': 'Value' });
document.body.append(viewer);

async function expand(ctx, key, col, value, truncated) {
  clear(viewer);
  const pre = h('pre', { class: 'cell-full' }, 'loading…');
  const close = h('button', { type: 'button', onclick: () => viewer.close() }, 'Close');
  viewer.append(h('header', {}, h('strong', {}, col.name), ' ', h('span', { class: 'muted' }, col.type)), pre, h('footer', {}, close));
  viewer.showModal();
  let v;
  try {
    v = await full(ctx, key, col, value, truncated);
  } catch (e) {
    pre.textContent = e.message;
    pre.classList.add('error');
    return;
  }
  clear(pre).append(v === null ? cell(null) : (col.type === 'json' || col.type === 'jsonb') ? indentJSON(v) : v);
  viewer.querySelector('header').append(h('span', { class: 'muted' }, v === null ? '' : ` · ${new TextEncoder().encode(v).length} bytes`));
}

// keys moves the focus among the cells like a spreadsheet's; Enter
// edits the focused cell.
function keys(e, ctx) {
  const td = e.target.closest && e.target.closest('td[data-col]');
  if (!td || e.target !== td) return;
  const tr = td.parentElement;
  const cells = (row) => [...row.querySelectorAll('td[data-col]:not([hidden])')];
  const row = cells(tr);
  const i = row.indexOf(td);
  let to = null;
  switch (e.key) {
  case 'ArrowLeft': to = row[i - 1]; break;
  case 'ArrowRight': to = row[i + 1]; break;
  case 'Home': to = row[0]; break;
  case 'End': to = row[row.length - 1]; break;
  case 'ArrowUp': case 'ArrowDown': {
    const other = e.key === 'ArrowUp' ? tr.previousElementSibling : tr.nextElementSibling;
    if (other) to = cells(other)[i];
    break;
  }
  case 'Enter': {
    e.preventDefault();
    const r = [...tr.parentElement.children].indexOf(tr);
    const c = ctx.res.columns.findIndex((x) => x.name === td.dataset.col);
    edit(ctx, keyOf(ctx.res, ctx.res.rows[r]), ctx.res.columns[c], ctx.res.rows[r][c], td.classList.contains('truncated'));
    return;
  }
  default: return;
  }
  e.preventDefault();
  if (to) to.focus();
}

registerTab('data', 'Data', (el, p) => { draw(el, p); });

on('grid:reload', () => {
  if (shown && shown.el.isConnected && (params().tab || 'data') === 'data') {
    draw(shown.el, params());
  }
});
