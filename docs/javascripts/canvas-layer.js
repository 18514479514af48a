// Line traces of many short pieces (arrows, particle trails, surface meshes) are drawn on a
// canvas laid over their plot's area instead of through Plotly: a frame then
// costs a few ms of canvas strokes instead of Plotly's per-point processing.
// They are ordinary Plotly line traces, so the same figure still shows as it
// is in a notebook. Python declares which roles they are (the spec's roles.canvas).
//
// The layer can also draw whole plots, one canvas each: a quick frame's only plot on
// the page's background, and an animation frame's plots of fixed axes (see widget.js):
// heatmaps, markers and lines as well as those traces. Any change of a trace's data
// makes Plotly replot every trace, axis, legend and colour bar (tens of ms), a canvas
// frame costs about one.

/** Whether ``trace`` goes on the canvas: a line trace whose role is in ``canvasRoles``. */
export function isCanvasTrace(trace, canvasRoles) {
  return Boolean(trace.meta && canvasRoles.includes(trace.meta.role) && trace.mode === "lines");
}

/** A gap in a trace's data: null in JSON, NaN in a typed array. */
function gap(v) {
  return v === null || v === undefined || Number.isNaN(v);
}

// The marker symbols the layer draws, as Plotly draws them: a path around the point,
// for a marker ``size`` px across (Plotly's diamond reaches 1.3 times the radius).
const SYMBOLS = new Map([
  ["circle", (ctx, x, y, r) => ctx.arc(x, y, r, 0, 2 * Math.PI)],
  ["diamond", (ctx, x, y, r) => {
    const d = 1.3 * r;
    ctx.moveTo(x + d, y);
    ctx.lineTo(x, y + d);
    ctx.lineTo(x - d, y);
    ctx.lineTo(x, y - d);
    ctx.closePath();
  }],
]);

// Plotly's dash patterns, in multiples of the line's width (at least 3 px): drawing.dashStyle.
const DASHES = new Map([
  ["solid", []], ["dot", [1, 1]], ["dash", [3, 3]], ["longdash", [5, 5]], ["dashdot", [3, 1, 1, 1]],
  ["longdashdot", [5, 2, 1, 2]],
]);

/** Whether ``values`` are numbers (or gaps): not the names of a category axis. */
function numeric(values) {
  return !values || ArrayBuffer.isView(values) || values.every((v) => v === null || typeof v === "number");
}

/** Whether the layer can draw ``trace`` as Plotly would draw it, over a plot it covers whole. */
export function canCover(trace, canvasRoles) {
  if (![undefined, true].includes(trace.visible)) return false; // hidden, or in the legend only
  if (isCanvasTrace(trace, canvasRoles)) return true;
  if (!numeric(trace.x) || !numeric(trace.y)) return false;
  if (trace.type === "scatter" && trace.mode === "lines") {
    // Straight pieces of one colour between the points, a gap lifting the pen, a dash of Plotly's.
    return typeof trace.line?.color === "string" && [undefined, "linear"].includes(trace.line.shape)
      && [undefined, "none"].includes(trace.fill) && !trace.connectgaps && DASHES.has(trace.line.dash ?? "solid");
  }
  if (trace.type === "heatmap") {
    // Cells of one size: at x and y, or at the indices (no x0, dx and the like).
    const cells = (coords, count) => (coords ? coords.length === count : !("x0" in trace || "y0" in trace));
    const z = trace.z;
    // A colour bar stays Plotly's, on the trace's zmin and zmax (widget.js, placeholder).
    const scaled = trace.showscale === false || (trace.zmin !== undefined && trace.zmax !== undefined);
    return [undefined, false, "fast"].includes(trace.zsmooth) && z?.length > 1 && z[0]?.length > 1
      && cells(trace.x, z[0].length) && cells(trace.y, z.length) && scaled
      && Array.isArray(trace.colorscale) && !trace.reversescale && (trace.opacity ?? 1) === 1;
  }
  if (trace.type === "scatter" && trace.mode === "markers") {
    // Circles and diamonds of one colour; a trace of other symbols may still be empty.
    return !trace.x?.length || (SYMBOLS.has(trace.marker?.symbol ?? "circle") && typeof trace.marker?.color === "string");
  }
  return false;
}

