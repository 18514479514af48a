"""The *destroy the Jacobian* chapter live in the page: the training figure trains,
pauses, resumes and restarts when a distortion changes; a sweep re-runs live and
says how far it got."""

import json
import math

import pytest

from widgets import set_control, wait_live

pytestmark = pytest.mark.browser

PAGE = "destroy-the-jacobian/"
TRAINING = "#jb-destroy_training-1"
SWEEP = "#jb-destroy_sweep-1"  # the flip sweep
STEPS = 400  # the training figure's budget at the defaults


def title_js(selector):
    return f"document.querySelector('{selector}').jacobiator.figure.layout.annotations[0].text"


STEP_JS = f"""() => {{
  const m = {title_js(TRAINING)}.match(/^step (\\d+) of (\\d+)/);
  return m ? parseInt(m[1], 10) : -1;
}}"""

# From a click queued as a task (behind whatever the main thread is doing, a
# Plotly draw say) to the Train button reading "Resume": the pause a reader sees.
PAUSE_LATENCY_JS = f"""() => new Promise((resolve, reject) => {{
  const button = document.querySelector('{TRAINING} .jb-train');
  const t0 = performance.now();
  const done = () => {{
    if (button.textContent !== 'Resume') return false;
    observer.disconnect();
    resolve(performance.now() - t0);
    return true;
  }};
  const observer = new MutationObserver(done);
  observer.observe(button, {{childList: true, characterData: true, subtree: true}});
  setTimeout(() => {{
    button.dispatchEvent(new MouseEvent('click', {{bubbles: true}}));
    done();
  }});
  setTimeout(() => {{ observer.disconnect(); reject(new Error('the button never read Resume: ' + button.textContent)); }}, 5000);
}})"""


def click(page, selector):
    """A reader's click, delivered at once (Playwright's own click waits for the button to sit still)."""
    page.dispatch_event(selector, "click")


def shot(page, selector, path):
    """A screenshot of the widget, in a viewport tall enough to hold it all. (For a widget taller
    than the viewport, Playwright moves it out of view and back while it captures; the widget's
    IntersectionObserver then gets both entries in one callback, reads the stale first one, and the
    run stays paused as if off screen, with the button still reading Pause.)"""
    size = page.viewport_size
    height = page.eval_on_selector(selector, "(el) => Math.ceil(el.getBoundingClientRect().height)")
    if height + 40 > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height + 40})
    page.locator(selector).screenshot(path=str(path))
    page.set_viewport_size(size)


def record_drawn(page, selector, name, value_js):
    """window[name] collects value_js at every jb:drawn of the widget."""
    page.evaluate(f"""() => {{ window.{name} = [];
      document.querySelector('{selector}').addEventListener('jb:drawn', () => window.{name}.push({value_js})); }}""")


def test_destroy_training_trains_pauses_resumes_and_restarts(watched, site_url, screenshots, record_property):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page, TRAINING)
    page.locator(TRAINING).scroll_into_view_if_needed()  # off screen, a run pauses
    assert page.evaluate(STEP_JS) == STEPS  # the static figure: after the whole budget
    assert page.inner_text(f"{TRAINING} .jb-train") == "Train"

    click(page, f"{TRAINING} .jb-train")
    page.wait_for_function(f"() => {{ const s = ({STEP_JS})(); return s >= 20 && s < {STEPS}; }}")
    assert page.inner_text(f"{TRAINING} .jb-train") == "Pause"

    # Pause answers while the run trains, and no further step lands.
    pause_ms = page.evaluate(PAUSE_LATENCY_JS)
    record_property("pause_latency_ms", round(pause_ms, 1))
    print(f"pause latency: {pause_ms:.1f} ms")
    assert page.inner_text(f"{TRAINING} .jb-train") == "Resume"
    page.wait_for_timeout(300)  # a frame already on its way may still land
    paused_at = page.evaluate(STEP_JS)
    assert 0 <= paused_at < STEPS
    page.wait_for_timeout(700)
    assert page.evaluate(STEP_JS) == paused_at
    assert page.inner_text(f"{TRAINING} .jb-train") == "Resume"

    click(page, f"{TRAINING} .jb-train")
    assert page.inner_text(f"{TRAINING} .jb-train") == "Pause"
    page.wait_for_function(f"() => ({STEP_JS})() > {paused_at}")
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


SWEEP_STATE_JS = f"""() => {{
  const w = document.querySelector('{SWEEP}').jacobiator;
  return {{animating: w.animating, title: w.figure.layout.annotations[0].text}};
}}"""

