// The grid's filters: one row per condition, combined with AND, each
// with the operators its column's type allows. Nothing is sent while the
// user types; Apply puts the filters in the URL (key 'filters', the
// API's JSON), which reloads the grid.
import { h, clear } from './dom.js';

export const opLabels = {
  eq: '=', ne: '≠', lt: '<', le: '≤', gt: '>', ge: '≥',
  like: 'LIKE', ilike: 'ILIKE', in: 'IN', null: 'IS NULL', notnull: 'IS NOT NULL',
};

// kindOf sorts a column type, as format_type writes it, into the few
// kinds the page treats apart.
export function kindOf(type, col) {
  const t = type || '';
  if (col && col.enum) return 'enum';
  if (t.endsWith('[]')) return 'array';
  if (t === 'boolean') return 'bool';
  if (t === 'json' || t === 'jsonb') return t;
  if (/^(smallint|integer|bigint|numeric|real|double precision|money|oid)\b/.test(t)) return 'number';
  if (/^(date|time|timestamp|interval)\b/.test(t)) return 'time';
  if (/^(text|character|"char"|name|citext)\b/.test(t)) return 'text';
  return 'other';
}

// opsFor lists the operators that make sense on col.
export function opsFor(col) {
  let ops;
  switch (kindOf(col.type, col)) {
  case 'bool': ops = ['eq', 'ne']; break;
  case 'json': ops = []; break; // json has no equality operator
  case 'jsonb': case 'array': ops = ['eq', 'ne']; break;
  case 'enum': ops = ['eq', 'ne', 'in', 'lt', 'le', 'gt', 'ge']; break;
  case 'text': ops = ['eq', 'ne', 'like', 'ilike', 'in', 'lt', 'le', 'gt', 'ge']; break;
  default: ops = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in'];
  }
  if (col.nullable !== false) ops.push('null', 'notnull');
  return ops;
}

// parseFilters reads the URL's filters; a value that is not the API's
// JSON array is an error, said rather than dropped.
export function parseFilters(text) {
  if (!text) return { filters: [] };
  try {
    const v = JSON.parse(text);
    if (!Array.isArray(v) || v.some((f) => !f || typeof f.column !== 'string' || typeof f.op !== 'string')) {
      throw new Error('not a list of {column, op, value}');
    }
    return { filters: v };
  } catch (e) {
    return { filters: [], error: `The URL's filters are not readable (${e.message}); they were left out.` };
  }
}

