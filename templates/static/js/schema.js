// The schema view: the 'structure' tab (the current table's columns,
// indexes, constraints, triggers, policies and the tables referencing it,
// from /api/table) and the 'schema' tab (the ER diagram, drawn by the
// server as SVG and shown as an image, never inlined; the list of tables;
// drift against the Go schema and the migrations' status).
import { get } from './api.js';
import { h, clear } from './dom.js';
import { registerTab, navigate } from './main.js';

// Every render starts a generation; an answer that arrives after the
// view moved on is dropped instead of drawn over the newer one.
let generation = 0;

function failed(el, e) {
  el.append(h('p', { class: 'error' }, e.message));
}

// tableLink is a table's name that opens its data.
function tableLink(schema, name, label) {
  return h('a', {
    href: '?' + new URLSearchParams({ schema, table: name }),
    class: 'table-link',
    'data-schema': schema,
    'data-name': name,
    onclick: (ev) => {
      ev.preventDefault();
      navigate({ tab: null, schema, table: name, sort: null, desc: null, filters: null, page: null, after: null, columns: null });
    },
  }, label || name);
}

function section(id, title, ...content) {
  return h('section', { class: 'schema-section', 'data-section': id }, h('h3', {}, title), ...content);
}

// list draws rows as a table of text cells; a cell may be a node.
function list(head, rows) {
  if (!rows.length) return h('p', { class: 'none' }, 'None.');
  return h('table', { class: 'schema-list' },
    h('thead', {}, h('tr', {}, head.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c === null || c === undefined ? '' : c))))));
}

function badge(text, cls) {
  return h('span', { class: 'badge ' + (cls || '') }, text);
}

// --- the structure tab

async function renderStructure(el, p) {
  const gen = ++generation;
  const view = h('div', { class: 'structure' });
  el.append(view);
  if (!p.table) {
    view.append(h('p', { class: 'hint' }, 'Pick a table in the sidebar to see its structure.'));
    return;
  }
  const schema = p.schema || 'public';
  let t;
  try {
    t = await get('/api/table', { schema, name: p.table });
  } catch (e) {
    if (gen === generation) failed(view, e);
    return;
  }
  if (gen !== generation) return;
  const title = h('h2', {}, tableLink(t.schema, t.name, `${t.schema}.${t.name}`), ' ', badge(t.kind));
  if (t.estimate !== null && t.estimate !== undefined) title.append(' ', badge(`~${t.estimate} rows`, 'muted'));
  view.append(title);
  if (t.comment) view.append(h('p', { class: 'comment' }, t.comment));

  view.append(section('columns', 'Columns', list(
    ['', 'name', 'type', 'null', 'default', 'references', 'comment'],
    t.columns.map((c) => [
      h('span', {}, c.pk ? badge('PK', 'pk') : null, c.fk ? badge('FK', 'fk') : null,
        c.identity ? badge(c.identity === 'a' ? 'identity always' : 'identity') : null,
        c.generated ? badge('generated') : null, c.app_default ? badge('app default') : null),
      c.name,
      c.enum ? h('span', { title: c.enum.join(', ') }, c.type, ' ', badge('enum')) : c.type,
      c.nullable ? 'null' : 'not null',
      c.default === null || c.default === undefined ? null : h('code', {}, c.default),
      c.fk ? h('span', {}, tableLink(c.fk.schema, c.fk.table, `${c.fk.schema}.${c.fk.table}`), `(${c.fk.column})`) : null,
      c.comment || null,
    ]))));

  view.append(section('indexes', 'Indexes', list(
    ['name', 'definition', ''],
    (t.indexes || []).map((x) => [x.name, h('code', {}, x.definition),
      h('span', {}, x.primary ? badge('primary', 'pk') : null, x.unique && !x.primary ? badge('unique') : null)]))));

  view.append(section('constraints', 'Constraints', list(
    ['name', 'type', 'definition'],
    (t.constraints || []).map((c) => [c.name, c.type, h('code', {}, c.definition)]))));

  view.append(section('foreign-keys', 'Foreign keys', list(
    ['name', 'columns', 'references'],
    (t.foreign_keys || []).map((k) => [k.name, k.columns.join(', '),
      h('span', {}, tableLink(k.ref_schema, k.ref_table, `${k.ref_schema}.${k.ref_table}`), `(${k.ref_columns.join(', ')})`)]))));

  view.append(section('referenced-by', 'Referenced by', list(
    ['table', 'columns', 'constraint'],
    (t.referenced_by || []).map((k) => [tableLink(k.schema, k.table, `${k.schema}.${k.table}`),
      `(${k.columns.join(', ')}) → (${k.ref_columns.join(', ')})`, k.name]))));

  view.append(section('triggers', 'Triggers', list(
    ['name', 'definition'],
    (t.triggers || []).map((x) => [x.name, h('code', {}, x.definition)]))));

  const rls = t.rls || {};
  view.append(section('policies', 'Row level security',
    h('p', {}, rls.enabled ? (rls.forced ? 'Enabled and forced (the owner too).' : 'Enabled.') : 'Disabled.'),
    list(['name', 'command', 'kind', 'roles', 'using', 'with check'],
      (t.policies || []).map((x) => [x.name, x.command, x.permissive ? 'permissive' : 'restrictive',
        (x.roles || []).join(', '),
        x.using ? h('code', {}, x.using) : null, x.check ? h('code', {}, x.check) : null]))));
}

// --- the schema tab

