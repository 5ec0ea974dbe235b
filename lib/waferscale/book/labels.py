"""Labels a reader can read: SI-prefixed and power-of-ten axis labels (as Vega expressions), powers of ten as
text, short category labels (the full name goes on hover), and the compact source line under a chart.

Used by the chart modules of :mod:`waferscale.book` through :mod:`waferscale.book.charts`' theme.
"""

from __future__ import annotations

from ..core.digits import SUPERSCRIPTS, superscript

__all__ = ["si_labels", "pow10_text", "power_labels", "short_label", "compact_sources", "wrap"]


def si_labels(unit: str = "", *, digits: str = "~s", decades: bool = False) -> str:
    """A Vega ``labelExpr`` that writes an axis value with an SI prefix and a unit: 10 ns, 1 MB, 2 kW.

    d3's ``~s`` format gives ``10n`` or ``1M``; the expression puts a space before the prefix and the unit
    after it (a value with no prefix gets ``1 s``). Use with ``alt.Axis(labelExpr=si_labels("s"))``;
    ``decades=True`` labels only the powers of ten (for a log axis whose ticks between decades crowd).

    >>> si_labels("B")
    "(test(/[yzafpnµmkMGTPEZY]$/, format(datum.value, '~s')) ? slice(format(datum.value, '~s'), 0, -1) + ' ' + slice(format(datum.value, '~s'), -1) : format(datum.value, '~s') + ' ') + 'B'"
    """
    f = f"format(datum.value, '{digits}')"
    body = f"(test(/[yzafpnµmkMGTPEZY]$/, {f}) ? slice({f}, 0, -1) + ' ' + slice({f}, -1) : {f} + ' ')"
    text = f"{body} + '{unit}'" if unit else f"trim({body})"
    if not decades:
        return text
    # on a log axis only the powers of ten are labelled (the ticks between them crowd each other)
    return f"abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) > 1e-6 ? '' : {text}"




def pow10_text(x: float) -> str:
    """A power of ten as a reader writes it: 1e-30 -> '10⁻³⁰', 1000 -> '10³' (other numbers: 3 digits).

    >>> pow10_text(1e-30), pow10_text(1e4), pow10_text(2.5e-3)
    ('10⁻³⁰', '10⁴', '0.0025')
    """
    import math

    if x > 0:
        e = round(math.log10(x))
        if abs(x / 10.0 ** e - 1) < 1e-9:
            return "1" if e == 0 else "10" if e == 1 else "10" + superscript(e)
    return f"{x:.3g}"


def power_labels() -> str:
    """A Vega ``labelExpr`` for a log axis of powers of ten: 10⁻²⁸, 10⁻³, 1, 10, 10⁴ (not 1e-28).

    A tick that is not a power of ten (2, 5 between decades) gets no label, as on a printed log axis.
    """
    e = "round(log(datum.value) / LN10)"
    sup = f"'' + {e}"
    for d, u in SUPERSCRIPTS.items():
        sup = f"replace({sup}, /{d}/g, '{u}')"
    return (f"abs(datum.value / pow(10, {e}) - 1) > 1e-6 ? '' : {e} == 0 ? '1' : {e} == 1 ? '10' : '10' + {sup}")


def short_label(name: str, limit: int = 30) -> str:
    """``name`` cut to ``limit`` characters at a word boundary, with an ellipsis (the chart shows the full
    name on hover): "Dense LLM training (70B, 1M tokens/step)" -> "Dense LLM training (70B, …".

    >>> short_label("Dense LLM training (70B, 1M tokens/step)", 24)
    'Dense LLM training…'
    >>> short_label("short", 24)
    'short'
    """
    name = " ".join(str(name).split())
    if len(name) <= limit:
        return name
    cut = name[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:(–-") + "…"


def compact_sources(sources: str, width_chars: int = 100) -> tuple[str, list[str]]:
    """(one source line for under a chart, the full list one source per line) from a source line.

    A line that fits ``width_chars`` is kept as it is. A longer one becomes a count with the grades it
    carries, "Sources: 7 (spec sheet, vendor claim, derived); hover for the list"; the full list goes to
    the line's tooltip and to the chart's text alternative.

    >>> compact_sources("Sources: Seeds (1967) [peer-reviewed]")
    ('Sources: Seeds (1967) [peer-reviewed]', ['Seeds (1967) [peer-reviewed]'])
    >>> compact_sources("Sources: A (2020) [spec sheet]; B (2021) [vendor claim, derived]", 30)[0]
    'Sources: 2 (spec sheet, vendor claim, derived); hover for the list'
    """
    text = " ".join(sources.split())
    head, _, rest = text.partition(":")
    body = rest.strip() if rest else text
    items = [x.strip() for x in body.split("; ") if x.strip()] or [body]
    if len(text) <= width_chars:
        return text, items
    grades: list[str] = []
    for it in items:
        if it.endswith("]") and "[" in it:
            for g in it[it.rindex("[") + 1:-1].split(","):
                if g.strip() and g.strip() not in grades:
                    grades.append(g.strip())
    kinds = f" ({', '.join(grades)})" if grades else ""
    label = head if rest else "Sources"
    return f"{label}: {len(items)}{kinds}; hover for the list", items


def wrap(text: str, width_chars: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width_chars:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return lines
