// Entry point: mounts every figure widget on each page Material shows,
// including pages reached by instant navigation (document$ emits each time).

import { watchPalette } from "./theme.js";
import { Widget } from "./widget.js";

let mounted = [];

async function mountAll() {
  mounted = [];
  const drawn = [];
  for (const root of document.querySelectorAll(".jb-widget")) {
    try {
      const widget = new Widget(root);
      drawn.push(widget.mount());
      mounted.push(widget);
    } catch (err) {
      // One broken widget must not stop the others.
      console.error(`jacobiator: figure ${root.id} failed to mount`, err);
    }
  }
  if (mounted.length) {
    await Promise.allSettled(drawn);
    performance.mark("jb:static"); // read by the benchmark
  }
}

watchPalette(() => mounted.forEach((w) => w.retheme()));

if (typeof document$ !== "undefined") document$.subscribe(mountAll);
else mountAll();
