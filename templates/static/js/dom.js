// Building the page's nodes. Values from the database are only ever set
// as text (textContent), never as HTML: a row holding <script> shows as
// text.

// h makes an element: h('td', {class: 'x', 'data-col': 'id'}, child, ...).
// Children are nodes or strings (set as text); null and false are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// cell renders one value of PostgreSQL's text form: NULL apart from the
// empty string, and long values cut at max characters (the full value
// stays in the title and in data-full for the expand action).
export function cell(value, max = 200) {
  if (value === null || value === undefined) return h('span', { class: 'null' }, 'NULL');
  if (value === '') return h('span', { class: 'empty' }, '(empty)');
  if (value.length > max) {
    return h('span', { class: 'long', title: value.slice(0, 2000) }, value.slice(0, max) + '…');
  }
  return document.createTextNode(value);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}
