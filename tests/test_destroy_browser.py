"""The *destroy the Jacobian* chapter live in the page: the training figure trains,
pauses, resumes and restarts when a distortion changes; a sweep re-runs live and
says how far it got."""

import json
import math

import pytest

from widgets import click, meta_js, open_live, pause_and_resume, record_drawn, set_control, shot, title_js, wait_live

from jacobiator.figures import render

pytestmark = pytest.mark.browser

PAGE = "destroy-the-jacobian/"
TRAINING = "#jb-destroy_training-1"
STEPS = 400  # the training figure's budget at the defaults
STEP_JS = f"() => {meta_js(TRAINING)}.step"



def test_destroy_training_trains_pauses_resumes_and_restarts(watched, site_url, screenshots, record_property):
    page = watched.page
    static = open_live(page, site_url + PAGE, TRAINING)
    assert static["step"] == static["of"] == STEPS, static  # the static figure: after the whole budget
    assert page.inner_text(f"{TRAINING} .jb-train") == "Train"

    click(page, f"{TRAINING} .jb-train")
    page.wait_for_function(f"() => {{ const s = ({STEP_JS})(); return s >= 20 && s < {STEPS}; }}")
    assert page.inner_text(f"{TRAINING} .jb-train") == "Pause"

    # Pause answers while the run trains, and no further step lands.
    paused_at = pause_and_resume(page, TRAINING, STEP_JS, STEPS, record_property)
    shot(page, TRAINING, screenshots / "destroy-training.png")
    assert page.inner_text(f"{TRAINING} .jb-train") == "Pause"  # still training after the screenshot

    # A changed distortion trains again from the start (signSGD for ∇θ); every drawn
    # step is recorded, so a quick climb cannot hide the fresh start.
    record_drawn(page, TRAINING, "drawnSteps", f"({STEP_JS})()")
    record_drawn(page, TRAINING, "drawnTitles", title_js(TRAINING))
    set_control(page, "grad_beta", 0, TRAINING)
    page.wait_for_function("() => window.drawnSteps.some((s) => s >= 0 && s <= 10)")
    page.wait_for_function(f"() => ({STEP_JS})() === {STEPS}", timeout=120_000)
    steps, titles = page.evaluate("[window.drawnSteps, window.drawnTitles]")
    restart = next(k for k, s in enumerate(steps) if 0 <= s <= 10)
    assert all(s > paused_at for s in steps[:restart])  # before the restart: frames of the old run only
    assert steps[restart:] == sorted(steps[restart:])  # then the new run climbs to the end
    assert all("∇θ β=0" in t for t in titles[restart:]), titles[restart:]
    assert page.inner_text(f"{TRAINING} .jb-train") == "Train"
    shot(page, TRAINING, screenshots / "destroy-trained.png")


# What is drawn where: Plotly's traces and legend entries, the canvas layer's opaque pixels
# on the regions' plot (the data points are; the regions' colours, see through, are not) and
# its pixels on the loss curves' plot; and whether Plotly computed its traces again (a new
# gd.calcdata) since the last frame.
DRAWN_WHERE_JS = f"""() => {{
  const root = document.querySelector('{TRAINING}'), gd = root.jacobiator.plot;
  const pixels = (plot, alpha) => {{
    const canvas = root.querySelector(`canvas.jb-canvas[data-plot="${{plot}}"]`);
    if (!canvas) return 0;
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let k = 3; k < d.length; k += 4) if (d[k] >= alpha) n++;
    return n;
  }};
  const same = gd.calcdata === window.lastCalcdata;
  window.lastCalcdata = gd.calcdata;
  const settled = Boolean(window.settledSince); // Plotly drew the whole figure in between
  window.settledSince = false;
  return {{types: gd.data.map((t) => t.type), points: gd.data.map((t) => (t.x ?? t.z).length),
           legend: gd.querySelectorAll('.legend .traces').length, opaque: pixels('xy', 255), curves: pixels('x2y2', 1),
           same, settled}};
}}"""


