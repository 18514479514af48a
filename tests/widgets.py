"""Helpers for browser tests: reach a figure widget on the chapter page and read what it drew."""

PAGE = "gradient-fields/"
FIRST = "#jb-gradient_field-1"
BOOT_TIMEOUT = 60_000  # ms: Pyodide boots in about 4 s here; CI machines may be slower


def wait_live(page, selector=FIRST):
    page.wait_for_selector(f'{selector} .jb-status[data-state="live"]', timeout=BOOT_TIMEOUT)


def set_control(page, name, value, selector=FIRST):
    page.eval_on_selector(
        f'{selector} [name="{name}"]',
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", value)


def arrow_count_is(n, selector=FIRST):
    """A JS predicate: the widget's figure shows n arrows (capped ones included)."""
    return f"""() => document.querySelector('{selector}').jacobiator.figure.data
        .filter((t) => t.meta && ['arrows', 'capped'].includes(t.meta.role))
        .reduce((sum, t) => sum + t.x.length / 7, 0) === {n}"""
