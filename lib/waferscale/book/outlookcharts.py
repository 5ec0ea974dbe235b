"""Charts of the outlook and lasting-idea chapters, built from :mod:`waferscale.models.physics`,
:mod:`waferscale.models.economics`, :mod:`~waferscale.models.market`, :mod:`~waferscale.models.tokencost` and
:mod:`waferscale.models.packaging`. Each returns a finished altair chart (title = finding,
source line underneath); every parameter and selection has an explicit name.
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ..data.catalog import GRADES
from .charts import GRADE_COLORS, finish
from .labels import power_labels

__all__ = [
    "power_density_chart",
    "delay_chart",
    "cost_curves_chart",
    "interactive_cost_chart",
    "amd_chart",
    "token_cost_chart",
    "inference_share_chart",
    "roadmap_chart",
    "spares_chart",
    "designs_chart",
    "capacity_chart",
    "interactive_package_chart",
]

_W = 420


def _grade_scale(present: "pd.Series | None" = None) -> alt.Scale:
    keys = [g for g in GRADES if present is None or g in set(present)]
    return alt.Scale(domain=[GRADES[g] for g in keys], range=[GRADE_COLORS[g] for g in keys])


def power_density_chart(hs: pd.DataFrame, limits: pd.DataFrame, title: str, sources: str) -> alt.VConcatChart:
    """Bars of heat flux per device (with its range) and rules at each cooling limit."""
    h = hs.assign(grade_label=[GRADES[g] for g in hs["grade"]])
    y = alt.Y("device:N", sort=list(h["device"]), title=None)
    x = alt.X("w_per_cm2:Q", title="heat flux (W/cm²)", scale=alt.Scale(domain=[0, float(limits["w_per_cm2"].max()) * 1.05]))
    bars = alt.Chart(h).mark_bar(height=18).encode(
        x=x, y=y, color=alt.Color("grade_label:N", title="weakest input", scale=_grade_scale(hs["grade"])),
        tooltip=["device:N", alt.Tooltip("w_per_cm2:Q", format=".0f"), "basis:N", "grade_label:N"])
    err = alt.Chart(h).mark_rule(color="#222").encode(x="low:Q", x2="high:Q", y=y)
    short = {"cooling_conventional": "conventional", "cooling_immersion_boiling": "immersion",
             "cooling_two_phase_plate": "two-phase plate", "cooling_microchannel": "microchannel (lab)"}
    lim = (limits.assign(label=[short.get(i, m.split(" (")[0]) for i, m in zip(limits["id"], limits["method"])])
           .groupby("w_per_cm2", as_index=False)["label"].agg(" / ".join))
    rules = alt.Chart(lim).mark_rule(strokeDash=[4, 3], color="#555").encode(x="w_per_cm2:Q")
    text = alt.Chart(lim).mark_text(angle=270, align="right", baseline="top", dx=-4, dy=3, fontSize=10,
                                    color="#333").encode(x="w_per_cm2:Q", y=alt.value(0), text="label:N")
    chart = (bars + err + rules + text).properties(width=_W, height=190)
    return finish(chart, title=title, sources=sources, width=_W,
                  subtitle=["Dashed lines: heat flux each cooling method removes; whiskers: the power range."])


def delay_chart(df: pd.DataFrame, period_ns: float, side_mm: float, title: str, sources: str) -> alt.VConcatChart:
    """Delay vs wire length, log–log, one line per scheme; the clock period and the wafer side marked."""
    lines = alt.Chart(df).mark_line().encode(
        x=alt.X("length_mm:Q", scale=alt.Scale(type="log"), title="distance (mm, log scale)"),
        y=alt.Y("delay_ns:Q", scale=alt.Scale(type="log"), title="delay (ns, log scale)", axis=alt.Axis(format="~g")),
        color=alt.Color("scheme:N", title=None, sort=list(dict.fromkeys(df["scheme"])), legend=alt.Legend(columns=2)),
        tooltip=["scheme:N", alt.Tooltip("length_mm:Q", format=".3g"), alt.Tooltip("delay_ns:Q", format=".3g"),
                 alt.Tooltip("cycles:Q", format=".3g")])
    per = alt.Chart(pd.DataFrame({"y": [period_ns], "t": ["one clock period"]}))
    rule = per.mark_rule(color="#333", strokeDash=[5, 3]).encode(y="y:Q")
    lab = per.mark_text(align="left", dx=4, dy=-6, color="#333").encode(y="y:Q", x=alt.value(2), text="t:N")
    side = alt.Chart(pd.DataFrame({"x": [side_mm], "t": ["wafer side"]}))
    vr = side.mark_rule(color="#999", strokeDash=[2, 2]).encode(x="x:Q")
    vt = side.mark_text(align="right", dx=-4, baseline="top", color="#333").encode(x="x:Q", y=alt.value(4), text="t:N")
    chart = (lines + rule + lab + vr + vt).properties(width=_W, height=280)
    return finish(chart, title=title, sources=sources, width=_W)


def cost_curves_chart(df: pd.DataFrame, title: str, sources: str, subtitle: list[str]) -> alt.VConcatChart:
    """Cost per good mm² vs product area, log–log, by design; the redundant wafer as a point."""
    x = alt.X("area_mm2:Q", scale=alt.Scale(type="log"), title="working logic per product (mm², log scale)",
              axis=alt.Axis(values=[10, 100, 1000, 10000, 100000], format="~s"))
    y = alt.Y("usd_per_mm2:Q", scale=alt.Scale(type="log"), title="cost per good mm² (USD, log scale)",
              axis=alt.Axis(format="~g"))
    color = alt.Color("design:N", title=None, legend=alt.Legend(columns=1), sort=list(dict.fromkeys(df["design"])))
    tip = ["design:N", alt.Tooltip("area_mm2:Q", format=",.0f"), alt.Tooltip("usd_per_mm2:Q", format=".3g")]
    curves = alt.Chart(df[df["design"] != "redundant wafer (spare cores)"]).mark_line().encode(x=x, y=y, color=color,
                                                                                              tooltip=tip)
    pt = alt.Chart(df[df["design"] == "redundant wafer (spare cores)"]).mark_point(size=120, shape="diamond").encode(
        x=x, y=y, color=color, tooltip=tip)
    chart = (curves + pt).properties(width=_W, height=280)
    return finish(chart, title=title, sources=sources, width=_W, subtitle=subtitle)


def interactive_cost_chart(wafer_price_usd: float, density: float, chiplet_mm2: float, reticle_mm2: float,
                           sources: str) -> alt.VConcatChart:
    """Cost per good mm² vs product area, evaluated in the browser; sliders for D, chiplet size, test escape, bonding.

    Poisson yield; H&P dies per wafer on 300 mm; chiplet formula as in :func:`waferscale.models.economics.cost_per_good_mm2_chiplets`.
    """
    area = np.geomspace(10.0, 8 * reticle_mm2, 120)
    data = pd.DataFrame({"A": area})
    d = alt.param(name="defects_per_cm2", value=density,
                  bind=alt.binding_range(min=0.01, max=1.0, step=0.01, name="defects per cm² "))
    a = alt.param(name="chiplet_mm2", value=round(chiplet_mm2),
                  bind=alt.binding_range(min=50, max=round(reticle_mm2), step=10, name="chiplet size (mm²) "))
    esc = alt.param(name="test_escape", value=0.0,
                    bind=alt.binding_range(min=0.0, max=1.0, step=0.05, name="test escape (1 = untested) "))
    bond = alt.param(name="bond_yield", value=1.0,
                     bind=alt.binding_range(min=0.9, max=1.0, step=0.002, name="bond yield per chiplet "))
    dpw = "(PI * 150 * 150 / {a} - PI * 300 / sqrt(2 * {a}))"
    base = alt.Chart(data).transform_calculate(
        mono=f"datum.A <= {reticle_mm2} && {dpw.format(a='datum.A')} > 0 ? {wafer_price_usd} / ({dpw.format(a='datum.A')} * exp(-datum.A * defects_per_cm2 / 100) * datum.A) : null",
        y_c="exp(-chiplet_mm2 * defects_per_cm2 / 100)",
    ).transform_calculate(
        p_pass="datum.y_c + (1 - datum.y_c) * test_escape",
    ).transform_calculate(
        chip=f"datum.A >= chiplet_mm2 ? (datum.A / chiplet_mm2) * {wafer_price_usd} / ({dpw.format(a='chiplet_mm2')} * datum.p_pass) "
             "/ (pow(datum.y_c / datum.p_pass * bond_yield, datum.A / chiplet_mm2) * datum.A) : null",
    ).transform_fold(["mono", "chip"], as_=["key", "usd_per_mm2"]).transform_filter(
        "isValid(datum.usd_per_mm2) && datum.usd_per_mm2 > 0"
    ).transform_calculate(design="datum.key == 'mono' ? 'monolithic die (must be perfect)' : 'chiplets (KGD test + bonding)'")
    lines = base.mark_line(clip=True).encode(
        x=alt.X("A:Q", scale=alt.Scale(type="log"), title="working logic per product (mm², log scale)",
                axis=alt.Axis(values=[10, 100, 1000, 10000], format="~s")),
        y=alt.Y("usd_per_mm2:Q", scale=alt.Scale(type="log", domain=[0.05, 100]), title="cost per good mm² (USD, log)",
                axis=alt.Axis(format="~g")),
        color=alt.Color("design:N", title=None, scale=alt.Scale(range=["#D55E00", "#0072B2"])),
        tooltip=["design:N", alt.Tooltip("A:Q", format=",.0f"), alt.Tooltip("usd_per_mm2:Q", format=".3g")],
    ).add_params(d, a, esc, bond).properties(width=_W, height=260)
    ret = alt.Chart(pd.DataFrame({"x": [reticle_mm2], "t": ["reticle limit"]}))
    chart = lines + ret.mark_rule(color="#999", strokeDash=[2, 2]).encode(x="x:Q") + ret.mark_text(
        align="left", dx=3, baseline="top", color="#333").encode(x="x:Q", y=alt.value(4), text="t:N")
    return finish(chart, title="Move the sliders: chiplets win once a product outgrows a few hundred mm², unless "
                               "testing or bonding lets bad dies through",
                  subtitle=[f"Wafer price ${wafer_price_usd:,.0f}; Poisson yield; the monolithic curve stops at the reticle limit."],
                  sources=sources, width=_W)


def amd_chart(df: pd.DataFrame, title: str, sources: str) -> alt.VConcatChart:
    """Published vs modelled cost ratios for AMD's three comparisons."""
    long = pd.concat([df.assign(kind="published", ratio=df["published"]), df.assign(kind="this model", ratio=df["model"])])
    names = {"amd_hc2017_epyc": "EPYC 2017", "amd_isscc2020_8core": "8-core 2020", "amd_isscc2020_16core": "16-core 2020"}
    long["label"] = [f"{names.get(i, i)}: {c}" for i, c in zip(long["id"], long["comparison"])]
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=list(dict.fromkeys(long["label"])), axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("kind:N"),
        x=alt.X("ratio:Q", title="cost ratio (see label for direction)"),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(range=["#555555", "#0072B2"])),
        tooltip=["label:N", "kind:N", alt.Tooltip("ratio:Q", format=".2f"), alt.Tooltip("error_pct:Q", format="+.0f")],
    ).properties(width=_W - 160, height=200)
    return finish(chart, title=title, sources=sources, width=_W - 160)


