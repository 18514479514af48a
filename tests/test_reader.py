"""What readers of interactive articles expect from every figure: links that
reproduce it, keyboard and small screens, errors that stay local, sub-path
deploys, and the Python call that draws the same figure in a notebook."""

import re
import shutil
import sys
from urllib.parse import parse_qs, urlparse

import pytest

from harness import ROOT, serve

from widgets import BOOT_TIMEOUT, FIRST, PAGE, arrow_count_is, open_live, page_at_width, set_control, wait_live

pytestmark = pytest.mark.browser


def drawn(page, selector=FIRST):
    return page.eval_on_selector(selector, "root => root.jacobiator.figure")


def arrow_count(figure):
    return sum(len(t["x"]) // 7 for t in figure["data"] if t["meta"]["role"] in ("arrows", "capped"))


def test_a_link_reproduces_the_figure_and_reset_returns_to_the_page(watched, site_url):
    page = watched.page
    open_live(page, site_url + PAGE, FIRST)
    set_control(page, "grid", 21)
    page.select_option(f'{FIRST} [name="loss"]', "cos")
    query = parse_qs(urlparse(page.url).query)
    assert query == {"gradient_field-1.grid": ["21"], "gradient_field-1.loss": ["cos"]}

    shared = watched.context.new_page()  # a reader opening the link
    shared.goto(page.url)
    wait_live(shared)
    shared.wait_for_function(f"() => document.querySelector('{FIRST}').jacobiator.figure.layout.title.text.includes('CosSim')")
    assert arrow_count(drawn(shared)) == 21 * 21 - 1  # x = 0 is a grid point, where CosSim's gradient is undefined
    assert shared.input_value(f'{FIRST} [name="grid"]') == "21"

    shared.click(f"{FIRST} .jb-reset")
    shared.wait_for_function(f"() => document.querySelector('{FIRST}').jacobiator.figure.layout.title.text.includes('MSE')")
    assert arrow_count(drawn(shared)) == 15 * 15
    assert "gradient_field-1" not in shared.url


def test_a_bad_link_is_ignored_visibly_and_runs_no_script(watched, site_url):
    page = watched.page
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site_url + PAGE + "?gradient_field-1.grid=999&gradient_field-1.loss=%3Cimg%20src=x%20onerror=alert(1)%3E"
              "&gradient_field-1.log=true&gradient_field-1.nope=1")
    wait_live(page)
    page.wait_for_function(f"() => document.querySelector('{FIRST}').jacobiator.figure.layout.title.text.includes('log MSE')")
    assert arrow_count(drawn(page)) == 15 * 15  # the good value (log) applied, the bad ones ignored
    assert page.is_checked(f'{FIRST} [name="log"]')
    note = page.inner_text(f"{FIRST} .jb-link-note")
    assert "Ignored from the link" in note and "grid must be between 5 and 41" in note
    assert "loss must be one of" in note and "unknown parameter 'nope'" in note
    assert not dialogs
    assert page.locator(f"{FIRST} img").count() == 0


def test_a_link_with_a_good_and_a_bad_value_applies_the_good_one_and_names_the_bad_one(watched, site_url):
    page = watched.page
    # The page checks nothing itself: the notice comes from Python, once it is ready (which,
    # with the worker started first, may be before the page's load event: no assertion here
    # can catch the moment before it).
    page.goto(site_url + PAGE + "?gradient_field-1.grid=21&gradient_field-1.amplitude=lots")
    wait_live(page)
    page.wait_for_function(arrow_count_is(21 * 21))
    assert page.input_value(f'{FIRST} [name="grid"]') == "21"
    assert page.inner_text(f'{FIRST} [name="grid"] + output') == "21"
    note = page.locator(f"{FIRST} .jb-link-note")
    note.wait_for(state="visible")
    assert "amplitude must be a number, got 'lots'" in note.inner_text()
    assert "grid" not in note.inner_text()
    # A reader's change leaves the link's values behind, and the notice with them.
    set_control(page, "grid", 15)
    page.wait_for_function(arrow_count_is(15 * 15))
    assert note.is_hidden()
    assert "amplitude" not in page.url


