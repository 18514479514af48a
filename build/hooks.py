"""MkDocs hooks: stage the runtime and the wheel into the site, watch the core.

The site serves Pyodide precompiled (build/runtime.py), with the jacobiator
wheel compiled too and added to its lock file. Set
``extra.jacobiator_runtime: cdn`` in mkdocs.yml to load Pyodide (the same pinned
version, as .py) from its official CDN instead of serving it from the site.
"""

import json
import logging
import posixpath
import re
import shutil
import sys
import tempfile
from pathlib import Path

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

sys.path.insert(0, str(Path(__file__).parent))  # build/ is tooling, not a package

import figure_cache  # noqa: E402
import jacobiator_fence  # noqa: E402
import runtime  # noqa: E402
from wheel import ROOT, build_wheel  # noqa: E402

MODES = ("self-hosted", "cdn")
WHEEL_DIRS = ROOT / ".cache" / "wheel"
LOCK = "pyodide-lock.json"
BOOT_JS = "javascripts/boot.js"
IMPORT = re.compile(r'^import\s+(?:[^"]*\bfrom\s+)?"(\./[^"]+)";', re.M)  # a module's static imports
WIDGETS_JS = "javascripts/jacobiator.js"
SEARCH_LATER_JS = "javascripts/search-later.js"  # holds the theme's search worker back (see there)
THEME_JS = re.compile(r'<script src="[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js"')
log = logging.getLogger("mkdocs.hooks.jacobiator")
_staged: dict[str, Path] = {}
_build: dict = {}  # this build's folder, wheel and Pyodide folder
_plotly = ExtraScriptValue("")  # Plotly's deferred script; its path is known once Plotly is staged
_plotly.defer = True


def _mode(config: MkDocsConfig) -> str:
    mode = config.extra.get("jacobiator_runtime", "self-hosted")
    if mode not in MODES:
        raise PluginError(f"mkdocs.yml: extra.jacobiator_runtime must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def on_config(config: MkDocsConfig):
    # Page assets from the pinned runtime, so their versions live in one place (runtime.py).
    config.extra_css.insert(0, "runtime/" + runtime.KATEX_DIR + "katex.min.css")
    at = _after_boot(config.extra_javascript)
    config.extra_javascript[at:at] = [_plotly]
    # KaTeX after the widgets (jacobiator.js): typesetting a chapter's formulas takes
    # hundreds of ms, and the first static figure need not wait for it.
    katex = (runtime.KATEX_DIR + "katex.min.js", runtime.KATEX_DIR + "contrib/auto-render.min.js")
    at = _after(config.extra_javascript, WIDGETS_JS)
    config.extra_javascript[at:at] = [_deferred("runtime/" + path) for path in katex]
    return config


def _after_boot(scripts: list) -> int:
    """Where Plotly goes: right after boot.js, which starts the Python worker. Module and
    deferred scripts run in document order, so boot.js listed first starts Pyodide before
    Plotly is run and the static figures are drawn. (Started from the head instead, before
    the body is parsed, Python's boot slowed the first static figure by about 0.4 s and
    made the page live no sooner: bench/visits.py, measured side by side.)"""
    return _after(scripts, BOOT_JS)


def _after(scripts: list, path: str) -> int:
    paths = [str(script) for script in scripts]
    if path not in paths:
        raise PluginError(f"mkdocs.yml: extra_javascript must list {path}")
    return paths.index(path) + 1


def _deferred(path: str) -> ExtraScriptValue:
    # Deferred scripts run in order after parsing, before the page's module scripts.
    script = ExtraScriptValue(path)
    script.defer = True
    return script


def on_pre_build(config: MkDocsConfig):
    # `mkdocs serve` rebuilds in one process: drop the imported core so the
    # static figures are drawn by the code now on disk.
    for name in [m for m in sys.modules if m.split(".")[0] in ("jacobiator", "claims")]:
        del sys.modules[name]
    jacobiator_fence.core["digest"] = figure_cache.core_digest()  # static figures are cached by it
    cdn = _mode(config) == "cdn"
    # A folder of its own per build, so builds running side by side never share one.
    WHEEL_DIRS.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=WHEEL_DIRS))
    _staged.clear()
    _build.clear()
    _build["folder"] = folder
    try:
        staged = runtime.stage_all(cdn=cdn)
        for note in staged.notes:
            log.info(note)
        _staged.update(staged.files)
        _plotly.path = "runtime/" + staged.plotly  # minified here, or Plotly's own (runtime.stage_plotly)
        wheel = build_wheel(folder)
        if staged.compiled:
            try:
                wheel = runtime.compile_wheel(wheel)
            except runtime.CompilerUnavailable as e:  # the runtime was compiled here before
                log.info(f"runtime: the jacobiator wheel is served as .py, not precompiled: {e.reason}")
        # The hash in the path makes every changed wheel a new URL: never a stale cache
        # (Pyodide checks the wheel against the lock, so a stale one would not load).
        served = f"jacobiator/{runtime.sha256_of(wheel)[:16]}/{wheel.name}"
        _staged[served] = wheel
        _build.update(wheel=served, pyodide_dir=staged.pyodide_dir)
        if not cdn:
            # The lock lists jacobiator beside numpy, so loadPyodide fetches both at once.
            lock = staged.pyodide_dir + LOCK
            _staged[lock] = runtime.lock_with_wheel(
                _staged[lock], wheel, posixpath.relpath(served, staged.pyodide_dir), folder / LOCK)
    except runtime.StagingError as e:
        raise PluginError(str(e)) from None


