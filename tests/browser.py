"""Open built pages in headless Chromium with every non-local request blocked, and audit them.

One :class:`Browser` (one local HTTP server, one Chromium) serves a whole test session; each
:meth:`Browser.audit` opens one page in a fresh context and reports

* the charts on it and how many drew (Vega marks in their SVG), and each chart's text alternative;
* requests that tried to leave localhost (blocked) and console errors;
* every interactive input of the charts (Vega bindings), and whether moving it changed its chart;
* axe-core's accessibility violations;
* the page's links (for the internal-link check) and element ids;
* its layout (:data:`_LAYOUT_JS`): the lines of code a reader sees (cell inputs not folded away by a
  ``hide-input`` toggle) and the items clipped at this width (text, code, equations, tables or charts
  that run past their box with no scroll container to reach the rest), at 1280 px and, in a second
  context, at a phone's 390 px (:data:`NARROW`);
* optionally a full-page screenshot (and one at 390 px).

Used by tests/test_browser.py and tests/print_book.py; also runnable:
``python tests/browser.py _build/html chapters/intro.html [shot.png]``.
"""
from __future__ import annotations

import functools
import html as _html
import http.server
import json
import shutil
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

LOCAL = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
#: axe impacts that fail the check
SERIOUS = ("serious", "critical")
#: names that say nothing about a chart (vega-embed's default when a spec has no description)
GENERIC_LABELS = {"", "chart", "vega visualization", "visualization"}


#: the viewports of the layout check: a laptop's and a phone's width (CSS pixels)
WIDE, NARROW = (1280, 900), (390, 844)


def has_text_alternative(label: str) -> bool:
    return label.strip().lower() not in GENERIC_LABELS and len(label.strip()) >= 20


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Debian's chromium is not installed; `make test` installs it (apt-get install chromium)")
    return path


@dataclass
class PageReport:
    url: str
    page: str = ""
    title: str = ""
    charts: int = 0
    charts_drawn: int = 0
    marks: list[int] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    bindings: list[dict] = field(default_factory=list)
    axe: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    #: lines of code shown on the page (cell inputs that are not folded away), at 1280 px
    code_lines: int = 0
    #: items that overflow their box with no scroll container, per viewport width ("1280", "390")
    clipped: dict[str, list[dict]] = field(default_factory=dict)
    #: display equations wider than their box (they scroll), per viewport width: equation numbers
    scrolling_equations: dict[str, list[str]] = field(default_factory=dict)
    #: seconds the second opening at 390 px took (what the phone-width check adds to the audit)
    narrow_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (self.charts > 0 and self.charts_drawn == self.charts and not self.external_requests
                and not self.console_errors)

    @property
    def serious(self) -> list[dict]:
        return [v for v in self.axe if v.get("impact") in SERIOUS]

    def to_json(self) -> dict:
        return asdict(self)


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


# -- in-page JavaScript ---------------------------------------------------------------------------
_DRAWN_JS = """() => Array.from(document.querySelectorAll('.ws-chart')).every(
    el => el.querySelectorAll('svg .role-mark > *').length > 0)"""

_COUNT_JS = """() => Array.from(document.querySelectorAll('.ws-chart')).map(
    el => el.querySelectorAll('svg .role-mark > *').length)"""

# A chart's text alternative, as the accessibility tree names it: vega-embed gives the chart's
# container role="graphics-document" and the spec's `description` as aria-label (the SVG's own
# aria-label counts too, or a labelled-by element).
_DESC_JS = """() => Array.from(document.querySelectorAll('.ws-chart')).map(el => {
    const svg = el.querySelector('svg');
    const by = el.getAttribute('aria-labelledby');
    const ref = by ? document.getElementById(by) : null;
    return ((el.getAttribute('aria-label') || '') || (svg && svg.getAttribute('aria-label')) ||
            (ref && ref.textContent) || '').trim();
})"""

_BINDINGS_JS = """() => Array.from(document.querySelectorAll('.ws-chart')).map(
    el => [el.id, el.querySelectorAll('.vega-bind').length])"""

