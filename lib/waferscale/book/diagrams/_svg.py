"""SVG primitives for the book's explanatory diagrams: plain strings, no drawing dependency.

A :class:`Drawing` collects shapes and text in a 720-unit-wide view box (the book column is ~690 px, so one unit
is about one pixel there) and renders a self-contained SVG: ``<title>`` and ``<desc>`` for screen readers, the
book's Okabe-Ito palette and font stack (from :mod:`waferscale.book.charts`), a white background, no external
reference. Text is at least :data:`MIN_FONT` units high: ~19 px in the column (a full-width figure is 672 px wide at a
1280 px window) and ~9.5 px on a 390 px phone (342 px).
Every text's extent is estimated (:data:`CHAR_EM` per character) and :meth:`Drawing.svg` raises ``ValueError``
when one would run off the view box or out of the box it was given (``max_width``): a label cannot be clipped.

Examples
--------
>>> d = Drawing("demo", 60, "A demo", "One labelled box.")
>>> d.rect(10, 10, 200, 40, fill=tint(BLUE, 0.25))
>>> d.text(110, 37, "a box", anchor="middle", max_width=200)
>>> d.svg().startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 60"')
True
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from ..charts import PALETTE, _FONT

__all__ = ["Drawing", "tint", "num", "WIDTH", "MIN_FONT", "CHAR_EM", "BLUE", "ORANGE", "GREEN", "VERMILLION",
           "PINK", "SKY", "YELLOW", "BLACK", "INK", "MUTED"]

BLUE, ORANGE, GREEN, VERMILLION, PINK, SKY, YELLOW, BLACK = PALETTE
INK = "#222222"    # text
MUTED = "#555555"  # secondary text and outlines
WIDTH = 720        # view-box width of every diagram
MIN_FONT = 20      # smallest text, in view-box units
CHAR_EM = 0.6      # estimated advance of one character, in em (generous for Arial / DejaVu Sans)


def tint(colour: str, share: float) -> str:
    """``colour`` mixed with white: ``share`` of the colour (0 = white, 1 = the colour).

    >>> tint("#0072B2", 0.0), tint("#0072B2", 1.0)
    ('#ffffff', '#0072b2')
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share = {share!r} is outside the allowed range [0, 1]")
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in rgb)


def num(x: float, digits: int = 3) -> str:
    """A number for a label: ``digits`` significant digits, thousands separated, no trailing zeros.

    >>> num(970000), num(44.0), num(18.75), num(0.0716, 2)
    ('970,000', '44', '18.8', '0.072')
    """
    if x == 0:
        return "0"
    text = f"{float(f'{x:.{digits}g}'):,.6f}".rstrip("0").rstrip(".")
    return text


def _c(v: float) -> str:
    """A coordinate: at most two decimals, so the SVG text is the same on every machine."""
    return f"{round(v, 2):g}"


