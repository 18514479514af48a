// The Python call that reproduces a widget's figure, for a notebook or a script.

function literal(value) {
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/** Python source drawing ``key`` with the parameters that differ from the schema's defaults. */
export function pythonCall(key, schema, params) {
  const args = schema.params
    .filter((p) => params[p.name] !== p.default)
    .map((p) => `, ${p.name}=${literal(params[p.name])}`)
    .join("");
  return [
    "# pip install jacobiator plotly",
    "import plotly.graph_objects as go",
    "from jacobiator.figures import render",
    "",
    `go.Figure(render(${JSON.stringify(key)}${args})).show()`,
  ].join("\n");
}