def token_cost_chart(tc: pd.DataFrame, defaults: dict[str, float], title: str, sources: str) -> alt.VConcatChart:
    """Cost per million tokens by system and scenario, recomputed in the browser from the assumption sliders."""
    data = tc[["name", "scenario", "price_usd", "power_w", "tokens_per_s"]].copy()
    data["name"] = [n.split(" (")[0] for n in data["name"]]
    yrs = alt.param(name="amortisation_years", value=defaults["amortisation_years"],
                    bind=alt.binding_range(min=1, max=8, step=0.5, name="amortisation (years) "))
    kwh = alt.param(name="usd_per_kwh", value=defaults["electricity_usd_per_kwh"],
                    bind=alt.binding_range(min=0.02, max=0.3, step=0.01, name="electricity (USD/kWh) "))
    pue = alt.param(name="pue", value=defaults["pue"], bind=alt.binding_range(min=1.0, max=2.0, step=0.05, name="PUE "))
    util = alt.param(name="utilisation", value=defaults["utilisation"],
                     bind=alt.binding_range(min=0.1, max=1.0, step=0.05, name="utilisation "))
    chart = alt.Chart(data).transform_calculate(
        usd_per_mtok="(datum.price_usd / (amortisation_years * 8760) + datum.power_w / 1000 * pue * usd_per_kwh)"
                     " / (datum.tokens_per_s * 3600 * utilisation) * 1e6",
    ).mark_point(size=160, filled=True, opacity=1).encode(
        y=alt.Y("name:N", title=None, axis=alt.Axis(labelLimit=150)),
        yOffset=alt.YOffset("scenario:N"),
        x=alt.X("usd_per_mtok:Q", scale=alt.Scale(type="log"), title="USD per million output tokens (log scale)",
                axis=alt.Axis(format="~g", values=[0.01, 0.1, 1, 10, 100, 1000, 10000])),
        color=alt.Color("scenario:N", title=None, scale=alt.Scale(range=["#D55E00", "#009E73"])),
        tooltip=["name:N", "scenario:N", alt.Tooltip("tokens_per_s:Q", format=",.0f"),
                 alt.Tooltip("usd_per_mtok:Q", format=".3g")],
    ).add_params(yrs, kwh, pue, util).properties(width=_W - 60, height=220)
    return finish(chart, title=title, sources=sources, width=_W - 60,
                  subtitle=["Throughput from the serving model (best layout per objective); price from the catalog.",
                            "Move the sliders to change the stated assumptions."])


