// The operation log tab: every statement the studio ran, newest first,
// with its arguments, duration, rows and error.
import { get } from './api.js';
import { h, clear } from './dom.js';
import { registerTab } from './main.js';

async function load(list) {
  let res;
  try {
    res = await get('/api/log');
  } catch (e) {
    clear(list).append(h('p', { class: 'log-error', role: 'alert' }, e.message));
    return;
  }
  const entries = (res.entries || []).slice().reverse();
  clear(list);
  if (!entries.length) {
    list.append(h('p', { class: 'log-empty' }, 'No statement yet.'));
    return;
  }
  list.append(h('table', { class: 'log-table' },
    h('thead', {}, h('tr', {}, ['time', 'statement', 'arguments', 'ms', 'rows', 'error'].map((c) => h('th', {}, c)))),
    h('tbody', {}, entries.map((e) => h('tr', { class: e.error ? 'log-entry failed' : 'log-entry' },
      h('td', { class: 'log-time', title: e.time }, new Date(e.time).toLocaleTimeString()),
      h('td', {}, h('pre', { class: 'log-sql' }, e.sql)),
      h('td', { class: 'log-args' }, (e.args || []).map((a, i) => h('div', {}, `$${i + 1} = ${a}`))),
      h('td', { class: 'log-ms' }, e.duration_ms.toFixed(1)),
      h('td', { class: 'log-rows' }, e.rows < 0 ? '' : String(e.rows)),
      h('td', { class: 'log-err' }, e.error || ''))))));
}

registerTab('log', 'Log', (el) => {
  const list = h('div', { class: 'log-list', id: 'log-list' });
  el.append(h('section', { class: 'log' },
    h('div', { class: 'log-actions' },
      h('button', { type: 'button', class: 'log-refresh', onclick: () => load(list) }, 'Refresh')),
    list));
  load(list);
});
