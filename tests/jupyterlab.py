"""JupyterLab from the project's environment, opened in headless Chromium with non-local requests blocked.

:class:`Lab` starts ``.venv/bin/jupyter lab`` on 127.0.0.1 (a free port, a random token, ``--no-browser``,
settings, workspaces, runtime and config in a temporary folder, news and update checks off) with the
repository as its root; :meth:`Lab.check` opens one notebook in a fresh browser context and reports

* the chart outputs in the notebook file and how many JupyterLab drew (SVG marks or a painted canvas);
* raw MyST syntax visible in the rendered markdown cells (``{glue:``, ``{eval}``, ``:::{``, ``{term}``, ``{eq}``, ...),
  and the source of a glued-value expression (``glued.n_facts``) shown instead of its value;
* the glued values each markdown cell shows (jupyterlab-myst's ``{eval}`` results) against the book's: the text
  myst-nb's glue roles give for the same keys and formats, read from the notebook's stored glue outputs
  (:func:`book_values`);
* how many glossary terms, equation references and admonitions were rendered;
* console errors, page errors and requests that tried to leave localhost (blocked);
* optionally a screenshot of the whole notebook.

Used by tests/test_jupyterlab.py; also runnable: ``python tests/jupyterlab.py chapters/intro.ipynb [shot.png]``.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import browser as B  # noqa: E402

from waferscale.book import evalprose as E  # noqa: E402

ROOT = B.ROOT
JUPYTER = ROOT / ".venv" / "bin" / "jupyter"

#: MyST that must never be seen as text in a rendered markdown cell
RAW_MYST = re.compile(r"\{glue(?::[a-z]+)?\}|\{eval\}|\bglued(?:\.\w|\[)|:::\{|```\{|\{term\}|\{eq\}|\{ref\}|\{numref\}|\{cite[a-z:]*\}"
                      r"|\{doc\}|\{download\}|\{index\}|^\([a-z0-9_-]+\)=", re.M)

#: JupyterLab settings for a test run: every cell attached to the page (so all are checked and in the
#: screenshot), no autosave, no request for news or updates
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # never write the notebooks: a slow Run All outlived the 2-minute autosave and saved the introduction (with
    # JupyterLab's PNG copies of the charts, and it could have saved the test's "stale" results)
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}

# -- in-page JavaScript ---------------------------------------------------------------------------
_READY_JS = """(n) => { const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
    return nb && nb.querySelectorAll('.jp-Cell').length >= n; }"""

# Charts: every output that JupyterLab gave its Vega renderer, drawn when its SVG has marks or its
# canvas has painted pixels; plus outputs that show the book's fallback text or an error instead.
_CHARTS_JS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output'))
  .filter(o => o.matches('.jp-RenderedVegaLite, .jp-RenderedVega5, .jp-RenderedVegaCommon5')
               || o.querySelector('.ws-chart') || /vega-bundle|<chart ws-chart/.test(o.textContent))
  .map(o => {
    const svg = o.querySelector('svg.marks, .vega-embed svg');
    let marks = svg ? svg.querySelectorAll('.role-mark > *').length : 0;
    const c = o.querySelector('.vega-embed canvas');
    if (!marks && c && c.width && c.height) {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4 * 97) if (d[i] > 0) { marks = 1; break; }
    }
    return {vega: o.matches('.jp-RenderedVegaLite, .jp-RenderedVega5, .jp-RenderedVegaCommon5'),
            marks, bindings: o.querySelectorAll('.vega-bind').length,
            label: ((o.querySelector('[role="graphics-document"]') || svg || o).getAttribute('aria-label') || ''),
            text: o.textContent.trim().slice(0, 120)};
  })"""

