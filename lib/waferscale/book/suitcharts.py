"""Charts of the suitability chapter: the three features, the workload map and the threshold sensitivity.

Each ``*_chart`` function takes a table from :mod:`waferscale.models.suitability` and returns an unfinished
altair chart, which the notebook passes to :func:`waferscale.book.charts.finish` with a title that states
the finding.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..models.suitability import CLASSES, Thresholds
from .labels import short_label

__all__ = ["CLASS_COLORS", "feature_chart", "map_chart", "sensitivity_chart", "validation_chart"]

_W = 400  # plot width: with labels the chart stays within 460 px
#: Colours of the three classes (colour-blind safe: blue, orange, grey).
CLASS_COLORS = {"highly": "#1f77b4", "partially": "#ff7f0e", "not": "#8c8c8c"}
_CLS = alt.Scale(domain=list(CLASSES), range=[CLASS_COLORS[c] for c in CLASSES])


def _short_names(names) -> list[str]:
    """Each workload's name without its parenthesis ("Dense LLM training (70B, 1M tokens/step)" -> "Dense LLM
    training"), cut to 34 characters; the full names if two would read alike. Charts show the full name on hover."""
    names = list(names)
    short = [short_label(str(n).split(" (")[0], 34) for n in names]
    return short if len(set(short)) == len(set(names)) else names


def feature_chart(df: pd.DataFrame, column: str, title: str, threshold: float, *, log: bool = False,
                  passes_above: bool = True) -> alt.LayerChart:
    """Horizontal bars of one feature per workload, with the threshold drawn as a rule.

    Bars are coloured by whether the question passes; ``passes_above`` says which side passes.
    """
    d = df.assign(passes=(df[column] >= threshold) if passes_above else (df[column] <= threshold))
    d = d.assign(answer=d["passes"].map({True: "passes", False: "fails"}))
    d = d.assign(short=_short_names(d["name"]))
    x = alt.X(f"{column}:Q", title=title, scale=alt.Scale(type="log") if log else alt.Undefined)
    mark = alt.Chart(d).mark_circle(size=110, opacity=1) if log else alt.Chart(d).mark_bar()
    bars = mark.encode(
        y=alt.Y("short:N", title=None, sort=alt.EncodingSortField(column, order="descending"),
                axis=alt.Axis(labelLimit=260)),
        x=x,
        color=alt.Color("answer:N", title="question", scale=alt.Scale(domain=["passes", "fails"], range=["#1f77b4", "#c7c7c7"])),
        tooltip=["name:N", alt.Tooltip(f"{column}:Q", format=".3g")],
    ).properties(width=_W - 120, height=20 * len(d))
    rule = alt.Chart(pd.DataFrame({"t": [threshold]})).mark_rule(color="#d62728", strokeDash=[4, 3]).encode(x="t:Q")
    return alt.layer(bars, rule)


_MAP_H = 300  # px
_SIZE_PX2 = (40.0, 600.0)  # bubble area range of the map (px²), shared by marks and label offsets


def _crowded(df: pd.DataFrame, dx: float = 0.2, dlog10y: float = 0.2) -> list[bool]:
    """Which points get their label below the point: the later of two close neighbours does."""
    below: list[bool] = []
    pts = list(zip(df["comm_share"], np.log10(df["mapping_efficiency"].clip(lower=1e-12))))
    for i, (x, y) in enumerate(pts):
        clash = any(abs(x - x0) < dx and abs(y - y0) < dlog10y and not below[j] for j, (x0, y0) in enumerate(pts[:i]))
        below.append(bool(clash))
    return below


