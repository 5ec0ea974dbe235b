"""Charts of the yield chapter, built from :mod:`waferscale.models.yields`, :mod:`waferscale.models.redundancy`
and the catalog. Each returns a finished altair chart (title = finding, source line underneath).
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ..models import yields
from ..data.catalog import GRADES, Catalog
from ..models.redundancy import segment_cores
from .charts import PALETTE, finish, source_line
from .labels import pow10_text, power_labels, short_label

__all__ = [
    "model_curves",
    "model_curves_chart",
    "timeline_chart",
    "defect_history",
    "defect_history_chart",
    "spare_fraction_table",
    "spare_fraction_chart",
    "interactive_yield_chart",
]

#: Curves stop where yield falls below this value; charts say so.
YIELD_FLOOR = 1e-30

_MODEL_LABELS = {
    "poisson": "Poisson",
    "murphy": "Murphy",
    "seeds": "Seeds",
    "bose_einstein": "Bose–Einstein",
    "negative_binomial": "negative binomial",
}


def model_curves(densities: dict[str, float], *, area_max_mm2: float, layers: float, alpha: float,
                 points: int = 120) -> pd.DataFrame:
    """Yield of the five models over die areas 1 mm² … ``area_max_mm2`` for each labelled density."""
    area = np.geomspace(1.0, area_max_mm2, points)
    rows = []
    for label, d in densities.items():
        for key in _MODEL_LABELS:
            y = yields.die_yield(key, area, d, alpha=alpha, layers=layers)
            for a, v in zip(area, y):
                rows.append({"area_mm2": float(a), "yield": float(v), "model": _MODEL_LABELS[key], "density": label})
    df = pd.DataFrame(rows)
    return df[df["yield"] >= YIELD_FLOOR].reset_index(drop=True)


def model_curves_chart(df: pd.DataFrame, marks: dict[str, float], title: str, sources: str) -> alt.VConcatChart:
    """Log–log yield vs area, one colour per model, one dash per density, with marked areas."""
    base = alt.Chart(df).mark_line().encode(
        x=alt.X("area_mm2:Q", scale=alt.Scale(type="log"), title="die area (mm², log scale)"),
        y=alt.Y("yield:Q", scale=alt.Scale(type="log"), title="die yield (log scale)",
                axis=alt.Axis(labelExpr=power_labels())),
        color=alt.Color("model:N", title="model", sort=list(_MODEL_LABELS.values()), legend=alt.Legend(columns=3)),
        strokeDash=alt.StrokeDash("density:N", title="defect density", legend=alt.Legend(columns=1)),
        tooltip=["model:N", "density:N", alt.Tooltip("area_mm2:Q", format=",.0f"), alt.Tooltip("yield:Q", format=".3~e")],
    )
    m = pd.DataFrame({"area_mm2": list(marks.values()), "label": list(marks.keys())})
    rules = alt.Chart(m).mark_rule(color="#555", strokeDash=[2, 2]).encode(x="area_mm2:Q")
    text = alt.Chart(m).mark_text(align="left", dx=4, dy=-4, baseline="top", color="#333").encode(
        x="area_mm2:Q", y=alt.value(4), text="label:N")
    chart = (base + rules + text).properties(width=430, height=300)
    return finish(chart, title=title, sources=sources, width=430,
                  subtitle=f"Curves stop where yield falls below {pow10_text(YIELD_FLOOR)}.")


def timeline_chart(cat: Catalog) -> alt.VConcatChart:
    """Events of wafer-scale history from the catalog, one lane per category."""
    ev = cat.events.copy()
    ev["year"] = ev["date"].str.slice(0, 4).astype(int)
    ev["figure"] = [f"{v:,.4g} {u}" for v, u in zip(ev["value"], ev["unit"])]
    ev["grade_label"] = [GRADES[g] for g in ev["grade"]]
    lanes = {"wafer_scale_attempt": "early wafer-scale", "cerebras": "Cerebras", "nvidia": "NVIDIA",
             "packaging": "packaging", "industry": "industry"}
    ev["lane"] = [lanes.get(c, c) for c in ev["category"]]
    ev["short"] = [short_label(t, 52) for t in ev["title"]]
    ev = ev.sort_values("date", kind="stable").reset_index(drop=True)
    ev["row"] = ev.index
    order = [v for v in lanes.values() if v in set(ev["lane"])]
    # one row per event, labelled on the page (and in print): the label sits right of an early event and
    # left of a late one, so that it stays inside the plot
    mid = (int(ev["year"].min()) + int(ev["year"].max())) / 2
    ev["right"] = ev["year"] < mid
    x = alt.X("year:Q", title="year", scale=alt.Scale(zero=False, nice=False, padding=12), axis=alt.Axis(format="d"))
    y = alt.Y("row:O", title=None, axis=None)
    tip = [alt.Tooltip("date:N"), alt.Tooltip("title:N"), alt.Tooltip("lane:N", title="lane"),
           alt.Tooltip("figure:N", title="key figure"), alt.Tooltip("grade_label:N", title="grade"),
           alt.Tooltip("source:N")]
    dots = alt.Chart(ev).mark_point(size=80, filled=True).encode(
        x=x, y=y, tooltip=tip,
        color=alt.Color("lane:N", title=None, sort=order, scale=alt.Scale(domain=order, range=list(PALETTE[: len(order)])),
                        legend=alt.Legend(columns=5)))
    text = alt.Chart(ev).encode(x=x, y=y, text="label:N", tooltip=tip).transform_calculate(
        label="datum.date + '  ' + datum.short")
    right = text.transform_filter("datum.right").mark_text(align="left", dx=8, fontSize=11, color="#222")
    left = text.transform_filter("!datum.right").mark_text(align="right", dx=-8, fontSize=11, color="#222")
    chart = alt.layer(dots, right, left).properties(width=560, height=alt.Step(17))
    first, last = int(ev["year"].min()), int(ev["year"].max())
    return finish(
        chart,
        title=f"Wafer-scale attempts stop after {int(ev.loc[ev['lane'] == 'early wafer-scale', 'year'].max())} and "
              f"return only with Cerebras in {int(ev.loc[ev['lane'] == 'Cerebras', 'year'].min())}",
        subtitle=f"{len(ev)} catalog events, {first}–{last}, one a row; hover an event for its figure, grade and source.",
        sources=source_line(ev[["source", "grade"]], cat), width=560,
    )


def defect_history(cat: Catalog, system: str = "wse3", target_yield: float = 0.9) -> pd.DataFrame:
    """Each catalog defect density with the yield a ``system``-like wafer would have had at it.

    Rows graded ``uncertain`` are left out: in this table they are teaching values whose year is a
    placeholder, and a year axis would place them where no source does. Columns: year, node, value (D), low, high, grade, source, yield_spares (the system's spare
    budget: one spare per L cores), yield_none (a perfect wafer demanded), meets_target.
    """
    physical = int(cat.value(system, "cores_physical"))
    core = cat.value(system, "core_area_mm2")
    length = segment_cores(cat, system)
    d = cat.defect_densities[cat.defect_densities["grade"] != "uncertain"].sort_values(["year", "id"], kind="stable").copy()
    d["low"] = d["low"].fillna(d["value"])
    d["high"] = d["high"].fillna(d["value"])
    d["yield_spares"] = yields.array_yield(physical, core, d["value"].to_numpy(), length, 1)
    d["yield_none"] = yields.poisson(physical * core, d["value"].to_numpy())
    d["meets_target"] = d["yield_spares"] >= target_yield
    d["segment_cores"] = length
    return d[["id", "year", "node", "value", "low", "high", "grade", "source", "yield_spares", "yield_none",
              "meets_target", "segment_cores"]].reset_index(drop=True)


def defect_history_chart(hist: pd.DataFrame, cat: Catalog, target_yield: float) -> alt.VConcatChart:
    """Defect density by year (with ranges) coloured by whether the wafer would yield."""
    h = hist.assign(
        grade_label=[GRADES[g] for g in hist["grade"]],
        verdict=[f"yields ≥ {target_yield:.0%}" if m else f"yields < {target_yield:.0%}" for m in hist["meets_target"]],
        yield_text=[f"{y:.3g}" for y in hist["yield_spares"]],
    )
    x = alt.X("year:Q", title="year the density applies to", scale=alt.Scale(zero=False), axis=alt.Axis(format="d"))
    y_scale = alt.Scale(type="log")
    bars = alt.Chart(h).mark_rule(strokeWidth=2, opacity=0.6).encode(x=x, y=alt.Y("low:Q", scale=y_scale), y2="high:Q")
    pts = alt.Chart(h).mark_point(size=90, filled=True).encode(
        x=x,
        y=alt.Y("value:Q", scale=y_scale, title="fatal defect density D₀ (per cm², log scale)"),
        color=alt.Color("verdict:N", title="a WSE-3-like wafer",
                        scale=alt.Scale(domain=[f"yields < {target_yield:.0%}", f"yields ≥ {target_yield:.0%}"],
                                        range=["#D55E00", "#009E73"])),
        shape=alt.Shape("grade_label:N", title="grade"),
        tooltip=["node:N", "year:Q", alt.Tooltip("value:Q", title="D0 (/cm²)"), "grade_label:N",
                 alt.Tooltip("yield_text:N", title="full-array yield"), "source:N"],
    )
    first = h.loc[h["meets_target"], "year"].min()
    title = (f"With its spare budget, a WSE-3-like wafer first yields ≥ {target_yield:.0%} at the densities "
             f"reported for {int(first)}" if pd.notna(first) else "No catalog density lets the wafer yield")
    chart = (bars + pts).properties(width=430, height=260)
    return finish(chart, title=title, sources=source_line(h[["source", "grade"]], cat), width=430,
                  subtitle=[f"1 spare per {int(h['segment_cores'].iloc[0])} cores, WSE-3 core size; "
                            "bars: the source's range.",
                            "Teaching values without a dated source (graded uncertain) are left out."])


def spare_fraction_table(core_areas_mm2: dict[str, float], densities: np.ndarray, wafer_area_mm2: float,
                         target_yield: float) -> pd.DataFrame:
    """Smallest spare fraction that gives ``target_yield`` for each core size and density."""
    from ..models.redundancy import required_spare_fraction

    rows = []
    for label, area in core_areas_mm2.items():
        cores = int(wafer_area_mm2 // area)
        for d in densities:
            try:
                f = required_spare_fraction(area, float(d), cores, target_yield=target_yield)
            except ValueError:  # the target is out of reach at this density: no point
                continue
            if math.isfinite(f):
                rows.append({"core": label, "core_area_mm2": area, "defects_per_cm2": float(d), "spare_fraction": f})
    return pd.DataFrame(rows)


def spare_fraction_chart(df: pd.DataFrame, design_fraction: float, title: str, sources: str) -> alt.VConcatChart:
    """Required spare fraction vs density, one line per core size, WSE-3's design budget marked."""
    lo = math.floor(math.log10(df["defects_per_cm2"].min()))
    hi = math.ceil(math.log10(df["defects_per_cm2"].max()))
    lines = alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("defects_per_cm2:Q", scale=alt.Scale(type="log"), title="fatal defect density (per cm², log scale)",
                axis=alt.Axis(values=[10.0**e for e in range(lo, hi + 1)], format="~g")),
        y=alt.Y("spare_fraction:Q", scale=alt.Scale(type="log"), title="spare cores needed (fraction, log scale)",
                axis=alt.Axis(format="~%")),
        color=alt.Color("core:N", title="core size", sort=list(dict.fromkeys(df["core"]))),
        tooltip=["core:N", alt.Tooltip("defects_per_cm2:Q", format=".3g"), alt.Tooltip("spare_fraction:Q", format=".2%")],
    )
    rule = alt.Chart(pd.DataFrame({"f": [design_fraction], "label": ["WSE-3 spare budget"]})).mark_rule(
        color="#333", strokeDash=[5, 3]).encode(y="f:Q")
    lab = alt.Chart(pd.DataFrame({"f": [design_fraction], "label": ["WSE-3 spare budget"]})).mark_text(
        align="left", dy=-6, color="#333").encode(y="f:Q", x=alt.value(4), text="label:N")
    chart = (lines + rule + lab).properties(width=430, height=280)
    return finish(chart, title=title, sources=sources, width=430,
                  subtitle=["Smallest s/L (1–4 spares per segment of L cores) giving the target whole-wafer yield;",
                            "lines end where even one spare per two cores is not enough."])


