"""A screenshot of every figure, per screen width and colour scheme, to look at.

    .venv/bin/python scripts/screenshots.py OUT               # build the site, then shoot
    .venv/bin/python scripts/screenshots.py OUT --site DIR    # shoot a site already built
    .venv/bin/python scripts/screenshots.py OUT --widths 390 --schemes dark

Saves OUT/<width>-<scheme>-<page>-<widget id>.png: the whole widget (plot, controls,
status line, caption), as the page first draws it. As in scripts/figure_fit.py
the page's Python runtime is kept from loading: the figures are the static ones
drawn at build time, and the layout is the one a reader gets first.

The scheme is Material's palette (mkdocs.yml): the browser reports the reader's
preferred scheme, Material follows it, and the script checks that the page took
it. Not a test (it asserts nothing about the figures); its output is not committed.
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))
from figure_fit import built_site, pages, static_pages  # noqa: E402
from harness import chromium, serve  # noqa: E402
from widgets import shot  # noqa: E402

HEIGHT = 844  # px; a widget taller than the screen is shot whole (widgets.shot grows the viewport)
MATERIAL_SCHEME = {"light": "default", "dark": "slate"}  # the page's data-md-color-scheme


def shoot_site(browser, url: str, page_paths: list[str], out: Path, widths: list[int],
               schemes: list[str]) -> list[Path]:
    saved = []
    for width in widths:
        for scheme in schemes:
            for path, page in static_pages(browser, url, page_paths, width, HEIGHT, color_scheme=scheme):
                taken = page.evaluate("document.body.dataset.mdColorScheme")
                if taken != MATERIAL_SCHEME[scheme]:
                    sys.exit(f"{path or 'index'} at {width} px shows the {taken!r} palette, not {scheme}'s "
                             f"{MATERIAL_SCHEME[scheme]!r}: has mkdocs.yml's palette lost its media queries?")
                name = path.strip("/") or "index"  # widget ids are unique on their page only
                for widget in page.eval_on_selector_all(".jb-widget", "ws => ws.map((w) => w.id)"):
                    target = out / f"{width}-{scheme}-{name}-{widget.removeprefix('jb-')}.png"
                    shot(page, f"#{widget}", target)
                    saved.append(target)
    return saved


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="the folder for the screenshots (made if missing)")
    parser.add_argument("--site", type=Path, help="a built site (default: build one in a temporary folder)")
    parser.add_argument("--widths", type=int, nargs="+", default=[390, 1280], help="screen widths in px")
    parser.add_argument("--schemes", nargs="+", choices=sorted(MATERIAL_SCHEME), default=["light", "dark"])
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = built_site(args.site, tmp)
        with serve(site) as url, chromium() as browser:
            saved = shoot_site(browser, url, pages(site), args.out, args.widths, args.schemes)
    print(f"{len(saved)} screenshots in {args.out}")


if __name__ == "__main__":
    main()
