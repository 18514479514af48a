// Each figure's parameters in the page URL, so a link reproduces what the
// reader sees: ?gradient_field-1.grid=21&gradient_field-1.log=true. Only
// values that differ from the page's own are written. What a link says is
// read as it stands and checked in Python (Schema.resolve_lenient), which
// keeps the good values and says why it ignored the others.

function prefix(root) {
  return `${root.id.replace(/^jb-/, "")}.`;
}

/** The text a link gives each of this widget's parameters, by name, unchecked. */
export function readLink(root) {
  const mine = [...new URLSearchParams(window.location.search)].filter(([key]) => key.startsWith(prefix(root)));
  // fromEntries makes every name an own key, "__proto__" included, so Python sees them all.
  return Object.fromEntries(mine.map(([key, text]) => [key.slice(prefix(root).length), text]));
}

/** Put the widget's parameters that differ from ``base`` into the URL, in place. */
export function writeLink(root, params, base) {
  const query = new URLSearchParams(window.location.search);
  for (const key of [...query.keys()]) if (key.startsWith(prefix(root))) query.delete(key);
  for (const [name, value] of Object.entries(params)) {
    if (value !== base[name]) query.set(prefix(root) + name, String(value));
  }
  const search = query.toString();
  const url = `${window.location.pathname}${search ? `?${search}` : ""}${window.location.hash}`;
  window.history.replaceState(window.history.state, "", url);
}
