"""What Chromium compiles of the wasm until the gradient-fields chapter is live, visit after
visit: a cold visit, then a warm and a third one in new tabs of the same profile on disk
(as in bench/visits.py, each tab open READ_MS). Prints medians as JSON, asserts nothing.

Per visit, from Chromium's trace:
  - live_ms: the jb:live mark;
  - baseline_ms, turbofan_ms: ms of CPU spent compiling wasm before live, with the baseline
    compiler (Liftoff: most functions as they are first called, in the worker itself) and
    with the optimising one (TurboFan: the functions that ran hot, compiled again by the
    browser's thread pool): on a machine of few cores, CPU that Python's boot in the worker
    and the page's main thread do not get;
  - cache_consumed_kb: the compiled code of pyodide.asm.wasm that the visit took from
    Chromium's code cache, if any; cache_writes, cache_written_kb, cache_written_ms: how
    many times it wrote there while the tab was open, the last time and how much. V8 writes
    once enough functions are tiered up and its optimiser has then been idle a while, so the
    longer the tab stays open (``--read-ms``), the more of the optimised code the next visit
    finds. numpy's shared libraries are compiled from bytes, never cached.

    bench/wasm_cache.py [--runs 3] [--read-ms 5000] SITE_DIR
"""

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import PAGE  # noqa: E402
from cpu import CATEGORIES  # noqa: E402
from harness import CHROMIUM, CHROMIUM_ARGS, chromium, serving  # noqa: E402
from visits import READ_MS, VIEWPORT  # noqa: E402

VISITS = ("cold", "warm", "third")
LIVE = "performance.getEntriesByName('jb:live')"


def traced_visit(context, url: str, stay_ms: int) -> tuple[float, list]:
    """A visit of ``url`` in a new tab of ``context``, traced until it has stayed open
    ``stay_ms`` after live: the live mark and the trace's events."""
    page = context.new_page()
    session = context.new_cdp_session(page)
    events, done = [], threading.Event()
    session.on("Tracing.dataCollected", lambda params: events.extend(params["value"]))
    session.on("Tracing.tracingComplete", lambda params: done.set())
    session.send("Tracing.start", {"categories": ",".join(CATEGORIES), "transferMode": "ReportEvents"})
    page.goto(url, wait_until="commit")
    page.wait_for_function(f"{LIVE}.length > 0", timeout=120_000)
    live = page.evaluate(f"{LIVE}[0].startTime")
    page.wait_for_timeout(stay_ms)
    session.send("Tracing.end")
    while not done.is_set():
        page.wait_for_timeout(100)
    page.close()
    return live, events


def compiled(live: float, events: list) -> dict:
    """The visit's wasm compilation and code caching (see the module's docstring)."""
    start = min(e["ts"] for e in events if e.get("name") == "navigationStart")

    def at(event) -> float:  # ms from navigation
        return (event["ts"] - start) / 1000

    tiers = {"wasm.BaselineCompilation": "baseline_ms", "wasm.CompileLazy": "baseline_ms",
             "wasm.TopTierCompilation": "turbofan_ms"}
    result = {"live_ms": live, "baseline_ms": 0.0, "turbofan_ms": 0.0,
              "cache_consumed_kb": 0, "cache_writes": 0, "cache_written_kb": 0, "cache_written_ms": None}
    for e in events:
        name = e.get("name")
        if name in tiers and "dur" in e and 0 <= at(e) <= live:
            result[tiers[name]] += e.get("tdur", e["dur"]) / 1000
        elif name == "v8.wasm.moduleCacheHit" and "pyodide.asm.wasm" in e["args"].get("url", ""):
            result["cache_consumed_kb"] = e["args"]["consumedCacheSize"] / 1000
        elif name == "v8.wasm.cachedModule" and (result["cache_written_ms"] or 0) <= at(e):
            result.update(cache_writes=result["cache_writes"] + 1,
                          cache_written_kb=e["args"]["producedCacheSize"] / 1000, cache_written_ms=at(e))
    return result


def profile_visits(browser, url: str, read_ms: int) -> dict:
    """A cold, a warm and a third visit in a new profile on disk, each tab open ``read_ms`` after live."""
    folder = tempfile.mkdtemp(prefix="profile-")
    context = browser.browser_type.launch_persistent_context(
        folder, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, viewport=VIEWPORT)
    try:
        return {name: compiled(*traced_visit(context, url, read_ms)) for name in VISITS}
    finally:
        context.close()
        shutil.rmtree(folder, ignore_errors=True)


def medians(rounds: list[dict]) -> dict:
    out = {}
    for name in VISITS:
        keys = rounds[0][name].keys()
        values = {k: [r[name][k] for r in rounds if r[name][k] is not None] for k in keys}
        out[name] = {k: round(statistics.median(v)) if v else None for k, v in values.items()}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built site folder")
    parser.add_argument("--runs", type=int, default=3, help="profiles, each visited three times (default 3)")
    parser.add_argument("--read-ms", type=int, default=READ_MS,
                        help=f"how long each tab stays open after live (default {READ_MS}, as in visits.py)")
    args = parser.parse_args(argv)
    with serving(args.site, gzip=True) as served, chromium() as browser:
        rounds = [profile_visits(browser, served.url + PAGE, args.read_ms) for _ in range(args.runs)]
    print(json.dumps(medians(rounds) | {"runs": args.runs, "read_ms": args.read_ms}, indent=1))


if __name__ == "__main__":
    main()
