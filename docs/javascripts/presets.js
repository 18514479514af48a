// One-click preset links: a sentence that describes a figure in some state links
// to it (build/figure_presets.py writes the link as the figure's URL state). A
// click applies the values in place instead of reloading the page: the figure
// scrolls into view, takes the page's settings and then the link's values, which
// Python checks like any link's (so the usual notice shows what it ignored), and
// redraws. Without JavaScript the link still works: the page reloads in that state.

import { writeLink } from "./url-state.js";

function applyPreset(link) {
  const root = document.getElementById(link.dataset.jbTarget);
  const widget = root?.jacobiator;
  if (!widget) return false; // not mounted (yet): let the link reload the page in that state
  const values = JSON.parse(link.dataset.jbValues);
  // A control the preset sets may sit in a closed "More controls" box: open it, so the change shows.
  for (const name of Object.keys(values)) {
    const details = root.querySelector(`[name="${CSS.escape(name)}"]`)?.closest("details");
    if (details) details.open = true;
  }
  // The address says what the figure shows, as it does after a change of a control.
  writeLink(root, { ...widget.base, ...values }, widget.base);
  widget.applyPreset(values);
  root.scrollIntoView({ behavior: "smooth", block: "center" });
  return true;
}

// Capture, on the document: this runs before Material's instant navigation sees the click.
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a.jb-preset");
  if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (applyPreset(link)) {
    event.preventDefault();
    event.stopPropagation();
  }
}, true);