def interactive_yield_chart(wafer_area_mm2: float, core_area_mm2: float, segment_cores: int, sources: str,
                            density_range: tuple[float, float] = (1e-3, 10.0)) -> alt.VConcatChart:
    """Whole-wafer yield vs defect density, with and without spares; sliders for core size and L.

    The spared curve is evaluated in the browser from the Poisson segment yield
    ``Y = exp((A / (a·L)) · (ln(1 + λ) − λ))``, ``λ = D·a·L / 100`` (A wafer area, a core area, mm²).
    """
    d = np.geomspace(*density_range, 160)
    data = pd.DataFrame({"D": d, "no_spares": yields.poisson(wafer_area_mm2, d)})
    # a menu of core areas with human labels (0.05 mm², 1 mm²), on a log grid that holds the default
    start = round(math.log10(core_area_mm2), 2)
    logs = sorted({round(-2.0 + 0.1 * i, 2) for i in range(31)} | {start})
    log_core = alt.param(name="log10_core_area_mm2", value=start, bind=alt.binding_select(
        options=logs, labels=[f"{10 ** v:.2g} mm²" for v in logs], name="core area "))
    seg = alt.param(name="segment_cores", value=int(segment_cores),
                    bind=alt.binding_range(min=2, max=64, step=1, name="cores per spare (L) "))
    base = alt.Chart(data).transform_calculate(
        core="pow(10, log10_core_area_mm2)",
        lam="datum.D * datum.core * segment_cores / 100",
    ).transform_calculate(
        with_spares=f"exp(({wafer_area_mm2} / (datum.core * segment_cores)) * (log(1 + datum.lam) - datum.lam))",
        no_spares_="datum.no_spares",
    ).transform_fold(["with_spares", "no_spares_"], as_=["design", "yield"]).transform_calculate(
        design_label="datum.design == 'with_spares' ? '1 spare per L cores' : 'no spares (perfect wafer)'",
    ).transform_filter(f"datum.yield >= {YIELD_FLOOR}")
    lines = base.mark_line().encode(
        x=alt.X("D:Q", scale=alt.Scale(type="log"), title="fatal defect density (per cm², log scale)"),
        y=alt.Y("yield:Q", scale=alt.Scale(type="log", domain=[YIELD_FLOOR, 1]), title="whole-wafer yield (log scale)",
                axis=alt.Axis(labelExpr=power_labels())),
        color=alt.Color("design_label:N", title="design", scale=alt.Scale(range=["#009E73", "#D55E00"])),
        tooltip=[alt.Tooltip("D:Q", format=".3g"), "design_label:N", alt.Tooltip("yield:Q", format=".3~e")],
    ).add_params(log_core, seg).properties(width=430, height=280)
    return finish(
        lines,
        title="Without spares a whole wafer yields only at tiny defect densities; spares move that limit right",
        subtitle=["Pick a core area and move the slider: smaller cores and more spares push the green curve right.",
                  f"Wafer area {wafer_area_mm2:,.0f} mm²; curves stop below {pow10_text(YIELD_FLOOR)}."],
        sources=sources, width=430,
    )
