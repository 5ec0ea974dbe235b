"""The performance chapter's colours per system and its training chart (the serving charts are in
:mod:`waferscale.book.servecharts`). Each chart is finished (title = finding, source line underneath)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..models.serving import hardware
from ..models import workloads as wl
from ..data.catalog import Catalog
from .charts import finish, source_line

__all__ = ["SYSTEM_COLORS", "system_color", "color_scale", "training_chart", "system_sources"]

_W = 420

#: One Okabe–Ito colour per system family, used by every performance chart (first match wins, so
#: "CPO" precedes "GB200" and "GB200" precedes "B200").
SYSTEM_COLORS: tuple[tuple[str, str], ...] = (
    ("CS-3", "#D55E00"),      # vermillion: the wafer
    ("CPO", "#CC79A7"),       # reddish purple: co-packaged optics
    ("GB200", "#E69F00"),     # orange
    ("B200", "#009E73"),      # bluish green
    ("H200", "#56B4E9"),      # sky blue
    ("H100", "#0072B2"),      # blue
)
_OTHER = "#000000"


def system_color(label: str) -> str:
    """The colour of the system a chart label names (by the first matching key of :data:`SYSTEM_COLORS`).

    >>> system_color("CS-3 (70B, 16-bit)"), system_color("8x B200 (DGX)"), system_color("GB200 NVL72")
    ('#D55E00', '#009E73', '#E69F00')
    """
    for key, colour in SYSTEM_COLORS:
        if key in label:
            return colour
    return _OTHER


def color_scale(labels) -> alt.Scale:
    """An altair colour scale that gives each label its system's colour (same system, same colour, everywhere)."""
    labels = list(dict.fromkeys(labels))
    return alt.Scale(domain=labels, range=[system_color(x) for x in labels])


def system_sources(cat: Catalog, systems, extra=()) -> str:
    """Source line for the catalog rows behind the named systems, plus ``extra`` (source, grade) pairs."""
    pairs = list(extra)
    for s in systems:
        sysobj = hardware(cat, s)
        df = cat.systems[cat.systems["system"].isin([s, sysobj.chip])]
        pairs += list(zip(df["source"], df["grade"]))
    return source_line(pairs, cat)


def training_chart(df: pd.DataFrame, title: str, sources: str, utilisation: float | None = None) -> alt.VConcatChart:
    """Step time, scaling efficiency and link energy per step vs the system's dense peak, one line per build
    (``df`` from :func:`waferscale.models.training.training_curve`).

    If ``df`` has a column ``u`` (the same curves at several utilisations), a menu picks the utilisation, starting
    at ``utilisation``; the title must then hold at every one of them.
    """
    d = df.assign(link_kj=df["comm_energy_j"] / 1e3, eff_pct=100 * df["efficiency"])
    menu = None
    if "u" in d.columns:
        values = sorted(set(float(v) for v in d["u"]))
        start = float(utilisation) if utilisation is not None else values[len(values) // 2]
        if start not in values:
            raise ValueError(f"utilisation={start} is not one of the curves' utilisations {values}")
        menu = alt.param(name="u_pick", value=start, bind=alt.binding_select(
            options=values, labels=[f"{100 * v:.0f} %" for v in values], name="utilisation of the peak "))
    x = alt.X("pflops:Q", scale=alt.Scale(type="log"), title="dense 16-bit peak of the whole system (PFLOP/s, log)",
              axis=alt.Axis(values=[10, 100, 1000, 10000, 100000], format="~s"))
    color = alt.Color("system:N", title=None, scale=color_scale(d["system"]),
                      legend=alt.Legend(orient="top", columns=2, labelLimit=300))
    dash = alt.StrokeDash("system:N", legend=None, scale=alt.Scale(
        domain=list(dict.fromkeys(d["system"])),
        range=[[4, 3] if "CPO" in s else [1, 0] for s in dict.fromkeys(d["system"])]))
    tip = ["system:N", alt.Tooltip("chips:Q", format=","), alt.Tooltip("tp:Q", title="tensor parallel"),
           alt.Tooltip("pp:Q", title="pipeline stages"), alt.Tooltip("dp:Q", title="data-parallel copies"),
           alt.Tooltip("step_s:Q", title="seconds per step", format=".3g"),
           alt.Tooltip("eff_pct:Q", title="scaling efficiency (%)", format=".0f"),
           alt.Tooltip("link_kj:Q", title="link energy per step (kJ)", format=".3g")]
    base = alt.Chart(d).mark_line(point=True).encode(x=x, color=color, strokeDash=dash, tooltip=tip)
    if menu is not None:
        base = base.transform_filter("abs(datum.u - u_pick) < 1e-9")
    a = base.encode(y=alt.Y("step_s:Q", scale=alt.Scale(type="log"), title="seconds per step (log)")).properties(
        width=_W, height=150)
    b = base.encode(y=alt.Y("eff_pct:Q", title="scaling efficiency (%)", scale=alt.Scale(domain=[0, 100]))).properties(
        width=_W, height=120)
    c = base.encode(y=alt.Y("link_kj:Q", scale=alt.Scale(type="log"), title="link energy per step (kJ, log)")).properties(
        width=_W, height=120)
    if menu is not None:
        a = a.add_params(menu)
    sub = ["one point per power-of-two chip count; dashed: the same GB200 racks on co-packaged-optics switches"]
    if menu is not None:
        sub.append("menu: the share of the dense peak the arithmetic reaches (the range the claim is tested over)")
    return finish(alt.vconcat(a, b, c, spacing=8), title=title, sources=sources, width=_W, subtitle=sub)