def on_files(files: Files, config: MkDocsConfig):
    for path, source in _staged.items():
        files.append(File.generated(config, "runtime/" + path, abs_src_path=str(source)))
    wheel, pyodide_dir = _build["wheel"], _build["pyodide_dir"]
    if pyodide_dir is None:  # Pyodide from its CDN, as npm ships it: its own lock, without jacobiator
        index_url, lock_file, integrity = runtime.PYODIDE_CDN, runtime.PYODIDE_CDN + LOCK, runtime.integrity()
        wheels = {"jacobiator": wheel}  # fetched by URL (loadPyodide takes wheel URLs among its packages)
    else:
        lock = runtime.sha256_of(_staged[pyodide_dir + LOCK])
        # The lock changes with the wheel: the hash in its URL keeps a cached copy from being used.
        index_url, lock_file, wheels = pyodide_dir, f"{pyodide_dir}{LOCK}?sha256={lock[:16]}", {}
        integrity = runtime.integrity() | {LOCK: runtime.sri(lock)}
    settings = {
        "pyodideVersion": runtime.PYODIDE_VERSION,
        "precompiled": pyodide_dir == runtime.PYC_DIR,
        # Python's environment: the compiled runtime needs Python at -OO (runtime.OPTIMIZE).
        "env": runtime.PYTHON_ENV if pyodide_dir == runtime.PYC_DIR else {},
        # URLs relative to runtime/runtime.json.
        "indexURL": index_url,
        "lockFile": lock_file,
        "packages": ["numpy", "jacobiator"],
        "wheels": wheels,
        "integrity": integrity,
        "wheel": wheel,
    }
    files.append(File.generated(config, "runtime/runtime.json", content=json.dumps(settings, indent=1)))
    return files


def on_post_build(config: MkDocsConfig):
    if "folder" in _build:
        shutil.rmtree(_build["folder"], ignore_errors=True)


def on_post_page(output: str, page, config: MkDocsConfig) -> str:
    """Every module the page's scripts import, preloaded from the head: otherwise the
    browser learns of an import only once the main thread has parsed the importing
    module, after the theme's script and the HTML, and Plotly and the first figure
    wait for the last one. And SEARCH_LATER_JS before the theme's script, which starts
    the search worker."""
    links = "".join(f'<link rel="modulepreload" href="{get_relative_url(path, page.url)}">'
                    for path in imported_modules(config))
    theme = THEME_JS.search(output)
    if not theme:
        raise PluginError(f"{page.file.src_uri}: no script of Material's bundle found "
                          "(build/hooks.py, THEME_JS): a new version of the theme?")
    later = f'<script src="{get_relative_url(SEARCH_LATER_JS, page.url)}"></script>'
    output = output[:theme.start()] + later + output[theme.start():]
    return output.replace("</head>", links + "</head>", 1)


def imported_modules(config: MkDocsConfig) -> list[str]:
    """The site paths of the modules that the page's module scripts import, at any depth."""
    docs = Path(config.docs_dir)
    todo = [str(s) for s in config.extra_javascript if getattr(s, "type", "") == "module"]
    found: list[str] = []
    while todo:
        path = todo.pop()
        for name in IMPORT.findall((docs / path).read_text()):
            imported = posixpath.normpath(posixpath.join(posixpath.dirname(path), name))
            if imported not in found:
                found.append(imported)
                todo.append(imported)
    return sorted(found)


def on_page_markdown(markdown, page, config, files):
    jacobiator_fence.current_page.update(path=page.file.src_uri, markdown=markdown, cursor=0)
    return markdown


def on_serve(server, config, builder):
    server.watch(str(ROOT / "jacobiator"))
    server.watch(str(ROOT / "claims"))
    server.watch(str(ROOT / "build"))
    return server
