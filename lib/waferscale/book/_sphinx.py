"""Sphinx glue for the book (listed in _config.yml under sphinx.extra_extensions).

* Sets the pydata theme's ``default_mode`` (an ``html_context`` entry) to ``light``:
  jupyter-book 1.x leaves it empty, and the theme then logs a console error on every page.
* Removes duplicate ``<script>`` entries from each page: inline scripts added by extensions
  at ``env-before-read-docs`` (sphinx-thebe's ``const THEBE_JS_URL = ...``, togglebutton's
  selector) reach the page twice, and a second ``const`` declaration is a console error.
  Identical scripts are kept once, in order.
* Adds the book's own ``_static/waferscale.css`` (print styles for ``make pdf``, focus ring of
  charts) and ``_static/waferscale.js`` (accessibility fixes to the theme's buttons) to every page.
* Gives bibliography entries ``role="listitem"``: docutils writes ``role="doc-biblioentry"`` (a
  deprecated DPUB-ARIA role) inside a ``role="list"``, and a list may only hold list items
  (axe ``aria-required-children``, critical).
* Registers the pybtex style ``keepcase``: pybtex's ``plain`` style, except that titles keep
  the case they are written in (``plain`` lowercases them: "Nvidia a100 tensor core gpu"), and
  with ``\\$`` printed as ``$``.
* Launch buttons follow the repository URL, the one setting they need: ``BOOK_REPOSITORY_URL`` in the
  environment (``BOOK_REPOSITORY_URL=https://github.com/ORG/REPO make book``), else ``repository.url`` in
  ``_config.yml``. With a URL, each notebook page gets a repository button and a Binder button that opens the
  notebook in JupyterLab (Binder builds ``environment.yml``); without one, the Binder URL is cleared, because the
  theme cannot build a launch link without a repository (and fails on the attempt).
* Registers the ``eval`` role (replacing myst-nb's, which needs a live kernel): the prose quotes glued values as
  ``{eval}`glued.key```, ``{eval}`glued.key(".1f")``` (see :mod:`waferscale.book.evalprose`, the form
  jupyterlab-myst shows in JupyterLab); the role reads the expression with ``ast`` (any other expression is a
  build error naming the page) and renders it with myst-nb's ``{glue:text}`key:.1f``` or, for a Markdown value,
  ``{glue:md}`key``` role, so the page is what those roles gave.
* Adds a ``.md`` entry to each notebook page's download menu: the notebook as a MyST Markdown notebook (the
  text format jupytext and jupyter-book read), written next to the ``.ipynb`` copy in ``_sources``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def _theme_defaults(app: Any, config: Any) -> None:
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "light")
    config.html_context = context


REPOSITORY_ENV = "BOOK_REPOSITORY_URL"


def _launch_buttons(app: Any, config: Any) -> None:
    opts = config.html_theme_options
    url = (os.environ.get(REPOSITORY_ENV) or opts.get("repository_url") or "").strip()
    launch = dict(opts.get("launch_buttons") or {})
    if url:
        opts["repository_url"] = url
        opts.setdefault("repository_branch", "main")
        opts["use_repository_button"] = True
    else:
        launch["binderhub_url"] = ""
    opts["launch_buttons"] = launch


def myst_notebook_text(path: str | Path) -> str:
    """A notebook as MyST Markdown text: its markdown cells as they are, code cells as ``code-cell`` blocks.

    >>> import nbformat, tempfile
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1")])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = nbformat.write(nb, f"{d}/n.ipynb")
    ...     text = myst_notebook_text(f"{d}/n.ipynb")
    >>> text.split("---")[-1].strip().splitlines()
    ['# Title', '', '```{code-cell} ipython3', 'x = 1', '```']
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    parts = ["---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
             "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---"]
    for cell in nb.cells:
        if cell.cell_type == "code":
            tags = cell.metadata.get("tags")
            head = "```{code-cell} ipython3" + (f"\n:tags: [{', '.join(tags)}]\n" if tags else "")
            parts.append(f"{head}\n{cell.source}\n```")
        else:
            parts.append(cell.source)
    return "\n\n".join(parts) + "\n"


