"""Fixtures for the browser tests: one strict build of the site, served on
127.0.0.1, and a Chromium page that fails the test on console errors or on any
request leaving 127.0.0.1; and the chapters' claims, measured once up front."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

import claims
from harness import ROOT, build_site, chromium, free_port, guard_offsite, serve, write_config


def pytest_sessionstart(session):
    """Measure the chapters' claims before the first build needs them, two chapters at a
    time (two cores): the builds and tests/test_claims.py then read them from the cache."""
    if os.environ.get("JACOBIATOR_CLAIMS_CACHE", "1") == "0":
        return
    missing = [c for c in claims.PAGES if not claims.is_cached(c)]
    if not missing:
        return
    print(f"\nmeasuring the claims of {', '.join(missing)} (cached in .cache/claims)", flush=True)

    def measure(chapter):  # a failure shows again, with its traceback, where the build measures
        return subprocess.run([sys.executable, "-m", "claims", chapter], cwd=ROOT, capture_output=True)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(measure, sorted(missing, key=lambda c: c != "destroy")))  # the longest first

SCREENSHOTS = ROOT / "screenshots"


@pytest.fixture(scope="session")
def site_port():
    return free_port()


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory, site_port):
    # Material's instant navigation only works where site_url says the site is.
    tmp = tmp_path_factory.mktemp("build")
    config = write_config(tmp / "mkdocs.yml", site_url=f"http://127.0.0.1:{site_port}/")
    done = build_site(tmp / "site", config)
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp / "site"


@pytest.fixture(scope="session")
def site_url(site_dir, site_port):
    with serve(site_dir, site_port) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with chromium() as b:
        yield b


class Watched:
    """A page plus what it said on the console and where it tried to go."""

    def __init__(self, browser, **context_options):
        self.context = browser.new_context(**context_options)
        self.offsite: list[str] = []
        self.errors: list[str] = []
        guard_offsite(self.context, self.offsite)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture
def watched(browser):
    w = Watched(browser, viewport={"width": 1280, "height": 900})
    yield w
    w.context.close()
    assert not w.offsite, f"requests left 127.0.0.1: {w.offsite}"
    assert not w.errors, f"console errors: {w.errors}"


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
