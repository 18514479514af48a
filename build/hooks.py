"""MkDocs hooks: stage the runtime and the wheel into the site, watch the core.

Set ``extra.jacobiator_runtime: cdn`` in mkdocs.yml to load Pyodide (the same
pinned version) from its official CDN instead of serving it from the site.
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

sys.path.insert(0, str(Path(__file__).parent))  # build/ is tooling, not a package

import figure_cache  # noqa: E402
import jacobiator_fence  # noqa: E402
import runtime  # noqa: E402
from wheel import ROOT, build_wheel  # noqa: E402

MODES = ("self-hosted", "cdn")
WHEEL_DIRS = ROOT / ".cache" / "wheel"
_staged: dict[str, Path] = {}


def _mode(config: MkDocsConfig) -> str:
    mode = config.extra.get("jacobiator_runtime", "self-hosted")
    if mode not in MODES:
        raise PluginError(f"mkdocs.yml: extra.jacobiator_runtime must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def on_config(config: MkDocsConfig):
    # Page assets from the pinned runtime, so their versions live in one place (runtime.py).
    config.extra_css.insert(0, "runtime/" + runtime.KATEX_DIR + "katex.min.css")
    scripts = (runtime.PLOTLY_JS, runtime.KATEX_DIR + "katex.min.js", runtime.KATEX_DIR + "contrib/auto-render.min.js")
    config.extra_javascript[0:0] = [_deferred("runtime/" + path) for path in scripts]
    return config


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
    try:
        _staged.clear()
        _staged.update(runtime.stage_all(cdn=_mode(config) == "cdn"))
    except runtime.StagingError as e:
        raise PluginError(str(e)) from None
    # A folder of its own per build, so builds running side by side never share one.
    WHEEL_DIRS.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel(Path(tempfile.mkdtemp(dir=WHEEL_DIRS)))
    _staged["jacobiator/" + wheel.name] = wheel


def on_files(files: Files, config: MkDocsConfig):
    for path, source in _staged.items():
        files.append(File.generated(config, "runtime/" + path, abs_src_path=str(source)))
    wheel = next(p for p in _staged if p.startswith("jacobiator/"))
    index_url = runtime.PYODIDE_CDN if _mode(config) == "cdn" else runtime.PYODIDE_DIR
    settings = {
        "pyodideVersion": runtime.PYODIDE_VERSION,
        "indexURL": index_url,  # relative to runtime/runtime.json
        "packages": ["numpy"],
        "integrity": runtime.integrity(),
        # The hash in the URL makes every changed wheel a new URL: never a stale cache.
        "wheel": f"{wheel}?sha256={runtime.sha256_of(_staged[wheel])[:16]}",
    }
    files.append(File.generated(config, "runtime/runtime.json", content=json.dumps(settings, indent=1)))
    return files


def on_post_build(config: MkDocsConfig):
    for path, source in _staged.items():
        if path.startswith("jacobiator/"):
            shutil.rmtree(source.parent, ignore_errors=True)


def on_page_markdown(markdown, page, config, files):
    jacobiator_fence.current_page.update(path=page.file.src_uri, markdown=markdown, cursor=0)
    return markdown


def on_serve(server, config, builder):
    server.watch(str(ROOT / "jacobiator"))
    server.watch(str(ROOT / "claims"))
    server.watch(str(ROOT / "build"))
    return server
