"""The printable edition: every TOC page of the built book printed by Chromium, merged into one PDF.

``make pdf`` runs ``python tests/print_book.py`` (after ``make book``) and writes ``_build/pdf/book.pdf``.

Each page is opened offline (non-local requests blocked, as in the browser tests), its charts are
drawn by the book's own Vega bundle as SVG, so they print as vector graphics, and Chromium prints it
with the book's print style sheet (``_static/waferscale.css``: no sidebars, header or buttons,
sliders hidden, solutions shown). pypdf merges the pages and adds one bookmark per chapter, named by
the page's first heading.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import ROOT, Browser, PageReport, shared, write_summary  # noqa: E402


def toc_pages() -> list[str]:
    from conftest import toc_files

    return [f"{doc}.html" for doc in toc_files()]


BOOK = "Wafer-scale vs scale-out: the numbers"  # footer; chapter titles are checked in the page body
# Solutions and other folded boxes print open; code cells folded by hide-input stay folded (the print style
# sheet leaves them out), as they are on the page.
_OPEN_SOLUTIONS_JS = """() => {
    document.querySelectorAll('details:not(.above-input):not(.below-input)').forEach(d => d.open = true);
    document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
}"""


def print_book(site: Path, out: Path, pages: list[str] | None = None, browser: Browser | None = None) -> dict:
    """Print ``pages`` (default: the TOC) of ``site`` into ``out``; returns a summary dict."""
    from pypdf import PdfReader, PdfWriter

    t0 = time.time()
    pages = pages or toc_pages()
    b = browser or shared(site)
    writer = PdfWriter()
    chapters, problems = [], []
    for page in pages:
        report = PageReport(url=b.base + page, page=page)
        context, pg = b.open(page, report)
        try:
            pg.evaluate(_OPEN_SOLUTIONS_JS)
            title = " ".join((pg.evaluate(
                "() => (document.querySelector('main h1, article h1, h1') || {}).textContent || document.title")
                or page).replace("#", " ").split())
            pdf = pg.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                         display_header_footer=True, header_template="<span></span>",
                         footer_template='<div style="font-size:8px;width:100%;text-align:center;color:#666">'
                                         f'{BOOK} · <span class="pageNumber"></span></div>',
                         margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"})
        finally:
            context.close()
        if report.external_requests or report.console_errors:
            problems.append({"page": page, "external": report.external_requests, "errors": report.console_errors})
        start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(pdf)), outline_item=title)
        chapters.append({"page": page, "title": title, "first_page": start + 1, "pages": len(writer.pages) - start})
    writer.add_metadata({"/Title": BOOK, "/Creator": "tests/print_book.py"})
    writer.page_mode = "/UseOutlines"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        writer.write(f)
    return {"path": str(out.relative_to(ROOT) if out.is_relative_to(ROOT) else out), "pages": len(writer.pages),
            "chapters": len(chapters), "toc": chapters, "problems": problems, "seconds": time.time() - t0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf" / "book.pdf")
    args = ap.parse_args(argv)
    if not (args.site / "chapters" / "intro.html").exists():
        sys.exit(f"{args.site} holds no built book: run `make book` first")
    with Browser(args.site) as b:
        info = print_book(args.site, args.out, browser=b)
    reports = ROOT / "_build" / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "pdf.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    write_summary(reports)
    for c in info["toc"]:
        print(f"{c['first_page']:4d}  {c['title']} ({c['pages']} pages)")
    print(f"{info['path']}: {info['pages']} pages, {info['chapters']} chapters, {info['seconds']:.1f} s")
    if info["problems"]:
        print("problems:", json.dumps(info["problems"], indent=1), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
