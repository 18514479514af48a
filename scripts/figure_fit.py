"""Does each figure's plot, with its visible controls, fit one screen? Prints JSON.

    .venv/bin/python scripts/figure_fit.py                 # build the site, then measure
    .venv/bin/python scripts/figure_fit.py --site DIR      # measure a site already built

For every figure on every page, at a phone's screen (390 x 844) and a laptop's
(1280 x 800), it measures the span a reader has to see at once to use the
figure: from the top of the plot to the bottom of the lowest visible control
(a slider, a menu, a box, the "More controls" summary, the Train and Restart
buttons). The status line, the Python code and the caption may lie below. The
span fits when it is no taller than the screen below Material's sticky header;
"whole_widget_fit" counts the figures whose whole widget, caption included, fits.

The figures are the static ones drawn at build time: the page's Python runtime
is kept from loading, so the measure costs no training and the layout is the
one the reader gets first (Python changes the figures, not the controls).
A measuring script: it asserts nothing. To look at the figures, scripts/screenshots.py
saves one picture of each, per width and colour scheme.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from harness import build_site, chromium, guard_offsite, serve, write_config  # noqa: E402

SCREENS = {"phone": (390, 844), "laptop": (1280, 800)}

# What the reader must see together with the plot to use a figure.
SPAN_JS = """() => {
  const header = Math.ceil(document.querySelector('.md-header')?.getBoundingClientRect().bottom || 0);
  // Hidden inside a closed <details> (Chromium still lays such content out, unseen).
  const seen = (el) => el.checkVisibility() && !el.closest('details:not([open]) > :not(summary)');
  return {header, figures: [...document.querySelectorAll('.jb-widget')].map((w) => {
    const plot = w.querySelector('.jb-plot').getBoundingClientRect();
    const parts = [...w.querySelectorAll('.jb-control, .jb-more > summary, .jb-train, .jb-restart')].filter(seen);
    const bottom = Math.max(plot.bottom, ...parts.map((el) => el.getBoundingClientRect().bottom));
    return {id: w.id, figure: w.dataset.figure, plot: Math.round(plot.height), widget: Math.round(w.getBoundingClientRect().height),
            span: Math.round(bottom - plot.top), controls: parts.filter((el) => el.matches('.jb-control')).length,
            hidden: w.querySelectorAll('.jb-control').length - parts.filter((el) => el.matches('.jb-control')).length};
  })};
}"""


def pages(site: Path) -> list[str]:
    """The site's pages that hold a figure, as paths relative to the site's root."""
    found = [p for p in sorted(site.rglob("index.html")) if 'class="jb-widget"' in p.read_text()]
    return ["" if p.parent == site else f"{p.parent.relative_to(site).as_posix()}/" for p in found]


def block_python(context):
    """No Pyodide: the static figures stay, and the machine stays free."""
    context.route("**/pyodide*", lambda r: r.abort())
    context.route("**/*.wasm", lambda r: r.abort())


def static_pages(browser, url: str, page_paths: list[str], width: int, height: int, **context_options):
    """Each page of the site, once its static figures are drawn, in one browser context of a
    ``width`` x ``height`` px screen with Python kept from loading: yields (path, page)."""
    context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
    offsite: list[str] = []
    guard_offsite(context, offsite)
    block_python(context)
    page = context.new_page()
    try:
        for path in page_paths:
            page.goto(url + path)
            page.wait_for_function("() => [...document.querySelectorAll('.jb-plot')]"
                                   ".every((p) => p.querySelector('.main-svg'))", timeout=60_000)
            page.wait_for_timeout(300)  # Plotly's responsive relayout after the first draw
            yield path, page
    finally:
        context.close()
    if offsite:
        sys.exit(f"the pages asked for files off this machine: {offsite[:3]}")


def measure(browser, url: str, page_paths: list[str]) -> dict:
    results = {}
    for screen, (width, height) in SCREENS.items():
        rows = []
        for path, page in static_pages(browser, url, page_paths, width, height):
            found = page.evaluate(SPAN_JS)
            available = height - found["header"]
            rows += [{"page": path, **f, "fits": f["span"] <= available} for f in found["figures"]]
        # Also the whole widget (status line, Python code and caption included), for comparison.
        results[screen] = {"viewport": [width, height], "available": available,
                           "fit": sum(r["fits"] for r in rows), "of": len(rows),
                           "whole_widget_fit": sum(r["widget"] <= available for r in rows), "figures": rows}
    return results


def built_site(site: Path | None, tmp: str) -> Path:
    """``site``, or when None the site built into the folder ``tmp`` (or exit with the build's output)."""
    if site is not None:
        return site
    site = Path(tmp) / "site"
    done = build_site(site, write_config(Path(tmp) / "mkdocs.yml"))
    if done.returncode:
        sys.exit(f"the site did not build:\n{done.stdout}{done.stderr}")
    return site


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one in a temporary folder)")
    parser.add_argument("--all", action="store_true", help="print every figure, not only the ones that do not fit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = built_site(args.site, tmp)
        with serve(site) as url, chromium() as browser:
            results = measure(browser, url, pages(site))
    for screen in results.values():
        if not args.all:
            screen["figures"] = [f for f in screen["figures"] if not f["fits"]]
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
