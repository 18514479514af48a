"""The *restore the Jacobian* chapter live in the page: Ĵ trains, pauses, resumes and
restarts when a setting changes; the learned-gradient race trains and draws frame after
frame; the sweep over sizes re-runs and says how far it got; the fit with the learned
gradients trains its models, then fits."""

import math
import re
import statistics

import pytest

from widgets import click, pause_and_resume, set_control, shot, title_js, wait_live

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


# "epoch E of T (...)" as E, or -1.
EPOCH_OF_JS = r"""(text) => { const m = text.match(/^epoch ([\d.]+) of (\d+) \(/); return m ? parseFloat(m[1]) : -1; }"""
EPOCH_JS = f"() => ({EPOCH_OF_JS})({title_js(JACOBIAN)})"


def record_drawn(page, selector, name):
    """window[name] collects {t, title} at every jb:drawn of the widget."""
    page.evaluate(f"""() => {{ window.{name} = [];
      document.querySelector('{selector}').addEventListener('jb:drawn',
        () => window.{name}.push({{t: performance.now(), title: {title_js(selector)}}})); }}""")


def start_live_run(page, selector):
    """After control changes (each asks for a new live run): press Train only if nothing runs."""
    page.wait_for_timeout(200)
    if not page.evaluate(f"{widget_js(selector)}.animating || {widget_js(selector)}.busy"):
        click(page, f"{selector} .jb-train")


def is_finite_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def test_restore_jacobian_trains_pauses_resumes_and_restarts(watched, site_url, screenshots, record_property):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page, JACOBIAN)
    page.locator(JACOBIAN).scroll_into_view_if_needed()  # off screen, a run pauses
    assert page.evaluate(EPOCH_JS) == EPOCHS  # the static figure: the end of the run
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
    taken = "dim_sample taken as dim_i = 4"
    page.wait_for_function(f"""() => window.drawn.some((d) => d.title.includes('{taken}')
                                && ({EPOCH_OF_JS})(d.title) >= 0 && ({EPOCH_OF_JS})(d.title) <= 2)""")
    page.wait_for_function(f"() => ({EPOCH_JS})() === {EPOCHS} && !{widget_js(JACOBIAN)}.animating", timeout=60_000)
    titles = [d["title"] for d in page.evaluate("window.drawn")]
    # Each drawn frame as (epoch, steps done); a run starts where the steps fall back or the batch changes.
    parsed = [re.match(r"^epoch ([\d.]+) of 50 \((\d+) steps of (\d+) samples\)", t) for t in titles]
    assert all(parsed), titles
    frames = [(float(m.group(1)), int(m.group(2))) for m in parsed]
    batches = [int(m.group(3)) for m in parsed]
    runs, first = [], 0
    for k in range(1, len(frames) + 1):
        if k == len(frames) or frames[k][1] < frames[k - 1][1] or batches[k] != batches[k - 1]:
            runs.append(list(zip(frames[first:k], titles[first:k])))
            first = k
    old = runs.pop(0) if runs[0][0][0] != (0.0, 0) else []  # the old run may have drawn no more frame
    *on_the_way, new = runs
    assert all(epoch > paused_at for (epoch, _), _ in old), titles  # frames of the old run only
    # Any run asked for on the way (dim_i alone) starts from 0 and takes dim_sample as it is.
    for run in on_the_way:
        assert run[0][0] == (0.0, 0) and not any(taken in t for _, t in run), titles
    # The new run: drawn from its first frame near epoch 0, with the note in every title, to the end.
    assert new[0][0][0] <= 2, titles
    assert all(taken in t for _, t in new), titles
    assert new[-1][0] == (EPOCHS, 50), titles
    print(f"restore_jacobian restart: {len(old)} frames of the old run, {len(on_the_way)} run(s) on the way, "
          f"{len(new)} frames of the new one")
    final = page.evaluate(title_js(JACOBIAN))
    assert final.startswith(f"epoch {EPOCHS}.0 of {EPOCHS} (50 steps of 32 samples)"), final  # 4 × 8, batches of 8 × 4
    assert taken in final, final
    assert page.inner_text(f"{JACOBIAN} .jb-train") == "Train"
    shot(page, JACOBIAN, screenshots / "restore-trained.png")


# "... · N of T samples · held-out relative error: FC a, LLE b" as [N, T, a, b], or null.
RACE_OF_JS = r"""(text) => {
  const m = text.match(/^f\(x, A\) = Ax, \d+×\d+ · (\d+) of (\d+) samples · held-out relative error: FC (\S+), LLE (\S+)$/);
  return m ? [parseInt(m[1], 10), parseInt(m[2], 10), parseFloat(m[3]), parseFloat(m[4])] : null;
}"""


