"""A myst-nb mime-render plugin: the book shows each chart's HTML, not its Vega-Lite JSON.

Chart outputs carry both ``text/html`` (the offline embed the book displays) and
``application/vnd.vegalite.v*+json`` (which JupyterLab renders natively). myst-nb renders every
mimetype at parse time and warns about ones it does not know; this plugin claims the Vega-Lite
ones and renders nothing for them, so the HTML build stays warning-free without suppressing the
warning for other, genuinely unknown, mimetypes. Registered under the ``myst_nb.mime_renderers``
entry point in pyproject.toml.
"""

from __future__ import annotations

from typing import Any, ClassVar, Sequence


class VegaLiteJsonSkipped:
    """Render ``application/vnd.vegalite.v*+json`` outputs as nothing (the HTML twin is shown)."""

    mime_priority_overrides: ClassVar[Sequence[tuple[str, str, int | None]]] = ()

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list | None:
        if str(data.mime_type).startswith("application/vnd.vegalite.v"):
            return []
        return None
