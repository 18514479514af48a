// Figures on a narrower screen than the article's column they are drawn for.
// Python draws each figure once, for that column; at phone width two panels side
// by side get some 150 px each, too small to read. So, in the page: long titles
// break into lines; on a phone, columns of panels stack, each full width, left
// column first, with their titles, shapes and legend; other figures get a shorter
// plot area. Titles, axes and legends keep their size in pixels throughout, and
// the data never changes: only where things are drawn.

const AXIS_ROOM = 62; // px under a stacked panel for its tick labels and axis title
const LINE = 16; // px: one line of a panel's title
const TITLE_PAD = 20; // px the layout's title keeps from the figure's edges
const TICK_OVERHANG = 6; // px: a y axis's top tick label stands half above the panel, under its title
const CHAR = 6.3; // px: a title's average character, for guessing whether it fits
const LEGEND_ROW = 19; // px: one row of a horizontal legend
const STACK_BELOW = 520; // px of plot width: below it (a phone), side-by-side panels stack
const MIN_SHRINK = 0.6; // a narrow plot's area keeps at least this share of its height
const MIN_PANEL = 150; // px: the shortest a stacked panel gets
const PANEL_ASPECT = 0.5; // a stacked panel's height, as a share of the plot's width
const STACKED_COLUMN = 1.15; // the height of a column of several panels, in panels

const overlap = (a, b) => Math.min(a[1], b[1]) - Math.max(a[0], b[0]) > 0;

/** Axis names: "x" -> "xaxis", "y2" -> "yaxis2". */
const axisKey = (ref) => `${ref[0]}axis${ref.slice(1)}`;

/** The figure's panels: each x axis with the y axis it stands on, their domains, and the
 * column and row of the grid they sit in; null when the figure is not a grid of 2D axes. */
function panels(layout) {
  const xs = Object.keys(layout).filter((k) => /^xaxis\d*$/.test(k));
  if (Object.keys(layout).some((k) => /^(scene|polar|geo|ternary)/.test(k))) return null;
  const found = [];
  const usedY = new Set();
  for (const xKey of xs) {
    const suffix = xKey.slice(5);
    const yKey = axisKey(layout[xKey].anchor || `y${suffix}`);
    if (!layout[yKey] && yKey !== "yaxis") return null;
    if (usedY.has(yKey)) return null; // a y axis shared across panels cannot be split
    usedY.add(yKey);
    found.push({ xKey, yKey, x: layout[xKey].domain || [0, 1], y: layout[yKey]?.domain || [0, 1] });
  }
  return found;
}

/** The grid's columns: overlapping x domains joined, left to right; and each panel's column. */
function columnsOf(found) {
  const spans = [];
  for (const p of [...found].sort((a, b) => a.x[0] - b.x[0])) {
    const last = spans[spans.length - 1];
    if (last && overlap(last, p.x)) last[1] = Math.max(last[1], p.x[1]);
    else spans.push([...p.x]);
  }
  return { spans, of: found.map((p) => spans.findIndex((span) => overlap(span, p.x))) };
}

/**
 * ``figure`` with its columns of panels stacked for a plot ``width`` px wide, or null
 * when it has a single column (nothing to stack) or is not a grid of 2D axes. A
 * column keeps its own panels one above the other, inside its band.
 */
