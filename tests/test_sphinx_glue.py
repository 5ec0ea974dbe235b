"""waferscale.book._sphinx: the bibliography style and the page fixes, without a Sphinx build."""
from __future__ import annotations

from waferscale.book import _sphinx


def _render(bibtex: str) -> str:
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    _sphinx._register_keepcase()
    style = find_plugin("pybtex.style.formatting", "keepcase")()
    entries = parse_string(bibtex, "bibtex").entries.values()
    return " ".join(e.text.render_as("text") for e in style.format_entries(entries))


def test_keepcase_keeps_title_case_and_prints_dollars():
    out = _render(r"@misc{a, title = {NVIDIA A100 costs \$10,000 and 5\% more}, author = {A B}, year = {2024}}")
    assert "NVIDIA A100 costs $10,000 and 5% more" in out
    assert "\\" not in out


def test_bibliography_entries_become_list_items():
    ctx = {"body": '<div role="list" class="citation-list"><div class="citation" role="doc-biblioentry">x</div></div>'}
    _sphinx._citation_roles(None, "p", "page.html", ctx, None)
    assert 'role="listitem"' in ctx["body"] and "doc-biblioentry" not in ctx["body"]


# -- the {eval} role (waferscale.book.evalprose): the book renders it as myst-nb's glue roles ---------------------
def _page(source: str) -> dict:
    """A notebook that glues a number, a string and a Markdown sentence, and quotes them in one markdown cell."""
    pre = "application/papermill.record/"

    def glued(name, data):
        return {"output_type": "display_data", "data": {pre + k: v for k, v in data.items()},
                "metadata": {"scrapbook": {"mime_prefix": pre, "name": name}}}

    outs = [glued("share", {"text/plain": "0.456789"}), glued("chip", {"text/plain": "'WSE-3'"}),
            glued("n", {"text/plain": "16384"}),
            glued("sentence", {"text/plain": "<IPython.core.display.Markdown object>",
                               "text/markdown": "The claim *holds*: 4.4x."})]
    return {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Page\n"]},
                      {"cell_type": "code", "metadata": {}, "source": ["glue(...)"], "execution_count": 1, "outputs": outs},
                      {"cell_type": "markdown", "metadata": {}, "source": [source]}],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


GLUE_PROSE = ("A {glue:text}`chip` holds {glue:text}`share:.0%` or {glue:text}`share:.2f` of {glue:text}`n:,` "
              "cores. {glue:md}`sentence` And {glue:text}`share`.")


def _build(tmp_path, pages: dict[str, str]):
    import json
    import subprocess
    import sys

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["myst_nb", "waferscale.book._sphinx"]\nnb_execution_mode = "off"\n'
                                 'exclude_patterns = ["_build"]\n', encoding="utf-8")
    (src / "index.md").write_text("# Index\n\n```{toctree}\n" + "\n".join(pages) + "\n```\n", encoding="utf-8")
    for name, prose in pages.items():
        (src / f"{name}.ipynb").write_text(json.dumps(_page(prose)), encoding="utf-8")
    out = tmp_path / "html"
    run = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-w", str(tmp_path / "warn.txt"),
                          str(src), str(out)], capture_output=True, text=True, timeout=300)
    warnings = (tmp_path / "warn.txt").read_text(encoding="utf-8")
    return run, out, warnings


def _prose_html(html: str) -> str:
    start = html.index("<p>A ")
    return html[start:html.index("</p>", start) + 4]


def test_eval_roles_render_as_the_glue_roles_they_replace_and_a_foreign_expression_fails(tmp_path):
    from waferscale.book.evalprose import convert_text

    converted = convert_text(GLUE_PROSE)
    assert "{glue" not in converted and convert_text(converted) == converted  # idempotent
    run, out, warnings = _build(tmp_path, {"glue": GLUE_PROSE, "eval": converted,
                                           "bad": 'A {eval}`share * 100` and {eval}`glued.share(f"{x}")`.'})
    glue_html = _prose_html((out / "glue.html").read_text(encoding="utf-8"))
    eval_html = _prose_html((out / "eval.html").read_text(encoding="utf-8"))
    assert eval_html == glue_html
    assert '<span class="pasted-text">46%</span>' in eval_html and "<em>holds</em>" in eval_html
    assert '<span class="pasted-text">16,384</span>' in eval_html
    # negative control: expressions not of the book's form are build errors naming the page and the expression
    assert "bad: {eval}`share * 100`" in warnings and "is not allowed" in warnings, warnings
    assert "bad: {eval}`glued.share(f\"{x}\")`" in warnings, warnings
    assert not [ln for ln in warnings.splitlines() if "glue.ipynb" in ln or "eval.ipynb" in ln], warnings


def test_the_converter_rewrites_a_notebook_once_and_refuses_what_it_cannot_keep(tmp_path):
    import json

    import pytest

    from waferscale.book import evalprose

    nb = _page(GLUE_PROSE)
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": ["See `{glue:text}` in code? No: ",
                                                                           "{glue:text}`n:,.0f` cores.\n"]})
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    assert evalprose.convert_notebook(path) == 7
    once = path.read_bytes()
    assert evalprose.convert_notebook(path) == 0 and path.read_bytes() == once  # idempotent
    cells = json.loads(once)["cells"]
    assert cells[1] == nb["cells"][1]  # code cells untouched
    assert "".join(cells[-1]["source"]) == 'See `{glue:text}` in code? No: {eval}`glued.n(",.0f")` cores.\n'
    assert evalprose.main([str(path)]) == 0
    # negative controls: roles the {eval} form cannot say are refused, naming the cell; the file is left alone
    for role in ("{glue}`n`", "{glue:text}`other::n`", "{glue:md}`sentence:myst`"):
        bad = tmp_path / "bad.ipynb"
        bad.write_text(json.dumps(_page(f"A {role}."), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        before = bad.read_bytes()
        with pytest.raises(ValueError, match="cell 2: role="):
            evalprose.convert_notebook(bad)
        assert bad.read_bytes() == before
