"""Benchmark of the pipeline: prints JSON, asserts nothing.

Medians over repeated runs (these machines are noisy), in headless Chromium
against the built site served on 127.0.0.1:
  - first static figure and live, on cold loads (a new browser context each time);
  - control change to redraw latency (p50, p95 over CHANGES changes);
  - drag frame time (the interval between redraws while the target is dragged);
  - the particle animation's frames per second (particles on the heatmap), with PARTICLES particles;
  - the figure's render time in CPython and in Pyodide, and their ratio;
  - time to live when instant navigation comes back to a chapter (the worker stays alive);
  - the opening figure's training (sculpt, issue #4): steps per second in CPython and in Pyodide,
    pure training and per drawn frame; frames per second while it trains; the latency of a key press meanwhile;
  - `mkdocs build` time.
Run with `make bench`.
"""

import json
import math
import random
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
SCULPT = "#jb-sculpt-1"  # on the home page
SCULPT_REPEATS = 7  # timed runs of SCULPT_STEPS training steps each, in CPython and in a Pyodide worker
SCULPT_STEPS = 300
SCULPT_WARMUP_MS = 1000  # frames of the first second of a training run are not counted
SCULPT_FPS_MS = 3000  # frame intervals counted, summed over training runs
LATENCY_SAMPLES = 60


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


# Timed the same way in CPython and in Pyodide (in a worker of its own, next to the page's):
# pure training steps of the default network, and the worker's work per frame of the
# live figure (handle starts the run; each advance trains `speed` steps and draws a frame).
SCULPT_PROBE = """
import json, statistics, time
from jacobiator.figures import advance, handle, sculpt

def sculpt_probe(repeats, steps):
    params = sculpt.SCHEMA.defaults()
    sculpt.train(sculpt.start(params), 50)  # warm-up
    train = []
    for _ in range(repeats):
        run = sculpt.start(params)
        t0 = time.perf_counter()
        sculpt.train(run, steps)
        train.append(time.perf_counter() - t0)
        assert run.step == steps
    frames = []
    for _ in range(2):  # two whole runs of the live figure
        handle(json.dumps({"figure": "sculpt", "params": params, "slot": "bench"}))
        animating = True
        while animating:
            t0 = time.perf_counter()
            reply = advance("bench", 1)
            frames.append(time.perf_counter() - t0)
            animating = json.loads(reply)["animating"]
    return json.dumps({"steps_per_s": steps / statistics.median(train), "speed": params["speed"],
                       "frame_ms": 1e3 * statistics.median(frames), "frames": len(frames)})
"""

# A Pyodide of the benchmark's own, from the site's runtime files, in a worker beside the page's.
PYODIDE_PROBE_JS = r"""async ([code, call]) => {
  const source = `self.onmessage = async ({data}) => {
    try {
      const settings = await (await fetch(new URL('runtime.json', data.base))).json();
      const indexURL = new URL(settings.indexURL, data.base).href;
      const {loadPyodide} = await import(indexURL + 'pyodide.mjs');
      const pyodide = await loadPyodide({indexURL, packages: settings.packages});
      pyodide.unpackArchive(await (await fetch(new URL(settings.wheel, data.base))).arrayBuffer(), 'wheel');
      pyodide.runPython(data.code);
      self.postMessage({result: pyodide.runPython(data.call)});
    } catch (err) { self.postMessage({error: String(err)}); }
  };`;
  const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
  const worker = new Worker(url, {type: 'module'});
  const answer = await new Promise((resolve) => {
    worker.onmessage = ({data}) => resolve(data);
    worker.onerror = (event) => resolve({error: event.message || 'the probe worker failed'});
    worker.postMessage({base: new URL('/runtime/', location.href).href, code, call});
  });
  worker.terminate();
  URL.revokeObjectURL(url);
  return answer;
}"""

SCULPT_DRAWS_JS = f"""() => {{
  const root = document.querySelector('{SCULPT}');
  window.__sculpt = [];
  root.addEventListener('jb:drawn', (event) => window.__sculpt.push({{
    t: performance.now(), renderMs: event.detail.renderMs,
    step: parseInt(root.jacobiator.figure.layout.annotations[0].text.match(/^step (\\d+)/)[1], 10)}}));
}}"""

SCULPT_TRAINING_JS = f"() => document.querySelector('{SCULPT}').jacobiator.animating"

