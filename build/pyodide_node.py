"""Run Python code in Pyodide 0.27.7 under Node, from the pinned cached runtime.

The browser runs the figures in Pyodide; this runs them there without a
browser, from the pinned Pyodide files (``build/runtime.py`` stages and verifies
them; the site serves the same runtime precompiled to .pyc, which computes the
same numbers), so CPython and Pyodide results can be compared in a test::

    from pyodide_node import run
    out = run("import jacobiator; print(jacobiator.__name__)", [ROOT / "jacobiator"])

By hand: ``python build/pyodide_node.py -c "import numpy; print(numpy.__version__)"``.
"""

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # build/ is tooling, not a package
import runtime  # noqa: E402
from runtime import PYODIDE, PYODIDE_DIR, cache_dir, sha256_of  # noqa: E402

SCRIPT = Path(__file__).resolve().with_name("pyodide_node.mjs")
ROOT = SCRIPT.parent.parent
LOAD_FAILED = 69  # the exit status pyodide_node.mjs gives when Pyodide did not start


class PyodideUnavailable(runtime.Unavailable):
    """Pyodide cannot run here."""


def pyodide_dir() -> Path:
    return cache_dir() / PYODIDE_DIR


def node() -> str:
    return runtime.node(PyodideUnavailable)


def check() -> tuple[str, Path]:
    """Node and the staged Pyodide folder, or ``PyodideUnavailable`` saying what is missing."""
    return node(), _check_runtime()


def _check_runtime() -> Path:
    # The same pins as the site's: a missing numpy wheel would make Pyodide
    # try its CDN, and a test against other files would prove nothing.
    for pin in PYODIDE:
        path = cache_dir() / pin.path
        if not path.is_file():
            raise PyodideUnavailable(f"the Pyodide runtime is not staged in {cache_dir()} "
                                     f"(missing {pin.path}): run `make runtime` first")
        if sha256_of(path) != pin.sha256:
            raise PyodideUnavailable(f"{path} does not match its pinned sha256: run `make runtime` to restage it")
    return pyodide_dir()


def run(code: str, packages: Sequence[Path] = (), timeout: float = 600.0, stdlib: Path | None = None,
        numpy: Path | None = None, env: dict[str, str] | None = None) -> str:
    """The stdout of ``code`` run as ``__main__`` in a fresh Pyodide with numpy.

    Each folder in ``packages`` (a Python package's source, like ``jacobiator/``)
    is copied in and importable. ``stdlib``: a stdlib zip to use instead of
    Pyodide's own (the site's lean one, runtime.STDLIB_KEEP); ``numpy``: a numpy wheel to
    install instead of the lock's (the site's, runtime.NUMPY_DROP); ``env``: Python's environment
    variables (runtime.PYTHON_ENV with those two). The program's stderr is passed on to ours.
    Raises ``PyodideUnavailable`` when Pyodide cannot start, ``RuntimeError``
    with the Python traceback when the program fails, ``TimeoutError`` after
    ``timeout`` seconds.
    """
    sources = [Path(p).resolve() for p in packages]
    for folder in sources:
        if not folder.is_dir():
            raise FileNotFoundError(f"no package source folder {folder}")
    node_path, folder = check()
    command = [node_path, str(SCRIPT), str(folder), *map(str, sources)]
    try:
        env = (os.environ | ({"JACOBIATOR_STDLIB": str(stdlib)} if stdlib else {})
               | ({"JACOBIATOR_NUMPY": str(Path(numpy).resolve())} if numpy else {})
               | ({"JACOBIATOR_PYTHON_ENV": json.dumps(env)} if env else {}))
        done = subprocess.run(command, input=code.encode(), capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"the program did not finish in Pyodide within {timeout:g} s") from None
    stdout, stderr = done.stdout.decode(), done.stderr.decode()
    if done.returncode == LOAD_FAILED:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else "no message"
        raise PyodideUnavailable(f"{last} (run `make runtime` to restage it)")
    if done.returncode != 0:
        raise RuntimeError(f"the program failed in Pyodide (exit status {done.returncode}):\n{stderr}")
    if stderr:
        sys.stderr.write(stderr)
    return stdout


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Python in Pyodide 0.27.7 under Node.")
    parser.add_argument("-c", dest="code", help="the program (default: read from stdin)")
    parser.add_argument("-p", "--package", action="append", type=Path,
                        help="a package source folder to make importable (default: jacobiator/); repeatable")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    code = sys.stdin.read() if args.code is None else args.code
    try:
        sys.stdout.write(run(code, args.package or [ROOT / "jacobiator"], args.timeout))
    except PyodideUnavailable as e:
        print(f"error: {e.reason}", file=sys.stderr)
        return 2
    except (RuntimeError, TimeoutError) as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
