"""The article as a reader sees it, in headless Chromium.

Figures are checked from the data the widget drew (its figure, Plotly's and the canvas layer's), not from pixels.
"""

import pytest

from widgets import BOOT_TIMEOUT, FIRST, PAGE, arrow_count_is, set_control, wait_live

pytestmark = pytest.mark.browser


# Arrow count and the shafts of one widget's arrows, read from its Plotly data.
ARROWS_JS = """(root) => {
  const data = root.jacobiator.figure.data;  // what the widget drew (arrows go to a canvas)
  const shafts = [];
  for (const t of data) {
    if (!t.meta || !['arrows', 'capped'].includes(t.meta.role)) continue;
    for (let k = 0; k + 1 < t.x.length; k += 7)
      shafts.push([t.x[k], t.y[k], t.x[k + 1], t.y[k + 1]]);
  }
  const target = data.find((t) => t.meta && t.meta.role === 'target');
  return {shafts, target: [target.x[0], target.y[0]]};
}"""


def arrows(page, selector=FIRST):
    return page.eval_on_selector(selector, ARROWS_JS)


def test_static_figure_shows_before_python_is_ready(watched, site_url):
    page = watched.page
    held = []
    # Hold back the runtime settings, so Python cannot start until we say so.
    page.route("**/runtime/runtime.json", lambda route: held.append(route))
    page.goto(site_url + PAGE)
    page.wait_for_selector(f"{FIRST} .jb-plot .main-svg")
    assert page.get_attribute(f"{FIRST} .jb-status", "data-state") in ("static", "loading")
    assert page.is_disabled(f'{FIRST} [name="grid"]')
    shown = arrows(page)
    assert len(shown["shafts"]) == 15 * 15  # the default grid, drawn from the embedded JSON
    page.wait_for_function("n => n > 0", arg=len(held))
    for route in held:
        route.continue_()
    wait_live(page)
    assert page.is_enabled(f'{FIRST} [name="grid"]')


