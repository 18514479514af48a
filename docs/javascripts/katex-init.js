// Typeset the math that pymdownx.arithmatex marks, on every page Material shows.

// Punctuation right after inline math: the browser may break the line between them (the
// math is a box), and a line then starts with a comma. Both go into one unbreakable span.
const PUNCTUATION = /^[,.;:!?)\]]+/;

function keepPunctuation(math) {
  let host = math.parentElement; // auto-render's span around the math
  if (host.parentElement?.classList.contains("arithmatex")) host = host.parentElement;
  const next = host.nextSibling;
  const marks = next?.nodeType === Node.TEXT_NODE && next.data.match(PUNCTUATION);
  if (!marks || host.parentElement?.classList.contains("jb-nowrap")) return;
  next.splitText(marks[0].length);
  const glued = document.createElement("span");
  glued.className = "jb-nowrap";
  host.replaceWith(glued);
  glued.append(host, next);
}

/** Typeset the math in ``el``, once. */
function render(el) {
  if (el.dataset.typeset) return;
  el.dataset.typeset = "done";
  renderMathInElement(el, {
    delimiters: [
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: false,
  });
  for (const math of el.querySelectorAll(".katex:not(.katex-display .katex)")) keepPunctuation(math);
}

let nearing = null; // the current page's observer
let printing = null; // and its handler before printing

/** The formulas on screen and one screen ahead are set at once, the others as the reader
 * nears them, so that the main thread leaves the CPU to Python's boot (as the figures do,
 * jacobiator.js); all of them before printing. */
function typeset() {
  nearing?.disconnect();
  if (printing) removeEventListener("beforeprint", printing);
  // Figure captions are plain text from the fence, so their math is typeset here too.
  const pending = [...document.querySelectorAll(".arithmatex, .jb-widget figcaption")];
  nearing = new IntersectionObserver((entries) => {
    for (const entry of entries.filter((e) => e.isIntersecting)) {
      nearing.unobserve(entry.target);
      render(entry.target);
    }
  }, { rootMargin: "100% 0px" });
  pending.forEach((el) => nearing.observe(el));
  // A heading's math is raw TeX in the navigation and table of contents: set at once (it
  // is on screen beside the page, or in a drawer hidden from the observer).
  for (const link of document.querySelectorAll(".md-nav__link")) {
    if (link.textContent.includes("\\(")) render(link);
  }
  printing = () => pending.forEach(render);
  addEventListener("beforeprint", printing);
}

// A task later: the figures mount first, and the math follows at once.
if (typeof document$ !== "undefined") document$.subscribe(() => setTimeout(typeset));
else typeset();
