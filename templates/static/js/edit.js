// Staged edits of the grid's rows, their SQL preview and save.
//
// A double-click (or Enter) on a cell of an editable table opens an
// editor in the cell; what it sets is staged, not saved: the cell is
// marked and a bar at the bottom counts the changes, previews their SQL
// (/api/preview) and saves them all in one transaction (/api/save, also
// Ctrl/Cmd+S). Values stay PostgreSQL's text form from the grid to the
// server. Nothing of this exists in read-only mode.
import { get, post } from './api.js';
import { on, emit } from './bus.js';
import { h, cell, clear } from './dom.js';

const readOnly = document.documentElement.dataset.readOnly === 'true';

// staged holds the pending edits in the order they were made: updates
// keyed by table and row (one edit per row, its columns merged),
// deletes likewise, inserts each on their own.
const staged = [];
// metas caches /api/table's description of the tables edited.
const metas = new Map();
let current = null; // {schema, name}: the table the grid shows

const tableId = (schema, name) => JSON.stringify([schema, name]);

// canonical writes a key object with its columns sorted, so that keys
// compare whatever order their JSON came in.
function canonical(key) {
  if (typeof key === 'string') key = JSON.parse(key);
  return JSON.stringify(Object.keys(key).sort().map((k) => [k, key[k]]));
}

async function describe(schema, name) {
  const id = tableId(schema, name);
  if (!metas.has(id)) metas.set(id, await get('/api/table', { schema, name }));
  return metas.get(id);
}

function findStaged(op, schema, name, key) {
  const c = key && canonical(key);
  return staged.find((e) => e.op === op && e.schema === schema && e.name === name && (!c || canonical(e.key) === c));
}

// The pending bar.
const bar = h('div', { id: 'edit-bar', class: 'edit-bar', hidden: true });
const barText = h('span', { class: 'edit-count' });
const barError = h('span', { class: 'edit-error', role: 'alert' });
const previewBox = h('div', { class: 'edit-preview', hidden: true });
bar.append(
  barText,
  h('button', { type: 'button', class: 'edit-preview-btn', onclick: preview }, 'Preview'),
  h('button', { type: 'button', class: 'edit-save-btn primary', onclick: save }, 'Save'),
  h('button', { type: 'button', class: 'edit-discard-btn', onclick: discard }, 'Discard'),
  barError,
  previewBox,
);

// The insert button lives in the top bar while an editable table shows.
const insertBtn = h('button', { type: 'button', id: 'edit-insert', class: 'edit-insert', hidden: true, onclick: openInsert }, 'Insert row');

function refreshBar() {
  bar.hidden = staged.length === 0;
  barText.textContent = staged.length === 1 ? '1 change' : `${staged.length} changes`;
  if (staged.length === 0) {
    previewBox.hidden = true;
    barError.textContent = '';
  }
}

function showError(e) {
  barError.textContent = e.message + (e.body && e.body.detail ? ` (${e.body.detail})` : '');
}

function edits() {
  return staged.map((e) => {
    const out = { op: e.op, schema: e.schema, name: e.name };
    if (e.key) out.key = e.key;
    if (e.values && Object.keys(e.values).length) out.values = e.values;
    return out;
  });
}

async function preview() {
  barError.textContent = '';
  try {
    const res = await post('/api/preview', { edits: edits() });
    clear(previewBox);
    for (const s of res.statements) {
      previewBox.append(h('pre', { class: 'edit-sql' }, s.sql),
        h('div', { class: 'edit-args' }, s.args.map((a, i) => h('span', { class: 'edit-arg' }, `$${i + 1} = `, cell(a)))));
    }
    previewBox.hidden = false;
  } catch (e) {
    showError(e);
  }
}

async function save() {
  if (staged.length === 0) return;
  barError.textContent = '';
  try {
    const res = await post('/api/save', { edits: edits() });
    const n = res.results.length;
    staged.length = 0;
    refreshBar();
    document.getElementById('status').textContent = n === 1 ? 'Saved 1 change' : `Saved ${n} changes`;
    emit('grid:reload');
  } catch (e) {
    showError(e);
  }
}

function discard() {
  staged.length = 0;
  refreshBar();
  emit('grid:reload');
}

// gridRow finds the grid's row of key, or null.
function gridRow(schema, name, key) {
  const table = document.querySelector('table.grid');
  if (!table || table.dataset.schema !== schema || table.dataset.name !== name) return null;
  const c = canonical(key);
  for (const tr of table.querySelectorAll('tbody tr[data-key]')) {
    if (canonical(tr.dataset.key) === c) return tr;
  }
  return null;
}

function gridCell(tr, column) {
  for (const td of tr.querySelectorAll('td[data-col]')) if (td.dataset.col === column) return td;
  return null;
}