def test_python_is_live_once_the_modules_of_the_pages_figures_are_imported(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    page.wait_for_function("performance.getEntriesByName('jb:live').length > 0", timeout=BOOT_TIMEOUT)
    shown = page.eval_on_selector_all(".jb-widget", "roots => roots.map((r) => JSON.parse("
                                      "r.querySelector('template.jb-spec').content.textContent).figure)")
    stages = page.evaluate("async () => (await import('/javascripts/runtime-client.js')).runtime.stages")
    assert len(shown) > 1 and sorted(stages["prepared"]) == sorted(set(shown))  # imported before ready, not after
    # The worker's start on the page's clock (the benchmark's "running"): after the page's.
    origin, live = page.evaluate("[performance.timeOrigin, performance.getEntriesByName('jb:live')[0].startTime]")
    assert origin < stages["began"] < origin + live


# A reader whose pointer never rests: a move every 100 ms from the page's start on.
RESTLESS_JS = "window.restless = setInterval(() => document.dispatchEvent(new PointerEvent('pointermove')), 100)"


def test_figures_further_down_wait_until_the_reader_leaves_the_page_alone(watched, site_url):
    page = watched.page
    page.add_init_script(RESTLESS_JS)
    page.goto(site_url + PAGE)
    wait_live(page)
    # The first widget beyond the two screens drawn at once (jacobiator.js, nearView).
    far = page.evaluate("[...document.querySelectorAll('.jb-widget')].findIndex((r) => r.getBoundingClientRect().top > 2 * innerHeight)")
    assert far > 0
    plot = page.locator(".jb-widget").nth(far).locator(".jb-plot .main-svg")
    page.wait_for_timeout(2500)  # live, and still moving: two and a half times QUIET_MS
    assert plot.count() == 0
    page.evaluate("clearInterval(window.restless)")
    plot.first.wait_for(state="attached", timeout=10_000)


# Logs every Worker a page constructs, with what had run by then: Plotly, and static figures drawn.
LOG_WORKERS_JS = """(() => {
  const Original = window.Worker;
  window.startedWorkers = [];
  window.Worker = class extends Original {
    constructor(url, options) {
      window.startedWorkers.push({url: String(url), plotly: typeof window.Plotly,
                                  drawn: document.querySelectorAll('.jb-plot .main-svg').length,
                                  live: performance.getEntriesByName('jb:live').length > 0});
      super(url, options);
    }
  };
})()"""
PYTHON_WORKER = "javascripts/worker.js"  # Material runs a search worker of its own beside it


SEARCH_WORKER = "/workers/search."  # Material's


def python_workers(started):
    return [w for w in started if w["url"].endswith(PYTHON_WORKER)]


def search_finds(page, words: str) -> str:
    """What the theme's search box says after the reader types ``words`` into it."""
    page.click("input[data-md-component=search-query]")
    page.keyboard.type(words)
    page.wait_for_selector(".md-search-result__item", timeout=BOOT_TIMEOUT)
    return page.inner_text(".md-search-result__meta")


def test_the_search_index_is_built_once_python_is_live_and_finds_the_chapters(watched, site_url):
    page = watched.page
    page.add_init_script(LOG_WORKERS_JS)
    page.goto(site_url + PAGE)
    wait_live(page)
    page.wait_for_function(f"window.startedWorkers.some(w => w.url.includes('{SEARCH_WORKER}'))")
    search = [w for w in page.evaluate("window.startedWorkers") if SEARCH_WORKER in w["url"]]
    assert len(search) == 1 and search[0]["live"], search  # started after Python, not beside it
    assert "matching documents" in search_finds(page, "Jacobian")
    assert page.locator(".md-search-result__item a[href*='restore-the-jacobian']").count()


def test_a_reader_who_opens_the_search_before_python_is_live_can_search(watched, site_url):
    page = watched.page
    held = []  # the runtime's settings: Python cannot start until they are let through
    page.route("**/runtime/runtime.json", lambda route: held.append(route))
    page.add_init_script(LOG_WORKERS_JS)
    page.goto(site_url + PAGE)
    page.wait_for_selector(f"{FIRST} .jb-plot .main-svg")
    assert not [w for w in page.evaluate("window.startedWorkers") if SEARCH_WORKER in w["url"]]
    assert "matching documents" in search_finds(page, "activation")
    assert page.get_attribute(f"{FIRST} .jb-status", "data-state") in ("static", "loading")
    for route in held:
        route.continue_()
    wait_live(page)


def test_python_starts_booting_before_plotly_runs(watched, site_url):
    page = watched.page
    page.add_init_script(LOG_WORKERS_JS)
    page.goto(site_url + PAGE)
    wait_live(page)
    started = python_workers(page.evaluate("window.startedWorkers"))
    assert len(started) == 1
    assert started[0]["plotly"] == "undefined" and started[0]["drawn"] == 0


def test_a_page_without_figures_starts_no_worker(watched, site_url):
    page = watched.page
    page.add_init_script(LOG_WORKERS_JS)
    page.goto(site_url + "404.html")  # Material's page for a missing address: the same scripts, no figure
    page.wait_for_load_state("networkidle")
    assert page.locator(".jb-widget").count() == 0
    assert python_workers(page.evaluate("window.startedWorkers")) == []
    assert not [w for w in page.workers if w.url.endswith(PYTHON_WORKER)]


def test_grid_control_redraws_with_more_arrows(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page)
    set_control(page, "grid", 25)
    page.wait_for_function(arrow_count_is(25 * 25))
    assert len(arrows(page)["shafts"]) == 625
    page.click(f"{FIRST} details.jb-more > summary")  # the grid slider is behind "More controls"
    assert page.inner_text(f'{FIRST} [name="grid"] + output') == "25"


def test_dragging_moves_the_target_and_the_arrows_follow(watched, site_url, screenshots):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page)
    page.locator(FIRST).scroll_into_view_if_needed()

    def pixel(x, y):
        return page.eval_on_selector(f"{FIRST} .jb-plot", """(gd, [x, y]) => {
          const {xaxis, yaxis} = gd._fullLayout, box = gd.getBoundingClientRect();
          return [box.left + xaxis._offset + xaxis.l2p(x), box.top + yaxis._offset + yaxis.l2p(y)];
        }""", [x, y])

    page.mouse.move(*pixel(0.6, 0.4))
    page.mouse.down()
    for k in range(1, 11):  # a drag of ten steps to (-1, -1)
        page.mouse.move(*pixel(0.6 - 0.16 * k, 0.4 - 0.14 * k))
    page.mouse.up()
    page.wait_for_function(f"""() => {{
        const t = document.querySelector('{FIRST}').jacobiator.figure.data.find((t) => t.meta.role === 'target');
        return Math.abs(t.x[0] + 1) < 0.05 && Math.abs(t.y[0] + 1) < 0.05; }}""", timeout=10_000)
    shown = arrows(page)
    tx, ty = shown["target"]
    near = [(x0, y0, x1, y1) for x0, y0, x1, y1 in shown["shafts"]
            if (x0 - tx) ** 2 + (y0 - ty) ** 2 < 1.0 and (x1, y1) != (x0, y0)]
    assert len(near) >= 4
    for x0, y0, x1, y1 in near:
        assert (x1 - x0) * (tx - x0) + (y1 - y0) * (ty - y0) > 0
    assert page.input_value(f'{FIRST} [name="point_x"]') == str(tx)
    page.screenshot(path=str(screenshots / "gradient-fields.png"), full_page=True)