def inference_share_chart(s: pd.DataFrame, title: str, sources: str) -> alt.VConcatChart:
    """Inference share of AI compute by year, coloured by grade, with the 50 % line."""
    d = s.assign(grade_label=[GRADES[g] for g in s["grade"]], who=[n.split(":")[0] for n in s["name"]])
    pts = alt.Chart(d).mark_point(size=110, filled=True).encode(
        x=alt.X("year:Q", axis=alt.Axis(format="d"), scale=alt.Scale(zero=False, padding=20), title="year"),
        y=alt.Y("inference_share:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]),
                title="inference share of AI compute"),
        color=alt.Color("grade_label:N", title="grade", scale=_grade_scale(s["grade"])),
        tooltip=["name:N", alt.Tooltip("inference_share:Q", format=".0%"), "grade_label:N", "source:N"])
    labels = alt.Chart(d).mark_text(align="left", dx=8, dy=-8, fontSize=10, color="#333").encode(
        x="year:Q", y="inference_share:Q", text="who:N")
    half = alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(color="#555", strokeDash=[4, 3]).encode(y="y:Q")
    chart = (pts + labels + half).properties(width=_W, height=220)
    return finish(chart, title=title, sources=sources, width=_W,
                  subtitle=["Dashed: inference equals training. McKinsey's 2030 point is a lower bound ('>50%')."])


