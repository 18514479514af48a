"""Helpers for browser tests: reach a figure widget on the chapter page and read what it drew."""

from contextlib import contextmanager

PAGE = "gradient-fields/"
FIRST = "#jb-gradient_field-1"
BOOT_TIMEOUT = 60_000  # ms: Pyodide boots in about 4 s here; CI machines may be slower


def wait_live(page, selector=FIRST):
    page.wait_for_selector(f'{selector} .jb-status[data-state="live"]', timeout=BOOT_TIMEOUT)


@contextmanager
def page_at_width(browser, url, width, height=844, selector=FIRST):
    """A page on a screen ``width`` x ``height`` px at ``url``, once the static figure of
    ``selector`` is drawn (Python need not be ready); its browser context closes after."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(f"{selector} .jb-plot .main-svg")
        yield page
    finally:
        context.close()


def set_control(page, name, value, selector=FIRST):
    page.eval_on_selector(
        f'{selector} [name="{name}"]',
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", value)


def arrow_count_is(n, selector=FIRST):
    """A JS predicate: the widget's figure shows n arrows (capped ones included)."""
    return f"""() => document.querySelector('{selector}').jacobiator.figure.data
        .filter((t) => t.meta && ['arrows', 'capped'].includes(t.meta.role))
        .reduce((sum, t) => sum + t.x.length / 7, 0) === {n}"""


def title_js(selector):
    return f"document.querySelector('{selector}').jacobiator.figure.layout.annotations[0].text"


def meta_js(selector):
    """The progress of the figure the widget drew: its ``layout.meta`` (``step`` of ``of``,
    and what the title reports: a sweep's batch, the headline metric; plot.progress)."""
    return f"document.querySelector('{selector}').jacobiator.figure.layout.meta"


def open_live(page, url, selector):
    """Open ``url``, wait until the widget is live and bring it on screen (a run off screen
    pauses); the progress of its static figure, as meta_js reads it."""
    page.goto(url)
    wait_live(page, selector)
    page.locator(selector).scroll_into_view_if_needed()
    return page.evaluate(meta_js(selector))


def record_drawn(page, selector, name, value_js=None):
    """window[name] collects value_js at every jb:drawn of the widget; by default {t, meta}:
    the time and the progress of the figure drawn."""
    value_js = value_js or f"{{t: performance.now(), meta: {meta_js(selector)}}}"
    page.evaluate(f"""() => {{ window.{name} = [];
      document.querySelector('{selector}').addEventListener('jb:drawn', () => window.{name}.push({value_js})); }}""")


def pause_latency_js(selector):
    """From a click queued as a task (behind whatever the main thread is doing, a Plotly draw
    say) to the Train button reading "Resume": the pause a reader sees."""
    return f"""() => new Promise((resolve, reject) => {{
  const button = document.querySelector('{selector} .jb-train');
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
    """A screenshot of the whole widget, below Material's sticky header, taken in a viewport tall
    enough to hold it. (Playwright's element screenshot of a widget taller than the viewport moves
    it out of view and back while it captures; the widget's IntersectionObserver then gets both
    entries in one callback, reads the stale first one, and a run in progress stays paused as if
    off screen, with its button still reading Pause.)"""
    size = page.viewport_size
    header, height = page.eval_on_selector(selector, """(el) => [
      Math.ceil(document.querySelector('.md-header')?.getBoundingClientRect().bottom || 0),
      Math.ceil(el.getBoundingClientRect().height)]""")
    needed = header + height + 16
    if needed > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": needed})
    box = page.eval_on_selector(selector, """(el, top) => {
      window.scrollBy(0, el.getBoundingClientRect().top - top);
      const r = el.getBoundingClientRect();
      return {x: r.left, y: r.top, width: r.width, height: r.height}; }""", header + 8)
    page.screenshot(path=str(path), clip=box)
    page.set_viewport_size(size)


def pause_and_resume(page, selector, progress_js, end, record_property) -> float:
    """Pause a run in training: the button answers at once (its latency recorded), no further
    progress lands, then Resume trains on. ``progress_js`` reads the run's progress (a step, an
    epoch) from the drawn figure; returns where it was paused."""
    button = f"{selector} .jb-train"
    pause_ms = page.evaluate(pause_latency_js(selector))
    record_property("pause_latency_ms", round(pause_ms, 1))
    print(f"{selector} pause latency: {pause_ms:.1f} ms")
    assert page.inner_text(button) == "Resume"
    page.wait_for_timeout(300)  # a frame already on its way may still land
    paused_at = page.evaluate(progress_js)
    assert 0 <= paused_at < end
    page.wait_for_timeout(700)
    assert page.evaluate(progress_js) == paused_at
    assert page.inner_text(button) == "Resume"

    click(page, button)
    assert page.inner_text(button) == "Pause"
    page.wait_for_function(f"() => ({progress_js})() > {paused_at}")
    return paused_at
