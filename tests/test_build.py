"""The site build: the strict build, its figure blocks, the wheel and the pinned runtime."""

import hashlib
import json
import posixpath
import re
import shutil
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from jacobiator.figures import FIGURES
from jacobiator.figures.plot import page_roles

from harness import ROOT, build_site, write_config

sys.path.insert(0, str(ROOT / "build"))  # build/ is tooling, never a package named `build`
import jacobiator_fence  # noqa: E402
import runtime  # noqa: E402
from wheel import build_wheel  # noqa: E402


class Tags(HTMLParser):
    """The script and link tags of a page, and the text of each jb-spec template inside a .jb-widget."""

    def __init__(self, text: str):
        super().__init__()
        self.scripts, self.links, self.widget_specs = [], [], []
        self._in_widget = self._in_spec = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "script":
            self.scripts.append(attrs)
        elif tag == "template":
            self._in_spec = self._in_widget and "jb-spec" in classes
            if self._in_spec:
                self.widget_specs.append("")
        elif tag == "link":
            self.links.append(attrs)
        elif "jb-widget" in classes:
            self._in_widget = True

    def handle_endtag(self, tag):
        if tag == "template":
            self._in_spec = False
        elif tag == "figure":
            self._in_widget = False

    def handle_data(self, data):
        if self._in_spec:
            self.widget_specs[-1] += data


# The real site, built once ------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    done = build_site(site)
    assert done.returncode == 0, done.stdout + done.stderr
    return site


def test_page_embeds_figure_specs(site):
    specs = Tags((site / "gradient-fields" / "index.html").read_text()).widget_specs
    assert specs, "no <template class=jb-spec> inside a .jb-widget"
    for text in specs:
        spec = json.loads(text)
        assert {"figure", "schema", "params", "static"} <= set(spec)
        assert spec["figure"] in FIGURES
        assert spec["static"]["data"]
        assert spec["roles"] == page_roles()  # the page draws and themes traces by their declared roles


def test_site_serves_the_pinned_runtime_and_the_wheel(site):
    served = site / "runtime"
    settings = json.loads((served / "runtime.json").read_text())
    for path in ["pyodide.mjs", "pyodide.asm.wasm", runtime.NUMPY_WHEEL]:
        assert (served / settings["indexURL"] / path).is_file(), path
    assert list((served / "jacobiator").rglob("jacobiator-*.whl"))
    assert (served / settings["wheel"]).is_file()


def test_the_site_serves_plotly_minified_again_and_pinned(site):
    pages = [Tags(page.read_text()).scripts for page in site.rglob("*.html")]
    plotly = {t.get("src").split("runtime/")[-1] for scripts in pages for t in scripts if "plotly" in (t.get("src") or "")}
    assert plotly == {runtime.PLOTLY_MINIFIED.path}
    assert sha256(site / "runtime" / runtime.PLOTLY_MINIFIED.path) == runtime.PLOTLY_MINIFIED.sha256
    assert not (site / "runtime" / runtime.PLOTLY_SHIPPED.path).exists()
    assert not list((site / "runtime").rglob("esbuild*"))  # a build tool, not served


UMD = """/**
* plotly.js (tiny) v0
*/
(
 function(root, factory) {
  if (typeof module === "object" && module.exports) {
   module.exports = factory();
  } else {
   root.moduleName = factory();
  }
} (typeof self !== "undefined" ? self : this, () => {
"use strict";
var Plotly = { version: "0" };
window.Plotly = Plotly;
return Plotly;
}));
"""


def test_plotly_is_unwrapped_to_its_header_and_the_code_that_sets_window_plotly():
    header, code = runtime.unwrapped(UMD)
    assert header == "/**\n* plotly.js (tiny) v0\n*/\n"
    assert code == '"use strict";\nvar Plotly = { version: "0" };\nwindow.Plotly = Plotly;\n'
    for changed in (UMD.replace("root, factory", "global, make"), UMD.replace("return Plotly;", "return P;"),
                    UMD.replace("window.Plotly = Plotly;", "")):
        with pytest.raises(runtime.StagingError, match="not wrapped as build/runtime.py expects"):
            runtime.unwrapped(changed)


