"""Benchmark of the pipeline: prints JSON, asserts nothing.

Medians over repeated runs (these machines are noisy), in headless Chromium
against the built site served on 127.0.0.1:
  - visits (bench/visits.py), served gzip as a static host does: the floor (a bare worker loading
    Pyodide and numpy from the site's files), cold live and their ratio; first static and live on cold,
    warm and third visits (new tabs of a profile on disk: the HTTP cache and the code caches filled);
    bytes per cold visit, by kind of file;
    a cold visit under Chromium's network emulation (10 Mbit/s down, 40 ms);
  - first static figure and live, on cold loads (a new browser context each time);
  - control change to redraw latency (p50, p95 over CHANGES changes);
  - drag frame time (the interval between redraws while the target is dragged, one pointer
    move per animation frame);
  - the particle animation's frames per second (particles on the heatmap), with PARTICLES particles;
  - the figure's render time in CPython and in Pyodide, and their ratio;
  - time to live when instant navigation comes back to a chapter (the worker stays alive);
  - the opening figure's training (sculpt, issue #4): steps per second in CPython and in Pyodide,
    pure training and per drawn frame; frames per second while it trains; the latency of a key press meanwhile;
  - the same for the destroy chapter's live training figure (destroy_training, issue #5), whose
    training steps also record an evaluation every 10 steps (and pure `destroy.step` beside them);
  - the restore chapter (issue #6): directional samples per second of each learned-gradient model
    (`Model.step`, deep FC and Log-Lin-Exp) and of part 1's `restore.train_step`, in CPython and in
    Pyodide; frames per second of its two live figures (Ĵ, and the race of the two models) while
    they train, and the latency of a key press meanwhile;
  - `mkdocs build` time.
Run with `make bench`; `bench/bench.py --only restore` (or any of PARTS, repeatable) runs only those
measurements, on one untimed build unless `build` is among them; `--only cold` only the cold loads.
To compare built sites (before and after a change), `bench/cold_live.py SITE...` alternates cold loads.
"""

import argparse
import json
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
DESTROY_PAGE = "destroy-the-jacobian/"
DESTROY = "#jb-destroy_training-1"
DESTROY_REPEATS = 5  # timed runs of DESTROY_STEPS steps each (figure training, and pure), in CPython and Pyodide
DESTROY_STEPS = 200  # within the default budget (400 steps)
RESTORE_PAGE = "restore-the-jacobian/"
RESTORE = "#jb-restore_jacobian-1"  # Ĵ learnt live (part 1)
RACE = "#jb-gradient_race-1"  # the deep FC net against the Log-Lin-Exp net, live (part 2)
RESTORE_REPEATS = 5  # timed runs of each, in CPython and in Pyodide
RESTORE_MODEL_STEPS = 200  # mini-batches per timed run of a learned-gradient model (50 samples each)
RESTORE_STEPS = 1000  # restore.train_step calls per timed run (16 samples each at the defaults)
VISIT_RUNS = 5  # rounds of bench/visits.py: floor, cold, warm and throttled visits
PARTS = ("build", "visits", "cold", "pages", "sculpt", "destroy", "restore")  # what --only can pick ("pages" holds "cold")


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


# When the page constructs the Python worker (ms from navigation): read on any build, old or new.
WORKER_START_JS = """(() => {
  const Original = window.Worker;
  window.Worker = class extends Original {
    constructor(url, options) {
      if (String(url).endsWith('javascripts/worker.js')) window.__workerStart ??= performance.now();
      super(url, options);
    }
  };
})()"""

# A reader who changes the grid as soon as the page says Python is live (the jb:live mark,
# which the widgets hear in the same task): when that change is drawn, a control has answered.
ANSWER_JS = """new PerformanceObserver((marks, observer) => {
  if (!marks.getEntriesByName('jb:live').length) return;
  observer.disconnect();
  window.answered = null;
  const root = document.querySelector('#jb-gradient_field-1'), input = root.querySelector('[name="grid"]');
  root.addEventListener('jb:drawn', () => { window.answered = performance.now(); }, {once: true});
  input.value = 19;
  input.dispatchEvent(new Event('input', {bubbles: true}));
}).observe({type: 'mark'})"""

