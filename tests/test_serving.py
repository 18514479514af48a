"""The test and benchmark server (harness.serving): gzip like a static host, and a byte count."""

import gzip
import time
import urllib.request

from harness import serving

SCRIPT = b"const answer = 42;\n" * 500  # compressible, as a script is
WHEEL = bytes(range(256)) * 40  # stands for an archive, deflated already


def fetch(url: str, encoding: str | None = None):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as r:
        return r.headers, r.read()


def counted(served, at_least: int) -> int:
    """The server's count once it has caught up with the responses read (it counts after sending)."""
    for _ in range(50):
        if served.bytes >= at_least:
            break
        time.sleep(0.02)
    return served.bytes


def test_a_script_is_sent_gzip_to_a_browser_that_accepts_it(tmp_path):
    (tmp_path / "app.js").write_bytes(SCRIPT)
    with serving(tmp_path, gzip=True) as served:
        headers, body = fetch(served.url + "app.js", "gzip, deflate, br")
        assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == SCRIPT
        assert len(body) < len(SCRIPT) / 10
        assert counted(served, len(body)) < len(SCRIPT) / 5  # what went on the wire: the compressed body
        headers, body = fetch(served.url + "app.js")  # a client that does not accept gzip
        assert headers["Content-Encoding"] is None and body == SCRIPT


def test_a_folders_page_is_compressed_and_an_archive_is_sent_as_it_is(tmp_path):
    (tmp_path / "index.html").write_bytes(b"<p>" + SCRIPT + b"</p>")
    (tmp_path / "numpy.whl").write_bytes(WHEEL)
    with serving(tmp_path, gzip=True) as served:
        headers, _ = fetch(served.url, "gzip")
        assert headers["Content-Encoding"] == "gzip"
        served.reset()
        headers, body = fetch(served.url + "numpy.whl", "gzip")
        assert headers["Content-Encoding"] is None and body == WHEEL
        assert counted(served, len(WHEEL)) >= len(WHEEL)
        # Counted whole, uncompressed (the page's own count may land after the reset: the server
        # counts after sending, so its path is not asserted away).
        assert served.by_path["/numpy.whl"] >= len(WHEEL)


def test_without_gzip_nothing_is_compressed(tmp_path):
    (tmp_path / "app.js").write_bytes(SCRIPT)
    with serving(tmp_path) as served:
        headers, body = fetch(served.url + "app.js", "gzip")
        assert headers["Content-Encoding"] is None and body == SCRIPT
