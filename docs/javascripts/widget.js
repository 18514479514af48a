// One figure widget: draws the static figure at once, then turns live when
// the page's Python runtime is ready. It holds no math: every figure comes
// from Python, the widget only sends parameters and draws what comes back.

import { CanvasLayer, canCover, isCanvasTrace, subplotOf } from "./canvas-layer.js";
import { attachDrag } from "./drag.js";
import { forWidth } from "./narrow.js";
import { pythonCall } from "./python-call.js";
import { ackFrame, onFrames, prepareFigure, render, restartRuntime, stopSlot, watchRuntime } from "./runtime-client.js";
import { themed } from "./theme.js";
import { readLink, writeLink } from "./url-state.js";

const PLOT_CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false };
const DESIGN_WIDTH = 660;
// A quick frame (see draw) is followed by Plotly's own drawing of the figure once no
// newer one has come for this long: the end of a drag, or a pause between changes.
const SETTLE_MS = 200;

const STATUS = {
  static: "Static figure, drawn when the page was built. Python is starting…",
  staticLink: "Static figure with the page's settings; the link's settings apply once Python is ready.",
  live: "Live: change a control.",
  liveDrag: "Live: change a control or drag on the plot.",
  // Short, so the buttons beside the line never move while a run goes on.
  training: "Live: training…",
  paused: "Paused.",
};

/** Read a control's value as its parameter's type. */
function readControl(input, param) {
  if (param.kind === "bool") return input.checked;
  if (param.kind === "choice") return input.value;
  return param.kind === "int" ? parseInt(input.value, 10) : parseFloat(input.value);
}

function decimals(step) {
  const text = String(step);
  return text.includes(".") ? text.length - text.indexOf(".") - 1 : 0;
}

/** ``layout`` as text, without its title: what a quick frame must find unchanged. */
function withoutTitle(layout) {
  return JSON.stringify({ ...layout, title: undefined });
}

/** ``layout`` for an animation's frames: Plotly does not measure each tick label it has
 * drawn to hide one that would overflow the figure (a forced layout per label, every
 * frame). The whole figure drawn after a run does. */
function forFrames(layout) {
  const frame = { ...layout };
  for (const key of Object.keys(frame)) {
    if (/^[xy]axis\d*$/.test(key)) frame[key] = { ticklabeloverflow: "allow", ...frame[key] };
  }
  return frame;
}

// A placeholder's points: the same arrays every frame, so that Plotly finds its data unchanged.
const NO_POINT = [null];
const ONE_CELL = [[0]]; // drawn fully transparent: a heatmap of gaps alone would lose its colour bar

/** What Plotly is given of ``trace`` when the canvas layer draws it: its legend entry and
 * colour bar (on the zmin and zmax it keeps), without its points (one gap, not none: Plotly
 * leaves a trace without points out of its legend, and drops the axes of a plot without
 * traces). Nothing in it changes from frame to frame but what the figure changes, so Plotly
 * redraws none of it (its role, in ``meta``, would count as a change: Plotly compares
 * objects by identity). */
function placeholder(trace) {
  const { meta, x, y, z, ...rest } = trace;
  if (trace.type === "heatmap") return { ...rest, z: ONE_CELL, opacity: 0, hoverinfo: "skip" };
  return { ...rest, x: NO_POINT, y: NO_POINT, hoverinfo: "skip" };
}

/** ``value`` with each of its arrays of plain values that equals its counterpart in ``previous``
 * replaced by that very array. Plotly compares a layout's data arrays (an axis's tickvals) by
 * identity, and replots the whole figure for an equal copy. */
function keepArrays(value, previous) {
  if (Array.isArray(value)) {
    const same = Array.isArray(previous) && value.length === previous.length && value.every((v, k) => v === previous[k]);
    return same ? previous : value;
  }
  if (value?.constructor !== Object || previous?.constructor !== Object) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keepArrays(v, previous[k])]));
}

/** ``layout`` as Plotly is given it: without its ``meta`` (the figure's progress, which tests
 * read from the widget's figure), whose every change Plotly would answer with a full replot. */