def roadmap_chart(r: pd.DataFrame, title: str, sources: str) -> alt.VConcatChart:
    """Silicon per TSMC module (reticle fields) by year, with a WSE's area as a reference."""
    d = r.assign(kind=["CoWoS interposer" if i.startswith("cowos") else "system-on-wafer" for i in r["id"]],
                 grade_label=[GRADES[g] for g in r["grade"]])
    x = alt.X("year:Q", axis=alt.Axis(format="d", values=sorted(set(d["year"]))), scale=alt.Scale(zero=False, padding=20),
              title="year")
    y = alt.Y("reticles:Q", scale=alt.Scale(type="log"), title="reticle fields per module (log scale)",
              axis=alt.Axis(format="~g"))
    pts = alt.Chart(d).mark_line(point=True).encode(x=x, y=y, color=alt.Color("kind:N", title=None),
                                                    tooltip=["name:N", "reticles:Q", "grade_label:N", "source:N"])
    wse = float(r["reticle_mm2"].iloc[0])
    ref = pd.DataFrame({"y": [float(r["silicon_mm2"].iloc[0] / r["wafer_fraction"].iloc[0]) / wse],
                        "t": ["one WSE (46,225 mm²)"]})
    rule = alt.Chart(ref).mark_rule(color="#555", strokeDash=[4, 3]).encode(y="y:Q")
    lab = alt.Chart(ref).mark_text(align="left", dx=4, dy=-6).encode(y="y:Q", x=alt.value(2), text="t:N")
    chart = (pts + rule + lab).properties(width=_W, height=220)
    return finish(chart, title=title, sources=sources, width=_W)


