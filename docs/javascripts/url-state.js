// Each figure's parameters in the page URL, so a link reproduces what the
// reader sees: ?gradient_field-1.grid=21&gradient_field-1.log=true. Only
// values that differ from the page's own are written. A value read from a URL
// is checked against the figure's schema; a bad one is ignored and reported.

function prefix(root) {
  return `${root.id.replace(/^jb-/, "")}.`;
}

/** The value ``text`` means for ``param``, or an Error saying why it cannot be used. */
function parse(param, text) {
  if (param.kind === "bool") {
    if (text === "true" || text === "false") return text === "true";
    return new Error(`${param.name} must be true or false`);
  }
  if (param.kind === "choice") {
    if (param.choices.some(([value]) => value === text)) return text;
    return new Error(`${param.name} must be one of ${param.choices.map(([v]) => v).join(", ")}`);
  }
  const pattern = param.kind === "int" ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i;
  const value = Number(text);
  if (!pattern.test(text) || !Number.isFinite(value)) return new Error(`${param.name} must be a number`);
  if (value < param.min || value > param.max) {
    return new Error(`${param.name} must be between ${param.min} and ${param.max}`);
  }
  return value;
}

/** The parameters a link sets for this widget, and notes on those it had to ignore. */
export function readLink(root, schema) {
  const values = {};
  const ignored = [];
  for (const [key, text] of new URLSearchParams(window.location.search)) {
    if (!key.startsWith(prefix(root))) continue;
    const name = key.slice(prefix(root).length);
    const param = schema.params.find((p) => p.name === name);
    const value = param ? parse(param, text) : new Error(`this figure has no parameter ${name}`);
    if (value instanceof Error) ignored.push(value.message);
    else values[name] = value;
  }
  return { values, ignored };
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