/** 256 colours along a Plotly colour scale, as RGBA bytes: the browser reads the colours. */
function colourTable(colorscale) {
  const canvas = document.createElement("canvas");
  canvas.width = 256;
  canvas.height = 1;
  const ctx = canvas.getContext("2d");
  const gradient = ctx.createLinearGradient(0, 0, 256, 0);
  for (const [at, colour] of colorscale) gradient.addColorStop(at, colour);
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, 256, 1);
  return ctx.getImageData(0, 0, 256, 1).data;
}

/** The plot ``trace`` is drawn on, named by its axes as Plotly names it ("xy", "x3y3"). */
export function subplotOf(trace) {
  return `${trace.xaxis ?? "x"}${trace.yaxis ?? "y"}`;
}

/** Plotly's laid-out axis of id ``id`` ("x", "y3"). */
function axisOf(layout, id) {
  return layout[`${id[0]}axis${id.slice(1)}`];
}

export class CanvasLayer {
  constructor(gd) {
    this.gd = gd;
    this.traces = [];
    this.cover = null;
    this.tables = new Map(); // colour scale (as JSON) -> its colour table
    this.canvases = new Map(); // plot ("xy", "x2y2") -> the canvas over its area
    // Plotly redraws axes on resize and relayout; follow them.
    gd.on("plotly_afterplot", () => this.draw(this.traces, this.cover));
  }

  /** Draw ``traces`` over their plots' areas, one canvas per plot: Plotly line traces alone,
   * or with ``cover`` (a colour) whole plots on that background, in the traces' order. */
  draw(traces, cover = null) {
    this.traces = traces;
    this.cover = cover;
    const layout = this.gd._fullLayout;
    if (!layout) return;
    const plots = new Map();
    for (const trace of traces) {
      const plot = subplotOf(trace);
      if (!plots.has(plot)) plots.set(plot, []);
      plots.get(plot).push(trace);
    }
    for (const [plot, canvas] of this.canvases) {
      if (!plots.has(plot)) canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    }
    for (const [plot, onPlot] of plots) {
      const [, xid, yid] = plot.match(/^(x\d*)(y\d*)$/);
      const xaxis = axisOf(layout, xid);
      const yaxis = axisOf(layout, yid);
      if (xaxis && yaxis) this.drawPlot(this.canvasOf(plot), onPlot, cover, xaxis, yaxis);
    }
  }

  /** The canvas over ``plot``, made the first time (in the order plots are first drawn). */
  canvasOf(plot) {
    if (!this.canvases.has(plot)) {
      const canvas = document.createElement("canvas");
      canvas.className = "jb-canvas";
      canvas.dataset.plot = plot;
      canvas.setAttribute("aria-hidden", "true");
      this.gd.append(canvas);
      this.canvases.set(plot, canvas);
    }
    return this.canvases.get(plot);
  }

  drawPlot(canvas, traces, cover, xaxis, yaxis) {
    const ratio = window.devicePixelRatio || 1;
    Object.assign(canvas.style, {
      left: `${xaxis._offset}px`, top: `${yaxis._offset}px`,
      width: `${xaxis._length}px`, height: `${yaxis._length}px`,
    });
    canvas.width = Math.round(xaxis._length * ratio);
    canvas.height = Math.round(yaxis._length * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, xaxis._length, yaxis._length);
    if (cover) {
      ctx.fillStyle = cover;
      ctx.fillRect(0, 0, xaxis._length, yaxis._length);
    }
    for (const trace of traces) {
      if (trace.type === "heatmap") this.heatmap(ctx, trace, xaxis, yaxis);
      else if (trace.mode === "markers") this.markers(ctx, trace, xaxis, yaxis);
      else this.lines(ctx, trace, xaxis, yaxis);
    }
  }

