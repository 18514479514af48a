"""The floor of cold live: a bare module worker on an empty page that loads Pyodide
and numpy from a built site's runtime files, and nothing else. What the page adds
on top (cold live / floor) is the page's own overhead.

    with floor_site(SITE_DIR) as folder, serve(folder) as url:
        ms = floor_load(browser, url)
"""

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from harness import guard_offsite

FLOOR_HTML = """<!doctype html>
<title>floor</title>
<script type="module">
  const worker = new Worker("floor-worker.js", { type: "module" });
  worker.onmessage = ({ data }) => performance.mark(data);
</script>
"""

# The site's own settings (runtime.json), as the real worker reads them; no integrity check.
FLOOR_WORKER_JS = """
const base = new URL("runtime/", location.href);
const settings = await (await fetch(new URL("runtime.json", base), { cache: "no-cache" })).json();
const indexURL = new URL(settings.indexURL, base).href;
// Through a blob, as the real worker does: the test server may not serve .mjs as JavaScript.
const source = await (await fetch(indexURL + "pyodide.mjs")).arrayBuffer();
const { loadPyodide } = await import(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
await loadPyodide({ indexURL, lockFileURL: new URL(settings.lockFile, base).href, packages: ["numpy"], env: settings.env ?? {} });
postMessage("floor:ready");
"""


@contextmanager
def floor_site(site: Path):
    """A folder serving the floor page beside ``site``'s runtime (linked, not copied)."""
    folder = Path(tempfile.mkdtemp(prefix="floor-"))
    try:
        (folder / "runtime").symlink_to((site / "runtime").resolve(), target_is_directory=True)
        (folder / "floor.html").write_text(FLOOR_HTML)
        (folder / "floor-worker.js").write_text(FLOOR_WORKER_JS)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def floor_load(browser, url: str) -> float:
    """Ms from navigation to Pyodide with numpy loaded in the bare worker, cold (a new context)."""
    context = browser.new_context()
    offsite = []
    guard_offsite(context, offsite)
    page = context.new_page()
    page.goto(url + "floor.html")
    page.wait_for_function("performance.getEntriesByName('floor:ready').length > 0", timeout=120_000)
    ms = page.evaluate("performance.getEntriesByName('floor:ready')[0].startTime")
    context.close()
    assert not offsite, offsite
    return ms
