# Two commands for a newcomer: `make serve` and `make test`. Each does its own
# set-up: the virtual environment, the project, the pinned browser runtime.
PYTHON ?= python3
# Material 9.8 prints an end-of-life notice at every build; it is known (see DESIGN.md).
export NO_MKDOCS_2_WARNING := 1
VENV := .venv
BIN := $(VENV)/bin
SITE_STAMP := $(VENV)/.site-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: serve build test bench runtime browser clean

serve: runtime
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: runtime
	$(BIN)/mkdocs build --strict --site-dir site

test: runtime $(TEST_STAMP) browser
	$(BIN)/python -m pytest

bench: runtime $(TEST_STAMP) browser
	$(BIN)/python bench/bench.py

# Pyodide, numpy for it, Plotly.js and KaTeX: pinned, verified, cached in ~/.cache/jacobiator.
runtime: $(SITE_STAMP)
	$(BIN)/python build/runtime.py

browser:
	@bash build/ensure-test-tools.sh

$(SITE_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[site]'
	touch $@

$(TEST_STAMP): $(SITE_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[site,test]'
	touch $@

clean:
	rm -rf site .cache $(VENV)
