"""Charts of the communication chapter: data frames from the models, and altair charts of them.

Each ``*_data`` function returns the tidy table a chart draws (so the notebook can quote its
numbers); each ``*_chart`` function returns an unfinished chart, which the notebook passes to
:func:`waferscale.book.charts.finish` with a title that states the finding.
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ..models import decode_comm as dc
from ..models import interconnect as ic
from ..models import scaling as sc
from ..models import workloads as wl
from ..data.catalog import GRADES, Catalog
from .charts import GRADE_COLORS, PALETTE
from .labels import short_label, si_labels

__all__ = [
    "latency_tiers", "time_data", "time_chart", "energy_data", "energy_chart", "decode_data", "decode_chart",
    "scaling_data", "scaling_chart", "explorer_chart", "validation_chart", "fact_sources", "DECODE_FACTS", "SCALING_FACTS",
]

_W = 400  # plot width: with axis titles and labels the chart stays within 460 px of plot area


def latency_tiers(cat: Catalog) -> list[dict]:
    """The routes of chart 1: every tier with a bandwidth and an α in the catalog, plus two wafer routes.

    The wafer appears twice: one PE-to-PE link over the mean distance (α = mean hops x hop
    latency), and the same trip with the message spread over the whole bisection. Wafer to
    wafer uses the CS-3's I/O bandwidth and the Ethernet tier's α.
    """
    m = ic.mesh(cat)
    fab = ic.tier(cat, "wse3_fabric")
    eth = ic.tier(cat, "cs_ethernet_io")
    def src(*facts: tuple[str, str]) -> str:
        return ";".join(dict.fromkeys(k for e, f in facts if cat.has(e, f) for k in cat.fact(e, f).source.split(";")))

    wsrc = src(("wse3_fabric", "port_bytes_per_s_per_dir"), ("wse3_fabric", "latency_s"), ("wse3", "mesh_width_pe"))
    routes = [
        {"id": "wafer_pe", "route": "wafer: one PE link, average trip", "beta": m.link_bytes_per_s_per_dir, "alpha": m.mean_hops * m.hop_latency_s,
         "grade": fab.grade("latency"), "source": wsrc},
        {"id": "wafer_bisection", "route": "wafer: average trip, whole bisection", "beta": m.bisection_bytes_per_s_per_dir,
         "alpha": m.mean_hops * m.hop_latency_s, "grade": fab.grade("latency"), "source": wsrc},
    ]
    for tid in ("nvlink3", "nvlink4", "nvlink5", "ib_ndr", "ayar_teraphy"):
        t = ic.tier(cat, tid)
        if t.bytes_per_s_per_dir is None or t.latency_s is None:
            continue
        label = t.name.split(" (")[0] + (" (α: switch only)" if t.kind == "scale_out" else "")
        routes.append({"id": tid, "route": label, "beta": t.bytes_per_s_per_dir, "alpha": t.latency_s, "grade": t.grade("latency"),
                       "source": src((tid, "bytes_per_s_per_dir"), (tid, "port_bytes_per_s_per_dir"), (tid, "latency_s"))})
    routes.append({"id": "wafer_to_wafer", "route": "wafer to wafer (CS-3 Ethernet I/O)", "beta": cat.value("cs3", "io_bytes_per_s"),
                   "alpha": eth.require("latency"), "grade": eth.grade("latency"),
                   "source": src(("cs_ethernet_io", "latency_s"), ("cs3", "io_bytes_per_s"))})
    return routes


def time_data(cat: Catalog, sizes: np.ndarray | None = None) -> pd.DataFrame:
    """Chart 1's table: time to move n bytes per route, with the crossover n* = α·β per route."""
    sizes = np.logspace(0, 10, 41) if sizes is None else sizes
    rows = []
    for r in latency_tiers(cat):
        nstar = ic.crossover_bytes(r["beta"], r["alpha"])
        for n in sizes:
            rows.append({**r, "bytes": float(n), "time_s": ic.p2p_time_s(float(n), r["beta"], r["alpha"]),
                         "crossover_bytes": nstar, "kind": "curve"})
        rows.append({**r, "bytes": nstar, "time_s": ic.p2p_time_s(nstar, r["beta"], r["alpha"]),
                     "crossover_bytes": nstar, "kind": "crossover"})
    return pd.DataFrame(rows)