# Move one binding through its other values; `changed` if any of them changes the chart's drawing.
# The binding is put back afterwards, so each binding is judged on its own.
_MOVE_JS = """async ([cid, idx]) => {
    const el = document.getElementById(cid);
    const bind = el.querySelectorAll('.vega-bind')[idx];
    const snap = () => { const s = el.querySelector('svg'); const c = el.querySelector('canvas');
                         return s ? s.outerHTML : (c ? c.toDataURL() : ''); };
    const settle = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 40))));
    const fire = (node) => { node.dispatchEvent(new Event('input', {bubbles: true}));
                             node.dispatchEvent(new Event('change', {bubbles: true})); };
    const name = ((bind.querySelector('.vega-bind-name') || {}).textContent || '').trim();
    const before = snap();
    const radios = Array.from(bind.querySelectorAll('input[type=radio]'));
    const input = bind.querySelector('input:not([type=radio]), select');
    let kind = 'unknown', changed = false, tried = 0, set, restore;
    if (radios.length) {
        kind = 'radio';
        const orig = radios.find(r => r.checked);
        set = radios.filter(r => r !== orig).map(r => () => { r.checked = true; fire(r); });
        restore = () => { if (orig) { orig.checked = true; fire(orig); } };
    } else if (input && input.tagName === 'SELECT') {
        kind = 'select';
        const orig = input.value;
        set = Array.from(input.options).map(o => o.value).filter(v => v !== orig)
                   .map(v => () => { input.value = v; fire(input); });
        restore = () => { input.value = orig; fire(input); };
    } else if (input && input.type === 'checkbox') {
        kind = 'checkbox';
        const orig = input.checked;
        set = [() => { input.checked = !orig; fire(input); }];
        restore = () => { input.checked = orig; fire(input); };
    } else if (input) {
        kind = input.type;
        const orig = input.value;
        const vals = input.type === 'range' ? [input.min, input.max] : [];
        set = vals.filter(v => v !== '' && Number(v) !== Number(orig)).map(v => () => { input.value = v; fire(input); });
        restore = () => { input.value = orig; fire(input); };
    } else { set = []; restore = () => {}; }
    // wait (up to `ms`) for the drawing to become / stop being `before`: Vega redraws asynchronously
    const until = async (want, ms) => { const t = Date.now(); await settle();
        while ((snap() === before) !== want && Date.now() - t < ms) await settle();
        return (snap() === before) === want; };
    for (const s of set) {
        s(); tried++;
        if (await until(false, 1500)) { changed = true; break; }
    }
    restore();
    const restored = await until(true, 1000);
    return {chart: cid, name, kind, tried, changed, restored};
}"""

_AXE_JS = """async () => {
    const r = await axe.run(document, {resultTypes: ['violations']});
    return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
                                  summary: (n.failureSummary || '').slice(0, 500)}))}));
}"""

_LINKS_JS = """() => [Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
                     Array.from(document.querySelectorAll('[id]')).map(e => e.id),
                     (document.querySelector('main h1, article h1, h1') || {}).textContent || document.title]"""


