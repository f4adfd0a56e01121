// The command palette (Ctrl/Cmd+K) and the page's keyboard shortcuts.
//
// The palette jumps to a table, switches the tab or the theme; it is
// filtered as the user types, walked with the arrows, run with Enter,
// and closed with Escape.
import { h, clear } from './dom.js';
import { navigate } from './main.js';
import { relations, openTable, focusSearch } from './sidebar.js';
import { setTheme, themes } from './theme.js';

const input = h('input', {
  type: 'text', class: 'palette-input', placeholder: 'Jump to a table, a tab, a theme…',
  'aria-label': 'Command', autocomplete: 'off', spellcheck: 'false', role: 'combobox', 'aria-controls': 'palette-list',
});
const list = h('ul', { class: 'palette-list', id: 'palette-list', role: 'listbox' });
const dialog = h('dialog', { class: 'palette', 'aria-label': 'Command palette' }, input, list);
document.body.append(dialog);

let commands = [];
let matches = [];
let active = 0;

async function gather() {
  const out = [];
  for (const b of document.querySelectorAll('#tabs .tab')) {
    const id = b.dataset.tab;
    out.push({ group: 'tab', label: `Tab: ${b.textContent}`, run: () => navigate({ tab: id === 'data' ? null : id }) });
  }
  for (const t of themes) {
    out.push({ group: 'theme', label: `Theme: ${t}`, run: () => setTheme(t) });
  }
  out.push({ group: 'action', label: 'Search the sidebar', run: focusSearch });
  try {
    const data = await relations();
    for (const r of data.relations) {
      out.push({ group: r.kind, label: `${r.schema}.${r.name}`, run: () => openTable(r.schema, r.name) });
    }
  } catch (_) { /* the sidebar says why */ }
  return out;
}

// score ranks label against the query: a lower score is a better match,
// -1 no match. Every word must be found, as a substring or failing that
// as letters in order.
function score(label, words) {
  const l = label.toLowerCase();
  let total = 0;
  for (const w of words) {
    const i = l.indexOf(w);
    if (i >= 0) { total += i; continue; }
    let at = -1;
    for (const ch of w) {
      at = l.indexOf(ch, at + 1);
      if (at < 0) return -1;
    }
    total += 100 + at;
  }
  return total;
}

function show() {
  const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
  matches = commands.map((c, i) => ({ c, s: words.length ? score(c.label, words) : i }))
    .filter((m) => m.s >= 0).sort((a, b) => a.s - b.s).slice(0, 50).map((m) => m.c);
  active = 0;
  clear(list);
  matches.forEach((c, i) => {
    list.append(h('li', {
      role: 'option', id: `palette-${i}`, 'data-group': c.group, 'aria-selected': String(i === active),
      onclick: () => run(i),
      onmousemove: () => select(i),
    }, c.label, h('span', { class: 'badge' }, c.group)));
  });
  if (!matches.length) list.append(h('li', { class: 'muted' }, 'nothing matches'));
  input.setAttribute('aria-activedescendant', matches.length ? 'palette-0' : '');
}

function select(i) {
  if (!matches.length) return;
  active = (i + matches.length) % matches.length;
  list.querySelectorAll('[role=option]').forEach((li, j) => li.setAttribute('aria-selected', String(j === active)));
  const li = list.children[active];
  li.scrollIntoView({ block: 'nearest' });
  input.setAttribute('aria-activedescendant', li.id);
}

function run(i) {
  const c = matches[i];
  if (!c) return;
  dialog.close();
  c.run();
}

// openPalette shows the palette, its commands gathered afresh.
export async function openPalette() {
  if (dialog.open) return;
  input.value = '';
  commands = [];
  show();
  dialog.showModal();
  input.focus();
  commands = await gather();
  show();
}

input.addEventListener('input', show);
input.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown') { e.preventDefault(); select(active + 1); }
  else if (e.key === 'ArrowUp') { e.preventDefault(); select(active - 1); }
  else if (e.key === 'Enter') { e.preventDefault(); run(active); }
});
dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); });

const editable = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
    e.preventDefault();
    openPalette();
  } else if (e.key === '/' && !e.ctrlKey && !e.metaKey && !editable(document.activeElement) && !dialog.open) {
    e.preventDefault();
    focusSearch();
  }
});
