// The studio's API, from the page's side: every request goes to the
// page's own origin, state-changing ones with the CSRF header and a JSON
// body. Values arrive as PostgreSQL's text form and stay strings.

export class APIError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

async function request(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') {
    init.headers['Content-Type'] = 'application/json';
    init.headers['X-Mizzle-Studio'] = '1';
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
  if (!res.ok) throw new APIError(res.status, data && data.error);
  return data;
}

export const get = (path, params) => {
  const q = params ? '?' + new URLSearchParams(params).toString() : '';
  return request('GET', path + q);
};
export const post = (path, body) => request('POST', path, body);
