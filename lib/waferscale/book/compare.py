"""Side-by-side specifications of chips, read from the catalog, as ratios to a baseline chip.

A :class:`Metric` names the catalog fields that answer one question ("how fast can the
chip read its weights?") in order of preference: a GPU answers with its HBM bandwidth, a wafer,
which has no HBM, with its SRAM bandwidth. A wafer's power is that of the system built around
it when the catalog gives no chip-level figure.

Examples
--------
>>> from waferscale import load
>>> df = spec_ratios(load(), ["wse3", "h100_sxm"], baseline="h100_sxm")
>>> round(df.loc[(df.system == "wse3") & (df.metric == "area"), "ratio"].item())
57
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import altair as alt
import pandas as pd

from . import charts, labels
from ..data.catalog import Catalog, Fact

__all__ = ["Metric", "METRICS", "resolve", "comparable_chips", "spec_ratios", "spec_ratio_chart"]


@dataclass(frozen=True)
class Metric:
    """One comparable quantity: a key, a label with its unit, and catalog fields in preference order."""

    key: str
    label: str
    fields: tuple[str, ...]


METRICS: tuple[Metric, ...] = (
    Metric("area", "silicon area (mm²)", ("die_area_mm2",)),
    Metric("onchip_memory", "on-chip SRAM (bytes)", ("sram_bytes",)),
    Metric("weight_bandwidth", "bandwidth to weights (bytes/s)", ("hbm_bytes_per_s", "sram_bytes_per_s")),
    Metric("dense_flops", "dense 16-bit FLOP/s", ("bf16_dense_flop_per_s", "fp16_dense_flop_per_s")),
    Metric("power", "power (W)", ("tdp_w", "system_power_w")),
)


def resolve(cat: Catalog, system: str, metric: Metric) -> Fact:
    """The fact that answers ``metric`` for ``system``: its own field, else its host system's.

    Raises
    ------
    ValueError
        If neither the chip nor a system built from it gives any of the metric's fields.
    """
    hosts = list(cat.entities.loc[cat.entities["chip"] == system, "id"])
    for entity in [system, *hosts]:
        for f in metric.fields:
            if cat.has(entity, f):
                return cat.fact(entity, f)
    raise ValueError(f"system={system!r} has none of {metric.fields} (nor do the systems built from it: {hosts})")


def comparable_chips(cat: Catalog, metrics: Sequence[Metric] = METRICS, kinds: Sequence[str] = ("wafer", "gpu")) -> list[str]:
    """Every chip of the given ``kinds`` that answers all ``metrics``, in catalog order: catalog-driven,
    so a chip added to ``entities.csv`` and ``systems.csv`` joins the comparison.

    Raises
    ------
    ValueError
        If a kind is not a systems kind of the catalog.
    """
    allowed = ("wafer", "gpu", "system", "rack", "lithography")
    for k in kinds:
        if k not in allowed:
            raise ValueError(f"kinds={list(kinds)!r}: {k!r} is not one of {allowed}")
    out = []
    for chip in cat.ids("systems"):
        if cat.entities.loc[cat.entities["id"] == chip, "kind"].iloc[0] not in kinds:
            continue
        try:
            for m in metrics:
                resolve(cat, chip, m)
        except ValueError:
            continue
        out.append(chip)
    return out


def spec_ratios(cat: Catalog, systems: Sequence[str], baseline: str, metrics: Sequence[Metric] = METRICS) -> pd.DataFrame:
    """Long table of each metric for each system, and its ratio to ``baseline``.

    Columns: system, name, metric, label, entity, field, value, low, high, ratio, ratio_low,
    ratio_high, source, grade. ``low``/``high`` equal ``value`` where the catalog gives no range.
    A system for which the catalog has no answer to a metric (e.g. an unpublished die area) gets
    no row for it; the table's ``attrs["missing"]`` lists those (system, metric) pairs.
    """
    if baseline not in systems:
        raise ValueError(f"baseline={baseline!r} must be one of systems={list(systems)}")
    rows, missing = [], []
    for m in metrics:
        base = resolve(cat, baseline, m).value
        for s in systems:
            try:
                f = resolve(cat, s, m)
            except ValueError:
                missing.append((s, m.key))
                continue
            lo, hi = f.range
            rows.append({
                "system": s, "name": cat.name(s), "metric": m.key, "label": m.label, "entity": f.entity,
                "field": f.field, "value": f.value, "low": lo, "high": hi,
                "ratio": f.value / base, "ratio_low": lo / base, "ratio_high": hi / base,
                "source": f.source, "grade": f.grade,
            })
    out = pd.DataFrame(rows)
    out.attrs["missing"] = missing
    return out


def spec_ratio_chart(df: pd.DataFrame, baseline_name: str, title: str, sources: str) -> alt.VConcatChart:
    """Dot plot of ``spec_ratios`` output on a log axis, with ranges where the catalog has them."""
    data = df.assign(ratio_text=[f"{r:,.3g}x" for r in df["ratio"]])
    order = list(dict.fromkeys(data["label"]))
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    x_scale = alt.Scale(type="log")
    lo_exp = int(math.floor(math.log10(min(data["ratio_low"].min(), 1.0))))
    hi_exp = int(math.ceil(math.log10(max(data["ratio_high"].max(), 1.0))))
    decades = [10.0**e for e in range(lo_exp, hi_exp + 1)]
    names = list(dict.fromkeys(data["name"]))
    color = alt.Color("name:N", title="chip", sort=names)
    rule = alt.Chart(data).mark_rule(strokeWidth=3, opacity=0.5).encode(
        y=y, x=alt.X("ratio_low:Q", scale=x_scale), x2="ratio_high:Q", color=color.legend(None))
    dots = alt.Chart(data).mark_point(size=110, filled=True, opacity=0.95).encode(
        y=y,
        x=alt.X("ratio:Q", scale=x_scale, title=f"ratio to one {baseline_name} (log scale; 1 = equal)",
                axis=alt.Axis(values=decades, labelExpr=labels.power_labels() if lo_exp < -2 or hi_exp > 4 else
                              "datum.value < 1 ? format(datum.value, '~g') : format(datum.value, ',~g')")),
        color=color,
        shape=alt.Shape("name:N", title="chip", sort=names),
        tooltip=[alt.Tooltip("name:N", title="chip"), alt.Tooltip("label:N", title="metric"),
                 alt.Tooltip("value:Q", title="value (canonical unit)", format=".3~s"),
                 alt.Tooltip("ratio_text:N", title="ratio"), alt.Tooltip("grade:N"), alt.Tooltip("source:N")],
    )
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#888", strokeDash=[4, 3]).encode(x="x:Q")
    chart = (rule + dots + one).properties(width=400, height=40 * len(order))
    return charts.finish(chart, title=title, sources=sources, width=400, subtitle=[
        "Bandwidth to weights: HBM for GPUs, on-chip SRAM for the wafer, which has no HBM.",
        "Power: chip TDP for GPUs, the whole CS-3 system for the wafer. Bars: the catalog's range.",
    ])

