# The book's two commands:  `make book` (HTML into _build/html)  and  `make test` (everything).
# Each creates or refreshes .venv from requirements.lock first; nothing else needs installing by hand.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book book-instructor editions test pdf venv execute lock chromium a11y clean bench

# --- environment -------------------------------------------------------------------------------
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

venv: $(STAMP)

# --- the book ----------------------------------------------------------------------------------
# The book shows the notebooks' committed outputs (execute_notebooks: off); `make test` proves they are
# what a fresh run gives on any CPU, and `make execute` refreshes them. -W turns every warning into an error.
# Two editions. The public book (`make book`, _build/html) is built with sphinx-exercise's hide_solutions on
# (_config.yml): a solution is not in its pages at all, and the notebooks it offers for download (.ipynb, .md)
# have their solution blocks cut out too. The instructor edition (`make book-instructor`, _build/instructor/html)
# is the same book with every solution printed, open, under its exercise (other dropdowns stay folded) and the
# Sphinx tag `instructor` set (for `{only} instructor` notes).
# tests/test_editions.py checks both.
PUBLIC_BUILD = rm -rf _build/html _build/.doctrees _build/jupyter_execute && \
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going && \
	$(BIN)/python tests/test_editions.py --strip-sources _build/html
INSTRUCTOR_BUILD = rm -rf _build/instructor && $(BIN)/python -c 'import os, sys; \
	from jupyter_book.sphinx import build_sphinx; \
	sys.exit(build_sphinx(os.getcwd(), "_build/instructor/html", noconfig=True, path_config="_config.yml", \
	  confoverrides={"external_toc_path": os.path.abspath("_toc.yml"), "latex_individualpages": False, \
	                 "nitpicky": True, "hide_solutions": False, \
	                 "togglebutton_selector": ".toggle, .admonition.dropdown:not(.solution)"}, \
	  tags=["instructor"], warningiserror=True, keep_going=True))'

book: $(STAMP)
	$(BIN)/python -m waferscale.book.charts bundle _static
	$(PUBLIC_BUILD)

book-instructor: $(STAMP)
	$(BIN)/python -m waferscale.book.charts bundle _static
	$(INSTRUCTOR_BUILD)

# Both editions at once, one per core (what `make test` uses); the instructor build's log is printed after the
# public one's, so the two do not interleave.
editions: $(STAMP)
	$(BIN)/python -m waferscale.book.charts bundle _static
	mkdir -p _build
	( $(INSTRUCTOR_BUILD) ) > _build/instructor.log 2>&1 & pid=$$!; \
	  public=0; ( $(PUBLIC_BUILD) ) || public=$$?; \
	  instructor=0; wait $$pid || instructor=$$?; \
	  echo "--- instructor edition (_build/instructor/html)"; cat _build/instructor.log; \
	  test $$public = 0 && test $$instructor = 0

# --- the printable edition ----------------------------------------------------------------------
# One PDF of the whole book, offline: Chromium prints every TOC page (charts drawn as SVG by the
# shipped Vega bundle, the theme's print style sheet), pypdf merges them with a bookmark per chapter.
pdf: book chromium
	$(BIN)/python tests/print_book.py --out _build/pdf/book.pdf

# --- the tests ---------------------------------------------------------------------------------
# Unit, property and docstring-example tests of lib/, strict nbval over every notebook, the build with -W,
# the headless-Chromium audit of the built pages (offline, sliders, axe-core, links, screenshots; reports
# in _build/reports/), the printable edition (tests/test_pdf.py prints _build/pdf/book.pdf as `make pdf` does) and
# the two editions (tests/test_editions.py: public pages without solutions, instructor pages with every one).
# Every notebook runs twice: strict nbval with this machine's numpy, and tests/test_notebooks.py byte for byte
# with numpy's SIMD dispatch limited to the baseline (a stand-in for another CPU). Two workers, one per core;
# each test file (so each notebook's cells) stays on one worker.
test: editions chromium a11y
	$(BIN)/python -m pytest -n 2 --dist loadfile tests chapters lib/waferscale --nbval --doctest-modules -p no:cacheprovider

# axe-core for the accessibility check, from the npm registry, pinned with its integrity hash.
a11y: tests/a11y/node_modules/axe-core/axe.min.js
tests/a11y/node_modules/axe-core/axe.min.js: tests/a11y/package-lock.json
	@command -v npm >/dev/null || { \
	  echo "installing Debian's npm for the accessibility check"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; }
	npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error
	@touch $@

chromium:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser check"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# --- developer helpers (not needed to build or test) ------------------------------------------
# Re-execute every notebook in place, the same way the determinism test does.
execute: $(STAMP)
	$(BIN)/python tests/notebook_exec.py chapters/*.ipynb

# Re-pin requirements.lock (needs the network to PyPI) and regenerate environment.yml from it.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra book --extra test --generate-hashes \
	  --python-version 3.11 --python-platform x86_64-manylinux_2_28 --no-header -o requirements.lock
	$(PYTHON) tests/env_lock.py --write

bench: $(STAMP)
	$(BIN)/python benchmarks/build_times.py

clean:
	rm -rf _build _static/vega-bundle.js
