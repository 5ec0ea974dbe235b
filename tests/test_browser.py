"""The built book in a real browser with the network off: every TOC page, audited once.

Runs on the book that `make test` builds first (``_build/html``). It never skips for a missing
browser: the test command installs Debian's chromium and axe-core, and a missing build is a failure.

One Chromium and one local server serve the whole session (``browser.shared``); each page is opened
once and its :class:`browser.PageReport` is reused by every test below. Per page:

* it loads with no console error, no request leaves localhost, every chart draws;
* every chart input (Vega binding: slider, select, radio) changes its chart when moved;
* axe-core finds no serious or critical accessibility violation;
* every chart has a non-empty text alternative;
* every internal link resolves to a file and, for ``#anchor``, to an id in it;
* no text, code, equation, table or chart is clipped (runs past its box with no scroll container) at
  1280 px or at a phone's 390 px (the page is opened a second time at that width); the visible code
  lines per page are reported.

The last test writes the reports under ``_build/reports/``: ``screens/*.png`` (full-page
screenshots at 1280 px), ``screens/390/*.png`` (at 390 px), ``contact_sheet.png``, ``layout.txt``
(visible code lines and clipped items per page), ``axe.json``, ``external_links.txt``, ``browser.json`` and
``summary.txt``. Negative controls show that each check can fail.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

import browser as B
from conftest import ROOT, toc_files

SITE = ROOT / "_build" / "html"
REPORTS = ROOT / "_build" / "reports"
INTRO = "chapters/intro.html"
PAGES = [f"{doc}.html" for doc in toc_files()]
_REPORTS: dict[str, B.PageReport] = {}
_SECONDS: list[float] = []


def _shot(page: str, width: str = "") -> Path:
    return REPORTS / "screens" / width / (page.replace("/", "_").replace(".html", ".png"))


@pytest.fixture(scope="module")
def book() -> B.Browser:
    if not (SITE / INTRO).exists():
        pytest.fail("the book is not built: run `make book` (make test does it first)")
    if not B.AXE.exists():
        pytest.fail(f"{B.AXE.relative_to(ROOT)} is missing: run `make a11y` (make test does it first)")
    return B.shared(SITE)


@pytest.fixture(scope="module")
def audit(book):
    def get(page: str) -> B.PageReport:
        if page not in _REPORTS:
            t0 = time.time()
            _REPORTS[page] = book.audit(page, screenshot=_shot(page), narrow_screenshot=_shot(page, "390"))
            _SECONDS.append(time.time() - t0)
        return _REPORTS[page]

    return get


def _is_notebook(page: str) -> bool:
    return (ROOT / page.replace(".html", ".ipynb")).exists()


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_and_draws_its_charts(audit, page):
    r = audit(page)
    if _is_notebook(page):
        assert r.charts >= 1, "every notebook chapter shows at least one chart"
    assert r.charts_drawn == r.charts, r.marks
    assert r.external_requests == [], r.external_requests
    assert r.console_errors == [], r.console_errors


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_input_changes_its_chart(audit, page):
    r = audit(page)
    dead = [f"{b['chart']}: {b['kind']} '{b['name']}'" for b in r.bindings if not b["changed"]]
    assert not dead, f"inputs that do not change their chart: {dead}"
    unknown = [b for b in r.bindings if b["kind"] not in ("range", "select", "radio", "checkbox")]
    assert not unknown, f"inputs of a kind the check cannot move: {unknown}"
    # b["restored"] (the chart redraws as it was when the input is put back) is reported, not asserted:
    # a parameter whose start value is off the slider's step grid comes back snapped to it.


@pytest.mark.parametrize("page", PAGES)
def test_no_serious_accessibility_violations(audit, page):
    r = audit(page)
    found = {v["id"]: [n["target"] for n in v["nodes"]][:5] for v in r.serious}
    assert not found, f"axe-core, serious or critical: {json.dumps(found, indent=1)}"


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_has_a_text_alternative(audit, page):
    r = audit(page)
    assert len(r.descriptions) == r.charts
    bad = [i for i, d in enumerate(r.descriptions) if not B.has_text_alternative(d)]
    assert not bad, f"charts without a real text alternative (index on the page): {bad} {r.descriptions}"
    if _is_notebook(page):  # finish() puts the source line into it
        assert all("Sources:" in d for d in r.descriptions), r.descriptions


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(audit, page):
    broken, _ = B.check_links(SITE, audit(page))
    assert broken == [], broken


@pytest.mark.parametrize("page", PAGES)
def test_nothing_is_clipped_at_1280_or_390_px(audit, page):
    r = audit(page)
    assert set(r.clipped) == {str(B.WIDE[0]), str(B.NARROW[0])}
    found = {w: items for w, items in r.clipped.items() if items}
    assert not found, f"clipped (width: items): {json.dumps(found, indent=1, ensure_ascii=False)}"


# -- negative controls ---------------------------------------------------------------------------
def _mirror(tmp: Path) -> Path:
    """A copy of the built site made of symlinks (cheap), with chapters/ as real folder of links."""
    site = tmp / "site"
    site.mkdir()
    for entry in SITE.iterdir():
        if entry.name != "chapters":
            (site / entry.name).symlink_to(entry)
    (site / "chapters").mkdir()
    for entry in (SITE / "chapters").iterdir():
        (site / "chapters" / entry.name).symlink_to(entry)
    return site


def test_check_fails_when_the_page_loads_vega_from_a_cdn(book, tmp_path):
    """The intro page pointed at a CDN must fail the offline check."""
    site = _mirror(tmp_path)
    page = site / INTRO
    html = (SITE / INTRO).read_text()
    html, n = re.subn(r'src="[^"]*vega-bundle\.js(\?[^"]*)?"', 'src="https://cdn.jsdelivr.net/npm/vega-embed@7"', html)
    assert n == 1, "the intro page should load vega-bundle.js exactly once"
    page.unlink()
    page.write_text(html)
    r = book.audit(INTRO, base=book.serve_folder(site), timeout_ms=8000, sliders=False, axe=False)
    assert not r.ok
    assert any("cdn.jsdelivr.net" in u for u in r.external_requests)
    assert r.charts_drawn == 0


def _control_page() -> str:
    """A page with one dead and one live slider, an unlabelled chart, an image without alt and bad links."""
    import altair as alt
    import pandas as pd

    from waferscale.book import charts

    df = pd.DataFrame({"x": [1, 2, 3], "y": [1, 3, 2]})
    live = alt.param(name="k", value=1.0, bind=alt.binding_range(min=0.5, max=3, step=0.5, name="live "))
    dead = alt.param(name="d", value=1.0, bind=alt.binding_range(min=0.5, max=3, step=0.5, name="dead "))
    base = alt.Chart(df).mark_line().encode(x="x:Q", y="yk:Q").transform_calculate(yk="datum.y * k")
    chart = charts.finish(base.add_params(live, dead), title="A control chart with a live and a dead slider",
                          sources="Sources: none [derived]")
    embed = charts.render(chart.to_dict())["text/html"]
    bare = json.dumps(alt.Chart(df).mark_point().encode(x="x:Q", y="y:Q").to_dict())
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>control</title>'
        '<script src="_static/vega-bundle.js"></script></head><body><main><h1>Control</h1>'
        f"{embed}"
        '<div class="ws-chart" id="bare"></div>'
        f'<script>vegaEmbed(document.getElementById("bare"), {bare}, {{actions: false, renderer: "svg"}});</script>'
        '<img src="_static/file.png">'
        '<a href="chapters/no-such-page.html">gone</a> <a href="#no-such-anchor">nowhere</a>'
        f' <a href="{INTRO}#no-such-id">no id</a> <a href="{INTRO}">fine</a>'
        "</main></body></html>"
    )


def test_checks_fail_on_a_dead_slider_a_missing_alt_text_and_broken_links(book, tmp_path):
    site = _mirror(tmp_path)
    (site / "control.html").write_text(_control_page(), encoding="utf-8")
    r = book.audit("control.html", base=book.serve_folder(site), timeout_ms=10000)
    assert r.charts == r.charts_drawn == 2
    moved = {b["name"]: b["changed"] for b in r.bindings}
    assert moved == {"live": True, "dead": False}, r.bindings
    assert r.descriptions[0].startswith("A control chart") and B.has_text_alternative(r.descriptions[0])
    assert not B.has_text_alternative(r.descriptions[1]), r.descriptions[1]  # vega-embed's "Vega visualization"
    assert "image-alt" in {v["id"] for v in r.serious}, r.axe
    broken, _ = B.check_links(site, r)
    assert len(broken) == 3 and all(("no-such" in b) for b in broken), broken


_WIDE_EQ = r"\[ " + " + ".join(f"x_{{{i}}}^{{{i}}}" for i in range(60)) + r" \]"
_WIDE_ROW = "".join(f"<td>column{i}_with_a_long_unbreakable_name</td>" for i in range(14))


def test_clip_check_flags_a_wide_equation_and_a_wide_table(book, tmp_path):
    """Negative control: the intro page with an unbreakable equation in a box that does not scroll and a
    wide table outside any scroll container is flagged at both widths; in scroll boxes it is not."""
    site = _mirror(tmp_path)
    page = site / INTRO
    html = (SITE / INTRO).read_text()
    wide = ("<style>#control-eq mjx-container { overflow: visible !important; }</style>"
            f'<div class="math notranslate nohighlight" id="control-eq" style="overflow:hidden">{_WIDE_EQ}</div>'
            f'<table id="control-table" style="display:table"><tr>{_WIDE_ROW}</tr></table>'
            f'<div style="overflow-x:auto"><table id="control-ok"><tr>{_WIDE_ROW}</tr></table></div>')
    html, n = re.subn(r"(<article[^>]*>)", r"\1" + wide.replace("\\", "\\\\"), html, count=1)
    assert n == 1
    page.unlink()
    page.write_text(html)
    r = book.audit(INTRO, base=book.serve_folder(site), sliders=False, axe=False)
    for width in (str(B.WIDE[0]), str(B.NARROW[0])):
        ids = {c["id"] for c in r.clipped[width]}
        assert {"control-eq", "control-table"} <= ids, (width, r.clipped[width])
        assert "control-ok" not in ids


def _layout_report(reports: list[B.PageReport]) -> str:
    lines = ["Layout of the built book: code lines a reader sees (cell inputs not folded by hide-input) and",
             "items clipped (running past their box with no scroll container), at 1280 and 390 px", "",
             f"{'page':36s} {'code lines':>10s} {'clipped 1280':>13s} {'clipped 390':>12s}"]
    for r in reports:
        lines.append(f"{r.page:36s} {r.code_lines:>10d} {len(r.clipped.get('1280', [])):>13d}"
                     f" {len(r.clipped.get('390', [])):>12d}")
        for w, items in r.clipped.items():
            lines += [f"    {w} px: {c['tag']}#{c['id']} over {c['over_px']} px ({c['box']}): {c['text']}" for c in items]
        for w, eqs in r.scrolling_equations.items():
            if eqs:
                lines.append(f"    {w} px: equations wider than the column (they scroll, not clipped): {', '.join(eqs)}")
    chapters = [r for r in reports if _is_notebook(r.page)]
    lines += ["", f"visible code lines: {sum(r.code_lines for r in reports)} on all pages,"
                  f" {sum(r.code_lines for r in chapters)} in the {len(chapters)} notebook chapters"
                  f" ({100 * sum(r.code_lines for r in chapters) / 1067:.1f} % of the 1,067 before the plumbing tags)"]
    return "\n".join(lines) + "\n"


# -- the reports ---------------------------------------------------------------------------------
def test_reports_screens_contact_sheet_axe_links_summary(book, audit):
    """Runs last in this module: every page audited, the reports written."""
    reports = [audit(p) for p in PAGES]
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "axe.json").write_text(json.dumps(
        {r.page: r.axe for r in reports}, indent=1, ensure_ascii=False), encoding="utf-8")
    internal, external, broken = 0, [], []
    for r in reports:
        bad, ext = B.check_links(SITE, r)
        internal += len(r.links) - len(ext)
        broken += bad
        external += [f"{r.page}\t{u}" for u in ext]
    (REPORTS / "external_links.txt").write_text(
        "# external links of the built book, page<TAB>url (listed, never fetched)\n"
        + "\n".join(sorted(set(external))) + "\n", encoding="utf-8")
    (REPORTS / "layout.txt").write_text(_layout_report(reports), encoding="utf-8")
    sheet = book.contact_sheet([(r.page.replace("chapters/", ""), _shot(r.page)) for r in reports],
                               REPORTS / "contact_sheet.png")
    (REPORTS / "browser.json").write_text(json.dumps({
        "pages": [{k: v for k, v in r.to_json().items() if k not in ("links", "ids")} for r in reports],
        "internal_links": internal, "broken_links": broken, "external_links": len(set(external)),
        "seconds": sum(_SECONDS)}, indent=1, ensure_ascii=False), encoding="utf-8")
    summary = B.write_summary(REPORTS)
    assert all(_shot(p).stat().st_size > 10_000 and _shot(p, "390").stat().st_size > 10_000 for p in PAGES)
    assert sheet.stat().st_size > 50_000
    assert "pages (TOC): %d" % len(PAGES) in summary.read_text()
    if os.environ.get("WS_PRINT_SUMMARY"):
        print(summary.read_text())