def test_training_frames_draw_on_the_canvas_and_plotly_only_what_changes_around_it(watched, site_url):
    page = watched.page
    open_live(page, site_url + PAGE, TRAINING)
    record_drawn(page, TRAINING, "where", f"({DRAWN_WHERE_JS})()")
    page.eval_on_selector(TRAINING, "root => root.addEventListener('jb:settled', () => { window.settledSince = true; })")
    click(page, f"{TRAINING} .jb-train")
    page.wait_for_function(f"() => window.where.length > 5 && !document.querySelector('{TRAINING}').jacobiator.animating",
                           timeout=120_000)
    page.wait_for_function(f"() => ({DRAWN_WHERE_JS})().points[1] > 1", timeout=10_000)
    during = page.evaluate("window.where")  # the frames of the run
    after = page.evaluate(DRAWN_WHERE_JS)
    # While it trains, the layer draws every plot: the regions, the data points and the curves.
    # Plotly keeps each trace without its points (its legend entry), so that a frame gives it
    # nothing to compute again: after the run's first frame, its traces stay as they were.
    for frame in during:
        assert frame["types"] == ["heatmap"] + ["scatter"] * 6 and set(frame["points"]) == {1}, frame
        assert frame["legend"] == 4 and frame["opaque"] > 1000, frame
    assert during[-1]["curves"] > 50, during[-1]  # the first frame's curves have one point: no line yet
    kept = [frame["same"] for frame in during[1:] if not frame["settled"]]
    assert len(kept) > 5 and all(kept), [(frame["same"], frame["settled"]) for frame in during]
    # After the run, Plotly draws the whole figure again (its hover labels), the layer nothing.
    assert after["types"] == ["heatmap"] + ["scatter"] * 6 and min(after["points"][1:3]) > 50, after
    assert after["legend"] == 4 and after["opaque"] == 0 and after["curves"] == 0, after


def sweep_state_js(selector):
    return f"""() => ({{animating: document.querySelector('{selector}').jacobiator.animating, meta: {meta_js(selector)}}})"""


def pause_at_first_frame_js(selector, steps):
    """Pause the sweep at the first frame it draws of a run of ``steps`` steps per batch, still
    training (in the jb:drawn handler, so the run cannot finish in between); not while a request
    is on its way: its reply would start its run unpaused."""
    return f"""() => {{
  const root = document.querySelector('{selector}'), w = root.jacobiator;
  window.sweepPaused = null;
  const onDrawn = () => {{
    const p = {meta_js(selector)};
    if (w.busy || w.dirty || !w.animating || p.step >= p.of || p.of !== {steps} * p.batches) return;
    root.removeEventListener('jb:drawn', onDrawn);
    root.querySelector('.jb-train').dispatchEvent(new MouseEvent('click', {{bubbles: true}}));
    window.sweepPaused = p;
  }};
  root.addEventListener('jb:drawn', onDrawn);
}}"""


def means_js(selector):
    return f"""() => document.querySelector('{selector}').jacobiator.figure.data
  .filter((t) => t.meta && t.meta.role === 'mean').map((t) => ({{name: t.name, y: t.y}}))"""


def settle(page, name, quiet_ms=1000, limit_ms=10_000):
    """Wait until no frame has been drawn (window[name] grew) for quiet_ms; how many landed meanwhile."""
    return page.evaluate(f"""async () => {{
      const start = window.{name}.length, t0 = performance.now();
      let seen = start, since = performance.now();
      while (performance.now() - since < {quiet_ms} && performance.now() - t0 < {limit_ms}) {{
        await new Promise((r) => setTimeout(r, 50));
        if (window.{name}.length !== seen) {{ seen = window.{name}.length; since = performance.now(); }}
      }}
      return seen - start;
    }}""")


def flip_sweep(page):
    """The selector of the flip sweep's widget (#jb-destroy_sweep-1 when the chapter was first written)."""
    ids = page.evaluate("""() => [...document.querySelectorAll('.jb-widget')]
      .filter((el) => el.jacobiator && el.jacobiator.key === 'destroy_sweep' && el.jacobiator.params.sweep === 'flip')
      .map((el) => el.id)""")
    assert ids, "no flip sweep on the page"
    return f"#{ids[0]}"


SWEEP_STEPS = 50  # the lightest setting: one seed, 50 steps per batch