def test_the_site_serves_pyodide_precompiled_with_jacobiator_in_its_lock(site):
    served = site / "runtime"
    settings = json.loads((served / "runtime.json").read_text())
    assert settings["precompiled"] and settings["indexURL"] == runtime.PYC_DIR
    assert settings["env"] == runtime.PYTHON_ENV  # the compiled runtime runs at -OO
    pyodide = served / settings["indexURL"]
    for pin in runtime.COMPILED:
        assert sha256(served / pin.path) == pin.sha256, pin.path
    for archive in (pyodide / "python_stdlib.zip", pyodide / runtime.NUMPY_WHEEL, served / settings["wheel"]):
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            assert not [n for n in names if n.endswith(".py")], archive.name
            # Python 3.12's bytecode (magic number 3531), which Pyodide 0.27.7 loads.
            assert {zf.read(n)[:4] for n in names if n.endswith(".pyc")} == {b"\xcb\r\r\n"}, archive.name
    assert "jacobiator/figures/gradient_field.pyc" in zipfile.ZipFile(served / settings["wheel"]).namelist()

    lock_bytes = (served / settings["lockFile"].split("?")[0]).read_bytes()
    assert settings["integrity"]["pyodide-lock.json"] == runtime.sri(hashlib.sha256(lock_bytes).hexdigest())
    lock = json.loads(lock_bytes)
    assert lock["info"]["version"] == runtime.PYODIDE_VERSION  # Pyodide refuses a lock without it
    assert settings["packages"] == ["numpy", "jacobiator"] and settings["wheels"] == {}
    for name in settings["packages"]:
        entry = lock["packages"][name]
        assert sha256(pyodide / entry["file_name"]) == entry["sha256"], name  # what Pyodide checks
    entry = lock["packages"]["jacobiator"]
    assert (pyodide / entry["file_name"]).resolve() == (served / settings["wheel"]).resolve()
    assert entry["file_name"].endswith("-cp312-none-any.whl") and entry["depends"] == ["numpy"]


def test_no_page_loads_a_script_or_stylesheet_from_another_host(site):
    offsite = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
    pages = list(site.rglob("*.html"))
    assert pages
    for page in pages:
        tags = Tags(page.read_text())
        # rel=canonical names the site's address; a browser never loads it.
        loaded = [t for t in tags.links if t.get("rel") != "canonical"]
        urls = [t.get("src") or "" for t in tags.scripts] + [t.get("href") or "" for t in loaded]
        assert not [u for u in urls if offsite.match(u)], page


def test_every_page_runs_boot_js_before_plotly(site):
    # Module and deferred scripts run in document order: boot.js starts the worker first.
    for page in site.rglob("*.html"):
        srcs = [t.get("src") or "" for t in Tags(page.read_text()).scripts]
        boot = [k for k, src in enumerate(srcs) if src.endswith("javascripts/boot.js")]
        plotly = [k for k, src in enumerate(srcs) if "plotly" in src]
        assert len(boot) == 1 and len(plotly) == 1 and boot[0] < plotly[0], (page, srcs)
        assert Tags(page.read_text()).scripts[boot[0]].get("type") == "module"


def test_the_first_figures_are_drawn_before_katex_sets_the_formulas(site):
    for page in site.rglob("*.html"):
        srcs = [t.get("src") or "" for t in Tags(page.read_text()).scripts]
        widgets = next(k for k, src in enumerate(srcs) if src.endswith("javascripts/jacobiator.js"))
        katex = next(k for k, src in enumerate(srcs) if src.endswith("katex.min.js"))
        assert widgets < katex, (page, srcs)