def test_the_arrow_keys_move_the_dragged_point(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page)
    page.focus(f"{FIRST} .jb-plot")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Shift+ArrowUp")
    page.wait_for_function(f"""() => {{
        const t = document.querySelector('{FIRST}').jacobiator.figure.data.find((t) => t.meta.role === 'target');
        return Math.abs(t.x[0] - 0.22) < 1e-9 && Math.abs(t.y[0] - 0.41) < 1e-9; }}""")
    assert page.input_value(f'{FIRST} [name="point_x"]') == "0.22"


def test_every_control_is_labelled_and_reachable_by_keyboard(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page)
    # Controls behind "More controls" are labelled as well, as the reader sees them once open.
    page.eval_on_selector_all("details.jb-more", "els => els.forEach((d) => { d.open = true; })")
    unlabelled = page.eval_on_selector_all(".jb-controls input, .jb-controls select",
                                           "els => els.filter((el) => !el.closest('label') || !el.closest('label').innerText.trim()).length")
    assert unlabelled == 0
    page.focus(f'{FIRST} [name="grid"]')
    page.keyboard.press("ArrowRight")  # a range input steps by one
    page.wait_for_function(arrow_count_is(16 * 16))


@pytest.mark.parametrize("width", [390, 1280])
def test_nothing_overflows_on_a_phone_or_a_desktop(browser, site_url, screenshots, width):
    with page_at_width(browser, site_url + PAGE, width, height=900) as page:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        plot, controls = (page.locator(f"{FIRST} {part}").bounding_box() for part in (".jb-plot", ".jb-controls"))
        assert controls["y"] >= plot["y"] + plot["height"] - 1  # the controls sit under the plot
        assert plot["x"] + plot["width"] <= width
        page.locator(FIRST).scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"gradient-fields-{width}px.png"))


# Each inline formula followed by punctuation: whether the punctuation's middle lies within
# the formula's height, i.e. on its line (a line broken between them starts with a comma).
GLUED_JS = """() => [...document.querySelectorAll('.jb-nowrap')].map((glued) => {
  const math = glued.querySelector('.katex-html').getBoundingClientRect();
  const range = document.createRange();
  range.selectNode(glued.lastChild);
  const mark = range.getBoundingClientRect();
  return math.top <= (mark.top + mark.bottom) / 2 && (mark.top + mark.bottom) / 2 <= math.bottom;
})"""


def test_punctuation_stays_on_the_line_of_the_formula_before_it_on_a_phone(browser, site_url):
    with page_at_width(browser, site_url + PAGE, 390, height=900) as page:
        page.locator(FIRST).scroll_into_view_if_needed()  # formulas are set as the reader nears them
        page.wait_for_selector(f"{FIRST} figcaption .jb-nowrap", state="attached")  # the caption's "[−2, 2]²,"
        glued = page.evaluate(GLUED_JS)
        assert len(glued) > 5 and all(glued), glued


def test_formulas_far_down_are_set_as_the_reader_nears_them_and_all_before_printing(browser, site_url):
    last = "[...document.querySelectorAll('.arithmatex')].at(-1)"
    with page_at_width(browser, site_url + PAGE, 1280, height=900) as page:
        page.wait_for_selector(".arithmatex .katex")  # the first screen's formulas are set
        assert page.evaluate(f"{last}.querySelector('.katex')") is None  # the last one is not, yet
        page.evaluate(f"{last}.scrollIntoView()")
        page.wait_for_function(f"() => {last}.querySelector('.katex') !== null")
    with page_at_width(browser, site_url + PAGE, 1280, height=900) as page:
        page.wait_for_selector(".arithmatex .katex")
        page.evaluate("dispatchEvent(new Event('beforeprint'))")
        assert page.evaluate("[...document.querySelectorAll('.arithmatex')].every((m) => m.querySelector('.katex'))")


