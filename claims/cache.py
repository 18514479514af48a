"""A disk cache of the chapters' measurements, shared by the build and the tests.

The key is a hash of the code that measures (the modules of ``jacobiator/`` that the
chapter's module of ``claims/`` imports, that module and the ones it shares) and
of the floating-point platform that ran it (numpy's version, the CPU architecture,
the OpenBLAS kernel asked for), so a cached number is always this code's number on
this platform. Entries live in ``.cache/claims`` (git-ignored);
``JACOBIATOR_CLAIMS_CACHE=0`` turns it off.
"""

import ast
import functools
import hashlib
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / ".cache" / "claims"


@functools.cache
def environment() -> dict:
    """What, besides the code, decides the last bits of a computation: numpy and the BLAS it was
    built with, the OpenBLAS kernel asked for, the Python and the machine. Read once per process."""
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})  # numpy's build record
    return {"numpy": np.__version__, "blas": f"{blas.get('name')} {blas.get('version')}",
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "system": sys.platform, "machine": platform.machine()}


def sources(key: str) -> list[Path]:
    """The code a chapter's measurements depend on: the modules of ``jacobiator`` that its
    claims module imports, directly or through each other, the claims' shared modules and
    the chapter's own (an edit of a figure the chapter does not import, or of another
    chapter's claims, measures nothing again)."""
    shared = [ROOT / "claims" / name for name in ("__init__.py", "stats.py", "cache.py", f"{key}.py")]
    return sorted(_imported_core(shared[-1])) + shared


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path
    return None


def _imports(path: Path, package: str) -> set[str]:
    """Every module name an import statement of ``path`` may load: ``from a import b`` loads
    ``a`` and, where ``b`` is a module, ``a.b``; relative imports resolved against ``package``."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = ".".join(parts[:len(parts) - node.level + 1] + [node.module or ""]).strip(".") \
                if node.level else node.module
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _imported_core(start: Path) -> set[Path]:
    """The files of ``jacobiator`` that importing ``start`` runs: the closure of its imports,
    with the ``__init__.py`` of every package on the way (importing a.b runs a first)."""
    found, todo = set(), [(start, "claims")]
    while todo:
        path, package = todo.pop()
        for name in _imports(path, package):
            parts = name.split(".")
            if parts[0] != "jacobiator":
                continue
            for depth in range(1, len(parts) + 1):
                prefix = ".".join(parts[:depth])
                file = _module_file(prefix)
                if file and file not in found:
                    found.add(file)
                    is_package = file.name == "__init__.py"
                    todo.append((file, prefix if is_package else prefix.rpartition(".")[0]))
    return found


def digest(key: str) -> str:
    h = hashlib.sha256(json.dumps(environment(), sort_keys=True).encode())
    for path in sources(key):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:32]


def plain(measured: dict) -> dict:
    """The measurements as a reader of the JSON gets them (keys become strings, no NaN allowed)."""
    return json.loads(json.dumps(measured, allow_nan=False))


def _enabled() -> bool:
    return os.environ.get("JACOBIATOR_CLAIMS_CACHE", "1") != "0"


def _path(key: str) -> Path:
    return CACHE_DIR / f"{key}-{digest(key)}.json"


def holds(key: str) -> bool:
    """Whether the chapter's measurements by this code on this platform are cached."""
    return _enabled() and _path(key).is_file()


def read_or_measure(key: str, measure: Callable[[], dict]) -> dict:
    if not _enabled():
        return plain(measure())
    path = _path(key)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        pass  # not measured yet, or a torn file
    measured = plain(measure())
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    # Write then rename, so two builds at once never read half a file.
    with tempfile.NamedTemporaryFile("w", dir=CACHE_DIR, delete=False, suffix=".tmp") as f:
        json.dump(measured, f, allow_nan=False, indent=1)
    os.replace(f.name, path)
    return measured
