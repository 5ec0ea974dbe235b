"""The notebooks in JupyterLab, as a reader opens them: charts drawn, MyST rendered, offline.

Starts JupyterLab from ``.venv`` on 127.0.0.1 (a free port, a token, ``--no-browser``, temporary settings,
workspaces, runtime and config; see tests/jupyterlab.py) and opens every chapter notebook of the TOC in
headless Chromium with every non-local request blocked. Each notebook is checked from its stored outputs
(an untrusted notebook, as a fresh clone or Binder gives it); the introduction is then run top to bottom
(*Run All* in its kernel) and checked again. For each:

* every chart output draws (SVG marks), through JupyterLab's own Vega-Lite 5 renderer, and the first
  input (slider, menu) of every chart that has one changes its chart;
* no MyST directive or role shows as text in a rendered markdown cell (``{glue:``, ``{eval}``, ``:::{``,
  ``{term}``, ``{eq}``, ``{ref}``, ...), nor the source of a glued value's expression (``glued.n_facts``), and
  jupyterlab-myst rendered the markdown (admonitions, equation labels);
* every markdown cell shows, for its ``{eval}`` roles, exactly the glued values the book shows for the same
  cell (myst-nb's glue text of the same key and format, read from the stored glue outputs): from the
  ``user_expressions`` stored by ``make execute`` before anything runs, and, for the introduction, as the kernel
  recomputes them after *Run All*;
* no console error (besides jupyterlab-myst's notes that a glossary term's target is in another file,
  see ``KNOWN_CONSOLE``), and no request leaves localhost.

Screenshots and ``report.json`` go to ``_build/reports/jupyterlab/``. A negative control (a notebook with
the chart output main stored before issue 18, a role written without its backticks, a glued value whose stored
result is wrong and one whose result is missing) is flagged by the same checks.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import nbformat
import pytest

import browser as B
import jupyterlab as J
from conftest import ROOT, toc_files

pytestmark = pytest.mark.browser

REPORTS = ROOT / "_build" / "reports" / "jupyterlab"
NOTEBOOKS = [f"{doc}.ipynb" for doc in toc_files() if (ROOT / f"{doc}.ipynb").exists()]
RUN_ALL = "chapters/intro.ipynb"
#: jupyterlab-myst resolves references inside one notebook; a {term} points to chapters/glossary.md, so it
#: logs "Cross reference target was not found: term-..." (the term still shows, as a link to nowhere).
#: Only those lines are tolerated; any other console error fails.
KNOWN_CONSOLE = re.compile(r"^Cross reference target was not found: term-.+$")
_REPORTS: dict[str, J.NotebookReport] = {}
_T0: list[float] = []
_STALE: list[int] = []
#: the chapter files as the test found them: opening, running and checking them must not write them
_BYTES = {nb: (ROOT / nb).read_bytes() for nb in NOTEBOOKS}


def _unknown_console(errors: list[str]) -> list[str]:
    return [ln for e in errors for ln in e.splitlines() if ln.strip() and not KNOWN_CONSOLE.match(ln.strip())]


def _shot(name: str) -> Path:
    return REPORTS / (name.replace("chapters/", "").replace("/", "_").replace(".ipynb", ".png"))


@pytest.fixture(scope="module")
def lab():
    _T0.append(time.time())
    # the session's one Chromium (tests/browser.py), shared with the book's browser tests
    chromium = B.shared(ROOT / "_build" / "html").browser
    with J.Lab(chromium=chromium) as server:
        # the introduction from its stored outputs first, then its Run All goes on while the others are checked
        _REPORTS[RUN_ALL] = server.check(RUN_ALL, screenshot=_shot(RUN_ALL))
        _STALE.append(server.start_run_all(RUN_ALL))  # its stored {eval} results replaced by "stale" first
        yield server
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "report.json").write_text(json.dumps(
        {"seconds": round(time.time() - _T0[0], 1), "notebooks": {k: r.to_json() for k, r in _REPORTS.items()}},
        indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def check(lab):
    def get(nb: str, run_all: bool = False) -> J.NotebookReport:
        key = nb + (" (run all)" if run_all else "")
        if key not in _REPORTS:
            shot = _shot(nb.replace(".ipynb", "-run-all.ipynb") if run_all else nb)
            _REPORTS[key] = lab.check(nb, run_all=run_all, screenshot=shot)
        return _REPORTS[key]

    return get


def _assert_good(r: J.NotebookReport) -> None:
    assert r.external_requests == [], r.external_requests
    assert r.charts_in_file >= 1, "every chapter notebook shows at least one chart"
    assert len(r.charts) == r.charts_in_file, (
        f"{r.charts_in_file} chart outputs in the file, {len(r.charts)} chart outputs on the page: {r.charts}")
    undrawn = [c["text"] or c["label"][:80] for c in r.charts if not (c["vega"] and c["marks"] > 0)]
    assert not undrawn, f"charts not drawn by JupyterLab: {undrawn}"
    assert r.raw_myst == [], f"MyST shown as text: {r.raw_myst}"
    assert r.glue_roles == 0, f"{r.glue_roles} myst-nb glue roles (JupyterLab shows their key): run waferscale.book.evalprose"
    assert r.glued_mismatches == [], f"glued values that differ from the book's: {r.glued_mismatches}"
    md = r.markdown
    assert md["cells"] and md["myst_cells"] == md["cells"], f"markdown not rendered by jupyterlab-myst: {md}"
    assert _unknown_console(r.console_errors) == [], r.console_errors
    dead = [b for b in r.bindings if not b["changed"]]
    assert not dead, f"chart inputs that do not change their chart in JupyterLab: {dead}"


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_notebook_draws_its_charts_and_renders_myst_from_stored_outputs(check, nb):
    _assert_good(check(nb))


def test_run_all_cells_draws_the_charts_again(check):
    r = check(RUN_ALL, run_all=True)
    _assert_good(r)
    assert r.charts_in_file == check(RUN_ALL).charts_in_file
    # the glued values shown are the kernel's: every stored result was replaced by "stale" before Run All
    assert _STALE and _STALE[0] == r.eval_roles >= 1, (_STALE, r.eval_roles)


def test_book_myst_is_rendered_not_just_hidden(check):
    """Admonitions, equation labels and cross-references come out as elements, in every chapter."""
    reports = [check(nb) for nb in NOTEBOOKS]
    assert all(r.markdown["admonitions"] >= 1 for r in reports), [(r.notebook, r.markdown) for r in reports]
    assert sum(r.markdown["equation_labels"] for r in reports) >= 1
    assert sum(r.markdown["xref_links"] for r in reports) >= 1
    # glued numbers: every chapter quotes some, as {eval} roles whose values were compared with the book's
    assert all(r.eval_roles >= 1 for r in reports), [(r.notebook, r.eval_roles) for r in reports]


# -- negative control ------------------------------------------------------------------------------
def _control_notebook(path: Path) -> None:
    """A chart output as main stored it before issue 18 (text/html embed + Vega-Lite 6 JSON: JupyterLab picks the
    HTML, which cannot draw without vega-bundle.js), a Vega-Lite 5 chart that cannot compile, and MyST roles
    without their backticks (which no MyST renderer parses); a glued value (``n_facts`` = 713) quoted by two cells,
    one whose stored result says 999 and one with no stored result (JupyterLab shows the expression)."""
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json", "data": {"values": [{"x": 1}]},
            "mark": "point", "encoding": {"x": {"field": "x", "type": "quantitative"}}}
    embed = ('<div class="ws-chart" id="ws-chart-control"></div><script>(function(){var el=document.getElementById('
             '"ws-chart-control"); if (window.vegaEmbed) {} else {el.textContent = "This chart needs vega-bundle.js,'
             ' which the built book ships in _static/.";}})();</script>')
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Control\n\nThe catalog holds {glue:text}n_facts rows; see {term}calibration."),
        nbformat.v4.new_code_cell("glue('n_facts', 713)", outputs=[nbformat.v4.new_output(
            "display_data", data={"application/papermill.record/text/plain": "713"},
            metadata={"scrapbook": {"mime_prefix": "application/papermill.record/", "name": "n_facts"}})],
            execution_count=3),
        nbformat.v4.new_markdown_cell("It holds {eval}`glued.n_facts` rows.", metadata={"user_expressions": [
            {"expression": "glued.n_facts", "result": {"status": "ok", "data": {"text/plain": "999"}, "metadata": {}}}]}),
        nbformat.v4.new_markdown_cell("Still {eval}`glued.n_facts` rows."),
        nbformat.v4.new_code_cell("chart", outputs=[nbformat.v4.new_output(
            "execute_result", execution_count=1,
            data={"text/html": embed, "application/vnd.vegalite.v6+json": spec, "text/plain": "<chart>"})],
            execution_count=1),
        nbformat.v4.new_code_cell("broken", outputs=[nbformat.v4.new_output(
            "execute_result", execution_count=2,
            data={"application/vnd.vegalite.v5+json": {"mark": "no-such-mark", "data": {"values": [{"x": 1}]}},
                  "text/plain": "<chart>"})], execution_count=2),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_checks_flag_an_undrawable_chart_and_raw_myst(lab):
    path = REPORTS / "control" / "control.ipynb"
    _control_notebook(path)
    r = lab.check(str(path.relative_to(ROOT)), screenshot=REPORTS / "control.png", timeout_ms=30000)
    _REPORTS["control"] = r
    assert r.charts_in_file == 2
    assert r.charts_drawn == 0, r.charts
    assert any("{glue:text}" in x for x in r.raw_myst) and any("{term}" in x for x in r.raw_myst), r.raw_myst
    assert any("glued.n_facts" in x for x in r.raw_myst), r.raw_myst  # the cell with no stored result
    assert r.glued_mismatches == ["markdown cell 1: shows ['999'], the book ['713']",
                                  "markdown cell 2: shows [], the book ['713']"], r.glued_mismatches
    assert not r.ok
    with pytest.raises(AssertionError):
        _assert_good(r)


def test_the_notebook_files_are_not_written(check):
    """Run All changes the app's copy (results, PNGs of charts); the files stay as committed (no autosave)."""
    check(RUN_ALL, run_all=True)
    changed = [nb for nb, data in _BYTES.items() if (ROOT / nb).read_bytes() != data]
    assert not changed, f"JupyterLab wrote {changed} during the test"
