"""Open a built page in headless Chromium with every non-local request blocked, and report.

Used by tests/test_browser.py; also runnable: ``python tests/browser.py _build/html chapters/intro.html``.
"""
from __future__ import annotations

import functools
import http.server
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

LOCAL = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Debian's chromium is not installed; `make test` installs it (apt-get install chromium)")
    return path


@dataclass
class PageReport:
    url: str
    charts: int = 0
    charts_drawn: int = 0
    marks: list[int] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.charts > 0 and self.charts_drawn == self.charts and not self.external_requests
                and not self.console_errors)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


class serve:
    """Serve a folder on 127.0.0.1 (a free port) for the duration of a with-block."""

    def __init__(self, folder: Path):
        handler = functools.partial(_Quiet, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


_COUNT_JS = """() => Array.from(document.querySelectorAll('.ws-chart')).map(
    el => el.querySelectorAll('svg .role-mark > *').length)"""


def check_page(site: Path, page: str, timeout_ms: int = 30000, screenshot: Path | None = None) -> PageReport:
    """Load ``site/page`` offline and count charts, drawn marks, external requests and console errors."""
    from playwright.sync_api import sync_playwright

    with serve(site) as srv, sync_playwright() as p:
        report = PageReport(url=srv.base + page)
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})

            def route(r):
                url = r.request.url
                if url.startswith(("data:", "blob:", "about:")) or urlparse(url).hostname in LOCAL:
                    r.continue_()
                else:
                    report.external_requests.append(url)
                    r.abort()

            context.route("**/*", route)
            pg = context.new_page()
            pg.on("console", lambda m: report.console_errors.append(m.text) if m.type == "error" else None)
            pg.on("pageerror", lambda e: report.console_errors.append(str(e)))
            pg.goto(report.url, wait_until="load", timeout=timeout_ms)
            report.charts = pg.evaluate("() => document.querySelectorAll('.ws-chart').length")
            try:
                pg.wait_for_function(
                    "() => { const c = document.querySelectorAll('.ws-chart'); return "
                    "Array.from(c).every(el => el.querySelectorAll('svg .role-mark > *').length > 0); }",
                    timeout=timeout_ms // 2,
                )
            except Exception:
                pass  # counted below
            pg.wait_for_timeout(300)
            report.marks = pg.evaluate(_COUNT_JS)
            report.charts_drawn = sum(1 for m in report.marks if m > 0)
            # ignore the console noise of requests we blocked ourselves; they are reported separately
            report.console_errors = [e for e in report.console_errors if "net::ERR_FAILED" not in e]
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                pg.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return report


if __name__ == "__main__":
    site, page = Path(sys.argv[1]), sys.argv[2]
    shot = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    r = check_page(site, page, screenshot=shot)
    print(r)
    sys.exit(0 if r.ok else 1)
