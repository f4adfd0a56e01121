// The page's theme: light, dark, or the system's (the default), kept in
// localStorage and set as html[data-theme], which app.css reads.
// index.html loads it on its own, so that the theme is set before the
// sign-in's round trips rather than after.
import { h } from './dom.js';

const key = 'mizzle-studio-theme';
export const themes = ['system', 'light', 'dark'];

// theme returns the theme chosen, 'system' when none.
export function theme() {
  try {
    const t = localStorage.getItem(key);
    return themes.includes(t) ? t : 'system';
  } catch (_) {
    return 'system';
  }
}

const button = h('button', { type: 'button', class: 'theme-toggle', title: 'Theme: system, light or dark' });
button.addEventListener('click', () => setTheme(themes[(themes.indexOf(theme()) + 1) % themes.length]));

// setTheme applies t and remembers it for the next visit.
export function setTheme(t) {
  if (!themes.includes(t)) t = 'system';
  try {
    if (t === 'system') localStorage.removeItem(key);
    else localStorage.setItem(key, t);
  } catch (_) { /* storage off: the theme lasts as long as the page */ }
  apply(t);
}

function apply(t) {
  if (t === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
  button.textContent = { system: '◐ System', light: '☀ Light', dark: '☾ Dark' }[t];
  button.dataset.theme = t;
}

apply(theme());
document.getElementById('top-actions').append(button);