# What the reader's change leaves on screen: the drawn frame, then Plotly's own drawing.
QUICK_JS = """(root) => {
  const canvas = root.querySelector('canvas.jb-canvas');
  const corner = () => canvas.getContext('2d').getImageData(2, 2, 1, 1).data[3];  // no arrow there
  window.__seen = [];
  root.addEventListener('jb:drawn', () => window.__seen.push(['drawn', corner()]));
  root.addEventListener('jb:settled', () => window.__seen.push(['settled', corner()]));
}"""


def test_a_change_arrives_as_typed_arrays_drawn_at_once_then_by_plotly(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page)
    page.locator(FIRST).scroll_into_view_if_needed()
    page.eval_on_selector(FIRST, QUICK_JS)
    set_control(page, "point_x", -1.2)
    page.wait_for_function("window.__seen.some(([e]) => e === 'settled')", timeout=10_000)
    # The numbers crossed from Python as typed arrays (JSON.parse makes no Float64Array).
    assert page.eval_on_selector(FIRST, """(root) => {
        const data = root.jacobiator.figure.data, find = (role) => data.find((t) => t.meta.role === role);
        return [find('arrows').x, find('heatmap').z[0], find('target').x].every((a) => a instanceof Float64Array); }""")
    # The reply is drawn whole on the canvas at once (it covers the plot area), then Plotly
    # draws it (the canvas keeps only the arrows), its point where the figure has it.
    seen = page.evaluate("window.__seen")
    assert seen[0] == ["drawn", 255] and seen[-1] == ["settled", 0]
    assert page.eval_on_selector(f"{FIRST} .jb-plot", "(gd) => gd.data.find((t) => t.meta.role === 'target').x[0]") == -1.2


# The title shown at each drawing of the widget, beside the title of the figure it drew.
TITLES_JS = """(root) => {
  const shown = () => root.querySelector('.g-gtitle text.gtitle').textContent;
  window.__titles = [];
  for (const event of ['jb:drawn', 'jb:settled'])
    root.addEventListener(event, () => window.__titles.push([event, shown(), root.jacobiator.figure.layout.title.text]));
}"""


def test_a_quick_frame_shows_the_title_of_the_figure_it_draws(watched, site_url):
    """The arrows' scale is in the title, so each change retitles the plot; a quick frame may set
    the title's text in place, and Plotly's drawing after it must still show the right one."""
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page)
    page.locator(FIRST).scroll_into_view_if_needed()
    page.eval_on_selector(FIRST, TITLES_JS)
    first = page.eval_on_selector(FIRST, "(root) => root.jacobiator.figure.layout.title.text")
    for k, amplitude in enumerate((2.0, 1.5, 1.0)):  # back where it started: Plotly last drew that title
        set_control(page, "amplitude", amplitude)
        page.wait_for_function("n => window.__titles.filter(([e]) => e === 'jb:drawn').length >= n",
                               arg=k + 1, timeout=10_000)
    page.wait_for_function("t => window.__titles.at(-1)[0] === 'jb:settled' && window.__titles.at(-1)[2] === t",
                           arg=first, timeout=10_000)
    titles = page.evaluate("window.__titles")
    assert {text for _, _, text in titles} >= {first}
    assert len({text for _, _, text in titles}) >= 2  # the amplitude's changes retitled the plot
    for event, shown, drawn in titles:
        assert shown == drawn, event
    assert titles[-1][1] == first


