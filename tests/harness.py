"""Serve a built site on 127.0.0.1 and drive it in Debian's Chromium.

Shared by the browser tests and the benchmark.
"""

import functools
import os
import re
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("JACOBIATOR_CHROMIUM", "/usr/bin/chromium")
# As root Chromium needs --no-sandbox; the rest keep it from calling out.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]


def build_site(site_dir: Path, config: Path = ROOT / "mkdocs.yml") -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of ``config`` into ``site_dir``."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir)],
        cwd=ROOT, capture_output=True, text=True, env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
    )


def write_config(dest: Path, docs_dir: Path = ROOT / "docs", site_url: str | None = None,
                 runtime: str | None = None) -> Path:
    """A copy of mkdocs.yml at ``dest`` that builds from anywhere, with some settings changed."""
    changes = [(r"^docs_dir:.*$", f"docs_dir: {docs_dir}"),
               (r"^(\s*-\s*)build/hooks\.py\s*$", rf"\g<1>{ROOT / 'build' / 'hooks.py'}")]
    if site_url:
        changes.append((r"^site_url:.*$", f"site_url: {site_url}"))
    if runtime:
        changes.append((r"^(\s*)jacobiator_runtime:.*$", rf"\g<1>jacobiator_runtime: {runtime}"))
    text = (ROOT / "mkdocs.yml").read_text()
    for pattern, replacement in changes:
        text, n = re.subn(pattern, replacement, text, flags=re.M)
        assert n == 1, f"mkdocs.yml no longer has the line {pattern!r} that the tests rewrite"
    dest.write_text(text)
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = SimpleHTTPRequestHandler.extensions_map | {
        ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
        ".whl": "application/zip", ".json": "application/json", ".woff2": "font/woff2"}

    def log_message(self, *args):
        pass


@contextmanager
def serve(directory: Path, port: int = 0):
    """A static file server on 127.0.0.1 (a free port by default); yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium():
    """A headless Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"no Chromium at {CHROMIUM}: run `make test` (it installs Debian's chromium) "
                           "or set JACOBIATOR_CHROMIUM")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def guard_offsite(context, offsite: list):
    """Abort, and record, every request that would leave 127.0.0.1."""

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            r.continue_()
        else:
            offsite.append(r.request.url)
            r.abort()

    context.route("**/*", route)
