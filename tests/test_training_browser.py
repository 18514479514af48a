"""Training live in the page: the sculpting figure trains, pauses, resumes and
restarts, and the page answers while it runs."""

import pytest

from widgets import wait_live

pytestmark = pytest.mark.browser

SCULPT = "#jb-sculpt-1"
STEP_JS = f"""() => {{
  const text = document.querySelector('{SCULPT}').jacobiator.figure.layout.annotations[0].text;
  return parseInt(text.match(/^step (\\d+)/)[1], 10);
}}"""
MESH_JS = f"""() => document.querySelector('{SCULPT}').jacobiator.figure.data
  .filter((t) => t.meta && t.meta.role === 'mesh' && t.name.startsWith('surface'))
  .map((t) => t.y.slice(0, 30).join(',')).join(';')"""


def click(page, selector):
    """A reader's click, delivered at once: Playwright's own click first waits
    for the button to sit still over several animation frames."""
    page.dispatch_event(selector, "click")


def test_sculpting_trains_pauses_resumes_and_restarts(watched, site_url, screenshots):
    page = watched.page
    page.goto(site_url)
    wait_live(page, SCULPT)
    trained_mesh = page.evaluate(MESH_JS)  # the static figure: after the whole budget
    assert page.evaluate(STEP_JS) == 600

    click(page, f"{SCULPT} .jb-train")
    page.wait_for_function(f"() => ({STEP_JS})() >= 50 && ({STEP_JS})() < 600")
    assert page.evaluate(MESH_JS) != trained_mesh  # the surface is being sculpted again
    assert page.inner_text(f"{SCULPT} .jb-train") == "Pause"
    page.locator(SCULPT).screenshot(path=str(screenshots / "sculpt-training.png"))

    # While it trains, the page answers: a changed control trains again from the start.
    page.select_option(f'{SCULPT} [name="activation"]', "relu")
    page.wait_for_function(f"() => ({STEP_JS})() < 60")

    click(page, f"{SCULPT} .jb-train")
    assert page.inner_text(f"{SCULPT} .jb-train") == "Resume"
    page.wait_for_timeout(300)  # a frame already on its way may still land
    paused_at = page.evaluate(STEP_JS)
    assert paused_at < 600
    page.wait_for_timeout(700)
    assert page.evaluate(STEP_JS) == paused_at

    click(page, f"{SCULPT} .jb-train")
    page.wait_for_function(f"() => ({STEP_JS})() > {paused_at}")

    # Restart trains from step 0 again; every drawn step is recorded, so a quick
    # climb past paused_at cannot hide the fresh start.
    page.evaluate(f"""() => {{ window.drawnSteps = [];
      document.querySelector('{SCULPT}').addEventListener('jb:drawn', () => window.drawnSteps.push(({STEP_JS})())); }}""")
    click(page, f"{SCULPT} .jb-restart")
    page.wait_for_function("() => window.drawnSteps.includes(0)")  # a frame of the old run may land first
    page.wait_for_function(f"() => ({STEP_JS})() === 600", timeout=60_000)
    assert page.inner_text(f"{SCULPT} .jb-train") == "Train"
    page.locator(SCULPT).screenshot(path=str(screenshots / "sculpt-trained.png"))
