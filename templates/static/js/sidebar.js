// The sidebar: schemas, tables, views, search.
//
// The list is fetched once (the estimates come from the catalog, never a
// count(*)), filtered here as the user types, and walked with the arrow
// keys. A relation is a link to its view, so that it can also be opened
// in a new tab.
import { get } from './api.js';
import { on } from './bus.js';
import { h, clear } from './dom.js';
import { navigate, params } from './main.js';

const side = document.getElementById('sidebar');
let loading = null;

// relations returns the API's list of schemas and relations, fetched once.
export function relations() {
  if (!loading) loading = get('/api/relations');
  return loading;
}

// viewHref is the address of a view, for links that also open in a new tab.
export function viewHref(changes) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(changes)) {
    if (v !== null && v !== undefined && v !== '') q.set(k, v);
  }
  return location.pathname + (q.toString() ? '?' + q : '');
}

// openTable shows a relation's first page, unfiltered and unsorted.
export function openTable(schema, name) {
  navigate({ tab: null, schema, table: name, page: null, after: null, filters: null, sort: null, desc: null, columns: null });
}

// estimate writes pg_class.reltuples for people: 1234567 → "1.2M".
function estimate(n) {
  if (n === null || n === undefined) return '?';
  if (n < 1000) return String(n);
  for (const [d, s] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']]) {
    if (n >= d) return (n / d).toFixed(n < d * 10 ? 1 : 0).replace(/\.0$/, '') + s;
  }
  return String(n);
}

const kinds = { view: 'view', matview: 'mat. view', partitioned: 'partitioned', foreign: 'foreign' };

const search = h('input', {
  type: 'search', class: 'side-search', placeholder: 'Search tables…', 'aria-label': 'Search tables',
  autocomplete: 'off', spellcheck: 'false',
});
const list = h('nav', { class: 'side-list', 'aria-label': 'Relations' });
// The list is the catalog as it was at load; a table made since (in the
// console, by a migration) shows after a refresh.
const refresh = h('button', {
  type: 'button', class: 'side-refresh', title: 'Read the list of tables again', 'aria-label': 'Read the list of tables again',
  onclick: () => { loading = null; load(); },
}, '↻');
side.append(h('div', { class: 'side-head' }, search, refresh), list);

function items() {
  return [...list.querySelectorAll('a.rel:not([hidden])')];
}

function render(data) {
  clear(list);
  const bySchema = new Map(data.schemas.map((s) => [s, []]));
  for (const r of data.relations) {
    if (!bySchema.has(r.schema)) bySchema.set(r.schema, []);
    bySchema.get(r.schema).push(r);
  }
  for (const [schema, rels] of bySchema) {
    const ul = h('ul', {});
    for (const r of rels) {
      const a = h('a', {
        class: 'rel', href: viewHref({ schema: r.schema, table: r.name }),
        'data-schema': r.schema, 'data-name': r.name, 'data-kind': r.kind,
        title: `${r.schema}.${r.name}` + (r.estimate === null ? ' (never analyzed: no estimate)' : ` (about ${r.estimate} rows)`),
        onclick: (e) => {
          if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
          e.preventDefault();
          openTable(r.schema, r.name);
        },
      },
      h('span', { class: 'rel-name' }, r.name),
      kinds[r.kind] ? h('span', { class: 'badge kind' }, kinds[r.kind]) : null,
      h('span', { class: 'rel-count' }, estimate(r.estimate)));
      ul.append(h('li', {}, a));
    }
    list.append(h('section', { class: 'side-schema', 'data-schema': schema },
      h('h2', {}, schema, h('span', { class: 'rel-count' }, String(rels.length))),
      rels.length ? ul : h('p', { class: 'empty' }, 'no tables')));
  }
  filter();
  highlight();
}

// filter hides the relations whose schema.name does not hold every word
// of the search.
function filter() {
  const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const sec of list.querySelectorAll('.side-schema')) {
    let shown = 0;
    for (const a of sec.querySelectorAll('a.rel')) {
      const text = `${a.dataset.schema}.${a.dataset.name}`.toLowerCase();
      const ok = words.every((w) => text.includes(w));
      a.hidden = !ok;
      a.parentElement.hidden = !ok;
      if (ok) shown++;
    }
    sec.hidden = words.length > 0 && shown === 0;
  }
}

function highlight() {
  const p = params();
  const schema = p.schema || 'public';
  for (const a of list.querySelectorAll('a.rel')) {
    const cur = !!p.table && a.dataset.schema === schema && a.dataset.name === p.table;
    if (cur) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

search.addEventListener('input', filter);
search.addEventListener('keydown', (e) => {
  const all = items();
  if (e.key === 'ArrowDown' && all.length) {
    e.preventDefault();
    all[0].focus();
  } else if (e.key === 'Enter' && all.length) {
    e.preventDefault();
    all[0].click();
  } else if (e.key === 'Escape' && search.value) {
    search.value = '';
    filter();
  }
});
list.addEventListener('keydown', (e) => {
  const all = items();
  const i = all.indexOf(document.activeElement);
  if (i < 0) return;
  if (e.key === 'ArrowDown' && i + 1 < all.length) {
    e.preventDefault();
    all[i + 1].focus();
  } else if (e.key === 'ArrowUp') {
    e.preventDefault();
    (i > 0 ? all[i - 1] : search).focus();
  } else if (e.key === 'Home' || e.key === 'End') {
    e.preventDefault();
    all[e.key === 'Home' ? 0 : all.length - 1].focus();
  }
});

// focusSearch puts the cursor in the sidebar's search.
export function focusSearch() {
  search.focus();
  search.select();
}

on('route', highlight);

function load() {
  refresh.disabled = true;
  relations().then(render, (e) => {
    clear(list).append(h('p', { class: 'error' }, `Could not list the tables: ${e.message}`));
  }).finally(() => { refresh.disabled = false; });
}

load();
