// Typeset the math that pymdownx.arithmatex marks, on every page Material shows.
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
}
// A task later: the figures mount first, and the math follows at once.
if (typeof document$ !== "undefined") document$.subscribe(() => setTimeout(typeset));
else typeset();