def time_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Log–log lines of time vs bytes per route; dots where α = n/β (left: latency-bound)."""
    order = list(dict.fromkeys(df["route"]))
    color = alt.Color("route:N", title=None, sort=order, scale=alt.Scale(domain=order, range=list(PALETTE)),
                      legend=alt.Legend(columns=2, labelLimit=230, symbolType="stroke"))
    x = alt.X("bytes:Q", scale=alt.Scale(type="log"), title="message size n",
              axis=alt.Axis(labelExpr=si_labels("B"), values=[10.0 ** e for e in range(0, 11, 2)]))
    y = alt.Y("time_s:Q", scale=alt.Scale(type="log"), title="time α + n/β",
              axis=alt.Axis(labelExpr=si_labels("s"), values=[10.0 ** e for e in range(-9, 2)]))
    base = alt.Chart(df)
    lines = base.transform_filter("datum.kind == 'curve'").mark_line().encode(x=x, y=y, color=color, detail="route:N")
    dots = base.transform_filter("datum.kind == 'crossover'").mark_point(size=55, filled=True).encode(
        x=x, y=y, color=color,
        tooltip=[alt.Tooltip("route:N"), alt.Tooltip("crossover_bytes:Q", title="n* = α·β (bytes)", format=",.3~s"),
                 alt.Tooltip("alpha:Q", title="α (s)", format=".3~s"), alt.Tooltip("beta:Q", title="β (B/s)", format=".3~s"),
                 alt.Tooltip("grade:N", title="grade of α")])
    return alt.layer(lines, dots).properties(width=_W, height=300)


def energy_data(cat: Catalog) -> pd.DataFrame:
    """Chart 2's table: energy per bit (value, low, high, grade) from on-wafer wire to optics.

    Model rows (an average trip across the wafer; a GPU-to-GPU path through one switch with
    pluggable or co-packaged optics) have grade 'derived' (or the weakest grade they use).
    """
    m = ic.mesh(cat)
    fab = ic.tier(cat, "wse3_fabric")
    rows = [{"item": "wafer mesh: one hop", "value": m.energy_j_per_bit_per_hop, "low": m.energy_low_j_per_bit_per_hop,
             "high": m.energy_high_j_per_bit_per_hop, "grade": fab.grade("energy"), "source": ";".join(fab.sources), "group": "electrical, on silicon"},
            {"item": f"wafer mesh: average trip ({m.mean_hops:.0f} hops)", "value": m.mean_hops * m.energy_j_per_bit_per_hop,
             "low": m.mean_hops * m.energy_low_j_per_bit_per_hop, "high": m.mean_hops * m.energy_high_j_per_bit_per_hop,
             "grade": fab.grade("energy"), "source": ";".join(fab.sources), "group": "electrical, on silicon"}]
    for tid, group in (("nv_hbi", "electrical, on silicon"), ("nvlink_c2c", "electrical, between packages"),
                       ("pcie_gen5_x16", "electrical, between packages"), ("nvlink4", "electrical, between packages"),
                       ("ayar_teraphy", "optical conversion"), ("cpo_nvidia", "optical conversion"),
                       ("pluggable_optics_1p6t", "optical conversion")):
        t = ic.tier(cat, tid)
        if t.energy_j_per_bit is None:
            continue
        name = {"nvlink4": "NVLink 4: GPU → NVSwitch → GPU", "cpo_nvidia": "co-packaged optics port (NVIDIA)",
                "pluggable_optics_1p6t": "pluggable 1.6T transceiver"}.get(tid, t.name)
        rows.append({"item": name, "value": t.energy_j_per_bit, "low": t.energy_low_j_per_bit, "high": t.energy_high_j_per_bit,
                     "grade": t.grade("energy"), "source": ";".join(t.sources), "group": group})
    for label, optics in (("GPU → GPU via a CPO switch", "cpo_nvidia"), ("GPU → GPU via a pluggable-optics switch", "pluggable_optics_1p6t")):
        tree = ic.fat_tree(cat, "cpo_nvidia", switch_optics=optics)
        ps = [ic.scaleout_path(tree, 2, bound=b) for b in ("value", "low", "high")]
        rows.append({"item": label, "value": ps[0].total_j_per_bit, "low": ps[1].total_j_per_bit, "high": ps[2].total_j_per_bit,
                     "grade": "derived", "source": "nvidia2025cpo;nvidia2023nvlinkblog", "group": "whole path (model)",
                     "conversion_share": ps[0].conversion_share})
    df = pd.DataFrame(rows)
    for c in ("value", "low", "high"):
        df[c + "_pj"] = df[c] * 1e12
    df["grade_label"] = [GRADES[g] for g in df["grade"]]
    return df


def energy_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Dots (value) and bars (low–high band) of pJ/bit per item, coloured by grade, log axis."""
    order = list(df["item"])
    grades = [g for g in GRADES if g in set(df["grade"])]
    y = alt.Y("item:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    lo = 10 ** math.floor(math.log10(df["low_pj"].min()))
    hi = 2.0 * df["high_pj"].max()
    xs = alt.Scale(type="log", domain=[lo, hi], nice=False)
    x = alt.X("value_pj:Q", scale=xs, title="energy per bit (pJ/bit, log scale)")
    color = alt.Color("grade_label:N", title="grade", sort=[GRADES[g] for g in grades],
                      scale=alt.Scale(domain=[GRADES[g] for g in grades], range=[GRADE_COLORS[g] for g in grades]),
                      legend=alt.Legend(symbolOpacity=1))
    tip = [alt.Tooltip("item:N"), alt.Tooltip("value_pj:Q", title="pJ/bit", format=".3~g"),
           alt.Tooltip("low_pj:Q", title="low", format=".3~g"), alt.Tooltip("high_pj:Q", title="high", format=".3~g"),
           alt.Tooltip("grade_label:N", title="grade"), alt.Tooltip("source:N")]
    band = alt.Chart(df).mark_rule(strokeWidth=7, opacity=0.35).encode(y=y, x=alt.X("low_pj:Q", scale=xs),
                                                                       x2="high_pj:Q", color=color, tooltip=tip)
    dot = alt.Chart(df).mark_point(filled=True, size=70).encode(y=y, x=x, color=color, tooltip=tip)
    return alt.layer(band, dot).properties(width=340, height=alt.Step(24))


def decode_data(cat: Catalog, workload: str = "llama3_1_70b") -> pd.DataFrame:
    """Chart 3's table: :func:`~waferscale.models.decode_comm.decode_step` at the catalog value, with low/high totals."""
    m, gpu, wafer = wl.model(cat, workload), dc.gpu_node(cat), dc.wafer_pipeline(cat)
    d = dc.decode_step(m, gpu, wafer)
    lo, hi = dc.decode_step(m, gpu, wafer, bound="low"), dc.decode_step(m, gpu, wafer, bound="high")
    d["step_low_s"] = lo["step_time_s"].values
    d["step_high_s"] = hi["step_time_s"].values
    gpus, wafers = d.attrs["gpus"], d.attrs["wafers"]
    d["label"] = d["system"].map({"gpus": f"{gpus} x H100, tensor parallel (NVLink 4)",
                                  "wafers": f"{wafers} x CS-3, layers pipelined"})
    d["time_us"] = d["time_s"] * 1e6
    d["share_pct"] = d["energy_share"] * 100
    d.attrs.update(dc.decode_step(m, gpu, wafer).attrs)
    return d


def decode_chart(df: pd.DataFrame) -> alt.VConcatChart:
    """Share of decode-step time by component (100 % bars, step time as text); below, energy share."""
    comps = list(dict.fromkeys(df["component"]))
    comp_scale = alt.Scale(domain=comps, range=["#bbbbbb", PALETTE[0], PALETTE[2], PALETTE[3]][: len(comps)])
    order = alt.Order("order:Q")
    calc = " + ".join(f"(datum.component == '{c}') * {i}" for i, c in enumerate(comps))
    y = alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=250))
    tip = [alt.Tooltip("label:N"), alt.Tooltip("component:N"), alt.Tooltip("time_us:Q", title="µs per step", format=",.1f"),
           alt.Tooltip("time_share:Q", title="share of step time", format=".1%"),
           alt.Tooltip("energy_j:Q", title="J per step", format=".3~g"), alt.Tooltip("energy_share:Q", title="share of step energy", format=".4%")]
    time = alt.Chart(df).transform_calculate(order=calc).mark_bar().encode(
        y=y, x=alt.X("time_share:Q", title="share of decode-step time (lower bound)", stack="zero", axis=alt.Axis(format="%"),
                     scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("component:N", title=None, scale=comp_scale, sort=comps, legend=alt.Legend(columns=2, labelLimit=260)),
        order=order, tooltip=tip)
    steps = df.drop_duplicates("system").assign(
        text=lambda d: [f"step {a * 1e3:.2f} ms (α band {lo * 1e3:.2f}–{hi * 1e3:.1f})" if a >= 1e-3
                        else f"step {a * 1e6:.0f} µs (α band {lo * 1e6:.0f}–{hi * 1e6:.0f})"
                        for a, lo, hi in zip(d["step_time_s"], d["step_low_s"], d["step_high_s"])])
    label = alt.Chart(steps).mark_text(align="left", baseline="bottom", dy=-9, fontSize=10, color="#333").encode(
        y="label:N", x=alt.value(0), text="text:N")
    top = alt.layer(time, label).properties(width=_W - 60, height=alt.Step(40))
    comm = df[df["component"] != comps[0]]
    energy = alt.Chart(comm).transform_calculate(order=calc).mark_bar().encode(
        y=alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=250)),
        x=alt.X("share_pct:Q", title="share of step energy spent moving activations (%; axis ends at 1 %)",
                stack="zero", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("component:N", scale=comp_scale, sort=comps, legend=None), order=order, tooltip=tip)
    totals = alt.Chart(comm).transform_aggregate(total="sum(share_pct)", groupby=["label"]).mark_text(
        align="left", dx=6).encode(y="label:N", x=alt.value(0), text=alt.Text("total:Q", format=".4f"))
    bottom = alt.layer(energy, totals).properties(width=_W - 60, height=alt.Step(30))
    return alt.vconcat(top, bottom, spacing=16)


