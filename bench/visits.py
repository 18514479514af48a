"""A reader's visits to the gradient-fields chapter, as a static host serves it (gzip):
cold and warm, on a fast link and on a slow one, with the bytes each moves, beside
the floor (bench/floor.py). Prints JSON, asserts nothing.

  - cold: a new browser profile kept on disk, as a reader's is, nothing cached;
  - warm: a second tab of that profile, after the cold tab stayed open READ_MS (a reader
    reading); each tab has its own worker, booted again. The HTTP cache is filled, and so are
    Chromium's code caches, which a profile in memory (a Playwright context) never fills:
    compiled wasm is cached a while after boot, once its hot functions are optimised, and a
    script's compiled code from its second load on;
  - third: a third tab, after the warm one stayed open READ_MS too (Plotly's code cached);
  - throttled: a cold visit under Chromium's network emulation (THROTTLE: 10 Mbit/s down, 40 ms);
  - answer: a change made the moment the page says Python is live, drawn (bench.ANSWER_JS): when
    a control has answered, comparable between builds that say "live" at different points;
  - bytes: what the server sent (headers included) from navigation until the page is live
    and its network has been quiet for QUIET_MS, by kind of file.

Requests are not routed through Playwright (routing turns the HTTP cache off): the browser
runs with background networking off (harness.CHROMIUM_ARGS), and a request that would leave
127.0.0.1 is listed under "offsite".

    bench/visits.py [--runs 5] SITE_DIR [SITE_DIR ...]

With several sites, each round visits every site in turn (alternating, for a before/after
comparison on a noisy machine).
"""

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from bench import PAGE, visit  # noqa: E402
from floor import floor_load, floor_site  # noqa: E402
from harness import CHROMIUM, CHROMIUM_ARGS, chromium, serving  # noqa: E402

# Chromium's network emulation, in its units: bytes per second and ms of latency per request.
MBIT = 1e6 / 8
THROTTLE = {"offline": False, "latency": 40, "downloadThroughput": 10 * MBIT, "uploadThroughput": 5 * MBIT}
QUIET_MS = 1000  # the network is done when the server has sent nothing for this long
READ_MS = 5000  # how long a visit stays open before the next: 2 s did not always get the wasm cached
VIEWPORT = {"width": 1280, "height": 900}


def emulate_network(context, page, conditions: dict) -> None:
    """Emulate ``conditions`` on ``page``. Chromium applies them to the workers the page
    starts as well: the bare worker of bench/floor.py, throttled so, took 10.7 and 11.3 s
    for its 11.0 MB instead of 2.9 to 5.8 s."""
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", conditions)


def quiet_bytes(served) -> int:
    """The server's byte count once it has sent nothing for QUIET_MS."""
    last, since = served.bytes, time.monotonic()
    while time.monotonic() - since < QUIET_MS / 1000:
        time.sleep(0.1)
        if served.bytes != last:
            last, since = served.bytes, time.monotonic()
    return last


KINDS = (("pyodide.asm.wasm", "wasm"), ("pyodide.asm.js", "pyodide_js"), ("python_stdlib.zip", "stdlib"),
         ("/numpy-", "numpy"), ("/jacobiator-", "jacobiator"), ("/plotly/", "plotly"), ("/katex/", "katex"),
         ("/assets/", "theme"), ("/javascripts/", "site_js"), ("/search/", "search"))


def by_kind(by_path: dict) -> dict:
    """Bytes sent by kind of file (the page's HTML: "page"; anything else: "rest"), largest first."""
    kinds = {}
    for path, n in by_path.items():
        kind = next((kind for part, kind in KINDS if part in path), "page" if path.endswith("/") else "rest")
        kinds[kind] = kinds.get(kind, 0) + n
    return dict(sorted(kinds.items(), key=lambda kv: -kv[1]))


def listing_offsite(context, offsite: list):
    """``context``, listing in ``offsite`` the requests that leave 127.0.0.1."""
    context.on("request", lambda r: urlparse(r.url).hostname in (None, "127.0.0.1") or offsite.append(r.url))
    return context


def new_context(browser, offsite: list):
    """A new browser profile in memory (no code caches): enough for a cold visit."""
    return listing_offsite(browser.new_context(viewport=VIEWPORT), offsite)