# Pause the sweep at the first frame of the last change's run that it draws (in the
# jb:drawn handler, so the run cannot finish in between). Not while a request is on its
# way: its reply would start its run unpaused.
PAUSE_AT_FIRST_FRAME_JS = f"""(marker) => {{
  const root = document.querySelector('{SWEEP}'), w = root.jacobiator;
  window.sweepPaused = null;
  const onDrawn = () => {{
    const text = w.figure.layout.annotations[0].text;
    if (w.busy || w.dirty || !w.animating || !text.startsWith('training:') || !text.includes(marker)) return;
    root.removeEventListener('jb:drawn', onDrawn);
    root.querySelector('.jb-train').dispatchEvent(new MouseEvent('click', {{bubbles: true}}));
    window.sweepPaused = text;
  }};
  root.addEventListener('jb:drawn', onDrawn);
}}"""

MEANS_JS = f"""() => document.querySelector('{SWEEP}').jacobiator.figure.data
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


def test_destroy_sweep_reruns_live_with_progress(watched, site_url, screenshots):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page, SWEEP)
    page.locator(SWEEP).scroll_into_view_if_needed()  # off screen, a run pauses
    assert page.evaluate(title_js(SWEEP)).startswith("final test accuracy")  # the static figure
    assert page.inner_text(f"{SWEEP} .jb-train") == "Train"

    record_drawn(page, SWEEP, "sweepTitles", title_js(SWEEP))
    page.evaluate(PAUSE_AT_FIRST_FRAME_JS, " of 150 steps")  # the flip sweep: 3 batches of 50 steps
    set_control(page, "seeds", 1, SWEEP)  # each change asks for a new live run
    set_control(page, "steps", 50, SWEEP)
    page.wait_for_timeout(200)
    if not page.evaluate(f"document.querySelector('{SWEEP}').jacobiator.animating || "
                         f"document.querySelector('{SWEEP}').jacobiator.busy"):
        click(page, f"{SWEEP} .jb-train")  # idle: Train starts a run
    page.wait_for_function("() => window.sweepTitles.some((t) => t.startsWith('training:'))", timeout=60_000)

    # Held still for a screenshot of the run in progress, then let go on.
    page.wait_for_function("() => window.sweepPaused !== null", timeout=60_000)
    assert page.inner_text(f"{SWEEP} .jb-train") == "Resume"
    landed = settle(page, "sweepTitles")  # frames already on their way still land
    # One frame may be in flight when Pause is pressed; a second one means the worker runs a
    # frame ahead (an ack sent for a run that a newer request replaced counts for the new run).
    assert landed <= 2, page.evaluate("window.sweepTitles")
    state = page.evaluate(SWEEP_STATE_JS)
    assert state["title"].startswith("training:") and state["animating"], state
    shot(page, SWEEP, screenshots / "destroy-sweep-live.png")
    page.wait_for_timeout(700)
    assert page.evaluate(SWEEP_STATE_JS) == state  # paused: nothing moved
    assert page.inner_text(f"{SWEEP} .jb-train") == "Resume"
    click(page, f"{SWEEP} .jb-train")
    assert page.inner_text(f"{SWEEP} .jb-train") == "Pause"

    page.wait_for_function(f"() => {title_js(SWEEP)}.startsWith('final test accuracy')", timeout=120_000)
    titles = page.evaluate("window.sweepTitles")
    progress = [t for t in titles if t.startswith("training:")]
    assert progress, titles
    # Progress reads "training: K of T steps (batch b of B)": K never exceeds T, b never B.
    parsed = []
    for t in progress:
        head = t.split("·")[0]
        k, total = (int(v) for v in head.split(":")[1].split("steps")[0].split(" of "))
        b, batches = (int(v) for v in head.split("(batch ")[1].split(")")[0].split(" of "))
        assert 0 <= k <= total and 1 <= b <= batches, t
        parsed.append((total, batches))
    assert parsed[-1] == (3 * 50, 3), progress  # the flip sweep: 3 curves, one batch each, 50 steps
    final = page.evaluate(title_js(SWEEP))
    assert "50 steps" in final and "of 1 seed" in final, final
    assert page.inner_text(f"{SWEEP} .jb-train") == "Train"
    assert not page.evaluate(f"document.querySelector('{SWEEP}').jacobiator.animating")

    means = page.evaluate(MEANS_JS)
    assert len(means) == 3, json.dumps(means)
    for trace in means:
        assert trace["y"] and all(isinstance(v, (int, float)) and math.isfinite(v) for v in trace["y"]), trace
        assert all(0.0 <= v <= 1.0 for v in trace["y"]), trace