def fact_sources(cat: Catalog, facts: list[tuple[str, str]]) -> pd.DataFrame:
    """(source, grade) of the catalog facts a chart uses, for :func:`waferscale.book.charts.source_line`."""
    rows = []
    for entity, field in facts:
        if cat.has(entity, field):
            f = cat.fact(entity, field)
            rows.append({"source": f.source, "grade": f.grade})
    return pd.DataFrame(rows, columns=["source", "grade"])


DECODE_FACTS = [("nvlink4", "bytes_per_s_per_dir"), ("nvlink4", "latency_s"), ("nvlink4", "energy_j_per_bit"),
                ("wse3_fabric", "port_bytes_per_s_per_dir"), ("wse3_fabric", "latency_s"), ("wse3_fabric", "energy_j_per_bit"),
                ("cs_ethernet_io", "latency_s"), ("cs3", "io_bytes_per_s"), ("cs3", "system_power_w"),
                ("h100_sxm", "hbm_bytes_per_s"), ("h100_sxm", "bf16_dense_flop_per_s"), ("h100_sxm", "tdp_w"),
                ("wse3", "sram_bytes"), ("wse3", "sram_bytes_per_s"), ("wse3", "fp16_dense_flop_per_s"),
                ("wse3", "mesh_width_pe"), ("llama3_1_70b", "params_total"), ("llama3_1_70b", "hidden_size"),
                ("llama3_1_70b", "layers"), ("llama3_1_70b", "params_total")]

