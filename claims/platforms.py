"""``make claims``: every claim of the article on four floating-point platforms.

numpy's OpenBLAS picks its matrix kernel per CPU at run time, and the reader's
browser runs Pyodide's numpy (no OpenBLAS at all), so a chaotic training run can
end elsewhere on another machine. This measures every chapter afresh under three
OpenBLAS kernels (``OPENBLAS_CORETYPE`` set for that child process only) and once
in Pyodide 0.27.7 under Node, from the site's pinned runtime, then prints per claim
its values on each platform and whether it holds on all of them.

    python -m claims.platforms [chapter ...] [--json]

A platform that cannot run here (OpenBLAS refuses the kernel, no Node, no staged
runtime) is reported as skipped, with the reason; the others still run. A
measurement that crashes is a failure, not a skip. The exit status is 0 only when
some platform ran, none failed, and every claim holds on every platform that ran.
"""

import argparse
import ctypes
import glob
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import claims

ROOT = Path(__file__).resolve().parent.parent
KERNELS = ("Haswell", "Sandybridge", "Prescott")
PYODIDE = "Pyodide 0.27.7"
sys.path.insert(0, str(ROOT / "build"))  # build/ is tooling, not a package


def openblas_core() -> str:
    """The kernel OpenBLAS chose in this process (numpy's bundled scipy-openblas)."""
    import numpy
    libs = glob.glob(os.path.join(os.path.dirname(numpy.__file__) + ".libs", "libscipy_openblas*.so"))
    if not libs:
        return "unknown"
    lib = ctypes.CDLL(libs[0])
    for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
        if hasattr(lib, name):
            corename = getattr(lib, name)
            corename.restype = ctypes.c_char_p
            return corename().decode()
    return "unknown"


def _child(code: str, kernel: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    if kernel:
        env["OPENBLAS_CORETYPE"] = kernel  # this child only
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)


def _measure_code(chapters: list[str]) -> str:
    return ("import json, claims, claims.platforms as p\n"
            f"out = {{c: claims.measure(c, cached=False) for c in {chapters!r}}}\n"
            "print(json.dumps({'core': p.openblas_core(), 'measured': out}))\n")


def on_kernel(kernel: str, chapters: list[str]) -> dict:
    """``{"measured": {chapter: ...}, "core": name}`` or ``{"skipped": reason}``."""
    native = _child("import claims.platforms as p; print(p.openblas_core())", None).stdout.strip()
    done = _child(_measure_code(chapters), kernel)
    if done.returncode != 0:
        return {"failed": f"the measurement crashed: {' '.join(done.stderr.strip().splitlines()[-1:])}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["core"] == native and kernel.lower() != native.lower():
        return {"skipped": f"OpenBLAS refused the kernel {kernel} on this CPU and ran its own ({native})"}
    return result


def in_pyodide(chapters: list[str]) -> dict:
    import pyodide_node
    code = ("import json, claims\n"
            f"print(json.dumps({{c: claims.measure(c, cached=False) for c in {chapters!r}}}))\n")
    try:
        out = pyodide_node.run(code, [ROOT / "jacobiator", ROOT / "claims"], timeout=4 * 3600)
    except pyodide_node.PyodideUnavailable as e:
        return {"skipped": e.reason}
    except (RuntimeError, TimeoutError) as e:
        return {"failed": f"the measurement crashed in Pyodide: {str(e).strip().splitlines()[-1]}"}
    return {"core": "wasm (no OpenBLAS)", "measured": json.loads(out.strip().splitlines()[-1])}


def compare(chapters: list[str]) -> dict:
    """Per platform its measurements (or why it was skipped); per claim its values and verdicts."""
    with ThreadPoolExecutor(max_workers=2) as pool:  # two cores: two platforms at a time
        jobs = {PYODIDE: pool.submit(in_pyodide, chapters)}  # the slowest first
        jobs |= {k: pool.submit(on_kernel, k, chapters) for k in KERNELS}
        platforms = {name: jobs[name].result() for name in (*KERNELS, PYODIDE)}
    ran = {name: p for name, p in platforms.items() if "measured" in p}
    verdicts = {}
    for chapter in chapters:
        checked = {name: claims.check(chapter, p["measured"][chapter]) for name, p in ran.items()}
        for claim in claims.chapter(chapter).CLAIMS:
            per = {name: checked[name][claim.key] for name in ran}
            verdicts[f"{chapter}.{claim.key}"] = {
                "says": claim.says, "values": {name: c["values"] for name, c in per.items()},
                "holds": {name: c["holds"] for name, c in per.items()},
                "holds_everywhere": all(c["holds"] for c in per.values())}
    return {"platforms": {name: {k: v for k, v in p.items() if k != "measured"} for name, p in platforms.items()},
            "claims": verdicts}


def _short(values: dict) -> str:
    return ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items())


def table(result: dict) -> str:
    """The comparison as a Markdown table, one row per claim."""
    names = [n for n, p in result["platforms"].items() if "core" in p]
    lines = [f"- {n}: " + (f"skipped: {p['skipped']}" if "skipped" in p else f"FAILED: {p['failed']}"
                           if "failed" in p else f"ran (kernel {p['core']})") for n, p in result["platforms"].items()]
    lines += ["", "| claim | " + " | ".join(names) + " | holds on all |", "|---" * (len(names) + 2) + "|"]
    for key, c in result["claims"].items():
        cells = [("✓ " if c["holds"][n] else "✗ ") + _short(c["values"][n]) for n in names]
        lines.append(f"| {key} | " + " | ".join(cells) + f" | {'yes' if c['holds_everywhere'] else '**NO**'} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m claims.platforms", description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", default=list(claims.PAGES), help=", ".join(claims.PAGES))
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    for key in args.chapters:
        try:
            claims.chapter(key)
        except ValueError as e:
            parser.error(str(e))
    result = compare(args.chapters)
    print(json.dumps(result, indent=1, ensure_ascii=False) if args.json else table(result))
    return 0 if passed(result) else 1


def passed(result: dict) -> bool:
    """Some platform ran, none crashed, and every claim held on every one that ran."""
    ran = [p for p in result["platforms"].values() if "core" in p]
    crashed = [p for p in result["platforms"].values() if "failed" in p]
    return bool(ran) and not crashed and all(c["holds_everywhere"] for c in result["claims"].values())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