# The page's layout at the current viewport. Code lines: the text lines of every visible code cell
# input (a cell folded by hide-input sits in a closed <details> and is not rendered). Clipped: a block
# (paragraph, list item, code, display equation, table, chart, output) whose content reaches past the
# box that bounds it, where that box does not scroll: the nearest ancestor whose overflow-x is not
# `visible` (hidden or clip: cut off; auto or scroll: fine, the reader can scroll), else the article
# column (the text runs into the margin or off the screen). Only the innermost of nested clipped items
# is kept, so one wide equation counts once.
_LAYOUT_JS = """() => {
    const vis = el => el.checkVisibility ? el.checkVisibility() : el.getClientRects().length > 0;
    let code = 0;
    document.querySelectorAll('div.cell_input pre, div.cell div.highlight pre').forEach(pre => {
        if (!vis(pre) || pre.closest('details:not([open])')) return;
        const t = pre.textContent.replace(/\\n+$/, '');
        if (t.trim()) code += t.split('\\n').length;
    });
    const col = document.querySelector('.bd-article') || document.querySelector('main article') ||
                document.querySelector('main') || document.body;
    const vw = document.documentElement.clientWidth;
    const colRight = Math.min(col.getBoundingClientRect().right, vw);
    const sel = 'p, li, dt, dd, pre, h1, h2, h3, h4, div.math, mjx-container[display="true"], table, figure, img,' +
                ' .ws-chart, .cell_output, .admonition, blockquote';
    const found = [];
    document.querySelectorAll(sel).forEach(el => {
        if (!vis(el) || el.closest('details:not([open])')) return;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return;
        const ox = getComputedStyle(el).overflowX;
        if (ox === 'auto' || ox === 'scroll') return;             // its own scroll container
        const right = r.left + Math.max(el.scrollWidth, r.width);
        let over = 0, box = 'column';
        if ((ox === 'hidden' || ox === 'clip') && el.scrollWidth > el.clientWidth + 2) {
            over = el.scrollWidth - el.clientWidth; box = 'itself';
        } else {
            let a = el.parentElement;
            while (a && a !== document.body && getComputedStyle(a).overflowX === 'visible') a = a.parentElement;
            const ao = a && a !== document.body ? getComputedStyle(a).overflowX : 'visible';
            if (ao === 'auto' || ao === 'scroll') return;          // inside a scroll container
            const edge = col.contains(el) ? colRight : vw;     // the header and footer: the screen's edge
            const limit = ao === 'visible' ? edge : Math.min(a.getBoundingClientRect().right, edge);
            if (right > limit + 2) { over = right - limit; box = ao === 'visible' ? 'column' : a.tagName.toLowerCase(); }
        }
        if (over > 0) found.push({el, item: {tag: el.tagName.toLowerCase(), cls: (el.className && el.className.baseVal
            === undefined ? String(el.className) : '').slice(0, 60), id: el.id || (el.closest('[id]') || {}).id || '',
            text: (el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 80), over_px: Math.round(over), box}});
    });
    const inner = found.filter(f => !found.some(g => g !== f && f.el.contains(g.el)));
    // display equations wider than their box: not clipped (MathJax's box scrolls), but a reader must scroll
    const scrolls = Array.from(document.querySelectorAll('mjx-container[display="true"]')).filter(m => vis(m) &&
        m.scrollWidth > m.clientWidth + 2).map(m => { const d = m.closest('div.math');
        const no = d && d.querySelector('.eqno'); return (no ? no.textContent.replace(/[^0-9.()]/g, '') : '') ||
        (d && d.id) || 'unnumbered'; });
    return {code_lines: code, clipped: inner.map(f => f.item), scrolling_equations: scrolls};
}"""