SCALING_FACTS = [("nvlink4", "bytes_per_s_per_dir"), ("nvlink4", "latency_s"), ("nvlink4", "energy_j_per_bit"),
                 ("nvlink4", "domain_chips"), ("nvlink5", "bytes_per_s_per_dir"), ("nvlink5", "domain_chips"),
                 ("nvlink5", "energy_j_per_bit"), ("ib_ndr", "latency_s"), ("ib_ndr", "ports"), ("ib_xdr", "ports"),
                 ("cpo_nvidia", "ports"), ("cpo_nvidia", "energy_j_per_bit"), ("pluggable_optics_1p6t", "energy_j_per_bit"),
                 ("pcie_gen5_x16", "energy_j_per_bit"), ("cs_ethernet_io", "latency_s"), ("wse3_fabric", "energy_j_per_bit"),
                 ("wse3_fabric", "port_bytes_per_s_per_dir"), ("h100_sxm", "bf16_dense_flop_per_s"),
                 ("dgx_h100", "scaleout_bytes_per_s_per_dir"), ("b200", "bf16_dense_flop_per_s"),
                 ("gb200_nvl72", "scaleout_bytes_per_s_per_dir"), ("wse3", "fp16_dense_flop_per_s"), ("wse3", "mesh_width_pe"),
                 ("cs3", "io_bytes_per_s")]


