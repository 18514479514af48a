"""Compile the .py files of a zip archive (the stdlib zip, a wheel) to .pyc, reproducibly.

This is what ``pyodide py-compile`` (pyodide-build) does to an archive: every
``.py`` member becomes a ``.pyc`` of the same name plus "c", compiled with the
member's name as its file name; ``.pyc`` already there are dropped; everything
else is copied; members keep their order. Unlike ``pyodide py-compile``, the
result depends on the input bytes only: each member keeps the time stamp and
permissions of its source, and each ``.pyc`` is hash-based (as ``py_compile``
makes them under ``SOURCE_DATE_EPOCH``), so the same archive always compiles to
the same bytes and the output can be pinned by sha256.

It runs inside the pinned Pyodide itself (Python 3.12.7, its zlib), under Node:
``build/runtime.py`` drives it through ``build/pycompile.mjs``. So the bytecode
is made by the very interpreter that loads it, identically on every machine;
compiled by another Python (even another 3.12.x) the bytes would differ.
"""

import fnmatch
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path

COMPRESSLEVEL = 6  # pyodide py-compile's default


def compile_archive(src: str, dst: str, keep: tuple[str, ...] = (), drop: tuple[str, ...] = (),
                    optimize: int = 0) -> None:
    """Write ``src`` (a .zip or .whl) to ``dst`` with its .py compiled to .pyc at ``optimize``
    (as ``python -O``: 1 drops asserts, 2 docstrings as well); with ``keep``, only the members
    under those top-level names (a module ``x.py`` or a package ``x/``) and the modules named
    by their path (``encodings/utf_8``: of that package, only the modules so named); without
    the members whose name matches a pattern of ``drop`` (fnmatch: ``*`` crosses ``/``)."""
    with (zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout,
          tempfile.TemporaryDirectory() as tmp):
        source, target = Path(tmp) / "source.py", Path(tmp) / "source.pyc"
        for info in zin.infolist():
            name = info.filename
            if name.endswith(".pyc"):
                continue  # recompiled from its .py, as pyodide py-compile does
            if keep and top_level(name) not in keep and name.removesuffix(".py") not in keep:
                continue
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in drop):
                continue
            if info.is_dir():
                folder = _like(info, name)
                folder.CRC = folder.compress_size = folder.file_size = 0  # mkdir wants them set
                zout.mkdir(folder)
                continue
            data = zin.read(info)
            if name.endswith(".py"):
                source.write_bytes(data)
                py_compile.compile(str(source), cfile=str(target), dfile=name, doraise=True, optimize=optimize,
                                   invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
                data, name = target.read_bytes(), name + "c"
            out = _like(info, name)
            out.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(out, data, compresslevel=COMPRESSLEVEL)


def top_level(name: str) -> str:
    """The module or package a member belongs to: ``json/decoder.py`` -> ``json``, ``os.py`` -> ``os``."""
    first = name.split("/")[0]
    return first.removesuffix(".py") if "/" not in name else first


def _like(info: zipfile.ZipInfo, name: str) -> zipfile.ZipInfo:
    out = zipfile.ZipInfo(name, date_time=info.date_time)
    out.external_attr = info.external_attr
    return out


def main(jobs: list[tuple[str, str, dict]], python: str) -> None:
    """Compile each ``(src, dst, options)`` (compile_archive's keyword arguments), if this is
    Python ``python`` ("3.12"): bytecode loads only in the Python version that made it."""
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if here != python:
        raise RuntimeError(f"this is Python {here}: the .pyc would not load in Python {python}")
    for src, dst, options in jobs:
        compile_archive(src, dst, **options)
