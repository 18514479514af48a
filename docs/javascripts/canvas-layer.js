// Line traces of many short pieces (arrows, particle trails, surface meshes) are drawn on a
// canvas laid over the plot area instead of through Plotly: a frame then
// costs a few ms of canvas strokes instead of Plotly's per-point processing.
// They are ordinary Plotly line traces, so the same figure still shows as it
// is in a notebook. Python declares which roles they are (the spec's roles.canvas).
//
// The layer can also cover the plot area with a whole frame (a quick frame, see
// widget.js): its background, heatmaps and circle markers as well as its lines. Any
// change of a trace's data makes Plotly replot every trace, axis and colour bar
// (tens of ms), a canvas frame costs about one.

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

/** Whether the layer can draw ``trace`` in a quick frame as Plotly would draw it. */
export function canCover(trace, canvasRoles) {
  if (isCanvasTrace(trace, canvasRoles)) return true;
  if (trace.type === "heatmap") return trace.zsmooth === "fast" && trace.x?.length > 1 && trace.y?.length > 1;
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

export class CanvasLayer {
  constructor(gd) {
    this.gd = gd;
    this.traces = [];
    this.cover = null;
    this.tables = new Map(); // colour scale (as JSON) -> its colour table
    this.canvas = document.createElement("canvas");
    this.canvas.className = "jb-canvas";
    this.canvas.setAttribute("aria-hidden", "true");
    gd.append(this.canvas);
    // Plotly redraws axes on resize and relayout; follow them.
    gd.on("plotly_afterplot", () => this.draw(this.traces, this.cover));
  }

  /** Draw ``traces`` over the plot area: Plotly line traces alone, or with ``cover``
   * (a colour) a whole frame on that background, in the traces' order. */
  draw(traces, cover = null) {
    this.traces = traces;
    this.cover = cover;
    const layout = this.gd._fullLayout;
    if (!layout || !layout.xaxis) return;
    const { xaxis, yaxis } = layout;
    const ratio = window.devicePixelRatio || 1;
    const { canvas } = this;
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
    ctx.lineWidth = trace.line.width;
    ctx.beginPath();
    let pen = false; // a gap in the data lifts the pen
    for (let k = 0; k < trace.x.length; k++) {
      const x = trace.x[k];
      const y = trace.y[k];
      if (gap(x) || gap(y)) {
        pen = false;
        continue;
      }
      const px = xaxis.l2p(x);
      const py = yaxis.l2p(y);
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
      symbol(ctx, xaxis.l2p(trace.x[k]), yaxis.l2p(trace.y[k]), (marker.size ?? 6) / 2);
      ctx.fill();
      if (ctx.lineWidth) ctx.stroke();
    }
  }

  /** A heatmap as zsmooth "fast" draws it: one pixel per cell, stretched by the browser
   * from the first cell's outer edge to the last's; a gap is left empty. */
  heatmap(ctx, trace, xaxis, yaxis) {
    const { x, y, z } = trace;
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
    const image = new ImageData(n, m);
    const scale = 255 / (zmax - zmin || 1);
    for (let r = 0; r < m; r++) {
      const row = z[r];
      const line = (m - 1 - r) * n; // the first row is the lowest y: the image's last line
      for (let c = 0; c < n; c++) {
        const v = row[c];
        if (gap(v)) continue;
        const t = 4 * Math.round(Math.min(255, Math.max(0, (v - zmin) * scale)));
        const p = 4 * (line + c);
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
    const dx = (x[n - 1] - x[0]) / (n - 1);
    const dy = (y[m - 1] - y[0]) / (m - 1);
    const left = xaxis.l2p(x[0] - dx / 2);
    const top = yaxis.l2p(y[m - 1] + dy / 2);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.cells, left, top, xaxis.l2p(x[n - 1] + dx / 2) - left, yaxis.l2p(y[0] - dy / 2) - top);
  }

  remove() {
    this.canvas.remove();
  }
}
