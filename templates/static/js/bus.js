// A small event bus between the page's parts, so that each part can be
// written on its own: the grid announces what it shows, the editor and
// the schema view listen.
//
// Events (detail in braces):
//   'route'        {params}            the URL's view changed (see main.js)
//   'table:loaded' {schema, name, meta, page}  the grid shows a page of a table
//   'cell:edit'    {schema, name, key, column, value}  a cell was activated to edit
//   'grid:reload'  {}                  the grid should fetch its page again
//   'console:open' {sql}               open the console with a statement
const target = new EventTarget();

export function on(name, fn) {
  const h = (e) => fn(e.detail);
  target.addEventListener(name, h);
  return () => target.removeEventListener(name, h);
}

export function emit(name, detail) {
  target.dispatchEvent(new CustomEvent(name, { detail: detail || {} }));
}