def test_every_module_the_widgets_import_is_preloaded_from_the_head(site):
    # Otherwise the browser finds an import only once the main thread has parsed the module importing it.
    js = site / "javascripts"
    imported = {m for f in js.glob("*.js") for m in re.findall(r'from "\./([^"]+)"|^import "\./([^"]+)"', f.read_text(), re.M)}
    imported = {a or b for a, b in imported}
    assert {"widget.js", "typed.js", "narrow.js", "runtime-client.js"} <= imported
    # (The 404 page, which MkDocs renders from a template without a page, shows no figure.)
    for page in set(site.rglob("*.html")) - {site / "404.html"}:
        head = page.read_text().split("</head>")[0]
        preloaded = {posixpath.normpath(posixpath.join(posixpath.dirname(str(page.relative_to(site))), href))
                     for href in re.findall(r'<link rel="modulepreload" href="([^"]+)">', head)}
        assert preloaded == {f"javascripts/{name}" for name in imported}, page
        assert all((site / path).is_file() for path in preloaded)


def test_search_indexes_captions_but_not_the_figures_data_or_controls(site):
    docs = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    text = " ".join(doc["text"] for doc in docs)
    assert '"layout"' not in text  # the spec's JSON
    assert "Static figure, drawn when the page was built" not in text  # the status line
    assert "arrows per side" not in text and "motion speed" not in text  # the gradient field's controls
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", (site / "gradient-fields" / "index.html").read_text(), re.S)
    assert captions and all(re.sub(r"<[^>]+>", "", c).strip()[:40] in text for c in captions)


# A copy of the docs with one more page, to see the strict build fail ------

HEAD = ["# Broken page", "", "Some text.", ""]
GOOD_BLOCK = "figure: gradient_field\ngrid: 9"


def fence(block: str) -> list[str]:
    return ["```figure", *block.splitlines(), "```"]


def build_copy(tmp_path: Path, lines: list[str]):
    """Build a copy of the docs plus broken.md made of ``lines``."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    (docs / "broken.md").write_text("\n".join(lines) + "\n")
    done = build_site(tmp_path / "site", write_config(tmp_path / "mkdocs.yml", docs_dir=docs))
    return done.returncode, done.stdout + done.stderr


def assert_fails_at(returncode: int, output: str, fence_line: int, message: str):
    """The strict build failed, naming broken.md and the block's fence line or its first line."""
    assert returncode != 0, output
    located = re.findall(rf"broken\.md:(\d+): .*{message}", output)
    assert located, output
    assert {int(line) for line in located} <= {fence_line, fence_line + 1}, output


def test_copied_docs_with_a_good_extra_page_build(tmp_path):
    returncode, output = build_copy(tmp_path, HEAD + fence(GOOD_BLOCK))
    assert returncode == 0, output


@pytest.mark.parametrize("block, message", [
    ("figure: no_such_figure", "no_such_figure"),
    ("figure: gradient_field\nno_such_param: 3", "no_such_param"),
    ("figure: gradient_field\ngrid: 999", "grid must be between"),
])
def test_a_bad_block_fails_the_strict_build_naming_page_and_line(tmp_path, block, message):
    assert_fails_at(*build_copy(tmp_path, HEAD + fence(block)), fence_line=len(HEAD) + 1, message=message)


def test_a_bad_block_is_located_even_after_a_good_one_that_starts_alike(tmp_path):
    before = HEAD + fence(GOOD_BLOCK) + [""]
    lines = before + fence("figure: gradient_field\ngrid: 999")
    assert_fails_at(*build_copy(tmp_path, lines), fence_line=len(before) + 1, message="grid must be between")


# The fence's JSON ---------------------------------------------------------


def test_script_json_cannot_close_the_script():
    value = {"a": "</script><script>alert(1)</script>", "b": ["<!--", "&amp;", "\u2028"]}
    text = jacobiator_fence.script_json(value)
    assert "<" not in text and ">" not in text
    assert json.loads(text) == value