function stackPanels(figure, width) {
  const layout = figure.layout;
  const found = panels(layout);
  if (!found || found.length < 2) return null;
  const columns = columnsOf(found);
  if (columns.spans.length < 2) return null;

  const margin = { t: 40, b: 40, ...layout.margin };
  const oldArea = Math.max(1, (layout.height || 450) - margin.t - margin.b);
  const panel = Math.max(MIN_PANEL, Math.min(oldArea, Math.round(width * PANEL_ASPECT)));
  // The column a paper point belongs to: strictly inside its span (an item centred
  // on the whole figure, or on a column's edge, belongs to none).
  const home = (x) => {
    const c = columns.spans.findIndex(([a, b]) => x > a + 0.01 && x < b - 0.01);
    return c < 0 ? null : c;
  };
  // An annotation's column; a title centred on the whole figure (x = 0.5 exactly) has none,
  // even where a column's span holds 0.5: it stays above all the panels, centred.
  const homeOf = (a) => (a.x ?? 0.5) === 0.5 && (a.xanchor ?? "center") === "center" ? null : home(a.x ?? 0.5);
  // A column holding panels one above the other gets a taller band; above each band
  // but the first, room for the previous band's axis and this column's titles. A grid
  // with several such columns (rows and columns of panels) stays a grid: stacked, it
  // would be several screens tall.
  const stacked = columns.spans.map((span, c) => found.filter((p, i) => columns.of[i] === c && p.y[1] - p.y[0] < 0.7).length > 1);
  if (stacked.filter(Boolean).length > 1) return null;
  const heights = stacked.map((several) => Math.round(panel * (several ? STACKED_COLUMN : 1)));
  // Between the panels of one column lie their titles, tick labels and labels, which keep
  // their size in pixels: so do those gaps (up to AXIS_ROOM each), and the panels take what
  // is left of the column's height (at least MIN_SHRINK of their share of it).
  const inner = columns.spans.map((span, c) => innerGaps(found.filter((p, i) => columns.of[i] === c))
    .map(([lo, hi]) => ({ lo, hi, px: Math.min(AXIS_ROOM, (hi - lo) * oldArea) })));
  const gapAbove = (y, c) => inner[c].reduce((sum, g) => sum + Math.max(0, g.hi - Math.max(g.lo, y)), 0);
  const gapPxAbove = (y, c) => inner[c].reduce((sum, g) => sum + g.px * Math.max(0, g.hi - Math.max(g.lo, y)) / (g.hi - g.lo), 0);
  const scales = heights.map((h, c) => Math.max((h - gapPxAbove(0, c)) / (1 - gapAbove(0, c)), h * MIN_SHRINK));
  // Pixels from the top of column c's band down to the old paper y.
  const depth = (y, c) => scales[c] * (1 - y - gapAbove(y, c)) + gapPxAbove(y, c);
  const bands = scales.map((scale, c) => Math.round(depth(0, c)));
  const titleLines = columns.spans.map((span, c) => Math.max(0, ...(layout.annotations || [])
    .filter((a) => a.yref === "paper" && a.xref === "paper" && (a.y ?? 0) >= 0.98 && homeOf(a) === c)
    .map(lines)));
  const gaps = bands.map((b, c) => (c === 0 ? 0 : AXIS_ROOM + LINE * titleLines[c] + TICK_OVERHANG));
  const tops = bands.map((b, c) => bands.slice(0, c).reduce((sum, h, k) => sum + h + gaps[k + 1], 0));
  const area = tops[tops.length - 1] + bands[bands.length - 1];
  const paperY = (px) => 1 - px / area; // pixels from the top of the plot area -> paper y
  // An old paper y inside column c's band; outside every column (a legend below, a
  // title over all panels) a point keeps its distance in pixels from the plot area.
  const moveY = (y, c) => {
    if (c === null) return y >= 1 ? 1 + (y - 1) * oldArea / area : y <= 0 ? y * oldArea / area : y;
    return paperY(tops[c] + depth(y, c));
  };
  const moveX = (x, c) => (c === null ? x : (x - columns.spans[c][0]) / (columns.spans[c][1] - columns.spans[c][0]));

  // A legend below the panels keeps its distance from them, and the bottom margin makes
  // room for all its rows: else Plotly would widen the margin itself, squeezing the panels.
  const bottom = bottomMargin(figure, width, oldArea);
  const out = { ...layout, height: area + margin.t + bottom, margin: { ...margin, b: bottom } };
  for (const [i, p] of found.entries()) {
    const c = columns.of[i];
    out[p.xKey] = { ...layout[p.xKey], domain: [0, 1] };
    // automargin: a right panel's tick labels and title stood in the gap between the panels;
    // stacked, they need the left margin, which was sized for the left panel's alone.
    out[p.yKey] = { ...(layout[p.yKey] || {}), domain: [moveY(p.y[0], c), moveY(p.y[1], c)], automargin: true };
  }
  if (layout.annotations) {
    out.annotations = layout.annotations.map((a) => {
      if (a.xref !== "paper" || a.yref !== "paper") return a;
      const c = homeOf(a);
      return { ...a, x: moveX(a.x ?? 0.5, c), y: moveY(a.y ?? 0.5, c) };
    });
  }
  const columnOfAxis = (ref) => columns.of[found.findIndex((p) => p.xKey === axisKey(ref || "x"))];
  if (layout.shapes) {
    // A shape on an axis's x and the paper's y (a band over a panel) follows that axis's column.
    out.shapes = layout.shapes.map((s) => {
      const c = columnOfAxis(s.xref);
      return s.yref !== "paper" || c === undefined ? s : { ...s, y0: moveY(s.y0, c), y1: moveY(s.y1, c) };
    });
  }
  if (layout.legend && typeof layout.legend.y === "number") {
    out.legend = { ...layout.legend, y: moveY(layout.legend.y, home(layout.legend.x ?? 0.5)) };
  }
  const data = figure.data.map((t) => {
    const c = columnOfAxis(t.xaxis);
    if (!t.colorbar || c === undefined) return t;
    // A colour bar beside its own column's band, as long as it.
    return { ...t, colorbar: { ...t.colorbar, x: 1.02, xanchor: "left", y: paperY(tops[c]), yanchor: "top",
                               len: bands[c] / area, lenmode: "fraction" } };
  });
  return { ...figure, data, layout: out };
}

