// Entry point: mounts every figure widget on each page Material shows,
// including pages reached by instant navigation (document$ emits each time).

// Named here so the browser fetches the whole module graph in one round,
// instead of discovering each level only after the previous one ran.
import "./canvas-layer.js";
import "./drag.js";
import "./python-call.js";
import { watchRuntime } from "./runtime-client.js";
import { watchPalette } from "./theme.js";
import "./url-state.js";
import { Widget } from "./widget.js";

let mounted = [];

/** The next turn of the event loop: lets the browser paint what is drawn so far. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve));

// How long the reader leaves the page alone before a figure further down is drawn unasked:
// drawing one takes the main thread 50 to 150 ms, which a change made meanwhile waits for.
const QUIET_MS = 1000;
let touched = -Infinity; // when the reader last changed, pointed at, typed in or scrolled the page
for (const type of ["input", "pointerdown", "pointermove", "keydown", "wheel", "scroll"]) {
  addEventListener(type, () => { touched = performance.now(); }, { capture: true, passive: true });
}

/** Resolves once the reader has left the page alone for QUIET_MS. */
async function quiet() {
  for (let wait = QUIET_MS; wait > 0; wait = touched + QUIET_MS - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Whether ``root`` is on the first two screens from where the reader is. */
function nearView(root) {
  const box = root.getBoundingClientRect();
  return box.bottom > -innerHeight && box.top < 2 * innerHeight;
}

async function mountAll() {
  for (const widget of mounted) widget.unmount();
  mounted = [];
  const later = [];
  for (const root of document.querySelectorAll(".jb-widget")) {
    const near = nearView(root);
    try {
      const widget = new Widget(root);
      await widget.mount(near);
      mounted.push(widget);
      if (!near) later.push(widget);
    } catch (err) {
      // One broken widget must not stop the others.
      console.error(`jacobiator: figure ${root.id} failed to mount`, err);
    }
    if (near && !performance.getEntriesByName("jb:static").length) performance.mark("jb:static"); // read by the benchmark
    if (near) await nextTask();
  }
  if (later.length) drawOnceLive(later, mounted); // watching the runtime starts it
}

/** The static figures further down, each drawn when the reader nears it (Widget.mount), or
 * else one at a time once Python is live (or could not start) and the reader leaves the page
 * alone (QUIET_MS): until then the main thread leaves the CPU to Python's boot, which a
 * chapter's static figures slowed by about a second, and then to the reader's first changes. */
function drawOnceLive(widgets, page) {
  let started = false;
  const unwatch = watchRuntime((rt) => {
    if (started || rt.state === "idle" || rt.state === "loading") return;
    started = true;
    setTimeout(() => unwatch()); // not from inside its own first call
    drawInTurn(widgets, page);
  });
  addEventListener("beforeprint", () => widgets.forEach((w) => w.drawStatic()), { once: true });
}

async function drawInTurn(widgets, page) {
  for (const widget of widgets) {
    await quiet();
    if (mounted !== page) return; // the reader went to another page
    await widget.drawStatic();
  }
}

watchPalette(() => mounted.forEach((w) => w.retheme()));

if (typeof document$ !== "undefined") document$.subscribe(mountAll);
else mountAll();