# The jacobiator wheel -----------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_wheel_is_reproducible_and_holds_the_working_tree(tmp_path):
    first = sha256(build_wheel(tmp_path))
    wheel = build_wheel(tmp_path)
    assert sha256(wheel) == first
    assert [p.name for p in tmp_path.iterdir()] == [wheel.name]

    member = "jacobiator/figures/gradient_field.py"
    with zipfile.ZipFile(wheel) as whl:
        assert whl.read(member) == (ROOT / member).read_bytes()


# The pinned runtime -------------------------------------------------------


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("JACOBIATOR_CACHE", str(cache))
    return cache


def local_file(path: Path, data: bytes) -> runtime.Url:
    path.write_bytes(data)
    return runtime.Url(path.as_uri())


DATA = b"pinned bytes\n"
DATA_SHA256 = hashlib.sha256(DATA).hexdigest()


def test_a_verified_file_is_staged_and_cached(tmp_path, cache):
    source = tmp_path / "source.bin"
    pin = runtime.Pin("some/dir/file.bin", DATA_SHA256, (local_file(source, DATA),))
    staged = runtime.stage(pin)
    assert staged == cache / "some/dir/file.bin"
    assert staged.read_bytes() == DATA

    source.unlink()  # no source left: only the cache can answer
    assert runtime.stage(pin).read_bytes() == DATA


def test_wrong_bytes_from_every_source_is_a_staging_error(tmp_path, cache):
    sources = (local_file(tmp_path / "a.bin", b"tampered"), local_file(tmp_path / "b.bin", DATA + b"!"),
               runtime.Url((tmp_path / "missing.bin").as_uri()))
    pin = runtime.Pin("some/file.bin", DATA_SHA256, sources)
    with pytest.raises(runtime.StagingError) as e:
        runtime.stage(pin)
    assert "some/file.bin" in str(e.value)
    assert DATA_SHA256 in str(e.value)
    assert not (cache / "some/file.bin").exists()


def test_a_corrupted_cached_file_is_fetched_again(tmp_path, cache):
    pin = runtime.Pin("file.bin", DATA_SHA256, (local_file(tmp_path / "source.bin", DATA),))
    staged = runtime.stage(pin)
    staged.write_bytes(b"corrupted")
    assert runtime.stage(pin).read_bytes() == DATA
    assert staged.read_bytes() == DATA


# The compiled runtime ----------------------------------------------------