/** The gaps between a column's panels, as [low, high] in paper y, bottom first. */
function innerGaps(column) {
  const spans = column.map((p) => p.y).sort((a, b) => a[0] - b[0]);
  const gaps = [];
  let top = spans.length ? spans[0][1] : 0;
  for (const [lo, hi] of spans.slice(1)) {
    if (lo > top) gaps.push([top, lo]);
    top = Math.max(top, hi);
  }
  return gaps;
}

/** ``line`` broken into as few lines as fit ``width`` px: at its " · " between parts, and
 * where a part is still too long, after its semicolons, then its commas. */
function pack(line, width, separators = [" · ", "; ", ", "]) {
  const fits = (text) => text.replace(/<[^>]*>/g, "").length * CHAR <= width;
  if (fits(line) || !separators.length) return line;
  const [separator, ...finer] = separators;
  const lines = [];
  for (const part of line.split(separator)) {
    const joined = lines.length ? `${lines[lines.length - 1]}${separator}${part}` : null;
    if (joined !== null && fits(joined)) lines[lines.length - 1] = joined;
    else lines.push(part);
  }
  // A comma or semicolon stays at the end of its line; a " · " is the line break itself.
  const glue = separator === " · " ? "<br>" : `${separator.trim()}<br>`;
  return lines.map((l) => pack(l, width, finer)).join(glue);
}

/** The px an annotation's lines may take in a figure ``width`` px wide, from where it stands
 * to the figure's edges. A centred title is taken to stand mid-plot (a column's title does,
 * once stacked): with a wider margin on one side (a colour bar's), its room is less than the
 * width. Plotly's default margins where the layout sets none. */
function room(a, layout, width) {
  const { l, r } = { l: 80, r: 80, ...layout.margin };
  const at = (x) => l + x * (width - l - r);
  if (a.xanchor === "left") return width - at(a.x ?? 0.5);
  if (a.xanchor === "right") return at(a.x ?? 0.5);
  return 2 * Math.min(at(0.5), width - at(0.5));
}

/** The lines of an annotation's text. */
function lines(a) {
  return String(a.text ?? "").split(/<br\s*\/?>/i).length;
}

/**
 * ``figure`` with its titles (the layout's, and annotations) broken into lines
 * where they run wider than ``width`` px (see ``pack``). The top
 * margin grows with the lines added to the figure's top titles, so nothing overlaps.
 */
function wrapTitles(figure, width) {
  const layout = figure.layout;
  let added = 0;
  const annotations = layout.annotations?.map((a) => {
    const text = String(a.text ?? "");
    const longest = Math.max(...text.split(/<br\s*\/?>/i).map((line) => line.replace(/<[^>]*>/g, "").length));
    const fit = room(a, layout, width);
    if (a.yref !== "paper" || longest * CHAR <= fit) return a;
    const wrapped = { ...a, text: text.split(/<br\s*\/?>/i).map((line) => pack(line, fit)).join("<br>") };
    if ((a.y ?? 0) >= 1) added = Math.max(added, lines(wrapped) - lines(a));
    return wrapped;
  });
  // The layout's own title, centred on the whole figure, likewise.
  const heading = typeof layout.title === "string" ? { text: layout.title } : layout.title;
  let title = layout.title;
  if (heading?.text && lines(heading) === 1 && String(heading.text).replace(/<[^>]*>/g, "").length * CHAR > width - TITLE_PAD) {
    title = { ...heading, text: pack(String(heading.text), width - TITLE_PAD) };
    added = Math.max(added, lines(title) - 1);
  }
  const margin = { t: 40, b: 40, ...layout.margin };
  const out = { ...layout, margin: { ...margin, t: margin.t + LINE * added }, height: layout.height && layout.height + LINE * added };
  if (annotations) out.annotations = annotations;
  if (title) out.title = title;
  return { ...figure, layout: out };
}

