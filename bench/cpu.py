"""Where the CPU goes until a cold visit is live: Chromium's trace of cold visits to the
gradient-fields chapter and of the floor (bench/floor.py), summed per thread and per kind
of work (a script's evaluation or call, by file; layout; parsing; wasm compilation).
Prints medians as JSON, asserts nothing.

On a machine of few cores the page's main thread, the Python worker and the browser's
wasm compiler share them: what one saves the others can use. Time to live then follows
the CPU spent before it, not the order things start in.

    bench/cpu.py [--runs 3] SITE_DIR
"""

import argparse
import json
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import PAGE  # noqa: E402
from floor import floor_site  # noqa: E402
from harness import chromium, serve  # noqa: E402

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "v8.wasm", "toplevel",
              "blink.user_timing"]  # the last for navigationStart
# Threads of the same name (the wasm compiler's pool) are summed.
THREADS = {"CrRendererMain": "page main thread", "DedicatedWorker thread": "workers (Python, search)",
           "ThreadPoolForegroundWorker": "thread pool (wasm compiler, GC)"}
TOP = 10  # kinds of work listed per thread


def trace(browser, url: str, mark: str) -> tuple[float, list]:
    """A cold visit of ``url`` traced until the performance mark ``mark``: its time and the trace's events."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    path = Path(tempfile.mkstemp(suffix=".json")[1])
    browser.start_tracing(page=page, path=str(path), categories=CATEGORIES)
    page.goto(url, wait_until="commit")
    page.wait_for_function(f"performance.getEntriesByName('{mark}').length > 0", timeout=120_000)
    at = page.evaluate(f"performance.getEntriesByName('{mark}')[0].startTime")
    browser.stop_tracing()
    context.close()
    events = json.loads(path.read_text())
    path.unlink()
    return at, events["traceEvents"] if isinstance(events, dict) else events


def busy(events: list, until_ms: float) -> dict:
    """Per thread, from navigation to ``until_ms``: ms of CPU in its tasks (the event's thread
    time; its wall time where the trace has none), in all and by kind (the outermost events
    inside the scheduler's task wrappers). A thread waiting for a core spends wall time, not CPU."""
    start = min(e["ts"] for e in events if e.get("name") == "navigationStart")
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e.get("name") == "thread_name"}
    by_thread = {}
    for e in events:
        if e.get("ph") == "X" and "dur" in e and start <= e["ts"] <= start + until_ms * 1000:
            by_thread.setdefault((e["pid"], e["tid"]), []).append(e)
    work = {}
    for key, xs in by_thread.items():
        thread = THREADS.get(names.get(key, ""))
        if not thread:
            continue
        counts = work.setdefault(thread, Counter())
        xs.sort(key=lambda e: (e["ts"], -e["dur"]))
        ends = []  # the open events' ends, and whether each is a wrapper
        for e in xs:
            while ends and ends[-1][0] <= e["ts"]:
                ends.pop()
            cpu = e.get("tdur", e["dur"]) / 1000
            if not ends:
                counts["all"] += cpu
            if all(wrapper for _, wrapper in ends) and not is_wrapper(e):
                counts[kind(e)] += cpu
            ends.append((e["ts"] + e["dur"], is_wrapper(e)))
    return work


def is_wrapper(event: dict) -> bool:
    """The scheduler's events around a task, which say nothing of what it does."""
    return "RunTask" in event["name"] or event["name"].startswith(("ThreadController", "BlinkScheduler"))


def kind(event: dict) -> str:
    """An event's kind: its name, and for scripts the file they run."""
    data = (event.get("args") or {}).get("data") or {}
    url = data.get("url") or ""
    return f"{event['name']} {url.rsplit('/', 1)[-1]}".strip()


def medians(runs: list[dict]) -> dict:
    keys = {k for run in runs for k in run}
    return {k: round(statistics.median(run.get(k, 0) for run in runs)) for k in keys}


def measure(browser, url: str, mark: str, runs: int) -> dict:
    marks, works = [], []
    for _ in range(runs):
        at, events = trace(browser, url, mark)
        marks.append(at)
        works.append(busy(events, at))
    result = {"until_ms": round(statistics.median(marks))}
    for thread in THREADS.values():
        counts = medians([work.get(thread, {}) for work in works])
        result[thread] = {"all": counts.pop("all", 0)} | dict(sorted(counts.items(), key=lambda kv: -kv[1])[:TOP])
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built site folder")
    parser.add_argument("--runs", type=int, default=3, help="traced cold visits of each (default 3)")
    args = parser.parse_args(argv)
    with serve(args.site) as url, floor_site(args.site) as folder, serve(folder) as floor_url, chromium() as browser:
        result = {"page (until live)": measure(browser, url + PAGE, "jb:live", args.runs),
                  "floor (until ready)": measure(browser, floor_url + "floor.html", "floor:ready", args.runs),
                  "runs": args.runs}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