# The reader's first change once live: Python's answer may wait for a figure module to import.
FIRST_CHANGE_JS = """async (selector) => {
  const root = document.querySelector(selector), input = root.querySelector('[name="grid"]');
  const drawn = new Promise((resolve) => root.addEventListener('jb:drawn', resolve, {once: true}));
  const t0 = performance.now();
  input.value = 17;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  await drawn;
  return performance.now() - t0;
}"""


def cold_load(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    marks = visit(context, url + PAGE)
    context.close()
    return marks


def visit(context, url, network=None, guard=True, stay_ms=0):
    """Open ``url`` in a new tab of ``context`` (under ``network`` conditions, see visits.py)
    until live: first static figure, live, the worker's stages, then a first change; the tab
    then stays open ``stay_ms`` more. ``guard`` aborts requests that leave 127.0.0.1;
    Playwright then bypasses the HTTP cache."""
    context.add_init_script(WORKER_START_JS)
    context.add_init_script(ANSWER_JS)
    offsite = []
    if guard:
        guard_offsite(context, offsite)
    page = context.new_page()
    if network:
        from visits import emulate_network
        emulate_network(context, page, network)
    # Not until "load": on a slow link the page's load event waits behind the worker's downloads.
    page.goto(url, wait_until="commit")
    page.wait_for_function("""performance.getEntriesByName('jb:live').length > 0
        || document.querySelector('.jb-status[data-state="error"]') !== null""", timeout=300_000)
    failed = page.evaluate("""document.querySelector('.jb-status[data-state="error"]')?.textContent""")
    if failed:  # the worker gave up (BOOT_LIMIT_MS, say): say why rather than wait on
        raise RuntimeError(f"{url} did not go live: {failed.strip()}")
    marks = page.evaluate("""async () => ({
      static: performance.getEntriesByName('jb:static')[0].startTime,
      live: performance.getEntriesByName('jb:live')[0].startTime,
      workerStart: window.__workerStart,
      origin: performance.timeOrigin,
      worker: (await import('/javascripts/runtime-client.js')).runtime })""")
    page.wait_for_function("window.answered", timeout=120_000)
    marks["answered"] = page.evaluate("window.answered")
    marks["firstChange"] = page.evaluate(FIRST_CHANGE_JS, "#jb-gradient_field-1")
    page.wait_for_timeout(stay_ms)
    page.close()
    if guard:
        context.unroute("**/*")
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

# A finger dragging the target in a circle: one pointer move per animation frame, sent from
# inside the page: Playwright's page.mouse.move is a round trip to the browser each, and its
# moves, not the page, set the pace of the draws. Returns the intervals between the figure's
# draws meanwhile, and between the moves themselves (the page's frames).
DRAG_JS = """async ([selector, steps]) => {
  const root = document.querySelector(selector), gd = root.querySelector('.jb-plot');
  const {xaxis, yaxis} = gd._fullLayout, box = gd.getBoundingClientRect();
  const at = (u, v) => ({clientX: box.left + xaxis._offset + xaxis._length * u,
                         clientY: box.top + yaxis._offset + yaxis._length * v});
  const send = (type, u, v) => gd.dispatchEvent(new PointerEvent(type,
    {...at(u, v), pointerId: 1, pointerType: 'mouse', isPrimary: true, buttons: 1, bubbles: true, cancelable: true}));
  const draws = [], moves = [];
  const onDrawn = () => draws.push(performance.now());
  root.addEventListener('jb:drawn', onDrawn);
  const frame = () => new Promise(requestAnimationFrame);
  await frame();
  send('pointerdown', 0.5, 0.5);
  for (let k = 0; k < steps; k++) {
    await frame();
    const phase = 2 * Math.PI * k / steps;
    send('pointermove', 0.5 + 0.35 * Math.cos(phase), 0.5 + 0.35 * Math.sin(phase));
    moves.push(performance.now());
  }
  send('pointerup', 0.5 + 0.35, 0.5);
  await new Promise((resolve) => setTimeout(resolve, 300));
  root.removeEventListener('jb:drawn', onDrawn);
  const gaps = (t) => t.slice(1).map((b, i) => b - t[i]);
  return {draws: gaps(draws), moves: gaps(moves)};
}"""


def drag(page, grid) -> dict:
    """A drag of the first figure's target at ``grid`` arrows a side: {draws, moves} intervals (ms)."""
    page.eval_on_selector(f'{FIRST} [name="grid"]', """(el, g) => {
        el.value = g; el.dispatchEvent(new Event('input', {bubbles: true})); }""", grid)
    page.wait_for_timeout(500)
    return page.evaluate(DRAG_JS, [FIRST, DRAG_STEPS])


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


# The worker's work per frame of a live figure, in the probes below: handle starts the run,
# each advance trains a frame's worth and draws it.
LIVE_FRAMES = """
import json, time
from jacobiator.figures import advance, handle

def live_frames(figure, params, runs=2):  # seconds per frame over whole runs of the live figure
    frames = []
    for _ in range(runs):
        run_id = json.loads(handle(json.dumps({"figure": figure, "params": params, "slot": "bench"})))["run"]
        animating = True
        while animating:
            t0 = time.perf_counter()
            reply = advance("bench", run_id)
            frames.append(time.perf_counter() - t0)
            animating = json.loads(reply)["animating"]
    return frames
"""

# Timed the same way in CPython and in Pyodide (in a worker of its own, next to the page's):
# pure training steps of the default network, and the worker's work per frame of the
# live figure (each advance trains `speed` steps).
SCULPT_PROBE = LIVE_FRAMES + """
import json, statistics, time
from jacobiator.figures import sculpt

def sculpt_probe(repeats, steps):
    params = sculpt.SCHEMA.defaults()
    sculpt.train(sculpt.start(params), 50, params["steps"])  # warm-up
    train = []
    for _ in range(repeats):
        run = sculpt.start(params)
        t0 = time.perf_counter()
        sculpt.train(run, steps, steps)
        train.append(time.perf_counter() - t0)
        assert run.step == steps
    frames = live_frames("sculpt", params)
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
      const lockFileURL = new URL(settings.lockFile, data.base).href;  // as the page's worker loads them
      const packages = settings.packages.map((n) => settings.wheels[n] ? new URL(settings.wheels[n], data.base).href : n);
      const pyodide = await loadPyodide({indexURL, lockFileURL, packages, env: settings.env ?? {}});
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

def draws_js(selector):
    """Record every jb:drawn of a training widget (time, worker ms, and its progress: the step its
    figure's layout.meta reports) in window.__train."""
    return f"""() => {{
  const root = document.querySelector('{selector}');
  window.__train = [];
  root.addEventListener('jb:drawn', (event) => window.__train.push({{
    t: performance.now(), renderMs: event.detail.renderMs, step: root.jacobiator.figure.layout.meta.step}}));
}}"""


def training_js(selector):
    return f"() => document.querySelector('{selector}').jacobiator.animating"


# The delay of a reader's key press while the run trains: from the input event's time stamp
# (set when the browser received it) to its handler on the main thread.
def latency_js(selector):
    return f"""() => {{
  const root = document.querySelector('{selector}');
  window.__delays = [];
  window.addEventListener('keydown', (event) => {{
    if (root.jacobiator.animating) window.__delays.push(performance.now() - event.timeStamp);
  }});
}}"""


def pyodide_probe(page, code, call) -> dict:
    answer = page.evaluate(PYODIDE_PROBE_JS, [code, call])
    if "error" in answer:
        sys.exit(f"the Pyodide probe failed: {answer['error']}")
    return json.loads(answer["result"])


def training_frames(page, selector, warmup_ms=SCULPT_WARMUP_MS, counted_ms=SCULPT_FPS_MS):
    """Whole training runs started by Train, until counted_ms of frames after each run's first
    warmup_ms (its first third, for a run shorter than three times that) are counted: the
    worker's ms per trained frame, and the intervals between frames (a frame whose progress,
    see draws_js, is above 0 trained)."""
    page.evaluate(draws_js(selector))
    intervals, renders, counted = [], [], 0.0
    for _ in range(6):
        page.evaluate("window.__train = []")
        page.dispatch_event(f"{selector} .jb-train", "click")
        page.wait_for_function(f"() => window.__train.some((d) => d.step > 0) && !({training_js(selector)})()",
                               timeout=120_000)
        draws = page.evaluate("window.__train")
        trained = [d for d in draws if d["step"] > 0]  # frames of advance (training), not of the run's start
        renders += [d["renderMs"] for d in trained]
        warmup = min(warmup_ms, (trained[-1]["t"] - trained[0]["t"]) / 3)  # sculpt trains in about a second
        warm = [d["t"] for d in trained if d["t"] >= trained[0]["t"] + warmup]
        intervals += [b - a for a, b in zip(warm, warm[1:])]
        counted += warm[-1] - warm[0] if warm else 0
        if counted >= counted_ms:
            break
    return renders, intervals


def key_delays(page, selector, samples=LATENCY_SAMPLES):
    """Training runs started by Train, until ``samples`` key presses landed while one trained."""
    page.evaluate(latency_js(selector))
    count = f"[({training_js(selector)})(), window.__delays.length]"
    for _ in range(6):
        page.dispatch_event(f"{selector} .jb-train", "click")
        page.wait_for_function(training_js(selector))
        training, n = True, 0
        while training and n < samples:
            for _ in range(5):
                time.sleep(random.uniform(0, 0.04))  # at random moments of the frames
                page.keyboard.press("Shift")  # it does nothing on the page
            training, n = page.evaluate(count)
        if n >= samples:
            break
    return page.evaluate("window.__delays")


def cpython_probe(source: str, call: str) -> dict:
    """A probe's ``call`` run in this CPython, as pyodide_probe runs it in a Pyodide worker."""
    namespace = {}
    exec(source, namespace)
    return json.loads(eval(call, namespace))


def widget_training(browser, url, selector, source, call) -> dict:
    """A live training widget: a Pyodide probe (``call`` of ``source``), then runs started by Train."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.wait_for_selector(f'{selector} .jb-status[data-state="live"]', timeout=120_000)
    page.locator(selector).scroll_into_view_if_needed()  # off screen, a run pauses
    probe = pyodide_probe(page, source, call)
    renders, intervals = training_frames(page, selector)
    delays = key_delays(page, selector)
    page.close()
    return {"probe": probe, "renders": renders, "intervals": intervals, "delays": delays}


# The destroy chapter's live training, timed the same way in CPython and in Pyodide: the figure's
# training (destroy_jacobian.train: the steps plus an evaluation of both sets every 10 steps),
# pure training steps (destroy.step), and the worker's work per frame of the live figure.
DESTROY_PROBE = LIVE_FRAMES + """
import json, statistics, time
from jacobiator import destroy
from jacobiator.figures import destroy_jacobian as dj

def destroy_probe(repeats, steps):
    params = dj.TRAINING_SCHEMA.defaults()
    assert steps <= params["steps"]
    dj.train(dj.start_training(params), 20)  # warm-up
    destroy.step(dj.start_training(params).run, 20)
    train, pure = [], []
    for _ in range(repeats):
        live = dj.start_training(params)
        t0 = time.perf_counter()
        dj.train(live, steps)
        train.append(time.perf_counter() - t0)
        assert live.run.done == steps and len(live.history) == 1 + steps // dj.EVAL_EVERY
        live = dj.start_training(params)
        t0 = time.perf_counter()
        destroy.step(live.run, steps)
        pure.append(time.perf_counter() - t0)
        assert live.run.done == steps
    frames = live_frames("destroy_training", params)
    return json.dumps({"steps_per_s": steps / statistics.median(train),
                       "pure_steps_per_s": steps / statistics.median(pure), "speed": params["speed"],
                       "frame_ms": 1e3 * statistics.median(frames), "frames": len(frames)})
"""


SCULPT_CALL = f"sculpt_probe({SCULPT_REPEATS}, {SCULPT_STEPS})"
DESTROY_CALL = f"destroy_probe({DESTROY_REPEATS}, {DESTROY_STEPS})"


# The restore chapter's training, timed the same way in CPython and in Pyodide: each learned-gradient
# model's Model.step on mini-batches of directional samples (drawn beforehand by directional_batch,
# at the default Config: f(x, A) = Ax at 2×2, batches of 50), and part 1's restore.train_step (a batch
# drawn and Ĵ updated) at the default restore.Config. Samples per second: steps × batch / time.
RESTORE_PROBE = """
import json, statistics, time
import numpy as np
from jacobiator import learned_gradient as lg, restore

def restore_probe(repeats, model_steps, steps):
    config = lg.Config()
    rng = np.random.default_rng(0)
    batches = [lg.directional_batch(config, rng) for _ in range(model_steps)]
    out = {"batch": config.batch, "restore_batch": restore.Config().batch}
    for key in lg.MODELS:
        model = lg.make_model(key, config)
        for u, d_alpha, t in batches[:20]:  # warm-up
            model.step(u, d_alpha, t)
        times = []
        for _ in range(repeats):
            model = lg.make_model(key, config)  # each run from the same start, on the same batches
            t0 = time.perf_counter()
            for u, d_alpha, t in batches:
                model.step(u, d_alpha, t)
            times.append(time.perf_counter() - t0)
        out[key] = model_steps * config.batch / statistics.median(times)
    rc = restore.Config()
    run = restore.start(rc)
    for _ in range(50):  # warm-up
        restore.train_step(run)
    times = []
    for _ in range(repeats):
        run = restore.start(rc)
        t0 = time.perf_counter()
        for _ in range(steps):
            restore.train_step(run)
        times.append(time.perf_counter() - t0)
    out["restore"] = steps * rc.batch / statistics.median(times)
    return json.dumps(out)
"""


RESTORE_CALL = f"restore_probe({RESTORE_REPEATS}, {RESTORE_MODEL_STEPS}, {RESTORE_STEPS})"


def live_training(page, selector) -> dict:
    """A live training widget of the page: frames while runs started by Train train (after each
    run's first second), then key presses while one trains; then waits for the run to end, so
    that the widget neither shares the worker with the next one nor pauses off screen."""
    page.locator(selector).scroll_into_view_if_needed()  # off screen, a run pauses
    renders, intervals = training_frames(page, selector)
    delays = key_delays(page, selector)
    page.wait_for_function(f"() => !({training_js(selector)})()", timeout=300_000)
    return {"renders": renders, "intervals": intervals, "delays": delays}


def restore_training(browser, url) -> dict:
    """The restore chapter: a Pyodide probe, then its two live figures trained by Train."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url + RESTORE_PAGE)
    for selector in (RESTORE, RACE):
        page.wait_for_selector(f'{selector} .jb-status[data-state="live"]', timeout=120_000)
    probe = pyodide_probe(page, RESTORE_PROBE, RESTORE_CALL)
    live = {"restore": live_training(page, RESTORE), "race": live_training(page, RACE)}
    page.close()
    return {"probe": probe, "live": live}


def restore_results(cpython: dict, pyodide: dict) -> dict:
    """Samples per second of each model and of part 1's train_step, in CPython and Pyodide, and their ratios."""
    out = {}
    for key, label in (("fc", "fc"), ("lle", "lle"), ("restore", "restore_train_step")):
        out[label] = {"cpython": round(cpython[key]), "pyodide": round(pyodide[key]),
                      "cpython_over_pyodide": round(cpython[key] / pyodide[key], 1)}
    out["lle_over_fc"] = {"cpython": round(cpython["lle"] / cpython["fc"], 1),
                          "pyodide": round(pyodide["lle"] / pyodide["fc"], 1)}
    out["batch"] = {"models": cpython["batch"], "restore_train_step": cpython["restore_batch"]}
    return out


def live_results(live: dict) -> dict:
    """Frames per second while training, the worker's ms per frame, and a key press's delay meanwhile."""
    return fps(live["intervals"]) | {"worker_ms": summary(live["renders"]),
                                     "responsiveness_ms": summary(live["delays"])}


def training_results(cpython: dict, pyodide: dict, live: dict) -> dict:
    """Steps per second in CPython and in Pyodide (the probe), and per drawn frame (the page's worker)."""
    speed = cpython["speed"]
    in_page = speed * 1e3 / statistics.median(live["renders"])  # the page's worker, per frame
    cpython_frames = speed * 1e3 / cpython["frame_ms"]
    return {
        "cpython": round(cpython["steps_per_s"]), "pyodide": round(pyodide["steps_per_s"]),
        "cpython_over_pyodide": round(cpython["steps_per_s"] / pyodide["steps_per_s"], 1),
        "cpython_incl_frame": round(cpython_frames), "pyodide_incl_frame": round(in_page),
        "cpython_over_pyodide_incl_frame": round(cpython_frames / in_page, 1),
        "pyodide_incl_frame_probe": round(speed * 1e3 / pyodide["frame_ms"])}


def fps(intervals) -> dict:
    return {"fps": round(1000 / statistics.median(intervals), 1), "frame_ms": summary(intervals)}


def main(argv=None):
    parser = argparse.ArgumentParser(description="The pipeline's benchmark: prints JSON, asserts nothing.")
    parser.add_argument("--only", action="append", choices=PARTS, metavar="PART",
                        help=f"run only this part ({', '.join(PARTS)}); repeatable; default: all")
    parts = set(parser.parse_args(argv).only or PARTS)
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        times = []
        port = free_port()  # Material's instant navigation works where site_url says the site is
        config = write_config(Path(tmp) / "mkdocs.yml", site_url=f"http://127.0.0.1:{port}/")
        for k in range(BUILDS if "build" in parts else 1):
            t0 = time.perf_counter()
            done = build_site(Path(tmp) / f"site{k}", config)
            times.append(time.perf_counter() - t0)
            if done.returncode:
                sys.exit(done.stdout + done.stderr)
        if "build" in parts:
            result["mkdocs_build_s"] = {"median": round(statistics.median(times), 2), "n": BUILDS}
        site = Path(tmp) / "site0"
        with serve(site, port) as url, chromium() as browser:
            if "visits" in parts:  # first: the machine is quietest before the other parts
                from visits import measure_site
                result["visits"] = measure_site(browser, site, VISIT_RUNS)
            if "pages" in parts:
                pages(browser, url, result)
            elif "cold" in parts:
                cold_loads(browser, url, result)
            if "sculpt" in parts:
                sculpt = widget_training(browser, url, SCULPT, SCULPT_PROBE, SCULPT_CALL)
            if "destroy" in parts:
                destroy = widget_training(browser, url + DESTROY_PAGE, DESTROY, DESTROY_PROBE, DESTROY_CALL)
            if "restore" in parts:
                restore = restore_training(browser, url)

    if "pages" in parts:
        params = {"grid": 15}
        cpython = cpython_render_ms(params)
        pyodide = statistics.median(result.pop("_renders")[1::2])  # the grid-15 renders, as in CPython
        result["render_ms"] = {"cpython": round(cpython, 2), "pyodide": round(pyodide, 2),
                               "pyodide_over_cpython": round(pyodide / cpython, 1)}

    if "sculpt" in parts:
        result["sculpt_steps_per_s"] = training_results(cpython_probe(SCULPT_PROBE, SCULPT_CALL), sculpt["probe"], sculpt)
        result["sculpt_training_fps"] = fps(sculpt["intervals"])
        result["sculpt_responsiveness_ms"] = summary(sculpt["delays"])

    if "destroy" in parts:
        cpython, pyodide = cpython_probe(DESTROY_PROBE, DESTROY_CALL), destroy["probe"]
        steps = training_results(cpython, pyodide, destroy)
        steps |= {"cpython_pure": round(cpython["pure_steps_per_s"]), "pyodide_pure": round(pyodide["pure_steps_per_s"]),
                  "cpython_over_pyodide_pure": round(cpython["pure_steps_per_s"] / pyodide["pure_steps_per_s"], 1)}
        result["destroy_steps_per_s"] = steps
        result["destroy_training_fps"] = fps(destroy["intervals"])
        result["destroy_responsiveness_ms"] = summary(destroy["delays"])

    if "restore" in parts:
        result["restore_samples_per_s"] = restore_results(cpython_probe(RESTORE_PROBE, RESTORE_CALL), restore["probe"])
        result["restore_live_fps"] = live_results(restore["live"]["restore"])
        result["race_live_fps"] = live_results(restore["live"]["race"])
    print(json.dumps(result, indent=1))


def cold_summary(loads) -> dict:
    """Medians of cold loads (cold_load's marks)."""
    return {
        "cold_first_static_ms": round(statistics.median(m["static"] for m in loads)),
        "cold_live_ms": round(statistics.median(m["live"] for m in loads)),
        "cold_answer_ms": round(statistics.median(m["answered"] for m in loads)),  # ANSWER_JS
        # Inside the worker: from its start to Pyodide with its packages (numpy and jacobiator,
        # loaded together), to the figure registry imported, and to ready (the page's figure
        # modules imported too; a build before e7a2e39 has no registry stage).
        "cold_worker_ms": {
            "started": round(statistics.median(m["workerStart"] for m in loads)),  # from navigation, in the page
            # When the worker's own code began to run (from navigation): the browser starts a
            # worker only once the page's main thread is free (a build before this has none).
            "running": _median_or_none([m["worker"]["stages"]["began"] - m["origin"]
                                        for m in loads if "began" in m["worker"]["stages"]]),
            "pyodide_and_packages": round(statistics.median(m["worker"]["stages"]["pyodide"] for m in loads)),
            "registry": round(statistics.median(m["worker"]["stages"].get("registry", 0) for m in loads)),
            "ready": round(statistics.median(m["worker"]["bootMs"] for m in loads))},
        # From a change of the first figure's grid right after live to its redraw by Python.
        "cold_first_change_ms": round(statistics.median(m["firstChange"] for m in loads)),
        "cold_loads": len(loads)}


def _median_or_none(values: list) -> int | None:
    return round(statistics.median(values)) if values else None


def cold_loads(browser, url, result: dict) -> None:
    """Cold loads of the gradient-fields chapter: first static figure, live, and the worker's stages."""
    result.update(cold_summary([cold_load(browser, url) for _ in range(COLD_LOADS)]))


def pages(browser, url, result: dict) -> None:
    """The gradient-fields chapter: cold loads, redraws, drags, instant navigation, particles."""
    cold_loads(browser, url, result)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url + PAGE)
    page.wait_for_selector(f'{FIRST} .jb-status[data-state="live"]', timeout=120_000)
    page.locator(FIRST).scroll_into_view_if_needed()
    redraw = page.evaluate(REDRAW_JS, [FIRST, CHANGES])
    result["redraw_latency_ms"] = summary(redraw["latencies"])
    for grid in (15, 32):
        drag_at = drag(page, grid)
        result[f"drag_frame_ms_grid{grid}"] = summary(drag_at["draws"])
        result[f"drag_pointer_ms_grid{grid}"] = summary(drag_at["moves"])  # the finger's pace: a move per frame
    result["instant_navigation_live_ms"] = summary([back_to_chapter(page) for _ in range(5)])
    intervals = particle_frames(page)
    result[f"particles_{PARTICLES}"] = {"fps": round(1000 / statistics.median(intervals), 1),
                                        "frame_ms": summary(intervals)}
    page.close()
    result["_renders"] = redraw["renders"]  # turned into render_ms once the browser is closed


if __name__ == "__main__":
    main()
