"""The *restore the Jacobian* chapter live in the page: Ĵ trains, pauses, resumes and
restarts when a setting changes; the learned-gradient race trains and draws frame after
frame; the sweep over sizes re-runs and says how far it got; the fit with the learned
gradients trains its models, then fits."""

import math
import statistics

import pytest

from widgets import click, meta_js, open_live, pause_and_resume, record_drawn, set_control, shot, title_js

from jacobiator.figures import render

pytestmark = pytest.mark.browser

PAGE = "restore-the-jacobian/"
JACOBIAN = "#jb-restore_jacobian-1"
SIZES = "#jb-restore_sizes-1"
RACE = "#jb-gradient_race-1"
FIT = "#jb-gradient_fit-1"
EPOCHS = 50  # the Ĵ figure's budget at the defaults
LIGHT = 5000  # the fewest directional samples the learned-gradient figures take


def widget_js(selector):
    return f"document.querySelector('{selector}').jacobiator"


EPOCH_JS = f"() => {meta_js(JACOBIAN)}.epoch"



def start_live_run(page, selector):
    """After control changes (each asks for a new live run): press Train only if nothing runs."""
    page.wait_for_timeout(200)
    if not page.evaluate(f"{widget_js(selector)}.animating || {widget_js(selector)}.busy"):
        click(page, f"{selector} .jb-train")


def is_finite_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def test_restore_jacobian_trains_pauses_resumes_and_restarts(watched, site_url, screenshots, record_property):
    page = watched.page
    assert open_live(page, site_url + PAGE, JACOBIAN)["epoch"] == EPOCHS  # the static figure: the end of the run
    assert page.inner_text(f"{JACOBIAN} .jb-train") == "Train"

    click(page, f"{JACOBIAN} .jb-train")
    page.wait_for_function(f"() => {{ const e = ({EPOCH_JS})(); return e >= 2 && e < {EPOCHS}; }}", timeout=60_000)
    assert page.inner_text(f"{JACOBIAN} .jb-train") == "Pause"

    # Pause answers while the run trains, and no further frame lands.
    paused_at = pause_and_resume(page, JACOBIAN, EPOCH_JS, EPOCHS, record_property)
    shot(page, JACOBIAN, screenshots / "restore-training.png")
    assert page.inner_text(f"{JACOBIAN} .jb-train") == "Pause"  # still training after the screenshot

    # A smaller problem trains again from the start; a dim_sample above dim_i is taken as dim_i,
    # and the title says so. Every drawn frame is recorded, so a quick climb cannot hide the restart.
    record_drawn(page, JACOBIAN, "drawn")
    set_control(page, "dim_i", 4, JACOBIAN)
    set_control(page, "dim_sample", 8, JACOBIAN)
    page.wait_for_function("() => window.drawn.some((d) => d.meta.dim_sample === 4 && d.meta.epoch <= 2)")
    page.wait_for_function(f"() => ({EPOCH_JS})() === {EPOCHS} && !{widget_js(JACOBIAN)}.animating", timeout=60_000)
    metas = [d["meta"] for d in page.evaluate("window.drawn")]
    # A run starts where the steps fall back or the batch changes.
    runs, first = [], 0
    for k in range(1, len(metas) + 1):
        if (k == len(metas) or metas[k]["step"] < metas[k - 1]["step"]
                or metas[k]["samples_per_step"] != metas[k - 1]["samples_per_step"]):
            runs.append(metas[first:k])
            first = k
    old = runs.pop(0) if runs[0][0]["step"] != 0 else []  # the old run may have drawn no more frame
    *on_the_way, new = runs
    assert all(m["epoch"] > paused_at and m["dim_sample"] == 2 for m in old), metas  # frames of the old run only
    # Any run asked for on the way (dim_i alone) starts from 0 and takes dim_sample as it is.
    for run in on_the_way:
        assert run[0]["step"] == 0 and all(m["dim_sample"] == 2 for m in run), metas
    # The new run: drawn from its first frame near epoch 0, dim_sample taken as dim_i, to the end:
    # 50 steps of 32 samples (4 × 8, batches of 8 × 4).
    assert new[0]["epoch"] <= 2 and all(m["dim_sample"] == 4 for m in new), metas
    assert {k: new[-1][k] for k in ("step", "of", "epoch", "epochs", "samples_per_step")} == {
        "step": 50, "of": 50, "epoch": EPOCHS, "epochs": EPOCHS, "samples_per_step": 32}, new[-1]
    print(f"restore_jacobian restart: {len(old)} frames of the old run, {len(on_the_way)} run(s) on the way, "
          f"{len(new)} frames of the new one")
    final = page.evaluate(title_js(JACOBIAN))
    assert "dim_sample taken as dim_i = 4" in final, final  # the reader is told
    assert page.inner_text(f"{JACOBIAN} .jb-train") == "Train"
    shot(page, JACOBIAN, screenshots / "restore-trained.png")


