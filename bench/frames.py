"""Redraw and drag of the gradient field, and frames per second of every training figure:
the part of bench/bench.py that issue #14's frame goal reads, on one build. Prints JSON,
asserts nothing.

    bench/frames.py [--site DIR]   # DIR: a site already built (with site_url http://127.0.0.1/)

The first FIRST_CHANGES changes are also timed on their own, made as soon as the page says
Python is live (a reader who starts at once). Besides bench.py's latencies, each drawn
frame's time in Python (the worker's renderMs) and on the page (drawMs: from the reply to
the frame drawn) are summarised, so that a change can be told to have moved the one or the other.
"""

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import bench
from harness import build_site, chromium, free_port, serve, write_config

TRAINING = (("", bench.SCULPT), (bench.DESTROY_PAGE, bench.DESTROY),
            (bench.RESTORE_PAGE, bench.RESTORE), (bench.RESTORE_PAGE, bench.RACE))

SPLIT_JS = """(selector) => {
  window.__split = [];
  const root = document.querySelector(selector);
  if (root.__split) return;  // one listener, however often the split starts again
  root.__split = true;
  root.addEventListener('jb:drawn', (event) => window.__split.push([event.detail.renderMs, event.detail.drawMs]));
}"""


def split(page) -> dict:
    rows = page.evaluate("window.__split")
    drawn = [r[1] for r in rows if r[1] is not None]  # a build before drawMs existed has none
    return {"python_ms": bench.summary([r[0] for r in rows]), "draw_ms": bench.summary(drawn) if drawn else None}


FIRST_CHANGES = 10  # a reader who starts changing the grid as soon as the page is live


def measure(url) -> dict:
    result = {}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + bench.PAGE)
        page.wait_for_function("performance.getEntriesByName('jb:live').length > 0", timeout=120_000)
        first = page.evaluate(bench.REDRAW_JS, [bench.FIRST, FIRST_CHANGES])["latencies"]
        result["redraw_right_after_live_ms"] = bench.summary(first) | {"max": round(max(first), 1)}
        page.close()
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + bench.PAGE)
        page.wait_for_selector(f'{bench.FIRST} .jb-status[data-state="live"]', timeout=120_000)
        page.locator(bench.FIRST).scroll_into_view_if_needed()
        page.evaluate(SPLIT_JS, bench.FIRST)
        result["redraw_latency_ms"] = bench.summary(page.evaluate(bench.REDRAW_JS, [bench.FIRST, bench.CHANGES])["latencies"])
        result["redraw_split"] = split(page)
        bench.drag(page, 32)  # grid 32, then a warm-up drag
        page.evaluate(SPLIT_JS, bench.FIRST)
        drag = bench.drag(page, 32)
        result["drag_frame_ms_grid32"] = bench.summary(drag["draws"])
        result["drag_pointer_ms"] = bench.summary(drag["moves"])  # the finger's pace: one move per frame
        result["drag_split"] = split(page)
        page.close()
        for path, selector in TRAINING:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + path)
            page.wait_for_selector(f'{selector} .jb-status[data-state="live"]', timeout=120_000)
            page.locator(selector).scroll_into_view_if_needed()  # off screen, a run pauses
            page.evaluate(SPLIT_JS, selector)
            renders, intervals = bench.training_frames(page, selector)
            result[selector.lstrip("#")] = bench.fps(intervals) | split(page)
            page.close()
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site to serve (default: build one)")
    args = parser.parse_args(argv)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            config = write_config(Path(tmp) / "mkdocs.yml", site_url=f"http://127.0.0.1:{port}/")
            site = Path(tmp) / "site"
            done = build_site(site, config)
            if done.returncode:
                sys.exit(done.stdout + done.stderr)
        with serve(site, port) as url:
            print(json.dumps(measure(url), indent=1))


if __name__ == "__main__":
    main()