def scaling_data(cat: Catalog, max_chips: int = 16384, builds=None) -> pd.DataFrame:
    """Chart 4's table: :func:`~waferscale.models.scaling.scaling_table` with plotting units, systems of two or
    more chips only (all-reduce bus bandwidth on every row; the one-wafer bisection is not an all-reduce).

    ``builds`` defaults to :data:`~waferscale.models.scaling.BUILDS` (four hand-picked builds); pass
    ``scaling.catalog_builds(cat)`` (plus ``scaling.gb200_cpo()``) to scale every GPU system in the catalog.
    """
    builds = [b() for b in sc.BUILDS] if builds is None else builds
    df = sc.scaling_table([sc.cluster(cat, b) for b in builds], max_chips=max_chips)
    # a one-wafer system runs no all-reduce between chips: its row is the mesh's bisection, a topology property,
    # and would sit on an axis of algorithmic all-reduce bandwidth (claim C12 compares bisections separately)
    df = df[df["tier"] != "mesh"].reset_index(drop=True)
    df["gb_s_per_pflop"] = df["bytes_per_flop"] * 1e15 / 1e9
    for c in ("path_j_per_bit", "path_low_j_per_bit", "path_high_j_per_bit"):
        df[c.replace("j_per_bit", "pj")] = df[c] * 1e12
    return df


