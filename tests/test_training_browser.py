"""Training live in the page: the sculpting figure trains, pauses, resumes and
restarts, and the page answers while it runs."""

import pytest

from widgets import click, meta_js, open_live, pause_and_resume, shot

pytestmark = pytest.mark.browser

SCULPT = "#jb-sculpt-1"
STEPS = 600  # the figure's budget at the defaults
STEP_JS = f"() => {meta_js(SCULPT)}.step"
MESH_JS = f"""() => document.querySelector('{SCULPT}').jacobiator.figure.data
  .filter((t) => t.meta && t.meta.role === 'mesh' && t.name.startsWith('surface'))
  .map((t) => t.y.slice(0, 30).join(',')).join(';')"""


def test_sculpting_trains_pauses_resumes_and_restarts(watched, site_url, screenshots, record_property):
    page = watched.page
    static = open_live(page, site_url, SCULPT)  # on screen: off screen, a run pauses
    trained_mesh = page.evaluate(MESH_JS)  # the static figure: after the whole budget
    assert static["step"] == static["of"] == STEPS, static

    click(page, f"{SCULPT} .jb-train")
    page.wait_for_function(f"() => ({STEP_JS})() >= 50 && ({STEP_JS})() < {STEPS}")
    assert page.evaluate(MESH_JS) != trained_mesh  # the surface is being sculpted again
    assert page.inner_text(f"{SCULPT} .jb-train") == "Pause"
    shot(page, SCULPT, screenshots / "sculpt-training.png")

    # While it trains, the page answers: a changed control trains again from the start.
    page.select_option(f'{SCULPT} [name="activation"]', "relu")
    page.wait_for_function(f"() => ({STEP_JS})() < 60")

    # Pause answers while the run trains, and no further step lands; Resume trains on.
    pause_and_resume(page, SCULPT, STEP_JS, STEPS, record_property)

    # Restart trains from step 0 again; every drawn step is recorded, so a quick
    # climb past the pause cannot hide the fresh start.
    page.evaluate(f"""() => {{ window.drawnSteps = [];
      document.querySelector('{SCULPT}').addEventListener('jb:drawn', () => window.drawnSteps.push(({STEP_JS})())); }}""")
    click(page, f"{SCULPT} .jb-restart")
    page.wait_for_function("() => window.drawnSteps.includes(0)")  # a frame of the old run may land first
    page.wait_for_function(f"() => ({STEP_JS})() === {STEPS}", timeout=60_000)
    assert page.inner_text(f"{SCULPT} .jb-train") == "Train"
    shot(page, SCULPT, screenshots / "sculpt-trained.png")
