// Plot colours that follow Material's light/dark palette toggle. Python draws
// each figure once; here only colours change, keyed by each trace's meta.role.

const PALETTES = {
  light: {
    fg: "#1f2328", grid: "rgba(0,0,0,0.12)", arrows: "#1b1b1b",
    heatmap: [[0, "#f8fbff"], [1, "#7fb1d8"]],
  },
  dark: {
    fg: "#d7dce2", grid: "rgba(255,255,255,0.14)", arrows: "#f1f3f5",
    heatmap: [[0, "#1b2230"], [1, "#35557a"]],
  },
};

export function isDark() {
  return document.body.getAttribute("data-md-color-scheme") === "slate";
}

/** A copy of ``figure`` coloured for the current palette. */
export function themed(figure) {
  const p = isDark() ? PALETTES.dark : PALETTES.light;
  const axis = (a) => ({ ...a, color: p.fg, gridcolor: p.grid, linecolor: p.grid });
  const layout = {
    ...figure.layout,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { ...(figure.layout.font || {}), color: p.fg },
    xaxis: axis(figure.layout.xaxis || {}),
    yaxis: axis(figure.layout.yaxis || {}),
  };
  const data = figure.data.map((trace) => {
    const role = trace.meta && trace.meta.role;
    if (role === "arrows") return { ...trace, line: { ...trace.line, color: p.arrows } };
    if (role === "heatmap") return { ...trace, colorscale: p.heatmap, reversescale: false };
    return trace;
  });
  return { data, layout };
}

/** Call ``onChange`` whenever the reader toggles the palette. */
export function watchPalette(onChange) {
  new MutationObserver(onChange).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"],
  });
}
