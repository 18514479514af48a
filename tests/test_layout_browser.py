"""A figure on a phone and on a laptop: the controls the text asks for first, the
others behind "More controls", and side-by-side panels stacked on a phone."""

import pytest

from widgets import FIRST, PAGE, arrow_count_is, page_at_width, wait_live

pytestmark = pytest.mark.browser

MORE = f"{FIRST} details.jb-more"
PATHS = "#jb-descent_paths-1"  # two panels side by side, on the same page


def test_more_controls_open_and_a_control_inside_redraws_the_figure(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page)
    assert page.inner_text(f"{MORE} > summary") == "More controls (5)"
    grid = page.locator(f'{FIRST} [name="grid"]')
    assert not grid.is_visible()  # behind the closed disclosure
    assert page.locator(f'{FIRST} [name="loss"]').is_visible()  # a primary control is not
    # A keyboard reader opens it from its summary, then steps the grid slider.
    page.focus(f"{MORE} > summary")
    page.keyboard.press("Enter")
    grid.wait_for(state="visible")
    grid.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(arrow_count_is(16 * 16))
    assert page.inner_text(f'{FIRST} [name="grid"] + output') == "16"


def test_a_link_setting_a_control_behind_the_disclosure_opens_it(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE + "?gradient_field-1.grid=21")
    wait_live(page)
    page.wait_for_function(arrow_count_is(21 * 21))
    page.wait_for_function(f"() => document.querySelector('{MORE}').open")
    assert page.locator(f'{FIRST} [name="grid"]').is_visible()
    assert page.input_value(f'{FIRST} [name="grid"]') == "21"


def test_a_link_setting_only_primary_controls_leaves_the_disclosure_closed(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE + "?gradient_field-1.log=true")
    wait_live(page)
    page.wait_for_function(f"() => document.querySelector('{FIRST}').jacobiator.figure.layout.title.text.includes('log MSE')")
    assert not page.evaluate(f"document.querySelector('{MORE}').open")


DOMAINS_JS = """(plot) => {
  const full = plot._fullLayout;
  return {x: full.xaxis.domain, x2: full.xaxis2.domain, y: full.yaxis.domain, y2: full.yaxis2.domain};
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_side_by_side_panels_stack_on_a_phone_only(browser, site_url, screenshots, width):
    with page_at_width(browser, site_url + PAGE, width, selector=PATHS) as page:
        check_panels(page, width)
        page.locator(PATHS).scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"descent-paths-{width}px.png"))


def check_panels(page, width):
    """Side by side on a laptop; on a phone the right panel under the left, drawing the same data."""
    domains = page.eval_on_selector(f"{PATHS} .jb-plot", DOMAINS_JS)
    if width < 500:
        # The right panel goes under the left one, in the same column (Plotly narrows
        # both alike from the full width, to keep them square).
        assert domains["x2"] == pytest.approx(domains["x"])
        assert domains["x"][1] - domains["x"][0] > 0.5
        assert domains["y2"][1] < domains["y"][0]
    else:
        assert domains["x"][1] < domains["x2"][0]
        assert domains["y"] == domains["y2"]
    # Only where the panels go changes: the plot draws the figure's own data.
    same = page.eval_on_selector(PATHS, """(root) => JSON.stringify(root.jacobiator.figure.data.map((t) => [t.x, t.y]))
        === JSON.stringify(root.querySelector('.jb-plot').data.map((t) => [t.x, t.y]))""")
    assert same


# Every title, annotation and legend box of a widget's plot, and which of them are cut by
# the plot's edges or lie over another.
TEXT_CLASH_JS = """(root) => {
  const plot = root.querySelector('.jb-plot').getBoundingClientRect();
  const texts = [...root.querySelectorAll('.jb-plot .annotation-text, .jb-plot .gtitle, .jb-plot .legend .bg')]
    .map((el) => ({what: (el.textContent || 'legend').slice(0, 40), box: el.getBoundingClientRect()}))
    .filter((t) => t.box.width > 0);
  const cut = texts.filter((t) => t.box.left < plot.left - 1 || t.box.right > plot.right + 1).map((t) => t.what);
  const over = [];
  texts.forEach((a, i) => texts.slice(i + 1).forEach((b) => {
    const w = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
    const h = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
    if (w > 1 && h > 1) over.push([a.what, b.what]);
  }));
  return {texts: texts.length, cut, over};
}"""
CHAPTERS = ["", "gradient-fields/", "activations/", "destroy-the-jacobian/", "restore-the-jacobian/"]


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_figure_text_is_cut_or_covers_another_on_a_phone_or_a_laptop(browser, site_url, chapter, width):
    with page_at_width(browser, site_url + chapter, width, selector=".jb-widget") as page:
        page.wait_for_function("() => [...document.querySelectorAll('.jb-plot')].every((p) => p.querySelector('.main-svg'))")
        widgets = page.eval_on_selector_all(".jb-widget", "ws => ws.map((w) => w.id)")
        assert widgets
        for widget in widgets:
            found = page.eval_on_selector(f"#{widget}", TEXT_CLASH_JS)
            assert found["texts"] > 0, f"{widget}: no title or legend found (has Plotly's markup changed?)"
            assert not found["cut"], f"{widget} at {width} px: text cut by the plot's edge: {found['cut']}"
            assert not found["over"], f"{widget} at {width} px: text over text: {found['over']}"