def _markdown_download(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    source = context.get("sourcename") or ""
    if not source.endswith(".ipynb"):
        return
    groups = [b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"]
    if not groups:
        return
    md_name = source[: -len(".ipynb")] + ".md"
    target = Path(app.outdir) / "_sources" / md_name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(myst_notebook_text(app.env.doc2path(pagename)), encoding="utf-8")
    items = groups[0]["buttons"]
    at = next((i + 1 for i, b in enumerate(items) if b.get("text") == ".ipynb"), len(items))
    items.insert(at, {
        "type": "link", "url": f"{context['pathto']('_sources', 1)}/{md_name}", "text": ".md",
        "tooltip": "Download as a MyST Markdown notebook", "icon": "fas fa-file-lines",
        "label": "download-myst-button",
    })


def _dedupe_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        # Sphinx registers an inline script once with filename None and once with '' (from its
        # registry after Builder.init), so its own equality check lets both through.
        attrs = getattr(js, "attributes", {}) or {}
        key = (str(getattr(js, "filename", js) or ""), tuple(sorted((k, str(v)) for k, v in attrs.items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept


def _citation_roles(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _register_keepcase() -> None:
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.plain import Style as Plain
    from pybtex.style.template import field, sentence

    class KeepCase(Plain):
        def format_title(self, e: Any, which_field: str, as_sentence: bool = True) -> Any:
            # pybtex's LaTeX reader decodes \% and \& but leaves \$ as is ("\$30,000" printed
            # literally); a bare $ is plain text to it, so the escape is dropped before it reads the field
            raw = e.fields.get(which_field)
            if raw and "\\$" in raw:
                e.fields[which_field] = raw.replace("\\$", "$")
            title = field(which_field)
            return sentence[title] if as_sentence else title

    try:
        register_plugin("pybtex.style.formatting", "keepcase", KeepCase)
    except Exception:  # already registered in this process
        pass


def _visit_hidden_input(self: Any, node: Any) -> None:
    """myst-nb's collapsed code cell without its ``aria-label`` (axe: the label must match the visible
    "Show code cell source" text, so the visible text is the accessible name)."""
    from html import escape

    self.body.append(f'<details class="admonition hide {" ".join(node["classes"])}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n</summary>\n')


def _hidden_input_node(app: Any) -> None:
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_input, depart_HideCellInput))


def eval_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None,
              content: Any = ()) -> tuple[list, list]:
    """``{eval}`glued.key```, ``{eval}`glued.key("fmt")```: myst-nb's ``{glue:text}`key:fmt``` (``{glue:md}`key```
    for a Markdown value), read from the notebook's stored glue outputs."""
    from docutils.utils import unescape
    from myst_nb.core.variables import RetrievalError
    from myst_nb.ext.glue.roles import PasteMarkdownRole, PasteTextRole
    from myst_nb.ext.glue.utils import retrieve_glue_data

    from .evalprose import parse

    expr = unescape(text)
    try:
        key, fmt = parse(expr)
    except ValueError as exc:
        env = getattr(inliner.document.settings, "env", None)
        page = env.docname if env is not None else inliner.document.get("source", "?")
        msg = inliner.reporter.error(f"{page}: {{eval}}`{expr}`: {exc}", line=lineno)
        prb = inliner.problematic(rawtext, rawtext, msg)
        return [prb], [msg]
    try:
        markdown = fmt is None and "text/markdown" in retrieve_glue_data(inliner.document, key).data
    except RetrievalError:
        markdown = False  # myst-nb's text role reports the missing key
    role = PasteMarkdownRole() if markdown else PasteTextRole()
    return role("glue:md" if markdown else "glue:text", rawtext, key if fmt is None else f"{key}:{fmt}", lineno,
                inliner, options, content)


def setup(app: Any) -> dict:
    app.setup_extension("myst_nb")  # its setup registers its own eval role; ours replaces it
    app.add_role("eval", eval_role, override=True)
    _register_keepcase()
    app.connect("builder-inited", _hidden_input_node)
    app.connect("config-inited", _theme_defaults)
    app.connect("config-inited", _launch_buttons)
    app.connect("html-page-context", _markdown_download, priority=510)  # after the theme's download menu
    app.add_css_file("waferscale.css")
    app.add_js_file("waferscale.js")
    app.connect("html-page-context", _citation_roles)
    app.connect("html-page-context", _dedupe_scripts, priority=900)  # after the themes add theirs
    return {"parallel_read_safe": True, "parallel_write_safe": True}
