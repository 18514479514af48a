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

function typeset() {
  // Figure captions are plain text from the fence, so their math is typeset here too.
  for (const el of document.querySelectorAll(".arithmatex, .jb-widget figcaption")) {
    renderMathInElement(el, {
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      throwOnError: false,
    });
  }
  for (const math of document.querySelectorAll(".katex:not(.katex-display .katex)")) keepPunctuation(math);
}

// A task later: the figures mount first, and the math follows at once.
if (typeof document$ !== "undefined") document$.subscribe(() => setTimeout(typeset));
else typeset();
