"""Cold live of the gradient-fields chapter on built sites, in alternating cold loads.

For a before/after comparison on a noisy machine: each round loads every site
once, cold (a new browser context), in turn, and the floor of each (bench/floor.py:
a bare worker loading Pyodide and numpy from the site's runtime files); prints the
medians per site as JSON (bench.py's cold_summary, the floor and cold live / floor)
and asserts nothing.

    bench/cold_live.py [--runs 7] SITE_DIR [SITE_DIR ...]
"""

import argparse
import json
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import cold_load, cold_summary  # noqa: E402
from floor import floor_load, floor_site  # noqa: E402
from harness import chromium, serve  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="+", type=Path, help="built site folders (mkdocs build -d ...)")
    parser.add_argument("--runs", type=int, default=7, help="cold loads per site (default 7)")
    args = parser.parse_args(argv)
    loads = {site: [] for site in args.sites}
    floors = {site: [] for site in args.sites}
    with ExitStack() as stack:
        urls = {site: stack.enter_context(serve(site)) for site in args.sites}
        floor_urls = {site: stack.enter_context(serve(stack.enter_context(floor_site(site)))) for site in args.sites}
        browser = stack.enter_context(chromium())
        for _ in range(args.runs):
            for site in args.sites:
                loads[site].append(cold_load(browser, urls[site]))
                floors[site].append(floor_load(browser, floor_urls[site]))
    result = {}
    for site in args.sites:
        summary = cold_summary(loads[site])
        floor = statistics.median(floors[site])
        result[str(site)] = summary | {"floor_ms": round(floor), "cold_live_over_floor": round(summary["cold_live_ms"] / floor, 2)}
    print(json.dumps(result, indent=1))

if __name__ == "__main__":
    main()