def map_chart(df: pd.DataFrame, thresholds: Thresholds | None = None) -> alt.LayerChart:
    """Workloads on Q1 (x) and Q3 (y, log), size = wafers (Q2); class recomputed live from a slider.

    The slider (param ``comm_threshold``) moves the Q1 threshold; the colour is the class the three
    features give under it, with the Q2 and Q3 thresholds fixed at their defaults.
    """
    t = thresholds or Thresholds()
    slider = alt.param(name="comm_threshold", value=t.comm_share,
                       bind=alt.binding_range(min=0.0, max=0.9, step=0.05, name="Q1 threshold (comm share) "))
    data = df[["name", "comm_share", "mapping_efficiency", "wafers", "derived", "article"]].copy()
    data["label_below"] = _crowded(data)
    # Labels start just right of their bubble: its radius from the same log size scale as the marks.
    lw = np.log(data["wafers"].clip(lower=1e-12))
    span = float(lw.max() - lw.min()) or 1.0
    area = _SIZE_PX2[0] + (_SIZE_PX2[1] - _SIZE_PX2[0]) * (lw - lw.min()) / span
    radius_px = np.sqrt(area / np.pi)
    dy_px = np.where(data["label_below"], radius_px * 0.5 + 6, -4.0)
    # pixel offsets to data units: x is linear on [0, 1]; y is log over the nice (whole-decade) domain
    y = data["mapping_efficiency"]
    decades = np.ceil(np.log10(y.max())) - np.floor(np.log10(y.min()))
    data["label_x"] = data["comm_share"] + (radius_px + 3) / _W
    data["label_y"] = y * 10 ** (-dy_px / _MAP_H * decades)
    base = alt.Chart(data)
    calc = base.transform_calculate(
        passed=f"(datum.comm_share >= comm_threshold ? 1 : 0) + (datum.wafers <= {t.wafers} ? 1 : 0)"
               f" + (datum.mapping_efficiency >= {t.mapping} ? 1 : 0)",
    ).transform_calculate(
        cls="datum.passed == 3 ? 'highly' : datum.passed == 2 ? 'partially' : 'not'")
    pts = calc.mark_circle(opacity=0.85, stroke="black", strokeWidth=0.5).encode(
        x=alt.X("comm_share:Q", title="Q1: communication share of a GPU-cluster step", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("mapping_efficiency:Q", title="Q3: mapping efficiency on the mesh", scale=alt.Scale(type="log")),
        size=alt.Size("wafers:Q", title="Q2: wafers", scale=alt.Scale(type="log", range=list(_SIZE_PX2))),
        color=alt.Color("cls:N", title="derived class", scale=_CLS),
        order=alt.Order("wafers:Q", sort="descending"),  # big bubbles first, so small points stay visible
        tooltip=["name:N", alt.Tooltip("comm_share:Q", format=".2f"), alt.Tooltip("mapping_efficiency:Q", format=".3f"),
                 "wafers:Q", alt.Tooltip("cls:N", title="derived (slider)"), alt.Tooltip("article:N", title="article")],
    ).add_params(slider)
    def labels_where(below: bool) -> alt.Chart:
        return calc.transform_filter(f"datum.label_below == {str(below).lower()}").mark_text(
            align="left", baseline="middle", fontSize=9, color="#333").encode(
            x="label_x:Q", y="label_y:Q", text="short:N",
        ).transform_calculate(short="split(datum.name, ' (')[0]")

    labels = alt.layer(labels_where(False), labels_where(True))
    vrule = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#d62728", strokeDash=[4, 3]).encode(
        x=alt.X("t:Q")).transform_calculate(t="comm_threshold")
    hrule = alt.Chart(pd.DataFrame({"y": [t.mapping]})).mark_rule(color="#9467bd", strokeDash=[2, 2]).encode(y="y:Q")
    return alt.layer(pts, labels, vrule, hrule).properties(width=_W, height=_MAP_H)


def sensitivity_chart(sens: pd.DataFrame, names: list[str], defaults: dict[str, float]) -> alt.VConcatChart:
    """For each threshold, a strip per workload coloured by derived class as the threshold moves.

    ``defaults`` marks each threshold's default with a rule.
    """
    panels = []
    titles = {"comm_share": "Q1 threshold: communication share", "wafers": "Q2 threshold: wafers (log)",
              "mapping": "Q3 threshold: mapping efficiency (log)"}
    short_of = dict(zip(names, _short_names(names)))
    for th in ["comm_share", "wafers", "mapping"]:
        d = sens[sens["threshold"] == th]
        log = th != "comm_share"
        x = alt.X("value:Q", title=titles[th], scale=alt.Scale(type="log") if log else alt.Undefined)
        d = d.assign(short=[short_of.get(n, n) for n in d["name"]])
        tiles = alt.Chart(d).mark_tick(thickness=4, size=12).encode(
            x=x, y=alt.Y("short:N", title=None, sort=[short_of.get(n, n) for n in names], axis=alt.Axis(labelLimit=260)),
            color=alt.Color("derived:N", title="derived class", scale=_CLS),
            tooltip=["name:N", alt.Tooltip("value:Q", format=".3g"), "derived:N"],
        ).properties(width=_W - 100, height=14 * len(names))
        rule = alt.Chart(pd.DataFrame({"v": [defaults[th]]})).mark_rule(color="#d62728", strokeDash=[4, 3]).encode(x="v:Q")
        panels.append(alt.layer(tiles, rule))
    return alt.vconcat(*panels, spacing=12).resolve_scale(color="shared")


def validation_chart(vt: pd.DataFrame) -> alt.Chart:
    """Predicted / reported per HPC result (log), with the 1:1 line."""
    d = vt.assign(ratio=vt["predicted"] / vt["reported"], label=vt["kernel"].str.split(" \\(").str[0])
    pts = alt.Chart(d).mark_point(filled=True, size=120).encode(
        y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
        x=alt.X("ratio:Q", title="predicted / reported (log)", scale=alt.Scale(type="log")),
        color=alt.Color("bound:N", title="model bound"),
        tooltip=["id:N", alt.Tooltip("reported:Q", format=".3g"), alt.Tooltip("predicted:Q", format=".3g"),
                 alt.Tooltip("ratio:Q", format=".2f")],
    ).properties(width=_W - 180, height=30 * len(d))
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="black").encode(x="x:Q")
    return alt.layer(pts, one)