def test_destroy_sweep_reruns_live_with_progress(watched, site_url, screenshots):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page, "#jb-destroy_sweep-1")
    sweep = flip_sweep(page)
    wait_live(page, sweep)
    page.locator(sweep).scroll_into_view_if_needed()  # off screen, a run pauses
    widget = f"document.querySelector('{sweep}').jacobiator"
    static = page.evaluate(meta_js(sweep))
    assert static["step"] == static["of"] and static["batch"] == static["batches"], static  # the static figure
    assert page.inner_text(f"{sweep} .jb-train") == "Train"
    batches = page.evaluate(f"""() => {{ const w = {widget};  // mean lines, one per batch of a sweep over p
      return w.figure.data.filter((t) => t.meta && t.meta.role === 'mean').length; }}""")

    record_drawn(page, sweep, "sweepMetas", meta_js(sweep))
    page.evaluate(pause_at_first_frame_js(sweep, SWEEP_STEPS))
    set_control(page, "seeds", 1, sweep)  # each change asks for a new live run
    set_control(page, "steps", SWEEP_STEPS, sweep)
    page.wait_for_timeout(200)
    if not page.evaluate(f"{widget}.animating || {widget}.busy"):
        click(page, f"{sweep} .jb-train")  # idle: Train starts a run
    page.wait_for_function("() => window.sweepMetas.some((m) => m.step < m.of)", timeout=60_000)

    # Held still for a screenshot of the run in progress, then let go on.
    page.wait_for_function("() => window.sweepPaused !== null", timeout=60_000)
    assert page.inner_text(f"{sweep} .jb-train") == "Resume"
    landed = settle(page, "sweepMetas")  # frames already on their way still land
    # One frame may be in flight when Pause is pressed; a second one means the worker runs a
    # frame ahead (an ack sent for a run that a newer request replaced counts for the new run).
    print(f"frames drawn after the sweep's pause: {landed}")
    assert landed <= 2, page.evaluate("window.sweepMetas")
    state = page.evaluate(sweep_state_js(sweep))
    assert state["meta"]["step"] < state["meta"]["of"] and state["animating"], state
    shot(page, sweep, screenshots / "destroy-sweep-live.png")
    page.wait_for_timeout(700)
    assert page.evaluate(sweep_state_js(sweep)) == state  # paused: nothing moved
    assert page.inner_text(f"{sweep} .jb-train") == "Resume"
    click(page, f"{sweep} .jb-train")
    assert page.inner_text(f"{sweep} .jb-train") == "Pause"

    page.wait_for_function(f"""() => {{ const m = {meta_js(sweep)};
      return m.step === m.of && m.of === {SWEEP_STEPS} * m.batches && m.seeds === 1; }}""", timeout=120_000)
    metas = page.evaluate("window.sweepMetas")
    training = [m for m in metas if m["step"] < m["of"]]
    assert training, metas
    assert all(0 <= m["step"] and 1 <= m["batch"] <= m["batches"] for m in training), metas
    last = [m for m in training if m["of"] == SWEEP_STEPS * m["batches"]]
    assert last and last[-1]["batches"] == batches, metas  # the flip sweep: one batch per curve
    assert [m["step"] for m in last] == sorted(m["step"] for m in last), metas  # the light run only climbs
    assert [m["batch"] for m in last] == sorted(m["batch"] for m in last), metas
    assert page.inner_text(f"{sweep} .jb-train") == "Train"
    assert not page.evaluate(f"{widget}.animating")

    means = page.evaluate(means_js(sweep))
    assert len(means) == batches, json.dumps(means)
    # The run in the browser (Pyodide) ends where CPython's render of the same settings does.
    # Flip sweeps are driven by their random flips, not by rounding: measured equal to the digit.
    params = page.evaluate(f"{widget}.params")
    expected = [t for t in render("destroy_sweep", **params)["data"] if t["meta"]["role"] == "mean"]
    assert [t["name"] for t in means] == [t["name"] for t in expected]
    for trace, want in zip(means, expected):
        assert all(isinstance(v, (int, float)) and math.isfinite(v) for v in trace["y"]), trace
        assert trace["y"] == pytest.approx(want["y"], abs=0.01), (trace, want)