// showValue draws a staged value in its cell and marks it.
function showValue(td, v) {
  clear(td);
  if (v.default) td.append(h('span', { class: 'default' }, 'DEFAULT'));
  else td.append(cell(v.null ? null : v.value));
  td.classList.add('staged');
}

// mark redraws the staged edits of the table the grid shows, after it
// drew a page.
function mark() {
  if (!current) return;
  for (const e of staged) {
    if (e.schema !== current.schema || e.name !== current.name) continue;
    if (e.op === 'update') {
      const tr = gridRow(e.schema, e.name, e.key);
      if (!tr) continue;
      for (const [col, v] of Object.entries(e.values)) {
        const td = gridCell(tr, col);
        if (td) showValue(td, v);
      }
    } else if (e.op === 'delete') {
      const tr = gridRow(e.schema, e.name, e.key);
      if (tr) tr.classList.add('staged-delete');
    } else if (e.op === 'insert') {
      drawInsert(e);
    }
  }
}

// drawInsert shows a staged insert as a row at the end of the grid.
function drawInsert(e) {
  const table = document.querySelector('table.grid');
  if (!table || table.dataset.schema !== e.schema || table.dataset.name !== e.name) return;
  const body = table.tBodies[0];
  const head = table.tHead && table.tHead.rows[0];
  if (!body || !head) return;
  const tr = h('tr', { class: 'staged-insert' });
  for (const th of head.cells) {
    const col = th.dataset.col;
    if (col === undefined) { // the grid's own column, a row header: empty
      tr.append(h(th.tagName.toLowerCase(), { class: th.className }));
      continue;
    }
    const v = e.values[col];
    const td = h('td', { 'data-col': col, hidden: th.hidden });
    if (v) showValue(td, v);
    else td.append(h('span', { class: 'default' }, 'DEFAULT'));
    tr.append(td);
  }
  body.append(tr);
}

function column(meta, name) {
  return (meta.columns || []).find((c) => c.name === name);
}

// editorFor makes the input for a column of the given type: a select
// for bool and enums, a textarea for JSON, a text input for the rest
// (dates, times and numbers stay text, arrays are PostgreSQL literals).
function editorFor(col, value) {
  let input;
  const type = col.type || '';
  if (type === 'boolean') {
    input = h('select', { class: 'edit-input' }, h('option', { value: 't' }, 'true'), h('option', { value: 'f' }, 'false'));
    input.value = value === 'f' || value === 'false' ? 'f' : 't';
  } else if (col.enum && col.enum.length) {
    input = h('select', { class: 'edit-input' }, col.enum.map((l) => h('option', { value: l }, l)));
    if (value !== null && value !== undefined) input.value = value;
  } else if (type === 'json' || type === 'jsonb') {
    input = h('textarea', { class: 'edit-input edit-json', rows: 6, spellcheck: 'false' });
    input.value = value === null || value === undefined ? '' : value;
  } else {
    input = h('input', { class: 'edit-input', type: 'text', spellcheck: 'false' });
    input.value = value === null || value === undefined ? '' : value;
    if (type.endsWith('[]')) input.placeholder = '{a,b,c}';
  }
  input.setAttribute('data-type', type);
  return input;
}

// openCell puts an editor in the cell of a cell:edit event.
async function openCell({ schema, name, key, column: colName, value }) {
  if (readOnly) return;
  let meta;
  try {
    meta = await describe(schema, name);
  } catch (e) {
    showError(e);
    return;
  }
  const status = document.getElementById('status');
  if (!meta.editable) {
    status.textContent = `${schema}.${name} is not editable: the studio edits tables with a primary key`;
    return;
  }
  const col = column(meta, colName);
  const tr = gridRow(schema, name, key);
  const td = tr && gridCell(tr, colName);
  if (!col || !td || td.querySelector('.cell-editor')) return;
  const before = [...td.childNodes];
  const pending = findStaged('update', schema, name, key);
  const stagedValue = pending && pending.values[colName];
  const input = editorFor(col, stagedValue ? (stagedValue.null ? null : stagedValue.value) : value);
  const close = () => { td.classList.remove('editing'); clear(td).append(...before); td.focus(); };
  const stage = (v) => {
    if (col.generated || col.identity === 'a') {
      if (!v.default) {
        status.textContent = `column ${colName} is ${col.generated ? 'generated' : 'an identity column'}: the database writes it`;
        return;
      }
    }
    let e = findStaged('update', schema, name, key);
    if (!e) {
      e = { op: 'update', schema, name, key: typeof key === 'string' ? JSON.parse(key) : key, values: {} };
      staged.push(e);
    }
    e.values[colName] = v;
    td.classList.remove('editing');
    showValue(td, v);
    refreshBar();
    td.focus(); // the grid's keys go on from the cell
  };
  const editor = h('div', { class: 'cell-editor' },
    input,
    h('div', { class: 'cell-editor-actions' },
      h('button', { type: 'button', class: 'edit-ok primary', onclick: () => stage({ value: input.value }) }, 'OK'),
      col.nullable !== false ? h('button', { type: 'button', class: 'edit-null', onclick: () => stage({ null: true }) }, 'NULL') : null,
      h('button', { type: 'button', class: 'edit-default', onclick: () => stage({ default: true }) }, 'DEFAULT'),
      h('button', { type: 'button', class: 'edit-delete', onclick: () => { close(); stageDelete(schema, name, key); } }, 'Delete row'),
      h('button', { type: 'button', class: 'edit-cancel', onclick: close }, 'Cancel')));
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { ev.preventDefault(); close(); }
    if (ev.key === 'Enter' && input.tagName !== 'TEXTAREA') { ev.preventDefault(); stage({ value: input.value }); }
    if (ev.key === 'Enter' && input.tagName === 'TEXTAREA' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); stage({ value: input.value }); }
    ev.stopPropagation();
  });
  editor.addEventListener('dblclick', (ev) => ev.stopPropagation());
  editor.addEventListener('click', (ev) => ev.stopPropagation());
  td.classList.add('editing');
  clear(td).append(editor);
  input.focus();
}