@pytest.fixture
def own_cache(tmp_path, monkeypatch) -> Path:
    """A cache of its own, holding the verified runtime files as downloaded (none compiled)."""
    cache = tmp_path / "cache"
    for pin in runtime.PYODIDE + runtime.PLOTLY + runtime.KATEX:
        (cache / pin.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(runtime.stage(pin), cache / pin.path)
    monkeypatch.setenv("JACOBIATOR_CACHE", str(cache))
    return cache


def tiny_archive(tmp_path: Path) -> runtime.Pin:
    path = tmp_path / "tiny.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("tiny/__init__.py", (2020, 2, 2, 0, 0, 0)), "WORDS = {'a', 'b', 'c'}\n")
        zf.writestr(zipfile.ZipInfo("tiny/__init__.pyc", (2020, 2, 2, 0, 0, 0)), b"stale bytecode")
        zf.writestr(zipfile.ZipInfo("tiny/words.txt", (2020, 2, 2, 0, 0, 0)), "a b c\n")
    return runtime.Pin("tiny.zip", sha256(path), (runtime.Url(path.as_uri()),))


def test_a_compiled_file_that_fails_its_pin_stops_the_build_naming_it_and_both_hashes(tmp_path, own_cache):
    wrong = runtime.Compiled(runtime.PYC_DIR + "tiny.zip", "0" * 64, tiny_archive(tmp_path))
    with pytest.raises(runtime.StagingError) as e:
        runtime.compile_pins([wrong])
    message = str(e.value)
    assert wrong.path in message and wrong.sha256 in message
    got = re.search(r"has sha256 ([0-9a-f]{64})", message).group(1)
    assert not list((own_cache / runtime.PYC_DIR).iterdir())  # nothing kept

    # Compiled again, it gives the same bytes: pinned to them, it is staged.
    right = runtime.Compiled(wrong.path, got, wrong.source)
    staged = runtime.compile_pins([right])[right.path]
    assert sha256(staged) == got
    with zipfile.ZipFile(staged) as zf:
        assert zf.namelist() == ["tiny/__init__.pyc", "tiny/words.txt"]  # the stale .pyc dropped
        assert zf.read("tiny/__init__.pyc")[:4] == b"\xcb\r\r\n"  # Python 3.12's magic number


def test_a_lean_archive_keeps_only_the_named_modules_and_packages(tmp_path, own_cache):
    path = tmp_path / "stdlib.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("json/__init__.py", "json/decoder.py", "os.py", "osx.py", "unittest/__init__.py", "jsonx.py"):
            zf.writestr(zipfile.ZipInfo(name, (2020, 2, 2, 0, 0, 0)), "X = 1\n")
    source = runtime.Pin("stdlib.zip", sha256(path), (runtime.Url(path.as_uri()),))
    lean = runtime.Compiled(runtime.PYC_DIR + "stdlib.zip", "0" * 64, source, keep=("json", "os"))
    with pytest.raises(runtime.StagingError) as e:  # unpinned: learn its sha256, as a maintainer does
        runtime.compile_pins([lean])
    got = re.search(r"has sha256 ([0-9a-f]{64})", str(e.value)).group(1)
    staged = runtime.compile_pins([runtime.Compiled(lean.path, got, source, keep=lean.keep)])[lean.path]
    assert zipfile.ZipFile(staged).namelist() == ["json/__init__.pyc", "json/decoder.pyc", "os.pyc"]
    # A package named by its modules' paths keeps those modules only.
    only = ("unittest/__init__", "os")
    with pytest.raises(runtime.StagingError) as e:
        runtime.compile_pins([runtime.Compiled(lean.path + "2", "0" * 64, source, keep=only)])
    got = re.search(r"has sha256 ([0-9a-f]{64})", str(e.value)).group(1)
    staged = runtime.compile_pins([runtime.Compiled(lean.path + "2", got, source, keep=only)])[lean.path + "2"]
    assert zipfile.ZipFile(staged).namelist() == ["os.pyc", "unittest/__init__.pyc"]


def test_an_archive_leaves_out_the_members_dropped(tmp_path, own_cache):
    path = tmp_path / "pkg.whl"
    names = ("pkg/__init__.py", "pkg/fft/__init__.py", "pkg/fft/_pocket.so", "pkg/core/api.h", "pkg/core/x.pyi",
             "pkg/core/_multiarray_tests.so", "pkg/core/_umath_tests.so", "pkg/fftx.py")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            zf.writestr(zipfile.ZipInfo(name, (2020, 2, 2, 0, 0, 0)), "X = 1\n")
    source = runtime.Pin("pkg.whl", sha256(path), (runtime.Url(path.as_uri()),))
    drop = ("pkg/fft/*", "*.h", "*.pyi", "pkg/core/_umath_tests.*")
    lean = runtime.Compiled(runtime.PYC_DIR + "pkg.whl", "0" * 64, source, drop=drop)
    with pytest.raises(runtime.StagingError) as e:
        runtime.compile_pins([lean])
    got = re.search(r"has sha256 ([0-9a-f]{64})", str(e.value)).group(1)
    staged = runtime.compile_pins([runtime.Compiled(lean.path, got, source, drop=drop)])[lean.path]
    assert zipfile.ZipFile(staged).namelist() == ["pkg/__init__.pyc", "pkg/core/_multiarray_tests.so", "pkg/fftx.pyc"]


def test_the_site_serves_numpy_without_the_parts_dropped(site):
    with zipfile.ZipFile(site / "runtime" / runtime.PYC_DIR / runtime.NUMPY_WHEEL) as zf:
        served = set(zf.namelist())
    assert not any(name.startswith(("numpy/fft/", "numpy/f2py/", "numpy/testing/")) or name.endswith((".h", ".pyi"))
                   for name in served)
    # What numpy imports as it starts, and what the core uses, stay.
    assert {"numpy/__init__.pyc", "numpy/linalg/_linalg.pyc", "numpy/random/_generator.cpython-312-wasm32-emscripten.so",
            "numpy/_core/_multiarray_tests.cpython-312-wasm32-emscripten.so", "numpy/polynomial/chebyshev.pyc"} <= served


def test_the_site_serves_the_lean_stdlib_holding_the_modules_used(site):
    pyodide = site / "runtime" / runtime.PYC_DIR
    with zipfile.ZipFile(pyodide / "python_stdlib.zip") as zf:
        served = {name.split("/")[0].removesuffix(".pyc") for name in zf.namelist()}
    with zipfile.ZipFile(runtime.stage(runtime.original("python_stdlib.zip"))) as zf:
        full = {name.split("/")[0].removesuffix(".py") for name in zf.namelist()}
    assert served == {name.split("/")[0] for name in runtime.STDLIB_KEEP} & full
    assert {"json", "encodings", "pyodide", "_pyodide"} <= served and "unittest" not in served
    with zipfile.ZipFile(pyodide / "python_stdlib.zip") as zf:
        codecs = {name.removesuffix(".pyc") for name in zf.namelist() if name.startswith("encodings/")}
    assert codecs == {name for name in runtime.STDLIB_KEEP if name.startswith("encodings/")}  # not cp1252, say


def test_without_node_the_runtime_is_served_as_py_and_the_build_says_so_in_one_line(tmp_path, own_cache, monkeypatch):
    monkeypatch.setenv("JACOBIATOR_NODE", str(tmp_path / "no-node-here"))
    site = tmp_path / "site"
    done = build_site(site, write_config(tmp_path / "mkdocs.yml"))
    assert done.returncode == 0, done.stdout + done.stderr
    said = [line for line in (done.stdout + done.stderr).splitlines() if "not precompiled" in line]
    assert len(said) == 1 and "Node.js is not installed" in said[0], said
    said = [line for line in (done.stdout + done.stderr).splitlines() if "Plotly's own minified bundle" in line]
    assert len(said) == 1 and "Node.js is not installed" in said[0], said
    assert sha256(site / "runtime" / runtime.PLOTLY_SHIPPED.path) == runtime.PLOTLY_SHIPPED.sha256
    assert runtime.PLOTLY_SHIPPED.path in (site / "gradient-fields" / "index.html").read_text()
    settings = json.loads((site / "runtime" / "runtime.json").read_text())
    assert not settings["precompiled"] and settings["indexURL"] == runtime.PYODIDE_DIR and settings["env"] == {}
    pyodide = site / "runtime" / runtime.PYODIDE_DIR
    assert sha256(pyodide / runtime.NUMPY_WHEEL) == runtime.original(runtime.NUMPY_WHEEL).sha256
    entry = json.loads((pyodide / "pyodide-lock.json").read_text())["packages"]["jacobiator"]
    assert entry["file_name"].endswith("-py3-none-any.whl")
    assert sha256(pyodide / entry["file_name"]) == entry["sha256"]


def test_cdn_option_serves_no_pyodide_and_points_at_the_pinned_cdn(tmp_path):
    site = tmp_path / "site"
    done = build_site(site, write_config(tmp_path / "mkdocs.yml", runtime="cdn"))
    assert done.returncode == 0, done.stdout + done.stderr
    settings = json.loads((site / "runtime" / "runtime.json").read_text())
    assert settings["indexURL"] == f"https://cdn.jsdelivr.net/pyodide/v{runtime.PYODIDE_VERSION}/full/"
    assert settings["lockFile"] == settings["indexURL"] + "pyodide-lock.json"
    assert settings["integrity"] == runtime.integrity()  # the pins of the files as npm ships them
    assert not (site / "runtime" / "pyodide").exists()
    # The CDN's lock does not list jacobiator: the worker fetches its wheel by URL.
    assert settings["wheels"] == {"jacobiator": settings["wheel"]}
    assert (site / "runtime" / settings["wheel"]).is_file()


def test_controls_option_shows_only_the_named_controls(tmp_path):
    returncode, output = build_copy(tmp_path, HEAD + fence("figure: gradient_field\ncontrols: grid, log"))
    assert returncode == 0, output
    page = (tmp_path / "site" / "broken" / "index.html").read_text()
    form = re.search(r'<form class="jb-controls".*?</form>', page, re.S).group(0)
    names = re.findall(r'<(?:input|select)[^>]* name="([a-z_]+)"', form)
    assert sorted(names) == ["grid", "log"]


def test_controls_option_with_an_unknown_name_fails(tmp_path):
    returncode, output = build_copy(tmp_path, HEAD + fence("figure: gradient_field\ncontrols: grid, colour"))
    assert_fails_at(returncode, output, len(HEAD) + 1, "colour")


def test_the_package_builds_an_sdist_and_a_wheel_with_complete_metadata(tmp_path):
    import subprocess
    import tarfile

    script = ("import sys, hatchling.build as b; d = sys.argv[1]; "
              "print(b.build_sdist(d)); print(b.build_wheel(d))")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    sdist, wheel = (tmp_path / name for name in done.stdout.split())
    with zipfile.ZipFile(wheel) as whl:
        names = whl.namelist()
        metadata = whl.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert not [n for n in names if not n.startswith(("jacobiator/", "jacobiator-"))]  # no build/, docs/, tests/
    for field in ("Name: jacobiator", "Version: ", "Summary: ", "Requires-Python: >=3.11",
                  "Requires-Dist: numpy", "License-Expression: MIT", "Description-Content-Type: text/markdown"):
        assert field in metadata, field
    with tarfile.open(sdist) as tar:
        members = tar.getnames()
    assert any(m.endswith("/pyproject.toml") for m in members)
    assert any(m.endswith("/jacobiator/figures/gradient_field.py") for m in members)


def test_the_lock_pins_every_declared_requirement_with_hashes():
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in project["dependencies"] + sum(project["optional-dependencies"].values(), [])]
    lock = (ROOT / "requirements.lock").read_text()
    pins = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\\n\s+--hash=sha256:[0-9a-f]{64}", lock, re.M))
    assert len(pins) == len(re.findall(r"^\S+==", lock, re.M))  # every pin carries hashes
    for req in declared:
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, f"{req} is not in requirements.lock: run make lock"
        assert req.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} breaks {req}: run make lock"


@pytest.mark.parametrize("placeholder, message", [
    ("{{ destroy.no_such_measurement | pct }}", "no measurement at no_such_measurement"),
    ("{{ no_such_chapter.x | pct }}", "unknown chapter 'no_such_chapter'"),
    ("{{ destroy.best_cut | no_such_format }}", "unknown format 'no_such_format'"),
])
def test_a_bad_claim_number_fails_the_strict_build_naming_page_and_line(tmp_path, placeholder, message):
    lines = HEAD + [f"The cut gets {placeholder} of the points."]
    assert_fails_at(*build_copy(tmp_path, lines), fence_line=len(HEAD) + 1, message=re.escape(message))


@pytest.mark.parametrize("link, message", [
    ("#preset:no_such_figure?grid=5", "no figure 'no_such_figure' on this page"),
    ("#preset:gradient_field?grid=999", "grid must be between"),
])
def test_a_bad_preset_link_fails_the_strict_build_naming_page_and_line(tmp_path, link, message):
    before = HEAD + fence(GOOD_BLOCK) + [""]
    lines = before + [f"Look at [the coarse field]({link})."]
    assert_fails_at(*build_copy(tmp_path, lines), fence_line=len(before) + 1, message=re.escape(message))