async function renderSchema(el, p) {
  const gen = ++generation;
  const schema = p.schema || '';
  const picker = h('select', {
    id: 'schema-picker',
    'aria-label': 'schema',
    onchange: (ev) => navigate({ schema: ev.target.value || null, table: null }),
  }, h('option', { value: '' }, 'all schemas'));
  if (schema) picker.append(h('option', { value: schema }, schema));
  picker.value = schema;
  const tables = h('div', { class: 'schema-tables' });
  const diagram = h('div', { class: 'er' });
  const drift = h('div', { class: 'drift' });
  el.append(h('div', { class: 'schema-view' },
    h('div', { class: 'schema-toolbar' }, h('label', {}, 'Schema ', picker)),
    section('er', 'Diagram', diagram),
    section('tables', 'Tables', tables),
    section('drift', 'Drift and migrations', drift)));

  // The sidebar's list of schemas, in its order; the schema shown stays
  // in the list even if it has gone since.
  get('/api/relations').then((r) => {
    if (gen !== generation) return;
    const names = r.schemas || [];
    if (schema && !names.includes(schema)) names.push(schema);
    clear(picker).append(h('option', { value: '' }, 'all schemas'), ...names.map((s) => h('option', { value: s }, s)));
    picker.value = schema;
  }).catch(() => { /* the picker keeps the schema shown; the sidebar reports the error */ });

  const q = schema ? { schema } : {};
  let d;
  try {
    d = await get('/api/schema', q);
  } catch (e) {
    if (gen === generation) failed(diagram, e);
    return;
  }
  if (gen !== generation) return;
  // The image is requested only once the schema is known to read, so an
  // error shows as its message, not as a broken image.
  const img = h('img', {
    class: 'er-image',
    alt: `ER diagram of ${schema ? 'schema ' + schema : 'every schema'}`,
    src: '/api/er.svg' + (schema ? '?' + new URLSearchParams(q) : ''),
  });
  img.addEventListener('error', () => {
    clear(diagram).append(h('p', { class: 'error' }, 'The diagram did not load.'));
  });
  diagram.append(img);

  if (!d.tables.length) tables.append(h('p', { class: 'none' }, 'No tables.'));
  else {
    tables.append(list(['table', 'kind', 'columns', 'references'], d.tables.filter((t) => !t.external).map((t) => {
      const refs = d.edges.filter((e) => e.from.schema === t.schema && e.from.table === t.name);
      return [
        tableLink(t.schema, t.name, d.schemas.length > 1 ? `${t.schema}.${t.name}` : t.name),
        t.kind,
        String(t.columns.length),
        h('span', {}, refs.map((e, i) => h('span', {}, i ? ', ' : '', tableLink(e.to.schema, e.to.table, `${e.to.schema}.${e.to.table}`),
          e.cardinality === 'one-to-one' ? ' (1:1)' : ''))),
      ];
    })));
  }

  await showDrift(drift, gen);
}

// driftAnswer holds /api/drift's answer (a promise) for the page's life:
// it does not depend on the schema shown, and the server builds the Go
// schema in scratch schemas to answer, so picking another schema does not
// ask again; "Check again" does.
let driftAnswer = null;

async function showDrift(el, gen) {
  if (!driftAnswer) driftAnswer = get('/api/drift');
  let r;
  try {
    r = await driftAnswer;
  } catch (e) {
    driftAnswer = null;
    if (gen === generation) failed(el, e);
    return;
  }
  if (gen !== generation) return;
  clear(el).append(h('button', {
    class: 'drift-again',
    type: 'button',
    onclick: () => {
      driftAnswer = null;
      clear(el).append(h('p', { class: 'hint' }, 'Checking…'));
      showDrift(el, gen);
    },
  }, 'Check again'));
  renderDrift(el, r);
}

function renderDrift(el, r) {
  if (!r.available) {
    el.append(h('p', { class: 'hint', 'data-drift': 'unavailable' }, r.reason));
    return;
  }
  const ds = h('div', { class: 'drift-schema', 'data-drift': r.drift ? (r.statements.length ? 'changes' : 'none') : 'unavailable' },
    h('h4', {}, 'Against the Go schema'));
  if (!r.drift) ds.append(h('p', { class: 'hint' }, r.drift_reason));
  else if (!r.statements.length) ds.append(h('p', { class: 'ok' }, 'The database matches the Go schema.'));
  else {
    const kinds = new Map();
    for (const c of r.changes) kinds.set(c.kind, (kinds.get(c.kind) || 0) + 1);
    ds.append(
      h('p', {}, `${r.changes.length} ${r.changes.length === 1 ? 'change' : 'changes'} would bring the database to the Go schema (mizzle push would run these; nothing was applied): `,
        [...kinds].map(([k, n]) => `${n} ${k}`).join(', '), '.'),
      h('ol', { class: 'statements' }, r.statements.map((s) => h('li', {},
        s.warning ? h('p', { class: 'warning' }, s.warning) : null,
        h('pre', {}, s.sql)))));
  }
  if (r.note) ds.append(h('p', { class: 'note' }, r.note));
  el.append(ds);

  const dm = h('div', { class: 'drift-migrations' }, h('h4', {}, 'Migrations'));
  if (!r.migrations_folder) dm.append(h('p', { class: 'hint' }, r.migrations_reason));
  else {
    const pending = r.migrations.filter((m) => !m.applied).length;
    dm.append(h('p', {}, `${r.migrations.length - pending} applied, ${pending} pending.`));
    dm.append(list(['migration', 'status', 'applied at'], r.migrations.map((m) => [
      m.tag,
      h('span', { class: m.applied ? 'applied' : 'pending' }, m.applied ? (m.in_folder ? 'applied' : 'applied, not in the folder') : 'pending'),
      m.applied_at,
    ])));
  }
  if (r.problems.length) {
    dm.append(h('ul', { class: 'problems' }, r.problems.map((x) => h('li', { class: 'error' }, x))));
  }
  el.append(dm);
}

registerTab('structure', 'Structure', renderStructure);
registerTab('schema', 'Schema', renderSchema);