def test_palette_toggle_recolours_without_python(watched, site_url, screenshots):
    page = watched.page
    page.goto(site_url + PAGE)
    page.wait_for_selector(f"{FIRST} .jb-plot .main-svg")
    font = f"() => document.querySelector('{FIRST} .jb-plot').layout.font.color"
    # The arrows are a themed role drawn on the canvas: the page learns both from the spec.
    arrows = (f"() => document.querySelector('{FIRST}').jacobiator?.layer?.traces"
              ".find((t) => t.meta.role === 'arrows')?.line.color")
    page.wait_for_function(arrows)
    light, light_arrows = page.evaluate(font), page.evaluate(arrows)
    page.locator(FIRST).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "gradient-fields-light.png"))
    page.click("form[data-md-component=palette] label:not([hidden])")
    page.wait_for_function(f"c => ({font})() !== c", arg=light)
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    assert page.evaluate(arrows) != light_arrows
    page.locator(FIRST).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "gradient-fields-dark.png"))


def test_a_runtime_that_cannot_load_leaves_static_figures_and_says_so(browser, site_url):
    context = browser.new_context()
    context.route("**/*.wasm", lambda route: route.abort())  # as if the wasm file were blocked
    page = context.new_page()
    page.goto(site_url + PAGE)
    status = page.locator(f"{FIRST} .jb-status")
    page.wait_for_selector(f'{FIRST} .jb-status[data-state="error"]', timeout=BOOT_TIMEOUT)
    assert "Python could not start" in status.inner_text()
    assert page.locator(f"{FIRST} .jb-retry").is_visible()
    assert len(arrows(page)["shafts"]) == 15 * 15  # the static figure is still there
    assert page.is_disabled(f'{FIRST} [name="grid"]')
    context.unroute("**/*.wasm")  # the network is back: Retry boots Python
    page.click(f"{FIRST} .jb-retry")
    wait_live(page)
    context.close()


def tampered(at):
    """A route handler serving the file as the site does, with its byte at ``at(size)`` changed
    (a HEAD request has no body: it passes)."""
    def handler(route):
        if route.request.method == "HEAD":
            return route.continue_()
        response = route.fetch()
        body = bytearray(response.body())
        body[at(len(body))] ^= 0xFF
        route.fulfill(response=response, body=bytes(body))
    return handler


def middle(size):
    return size // 2


def zip_directory(size):
    """The high byte of the size of a zip's central directory (no archive comment): the
    directory no longer adds up. The middle of the stdlib zip may fall in a module Python never imports."""
    return size - 22 + 15


@pytest.mark.parametrize("pattern, at, why", [
    ("**/numpy-*.whl", middle, "numpy did not load: its wheel could not be fetched, or did not match its sha256"),
    ("**/jacobiator-*.whl", middle,
     "jacobiator did not load: its wheel could not be fetched, or did not match its sha256"),
    ("**/python_stdlib.zip", zip_directory, "Error: "),  # Python's own words: a stdlib it cannot read
])
def test_a_compiled_runtime_that_does_not_load_leaves_static_figures_and_says_why(browser, site_url, pattern, at, why):
    context = browser.new_context()
    context.route(pattern, tampered(at))
    page = context.new_page()
    page.goto(site_url + PAGE)
    page.wait_for_selector(f'{FIRST} .jb-status[data-state="error"]', timeout=BOOT_TIMEOUT)
    status = page.inner_text(f"{FIRST} .jb-status")
    assert "Python could not start" in status and why in status, status
    assert 'File "' not in status  # the cause, not a traceback
    assert len(arrows(page)["shafts"]) == 15 * 15  # the static figure is still there
    assert page.is_disabled(f'{FIRST} [name="grid"]')
    context.close()


