"""Print every measurement the article quotes, and whether each claim holds, as JSON.

    python -m claims                      # every chapter
    python -m claims destroy restore      # some chapters
    python -m claims --fresh              # measure again, ignoring .cache/claims
"""

import argparse
import json
import sys
import time

import claims


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m claims", description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", default=list(claims.PAGES), help=", ".join(claims.PAGES))
    parser.add_argument("--fresh", action="store_true", help="measure again instead of reading .cache/claims")
    args = parser.parse_args(argv)
    out = {}
    for key in args.chapters:
        try:
            claims.chapter(key)
        except ValueError as e:
            parser.error(str(e))
        t0 = time.perf_counter()
        measured = claims.measure(key, cached=not args.fresh)
        out[key] = {"seconds": round(time.perf_counter() - t0, 1), "measured": measured,
                    "claims": claims.check(key, measured)}
    print(json.dumps(out, indent=1, ensure_ascii=False))
    return 0 if all(c["holds"] for chapter in out.values() for c in chapter["claims"].values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
