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
"""

from __future__ import annotations

from typing import Any


def _theme_defaults(app: Any, config: Any) -> None:
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "light")
    config.html_context = context


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


def setup(app: Any) -> dict:
    _register_keepcase()
    app.connect("config-inited", _theme_defaults)
    app.add_css_file("waferscale.css")
    app.add_js_file("waferscale.js")
    app.connect("html-page-context", _citation_roles)
    app.connect("html-page-context", _dedupe_scripts, priority=900)  # after the themes add theirs
    return {"parallel_read_safe": True, "parallel_write_safe": True}