def test_instant_navigation_remounts_widgets_on_one_worker(watched, site_url):
    page = watched.page
    workers = []
    page.on("worker", lambda w: w.url.endswith("javascripts/worker.js") and workers.append(w.url))

    def follow(title):
        page.locator("nav.md-nav--primary a.md-nav__link:visible", has_text=title).first.click()

    page.goto(site_url)
    page.wait_for_load_state("networkidle")  # Material intercepts links once it has the sitemap
    page.evaluate("window.sameDocument = true")  # gone if a link reloads the page
    follow("Gradient fields of losses")
    wait_live(page)
    follow("Jacobiator")
    page.wait_for_selector("h1:has-text('Jacobiator')")
    follow("Gradient fields of losses")
    wait_live(page)
    assert page.evaluate("window.sameDocument === true")
    assert len(workers) == 1
    set_control(page, "grid", 9)
    page.wait_for_function(arrow_count_is(9 * 9))


def roles(page, selector=FIRST):
    return page.eval_on_selector(selector, "root => root.jacobiator.figure.data.map((t) => t.meta && t.meta.role)")


def set_choice(page, name, value, selector=FIRST):
    """Choose in a menu as a reader does, opening "More controls" first when the menu is behind it."""
    menu = page.locator(f'{selector} [name="{name}"]')
    if not menu.is_visible():
        page.click(f"{selector} details.jb-more > summary")
    menu.select_option(value)


@pytest.mark.parametrize("display, shown, hidden", [
    ("arrows", {"arrows"}, {"heatmap"}),
    ("heatmap", {"heatmap"}, {"arrows", "capped"}),
    ("arrows+heatmap", {"arrows", "heatmap"}, set()),
    ("particles+heatmap", {"particles", "heatmap"}, {"arrows", "capped"}),
])
def test_display_modes(watched, site_url, display, shown, hidden):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page)
    if display != "arrows+heatmap":  # the default: the static figure already shows it
        set_choice(page, "display", display)
        page.wait_for_function(f"""() => !document.querySelector('{FIRST}').jacobiator.figure.data
            .some((t) => t.meta.role === '{sorted(hidden)[0]}')""")
    present = set(roles(page))
    assert shown <= present and not (hidden & present)


def test_mode_x_drags_x_and_draws_minus_grad_y(watched, site_url, screenshots):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page)
    set_choice(page, "mode", "x")
    page.wait_for_function(f"""() => document.querySelector('{FIRST} .jb-plot').layout.xaxis.title.text === 'y₁'""")
    shown = arrows(page)
    x1, x2 = shown["target"]  # in mode x the dragged point is x
    # For MSE, -grad_y L = 2 (x - y): every target y is pulled towards x.
    for y1, y2, t1, t2 in shown["shafts"]:
        if (y1 - x1) ** 2 + (y2 - x2) ** 2 < 1.0 and (t1, t2) != (y1, y2):
            assert (t1 - y1) * (x1 - y1) + (t2 - y2) * (x2 - y2) > 0
    page.locator(FIRST).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "gradient-field-mode-x.png"))


def test_particles_animate_on_a_canvas_and_stop_when_the_display_changes(watched, site_url, screenshots):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page)
    page.locator(FIRST).scroll_into_view_if_needed()
    page.eval_on_selector(FIRST, "root => { window.draws = 0; root.addEventListener('jb:drawn', () => window.draws++); }")
    set_choice(page, "display", "particles")
    page.wait_for_function("window.draws >= 10", timeout=20_000)  # frames keep coming
    painted = page.eval_on_selector(f"{FIRST} canvas.jb-canvas", """(c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let k = 3; k < d.length; k += 4) if (d[k] > 0) n++;
        return n; }""")
    assert painted > 1000  # pixels with trails on them
    page.screenshot(path=str(screenshots / "gradient-field-particles.png"))
    set_choice(page, "display", "heatmap")  # nothing left for the canvas to draw
    page.wait_for_function(f"""() => !document.querySelector('{FIRST}').jacobiator.figure.data
        .some((t) => t.meta.role === 'particles')""")
    page.wait_for_timeout(300)
    settled = page.evaluate("window.draws")
    page.wait_for_timeout(1000)
    assert page.evaluate("window.draws") == settled  # the animation has stopped
    assert page.eval_on_selector(f"{FIRST} canvas.jb-canvas", """(c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return d.some((v, k) => k % 4 === 3 && v > 0); }""") is False