def scaling_chart(df: pd.DataFrame) -> alt.VConcatChart:
    """Two panels against system size: all-reduce bandwidth per FLOP, and energy of the longest path."""
    # a legend entry of at most ~64 characters (the build's full name on hover)
    df = df.assign(full_label=df["label"], label=[short_label(x, 64) for x in df["label"]])
    if df.groupby("label")["full_label"].nunique().max() > 1:
        df = df.assign(label=df["full_label"])
    order = list(dict.fromkeys(df["label"]))
    # one colour per build (as many builds as the catalog gives); co-packaged-optics builds dashed
    color = alt.Color("label:N", title=None, sort=order,
                      scale=alt.Scale(domain=order, range=[PALETTE[i % len(PALETTE)] for i in range(len(order))]),
                      legend=alt.Legend(columns=1, labelLimit=560, symbolType="stroke"))
    dash = alt.StrokeDash("label:N", sort=order, legend=None,
                          scale=alt.Scale(domain=order, range=[[5, 3] if "co-packaged" in lb else [1, 0] for lb in order]))
    x = alt.X("chips:Q", scale=alt.Scale(type="log"), title="chips in the system (GPUs or wafers, log scale)",
              axis=alt.Axis(format="~s", values=[1, 8, 72, 1000, 10000]))
    tip = [alt.Tooltip("full_label:N", title="build"), alt.Tooltip("chips:Q", format=","), alt.Tooltip("tier:N"), alt.Tooltip("levels:Q", title="switch levels"),
           alt.Tooltip("gb_s_per_pflop:Q", title="GB/s per PFLOP/s", format=",.0f"),
           alt.Tooltip("path_pj:Q", title="pJ/bit, longest path", format=",.0f")]
    bw = alt.Chart(df).mark_line(interpolate="step-after", point=alt.OverlayMarkDef(size=18)).encode(
        x=x, y=alt.Y("gb_s_per_pflop:Q", scale=alt.Scale(type="log"), title="all-reduce GB/s per PFLOP/s"),
        color=color, strokeDash=dash, tooltip=tip).properties(width=_W, height=190)
    band = alt.Chart(df).mark_area(opacity=0.12, interpolate="step-after").encode(
        x=x, y=alt.Y("path_low_pj:Q", scale=alt.Scale(type="log")), y2="path_high_pj:Q", color=color)
    line = alt.Chart(df).mark_line(interpolate="step-after", point=alt.OverlayMarkDef(size=18)).encode(
        x=x, y=alt.Y("path_pj:Q", scale=alt.Scale(type="log"), title="pJ per bit, longest path"),
        color=color, strokeDash=dash, tooltip=tip)
    en = alt.layer(band, line).properties(width=_W, height=190)
    return alt.vconcat(bw, en, spacing=12).resolve_scale(color="shared")


def validation_chart(tab: pd.DataFrame) -> alt.LayerChart:
    """Measured vs predicted bus bandwidth per all-reduce row (spec-only and calibrated)."""
    long = tab.melt(id_vars=["id", "message_bytes", "sharp"], value_vars=["measured", "spec_model", "calibrated"],
                    var_name="series", value_name="bus_bw")
    long["series"] = long["series"].map({"measured": "measured (nccl-tests)", "spec_model": "α–β, spec bandwidth",
                                         "calibrated": "α–β, calibrated η"})
    long["gbps"] = long["bus_bw"] / 1e9
    # the row's conditions as its label (its measurement id on hover): 10,000 MB, SHARP off
    long["row"] = (long["message_bytes"] / 1e6).map(lambda v: f"{v:,.0f}") + " MB buffer, SHARP " + long["sharp"]
    if long.groupby("row")["id"].nunique().max() > 1:  # two measurements under the same conditions: keep the ids
        long["row"] = long["id"] + " (" + long["row"] + ")"
    order = ["measured (nccl-tests)", "α–β, spec bandwidth", "α–β, calibrated η"]
    return alt.Chart(long).mark_point(filled=True, size=90).encode(
        y=alt.Y("row:N", title=None, axis=alt.Axis(labelLimit=300)),
        x=alt.X("gbps:Q", title="all-reduce bus bandwidth, 8 x H100 (GB/s)", scale=alt.Scale(zero=True)),
        color=alt.Color("series:N", title=None, sort=order, scale=alt.Scale(domain=order, range=["#000000", PALETTE[1], PALETTE[0]])),
        shape=alt.Shape("series:N", sort=order, scale=alt.Scale(domain=order, range=["circle", "triangle", "square"])),
        tooltip=[alt.Tooltip("id:N", title="measurement"), alt.Tooltip("row:N", title="conditions"), alt.Tooltip("series:N"),
                 alt.Tooltip("gbps:Q", title="GB/s", format=",.0f")],
    ).properties(width=380, height=alt.Step(30))


