"""Serve a built site on 127.0.0.1 and drive it in Debian's Chromium.

Shared by the browser tests and the benchmark.
"""

import functools
import gzip
import io
import os
import re
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
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


# What a static host compresses on the fly (GitHub Pages, a CDN): text, and wasm. Zips,
# wheels and woff2 are compressed already, and are sent as they are.
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/wasm", "image/svg+xml")
GZIP_LEVEL = 6  # the usual default of web servers


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = SimpleHTTPRequestHandler.extensions_map | {
        ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
        ".whl": "application/zip", ".json": "application/json", ".woff2": "font/woff2"}

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        self.wfile = _Counting(self.wfile, self.server.served, self)

    def send_head(self):
        """Gzip-compressed, when the server compresses and the browser accepts it, for a file
        of a COMPRESSIBLE type; anything else (a folder, a 304) as the standard handler does."""
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.endswith("/"):
            path = os.path.join(path, "index.html")  # a folder's page
        if (not self.server.served.gzip or "gzip" not in self.headers.get("Accept-Encoding", "")
                or "If-Modified-Since" in self.headers or not os.path.isfile(path)
                or not self.guess_type(path).startswith(COMPRESSIBLE)):
            return super().send_head()
        body, mtime = self.server.served.compressed(path)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(mtime))
        self.end_headers()
        return io.BytesIO(body)


class _Counting(io.RawIOBase):
    """A response stream that counts what it writes (headers and bodies) in ``served``."""

    def __init__(self, stream, served, handler):
        self.stream, self.served, self.handler = stream, served, handler

    def writable(self):
        return True

    def write(self, data):
        n = self.stream.write(data)
        path = urlparse(getattr(self.handler, "path", "")).path
        with self.served.lock:
            self.served.bytes += len(data)
            self.served.by_path[path] = self.served.by_path.get(path, 0) + len(data)
        return n

    def flush(self):
        self.stream.flush()

    def close(self):
        super().close()
        self.stream.close()


@dataclass
class Served:
    """A running server: its ``url``, and the ``bytes`` it has sent so far (headers included),
    in all and by URL path."""

    url: str = ""
    gzip: bool = False
    bytes: int = 0
    by_path: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _compressed: dict = field(default_factory=dict)  # path -> (mtime, gzip bytes)

    def compressed(self, path: str) -> tuple[bytes, float]:
        mtime = os.stat(path).st_mtime
        with self.lock:
            cached = self._compressed.get(path)
        if cached is None or cached[0] != mtime:
            with open(path, "rb") as f:  # mtime=0: the same bytes whenever compressed
                cached = (mtime, gzip.compress(f.read(), GZIP_LEVEL, mtime=0))
            with self.lock:
                self._compressed[path] = cached
        return cached[1], mtime

    def reset(self) -> None:
        with self.lock:
            self.bytes = 0
            self.by_path = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(directory: Path, port: int = 0, gzip: bool = False):
    """A static file server on 127.0.0.1 (a free port by default) that counts the bytes it
    sends; with ``gzip``, it compresses text and wasm as a static host does. Yields ``Served``."""
    served = Served(gzip=gzip)
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.served = served
    served.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve(directory: Path, port: int = 0):
    """A static file server on 127.0.0.1 (a free port by default); yields its base URL."""
    with serving(directory, port) as served:
        yield served.url


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