function forPlotly(layout) {
  const { meta, ...rest } = layout;
  return rest;
}

/** The colour behind ``element``: the first background up its ancestors that is not transparent. */
function background(element) {
  for (let e = element; e; e = e.parentElement) {
    const colour = getComputedStyle(e).backgroundColor;
    if (colour && colour !== "transparent" && colour !== "rgba(0, 0, 0, 0)") return colour;
  }
  return "white";
}

export class Widget {
  constructor(root) {
    this.root = root;
    root.jacobiator = this; // tests and the benchmark read the drawn figure here
    const spec = JSON.parse(root.querySelector("template.jb-spec").content.textContent);
    this.key = spec.figure;
    this.schema = spec.schema;
    this.roles = spec.roles; // which trace roles are canvas-drawn and themed (jacobiator.figures.plot.ROLES)
    this.base = spec.params; // the page's settings: what Reset returns to
    this.params = { ...spec.params };
    this.staticFigure = spec.static;
    this.figure = spec.static;
    this.plot = root.querySelector(".jb-plot");
    this.statusLine = root.querySelector(".jb-status");
    // The page may give only some parameters a control; the others keep their values.
    this.inputs = Object.fromEntries(this.schema.params
      .map((p) => [p.name, root.querySelector(`[name="${p.name}"]`)])
      .filter(([, input]) => input));
    this.busy = false; // one request in flight per widget...
    this.dirty = false; // ...and at most one waiting: the newest parameters win
    this.drawing = false;
    this.newest = null; // the newest reply that arrived while drawing
    this.live = false;
    this.animating = false; // the worker runs an animation for this widget...
    this.waitingFrame = false; // ...and computes its next frame
    this.visible = true;
    this.paused = false;
    this.plotsOnCanvas = new Set(); // the plots the canvas layer drew whole at the last frame
    this.liveStatus = this.schema.drag ? STATUS.liveDrag : STATUS.live;
  }