def spares_chart(df: pd.DataFrame, title: str, sources: str) -> alt.VConcatChart:
    """System yield and relative cost per good system vs spares, one line per chiplet size (two panels)."""
    base = alt.Chart(df).encode(x=alt.X("spares:O", title="spare chiplets k"),
                                color=alt.Color("chiplet:N", title="chiplet size", sort=list(dict.fromkeys(df["chiplet"]))))
    y1 = base.mark_line(point=True).encode(y=alt.Y("system_yield:Q", title="system yield", axis=alt.Axis(format="%")),
                                           tooltip=["chiplet:N", "spares:O", alt.Tooltip("system_yield:Q", format=".1%")]
                                           ).properties(width=195, height=200)
    y2 = base.mark_line(point=True).encode(y=alt.Y("relative_cost:Q", title="cost per good system (k = 0 → 1)"),
                                           tooltip=["chiplet:N", "spares:O", alt.Tooltip("relative_cost:Q", format=".2f")]
                                           ).properties(width=195, height=200)
    return finish(alt.hconcat(y1, y2, spacing=30), title=title, sources=sources, width=_W)


def designs_chart(df: pd.DataFrame, title: str, sources: str, subtitle: list[str]) -> alt.VConcatChart:
    """Cost per good logical mm² vs chiplet size for each design."""
    chart = alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("chiplet_area_mm2:Q", scale=alt.Scale(type="log"), title="chiplet size (mm², log scale)",
                axis=alt.Axis(format="~g", values=sorted(set(df["chiplet_area_mm2"])))),
        y=alt.Y("usd_per_mm2:Q", title="cost per good mm² of logic (USD)", scale=alt.Scale(zero=False)),
        color=alt.Color("design:N", title=None, legend=alt.Legend(columns=1), sort=list(dict.fromkeys(df["design"]))),
        tooltip=["design:N", "chiplet_area_mm2:Q", alt.Tooltip("usd_per_mm2:Q", format=".3f"), "spares:Q",
                 alt.Tooltip("system_yield:Q", format=".1%")],
    ).properties(width=_W, height=250)
    return finish(chart, title=title, sources=sources, width=_W, subtitle=subtitle)