// filterPanel is the filters' form over the columns cols (the API's
// table description). apply(filters) is called on Apply with the list
// to put in the URL.
export function filterPanel(cols, initial, apply) {
  const byName = new Map(cols.map((c) => [c.name, c]));
  const rows = h('div', { class: 'filter-rows' });
  const general = h('p', { class: 'filter-error', 'data-for': 'all', hidden: true });
  const form = h('form', { class: 'filters', 'aria-label': 'Filters' }, rows,
    h('div', { class: 'filter-actions' },
      h('button', { type: 'button', class: 'add-filter', disabled: !cols.length, onclick: () => { addRow({ column: cols[0].name, op: 'eq', value: '' }, true); } }, '+ Filter'),
      h('button', { type: 'submit', class: 'apply' }, 'Apply'),
      h('button', { type: 'button', class: 'clear-filters', onclick: () => apply([]) }, 'Clear')),
    general);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply([...rows.children].map((r) => r.read()));
  });

  function addRow(f, focus) {
    const col = byName.get(f.column) || { name: f.column, type: '', nullable: true };
    const colSel = h('select', { class: 'filter-column', 'aria-label': 'Column' },
      cols.map((c) => h('option', { value: c.name, selected: c.name === col.name }, c.name)),
      byName.has(f.column) ? null : h('option', { value: f.column, selected: true }, f.column));
    const opSel = h('select', { class: 'filter-op', 'aria-label': 'Operator' });
    const valueBox = h('span', { class: 'filter-value' });
    const err = h('span', { class: 'filter-error', hidden: true });
    const row = h('div', { class: 'filter' }, colSel, opSel, valueBox,
      h('button', { type: 'button', class: 'remove-filter', title: 'Remove this filter', 'aria-label': 'Remove this filter', onclick: () => row.remove() }, '×'),
      err);
    let read = () => ({});

    function fillOps(op) {
      const c = byName.get(colSel.value) || col;
      const ops = opsFor(c);
      if (op && !ops.includes(op)) ops.push(op); // a URL's operator stays visible
      clear(opSel).append(...ops.map((o) => h('option', { value: o, selected: o === op }, opLabels[o] || o)));
    }
    function fillValue(value, values) {
      const c = byName.get(colSel.value) || col;
      const op = opSel.value;
      clear(valueBox);
      const kind = kindOf(c.type, c);
      if (op === 'null' || op === 'notnull') {
        read = () => ({ column: colSel.value, op });
      } else if (op === 'in' && kind === 'enum') {
        const set = new Set(values || []);
        const boxes = c.enum.map((l) => h('input', { type: 'checkbox', value: l, checked: set.has(l) }));
        valueBox.append(h('span', { class: 'enum-picker' }, c.enum.map((l, i) => h('label', {}, boxes[i], l))));
        read = () => ({ column: colSel.value, op, values: boxes.filter((b) => b.checked).map((b) => b.value) });
      } else if (op === 'in') {
        const ta = h('textarea', { class: 'filter-input', rows: 2, placeholder: 'one value a line', 'aria-label': 'Values, one a line' });
        ta.value = (values || []).join('\n');
        valueBox.append(ta);
        read = () => ({ column: colSel.value, op, values: ta.value.split('\n').filter((v, i, a) => v !== '' || a.length === 1) });
      } else if (kind === 'enum' || kind === 'bool') {
        const opts = kind === 'bool' ? ['true', 'false'] : c.enum;
        const sel = h('select', { class: 'filter-input', 'aria-label': 'Value' },
          opts.map((l) => h('option', { value: l, selected: l === value }, l)),
          value && !opts.includes(value) ? h('option', { value, selected: true }, value) : null);
        valueBox.append(sel);
        read = () => ({ column: colSel.value, op, value: sel.value });
      } else {
        const input = h('input', { type: 'text', class: 'filter-input', placeholder: c.type || 'value', 'aria-label': 'Value', spellcheck: 'false' });
        input.value = value === undefined || value === null ? '' : String(value);
        valueBox.append(input);
        read = () => ({ column: colSel.value, op, value: input.value });
      }
    }
    colSel.addEventListener('change', () => { fillOps(opSel.value); fillValue(); });
    opSel.addEventListener('change', () => {
      const cur = read();
      fillValue(cur.value, cur.values);
    });
    fillOps(f.op);
    fillValue(f.value, f.values);
    row.read = () => read();
    row.showError = (msg) => { err.textContent = msg; err.hidden = false; row.classList.add('invalid'); };
    rows.append(row);
    if (focus) colSel.focus();
  }

  for (const f of initial) addRow(f);

  // showError puts the server's message next to the filter it names, or
  // under the filters when it names none of them.
  form.showError = (msg) => {
    const list = [...rows.children];
    let at = list.findIndex((r, i) => new RegExp(`\\bfilter ${i + 1}\\b`, 'i').test(msg));
    if (at < 0) at = list.findIndex((r) => { const f = r.read(); return f.column && msg.includes(`"${f.column}"`); });
    if (at < 0) {
      at = list.findIndex((r) => {
        const f = r.read();
        return (f.value && msg.includes(`"${f.value}"`)) || (f.values || []).some((v) => v && msg.includes(`"${v}"`));
      });
    }
    if (at >= 0) list[at].showError(msg);
    else { general.textContent = msg; general.hidden = false; }
  };
  form.addRow = addRow;
  return form;
}