  /** Wire the controls and draw the static figure: at once with ``drawNow`` (resolves once
   * it is on screen), else when the widget nears the view or ``drawStatic`` is called. */
  mount(drawNow = true) {
    const drawn = drawNow ? this.drawStatic() : Promise.resolve();
    if (!drawNow) {
      // One screen ahead, so that a reader scrolling down finds it drawn.
      this.nearby = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) this.drawStatic();
      }, { rootMargin: "100% 0px" });
      this.nearby.observe(this.root);
    }
    // Python checks what a link says, so its values go out with the first request
    // once Python is ready (when they take effect in any case).
    const link = readLink(this.root);
    this.link = Object.keys(link).length ? link : undefined;
    this.linkNote = this.root.querySelector(".jb-link-note");
    this.setStatus("static", this.link ? STATUS.staticLink : STATUS.static);
    for (const param of this.schema.params.filter((p) => this.inputs[p.name])) {
      this.syncControl(param.name);
      this.inputs[param.name].addEventListener("input", (event) => {
        this.params[param.name] = readControl(event.target, param);
        this.showValue(param);
        this.changed();
      });
    }
    this.resetButton = this.root.querySelector(".jb-reset");
    this.resetButton.addEventListener("click", () => this.reset());
    this.trainButton = this.root.querySelector(".jb-train");
    this.trainButton?.addEventListener("click", () => this.toggleTraining());
    this.restartButton = this.root.querySelector(".jb-restart");
    this.restartButton?.addEventListener("click", () => this.request());
    this.code = this.root.querySelector(".jb-python-code");
    this.root.querySelector(".jb-copy").addEventListener("click", (event) => {
      navigator.clipboard.writeText(this.code.textContent).then(
        () => { event.target.textContent = "Copied"; },
        () => { event.target.textContent = "Select the code to copy it"; });
    });
    this.showPython();
    const drag = this.schema.drag;
    if (drag) {
      this.plot.classList.add("jb-draggable");
      attachDrag(this.plot, () => this.live, (x, y) => {
        this.params[drag.x] = this.clamp(drag.x, x);
        this.params[drag.y] = this.clamp(drag.y, y);
        this.syncControl(drag.x);
        this.syncControl(drag.y);
        this.changed();
      });
      this.plot.addEventListener("keydown", (event) => this.onKey(event, drag));
    }
    onFrames(this.root.id, (reply) => {
      // Python's answer to an ack of a run that a newer request replaced, or a
      // frame of such a run still on its way: the new run's reply supersedes it.
      if (reply.stale || reply.run !== this.run) return;
      this.waitingFrame = false;
      this.show(reply);
    });
    // Off screen, an animation pauses: no frame is asked for until it shows again.
    this.observer = new IntersectionObserver((entries) => {
      // Several changes can arrive at once (out of view, back in): the last one is now.
      this.visible = entries[entries.length - 1].isIntersecting;
      this.nextFrame();
    });
    this.observer.observe(this.root);
    this.unwatch = watchRuntime((rt) => this.onRuntime(rt));
    prepareFigure(this.key);
    return drawn;
  }

  /** The static figure, unless a figure is drawn already; resolves once it is on screen. */
  drawStatic() {
    this.nearby?.disconnect();
    this.nearby = null;
    return this.drawnOnce ? Promise.resolve() : this.draw(this.figure);
  }

  /** Let go of the runtime and the plot when the page is left (instant navigation). */
  unmount() {
    this.unwatch?.();
    this.observer?.disconnect();
    this.nearby?.disconnect();
    clearTimeout(this.settling);
    stopSlot(this.root.id);
    this.layer?.remove();
    Plotly.purge(this.plot);
  }

  /** Draw ``figure``: the canvas layer for its arrows and trails, Plotly for the rest.
   * ``how``: "full"; "canvas", an animation frame that changes only the trails (Plotly's
   * part is unchanged); "quick", a reply to a change, which the canvas layer draws
   * whole over the plot area when it can (``quickly``), leaving Plotly's part as it was
   * but for the title; or "frame", an animation frame, whose plots the canvas layer
   * draws when it can (``coverable``) while Plotly draws the rest. Whatever changes
   * in a trace's data, Plotly replots every trace, axis, legend and colour bar, tens of ms a
   * frame (a scatter's markers styled one by one). Plotly draws the whole figure (its hover
   * labels, its colour bar's range) SETTLE_MS after the last quick frame or frame. */
  async draw(figure, how = "full") {
    this.drawnOnce = true;
    // Figures are designed for the article's column (DESIGN_WIDTH px); on a narrower
    // screen their titles wrap, and their panels stack or their plot area shrinks.
    const width = this.plot.clientWidth || DESIGN_WIDTH;
    const colored = forWidth(themed(figure, this.roles.themed), width, DESIGN_WIDTH);
    if (how === "quick" && this.quickly(colored)) {
      await this.drawQuick(colored);
      return;
    }
    clearTimeout(this.settling);
    this.settling = null;
    // A trails-only frame leaves Plotly's part as the last frame drew it, and so the plots' places.
    const plots = how === "canvas" ? this.plotsOnCanvas : how === "frame" ? this.coverable(colored) : new Set();
    const onCanvas = colored.data.filter((t) => isCanvasTrace(t, this.roles.canvas) || plots.has(subplotOf(t)));
    if (how !== "canvas") {
      // A trace drawn on the layer keeps its legend entry and colour bar: Plotly draws it without its points.
      const plotted = colored.data.filter((t) => !isCanvasTrace(t, this.roles.canvas))
        .map((t) => (onCanvas.includes(t) ? placeholder(t) : t));
      const layout = withoutTitle(colored.layout); // before Plotly adds its defaults to the layout
      const shown = how === "frame" ? keepArrays(forPlotly(forFrames(colored.layout)), this.plot.layout)
        : forPlotly(colored.layout);
      await Plotly.react(this.plot, { ...colored, layout: shown, data: plotted }, PLOT_CONFIG);
      this.plottedLayout = layout;
    }
    this.plotsOnCanvas = plots;
    if (onCanvas.length || this.layer) {
      this.layer ??= new CanvasLayer(this.plot);
      this.layer.draw(onCanvas);
    }
    if (how === "frame" || plots.size) this.settling = setTimeout(() => this.settle(), SETTLE_MS);
  }

  /** The plots of an animation frame that the canvas layer draws whole, as Plotly would, some
   * of their traces not lines: those of fixed axes (Plotly no longer sees their points) with
   * only traces the layer can draw. When every trace that changes is on such a plot, Plotly
   * redraws only what changed around them (a title), a few ms instead of tens. */
  coverable(colored) {
    const { layout } = colored;
    if (layout.shapes?.length || layout.images?.length) return new Set(); // drawn inside a plot
    const fixed = (id) => Array.isArray(layout[`${id[0]}axis${id.slice(1)}`]?.range);
    const plots = new Set(colored.data.map(subplotOf));
    for (const plot of plots) {
      const traces = colored.data.filter((t) => subplotOf(t) === plot);
      const [xid, yid] = [traces[0].xaxis ?? "x", traces[0].yaxis ?? "y"];
      const covered = fixed(xid) && fixed(yid) && traces.every((t) => canCover(t, this.roles.canvas));
      if (!covered || traces.every((t) => isCanvasTrace(t, this.roles.canvas))) plots.delete(plot);
    }
    return plots;
  }

  /** Whether the canvas layer can draw ``colored`` whole over Plotly's plot area: one
   * plot of fixed axes without grid lines, laid out as Plotly has it but for the title
   * (so the layer's axes are Plotly's), and only traces the layer draws as Plotly would. */
  quickly(colored) {
    const { layout } = colored;
    const plain = (axis) => axis && Array.isArray(axis.range) && axis.showgrid === false && axis.zeroline === false;
    const onePlot = !Object.keys(layout).some((key) => /^[xy]axis\d/.test(key));
    const nothingInside = !layout.shapes?.length && !layout.images?.length && !layout.annotations?.length;
    return onePlot && nothingInside && plain(layout.xaxis) && plain(layout.yaxis)
      && this.plottedLayout === withoutTitle(layout)
      && colored.data.every((t) => canCover(t, this.roles.canvas));
  }

  /** The whole frame on the canvas layer, on the page's background; Plotly only retitles. */
  async drawQuick(colored) {
    this.layer ??= new CanvasLayer(this.plot);
    this.layer.draw(colored.data, background(this.plot));
    const title = colored.layout.title ?? null;
    if (JSON.stringify(title) !== JSON.stringify(this.plot.layout.title ?? null) && !this.retitled(title)) {
      await Plotly.relayout(this.plot, { title });
    }
    clearTimeout(this.settling);
    this.settling = setTimeout(() => this.settle(), SETTLE_MS);
  }

  /** Whether the title ``title`` took the place of the one shown without Plotly: only its
   * text changed, and both are one line of plain text (Plotly's relayout of a title lays the
   * figure out again, a few ms of every quick frame). Plotly's layouts are told the new text,
   * so that its next drawing compares with what is shown. */
  retitled(title) {
    const text = typeof title === "string" ? title : title?.text;
    const shown = this.plot.querySelector(".g-gtitle text.gtitle");
    const old = this.plot.layout.title;
    const plain = (s) => typeof s === "string" && s !== "" && !/[<&\n$]/.test(s);
    const sameStyle = typeof title === "object" && typeof old === "object"
      && JSON.stringify({ ...title, text: null }) === JSON.stringify({ ...old, text: null });
    if (!shown || shown.childElementCount || !sameStyle || !plain(text) || !plain(shown.textContent)) return false;
    shown.textContent = text;
    shown.setAttribute("data-unformatted", text);
    this.plot.layout.title = { ...title };
    this.plot._fullLayout.title.text = text;
    return true;
  }

  /** Plotly draws the figure that the last quick frame showed, between replies' drawings. */
  async settle() {
    this.settling = null;
    if (this.drawing) {
      this.settling = setTimeout(() => this.settle(), SETTLE_MS);
      return;
    }
    this.drawing = true;
    try {
      await this.draw(this.figure);
    } finally {
      this.drawing = false;
    }
    this.root.dispatchEvent(new CustomEvent("jb:settled", { bubbles: true }));
    if (this.newest) {
      const next = this.newest;
      this.newest = null;
      this.show(next);
    }
  }

  /** After any change of parameters: the link, the Python call, the figure. */
  changed() {
    writeLink(this.root, this.params, this.base);
    this.showIgnored([]); // the link no longer holds what was ignored
    this.showPython();
    this.request();
  }

  showPython() {
    this.code.textContent = pythonCall(this.key, this.schema, this.params);
  }

  /** Back to the page's settings; the static figure is theirs, so no Python is needed. */
  reset() {
    this.params = { ...this.base };
    for (const name of Object.keys(this.inputs)) this.syncControl(name);
    this.changed();
  }

  /** Arrow keys move the dragged point: a tenth of its range, or one step with Shift. */
  onKey(event, drag) {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowDown: [0, -1], ArrowUp: [0, 1] };
    if (!this.live || !moves[event.key]) return;
    event.preventDefault(); // the page does not scroll
    const [dx, dy] = moves[event.key];
    for (const [name, d] of [[drag.x, dx], [drag.y, dy]]) {
      const p = this.param(name);
      const size = event.shiftKey ? p.step : (p.max - p.min) / 10;
      this.params[name] = this.clamp(name, this.params[name] + d * size);
      this.syncControl(name);
    }
    this.changed();
  }

  /** Ask the worker for the next animation frame, if one is wanted now. */
  nextFrame() {
    if (!this.animating || this.waitingFrame || !this.visible || this.paused) return;
    this.waitingFrame = true;
    ackFrame(this.root.id, this.run);
  }

  /** Train (from the start) when idle; otherwise pause or resume. A paused
   * widget asks for no frame, and the worker computes one only when asked. */
  toggleTraining() {
    if (!this.animating) {
      this.request();
      return;
    }
    this.paused = !this.paused;
    this.showTraining();
    this.nextFrame();
  }

  showTraining() {
    if (!this.trainButton) return;
    this.trainButton.textContent = !this.animating ? "Train" : this.paused ? "Resume" : "Pause";
    if (this.statusLine.dataset.state !== "live") return;
    this.setStatus("live", this.animating ? (this.paused ? STATUS.paused : STATUS.training) : this.liveStatus);
  }

  param(name) {
    return this.schema.params.find((p) => p.name === name);
  }

  /** A dragged coordinate kept inside its parameter's range, on its step. */
  clamp(name, value) {
    const p = this.param(name);
    const bounded = Math.min(p.max, Math.max(p.min, value));
    return Number(bounded.toFixed(decimals(p.step)));
  }

  syncControl(name) {
    const input = this.inputs[name];
    if (!input) return;
    if (input.type === "checkbox") input.checked = this.params[name];
    else input.value = this.params[name];
    this.showValue(this.param(name));
  }

  showValue(param) {
    const output = this.inputs[param.name].parentElement.querySelector("output");
    if (output) output.textContent = this.params[param.name];
  }

  onRuntime(rt) {
    if (rt.state === "live" && !this.live) {
      this.live = true;
      this.enableControls(true);
      this.setStatus("live", this.liveStatus);
      if (this.link) this.request();
    } else if (rt.state === "live") {
      this.setStatus("live", this.liveStatus); // a restarted runtime
    } else if (rt.state === "dead") {
      // Controls stay live: the next change restarts Python and redraws.
      this.setStatus("error", `Python stopped (${rt.text}); it restarts at your next change.`);
    } else if (rt.state === "loading" && this.live) {
      this.setStatus("loading", `Restarting Python… ${rt.text}`);
    } else if (rt.state === "loading") {
      this.setStatus("loading", `Static figure; ${rt.text}${this.link ? " The link's settings apply once it is ready." : ""}`);
    } else if (rt.state === "error") {
      this.live = false;
      this.enableControls(false);
      this.setStatus("error", `Python could not start (${rt.text}). The figure stays static.`, true);
    }
  }

  enableControls(enabled) {
    const buttons = [this.resetButton, this.trainButton, this.restartButton].filter(Boolean);
    for (const control of [...Object.values(this.inputs), ...buttons]) control.disabled = !enabled;
  }

  setStatus(state, text, retry = false) {
    this.statusLine.dataset.state = state;
    this.root.dataset.state = state;
    this.statusLine.textContent = text;
    if (retry) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "md-button jb-retry";
      button.textContent = "Retry";
      button.addEventListener("click", restartRuntime);
      this.statusLine.append(" ", button);
    }
  }

  /** Ask the worker for the figure at the current parameters. A new request
   * trains unpaused, but a Pause pressed while it waited to be sent still holds. */
  request(resend = false) {
    if (!this.live) return;
    if (this.busy) {
      this.dirty = true;
      return;
    }
    this.busy = true;
    if (!resend) this.paused = false;
    const link = this.link; // sent once, with the first request
    this.link = undefined;
    render(this.key, { ...this.params }, this.root.id, link).then((reply) => {
      this.busy = false;
      if (link) this.useLink(reply);
      this.run = reply.run; // frames of any earlier run are dropped from now on
      this.waitingFrame = false; // a new request ends the animation that was running
      // Start the next render now, so the worker computes while this one is drawn.
      if (this.dirty) {
        this.dirty = false;
        this.request(true);
      }
      this.show(reply);
    });
  }

  /** The hook for a preset link (presets.js): the page's settings, then ``values``
   * (text, as a link gives them), checked by Python like a link's and drawn. */
  applyPreset(values) {
    this.params = { ...this.base };
    for (const name of Object.keys(this.inputs)) this.syncControl(name);
    this.showPython();
    this.showIgnored([]);
    this.link = values; // sent with the next request: now, or once Python is ready
    this.request();
  }

  /** Python's answer to a link: the controls take the parameters it used, and the
   * notice says what it ignored and why. A change the reader made meanwhile wins. */
  useLink(reply) {
    if (this.dirty || !reply.params) return;
    this.params = reply.params;
    for (const name of Object.keys(this.inputs)) this.syncControl(name);
    this.showPython();
    this.showIgnored(reply.ignored);
    this.revealChanged();
  }

  /** Open "More controls" when a control in it no longer holds the page's setting
   * (a link set it), so the reader sees every setting that makes the figure differ. */
  revealChanged() {
    const more = this.root.querySelector("details.jb-more");
    if (!more || more.open) return;
    const changed = Object.keys(this.inputs).filter((name) => this.params[name] !== this.base[name]);
    if (changed.some((name) => more.contains(this.inputs[name]))) more.open = true;
  }

  showIgnored(reasons) {
    this.linkNote.hidden = !reasons.length;
    this.linkNote.textContent = reasons.length ? `Ignored from the link: ${reasons.join("; ")}.` : "";
  }

  /** Draw a reply; replies that arrive while drawing are skipped but for the newest. */
  async show(reply) {
    if (this.drawing) {
      this.newest = reply;
      return;
    }
    this.drawing = true;
    try {
      if (reply.error === "Python stopped") {
        // The runtime's own status line says what happened and what to do.
      } else if (reply.error) {
        this.setStatus("error", `This figure could not be redrawn: ${reply.error}`);
      } else {
        this.figure = reply.figure;
        this.animating = reply.animating;
        this.nextFrame(); // the worker computes the next frame while this one is drawn
        const t0 = performance.now();
        // A reply to a change draws quickly; an animation's frames draw in full, with their
        // first plot on the canvas, or only their trails.
        const how = reply.canvasOnly ? "canvas" : reply.run === undefined ? "quick" : "frame";
        await this.draw(this.figure, how);
        const drawMs = performance.now() - t0;
        if (this.statusLine.dataset.state !== "live") this.setStatus("live", this.liveStatus);
        this.showTraining();
        this.root.dispatchEvent(new CustomEvent("jb:drawn", { bubbles: true, detail: { renderMs: reply.renderMs, drawMs } }));
      }
    } finally {
      this.drawing = false; // a failed draw must not freeze the widget
    }
    if (this.newest) {
      const next = this.newest;
      this.newest = null;
      this.show(next);
    }
  }

  retheme() {
    if (this.drawnOnce) this.draw(this.figure);
  }
}
