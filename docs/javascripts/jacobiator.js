// Entry point: mounts every figure widget on each page Material shows,
// including pages reached by instant navigation (document$ emits each time).

// Named here so the browser fetches the whole module graph in one round,
// instead of discovering each level only after the previous one ran.
import "./canvas-layer.js";
import "./drag.js";
import "./python-call.js";
import "./runtime-client.js";
import { watchPalette } from "./theme.js";
import "./url-state.js";
import { Widget } from "./widget.js";

let mounted = [];

/** The next turn of the event loop: lets the browser paint what is drawn so far. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve));

async function mountAll() {
  for (const widget of mounted) widget.unmount();
  mounted = [];
  for (const root of document.querySelectorAll(".jb-widget")) {
    try {
      const widget = new Widget(root);
      await widget.mount();
      mounted.push(widget);
    } catch (err) {
      // One broken widget must not stop the others.
      console.error(`jacobiator: figure ${root.id} failed to mount`, err);
    }
    if (mounted.length === 1) performance.mark("jb:static"); // read by the benchmark
    await nextTask();
  }
}

watchPalette(() => mounted.forEach((w) => w.retheme()));

if (typeof document$ !== "undefined") document$.subscribe(mountAll);
else mountAll();