# At a training frame: the plots the canvas layer drew; whether Plotly kept the traces it
# computed at the last frame (gd.calcdata); and the axes whose range Plotly drew otherwise
# than the figure gave it (a change it would answer by drawing the axes again).
FRAME_JS = f"""() => {{
  const w = {widget_js(JACOBIAN)}, gd = w.plot;
  const same = gd.calcdata === window.lastCalcdata;
  window.lastCalcdata = gd.calcdata;
  const settled = Boolean(window.settledSince);
  window.settledSince = false;
  const moved = Object.keys(w.figure.layout).filter((k) => /^[xy]axis\\d*$/.test(k) && w.figure.layout[k].range
    && JSON.stringify(gd._fullLayout[k].range) !== JSON.stringify(w.figure.layout[k].range));
  return {{plots: [...w.plotsOnCanvas].sort(), same, settled, moved}};
}}"""


def test_restore_jacobian_frames_leave_plotly_only_the_title_to_redraw(watched, site_url):
    page = watched.page
    open_live(page, site_url + PAGE, JACOBIAN)
    record_drawn(page, JACOBIAN, "restoreFrames", f"({FRAME_JS})()")
    page.eval_on_selector(JACOBIAN, "root => root.addEventListener('jb:settled', () => { window.settledSince = true; })")
    click(page, f"{JACOBIAN} .jb-train")
    page.wait_for_function(f"() => window.restoreFrames.length > 5 && !{widget_js(JACOBIAN)}.animating", timeout=60_000)
    frames = page.evaluate("window.restoreFrames")
    # The two matrices and the two plots of curves on the canvas, at every frame; Plotly's
    # traces (legend entries, colour bar) computed once, and its axes where the figure says.
    assert all(f["plots"] == ["x2y2", "x3y3", "x4y4", "xy"] and f["moved"] == [] for f in frames), frames
    kept = [f["same"] for f in frames[1:] if not f["settled"]]
    assert len(kept) > 5 and all(kept), frames


def test_gradient_race_learns_live_and_ends_where_cpython_does(watched, site_url, screenshots, record_property):
    page = watched.page
    static = open_live(page, site_url + PAGE, RACE)
    assert static["step"] == static["of"] == 60_000, static  # the static figure: the whole budget

    record_drawn(page, RACE, "drawn")
    set_control(page, "samples", LIGHT, RACE)  # a new live run
    start_live_run(page, RACE)
    # A few frames of the new run in, a screenshot while it trains.
    page.wait_for_function(f"""() => window.drawn.filter((d) => d.meta.of === {LIGHT} && d.meta.step > 0)
      .length >= 2""", timeout=60_000)
    # Held still for the screenshot (a loaded machine takes longer over it than the light run
    # takes to finish), then let go on.
    shot_from = page.evaluate("performance.now()")
    click(page, f"{RACE} .jb-train")
    page.wait_for_function(f"() => document.querySelector('{RACE} .jb-train').innerText === 'Resume'",
                           timeout=10_000)
    after_pause = page.evaluate(f"[{widget_js(RACE)}.animating, {meta_js(RACE)}]")
    assert after_pause[0], f"the race ended before it could be paused: {after_pause[1]}"
    shot(page, RACE, screenshots / "race-live.png")
    click(page, f"{RACE} .jb-train")
    shot_to = page.evaluate("performance.now()")
    page.wait_for_function(f"""() => {{ const m = {meta_js(RACE)};
      return m.step === {LIGHT} && m.of === {LIGHT} && !{widget_js(RACE)}.animating; }}""", timeout=120_000)
    assert page.inner_text(f"{RACE} .jb-train") == "Train"

    drawn = page.evaluate("window.drawn")
    start = next(k for k, d in enumerate(drawn) if d["meta"]["of"] == LIGHT)
    run = [d["meta"] for d in drawn[start:]]
    counts = [m["step"] for m in run]
    assert all(m["of"] == LIGHT for m in run), run
    assert counts[0] == 0 and counts[-1] == LIGHT, counts
    assert all(a < b for a, b in zip(counts, counts[1:])), counts  # every frame a step further
    assert len(counts) >= 5, counts
    first, last = run[0]["rel_error"], run[-1]["rel_error"]
    assert all(is_finite_number(last[k]) and last[k] < first[k] for k in ("fc", "lle")), (first, last)  # both learn
    # The run in the browser (Pyodide) ends where CPython's render of the same settings does:
    # the race is not chaotic (test_pyodide_parity: equal before rounding to 1e-9).
    params = page.evaluate(f"{widget_js(RACE)}.params")
    assert last == pytest.approx(render("gradient_race", **params)["layout"]["meta"]["rel_error"], rel=1e-3)
    fc, lle = last["fc"], last["lle"]

    # Frames per second while it trained (the frames after the first; not across the screenshot).
    times = [d["t"] for d, m in zip(drawn[start:], run) if m["step"] > 0]
    intervals = [b - a for a, b in zip(times, times[1:]) if b < shot_from or a > shot_to]
    assert intervals, times
    fps = 1000 / statistics.median(intervals)
    record_property("race_fps", round(fps, 1))
    print(f"gradient_race at {LIGHT} samples: {len(times)} training frames, {fps:.1f} frames/s "
          f"(median interval {statistics.median(intervals):.0f} ms, max {max(intervals):.0f} ms); "
          f"final FC {fc:.3g}, LLE {lle:.3g}")


