// Plot colours that follow Material's light/dark palette toggle. Python draws
// each figure once; here only colours change. Python declares which trace roles
// are themed and with which entry of these palettes (the spec's roles.themed,
// from jacobiator.figures.plot.ROLES); the colours of each entry live here.

const PALETTES = {
  light: {
    fg: "#1f2328", grid: "rgba(0,0,0,0.12)",
    scales: { scale: [[0, "#f8fbff"], [1, "#7fb1d8"]] },
    lines: { ink: "#1b1b1b", accent: "#364fc7" },
  },
  dark: {
    fg: "#d7dce2", grid: "rgba(255,255,255,0.14)",
    scales: { scale: [[0, "#1b2230"], [1, "#35557a"]] },
    lines: { ink: "#f1f3f5", accent: "#91a7ff" },
  },
};

export function isDark() {
  return document.body.getAttribute("data-md-color-scheme") === "slate";
}

function themedTrace(trace, p, themes) {
  const entry = themes[trace.meta && trace.meta.role];
  if (p.scales[entry]) return { ...trace, colorscale: p.scales[entry], reversescale: false };
  const color = p.lines[entry];
  if (!color) return trace;
  const themed = { ...trace, line: { ...trace.line, color } };
  if (trace.marker) themed.marker = { ...trace.marker, color };
  return themed;
}

/** A copy of ``figure`` coloured for the current palette; ``themes``: the palette entry of each themed role. */
export function themed(figure, themes) {
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
  return { data: figure.data.map((trace) => themedTrace(trace, p, themes)), layout };
}

/** Call ``onChange`` whenever the reader toggles the palette. */
export function watchPalette(onChange) {
  new MutationObserver(onChange).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"],
  });
}
