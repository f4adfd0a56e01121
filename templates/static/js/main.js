// The studio's entry point: exchanges the URL's token for the session
// cookie, then starts each part of the page.
import { get, post } from './api.js';

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
    const info = await get('/api/info');
    document.getElementById('db-name').textContent = `${info.database} as ${info.user}`;
  } catch (e) {
    document.getElementById('main').textContent = e.message;
    return;
  }
}

start();
