"""The no-hand-typed-numbers lint (waferscale.book.lint): its rules, negative controls, and the chapters."""
from __future__ import annotations

import json

import pytest

from conftest import ROOT, toc_files
from waferscale.book import lint


def test_prose_rules():
    f = lint.prose_findings
    # reported: decimals, percentages, ratios, integers above ten, typed next to a glued number
    assert f("An H100 reads 3.35 TB/s.") == ["3.35"]
    assert f("about 85 % of the bytes") == ["85 %"]
    assert f("up to 20x faster") == ["20x"]
    assert f("an H100 enables 132 of its 144 SMs") == ["132", "144"]
    assert f("from 16,000 GPUs") == ["16,000"]
    assert f("from 16,384 GPUs, 8,192 tokens") == []  # powers of two: chosen sizes
    # allowed by rule
    assert f("Step 2 of 3, exercise 4, in 2024") == []
    assert f("H100, WSE-3, GB200 NVL72, Qwen3-32B, 70B, 3D stacking") == []
    assert f("{glue:text}`bw:.2f` TB/s and {eq}`perf-roof` and {cite}`a2024`") == []
    assert f('{eval}`glued.bw(".2f")` TB/s, {eval}`glued.share(".0%")` and {eval}`glued["n-2"]`') == []
    assert f('the article says "~20x" and "2.4 times"') == []
    assert f("run `decode --chips 16` or see [page](x.html#a-42)") == []
    assert f("$t = 0.38\\, r c L^2$ in 16-bit weights") == []
    assert f("section 3.3, Trilogy (1980–85), a 14 nm process, a 95 % interval, Llama 3.1 8B") == []
    assert f(":::{exercise}\n:label: perf-ex12\nA 600 mm² die at D = 0.1\n:::") == []
    assert f(":::{solution} perf-ex12\nIt costs 123.4 dollars\n:::") == ["123.4"]


def test_entity_names_with_digits_are_not_numbers():
    assert lint.prose_findings("Llama 3.1 70B on a DGX H100") == []


def test_code_rules(cat):
    nums = lint.catalog_numbers(cat)
    # A catalog number typed in code is reported wherever it appears ...
    h100_bw = next(v for v in nums if 3 < v < 4)
    assert lint.code_findings(f"bw = {h100_bw!r}", nums) == [repr(h100_bw)]
    # ... except small integers, powers of ten or two, and chart-layout keywords.
    assert lint.code_findings("x = 8; y = 1e9; z = 1024; c.properties(width=300)", nums) == []
    assert lint.code_findings("sizes = [100.0, 200.0, 0.9, 2e12]", nums) == []  # one significant digit
    assert lint.code_findings("rng = np.random.default_rng(0)", nums) == []


def test_a_notebook_with_a_typed_number_fails(tmp_path):
    """Negative control: the lint catches a hand-typed spec in a notebook."""
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["The B200 has 8 TB/s and 192 GB."]},
                    {"cell_type": "code", "metadata": {}, "source": ["x = 1"], "outputs": [],
                     "execution_count": None}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    p = tmp_path / "bad.ipynb"
    p.write_text(json.dumps(nb))
    assert [x.text for x in lint.lint_notebook(p)] == ["192"]


NOTEBOOKS = [f for f in toc_files() if (ROOT / f"{f}.ipynb").exists()]


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_chapter_has_no_hand_typed_numbers(nb, cat):
    found = lint.lint_notebook(ROOT / f"{nb}.ipynb", cat)
    assert not found, "numbers typed by hand (glue them or read them from the catalog):\n" + "\n".join(
        map(str, found))


def _glue_notebook(tmp_path, source: str, user_expressions=None):
    """A notebook that glues n_facts = 713 and quotes it in one markdown cell."""
    md = {"cell_type": "markdown", "metadata": {}, "source": [source]}
    if user_expressions is not None:
        md["metadata"]["user_expressions"] = user_expressions
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": ["glue('n_facts', 713)"], "execution_count": 1,
                     "outputs": [{"output_type": "display_data", "data": {"application/papermill.record/text/plain": "713"},
                                  "metadata": {"scrapbook": {"mime_prefix": "application/papermill.record/",
                                                             "name": "n_facts"}}}]}, md],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    p = tmp_path / "nb.ipynb"
    p.write_text(json.dumps(nb))
    return p


def _result(expr, text):
    return {"expression": expr, "result": {"status": "ok", "data": {"text/plain": text}, "metadata": {}}}


def test_role_findings_pass_a_converted_notebook_and_flag_the_rest(tmp_path):
    good = _glue_notebook(tmp_path, 'It holds {eval}`glued.n_facts` rows, {eval}`glued.n_facts(",.1f")`.',
                          [_result("glued.n_facts", "713"), _result('glued.n_facts(",.1f")', "713.0")])
    assert lint.role_findings(good) == []
    # negative controls: a glue role left, a foreign expression, a key never glued, stored results wrong or missing
    kinds = lambda p: [(f.kind, f.text[:40]) for f in lint.role_findings(p)]  # noqa: E731
    assert kinds(_glue_notebook(tmp_path, "It holds {glue:text}`n_facts` rows.")) == [
        ("glue role", "{glue:text}`n_facts`")]
    assert [k for k, _ in kinds(_glue_notebook(tmp_path, "It holds {eval}`n_facts * 2` rows."))] == ["eval"]
    assert [k for k, _ in kinds(_glue_notebook(tmp_path, "It holds {eval}`glued.n_rows` rows."))] == ["eval"]
    assert [k for k, _ in kinds(_glue_notebook(tmp_path, "It holds {eval}`glued.n_facts` rows.",
                                               [_result("glued.n_facts", "999")]))] == ["user_expressions"]
    assert [k for k, _ in kinds(_glue_notebook(tmp_path, "It holds {eval}`glued.n_facts` rows."))] == [
        "user_expressions"]


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_chapter_quotes_glued_values_as_jupyterlab_shows_them(nb):
    """No {glue...} role is left (JupyterLab would show its key) and the stored results are the book's text."""
    found = lint.role_findings(ROOT / f"{nb}.ipynb")
    assert not found, "glued values JupyterLab would not show as the book does:\n" + "\n".join(map(str, found))
