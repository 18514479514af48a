"""Render every registered figure with its defaults, and compare two such renders.

    python scripts/render_registry.py save DIR          one JSON file per figure
    python scripts/render_registry.py compare OLD NEW   traces' numbers equal? styling apart

A refactor that should change nothing a reader sees saves the renders before and
after and compares them: the traces' data (every number and string under a
trace's data keys) must be equal; colours, fonts and layout are reported apart.
"""

import argparse
import json
import pathlib
import sys

# Keys of a trace that carry its data, as opposed to its styling (a trace's meta
# names its role, which is styling).
DATA_KEYS = {"x", "y", "z", "u", "v", "w", "text", "customdata", "values", "labels", "ids",
             "i", "j", "k", "a", "b", "c"}


def save(folder: pathlib.Path) -> None:
    from jacobiator.figures import FIGURES, render

    folder.mkdir(parents=True, exist_ok=True)
    for key in sorted(FIGURES):
        figure = render(key)
        (folder / f"{key}.json").write_text(json.dumps(figure, sort_keys=True, allow_nan=False))
        print(key, file=sys.stderr)


def trace_data(figure: dict) -> list[dict]:
    return [{k: v for k, v in trace.items() if k in DATA_KEYS} for trace in figure["data"]]


def styling(figure: dict) -> dict:
    return {"data": [{k: v for k, v in t.items() if k not in DATA_KEYS} for t in figure["data"]],
            "layout": figure.get("layout", {})}


def compare(old: pathlib.Path, new: pathlib.Path) -> int:
    names = sorted({p.name for p in old.glob("*.json")} | {p.name for p in new.glob("*.json")})
    failures = 0
    for name in names:
        if not (old / name).exists() or not (new / name).exists():
            print(f"{name[:-5]}: only in {'new' if not (old / name).exists() else 'old'}")
            failures += 1
            continue
        a, b = (json.loads((folder / name).read_text()) for folder in (old, new))
        same_data = trace_data(a) == trace_data(b)
        same_style = styling(a) == styling(b)
        failures += not same_data
        print(f"{name[:-5]}: data {'equal' if same_data else 'DIFFERS'}, "
              f"styling {'equal' if same_style else 'differs'}")
    print(f"{len(names)} figures, {failures} with different data")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("save").add_argument("folder", type=pathlib.Path)
    cmp = sub.add_parser("compare")
    cmp.add_argument("old", type=pathlib.Path)
    cmp.add_argument("new", type=pathlib.Path)
    args = parser.parse_args()
    if args.command == "save":
        save(args.folder)
        return 0
    return compare(args.old, args.new)


if __name__ == "__main__":
    sys.exit(main())
