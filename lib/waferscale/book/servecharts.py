"""Charts of the serving model: the speed–throughput frontier and the accuracy table.

Built from :mod:`waferscale.models.serving` and :mod:`waferscale.fit.servefit`; each returns a finished altair
chart (title = a finding that holds under every setting of its controls, sources underneath).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..data.catalog import Catalog
from ..models import workloads as wl
from ..models.serving import OperatingPoint, ServeParams, frontier, hardware
from ..models.serving.wafer import wafers_needed
from .charts import finish
from .perfcharts import color_scale

__all__ = ["MIXES", "METRICS", "frontier_data", "frontier_chart", "accuracy_chart", "layout_table", "measured_points",
           "pareto"]

#: Request mixes offered by the frontier chart's control: (label, input tokens, output tokens).
MIXES = (("chat: 1,000 in, 1,000 out", 1000, 1000), ("long answers: 128 in, 2,048 out", 128, 2048),
         ("long prompts: 5,000 in, 500 out", 5000, 500))
#: Throughput normalisations the chart offers: (label, column).
METRICS = (("per chip", "per_chip"), ("per kW", "per_kw"), ("per $M of hardware", "per_musd"))


def _nulls(df: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None (JSON null in the chart's data, never NaN): a system without a price has no
    throughput per dollar."""
    return df.astype(object).where(df.notna(), None) if df.isna().any().any() else df


