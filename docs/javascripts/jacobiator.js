// Entry point: mounts every figure widget on each page Material shows,
// including pages reached by instant navigation (document$ emits each time).

import { watchPalette } from "./theme.js";
import { Widget } from "./widget.js";

let mounted = [];

function mountAll() {
  mounted = [];
  for (const root of document.querySelectorAll(".jb-widget")) {
    const widget = new Widget(root);
    try {
      widget.mount();
      mounted.push(widget);
    } catch (err) {
      // One broken widget must not stop the others.
      console.error(`jacobiator: figure ${root.id} failed to mount`, err);
    }
  }
}

watchPalette(() => mounted.forEach((w) => w.retheme()));

if (typeof document$ !== "undefined") document$.subscribe(mountAll);
else mountAll();