# Rendered markdown (jupyterlab-myst's ``.myst`` widget, or JupyterLab's own renderer without it): its visible
# text with math left out (KaTeX's text of "r(chip)=" is not a MyST label), and what was made of the book's MyST
_MARKDOWN_JS = """() => {
  const cells = Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell'));
  const out = {cells: cells.length, myst_cells: 0, texts: [], values: [], admonitions: 0, xref_links: 0, equation_labels: 0,
               math: 0};
  for (const c of cells) {
    const r = c.querySelector('.lm-Widget.myst') || c.querySelector('.jp-RenderedMarkdown');
    if (!r) { out.texts.push(''); out.values.push([]); continue; }
    if (r.classList.contains('myst')) out.myst_cells++;
    // jupyterlab-myst's {eval} results: text/plain as a bare <span>, other MIME types in a
    // div.not-prose.inline-block, errors as a stderr span; a missing result stays <code>expression</code>
    out.values.push(Array.from(r.querySelectorAll('span, div.not-prose.inline-block, [data-mime-type="application/vnd.jupyter.stderr"]'))
      .filter(e => e.matches('div.not-prose.inline-block, [data-mime-type="application/vnd.jupyter.stderr"]')
                   || (e.attributes.length === 0 && !e.closest('.katex, div.not-prose.inline-block, [data-mime-type]')
                       && Array.from(e.childNodes).every(n => n.nodeType === 3)))
      .map(e => e.textContent.replace(/\\s+/g, ' ').trim()));  // textContent: also in closed solutions
    let t = r.innerText;
    for (const k of r.querySelectorAll('.katex')) t = t.split(k.innerText).join(' ');
    out.texts.push(t);
    out.admonitions += r.querySelectorAll('.myst-admonition-header-text').length;
    out.xref_links += r.querySelectorAll('a.hover-link').length;
    out.equation_labels += r.querySelectorAll('a[title="Link to this Equation"]').length;
    out.math += r.querySelectorAll('.katex').length;
  }
  return out;
}"""

# the notebook's kernel is connected and idle
_IDLE_JS = """(p) => { const w = Array.from(window.jupyterapp.shell.widgets('main')).find(x => x.context && x.context.path === p);
    const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return !!k && k.connectionStatus === 'connected' && k.status === 'idle'; }"""

# every markdown cell rendered (jupyterlab-myst renders after the cell is attached)
_MD_READY_JS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell'))
  .every(c => { const r = c.querySelector('.lm-Widget.myst') || c.querySelector('.jp-RenderedMarkdown');
                return r && r.innerText.trim().length > 0; })"""

# Replace the stored {eval} results of a notebook's markdown cells by "stale" (model only, not saved)
_STALE_JS = """(p) => { const w = Array.from(window.jupyterapp.shell.widgets('main')).find(x => x.context && x.context.path === p);
  let n = 0;
  for (const c of w.content.widgets) {
    const ex = c.model.type === 'markdown' && c.model.getMetadata('user_expressions');
    if (!ex) continue;
    c.model.setMetadata('user_expressions', ex.map(e => ({expression: e.expression,
      result: {status: 'ok', data: {'text/plain': 'stale'}, metadata: {}}})));
    n += ex.length;
  }
  return n; }"""

# Give each drawn chart an id so that browser._MOVE_JS (the book's slider check) can move its inputs
_IDS_JS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output'))
  .filter(o => o.matches('.jp-RenderedVegaLite, .jp-RenderedVega5'))
  .map((o, i) => { o.id = o.id || ('jl-chart-' + i); return [o.id, o.querySelectorAll('.vega-bind').length]; })"""


@dataclass
class NotebookReport:
    notebook: str
    url: str = ""
    charts_in_file: int = 0
    charts: list[dict] = field(default_factory=list)
    markdown: dict = field(default_factory=dict)
    raw_myst: list[str] = field(default_factory=list)
    glue_roles: int = 0
    eval_roles: int = 0
    glued_mismatches: list[str] = field(default_factory=list)
    bindings: list[dict] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    console_warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def charts_drawn(self) -> int:
        return sum(1 for c in self.charts if c["vega"] and c["marks"] > 0)

    @property
    def ok(self) -> bool:
        return (self.charts_drawn == self.charts_in_file == len(self.charts) and not self.raw_myst
                and not self.glued_mismatches
                and not self.console_errors and not self.external_requests
                and all(b["changed"] for b in self.bindings))

    def to_json(self) -> dict:
        d = asdict(self)
        d["charts_drawn"] = self.charts_drawn
        d["markdown"] = {k: v for k, v in self.markdown.items() if k not in ("texts", "values")}
        return d


