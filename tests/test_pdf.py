"""The printable edition (`make pdf`): one PDF of the whole book, printed offline by Chromium.

Prints the book that `make test` builds (``_build/html``) into ``_build/pdf/book.pdf`` with the same
code as `make pdf` (tests/print_book.py) and the session's one browser, then reads it back with pypdf.
"""
from __future__ import annotations

import json
import re

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
    return re.sub(r"\s+", " ", text).strip().lower()


def test_the_book_prints_offline_to_one_pdf_with_a_bookmark_per_chapter(printed):
    from pypdf import PdfReader

    pages = toc_pages()
    assert printed["problems"] == [], printed["problems"]
    reader = PdfReader(str(OUT))
    assert len(reader.pages) == printed["pages"] >= len(pages)
    outline = [o.title for o in reader.outline]
    assert len(outline) == len(pages) == printed["chapters"]
    for chapter in printed["toc"]:
        assert chapter["pages"] >= 1, chapter
        first = chapter["first_page"] - 1
        text = _norm(" ".join(reader.pages[i].extract_text() or ""
                              for i in range(first, first + min(2, chapter["pages"]))))
        assert _norm(chapter["title"])[:40] in text, f"{chapter['title']!r} not printed on its first pages"


def test_the_print_leaves_out_navigation_and_controls(printed):
    from pypdf import PdfReader

    text = _norm(" ".join(p.extract_text() or "" for p in PdfReader(str(OUT)).pages[:3]))
    assert "ctrl+k" not in text.replace(" ", "") and "skip to main content" not in text
