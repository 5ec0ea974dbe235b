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
    "collective_s": "collective call latency (where uncatalogued)",
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
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    bars = alt.Chart(d).mark_rule(strokeWidth=7, opacity=0.6).encode(
        x=alt.X("at_low:Q", title=f"{what} (x)",
                scale=alt.Scale(domain=[0.95 * float(d[["at_low", "at_high"]].min().min()),
                                        1.05 * float(d[["at_low", "at_high"]].max().max())], nice=False)),
        x2="at_high:Q", y=y,
        color=alt.Color("direction:N", title="high end of the input",
                        scale=alt.Scale(domain=["raises it", "lowers it", "all inputs"],
                                        range=["#0072B2", "#D55E00", "#999999"])),
        tooltip=[alt.Tooltip("label:N", title="input"), alt.Tooltip("at_low:Q", title="ratio, input low", format=".3g"),
                 alt.Tooltip("at_high:Q", title="ratio, input high", format=".3g")])
    ends = alt.Chart(d[d["direction"] != "all inputs"]).mark_point(filled=True, size=60, color="#333").encode(
        x="at_high:Q", y=y)
    rule = alt.Chart(pd.DataFrame({"x": [point]})).mark_rule(color="black").encode(x="x:Q")
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
