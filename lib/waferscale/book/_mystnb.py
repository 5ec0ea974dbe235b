"""A myst-nb mime-render plugin: the book shows each chart's HTML embed, not its Vega-Lite JSON.

A chart output in a notebook (``waferscale.book.charts.notebook_bundle``) carries

* ``application/vnd.waferscale.chart+html`` (:data:`waferscale.book.charts.BOOK_MIME`): the offline embed
  the book displays, a ``<div>`` and a script calling ``vegaEmbed`` from ``_static/vega-bundle.js``.
  It is not stored as ``text/html`` because JupyterLab prefers ``text/html`` to its Vega renderer and
  cannot draw the embed (it has no vega-bundle.js);
* ``application/vnd.vegalite.v5+json``, which JupyterLab's built-in Vega 5 renderer draws;
* ``text/plain``.

This plugin renders the first as raw HTML, exactly as myst-nb renders ``text/html``, and puts it first in
the html builder's priority list; it claims the Vega-Lite types and renders nothing for them, so the
build stays warning-free without suppressing the warning for other, genuinely unknown, mimetypes.
Registered under the ``myst_nb.mime_renderers`` entry point in pyproject.toml.
"""

from __future__ import annotations

from typing import Any, ClassVar, Sequence

#: waferscale.book.charts.BOOK_MIME (not imported: importing charts would import altair into every build step)
BOOK_MIME = "application/vnd.waferscale.chart+html"


class VegaLiteJsonSkipped:
    """Render the book's chart embed as HTML, and ``application/vnd.vegalite.v*+json`` as nothing."""

    # before text/html (30) for web pages; other builders fall back to text/plain as before
    mime_priority_overrides: ClassVar[Sequence[tuple[str, str, int | None]]] = (
        ("html", BOOK_MIME, 25),
        ("dirhtml", BOOK_MIME, 25),
        ("singlehtml", BOOK_MIME, 25),
    )

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list | None:
        mime = str(data.mime_type)
        if mime == BOOK_MIME:
            from docutils import nodes

            return [nodes.raw(text=data.string, format="html", classes=["output", "text_html"])]
        if mime.startswith("application/vnd.vegalite.v"):
            return []
        return None
