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