/** The bottom margin that holds a legend below the plot area (``area`` px tall before the
 * change) at its distance from it, with all its rows at ``width`` px: else Plotly would
 * widen the margin itself and squeeze the panels. */
function bottomMargin(figure, width, area) {
  const { legend, margin = {} } = figure.layout;
  const b = margin.b ?? 40;
  if (!legend || typeof legend.y !== "number" || legend.y >= 0 || figure.layout.showlegend === false) return b;
  return Math.max(b, Math.round(-legend.y * area + LEGEND_ROW * legendRows(figure, width) + 10));
}

/**
 * ``figure`` for a plot ``width`` px wide, narrower than the ``design`` width it was
 * drawn for: long titles broken into lines; on a phone, side-by-side panels stacked;
 * otherwise a shorter plot area (to at least ``MIN_SHRINK`` of its height), keeping the
 * panels' shape, while titles, axes and legend keep their size in pixels.
 */
export function forWidth(figure, width, design) {
  if (width >= design) return figure;
  const wrapped = wrapTitles(figure, width);
  if (isTable(wrapped)) return narrowTable(wrapped, width, design);
  const stacked = width < STACK_BELOW ? stackPanels(wrapped, width) : null;
  if (stacked || !wrapped.layout.height) return stacked || wrapped;
  const layout = wrapped.layout;
  const margin = { t: 40, b: 40, ...layout.margin };
  const area = layout.height - margin.t - margin.b;
  const bottom = bottomMargin(wrapped, width, area);
  const shrunk = Math.round(area * Math.max(MIN_SHRINK, width / design));
  const out = { ...layout, height: margin.t + bottom + shrunk, margin: { ...margin, b: bottom } };
  // A legend outside the plot area keeps its distance from it in pixels; above it, it also
  // rises by the lines the titles under it gained.
  const y = layout.legend?.y;
  const lifted = margin.t - (figure.layout.margin?.t ?? 40);
  if (typeof y === "number" && (y < 0 || y > 1)) out.legend = { ...layout.legend, y: y < 0 ? y * area / shrunk : 1 + ((y - 1) * area + lifted) / shrunk };
  return { ...wrapped, layout: out };
}

/** A table drawn as a heatmap with its values written in the cells. */
function isTable(figure) {
  return figure.data.length === 1 && figure.data[0].type === "heatmap" && Boolean(figure.data[0].texttemplate);
}

/** A table keeps its rows' height (its text must fit them) and, narrower, takes smaller
 * type and a narrower margin for its row names. */
function narrowTable(figure, width, design) {
  const scale = Math.max(0.75, width / design);
  const [cells] = figure.data;
  const smaller = (font = {}, size = 12) => ({ ...font, size: Math.round((font.size || size) * scale) });
  const layout = figure.layout;
  const margin = { ...layout.margin, l: Math.round((layout.margin?.l ?? 80) * scale) };
  return { ...figure, data: [{ ...cells, textfont: smaller(cells.textfont) }],
           layout: { ...layout, margin, xaxis: { ...layout.xaxis, tickfont: smaller(layout.xaxis?.tickfont) },
                     yaxis: { ...layout.yaxis, tickfont: smaller(layout.yaxis?.tickfont) } } };
}

/** How many rows a horizontal legend takes in ``width`` px: its entries (a symbol and
 * a name each) packed left to right. A guess from the names' lengths. */
function legendRows(figure, width) {
  const names = figure.data.filter((t) => t.showlegend !== false && t.name).map((t) => String(t.name).replace(/<[^>]*>/g, ""));
  let rows = names.length ? 1 : 0;
  let used = 0;
  for (const name of names) {
    const entry = 45 + name.length * CHAR;
    if (used && used + entry > width) {
      rows += 1;
      used = 0;
    }
    used += entry;
  }
  return rows;
}