  lines(ctx, trace, xaxis, yaxis) {
    ctx.globalAlpha = trace.opacity ?? 1;
    ctx.strokeStyle = trace.line.color;
    ctx.lineWidth = trace.line.width ?? 2;
    ctx.setLineDash(DASHES.get(trace.line.dash ?? "solid").map((d) => d * Math.max(ctx.lineWidth, 3)));
    ctx.beginPath();
    let pen = false; // a gap in the data lifts the pen
    for (let k = 0; k < trace.x.length; k++) {
      const x = trace.x[k];
      const y = trace.y[k];
      if (gap(x) || gap(y)) {
        pen = false;
        continue;
      }
      const px = xaxis.c2p(x);
      const py = yaxis.c2p(y);
      if (pen) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
      pen = true;
    }
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  /** Markers (see SYMBOLS) of ``marker.size`` px across, filled, with their outline. */
  markers(ctx, trace, xaxis, yaxis) {
    const { marker } = trace;
    const symbol = SYMBOLS.get(marker.symbol ?? "circle");
    ctx.fillStyle = marker.color;
    ctx.strokeStyle = marker.line?.color ?? marker.color;
    ctx.lineWidth = marker.line?.width ?? 0;
    for (let k = 0; k < trace.x.length; k++) {
      if (gap(trace.x[k]) || gap(trace.y[k])) continue;
      ctx.beginPath();
      symbol(ctx, xaxis.c2p(trace.x[k]), yaxis.c2p(trace.y[k]), (marker.size ?? 6) / 2);
      ctx.fill();
      if (ctx.lineWidth) ctx.stroke();
    }
  }

  /** A heatmap as Plotly draws it, its cells uniform: one pixel per cell, stretched from
   * the first cell's outer edge to the last's, smoothed for zsmooth "fast", sharp for
   * bricks; cells at x and y, or at the indices (as Plotly places them without); a gap
   * left empty. Either axis may be reversed. */
  heatmap(ctx, trace, xaxis, yaxis) {
    const { z } = trace;
    const x = trace.x ?? z[0].map((_, c) => c);
    const y = trace.y ?? z.map((_, r) => r);
    const key = JSON.stringify(trace.colorscale);
    if (!this.tables.has(key)) this.tables.set(key, colourTable(trace.colorscale));
    const table = this.tables.get(key);
    let { zmin, zmax } = trace;
    if (zmin === undefined || zmax === undefined) {
      const finite = z.flatMap((row) => Array.from(row)).filter((v) => !gap(v));
      zmin = Math.min(...finite);
      zmax = Math.max(...finite);
    }
    const n = x.length;
    const m = y.length;
    // The cells' outer edges on screen; the image's first line is the one at the top.
    const dx = (x[n - 1] - x[0]) / (n - 1);
    const dy = (y[m - 1] - y[0]) / (m - 1);
    const left = xaxis.c2p(x[0] - dx / 2);
    const right = xaxis.c2p(x[n - 1] + dx / 2);
    const first = yaxis.c2p(y[0] - dy / 2); // the first row's outer edge
    const last = yaxis.c2p(y[m - 1] + dy / 2);
    const flipX = right < left;
    const flipY = first > last; // the first row at the bottom, as on an upward axis
    const image = new ImageData(n, m);
    const scale = 255 / (zmax - zmin || 1);
    for (let r = 0; r < m; r++) {
      const row = z[r];
      const line = (flipY ? m - 1 - r : r) * n;
      for (let c = 0; c < n; c++) {
        const v = row[c];
        if (gap(v)) continue;
        const t = 4 * Math.round(Math.min(255, Math.max(0, (v - zmin) * scale)));
        const p = 4 * (line + (flipX ? n - 1 - c : c));
        image.data[p] = table[t];
        image.data[p + 1] = table[t + 1];
        image.data[p + 2] = table[t + 2];
        image.data[p + 3] = table[t + 3];
      }
    }
    this.cells ??= document.createElement("canvas");
    this.cells.width = n;
    this.cells.height = m;
    this.cells.getContext("2d").putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = trace.zsmooth === "fast";
    const top = Math.min(first, last);
    const from = Math.min(left, right);
    ctx.drawImage(this.cells, from, top, Math.abs(right - left), Math.abs(last - first));
  }

  remove() {
    for (const canvas of this.canvases.values()) canvas.remove();
  }
}
