"""The printable edition (`make pdf`): one PDF of the whole book, printed offline by Chromium.

Prints the book that `make test` builds (``_build/html``) into ``_build/pdf/book.pdf`` with the same
code as `make pdf` (tests/print_book.py) and the session's one browser, then reads it back with pypdf.
"""
from __future__ import annotations

import json
import re
import unicodedata

import pytest

import browser as B
from conftest import ROOT
from print_book import print_book, toc_pages

SITE = ROOT / "_build" / "html"
OUT = ROOT / "_build" / "pdf" / "book.pdf"


@pytest.fixture(scope="module")
def printed():
    if not (SITE / "chapters" / "intro.html").exists():
        pytest.fail("the book is not built: run `make book` (make test does it first)")
    info = print_book(SITE, OUT, browser=B.shared(SITE))
    reports = ROOT / "_build" / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "pdf.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    B.write_summary(reports)
    return info


def _norm(text: str) -> str:
    # a title broken across lines at a hyphen comes out of the PDF as "wafer- scale"; the font's
    # ligatures come out as one character ("proﬁles"), which NFKC turns back into letters
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"-\s+", "-", re.sub(r"\s+", " ", text)).strip().lower()


def _problems(path, info, pages) -> list[str]:
    """What is wrong with the printed ``path`` against the TOC ``pages`` (empty when all is well)."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    found = []
    if info["problems"]:
        found.append(f"offline print problems: {info['problems']}")
    if not len(reader.pages) == info["pages"] >= len(pages):
        found.append(f"{len(reader.pages)} PDF pages for {len(pages)} TOC pages")
    outline = [o.title for o in reader.outline]
    if len(outline) != len(pages):
        found.append(f"{len(outline)} bookmarks for {len(pages)} chapters")
    for chapter in info["toc"]:
        first = chapter["first_page"] - 1
        text = _norm(" ".join(reader.pages[i].extract_text() or ""
                              for i in range(first, first + min(2, chapter["pages"]))))
        if chapter["pages"] < 1 or _norm(chapter["title"])[:40] not in text:
            found.append(f"{chapter['title']!r} not printed on its first pages")
    return found


def test_the_book_prints_offline_to_one_pdf_with_a_bookmark_per_chapter(printed):
    assert _problems(OUT, printed, toc_pages()) == []
    assert printed["chapters"] == len(toc_pages())


def test_the_check_fails_on_a_book_that_lost_its_chapters(printed, tmp_path):
    """Negative control: one page printed is not the book."""
    out = tmp_path / "one.pdf"
    info = print_book(SITE, out, pages=["chapters/glossary.html"], browser=B.shared(SITE))
    found = _problems(out, info, toc_pages())
    assert any("bookmarks" in f for f in found), found


def test_the_print_leaves_out_navigation_and_controls(printed):
    from pypdf import PdfReader

    text = _norm(" ".join(p.extract_text() or "" for p in PdfReader(str(OUT)).pages[:3]))
    assert "ctrl+k" not in text.replace(" ", "") and "skip to main content" not in text


def test_charts_print_as_vector_graphics(printed):
    """The charts are drawn by the Vega bundle as SVG, so the PDF holds no raster image of them."""
    from pypdf import PdfReader

    reader = PdfReader(str(OUT))
    assert sum(len(p.images) for p in reader.pages) == 0
    first = printed["toc"][0]  # the introduction's charts
    text = _norm(" ".join(reader.pages[i].extract_text() or "" for i in
                          range(first["first_page"] - 1, first["first_page"] - 1 + first["pages"])))
    assert "sources:" in text  # the charts' source lines are text in the PDF, not pixels


_PRINT_STYLE_JS = """() => {
    const out = {split: [], folded_code_shown: 0, boxes: 0};
    document.querySelectorAll('div.cell, div.highlight, pre, table').forEach(el => {
        if (!el.getClientRects().length) return;
        out.boxes += 1;
        const b = getComputedStyle(el).breakInside;
        if (b !== 'avoid' && b !== 'avoid-page') out.split.push(el.tagName.toLowerCase() + '.' + el.className);
    });
    document.querySelectorAll('details.above-input').forEach(d => {
        if (getComputedStyle(d).display !== 'none') out.folded_code_shown += 1;
    });
    return out;
}"""


def _print_style(page: str, media: str) -> dict:
    from browser import PageReport

    b = B.shared(SITE)
    report = PageReport(url=b.base + page, page=page)
    context, pg = b.open(page, report)
    try:
        pg.emulate_media(media=media)
        return pg.evaluate(_PRINT_STYLE_JS)
    finally:
        context.close()


@pytest.mark.parametrize("page", ["chapters/performance.html", "chapters/appendix/systems.html"])
def test_code_boxes_and_tables_are_not_split_across_printed_pages(page):
    """In print, every code cell, code block and table asks not to be broken across a page (so none is left as
    an empty box at a page's foot), and the code folded on the page (hide-input) is not printed."""
    style = _print_style(page, "print")
    assert style["boxes"] > 0 and style["split"] == [], style
    assert style["folded_code_shown"] == 0, style


def test_the_print_style_check_fails_on_screen_styles():
    """Negative control: the screen style sheet lets boxes break and shows the folded code's toggles."""
    style = _print_style("chapters/performance.html", "screen")
    assert style["split"] and style["folded_code_shown"] > 0, style