# The delay of a reader's key press while the run trains: from the input event's time stamp
# (set when the browser received it) to its handler on the main thread.
LATENCY_JS = f"""() => {{
  const root = document.querySelector('{SCULPT}');
  window.__delays = [];
  window.addEventListener('keydown', (event) => {{
    if (root.jacobiator.animating) window.__delays.push(performance.now() - event.timeStamp);
  }});
}}"""


def cpython_sculpt() -> dict:
    namespace = {}
    exec(SCULPT_PROBE, namespace)
    return json.loads(namespace["sculpt_probe"](SCULPT_REPEATS, SCULPT_STEPS))


def sculpt_training(browser, url) -> dict:
    """The home page's sculpt widget: a Pyodide probe, then training runs started by Train."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.wait_for_selector(f'{SCULPT} .jb-status[data-state="live"]', timeout=120_000)
    page.locator(SCULPT).scroll_into_view_if_needed()  # off screen, a run pauses
    answer = page.evaluate(PYODIDE_PROBE_JS, [SCULPT_PROBE, f"sculpt_probe({SCULPT_REPEATS}, {SCULPT_STEPS})"])
    if "error" in answer:
        sys.exit(f"the Pyodide probe failed: {answer['error']}")
    probe = json.loads(answer["result"])

    page.evaluate(SCULPT_DRAWS_JS)
    intervals, renders, counted = [], [], 0.0
    for _ in range(6):  # training runs of 600 steps, until SCULPT_FPS_MS of frames are counted
        page.evaluate("window.__sculpt = []")
        page.dispatch_event(f"{SCULPT} .jb-train", "click")
        page.wait_for_function(f"() => window.__sculpt.some((d) => d.step > 0) && !({SCULPT_TRAINING_JS})()",
                               timeout=60_000)
        draws = page.evaluate("window.__sculpt")
        trained = [d for d in draws if d["step"] > 0]  # frames of advance (training), not of the run's start
        renders += [d["renderMs"] for d in trained]
        warm = [d["t"] for d in trained if d["t"] >= trained[0]["t"] + SCULPT_WARMUP_MS]
        intervals += [b - a for a, b in zip(warm, warm[1:])]
        counted += warm[-1] - warm[0] if warm else 0
        if counted >= SCULPT_FPS_MS:
            break

    page.evaluate(LATENCY_JS)
    count = f"[({SCULPT_TRAINING_JS})(), window.__delays.length]"
    for _ in range(6):  # training runs, until LATENCY_SAMPLES key presses landed during training
        page.dispatch_event(f"{SCULPT} .jb-train", "click")
        page.wait_for_function(SCULPT_TRAINING_JS)
        training, n = True, 0
        while training and n < LATENCY_SAMPLES:
            for _ in range(5):
                time.sleep(random.uniform(0, 0.04))  # at random moments of the frames
                page.keyboard.press("Shift")  # it does nothing on the page
            training, n = page.evaluate(count)
        if n >= LATENCY_SAMPLES:
            break
    delays = page.evaluate("window.__delays")
    page.close()
    return {"probe": probe, "renders": renders, "intervals": intervals, "delays": delays}


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
            page.close()
            sculpt = sculpt_training(browser, url)

    params = {"grid": 15}
    cpython = cpython_render_ms(params)
    pyodide = statistics.median(redraw["renders"][1::2])  # the grid-15 renders, as in CPython
    result["render_ms"] = {"cpython": round(cpython, 2), "pyodide": round(pyodide, 2),
                           "pyodide_over_cpython": round(pyodide / cpython, 1)}

    cpython, pyodide = cpython_sculpt(), sculpt["probe"]
    speed = cpython["speed"]
    in_page = speed * 1e3 / statistics.median(sculpt["renders"])  # the page's worker, per frame
    cpython_frames = speed * 1e3 / cpython["frame_ms"]
    result["sculpt_steps_per_s"] = {
        "cpython": round(cpython["steps_per_s"]), "pyodide": round(pyodide["steps_per_s"]),
        "cpython_over_pyodide": round(cpython["steps_per_s"] / pyodide["steps_per_s"], 1),
        "cpython_incl_frame": round(cpython_frames), "pyodide_incl_frame": round(in_page),
        "cpython_over_pyodide_incl_frame": round(cpython_frames / in_page, 1),
        "pyodide_incl_frame_probe": round(speed * 1e3 / pyodide["frame_ms"])}
    result["sculpt_training_fps"] = {"fps": round(1000 / statistics.median(sculpt["intervals"]), 1),
                                     "frame_ms": summary(sculpt["intervals"])}
    result["sculpt_responsiveness_ms"] = summary(sculpt["delays"])
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
