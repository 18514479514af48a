// Line traces of many short pieces (arrows, particle trails, surface meshes) are drawn on a
// canvas laid over the plot area instead of through Plotly: a frame then
// costs a few ms of canvas strokes instead of Plotly's per-point processing.
// They are ordinary Plotly line traces, so the same figure still shows as it
// is in a notebook. Python declares which roles they are (the spec's roles.canvas).

/** Whether ``trace`` goes on the canvas: a line trace whose role is in ``canvasRoles``. */
export function isCanvasTrace(trace, canvasRoles) {
  return Boolean(trace.meta && canvasRoles.includes(trace.meta.role) && trace.mode === "lines");
}

export class CanvasLayer {
  constructor(gd) {
    this.gd = gd;
    this.traces = [];
    this.canvas = document.createElement("canvas");
    this.canvas.className = "jb-canvas";
    this.canvas.setAttribute("aria-hidden", "true");
    gd.append(this.canvas);
    // Plotly redraws axes on resize and relayout; follow them.
    gd.on("plotly_afterplot", () => this.draw(this.traces));
  }

  /** Stroke ``traces`` (Plotly line traces with null gaps) over the plot area. */
  draw(traces) {
    this.traces = traces;
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
    for (const trace of traces) {
      ctx.globalAlpha = trace.opacity ?? 1;
      ctx.strokeStyle = trace.line.color;
      ctx.lineWidth = trace.line.width;
      ctx.beginPath();
      let pen = false; // a null in the data lifts the pen
      for (let k = 0; k < trace.x.length; k++) {
        const x = trace.x[k];
        const y = trace.y[k];
        if (x === null || y === null) {
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
    }
  }

  remove() {
    this.canvas.remove();
  }
}
