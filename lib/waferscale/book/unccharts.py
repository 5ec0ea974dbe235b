"""The serving model's uncertainty on the page: the tornado of one claim ratio, with its weighted band.

Built from :func:`waferscale.claims.uncertainty.tornado` and :func:`~waferscale.claims.uncertainty.bands`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .charts import finish

__all__ = ["INPUT_LABELS", "input_label", "tornado_chart", "band_table"]

#: Human names of the uncertain inputs (``waferscale.fit.serveunc.inputs``).
INPUT_LABELS = {
    "gemm_half_tokens": "GEMM size at half efficiency (tokens)",
    "collective_s": "collective call latency (default)",
    "mem_reserve": "GPU memory reserve",
    "wafer_flop_efficiency": "wafer MAC efficiency",
    "wafer_sram_usable": "usable share of wafer SRAM",
    "idle_share": "idle share of wall power",
    "max_batch_tokens": "engine's tokens per iteration",
    "max_batch_users": "engine's requests per batch",
    "nvlink4.latency_s": "NVLink 4: per-step latency",
    "nvlink5.latency_s": "NVLink 5: per-step latency",
    "ib_ndr.latency_s": "InfiniBand NDR: per-step latency",
    "ib_xdr.latency_s": "InfiniBand XDR: per-step latency",
    "nvlink4.collective_latency_s": "NVLink 4: per-collective latency",
    "nvlink5.collective_latency_s": "NVLink 5: per-collective latency",
    "wse3.fp16_dense_flop_per_s": "WSE-3 dense 16-bit peak",
    "wse3_fabric.latency_s": "WSE-3 mesh hop latency",
    "wse3_fabric.port_bytes_per_s_per_dir": "WSE-3 PE link bandwidth",
    "cs_ethernet_io.latency_s": "CS-3 off-wafer latency",
    "b200.hbm_bytes_per_s": "B200 HBM bandwidth",
    "b200.bf16_dense_flop_per_s": "B200 dense 16-bit peak",
}


def input_label(name: str) -> str:
    """The human name of an uncertain input (its id when it has none).

    >>> input_label("nvlink5.collective_latency_s")
    'NVLink 5: per-collective latency'
    """
    return INPUT_LABELS.get(name, name)


def tornado_chart(t: pd.DataFrame, point: float, band: tuple[float, float, float], what: str, sources: str,
                  top: int = 8) -> alt.VConcatChart:
    """Bars from the ratio with an input in the lowest quarter of its range to the ratio in the highest quarter,
    for the ``top`` inputs that move it most; the shaded band is the weighted 5–95 % range over all samples and
    the black rule the point estimate."""
    d = t.head(top).assign(label=lambda x: x["input"].map(input_label),
                           direction=lambda x: ["raises it" if b > a else "lowers it"
                                                for a, b in zip(x["at_low"], x["at_high"])])
    everything = "all inputs together (5–95 %)"
    d = pd.concat([pd.DataFrame([{"label": everything, "at_low": band[0], "at_high": band[2],
                                  "direction": "all inputs", "low": float("nan"), "high": float("nan")}]), d],
                  ignore_index=True)
    order = list(d["label"])
    dom = alt.Scale(domain=[0.95 * float(d[["at_low", "at_high"]].min().min()),
                            1.05 * float(d[["at_low", "at_high"]].max().max())], nice=False, zero=False)
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    bars = alt.Chart(d).mark_rule(strokeWidth=7, opacity=0.6).encode(
        x=alt.X("at_low:Q", title=f"{what} (x)", scale=dom),
        x2="at_high:Q", y=y,
        color=alt.Color("direction:N", title="high end of the input",
                        scale=alt.Scale(domain=["raises it", "lowers it", "all inputs"],
                                        range=["#0072B2", "#D55E00", "#999999"])),
        tooltip=[alt.Tooltip("label:N", title="input"), alt.Tooltip("at_low:Q", title="ratio, input low", format=".3g"),
                 alt.Tooltip("at_high:Q", title="ratio, input high", format=".3g")])
    ends = alt.Chart(d[d["direction"] != "all inputs"]).mark_point(filled=True, size=60, color="#333").encode(
        x=alt.X("at_high:Q", scale=dom), y=y)
    rule = alt.Chart(pd.DataFrame({"x": [point]})).mark_rule(color="black").encode(x=alt.X("x:Q", scale=dom))
    first = t.iloc[0]
    title = f"{input_label(first['input'])} moves {what} most"
    return finish((rule + bars + ends).properties(height=26 * len(d)), title=title, sources=sources,
                  subtitle=["Each bar: the ratio with that input in the lowest and in the highest quarter of its",
                            "range (dot: highest); black line: the point estimate"])


def band_table(bands: dict, points: dict, measured: dict, names: dict) -> str:
    """Point estimate, weighted band and measured value per ratio, as the book's table (HTML)."""
    from .tables import show

    rows = []
    for k, (lo, mid, hi) in bands.items():
        m = measured.get(k)
        rows.append({"ratio": names[k], "model": f"{points[k]:.2f}x", "5–95 % of samples": f"{lo:.2f}x – {hi:.2f}x",
                     "median of samples": f"{mid:.2f}x", "measured": "—" if m is None else f"{m:.2f}x"})
    return show(pd.DataFrame(rows), label="the uncertainty bands")


def samples_chart(r: pd.DataFrame, inputs, ratio: str, what: str, sources: str, names=None) -> alt.VConcatChart:
    """Every kept sample's ``ratio`` against one uncertain input, the input picked from a menu (by default the
    tornado's order); dot area by the sample's weight. ``r`` is :func:`waferscale.claims.uncertainty.ratios`,
    ``inputs`` the :class:`~waferscale.fit.serveunc.Input` list, ``names`` the input names offered (in order)."""
    import math

    ins = {x.name: x for x in inputs}
    names = list(names or ins)
    rows = []
    for n in names:
        x = ins[n]
        for v, y, w in zip(r[f"in:{n}"], r[ratio], r["weight"]):
            pos = math.log(v / x.low) / math.log(x.high / x.low) if x.log else (v - x.low) / (x.high - x.low)
            rows.append({"input": input_label(n), "position": pos, "value": v, "ratio": y, "weight": w})
    d = pd.DataFrame(rows)
    labels = [input_label(n) for n in names]
    pick = alt.param(name="input_pick", value=labels[0],
                     bind=alt.binding_select(options=labels, name="input "))
    dots = alt.Chart(d).transform_filter("datum.input == input_pick").mark_circle(opacity=0.55, color="#0072B2").encode(
        x=alt.X("position:Q", title="the input from the low end (0) to the high end (1) of its range",
                scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1], format=".2~f")),
        y=alt.Y("ratio:Q", title=f"{what} (x)", scale=alt.Scale(zero=False)),
        size=alt.Size("weight:Q", legend=None, scale=alt.Scale(range=[10, 160])),
        tooltip=[alt.Tooltip("input:N"), alt.Tooltip("value:Q", title="input value", format=".3g"),
                 alt.Tooltip("ratio:Q", format=".3g"), alt.Tooltip("weight:Q", format=".3f")])
    return finish(dots.add_params(pick).properties(height=260), title=f"Each refitted sample's {what} against one input",
                  sources=sources, subtitle="Dot area: the sample's weight (how well it still fits its calibration rows)")