def test_a_headings_formula_is_set_in_the_table_of_contents_too(browser, site_url):
    with page_at_width(browser, site_url + "restore-the-jacobian/", 1280, height=900, selector=".jb-widget") as page:
        # The sidebar's, and the drawer's (on a phone): "a learned ∇x down a chain".
        page.wait_for_selector(".md-nav--secondary .katex", state="attached")
        tocs = page.eval_on_selector_all(".md-nav--secondary", "navs => navs.map((n) => [n.textContent, n.querySelectorAll('.katex').length])")
        assert len(tocs) == 2 and all("\\(" not in text and katex for text, katex in tocs), tocs


def test_a_python_error_shows_in_its_own_figure_only(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page)
    # Parameters no control can produce: the worker answers with Python's ValueError.
    page.eval_on_selector(FIRST, "root => { root.jacobiator.params.grid = 999; root.jacobiator.request(); }")
    page.wait_for_selector(f'{FIRST} .jb-status[data-state="error"]')
    assert "grid must be between 5 and 41" in page.inner_text(f"{FIRST} .jb-status")
    assert page.get_attribute("#jb-gradient_field-2 .jb-status", "data-state") == "live"
    assert arrow_count(drawn(page)) == 15 * 15  # the last good figure stays


def test_the_python_call_draws_the_same_figure(watched, site_url):
    page = watched.page
    open_live(page, site_url + PAGE, FIRST)
    set_control(page, "grid", 9)
    page.select_option(f'{FIRST} [name="mode"]', "x")
    page.wait_for_function(f"() => document.querySelector('{FIRST}').jacobiator.figure.layout.xaxis.title.text === 'y₁'")
    code = page.eval_on_selector(f"{FIRST} .jb-python-code", "el => el.textContent")
    *setup, call = code.strip().splitlines()
    namespace = {}
    exec("\n".join([*setup, "fig = " + call.removesuffix(".show()")]), namespace)  # noqa: S102 - code we generate
    fig, live = namespace["fig"], drawn(page)
    assert fig.layout.title.text == live["layout"]["title"]["text"]
    assert [t.meta["role"] for t in fig.data] == [t["meta"]["role"] for t in live["data"]]
    assert arrow_count(fig.to_plotly_json()) == arrow_count(live) == 9 * 9


def test_the_site_works_from_a_sub_path(browser, site_dir, tmp_path):
    mount = tmp_path / "some" / "prefix"
    shutil.copytree(site_dir, mount)
    with serve(tmp_path) as root:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(root + "some/prefix/" + PAGE)
        wait_live(page)
        set_control(page, "grid", 7)
        page.wait_for_function(arrow_count_is(49))
        page.close()
    assert not errors


def test_a_crashed_worker_restarts_at_the_next_change(watched, site_url):
    page = watched.page
    page.goto(site_url + PAGE)
    wait_live(page)
    python = next(w for w in page.workers if w.url.endswith("javascripts/worker.js"))
    python.evaluate("setTimeout(() => { throw new Error('simulated crash'); })")  # an uncaught error kills it
    page.wait_for_function(f"() => document.querySelector('{FIRST} .jb-status').textContent.includes('restarts at your next change')")
    watched.errors.clear()  # the simulated crash is reported on the console, as it should be
    set_control(page, "grid", 11)
    page.wait_for_function(arrow_count_is(121), timeout=BOOT_TIMEOUT)
    wait_live(page)
    assert page.get_attribute("#jb-gradient_field-2 .jb-status", "data-state") == "live"


def test_printing_a_chapter_shows_every_figure(browser, site_url, screenshots, tmp_path):
    import subprocess

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_url + PAGE)
    page.wait_for_function("performance.getEntriesByName('jb:static').length > 0")
    count = page.locator(".jb-widget").count()
    page.wait_for_function(f"document.querySelectorAll('.jb-plot .main-svg').length >= {count}")
    titles = page.eval_on_selector_all(".jb-widget", "roots => roots.map((r) => r.jacobiator.figure.layout.title"
                                       " ? r.jacobiator.figure.layout.title.text : r.jacobiator.figure.layout.annotations[0].text)")
    pdf = tmp_path / "chapter.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.close()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    squash = lambda s: "".join(s.split())  # noqa: E731 - PDF text breaks lines anywhere
    # A title's first line, as printed: Plotly draws <br> as a new line and the tags not at all.
    first_lines = [re.sub(r"<[^>]+>", "", t.split("<br>")[0]) for t in titles]
    missing = [t for t in first_lines if squash(t) not in squash(text)]
    assert not missing, missing  # every figure's static render is in the printout
    pages = screenshots / "print"
    shutil.rmtree(pages, ignore_errors=True)
    pages.mkdir()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(pages / "page")], check=True)
    assert len(list(pages.glob("page-*.png"))) >= 2


