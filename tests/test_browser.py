"""The built book renders its charts in a real browser with the network off.

Runs on the book that `make test` builds first (``_build/html``). It never skips for a missing
browser: the test command installs Debian's chromium, and a missing build is a failure.
"""
from __future__ import annotations

import re
import shutil

import pytest

from browser import check_page
from conftest import ROOT, toc_files

SITE = ROOT / "_build" / "html"
INTRO = "chapters/intro.html"
PAGES = [f"{doc}.html" for doc in toc_files()]


@pytest.fixture(scope="module")
def built():
    if not (SITE / INTRO).exists():
        pytest.fail("the book is not built: run `make book` (make test does it first)")
    return SITE


@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_offline_and_draws_its_charts(built, page):
    shot = ROOT / "_build" / "reports" / (page.replace("/", "_").replace(".html", ".png"))
    r = check_page(built, page, screenshot=shot)
    if (ROOT / page.replace(".html", ".ipynb")).exists():
        assert r.charts >= 1, "every notebook chapter shows at least one chart"
    assert r.charts_drawn == r.charts, r
    assert r.external_requests == [], r.external_requests
    assert r.console_errors == [], r.console_errors


def test_check_fails_when_the_page_loads_vega_from_a_cdn(built, tmp_path):
    """Negative control: the same page pointed at a CDN must fail the check."""
    site = tmp_path / "site"
    shutil.copytree(built, site)
    page = site / INTRO
    html = page.read_text()
    html, n = re.subn(r'src="[^"]*vega-bundle\.js(\?[^"]*)?"', 'src="https://cdn.jsdelivr.net/npm/vega-embed@7"', html)
    assert n == 1, "the intro page should load vega-bundle.js exactly once"
    page.write_text(html)
    r = check_page(site, INTRO, timeout_ms=8000)
    assert not r.ok
    assert any("cdn.jsdelivr.net" in u for u in r.external_requests)
    assert r.charts_drawn == 0
