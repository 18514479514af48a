# Two commands for a newcomer: `make serve` and `make test`. Each does its own
# set-up: the virtual environment, the project, the pinned browser runtime.
PYTHON ?= python3
# Material 9.8 prints an end-of-life notice at every build: known, and the site can move to
# Zensical (the figures are a Markdown extension, the runtime a build step).
export NO_MKDOCS_2_WARNING := 1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every Python package, pinned with its hashes: the site's and the tests' alike,
# so `make serve` gets what CI tests. pyproject.toml keeps the ranges.
LOCK := requirements.lock
UV_VERSION := 0.13.8
UV_VENV := .cache/uv-$(UV_VERSION)
LOCK_PYTHON = $(shell $(PYTHON) -c 'import platform; print(platform.python_version())')

.PHONY: serve build test bench claims runtime browser lock clean

serve: runtime
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: runtime
	$(BIN)/mkdocs build --strict --site-dir site

# The test tools first: Node also compiles the runtime.
test: browser runtime
	$(BIN)/python -m pytest

bench: browser runtime
	$(BIN)/python bench/bench.py

# Every claim of the article measured afresh under three OpenBLAS kernels and in
# Pyodide under Node (claims/platforms.py); not part of `make test`: it takes tens
# of minutes on two cores, Pyodide most of them.
claims: browser runtime
	$(BIN)/python -m claims.platforms

# Pyodide, numpy for it, Plotly.js and KaTeX: pinned, verified, cached in ~/.cache/jacobiator.
runtime: $(STAMP)
	$(BIN)/python build/runtime.py

browser:
	@bash build/ensure-test-tools.sh

# The lock (pip included), then the project itself: editable, no dependencies,
# built by the locked hatchling instead of one fetched for the build.
$(STAMP): $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Re-resolve the lock for $(PYTHON) after editing pyproject.toml's dependencies;
# `make lock UPGRADE=1` also moves every pin to its newest allowed release.
# uv lives in a venv of its own, so .venv holds exactly the lock.
lock:
	test -x $(UV_VENV)/bin/uv || { $(PYTHON) -m venv $(UV_VENV) && $(UV_VENV)/bin/python -m pip install --quiet uv==$(UV_VERSION); }
	$(UV_VENV)/bin/uv pip compile pyproject.toml --extra site --extra test --generate-hashes --python $(PYTHON) \
	  --custom-compile-command 'make lock  (for Python $(LOCK_PYTHON) on $(shell uname -sm), by uv $(UV_VERSION))' \
	  --quiet $(if $(UPGRADE),--upgrade) --output-file $(LOCK)

clean:
	rm -rf site .cache $(VENV)
