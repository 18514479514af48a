"""Preset links in the built chapter: a click puts the figure in the sentence's state,
through the same path as a link's values (Python checks them), and redraws it in place."""

import pytest

from widgets import wait_live

pytestmark = pytest.mark.browser

PAGE = "gradient-fields/"
CHAIN = "#jb-vjp_chain-1"


def heatmaps(page, selector):
    return page.eval_on_selector(selector, "root => root.jacobiator.figure.data.filter((t) => t.type === 'heatmap').length")


def test_a_preset_link_sets_the_controls_and_redraws_without_leaving_the_page(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page, CHAIN)
    assert heatmaps(page, CHAIN) == 2 and not page.is_checked(f'{CHAIN} [name="jvp"]')
    page.evaluate("window.jbStillHere = true")  # gone if the click reloaded the page

    page.click(f'a.jb-preset[data-jb-target="jb-vjp_chain-1"][href*="jvp=true"]')
    page.wait_for_function(f"() => document.querySelector('{CHAIN}').jacobiator.figure.data"
                           ".filter((t) => t.type === 'heatmap').length === 3")
    assert page.is_checked(f'{CHAIN} [name="jvp"]')
    assert page.evaluate("window.jbStillHere") is True
    assert "vjp_chain-1.jvp=true" in page.url

    # The next preset starts from the page's settings: the JVP goes, ReLU and depth 3 come.
    page.click(f'a.jb-preset[data-jb-target="jb-vjp_chain-1"][href*="depth=3"]')
    page.wait_for_function(f"() => document.querySelector('{CHAIN}').jacobiator.figure.data"
                           ".find((t) => t.type === 'heatmap').x.length === 2 * 3 + 2")
    assert page.input_value(f'{CHAIN} [name="activation"]') == "relu"
    assert page.input_value(f'{CHAIN} [name="depth"]') == "3"
    assert not page.is_checked(f'{CHAIN} [name="jvp"]')
    assert heatmaps(page, CHAIN) == 2
    assert "jvp" not in page.url and "vjp_chain-1.depth=3" in page.url
    assert page.locator(f"{CHAIN} .jb-link-note").is_hidden()


def test_a_preset_in_a_caption_moves_the_dragged_target(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    target = page.get_attribute('figcaption a.jb-preset[href*="point_x=1.2"]', "data-jb-target")
    root = f"#{target}"
    wait_live(page, root)
    page.click(f'figcaption a.jb-preset[href*="point_x=1.2"]')
    page.wait_for_function(f"""() => {{
        const t = document.querySelector('{root}').jacobiator.figure.data.find((t) => t.meta && t.meta.role === 'target');
        return Math.abs(t.x[0] - 1.2) < 1e-9 && Math.abs(t.y[0] - 0.8) < 1e-9; }}""")
    assert page.input_value(f'{root} [name="point_x"]') == "1.2"


def test_a_preset_setting_a_control_behind_more_controls_opens_it_and_redraws_the_plot(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page, CHAIN)
    more, width = f"{CHAIN} details.jb-more", f'{CHAIN} [name="width"]'
    assert not page.evaluate(f"document.querySelector('{more}').open")
    assert not page.locator(width).is_visible()

    page.click(f'a.jb-preset[data-jb-target="jb-vjp_chain-1"][href*="width=5"]')
    # The plot on the page, not only the widget's state: blocks of five rows (the hidden width).
    page.wait_for_function(f"() => document.querySelector('{CHAIN} .jb-plot').data"
                           ".find((t) => t.type === 'heatmap').y.length === 5")
    assert page.evaluate(f"document.querySelector('{more}').open")
    assert page.locator(width).is_visible() and page.input_value(width) == "5"
    assert page.inner_text(f"{width} + output") == "5"
    # The figure the sentence describes is brought to the middle of the screen (a smooth scroll:
    # wait for it to get there), from the link below it that Playwright scrolled to to click.
    page.wait_for_function(f"""() => {{ const r = document.querySelector('{CHAIN}').getBoundingClientRect();
        return Math.abs((r.top + r.bottom) / 2 - innerHeight / 2) < 40; }}""")
