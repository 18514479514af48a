// Plot colours that follow Material's light/dark palette toggle. Python draws
// each figure once; here only colours change, keyed by each trace's meta.role.

const PALETTES = {
  light: {
    fg: "#1f2328", grid: "rgba(0,0,0,0.12)",
    heatmap: [[0, "#f8fbff"], [1, "#7fb1d8"]],
    lines: { arrows: "#1b1b1b", paths: "#364fc7", trails: "#1b1b1b" },
  },
  dark: {
    fg: "#d7dce2", grid: "rgba(255,255,255,0.14)",
    heatmap: [[0, "#1b2230"], [1, "#35557a"]],
    lines: { arrows: "#f1f3f5", paths: "#91a7ff", trails: "#e9ecef" },
  },
};

export function isDark() {
  return document.body.getAttribute("data-md-color-scheme") === "slate";
}

function themedTrace(trace, p) {
  const role = trace.meta && trace.meta.role;
  if (role === "heatmap") return { ...trace, colorscale: p.heatmap, reversescale: false };
  const color = p.lines[role];
  if (!color) return trace;
  const themed = { ...trace, line: { ...trace.line, color } };
  if (trace.marker) themed.marker = { ...trace.marker, color };
  return themed;
}

/** A copy of ``figure`` coloured for the current palette. */
export function themed(figure) {
  const p = isDark() ? PALETTES.dark : PALETTES.light;
  const layout = {
    ...figure.layout,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { ...(figure.layout.font || {}), color: p.fg },
  };
  for (const key of Object.keys(layout)) {
    if (/^[xy]axis\d*$/.test(key)) layout[key] = { ...layout[key], color: p.fg, gridcolor: p.grid, linecolor: p.grid };
  }
  return { data: figure.data.map((trace) => themedTrace(trace, p)), layout };
}

/** Call ``onChange`` whenever the reader toggles the palette. */
export function watchPalette(onChange) {
  new MutationObserver(onChange).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"],
  });
}