class Drawing:
    """One diagram: shapes and labels added in drawing order, rendered by :meth:`svg`."""

    def __init__(self, name: str, height: float, title: str, desc: str):
        if not title.strip() or not desc.strip():
            raise ValueError(f"diagram {name!r} needs a non-empty title and desc (its alt text)")
        self.name, self.height, self.title, self.desc = name, height, title, desc
        self._parts: list[str] = []
        self._arrows: list[str] = []
        self._problems: list[str] = []

    # -- shapes ------------------------------------------------------------------------------------
    def rect(self, x: float, y: float, w: float, h: float, fill: str = "none", stroke: str = MUTED,
             width: float = 1.5, rx: float = 6, dash: str | None = None) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self._parts.append(f'<rect x="{_c(x)}" y="{_c(y)}" width="{_c(w)}" height="{_c(h)}" rx="{_c(rx)}" '
                           f'fill="{fill}" stroke="{stroke}" stroke-width="{_c(width)}"{extra}/>')

    def circle(self, cx: float, cy: float, r: float, fill: str = "none", stroke: str = MUTED,
               width: float = 1.5) -> None:
        self._parts.append(f'<circle cx="{_c(cx)}" cy="{_c(cy)}" r="{_c(r)}" fill="{fill}" stroke="{stroke}" '
                           f'stroke-width="{_c(width)}"/>')

    def path(self, d: str, stroke: str = MUTED, width: float = 2, fill: str = "none", dash: str | None = None,
             arrow: bool = False) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        if arrow:
            extra += f' marker-end="url(#{self._arrow(stroke)})"'
        self._parts.append(f'<path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="{_c(width)}"{extra}/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = MUTED, width: float = 2,
             dash: str | None = None, arrow: bool = False) -> None:
        self.path(f"M{_c(x1)} {_c(y1)} L{_c(x2)} {_c(y2)}", stroke, width, dash=dash, arrow=arrow)

    def cross(self, cx: float, cy: float, r: float, stroke: str = VERMILLION, width: float = 4) -> None:
        """An X mark: a defect or a dead part."""
        self.path(f"M{_c(cx - r)} {_c(cy - r)} L{_c(cx + r)} {_c(cy + r)} M{_c(cx - r)} {_c(cy + r)} "
                  f"L{_c(cx + r)} {_c(cy - r)}", stroke, width)

    def _arrow(self, colour: str) -> str:
        ident = f"{self.name}-arrow-{colour.lstrip('#').lower()}"
        if ident not in self._arrows:
            self._arrows.append(ident)
        return ident

    # -- text --------------------------------------------------------------------------------------
    def text(self, x: float, y: float, s: str, size: float = MIN_FONT, anchor: str = "start",
             weight: int | None = None, fill: str = INK, max_width: float | None = None) -> None:
        """A one-line label; ``y`` is the baseline; ``max_width`` the width it must fit in."""
        if size < MIN_FONT:
            self._problems.append(f"{s!r}: size {size} < {MIN_FONT}")
        w = len(s) * CHAR_EM * size
        x0 = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
        if x0 < 0 or x0 + w > WIDTH or y - 0.8 * size < 0 or y + 0.25 * size > self.height:
            self._problems.append(f"{s!r} runs off the view box")
        if max_width is not None and w > max_width:
            self._problems.append(f"{s!r} ({w:.0f} units) is wider than its box ({max_width:.0f})")
        attrs = f'x="{_c(x)}" y="{_c(y)}" font-size="{_c(size)}"'
        if anchor != "start":
            attrs += f' text-anchor="{anchor}"'
        if weight:
            attrs += f' font-weight="{weight}"'
        self._parts.append(f'<text {attrs} fill="{fill}">{escape(s)}</text>')

    def lines(self, x: float, y: float, rows: list[str], size: float = MIN_FONT, leading: float = 1.3,
              **kw) -> float:
        """Several lines from baseline ``y``; returns the baseline after the last one."""
        for row in rows:
            self.text(x, y, row, size, **kw)
            y += size * leading
        return y

    # -- output ------------------------------------------------------------------------------------
    def svg(self) -> str:
        """The finished SVG document (a string ending in a newline)."""
        if self._problems:
            raise ValueError(f"diagram {self.name!r}: " + "; ".join(self._problems))
        n, h = self.name, _c(self.height)
        defs = "".join(
            f'<marker id="{a}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="4" markerHeight="4" '
            f'orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#{a.rsplit("-", 1)[1]}"/></marker>'
            for a in self._arrows)
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {h}" width="{WIDTH}" height="{h}" '
                f'role="img" aria-labelledby="{n}-title {n}-desc" font-family={quoteattr(_FONT)}>')
        body = [head, f'<title id="{n}-title">{escape(self.title)}</title>',
                f'<desc id="{n}-desc">{escape(self.desc)}</desc>']
        if defs:
            body.append(f"<defs>{defs}</defs>")
        body.append(f'<rect width="{WIDTH}" height="{h}" fill="#ffffff"/>')
        body += self._parts
        body.append("</svg>")
        return "\n".join(body) + "\n"