def _bytes_text(n: float) -> str:
    """A byte count as a reader writes it, to two digits: 1 B, 32 B, 3.2 kB, 1 MB, 10 GB.

    >>> [_bytes_text(x) for x in (1, 31.6, 3162.3, 1e6, 1e10)]
    ['1 B', '32 B', '3.2 kB', '1 MB', '10 GB']
    """
    for scale, unit in ((1e9, "GB"), (1e6, "MB"), (1e3, "kB"), (1, "B")):
        if n >= scale * 0.9999:
            return f"{n / scale:.2g} {unit}"
    return f"{n:.2g} B"


def explorer_chart(cat: Catalog) -> alt.LayerChart:
    """Interactive: sliders for message size and ranks; ring all-reduce time per switched tier.

    Time and bus bandwidth are computed in the browser from each tier's catalog α and β with the
    closed form of :func:`~waferscale.models.collectives.ring_all_reduce` (and the tree form for
    comparison).
    """
    rows = []
    for tid in ("nvlink3", "nvlink4", "nvlink5", "ib_ndr", "cs_ethernet_io"):
        t = ic.tier(cat, tid)
        if t.bytes_per_s_per_dir is None or t.latency_s is None:
            continue
        beta = cat.value("cs3", "io_bytes_per_s") if tid == "cs_ethernet_io" else t.bytes_per_s_per_dir
        rows.append({"tier": t.name.replace("CS-1/CS-2 system I/O (12 x 100 GbE)", "wafer to wafer (CS-3 I/O)"),
                     "alpha": t.latency_s, "beta": beta})
    df = pd.DataFrame(rows)
    # the buffer size as a menu that reads "1 MB", on a half-decade grid from 1 B to 10 GB
    logs = [i / 2 for i in range(21)]
    names = [_bytes_text(10 ** v) for v in logs]
    log_bytes = alt.param(name="log10_bytes", value=6, bind=alt.binding_select(options=logs, labels=names,
                                                                               name="buffer size "))
    ranks = alt.param(name="ranks", value=8, bind=alt.binding_range(min=2, max=1024, step=1, name="ranks N "))
    base = alt.Chart(df).add_params(log_bytes, ranks).transform_calculate(
        n="pow(10, log10_bytes)",
        ring="2 * (ranks - 1) * datum.alpha + 2 * (ranks - 1) / ranks * datum.n / datum.beta",
        tree="2 * ceil(log(ranks) / log(2)) * datum.alpha + 2 * datum.n / datum.beta",
    ).transform_calculate(
        ring_us="datum.ring * 1e6", tree_us="datum.tree * 1e6",
        busbw="2 * (ranks - 1) / ranks * datum.n / datum.ring / 1e9",
    ).transform_fold(["ring_us", "tree_us"], as_=["algorithm", "us"]).transform_calculate(t="datum.us / 1e6")
    bars = base.mark_point(filled=True, size=110).encode(
        y=alt.Y("tier:N", title=None, axis=alt.Axis(labelLimit=240)),
        yOffset=alt.YOffset("algorithm:N"),
        x=alt.X("t:Q", scale=alt.Scale(type="log"), title="all-reduce time (log scale)",
                axis=alt.Axis(labelExpr=si_labels("s", decades=True))),
        color=alt.Color("algorithm:N", title=None, scale=alt.Scale(domain=["ring_us", "tree_us"], range=[PALETTE[0], PALETTE[1]]),
                        legend=alt.Legend(labelExpr="datum.label == 'ring_us' ? 'ring' : 'double binary tree'")),
        tooltip=[alt.Tooltip("tier:N"), alt.Tooltip("algorithm:N"), alt.Tooltip("us:Q", title="µs", format=",.2f"),
                 alt.Tooltip("busbw:Q", title="ring bus bandwidth (GB/s)", format=",.1f")],
    )
    return bars.properties(width=380, height=alt.Step(18))