def chart_outputs(path: Path) -> int:
    """How many outputs of the notebook file are charts (carry a Vega-Lite spec)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return sum(1 for c in nb["cells"] for o in c.get("outputs", [])
               if any(k.startswith(("application/vnd.vegalite.", "application/vnd.vega.")) for k in o.get("data", {})))


def glue_roles(path: Path) -> int:
    """How many myst-nb ``{glue...}`` roles the notebook's markdown cells use (jupyterlab-myst cannot show them)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return sum(len(E.glue_roles("".join(c["source"]))) for c in nb["cells"] if c["cell_type"] == "markdown")


def book_values(path: Path) -> list[list[str]]:
    """For each markdown cell of the notebook, in order, the text the book shows for each of its ``{eval}`` roles:
    myst-nb's glue text (or Markdown) of the key and format, from the stored glue outputs. A role whose key is not
    glued, or whose expression is not of the book's form, gives ``"<error: ...>"`` (which nothing on a page
    matches)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    bundles = E.glued_bundles(nb)
    out = []
    for c in nb["cells"]:
        if c["cell_type"] != "markdown":
            continue
        vals = []
        for expr in E.eval_expressions("".join(c["source"])):
            try:
                key, fmt = E.parse(expr)
                vals.append(E.shown_text(bundles[key], fmt))
            except (KeyError, ValueError) as exc:
                vals.append(f"<error: {exc}>")
        out.append(vals)
    return out


def glued_mismatches(expected: list[list[str]], shown: list[list[str]]) -> list[str]:
    """Markdown cells whose shown glued values differ from the book's (cell index among the markdown cells).

    >>> glued_mismatches([["713", "34"]], [["713", "34"]])
    []
    >>> glued_mismatches([["713"], []], [["999"], []])
    ["markdown cell 0: shows ['999'], the book ['713']"]
    """
    if len(expected) != len(shown):
        return [f"{len(shown)} markdown cells on the page, {len(expected)} in the file"]
    norm = [[" ".join(v.split()) for v in vals] for vals in expected]
    return [f"markdown cell {i}: shows {s}, the book {e}" for i, (e, s) in enumerate(zip(norm, shown)) if e != s]


def raw_myst(texts: list[str]) -> list[str]:
    """Lines of rendered markdown text that still show MyST syntax."""
    found = []
    for t in texts:
        for line in t.splitlines():
            if RAW_MYST.search(line):
                found.append(line.strip()[:160])
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """One JupyterLab server (the repository as root) and one headless Chromium."""

    def __init__(self, root: Path = ROOT, chromium=None, timeout_s: float = 60):
        if not JUPYTER.exists():
            raise RuntimeError(f"{JUPYTER} is missing: run `make venv`")
        self.root = Path(root)
        self.tmp = Path(tempfile.mkdtemp(prefix="ws-lab-"))
        settings = self.tmp / "settings"
        for rel, value in SETTINGS.items():
            p = settings / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(json.dumps(value), encoding="utf-8")
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
        env.update(JUPYTER_CONFIG_DIR=str(self.tmp / "config"), JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
                   JUPYTER_DATA_DIR=str(self.tmp / "data"), JUPYTER_PLATFORM_DIRS="1", IPYTHONDIR=str(self.tmp / "ipython"),
                   PYDEVD_DISABLE_FILE_VALIDATION="1")
        self.log = (self.tmp / "server.log").open("w")
        self.proc = subprocess.Popen(
            [str(JUPYTER), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
             f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}",
             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True", *(["--allow-root"] if os.geteuid() == 0 else [])],
            cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        t0 = time.time()
        while True:
            try:
                urllib.request.urlopen(f"{self.base}api/status?token={self.token}", timeout=2).read()
                break
            except Exception:
                if self.proc.poll() is not None or time.time() - t0 > timeout_s:
                    log = self.server_log()[-3000:]
                    self._own_pw = None
                    self._close()
                    raise RuntimeError("JupyterLab did not start:\n" + log)
                time.sleep(0.3)
        self._own_pw = None
        if chromium is None:
            from playwright.sync_api import sync_playwright

            self._own_pw = sync_playwright().start()
            chromium = self._own_pw.chromium.launch(executable_path=B.chromium_path(), args=B.CHROMIUM_ARGS,
                                                    headless=True)
        self.browser = chromium

    def _close(self) -> None:
        if getattr(self, "_own_pw", None):
            try:
                self.browser.close()
            finally:
                self._own_pw.stop()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def server_log(self) -> str:
        self.log.flush()
        return (self.tmp / "server.log").read_text(errors="replace")

    # the app: one page for the session ---------------------------------------------------------------
    def _page(self, timeout_ms: int = 90000):
        """JupyterLab loaded once in one context (non-local requests blocked), reused for every notebook."""
        if getattr(self, "pg", None) is not None:
            return self.pg
        self._errors: list[str] = []
        self._warnings: list[str] = []
        self._external: list[str] = []

        def route(r):
            url = r.request.url
            if url.startswith(("data:", "blob:", "about:")) or urlparse(url).hostname in B.LOCAL:
                r.continue_()
            else:
                self._external.append(url)
                r.abort()

        self.context = self.browser.new_context(viewport={"width": 1100, "height": 900})
        self.context.route("**/*", route)
        pg = self.context.new_page()
        pg.on("console", lambda m: (self._errors if m.type == "error" else
                                    self._warnings if m.type == "warning" else []).append(m.text))
        pg.on("pageerror", lambda e: self._errors.append(str(e)))
        pg.goto(f"{self.base}lab/workspaces/ws-test?token={self.token}", wait_until="load", timeout=timeout_ms)
        pg.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=timeout_ms)
        pg.evaluate("async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }")
        self.pg = pg
        return pg

    def open(self, notebook: str, timeout_ms: int = 60000):
        """Open ``notebook`` (a path under the root) in the app and wait until its cells and markdown are rendered."""
        pg = self._page()
        pg.evaluate("async (p) => { await window.jupyterapp.commands.execute('docmanager:open', {path: p}); }", notebook)
        n_cells = len(json.loads((self.root / notebook).read_text(encoding="utf-8"))["cells"])
        pg.wait_for_function(_READY_JS, arg=n_cells, timeout=timeout_ms)
        pg.wait_for_function(_MD_READY_JS, timeout=timeout_ms)
        return pg

    def start_run_all(self, notebook: str, stale: bool = True) -> int:
        """Open ``notebook``, wait for its kernel, and start *Run All Cells* without waiting for it to finish.

        With ``stale``, every stored ``{eval}`` result of the open notebook is first replaced by the text
        ``stale`` (in the app's model only), so that the values shown afterwards can only come from the kernel.
        Returns how many results were replaced."""
        pg = self.open(notebook)
        pg.wait_for_function(_IDLE_JS, arg=notebook, timeout=120000)
        n = pg.evaluate(_STALE_JS, notebook) if stale else 0
        pg.evaluate("""(p) => { window.__wsRunAll = window.__wsRunAll || {};
            window.__wsRunAll[p] = window.jupyterapp.commands.execute('notebook:run-all-cells'); }""", notebook)
        return n

    def close_notebook(self, notebook: str) -> None:
        """Close ``notebook`` without saving (JupyterLab's Vega renderer adds a PNG to each chart: 'modified')."""
        self._page().evaluate("""async (p) => { for (const w of Array.from(window.jupyterapp.shell.widgets('main'))) {
            if (w.context && w.context.path === p) { w.context.model.dirty = false;
              if (w.sessionContext) await w.sessionContext.shutdown(); w.dispose(); } } }""", notebook)

    def close(self) -> None:
        if getattr(self, "context", None) is not None:
            try:
                self.context.close()
            except Exception:
                pass
            self.context = None
        self._close()

    # one notebook --------------------------------------------------------------------------------
    def check(self, notebook: str, *, run_all: bool = False, screenshot: Path | None = None,
              sliders: bool = True, timeout_ms: int = 60000, width: int = 1100) -> NotebookReport:
        """Report on ``notebook`` as the app shows it: from its stored outputs or, with ``run_all``, after the
        *Run All Cells* started by :meth:`start_run_all` (or started here) has finished. Closes it afterwards."""
        t0 = time.time()
        path = self.root / notebook
        rep = NotebookReport(notebook=notebook, url=f"{self.base}lab/tree/{notebook}",
                             charts_in_file=chart_outputs(path), glue_roles=glue_roles(path),
                             eval_roles=sum(map(len, book_values(path))))
        pg = self._page()
        del self._errors[:], self._warnings[:], self._external[:]
        try:
            if run_all:
                if not pg.evaluate("(p) => !!(window.__wsRunAll && window.__wsRunAll[p])", notebook):
                    self.start_run_all(notebook)
                pg.evaluate("""(p) => { for (const w of window.jupyterapp.shell.widgets('main'))
                    if (w.context && w.context.path === p) window.jupyterapp.shell.activateById(w.id); }""", notebook)
                ok = pg.evaluate("async (p) => await window.__wsRunAll[p]", notebook)
                if ok is False:
                    raise AssertionError(f"Run All Cells stopped in {notebook}: a cell failed")
                pg.wait_for_function(_IDLE_JS, arg=notebook, timeout=timeout_ms * 4)
            else:
                self.open(notebook, timeout_ms)
            self._wait_for_charts(pg, rep.charts_in_file, timeout_ms // 2)
            pg.wait_for_timeout(300)
            rep.charts = pg.evaluate(_CHARTS_JS)
            rep.markdown = pg.evaluate(_MARKDOWN_JS)
            rep.raw_myst = raw_myst(rep.markdown.get("texts", []))
            rep.glued_mismatches = glued_mismatches(book_values(path), rep.markdown.get("values", []))
            if sliders:  # first input of each chart (the book's browser test moves all of them)
                for cid, n in pg.evaluate(_IDS_JS):
                    if n:
                        rep.bindings.append(pg.evaluate(B._MOVE_JS, [cid, 0]))
            if screenshot is not None:
                self._screenshot(pg, screenshot, width)
        finally:
            rep.console_errors = [e for e in self._errors if "net::ERR_FAILED" not in e]
            rep.console_warnings = list(self._warnings)
            rep.external_requests = list(self._external)
            if not (run_all is False and pg.evaluate("(p) => !!(window.__wsRunAll && window.__wsRunAll[p])", notebook)):
                self.close_notebook(notebook)
        rep.seconds = round(time.time() - t0, 1)
        return rep

    @staticmethod
    def _wait_for_charts(pg, n: int, timeout_ms: int) -> None:
        try:
            pg.wait_for_function(
                f"""() => {{ const c = ({_CHARTS_JS})(); return c.length >= {n} && c.every(x => x.marks > 0); }}""",
                timeout=timeout_ms)
        except Exception:
            pass  # reported by the caller

    @staticmethod
    def _screenshot(pg, out: Path, width: int) -> None:
        """The whole notebook: a viewport as tall as the notebook's content (capped), one PNG."""
        out.parent.mkdir(parents=True, exist_ok=True)
        h = pg.evaluate("""() => { const s = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
            return s ? s.scrollHeight + 200 : 900; }""")
        pg.set_viewport_size({"width": width, "height": int(min(max(h, 900), 16000))})
        # from the notebook's top (after Run All the last cell is the one scrolled into view)
        pg.evaluate("""() => { const s = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
            if (s) s.scrollTop = 0; }""")
        pg.wait_for_timeout(600)
        pg.screenshot(path=str(out), full_page=False)
        pg.set_viewport_size({"width": width, "height": 900})


if __name__ == "__main__":
    nb = sys.argv[1]
    shot = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    with Lab() as lab:
        r = lab.check(nb, run_all="--run" in sys.argv, screenshot=shot)
    d = r.to_json()
    print(json.dumps(d, indent=1))
    sys.exit(0 if r.ok else 1)