def visits(browser, served, offsite: list) -> dict:
    """A cold visit with its bytes, then a warm and a third one in new tabs of the same
    profile, on disk: another Chromium of ``browser``'s kind, started for these visits."""
    folder = tempfile.mkdtemp(prefix="profile-")
    context = browser.browser_type.launch_persistent_context(
        folder, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, viewport=VIEWPORT)
    try:
        listing_offsite(context, offsite)
        result = {}
        for name in ("cold", "warm", "third"):
            served.reset()
            result[name] = visit(context, served.url + PAGE, guard=False, stay_ms=READ_MS if name != "third" else 0)
            result[name]["bytes"] = quiet_bytes(served)
            result[name]["by_kind"] = by_kind(served.by_path)
    finally:
        context.close()
        shutil.rmtree(folder, ignore_errors=True)
    return result


def throttled(browser, served, offsite: list) -> dict:
    """A cold visit under THROTTLE."""
    context = new_context(browser, offsite)
    served.reset()
    marks = visit(context, served.url + PAGE, network=THROTTLE, guard=False)
    marks["bytes"] = quiet_bytes(served)
    context.close()
    return marks


def median(values) -> int:
    return round(statistics.median(values))


def summary(rounds: list[dict], floors: list[float], offsite: list) -> dict:
    """Medians over the rounds of one site."""
    def med(kind, key):
        return median(r[kind][key] for r in rounds)

    def answered(kind):
        return median(r[kind]["answered"] for r in rounds)
    floor = statistics.median(floors)
    cold_live = statistics.median(r["cold"]["live"] for r in rounds)
    kinds = rounds[0]["cold"]["by_kind"]
    return {
        "floor_ms": round(floor), "cold_live_ms": round(cold_live), "cold_live_over_floor": round(cold_live / floor, 2),
        "cold_first_static_ms": med("cold", "static"), "cold_answer_ms": answered("cold"),
        "warm_first_static_ms": med("warm", "static"), "warm_live_ms": med("warm", "live"),
        "warm_answer_ms": answered("warm"), "third_answer_ms": answered("third"),
        "third_first_static_ms": med("third", "static"), "third_live_ms": med("third", "live"),
        "cold_mb": round(med("cold", "bytes") / 1e6, 2), "warm_mb": round(med("warm", "bytes") / 1e6, 3),
        "cold_mb_by_kind": {kind: round(median(r["cold"]["by_kind"].get(kind, 0) for r in rounds) / 1e6, 3)
                            for kind in kinds},
        "throttled": {"network": "10 Mbit/s down, 40 ms", "cold_first_static_ms": med("throttled", "static"),
                      "cold_live_ms": med("throttled", "live"), "cold_mb": round(med("throttled", "bytes") / 1e6, 2)},
        "runs": len(rounds), "served": "gzip (text, js, json, wasm)", "offsite": sorted(set(offsite))}


def measure(browser, sites: dict, runs: int) -> dict:
    """``sites``: name -> (Served site, Served floor). Alternating rounds; medians per site."""
    rounds = {name: [] for name in sites}
    floors = {name: [] for name in sites}
    offsite = {name: [] for name in sites}
    failed = {name: [] for name in sites}
    for _ in range(runs):
        for name, (site, floor) in sites.items():
            try:
                floors[name].append(floor_load(browser, floor.url))
                rounds[name].append(visits(browser, site, offsite[name])
                                    | {"throttled": throttled(browser, site, offsite[name])})
            except (RuntimeError, PlaywrightTimeout) as e:  # recorded, and the other rounds go on
                failed[name].append(str(e).strip().splitlines()[0])
    return {name: (summary(rounds[name], floors[name], offsite[name]) if rounds[name] else {})
            | {"failed_rounds": failed[name]} for name in sites}


def measure_site(browser, site: Path, runs: int) -> dict:
    """measure() of one built site, served gzip beside its floor."""
    with serving(site, gzip=True) as served, floor_site(site) as folder, serving(folder, gzip=True) as floor:
        return measure(browser, {"site": (served, floor)}, runs)["site"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="+", type=Path, help="built site folders (mkdocs build -d ...)")
    parser.add_argument("--runs", type=int, default=5, help="rounds per site (default 5)")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        sites = {str(site): (stack.enter_context(serving(site, gzip=True)),
                             stack.enter_context(serving(stack.enter_context(floor_site(site)), gzip=True)))
                 for site in args.sites}
        result = measure(stack.enter_context(chromium()), sites, args.runs)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