def test_gradient_race_trains_live_to_finite_errors(watched, site_url, screenshots, record_property):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page, RACE)
    page.locator(RACE).scroll_into_view_if_needed()  # off screen, a run pauses
    static = page.evaluate(RACE_OF_JS, page.evaluate(title_js(RACE)))
    assert static and static[0] == static[1] == 60_000, static  # the static figure: the whole budget

    record_drawn(page, RACE, "drawn")
    set_control(page, "samples", LIGHT, RACE)  # a new live run
    start_live_run(page, RACE)
    # A few frames of the new run in, a screenshot while it trains.
    page.wait_for_function(f"""() => window.drawn.filter((d) => {{
      const r = ({RACE_OF_JS})(d.title); return r && r[1] === {LIGHT} && r[0] > 0; }}).length >= 2""", timeout=60_000)
    # Held still for the screenshot (a loaded machine takes longer over it than the light run
    # takes to finish), then let go on.
    shot_from = page.evaluate("performance.now()")
    click(page, f"{RACE} .jb-train")
    page.wait_for_function(f"() => document.querySelector('{RACE} .jb-train').innerText === 'Resume'",
                           timeout=10_000)
    after_pause = page.evaluate(f"[{widget_js(RACE)}.animating, {title_js(RACE)}]")
    assert after_pause[0], f"the race ended before it could be paused: {after_pause[1]}"
    shot(page, RACE, screenshots / "race-live.png")
    click(page, f"{RACE} .jb-train")
    shot_to = page.evaluate("performance.now()")
    page.wait_for_function(f"""() => {{ const r = ({RACE_OF_JS})({title_js(RACE)});
      return r && r[0] === {LIGHT} && r[1] === {LIGHT} && !{widget_js(RACE)}.animating; }}""", timeout=120_000)
    assert page.inner_text(f"{RACE} .jb-train") == "Train"

    drawn = page.evaluate("window.drawn")
    parsed = [page.evaluate(RACE_OF_JS, d["title"]) for d in drawn]
    assert all(parsed), [d["title"] for d in drawn]
    start = next(k for k, r in enumerate(parsed) if r[1] == LIGHT)
    run = parsed[start:]
    counts = [r[0] for r in run]
    assert all(r[1] == LIGHT for r in run), run
    assert counts[0] == 0 and counts[-1] == LIGHT, counts
    assert all(a < b for a, b in zip(counts, counts[1:])), counts  # every frame a step further
    assert len(counts) >= 5, counts
    fc, lle = run[-1][2], run[-1][3]
    assert math.isfinite(fc) and math.isfinite(lle), drawn[-1]["title"]

    # Frames per second while it trained (the frames after the first; not across the screenshot).
    times = [d["t"] for d, r in zip(drawn[start:], run) if r[0] > 0]
    intervals = [b - a for a, b in zip(times, times[1:]) if b < shot_from or a > shot_to]
    assert intervals, times
    fps = 1000 / statistics.median(intervals)
    record_property("race_fps", round(fps, 1))
    print(f"gradient_race at {LIGHT} samples: {len(times)} training frames, {fps:.1f} frames/s "
          f"(median interval {statistics.median(intervals):.0f} ms, max {max(intervals):.0f} ms); "
          f"final FC {fc:.3g}, LLE {lle:.3g}")


def test_restore_sizes_reruns_live_with_progress(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page, SIZES)
    page.locator(SIZES).scroll_into_view_if_needed()  # off screen, a run pauses
    assert page.evaluate(title_js(SIZES)).startswith("after 20 epochs")  # the static figure
    assert page.inner_text(f"{SIZES} .jb-train") == "Train"

    record_drawn(page, SIZES, "drawn")
    set_control(page, "epochs", 1, SIZES)  # the lightest sweep
    set_control(page, "seeds", 1, SIZES)
    start_live_run(page, SIZES)
    page.wait_for_function("() => window.drawn.some((d) => d.title.startsWith('measuring:'))", timeout=60_000)
    page.wait_for_function(f"""() => {title_js(SIZES)}.startsWith('after 1 epoch')
                                && !{widget_js(SIZES)}.animating""", timeout=180_000)
    final = page.evaluate(title_js(SIZES))
    assert re.match(r"^after 1 epochs?, dim_sample = 0\.25 × dim, 1 seeds?$", final), final
    assert page.inner_text(f"{SIZES} .jb-train") == "Train"

    titles = [d["title"] for d in page.evaluate("window.drawn")]
    progress = [int(m.group(1)) for t in titles if (m := re.match(r"^measuring: (\d) of 4 sizes done; ", t))]
    # Each control change asked for a run; the last one (from 0 sizes done) went to the end.
    assert progress and 0 in progress, titles
    last = progress[len(progress) - 1 - progress[::-1].index(0):]
    assert last == sorted(last) and last[-1] < 4, titles
    assert all(t.startswith(("measuring:", "after")) for t in titles), titles

    traces = page.evaluate(f"""() => {widget_js(SIZES)}.figure.data
      .filter((t) => t.meta && t.meta.role === 'learned').map((t) => ({{name: t.name, x: t.x, y: t.y}}))""")
    assert traces, "no trace with role learned"
    for trace in traces:
        assert len(trace["y"]) == 4 and all(is_finite_number(v) and v > 0 for v in trace["y"]), trace


def test_gradient_fit_trains_then_fits(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page, FIT)
    page.locator(FIT).scroll_into_view_if_needed()  # off screen, a run pauses
    assert page.evaluate(title_js(FIT)).startswith("fitting A of f(x, A) = Ax (2×2, 60000 samples each)")
    assert page.inner_text(f"{FIT} .jb-train") == "Train"

    record_drawn(page, FIT, "drawn")
    set_control(page, "samples", LIGHT, FIT)  # a new live run
    start_live_run(page, FIT)
    page.wait_for_function(f"""() => {title_js(FIT)}.startsWith('fitting A of f(x, A) = Ax (2×2, {LIGHT} samples each)')
                                && !{widget_js(FIT)}.animating""", timeout=120_000)
    assert page.inner_text(f"{FIT} .jb-train") == "Train"

    titles = [d["title"] for d in page.evaluate("window.drawn")]
    learning = [int(m.group(1)) for t in titles
                if (m := re.match(rf"^learning the gradient models: (\d+) of {LIGHT} samples$", t))]
    assert learning and learning == sorted(learning), titles  # the models trained first, in view

    curves = page.evaluate(f"""() => {widget_js(FIT)}.figure.data
      .filter((t) => t.meta && t.meta.role === 'loss').map((t) => ({{model: t.meta.model, y: t.y}}))""")
    assert sorted(c["model"] for c in curves) == ["fc", "lle", "true"], curves
    for c in curves:
        assert c["y"] and is_finite_number(c["y"][-1]), (c["model"], c["y"][-5:])