class Browser:
    """One local server over ``site`` and one headless Chromium, for many pages."""

    def __init__(self, site: Path):
        from playwright.sync_api import sync_playwright

        self.site = Path(site)
        self._srv = serve(self.site).__enter__()
        self.base = self._srv.base
        self._extra: list[serve] = []
        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)

    def serve_folder(self, folder: Path) -> str:
        """Serve another folder (negative controls) beside the book; returns its base URL."""
        srv = serve(Path(folder)).__enter__()
        self._extra.append(srv)
        return srv.base

    def close(self) -> None:
        for srv in self._extra:
            srv.__exit__()
        try:
            self.browser.close()
            self._pw.stop()
        finally:
            self._srv.__exit__()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # one page, offline ---------------------------------------------------------------------------
    def open(self, page: str, report: PageReport, *, timeout_ms: int = 30000, viewport=WIDE):
        """A new context and page with non-local requests blocked (recorded in ``report``), loaded and drawn."""
        context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})

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
        # MathJax typesets after load; the layout check measures the typeset equations
        pg.evaluate("async () => { const m = window.MathJax; if (m && m.startup && m.startup.promise) {"
                    " await Promise.race([m.startup.promise, new Promise(r => setTimeout(r, 5000))]); } }")
        report.charts = pg.evaluate("() => document.querySelectorAll('.ws-chart').length")
        try:
            pg.wait_for_function(_DRAWN_JS, timeout=timeout_ms // 2)
        except Exception:
            pass  # counted by the caller
        pg.wait_for_timeout(200)
        return context, pg

    def layout(self, pg) -> dict:
        """The visible code lines and the clipped items of an open page at its viewport."""
        return pg.evaluate(_LAYOUT_JS)

    def narrow(self, page: str, report: PageReport, *, timeout_ms: int = 30000,
               screenshot: Path | None = None) -> None:
        """Open ``page`` again at the phone width :data:`NARROW`: its clipped items (and a screenshot)."""
        context, pg = self.open(page, report, timeout_ms=timeout_ms, viewport=NARROW)
        try:
            report.clipped[str(NARROW[0])] = self.layout(pg)["clipped"]
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                pg.screenshot(path=str(screenshot), full_page=True)
        finally:
            context.close()

    def audit(self, page: str, *, timeout_ms: int = 30000, sliders: bool = True, axe: bool = True,
              screenshot: Path | None = None, base: str | None = None, narrow: bool = True,
              narrow_screenshot: Path | None = None) -> PageReport:
        report = PageReport(url=(base or self.base) + page, page=page)
        context, pg = self.open(page, report, timeout_ms=timeout_ms)
        try:
            lay = self.layout(pg)
            report.code_lines, report.clipped[str(WIDE[0])] = lay["code_lines"], lay["clipped"]
            report.scrolling_equations[str(WIDE[0])] = lay["scrolling_equations"]
            report.marks = pg.evaluate(_COUNT_JS)
            report.charts_drawn = sum(1 for m in report.marks if m > 0)
            report.descriptions = pg.evaluate(_DESC_JS)
            if sliders:
                for cid, n in pg.evaluate(_BINDINGS_JS):
                    for i in range(n):
                        report.bindings.append(pg.evaluate(_MOVE_JS, [cid, i]))
            report.links, report.ids, report.title = pg.evaluate(_LINKS_JS)
            report.title = " ".join(report.title.replace("#", " ").split())
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                pg.screenshot(path=str(screenshot), full_page=True)
            if axe:
                pg.add_script_tag(path=str(AXE))
                report.axe = pg.evaluate(_AXE_JS)
            if narrow:  # the same page, resized to a phone's width: the layout reflows, the charts scale
                t0 = time.time()
                pg.set_viewport_size({"width": NARROW[0], "height": NARROW[1]})
                pg.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                pg.wait_for_timeout(150)
                lay = self.layout(pg)
                report.clipped[str(NARROW[0])] = lay["clipped"]
                report.scrolling_equations[str(NARROW[0])] = lay["scrolling_equations"]
                if narrow_screenshot is not None:
                    narrow_screenshot.parent.mkdir(parents=True, exist_ok=True)
                    pg.screenshot(path=str(narrow_screenshot), full_page=True)
                report.narrow_seconds = time.time() - t0
        finally:
            context.close()
        # ignore the console noise of requests we blocked ourselves; they are reported separately
        report.console_errors = [e for e in report.console_errors if "net::ERR_FAILED" not in e]
        return report

    # the contact sheet ----------------------------------------------------------------------------
    def contact_sheet(self, shots: list[tuple[str, Path]], out: Path, *, thumb_px: int = 220) -> Path:
        """One PNG with every page's full-page screenshot side by side, scaled to ``thumb_px`` wide."""
        cells = "".join(
            f'<figure><figcaption>{_html.escape(label)}</figcaption><img src="{Path(p).resolve().as_uri()}"></figure>'
            for label, p in shots
        )
        page = out.with_suffix(".html")
        page.write_text(
            "<!doctype html><meta charset=utf-8><title>contact sheet</title><style>"
            "body{margin:8px;font:12px system-ui,sans-serif;background:#ddd}"
            ".sheet{display:flex;gap:8px;align-items:flex-start}"
            f"figure{{margin:0;width:{thumb_px}px;background:#fff;border:1px solid #999}}"
            "figcaption{padding:3px 4px;font-weight:600;background:#333;color:#fff;overflow-wrap:anywhere}"
            "img{width:100%;display:block}</style>"
            f'<div class="sheet">{cells}</div>', encoding="utf-8")
        context = self.browser.new_context(viewport={"width": len(shots) * (thumb_px + 10) + 16, "height": 600})
        try:
            pg = context.new_page()
            pg.goto(page.resolve().as_uri(), wait_until="load")
            pg.screenshot(path=str(out), full_page=True)
        finally:
            context.close()
        return out


# -- links ------------------------------------------------------------------------------------------
class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k == "id" or (k == "name" and tag == "a"):
                self.ids.add(v or "")


@functools.lru_cache(maxsize=None)
def _file_ids(path: Path) -> frozenset[str]:
    p = _Ids()
    p.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(p.ids)


def check_links(site: Path, report: PageReport) -> tuple[list[str], list[str]]:
    """(broken internal links, external links) of one audited page.

    Internal: on the local server; the file must exist under ``site`` and a ``#fragment`` must be an
    id (or ``<a name>``) in it (ids of the page itself are taken from the live DOM as well).
    """
    broken, external = [], []
    base = urlparse(report.url)
    for href in report.links:
        u = urlparse(href)
        if u.scheme in ("mailto", "tel", "javascript", "data"):
            continue
        if u.hostname not in LOCAL:
            external.append(href)
            continue
        path = unquote(u.path).lstrip("/")
        target = site / path
        if target.is_dir() or path == "":
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href} (no file {target.relative_to(site)})")
            continue
        frag = unquote(u.fragment)
        if frag and target.suffix == ".html":
            ids = set(_file_ids(target.resolve()))
            if u.path == base.path:
                ids |= set(report.ids)
            if frag not in ids:
                broken.append(f"{href} (no id #{frag} in {target.relative_to(site)})")
    return broken, external


