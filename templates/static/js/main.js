// The studio's entry point: exchanges the URL's token for the session
// cookie, then starts each part of the page. The view (tab, schema,
// table, filters, sort, page) lives in the URL's query, so that a view
// can be bookmarked; every part reads it from the 'route' event.
import { get, post } from './api.js';
import { emit } from './bus.js';
import { h, clear } from './dom.js';

// tabs holds the main area's views, registered by the parts below.
const tabs = [];

const tabOrder = ['data', 'structure', 'console', 'log', 'schema'];
const tabRank = (id) => (tabOrder.includes(id) ? tabOrder.indexOf(id) : tabOrder.length);

// registerTab adds a view of the main area: render(el, params) draws it
// into el whenever the URL's view changes while it is shown.
export function registerTab(id, label, render) {
  tabs.push({ id, label, render });
  // The parts load in parallel, so their order of registration varies:
  // the tabs keep one order whatever it is.
  tabs.sort((a, b) => tabRank(a.id) - tabRank(b.id));
}

export const state = { info: null };

// params returns the URL's view as an object.
export function params() {
  return Object.fromEntries(new URLSearchParams(location.search));
}

// navigate changes the view: the given params replace those of the URL
// (a null value removes one), pushed onto the history unless replace.
export function navigate(changes, replace = false) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  const url = location.pathname + (q.toString() ? '?' + q : '');
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  route();
}

function route() {
  const p = params();
  const id = p.tab || 'data';
  const nav = clear(document.getElementById('tabs'));
  for (const t of tabs) {
    nav.append(h('button', {
      class: t.id === id ? 'tab active' : 'tab',
      'data-tab': t.id,
      onclick: () => navigate({ tab: t.id === 'data' ? null : t.id }),
    }, t.label));
  }
  const main = clear(document.getElementById('main'));
  const tab = tabs.find((t) => t.id === id) || tabs[0];
  if (tab) tab.render(main, p);
  emit('route', { params: p });
}

async function signIn() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return;
  await post('/api/session', { token: decodeURIComponent(m[1]) });
  // The token leaves the address bar (and the history) once used.
  history.replaceState(null, '', location.pathname + location.search);
}

async function start() {
  try {
    await signIn();
    state.info = await get('/api/info');
  } catch (e) {
    document.getElementById('main').textContent = e.message;
    return;
  }
  document.getElementById('db-name').textContent = `${state.info.database} as ${state.info.user}`;
  // The parts register their tabs and listeners when imported; they are
  // imported after sign-in so that their first requests carry the cookie.
  await Promise.all([
    import('./sidebar.js'),
    import('./grid.js'),
    import('./edit.js'),
    import('./console.js'),
    import('./log.js'),
    import('./schema.js'),
    import('./palette.js'),
  ]);
  window.addEventListener('popstate', route);
  route();
  document.documentElement.dataset.ready = 'true';
}

start();