def test_restore_sizes_reruns_live_with_progress(watched, site_url):
    page = watched.page
    static = open_live(page, site_url + PAGE, SIZES)
    assert static["step"] == static["of"] == 4 and static["epochs"] == 20, static  # the static figure
    assert page.inner_text(f"{SIZES} .jb-train") == "Train"

    record_drawn(page, SIZES, "drawn")
    set_control(page, "epochs", 1, SIZES)  # the lightest sweep
    set_control(page, "seeds", 1, SIZES)
    start_live_run(page, SIZES)
    page.wait_for_function("() => window.drawn.some((d) => d.meta.step < d.meta.of)", timeout=60_000)
    page.wait_for_function(f"""() => {{ const m = {meta_js(SIZES)};
      return m.step === m.of && m.epochs === 1 && m.seeds === 1 && !{widget_js(SIZES)}.animating; }}""",
                           timeout=180_000)
    assert page.evaluate(title_js(SIZES)) == "after 1 epoch, dim_sample = 0.25 × dim, 1 seed"  # in the singular
    assert page.inner_text(f"{SIZES} .jb-train") == "Train"

    metas = [d["meta"] for d in page.evaluate("window.drawn")]
    assert all(m["of"] == 4 for m in metas), metas
    progress = [m["step"] for m in metas if m["step"] < m["of"]]  # sizes measured, while measuring
    # Each control change asked for a run; the last one (from 0 sizes done) went to the end.
    assert progress and 0 in progress, metas
    last = progress[len(progress) - 1 - progress[::-1].index(0):]
    assert last == sorted(last) and last[-1] < 4, metas

    learned = page.evaluate(f"""() => {widget_js(SIZES)}.figure.data
      .filter((t) => t.meta && t.meta.role === 'learned').map((t) => t.y)""")
    assert learned and all(len(y) == 4 and all(is_finite_number(v) and v > 0 for v in y) for y in learned), learned
    # The sweep in the browser (Pyodide) ends where CPython's render of the same settings does
    # (not chaotic: test_pyodide_parity finds the two equal before rounding to 1e-9).
    params = page.evaluate(f"{widget_js(SIZES)}.params")
    expected = [t["y"] for t in render("restore_sizes", **params)["data"] if t["meta"]["role"] == "learned"]
    assert len(learned) == len(expected) and all(y == pytest.approx(want, rel=1e-3) for y, want in zip(learned, expected))


def test_gradient_fit_trains_then_fits(watched, site_url):
    page = watched.page
    static = open_live(page, site_url + PAGE, FIT)
    assert static["step"] == static["of"] == 60_000 and static["final_loss"], static  # the static figure
    assert page.inner_text(f"{FIT} .jb-train") == "Train"

    record_drawn(page, FIT, "drawn")
    set_control(page, "samples", LIGHT, FIT)  # a new live run
    start_live_run(page, FIT)
    page.wait_for_function(f"""() => {{ const m = {meta_js(FIT)};
      return m.of === {LIGHT} && m.final_loss !== null && !{widget_js(FIT)}.animating; }}""", timeout=120_000)
    assert page.inner_text(f"{FIT} .jb-train") == "Train"

    metas = [d["meta"] for d in page.evaluate("window.drawn")]
    learning = [m["step"] for m in metas if m["of"] == LIGHT and m["final_loss"] is None]
    assert learning and learning == sorted(learning), metas  # the models trained first, in view

    curves = page.evaluate(f"""() => {widget_js(FIT)}.figure.data
      .filter((t) => t.meta && t.meta.role === 'loss').map((t) => ({{model: t.meta.model, y: t.y}}))""")
    assert sorted(c["model"] for c in curves) == ["fc", "lle", "true"], curves
    for c in curves:
        assert c["y"] and is_finite_number(c["y"][-1]), (c["model"], c["y"][-5:])
