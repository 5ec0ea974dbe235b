"""Tables a reader can read: human headers with units, names for ids, numbers formatted, no NaN.

:func:`show` turns a DataFrame that a notebook built into the book's HTML table:

* a header written in snake_case (``price_usd``, ``tokens_per_s``) gets a reader's name and unit
  (:data:`HEADERS`, else the underscores become spaces);
* a grade key (``third_party``) becomes its label ("third party"), also inside "a / b / c" cells;
* the columns named in ``names`` hold catalog ids and show the entity's name instead (the id on hover);
  the columns named in ``ids`` are row ids with no name and are set as code;
* a missing value (NaN, None, an empty string, a dash) shows as an em dash "—";
* a number gets digits for its size: whole numbers with thousands separators (8,000,000), others to three
  significant digits (0.0153, 1.26, 33), very large or small ones as 1.2 × 10⁻⁵; a band "1.3–1.3" whose
  two ends agree becomes the one number;
* the table sits in a box that scrolls sideways when it is wider than the column (with keyboard focus
  and a name, as axe asks of a scroll region).

Examples
--------
>>> import pandas as pd
>>> html = show(pd.DataFrame({"price_usd": [6240000.0], "power_w": [92000.0], "grade": ["third_party"],
...                           "note": [float("nan")]}), label="cost")
>>> [c in html for c in ("price (USD)", "6,240,000", "92,000", "third party", "—")]
[True, True, True, True, True]
>>> cell(1e-28), cell(0.015312), cell(-31.0), cell("1.3–1.3"), cell(12345.0)
('1 × 10⁻²⁸', '0.0153', '−31', '1.3', '12,345')
"""

from __future__ import annotations

import html as _html
import math
import re
from typing import Any, Iterable, Mapping

import pandas as pd

from ..core.digits import superscript
from ..data.catalog import GRADES

__all__ = ["HEADERS", "header", "number", "cell", "show"]

#: Header names for the snake_case columns that chapters show (others: underscores become spaces).
HEADERS: Mapping[str, str] = {
    "tokens_per_s": "tokens/s", "price_usd": "price (USD)", "power_w": "power (W)",
    "usd_per_mtok": "USD per million tokens", "top_customers": "top customers' share of revenue",
    "gpus": "GPUs", "id": "id", "grade": "grade", "units": "units",
}

_MISSING = {"", "–", "-", "nan", "NaN", "None", "<NA>", "—"}
_BAND = re.compile(r"^\s*([−+-]?[\d.,]+)\s*[–-]\s*([−+-]?[\d.,]+)\s*$")


def header(name: str) -> str:
    """A column's header for a reader: :data:`HEADERS` or the name with spaces for underscores.

    >>> header("usd_per_mtok"), header("D used (/cm²)"), header("top_speed")
    ('USD per million tokens', 'D used (/cm²)', 'top speed')
    """
    return HEADERS.get(name, name.replace("_", " ") if "_" in name and " " not in name else name)


def _number(x: float, digits: int = 3) -> str:
    if not math.isfinite(x):
        return "—"
    if x == 0:
        return "0"
    a = abs(x)
    sign = "−" if x < 0 else ""
    if a >= 1e9 or a < 1e-3:
        e = math.floor(math.log10(a))
        m = a / 10.0 ** e
        if round(m, 2) >= 10:
            m, e = m / 10, e + 1
        return f"{sign}{m:.{digits}g} × 10{superscript(e)}"
    if float(a).is_integer():
        return f"{sign}{int(a):,}"
    s = f"{a:.{digits}g}"
    if "e" in s:  # 3 significant digits of a number >= 1000 (12,345.6 -> 12,300)
        s = f"{float(s):,.0f}"
    elif float(s) >= 1000:
        s = f"{float(s):,.0f}"
    return sign + s


def number(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits as a table shows it: 8,000,000; 0.0153; −31; 1.2 × 10⁻⁵.

    >>> number(8e6), number(4.4e9), number(1.2345, 4)
    ('8,000,000', '4.4 × 10⁹', '1.234')
    """
    return _number(float(x), digits)


def cell(v: Any) -> str:
    """One value as the text a table cell shows (see the module docstring)."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int,)) and not isinstance(v, bool):
        return _number(float(v))
    if isinstance(v, float):
        return "—" if math.isnan(v) else _number(v)
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars
        try:
            return cell(v.item())
        except (TypeError, ValueError):
            pass
    s = str(v).strip()
    if s in _MISSING:
        return "—"
    if s in GRADES:
        return GRADES[s]
    if " / " in s and all(p.strip() in GRADES or p.strip() in _MISSING for p in s.split(" / ")):
        return " / ".join(GRADES.get(p.strip(), "—") for p in s.split(" / "))
    m = _BAND.match(s)
    if m and m.group(1) == m.group(2):
        return m.group(1)
    return s


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def show(df: pd.DataFrame, *, names: Iterable[str] = (), ids: Iterable[str] = (), catalog: Any = None,
         headers: Mapping[str, str] | None = None, label: str = "table") -> str:
    """``df`` as the book's HTML table (see the module docstring).

    Parameters
    ----------
    df : DataFrame
        The rows, in the order to show; the index is not shown.
    names : column names
        Columns of catalog entity ids, shown as the entity's name (``catalog.name(id)``), the id on hover.
    ids : column names
        Columns of row ids that have no name: set as code, so that they read as keys, not words.
    catalog : Catalog, optional
        Needed for ``names``; :func:`waferscale.data.catalog.load` if omitted.
    headers : mapping, optional
        Header names for this table, on top of :data:`HEADERS`.
    label : str
        The scroll box's accessible name ("rows of <label>").
    """
    names, ids = set(names), set(ids)
    unknown = (names | ids) - set(df.columns)
    if unknown:
        raise ValueError(f"names/ids={sorted(unknown)} are not columns of the table; columns: {list(df.columns)}")
    cat = None
    if names:
        from ..data import catalog as _catalog

        cat = catalog if catalog is not None else _catalog.load()
    extra = dict(headers or {})
    numeric = {c for c in df.columns if _is_numeric(df[c])}
    num_cls = ' class="ws-num"'
    head = "".join(f'<th scope="col"{num_cls if c in numeric else ""}>'
                   f"{_html.escape(extra.get(c, header(str(c))))}</th>" for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        tds = []
        for c, v in zip(df.columns, rec):
            if c in names and isinstance(v, str) and v.strip():
                text = f'<span title="{_html.escape(v)}">{_html.escape(cat.name(v))}</span>'  # type: ignore[union-attr]
            elif c in ids and isinstance(v, str) and v.strip():
                text = f"<code>{_html.escape(v)}</code>"
            else:
                text = _html.escape(cell(v))
            tds.append(f"<td{num_cls if c in numeric else ''}>{text}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return (f'<div class="ws-table-scroll" tabindex="0" role="region" aria-label="rows of {_html.escape(label)}">'
            f'<table class="table ws-table"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></div>")