def capacity_chart(df: pd.DataFrame, title: str, sources: str, subtitle: list[str]) -> alt.VConcatChart:
    """Expected capacity vs years, with and without run-time map-out, for each spare count."""
    chart = alt.Chart(df).mark_line().encode(
        x=alt.X("years:Q", title="years in service"),
        y=alt.Y("capacity:Q", title="expected capacity", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("mode:N", title=None, scale=alt.Scale(range=["#009E73", "#D55E00"])),
        strokeDash=alt.StrokeDash("spares:N", title="spares"),
        tooltip=["design:N", alt.Tooltip("years:Q", format=".1f"), alt.Tooltip("capacity:Q", format=".1%")],
    ).properties(width=_W, height=240)
    return finish(chart, title=title, sources=sources, width=_W, subtitle=subtitle)


def interactive_package_chart(density: float, sources: str, max_spares: int = 6) -> alt.VConcatChart:
    """System yield vs total logic for a package, computed in the browser (Poisson, untested chiplets).

    Sliders: defect density, chiplet size, spares k. ``Y_sys = Σ_{j ≥ n} C(n+k, j) p^j (1−p)^{n+k−j}`` with
    ``p = e^{−a D}``; the binomial terms are summed in Vega expressions for k ≤ ``max_spares``.
    """
    total = np.geomspace(100.0, 10000.0, 100)
    data = pd.DataFrame({"T": total})
    d = alt.param(name="pkg_defects_per_cm2", value=density,
                  bind=alt.binding_range(min=0.01, max=1.0, step=0.01, name="defects per cm² "))
    a = alt.param(name="pkg_chiplet_mm2", value=200,
                  bind=alt.binding_range(min=100, max=860, step=20, name="chiplet size (mm²) "))
    k = alt.param(name="pkg_spares", value=1, bind=alt.binding_range(min=0, max=max_spares, step=1, name="spares k "))
    # P(at most k failures among m = n + k): sum over i = 0..k of C(m, i) q^i p^(m−i), q = 1 − p
    def binom(i: int) -> str:  # C(m, i) as a product (Vega expressions have no lgamma)
        return " * ".join([f"(datum.m - {j}) / {j + 1}" for j in range(i)]) or "1"

    terms = " + ".join(
        f"(pkg_spares >= {i} ? {binom(i)} * pow(1 - datum.p, {i}) * pow(datum.p, datum.m - {i}) : 0)"
        for i in range(max_spares + 1))
    base = alt.Chart(data).transform_calculate(
        n="max(1, round(datum.T / pkg_chiplet_mm2))", p="exp(-pkg_chiplet_mm2 * pkg_defects_per_cm2 / 100)",
    ).transform_calculate(m="datum.n + pkg_spares").transform_calculate(
        with_spares=terms, none="pow(datum.p, datum.n)", mono="exp(-datum.T * pkg_defects_per_cm2 / 100)",
    ).transform_fold(["with_spares", "none", "mono"], as_=["key", "yield"]).transform_calculate(
        design="datum.key == 'with_spares' ? 'package with k spares' : datum.key == 'none' ? "
               "'multi-chip module, no spares' : 'one monolithic die'"
    ).transform_filter("datum.yield >= 1e-6")
    lines = base.mark_line().encode(
        x=alt.X("T:Q", scale=alt.Scale(type="log"), title="logic per system (mm², log scale)"),
        y=alt.Y("yield:Q", scale=alt.Scale(type="log", domain=[1e-6, 1]), title="system yield (log scale)",
                axis=alt.Axis(labelExpr=power_labels())),
        color=alt.Color("design:N", title=None, scale=alt.Scale(
            domain=["package with k spares", "multi-chip module, no spares", "one monolithic die"],
            range=["#009E73", "#0072B2", "#D55E00"])),
        tooltip=["design:N", alt.Tooltip("T:Q", format=",.0f"), alt.Tooltip("yield:Q", format=".3~e")],
    ).add_params(d, a, k).properties(width=_W, height=260)
    return finish(lines, title="Move the sliders: one or two spare chiplets keep a large untested package buildable",
                  subtitle=["Untested chiplets, Poisson defects; monolithic ignores the reticle limit; curves stop below 10⁻⁶.",
                            "Without spares a module of untested dies yields no better than one die of the same area."],
                  sources=sources, width=_W)
