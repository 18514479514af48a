// A reply from the worker is JSON text plus the figure's arrays as Float64Arrays
// (jacobiator/figures/wire.py): each {"$array": k, "shape": [...]} in the text
// stands for arrays[k]. Plotly takes typed arrays as they are, and the page never
// parses the numbers as text.

/** ``array`` in ``shape``: itself for one dimension, rows viewing it for two (a heatmap's z). */
function shaped(array, shape) {
  if (shape.length === 1) return array;
  const [rows, width] = shape;
  return Array.from({ length: rows }, (_, r) => array.subarray(r * width, (r + 1) * width));
}

/** The reply in ``text`` with its references to ``arrays`` put back. */
export function decode(text, arrays = []) {
  if (!arrays.length) return JSON.parse(text);
  return JSON.parse(text, (key, value) =>
    value !== null && typeof value === "object" && "$array" in value ? shaped(arrays[value.$array], value.shape) : value);
}