def pareto(df: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """The rows no other row beats on both ``x`` and ``y`` (higher is better), sorted by falling ``x``."""
    d = df.sort_values([x, y], ascending=[False, False], kind="stable")
    keep, top = [], -np.inf
    for i, v in zip(d.index, d[y]):
        if v > top * (1 + 1e-9):
            keep.append(i)
            top = v
    return d.loc[keep]


def frontier_data(cat: Catalog, prm: ServeParams, systems: dict[str, str], models: dict[str, str],
                  precisions: dict[str, str], wafer_spans=(1, 2, 4)) -> pd.DataFrame:
    """Every frontier point for each (system, model, mix, precision): per-user speed and throughput per chip,
    per kW (at the load-dependent wall power) and per million dollars of hardware where a price is known.

    A wafer system has no fixed size: its frontier is the per-chip envelope over 1, 2 and 4 times the wafers that
    hold the weights (more wafers hold more users' KV cache and spread the weights over more PEs)."""
    rows = []
    for sid, sname in systems.items():
        hw = hardware(cat, sid)
        for mid, mname in models.items():
            m = wl.model(cat, mid)
            for mix, i, o in MIXES:
                for plabel, prec in precisions.items():
                    op = OperatingPoint(i, o, prec)
                    pts = []
                    try:
                        if hw.kind == "wafer":
                            w0 = int(wafers_needed(hw, m, op, prm))
                            for k in wafer_spans:
                                pts += frontier(hw, m, op, prm, chips=k * w0)
                        else:
                            pts = frontier(hw, m, op, prm)
                    except ValueError:
                        continue
                    part = pd.DataFrame([{
                        "system": sname, "model": mname, "mix": mix, "precision": plabel,
                        "per_user": r.tokens_per_s_per_user, "per_chip": r.tokens_per_s_per_chip,
                        "per_kw": r.tokens_per_s_per_kw, "users": r.users, "chips": r.chips,
                        "per_musd": r.tokens_per_s_per_musd,
                        "layout": (f"{r.chips} wafers" if hw.kind == "wafer" else
                                   f"tp {r.layout.tp} · pp {r.layout.pp} · ep {r.layout.ep} · "
                                   f"{r.layout.replicas} copies")} for r in pts])
                    rows.append(pareto(part, "per_user", "per_chip") if hw.kind == "wafer" else part)
    return _nulls(pd.concat(rows, ignore_index=True))


def measured_points(cat: Catalog, acc: pd.DataFrame, systems: dict[str, str], models: dict[str, str],
                    prm: ServeParams) -> pd.DataFrame:
    """Measured one-user speeds of the frontier's systems and models, per chip and per kW at full wall power
    (the chips are those the model needs for that row: a wafer count, or the server's GPUs)."""
    from ..models.serving import hardware as _hw
    rows = []
    for r in acc[(acc["objective"] == "users") & acc["model"].isin(list(models)) & acc["system"].isin(list(systems))
                 ].itertuples():
        hw = _hw(cat, r.system)
        chips = (hw.chips if hw.kind == "gpu" else
                 int(wafers_needed(hw, wl.model(cat, r.model), OperatingPoint(precision=r.precision), prm)))
        rows.append({"system": systems[r.system], "model": models[r.model], "label": f"{r.id} (measured)",
                     "per_user": r.measured, "per_chip": r.measured / chips,
                     "per_kw": r.measured / (chips * hw.wall_power_w_per_chip / 1e3),
                     "per_musd": (None if hw.price_usd_per_chip is None
                                  else r.measured / (chips * hw.price_usd_per_chip / 1e6))})
    return _nulls(pd.DataFrame(rows))


def frontier_chart(df: pd.DataFrame, measured: pd.DataFrame, title: str, sources: str) -> alt.VConcatChart:
    """Throughput (per chip or per kW) against tokens/s per user, one line per system; controls for the model,
    the request mix, the precision and the normalisation; measured one-user speeds as points."""
    model = alt.param(name="model_pick", value=df["model"].iloc[0],
                      bind=alt.binding_select(options=list(dict.fromkeys(df["model"])), name="model "))
    mix = alt.param(name="mix_pick", value=MIXES[0][0],
                    bind=alt.binding_select(options=[m[0] for m in MIXES], name="requests "))
    prec = alt.param(name="precision_pick", value=df["precision"].iloc[0],
                     bind=alt.binding_select(options=list(dict.fromkeys(df["precision"])), name="weights "))
    metric = alt.param(name="metric_pick", value=METRICS[0][1],
                       bind=alt.binding_radio(options=[m[1] for m in METRICS], labels=[m[0] for m in METRICS],
                                              name="throughput "))
    colors = color_scale(sorted(set(df["system"])))
    base = alt.Chart(df).transform_filter(
        "datum.model == model_pick && datum.mix == mix_pick && datum.precision == precision_pick"
    ).transform_calculate(
        y="metric_pick == 'per_kw' ? datum.per_kw : metric_pick == 'per_musd' ? datum.per_musd : datum.per_chip"
    ).transform_filter("isValid(datum.y) && datum.y > 0")
    lines = base.mark_line(point=alt.OverlayMarkDef(size=18), interpolate="step-after").encode(
        x=alt.X("per_user:Q", title="tokens/s per user", scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~s")),
        y=alt.Y("y:Q", title="output tokens/s per chip, per kW or per $M", scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~s")),
        color=alt.Color("system:N", scale=colors, title=None, legend=alt.Legend(orient="top", columns=3)),
        order=alt.Order("per_user:Q", sort="descending"),
        tooltip=["system:N", alt.Tooltip("per_user:Q", title="tok/s per user", format=",.0f"),
                 alt.Tooltip("per_chip:Q", title="tok/s per chip", format=",.0f"),
                 alt.Tooltip("per_kw:Q", title="tok/s per kW", format=",.0f"),
                 alt.Tooltip("per_musd:Q", title="tok/s per $M", format=",.0f"), alt.Tooltip("users:Q", format=","),
                 "layout:N"])
    layers = [lines]
    if len(measured):
        pts = alt.Chart(measured).transform_filter("datum.model == model_pick").transform_calculate(
            y="metric_pick == 'per_kw' ? datum.per_kw : metric_pick == 'per_musd' ? datum.per_musd : datum.per_chip"
        ).transform_filter("isValid(datum.y) && datum.y > 0").mark_point(
            shape="diamond", size=90, filled=True, stroke="black", strokeWidth=0.6).encode(
            x="per_user:Q", y="y:Q", color=alt.Color("system:N", scale=colors, title=None),
            tooltip=["label:N", alt.Tooltip("per_user:Q", title="measured tok/s per user", format=",.0f")])
        layers.append(pts)
    chart = alt.layer(*layers).add_params(model, mix, prec, metric).properties(width=520, height=330)
    return finish(chart, title=title, sources=sources, width=520,
                  subtitle=["Each line: the best layout at every load, from one user (right) to full memory (left);",
                            "diamonds: measured one-user speeds (per chip, per kW at full wall power, or per $M where priced)"])


def accuracy_chart(t: pd.DataFrame, title: str, sources: str) -> alt.VConcatChart:
    """Predicted over measured for every row, grouped (calibration in sample; validation; wafer leave-one-out)."""
    d = t.dropna(subset=["predicted"]).assign(
        ratio=lambda x: x["predicted"] / x["measured"],
        group=lambda x: np.where(x["role"] == "wafer", "CS-3, leave-one-out",
                                 np.where(x["role"] == "calibration", "GPU calibration (fitted)",
                                          "GPU validation (never fitted)")),
        label=lambda x: x["id"],
        jitter=lambda x: ((np.arange(len(x)) * 7) % 11 - 5) * 3.0)   # a fixed spread, the same on every render
    chart = alt.Chart(d).mark_point(filled=True, size=50).encode(
        x=alt.X("ratio:Q", title="predicted / measured (1 = exact)", scale=alt.Scale(type="log", domain=[0.2, 5]),
                axis=alt.Axis(values=[0.25, 0.5, 0.8, 1, 1.25, 2, 4], format="~g")),
        y=alt.Y("group:N", title=None, axis=alt.Axis(labelLimit=220)),
        yOffset=alt.YOffset("jitter:Q"),
        color=alt.Color("group:N", legend=None),
        tooltip=["id:N", "system:N", "model:N", alt.Tooltip("measured:Q", format=",.4g"),
                 alt.Tooltip("predicted:Q", format=",.4g"), alt.Tooltip("error:Q", format="+.0%")],
    ).properties(width=420, height=210)
    band = alt.Chart(pd.DataFrame({"lo": [0.8], "hi": [1.25]})).mark_rect(opacity=0.12, color="#555").encode(
        x="lo:Q", x2="hi:Q")
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="black").encode(x="x:Q")
    return finish(band + one + chart, title=title, sources=sources, width=420,
                  subtitle="Shaded: within −20 % / +25 % of the measurement")


def layout_table(results) -> pd.DataFrame:
    """A readable table of :class:`~waferscale.models.serving.Result` objects (one row each)."""
    return pd.DataFrame([{
        "layout (tp × pp, copies)": f"{r.layout.tp} × {r.layout.pp}, {r.layout.replicas}",
        "users": f"{r.users:,}", "tokens/s per user": f"{r.tokens_per_s_per_user:,.0f}",
        "tokens/s total": f"{r.tokens_per_s_total:,.0f}", "bound": r.bound} for r in results])