@pytest.fixture(scope="module")
def cdn_site(tmp_path_factory):
    from harness import build_site, write_config

    tmp = tmp_path_factory.mktemp("cdn")
    done = build_site(tmp / "site", write_config(tmp / "mkdocs.yml", runtime="cdn"))
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp / "site"


def open_with_fake_cdn(browser, cdn_site, tamper=None):
    """The CDN-mode site, with the CDN played by the verified local copies of its files."""
    sys.path.insert(0, str(ROOT / "build"))  # build/ is tooling, never a package named `build`
    import runtime

    context = browser.new_context()
    asked = []

    def cdn(route):
        url = route.request.url
        asked.append(url)
        name = url.removeprefix(runtime.PYODIDE_CDN)
        body = (runtime.cache_dir() / runtime.PYODIDE_DIR / name).read_bytes()
        if name == tamper:
            body = body.replace(b"loadPyodide", b"loadPyodidX", 1)
        route.fulfill(status=200, body=body, headers={"Access-Control-Allow-Origin": "*"},
                      content_type="application/wasm" if name.endswith(".wasm") else "text/javascript")

    context.route(runtime.PYODIDE_CDN + "*", cdn)
    context.route(lambda url: not url.startswith(("http://127.0.0.1", runtime.PYODIDE_CDN)),
                  lambda route: (asked.append(route.request.url), route.abort()))
    return context, asked


def test_the_cdn_option_loads_only_the_pinned_version_and_checks_it(browser, cdn_site):
    with serve(cdn_site) as url:
        context, asked = open_with_fake_cdn(browser, cdn_site)
        page = context.new_page()
        page.goto(url + PAGE)
        wait_live(page)
        context.close()
    assert asked and all(u.startswith("https://cdn.jsdelivr.net/pyodide/v0.27.7/full/") for u in asked), asked


def test_a_cdn_file_that_does_not_match_its_pin_is_refused(browser, cdn_site):
    with serve(cdn_site) as url:
        context, _ = open_with_fake_cdn(browser, cdn_site, tamper="pyodide.mjs")
        page = context.new_page()
        page.goto(url + PAGE)
        page.wait_for_selector(f'{FIRST} .jb-status[data-state="error"]', timeout=BOOT_TIMEOUT)
        assert "did not match its pinned sha256" in page.inner_text(f"{FIRST} .jb-status")
        context.close()


def test_a_finger_drags_the_target(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(site_url + PAGE)
    wait_live(page)
    page.eval_on_selector(f"{FIRST} .jb-plot", "gd => gd.scrollIntoView({block: 'center'})")
    start, end = page.eval_on_selector(f"{FIRST} .jb-plot", """(gd) => {
        const {xaxis, yaxis} = gd._fullLayout, box = gd.getBoundingClientRect();
        const at = (x, y) => ({x: box.left + xaxis._offset + xaxis.l2p(x), y: box.top + yaxis._offset + yaxis.l2p(y)});
        return [at(0.6, 0.4), at(-1, 1)]; }""")
    touch = context.new_cdp_session(page)  # real touch input, as a finger makes it
    for kind, point in [("touchStart", start), *[("touchMove", {
            "x": start["x"] + (end["x"] - start["x"]) * k / 8, "y": start["y"] + (end["y"] - start["y"]) * k / 8})
            for k in range(1, 9)], ("touchEnd", None)]:
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [point] if point else []})
        page.wait_for_timeout(30)
    page.wait_for_function(f"""() => {{
        const t = document.querySelector('{FIRST}').jacobiator.figure.data.find((t) => t.meta.role === 'target');
        return Math.abs(t.x[0] + 1) < 0.1 && Math.abs(t.y[0] - 1) < 0.1; }}""")
    context.close()