function stageDelete(schema, name, key) {
  if (findStaged('delete', schema, name, key)) return;
  // A deleted row's staged updates go: the delete wins.
  const u = findStaged('update', schema, name, key);
  if (u) staged.splice(staged.indexOf(u), 1);
  staged.push({ op: 'delete', schema, name, key: typeof key === 'string' ? JSON.parse(key) : key });
  const tr = gridRow(schema, name, key);
  if (tr) tr.classList.add('staged-delete');
  refreshBar();
}

// openInsert shows the form of a new row: per column, DEFAULT (left
// out: the database's default, or the schema's app-side default), NULL
// or a value.
async function openInsert() {
  if (!current) return;
  const { schema, name } = current;
  let meta;
  try {
    meta = await describe(schema, name);
  } catch (e) {
    showError(e);
    return;
  }
  const rows = [];
  const form = h('form', { class: 'insert-form' });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  for (const col of meta.columns) {
    const writable = !col.generated && col.identity !== 'a';
    const mode = h('select', { class: 'insert-mode', 'data-col': col.name },
      h('option', { value: 'default' }, col.app_default ? 'DEFAULT (app)' : 'DEFAULT'),
      writable && col.nullable ? h('option', { value: 'null' }, 'NULL') : null,
      writable ? h('option', { value: 'value' }, 'value') : null);
    const input = editorFor(col, null);
    input.disabled = true;
    input.setAttribute('data-col', col.name);
    mode.addEventListener('change', () => { input.disabled = mode.value !== 'value'; if (!input.disabled) input.focus(); });
    input.addEventListener('input', () => { mode.value = 'value'; });
    rows.push({ col, mode, input });
    form.append(h('label', { class: 'insert-field' },
      h('span', { class: 'insert-name' }, col.name), h('span', { class: 'insert-type' }, col.type), mode, input));
  }
  const dialog = h('dialog', { class: 'insert-dialog', id: 'insert-dialog' },
    h('h3', {}, `Insert into ${schema}.${name}`), form,
    h('div', { class: 'insert-actions' },
      h('button', { type: 'button', class: 'insert-stage primary', onclick: () => {
        const values = {};
        for (const r of rows) {
          if (r.mode.value === 'null') values[r.col.name] = { null: true };
          else if (r.mode.value === 'value') values[r.col.name] = { value: r.input.value };
        }
        const e = { op: 'insert', schema, name, values };
        staged.push(e);
        drawInsert(e);
        refreshBar();
        dialog.close();
      } }, 'Stage insert'),
      h('button', { type: 'button', class: 'insert-cancel', onclick: () => dialog.close() }, 'Cancel')));
  // Escape closes a modal dialog by itself: it goes then too.
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

if (!readOnly) {
  document.body.append(bar);
  document.getElementById('top-actions').append(insertBtn);
  on('cell:edit', openCell);
  on('table:loaded', async ({ schema, name, meta }) => {
    current = { schema, name };
    if (meta && meta.columns) metas.set(tableId(schema, name), meta);
    try {
      const m = await describe(schema, name);
      insertBtn.hidden = !m.editable;
    } catch (_) {
      insertBtn.hidden = true;
    }
    mark();
  });
  on('route', ({ params }) => {
    if ((params.tab || 'data') !== 'data' || !params.table) insertBtn.hidden = true;
  });
  document.addEventListener('keydown', (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === 's' && staged.length) {
      ev.preventDefault();
      save();
    }
  });
}