_SHARED: dict[str, Browser] = {}


def shared(site: Path) -> Browser:
    """The session's one Browser over ``site`` (browser tests and the PDF test share it)."""
    key = str(Path(site).resolve())
    if key not in _SHARED:
        import atexit

        _SHARED[key] = Browser(site)
        atexit.register(_SHARED[key].close)
    return _SHARED[key]


def check_page(site: Path, page: str, timeout_ms: int = 30000, screenshot: Path | None = None) -> PageReport:
    """Load ``site/page`` offline and report charts, requests and console errors (no sliders, no axe)."""
    with Browser(site) as b:
        return b.audit(page, timeout_ms=timeout_ms, sliders=False, axe=False, screenshot=screenshot)


def write_summary(reports: Path) -> Path:
    """``reports/summary.txt`` from the fragments the browser and PDF tests leave (browser.json, pdf.json)."""
    lines = ["Browser and print checks of the built book", ""]
    b = reports / "browser.json"
    if b.exists():
        data = json.loads(b.read_text())
        pages = data["pages"]
        impacts: dict[str, int] = {}
        rules: dict[str, set] = {}
        for p in pages:
            for v in p["axe"]:
                impacts[v["impact"]] = impacts.get(v["impact"], 0) + len(v["nodes"])
                rules.setdefault(v["impact"], set()).add(v["id"])
        binds = [x for p in pages for x in p["bindings"]]
        lines += [
            f"pages (TOC): {len(pages)}",
            f"charts: {sum(p['charts'] for p in pages)} (drawn: {sum(p['charts_drawn'] for p in pages)},"
            f" with a text alternative: {sum(1 for p in pages for d in p['descriptions'] if has_text_alternative(d))})",
            f"sliders/inputs (Vega bindings): {len(binds)} (change their chart: {sum(1 for x in binds if x['changed'])})",
            "axe-core violations (affected nodes by impact): "
            + (", ".join(f"{k} {impacts[k]} [{', '.join(sorted(rules[k]))}]" for k in
                         ("critical", "serious", "moderate", "minor") if k in impacts) or "none"),
            f"external requests: {sum(len(p['external_requests']) for p in pages)};"
            f" console errors: {sum(len(p['console_errors']) for p in pages)}",
            f"internal links checked: {data.get('internal_links', 0)} (broken: {len(data.get('broken_links', []))});"
            f" external links listed: {data.get('external_links', 0)}",
            f"visible code lines: {sum(p.get('code_lines', 0) for p in pages)};"
            f" clipped items: " + ", ".join(f"{w} px {sum(len(p.get('clipped', {}).get(str(w), [])) for p in pages)}"
                                            for w in (WIDE[0], NARROW[0])) + " (layout.txt)",
            f"browser audit time: {data.get('seconds', 0):.1f} s (of which the 390 px pass:"
            f" {sum(p.get('narrow_seconds', 0) for p in pages):.1f} s)",
            "",
            f"{'page':36s} charts inputs  axe(serious+critical/all)  code  clipped 1280/390",
        ]
        for p in pages:
            bad = sum(len(v["nodes"]) for v in p["axe"] if v["impact"] in SERIOUS)
            clip = p.get("clipped", {})
            lines.append(f"{p['page']:36s} {p['charts_drawn']:>2d}/{p['charts']:<3d} {len(p['bindings']):>6d}"
                         f"  {bad:>3d}/{sum(len(v['nodes']) for v in p['axe']):<22d}{p.get('code_lines', 0):>5d}"
                         f"  {len(clip.get(str(WIDE[0]), []))}/{len(clip.get(str(NARROW[0]), []))}")
        lines.append("")
    p = reports / "pdf.json"
    if p.exists():
        d = json.loads(p.read_text())
        lines += [f"PDF: {d['path']}, {d['pages']} pages, {d['chapters']} chapters bookmarked, {d['seconds']:.1f} s"]
    out = reports / "summary.txt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    site, page = Path(sys.argv[1]), sys.argv[2]
    shot = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    with Browser(site) as b:
        r = b.audit(page, screenshot=shot)
    print(json.dumps({k: v for k, v in r.to_json().items() if k not in ("links", "ids")}, indent=1))
    sys.exit(0 if r.ok else 1)
