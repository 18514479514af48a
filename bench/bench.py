"""Benchmark of the pipeline: prints JSON, asserts nothing.

Medians over repeated runs (these machines are noisy), in headless Chromium
against the built site served on 127.0.0.1:
  - first static figure and live, on cold loads (a new browser context each time);
  - control change to redraw latency (p50, p95 over CHANGES changes);
  - drag frame time (the interval between redraws while the target is dragged);
  - the particle animation's frames per second (particles on the heatmap), with PARTICLES particles;
  - the figure's render time in CPython and in Pyodide, and their ratio;
  - time to live when instant navigation comes back to a chapter (the worker stays alive);
  - `mkdocs build` time.
Run with `make bench`.
"""

import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from harness import build_site, chromium, free_port, guard_offsite, serve, write_config  # noqa: E402

COLD_LOADS = 5
CHANGES = 60
DRAG_STEPS = 120
PARTICLES = 1000
ANIMATION_SECONDS = 5
BUILDS = 3
PAGE = "gradient-fields/"
FIRST = "#jb-gradient_field-1"


def pct(values, q):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2)


def summary(values):
    return {"p50": pct(values, 0.5), "p95": pct(values, 0.95), "n": len(values)}


def cpython_render_ms(params: dict, runs: int = 200) -> float:
    from jacobiator.figures import handle

    request = json.dumps({"figure": "gradient_field", "params": params})
    handle(request)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        handle(request)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def cold_load(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    offsite = []
    guard_offsite(context, offsite)
    page = context.new_page()
    page.goto(url + PAGE)
    page.wait_for_function("performance.getEntriesByName('jb:live').length > 0", timeout=120_000)
    marks = page.evaluate("""async () => ({
      static: performance.getEntriesByName('jb:static')[0].startTime,
      live: performance.getEntriesByName('jb:live')[0].startTime,
      worker: (await import('/javascripts/runtime-client.js')).runtime })""")
    context.close()
    assert not offsite, offsite
    return marks


REDRAW_JS = """async ([selector, changes]) => {
  const root = document.querySelector(selector), input = root.querySelector('[name="grid"]');
  const latencies = [], renders = [];
  for (let k = 0; k < changes; k++) {
    const drawn = new Promise((resolve) => root.addEventListener('jb:drawn', resolve, {once: true}));
    const t0 = performance.now();
    input.value = 13 + (k % 2) * 2;   // 13, 15, 13, ...
    input.dispatchEvent(new Event('input', {bubbles: true}));
    const event = await drawn;
    latencies.push(performance.now() - t0);
    renders.push(event.detail.renderMs);
  }
  return {latencies, renders};
}"""

DRAW_TIMES_JS = """(selector) => {
  if (!window.__draws) document.querySelector(selector).addEventListener('jb:drawn', () => window.__draws.push(performance.now()));
  window.__draws = [];
}"""


def drag_frames(page, grid):
    page.eval_on_selector(f'{FIRST} [name="grid"]', """(el, g) => {
        el.value = g; el.dispatchEvent(new Event('input', {bubbles: true})); }""", grid)
    page.wait_for_timeout(500)
    page.evaluate(DRAW_TIMES_JS, FIRST)
    box = page.eval_on_selector(f"{FIRST} .jb-plot", """(gd) => {
        const {xaxis, yaxis} = gd._fullLayout, b = gd.getBoundingClientRect();
        return [b.left + xaxis._offset, b.top + yaxis._offset, xaxis._length, yaxis._length]; }""")
    left, top, width, height = box
    page.mouse.move(left + width * 0.5, top + height * 0.5)
    page.mouse.down()
    for k in range(DRAG_STEPS):  # a circle, one pointer move per ~16 ms
        phase = 2 * math.pi * k / DRAG_STEPS
        page.mouse.move(left + width * (0.5 + 0.35 * math.cos(phase)), top + height * (0.5 + 0.35 * math.sin(phase)))
        page.wait_for_timeout(16)
    page.mouse.up()
    page.wait_for_timeout(300)
    draws = page.evaluate("window.__draws")
    return [b - a for a, b in zip(draws, draws[1:])]


def back_to_chapter(page):
    """From the chapter to the opening page and back by instant navigation: ms from the click to live."""
    nav = "nav.md-nav--primary a.md-nav__link:visible"
    page.locator(nav, has_text="Jacobiator").first.click()
    page.wait_for_selector("h1:has-text('Jacobiator')")
    page.evaluate("window.__t0 = performance.now()")
    page.locator(nav, has_text="Gradient fields of losses").first.click()
    page.wait_for_selector(f'{FIRST} .jb-status[data-state="live"]')
    return page.evaluate("performance.now() - window.__t0")


def particle_frames(page):
    """Frame intervals of the chapter's particle figure with PARTICLES particles, after a second of warm-up."""
    widget = page.evaluate_handle("document.querySelector('.jb-widget:has([name=\"particles\"])')")
    widget.scroll_into_view_if_needed()
    widget.evaluate("""(root, n) => { const el = root.querySelector('[name="particles"]');
        el.value = n; el.dispatchEvent(new Event('input', {bubbles: true}));
        window.__draws = []; root.addEventListener('jb:drawn', () => window.__draws.push(performance.now())); }""",
                    PARTICLES)
    page.wait_for_timeout(1000)
    page.evaluate("window.__draws = []")
    page.wait_for_timeout(ANIMATION_SECONDS * 1000)
    draws = page.evaluate("window.__draws")
    return [b - a for a, b in zip(draws, draws[1:])]


def main():
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        times = []
        port = free_port()  # Material's instant navigation works where site_url says the site is
        config = write_config(Path(tmp) / "mkdocs.yml", site_url=f"http://127.0.0.1:{port}/")
        for k in range(BUILDS):
            t0 = time.perf_counter()
            done = build_site(Path(tmp) / f"site{k}", config)
            times.append(time.perf_counter() - t0)
            if done.returncode:
                sys.exit(done.stdout + done.stderr)
        result["mkdocs_build_s"] = {"median": round(statistics.median(times), 2), "n": BUILDS}
        site = Path(tmp) / "site0"
        with serve(site, port) as url, chromium() as browser:
            loads = [cold_load(browser, url) for _ in range(COLD_LOADS)]
            result["cold_first_static_ms"] = round(statistics.median(m["static"] for m in loads))
            result["cold_live_ms"] = round(statistics.median(m["live"] for m in loads))
            # Inside the worker: from its start to Pyodide with numpy, and to jacobiator imported.
            result["cold_worker_ms"] = {
                "pyodide_and_numpy": round(statistics.median(m["worker"]["stages"]["pyodide"] for m in loads)),
                "ready": round(statistics.median(m["worker"]["bootMs"] for m in loads))}

            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + PAGE)
            page.wait_for_selector(f'{FIRST} .jb-status[data-state="live"]', timeout=120_000)
            page.locator(FIRST).scroll_into_view_if_needed()
            redraw = page.evaluate(REDRAW_JS, [FIRST, CHANGES])
            result["redraw_latency_ms"] = summary(redraw["latencies"])
            result["drag_frame_ms_grid15"] = summary(drag_frames(page, 15))
            result["drag_frame_ms_grid32"] = summary(drag_frames(page, 32))
            result["instant_navigation_live_ms"] = summary([back_to_chapter(page) for _ in range(5)])
            intervals = particle_frames(page)
            result[f"particles_{PARTICLES}"] = {"fps": round(1000 / statistics.median(intervals), 1),
                                                "frame_ms": summary(intervals)}

    params = {"grid": 15}
    cpython = cpython_render_ms(params)
    pyodide = statistics.median(redraw["renders"][1::2])  # the grid-15 renders, as in CPython
    result["render_ms"] = {"cpython": round(cpython, 2), "pyodide": round(pyodide, 2),
                           "pyodide_over_cpython": round(pyodide / cpython, 1)}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
