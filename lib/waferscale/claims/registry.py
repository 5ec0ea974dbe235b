"""The claims ledger: every testable claim of the article under test, with a computed verdict.

The article is ``shared/reference/seed_article.md`` (an investor's piece on Cerebras, 2026).
Each :class:`Claim` names the chapter that tests it and a *verdict function*: a pure function of
the :class:`~waferscale.data.catalog.Catalog` that computes the model's (or the data's) figure and
returns a :class:`Verdict`. No verdict is typed: change a catalog row or a model parameter and
the verdict can change. Claims whose chapter has not yet built its model say so
(``not yet modelled``) and name what the chapter will compute.

The *claimed* numbers (20x, 2.4x) are the article's, stored on the claim so that the verdict can
compare against them; they never enter a computation of the figure.

Examples
--------
>>> table = ledger()
>>> table.loc[table.id == "C01", "verdict"].item() in {"holds", "holds only if", "does not hold"}
True
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from ..data import catalog as _catalog
from ..data.catalog import Catalog
from ..models.redundancy import segment_cores, spare_fraction

__all__ = ["Status", "Verdict", "Claim", "CHAPTERS", "CLAIMS", "ledger", "evaluate", "claim", "ledger_html", "summary"]


class Status(str, enum.Enum):
    """The four verdicts a claim can get."""

    HOLDS = "holds"
    HOLDS_IF = "holds only if"
    FAILS = "does not hold"
    PENDING = "not yet modelled"


@dataclass(frozen=True)
class Verdict:
    """A computed verdict: status, the figure behind it (with unit), and a one-line reason.

    ``basis`` says where the figure comes from: ``model`` (a chapter's model), ``catalog data``
    (arithmetic on sourced catalog rows, no model yet) or ``none`` (not yet modelled).
    """

    status: Status
    figure: float | None
    unit: str
    detail: str
    basis: str = "catalog data"
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claim:
    """One claim of the article: what it says, where the book tests it, and how."""

    id: str
    section: str
    quote: str
    paraphrase: str
    chapter: str
    kind: str  # "quantitative" or "qualitative"
    verdict: Callable[[Catalog], Verdict]
    claimed: float | None = None
    claimed_unit: str = ""


#: Chapter docnames (files in chapters/) and titles, in book order.
CHAPTERS: dict[str, str] = {
    "intro": "Introduction and claims ledger",
    "communication": "Eliminate or optimise communication",
    "yield_history": "Yield: why wafer-scale failed, and why it works now",
    "performance": "Performance: single-point limit vs system scaling",
    "suitability": "Which workloads suit a wafer",
    "outlook": "Industry outlook",
    "lasting_idea": "The lasting idea: fault tolerance beyond the wafer",
}


# -- helpers ----------------------------------------------------------------------------------
def _pending(what: str) -> Callable[[Catalog], Verdict]:
    """Verdict function for a claim whose chapter has not yet built its model."""

    def fn(_: Catalog) -> Verdict:
        return Verdict(Status.PENDING, None, "", f"To be computed: {what}", basis="none")

    fn.__doc__ = f"Not yet modelled: {what}"
    return fn


def _missing(cat: Catalog, needs: list[tuple[str, str]]) -> Verdict | None:
    gaps = [f"{e}.{f}" for e, f in needs if not cat.has(e, f)]
    if gaps:
        return Verdict(Status.PENDING, None, "", f"catalog lacks {', '.join(gaps)}", basis="none")
    return None


def _srcs(cat: Catalog, needs: list[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(cat.fact(e, f).source for e, f in needs))


# -- verdict functions computed from catalog data ----------------------------------------------
def _c01_small_models(cat: Catalog) -> Verdict:
    """Decode-model ratio, CS-3 vs H100 on Llama 3.1 8B at batch 1 (see waferscale.claims.performance.c01)."""
    from . import performance as perfclaims

    return perfclaims.c01(cat)


def _c02_large_model_b200(cat: Catalog) -> Verdict:
    """Decode-model ratio on Llama 4 Maverick, CS-3 vs DGX B200 (see waferscale.claims.performance.c02)."""
    from . import performance as perfclaims

    return perfclaims.c02(cat)


def _c03_compute_outpaces_communication(cat: Catalog) -> Verdict:
    """Growth of dense BF16 FLOP/s vs growth of HBM and NVLink bandwidth, A100 → B200."""
    needs = [("a100_sxm", "bf16_dense_flop_per_s"), ("b200", "bf16_dense_flop_per_s"),
             ("a100_sxm", "hbm_bytes_per_s"), ("b200", "hbm_bytes_per_s"),
             ("a100_sxm", "scaleup_bytes_per_s_per_dir"), ("b200", "scaleup_bytes_per_s_per_dir")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    v = {k: cat.value(*k) for k in needs}
    flops = v[needs[1]] / v[needs[0]]
    hbm = v[needs[3]] / v[needs[2]]
    link = v[needs[5]] / v[needs[4]]
    figure = flops / max(hbm, link)
    status = Status.HOLDS if figure > 1 else Status.FAILS
    return Verdict(
        status, figure, "x",
        f"A100→B200: compute grew {flops:.1f}x, HBM bandwidth {hbm:.1f}x, NVLink bandwidth {link:.1f}x, "
        "so each FLOP has fewer bytes to feed it: communication, not compute, is the growing constraint",
        sources=_srcs(cat, needs),
    )


def _c04_no_connections(cat: Catalog) -> Verdict:
    """Model: wafers a dense model needs (weights in SRAM), and the off-wafer share of decode communication."""
    from ..models import collectives as co

    needs = [("wse3", "sram_bytes"), ("llama3_1_70b", "params_total"), ("llama3_1_8b", "params_total")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    small, big = co.wafers_needed(cat, "llama3_1_8b"), co.wafers_needed(cat, "llama3_1_70b")
    step = co.decode_step(cat, "llama3_1_70b")
    w = step[step["system"] == "wafers"].set_index("component")
    comm = w.loc[["on the wafer (mesh)", "between chips (wafer to wafer)"], "time_s"]
    off = comm.iloc[1] / comm.sum()
    status = Status.HOLDS if big == 1 else Status.HOLDS_IF
    return Verdict(
        status, float(big), " wafers",
        f"holds only while the weights fit one wafer's SRAM: Llama 3.1 8B needs {small}, 70B needs {big} wafers "
        f"(16-bit weights), and then {off:.0%} of a decode step's communication time is wafer-to-wafer",
        basis="model", sources=_srcs(cat, needs),
    )


def _c10_on_chip_lowest(cat: Catalog) -> Verdict:
    """Model: hand a decode activation to the next layer on the wafer's mesh vs over NVLink 4."""
    from ..models import collectives as co
    from ..models import interconnect as ic

    needs = [("wse3_fabric", "hop_latency_s"), ("wse3_fabric", "energy_j_per_bit"), ("nvlink4", "latency_s"),
             ("nvlink4", "energy_j_per_bit"), ("llama3_1_70b", "hidden_size")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    n = 2.0 * cat.value("llama3_1_70b", "hidden_size")
    side = co.decode_step(cat, "llama3_1_70b").attrs["region_side_pe"]
    m, nv = ic.mesh(cat), ic.tier(cat, "nvlink4")
    t_w = ic.p2p_time_s(n, side * m.link_bytes_per_s_per_dir, side * m.hop_latency_s)
    t_g = ic.p2p_time_s(n, nv.require("bandwidth"), nv.require("latency"))
    e_w = side * m.energy_j_per_bit_per_hop
    e_w_hi = side * m.energy_high_j_per_bit_per_hop
    e_far = m.mean_hops * m.energy_j_per_bit_per_hop
    e_g, e_g_lo = nv.require("energy"), nv.energy_low_j_per_bit or nv.require("energy")
    robust = e_w_hi < e_g_lo
    status = Status.HOLDS if robust and t_w < t_g else Status.HOLDS_IF
    return Verdict(
        status, t_g / t_w, "x",
        f"handing a 70B activation ({n / 1024:.0f} KiB) to the next layer: {t_w * 1e9:.0f} ns and "
        f"{e_w * 1e12:.1f} pJ/bit on the mesh vs {t_g * 1e9:.0f} ns and {e_g * 1e12:.0f} pJ/bit over NVLink 4. "
        f"Lowest latency holds; lowest energy holds only for short on-wafer trips: the bands overlap "
        f"(mesh up to {e_w_hi * 1e12:.0f}, NVLink from {e_g_lo * 1e12:.1f} pJ/bit) and an average trip across "
        f"the wafer costs {e_far * 1e12:.0f} pJ/bit",
        basis="model", sources=_srcs(cat, needs),
    )


def _c11_cpo_conversion(cat: Catalog) -> Verdict:
    """Model: share of a CPO-switched GPU-to-GPU path's energy spent in optical-electrical conversion."""
    from ..models import interconnect as ic

    needs = [("cpo_nvidia", "energy_j_per_bit"), ("pluggable_optics_1p6t", "energy_j_per_bit"),
             ("pcie_gen5_x16", "energy_j_per_bit"), ("cpo_nvidia", "ports"), ("wse3_fabric", "energy_j_per_bit")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    cpo = ic.scaleout_path(cat, 2, switch="cpo_nvidia", switch_optics="cpo_nvidia")
    plug = ic.scaleout_path(cat, 2, switch="cpo_nvidia")
    m = ic.mesh(cat)
    ratio = cpo.total_j_per_bit / (m.mean_hops * m.energy_j_per_bit_per_hop)
    status = Status.HOLDS if cpo.conversion_share > 0.5 else Status.FAILS
    return Verdict(
        status, 100 * cpo.conversion_share, "%",
        f"through one CPO switch a GPU-to-GPU bit costs {cpo.total_j_per_bit * 1e12:.0f} pJ "
        f"(pluggables: {plug.total_j_per_bit * 1e12:.0f} pJ), {cpo.conversion_share:.0%} of it in "
        f"optical-electrical conversion; that is {ratio:.1f}x an average trip across a wafer",
        basis="model", sources=_srcs(cat, needs),
    )


def _c12_crossing_chips(cat: Catalog) -> Verdict:
    """Model: all-reduce bandwidth per FLOP inside a wafer vs between wafers, and vs H100 over InfiniBand."""
    from ..models import scaling as sc

    needs = [("wse3", "mesh_width_pe"), ("cs3", "io_bytes_per_s"), ("wse3", "fp16_dense_flop_per_s"),
             ("h100_sxm", "scaleout_bytes_per_s_per_dir")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    inside = sc.scale(cat, sc.cs3_ethernet(), 1)["bytes_per_flop"]
    between = sc.scale(cat, sc.cs3_ethernet(), 16)["bytes_per_flop"]
    gpu = sc.scale(cat, sc.h100_ib(), 128)["bytes_per_flop"]
    status = Status.HOLDS if between < gpu else Status.FAILS
    return Verdict(
        status, inside / between, "x",
        f"bandwidth per FLOP falls {inside / between:.0f}x from the wafer's mesh bisection to its Ethernet I/O; "
        f"between wafers it is {between * 1e15 / 1e9:.0f} GB/s per PFLOP/s, {gpu / between:.0f}x less than H100s "
        f"get over InfiniBand ({gpu * 1e15 / 1e9:.0f})",
        basis="model", sources=_srcs(cat, needs),
    )


def _c13_cpo_expansion(cat: Catalog) -> Verdict:
    """Model: all-reduce bandwidth per GPU and path energy from one NVL72 rack to 16,384 GPUs, pluggable vs CPO."""
    from ..models import scaling as sc

    needs = [("gb200_nvl72", "scaleout_bytes_per_s_per_dir"), ("cpo_nvidia", "energy_j_per_bit"),
             ("pluggable_optics_1p6t", "energy_j_per_bit"), ("nvlink5", "domain_chips")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    first = sc.scale(cat, sc.gb200_cpo(), 144)
    last_cpo = sc.scale(cat, sc.gb200_cpo(), 16384)
    last_plug = sc.scale(cat, sc.gb200_xdr(), 16384)
    keep = last_cpo["bus_bandwidth_bytes_per_s"] / first["bus_bandwidth_bytes_per_s"]
    saving = 1 - last_cpo["path_j_per_bit"] / last_plug["path_j_per_bit"]
    return Verdict(
        Status.HOLDS_IF, keep, "x",
        f"from 2 NVL72 racks to 16,384 GPUs the all-reduce bandwidth per GPU keeps {keep:.0%} of its value, "
        f"if the fat tree stays non-blocking; CPO cuts the longest path's energy by {saving:.0%} "
        f"({last_plug['path_j_per_bit'] * 1e12:.0f} to {last_cpo['path_j_per_bit'] * 1e12:.0f} pJ/bit) but adds no bandwidth per GPU",
        basis="model", sources=_srcs(cat, needs),
    )


def _c14_single_machine_power(cat: Catalog) -> Verdict:
    """Power per machine and energy per token at batch 1 (see waferscale.claims.performance.c14)."""
    from . import performance as perfclaims

    return perfclaims.c14(cat)


def _c15_balanced_efficiency(cat: Catalog) -> Verdict:
    """Energy per token at full concurrency (see waferscale.claims.performance.c15)."""
    from . import performance as perfclaims

    return perfclaims.c15(cat)


def _c16_single_machine_limits(cat: Catalog) -> Verdict:
    """Per-user speed at batch 1 vs throughput per kW at full load (see waferscale.claims.performance.c16)."""
    from . import performance as perfclaims

    return perfclaims.c16(cat)


def _c21_power_density(cat: Catalog) -> Verdict:
    """Model (physics): heat flux of the wafer vs an H100 die, and against the conventional cooling limit."""
    from ..models import physics

    needs = [("cs3", "system_power_w"), ("wse3", "die_area_mm2"), ("h100_sxm", "tdp_w"), ("h100_sxm", "die_area_mm2"),
             ("cooling_conventional", "heat_flux_w_per_cm2")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    hs = physics.heat_sources(cat).set_index("device")
    wafer = float(hs.loc["WSE-3 (CS-3 power)", "w_per_cm2"])
    gpu = float(hs.loc["H100 SXM", "w_per_cm2"])
    limit = cat.value("cooling_conventional", "heat_flux_w_per_cm2")
    ratio = wafer / gpu
    status = Status.FAILS if ratio < 1 else Status.HOLDS
    return Verdict(
        status, ratio, "x",
        f"even charging all system power to the wafer, its flux is {wafer:.0f} W/cm² vs {gpu:.0f} W/cm² for an "
        f"H100 (TDP incl. HBM) and a conventional limit of {limit:.0f} W/cm²: density is not the wall; total power "
        f"per part ({cat.value('cs3', 'system_power_w') / 1e3:.0f} kW) and its delivery are",
        basis="model", sources=_srcs(cat, needs),
    )


def _c22_signal_delay(cat: Catalog) -> Verdict:
    """Model (physics): crossing 21.5 cm by time of flight, RC wire and mesh, in clock cycles."""
    from ..models import physics

    needs = [("wse3", "die_area_mm2"), ("wse3", "clock_hz"), ("sio2", "relative_permittivity"),
             ("wire_45nm_m8", "resistivity_ohm_m"), ("wse3", "mesh_width_pe"), ("wse3", "hop_latency_cycles")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    c = physics.wafer_crossing(cat)
    tof = c.cycles("tof_sio2_s")
    status = Status.HOLDS_IF if tof > 1 else Status.FAILS
    return Verdict(
        status, tof, " cycles",
        f"light in SiO₂ needs {tof:.2f} clock cycles to cross {c.length_m * 100:.1f} cm, a repeated wire "
        f"{c.cycles('rc_repeated_s'):.1f}, a bare RC wire {c.cycles('rc_unrepeated_s'):.0f}: one global synchronous "
        f"cycle is impossible, so this holds as a limit on global synchrony; the mesh sidesteps it by pipelining "
        f"({c.mesh_hops:.0f} hops, {c.mesh_s * 1e6:.2f} µs corner to corner), and fault tolerance is not what fixes it",
        basis="model", sources=_srcs(cat, needs),
    )


def _c23_small_dies(cat: Catalog) -> Verdict:
    """Model (economics): cost per good mm² of a reticle-size perfect die, 100 mm² dies, chiplets, the wafer."""
    from ..models import economics as ec

    needs = [("reticle_field", "die_area_mm2"), ("wse3", "die_area_mm2"), ("wse3", "core_area_mm2"),
             ("wse3", "cores_physical"), ("amd_hc2017_epyc", "extra_silicon_fraction")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    node = cat.value("wse3", "process_nm")
    price, prow = ec.node_price_usd(cat, node)
    d, drow = ec.node_density(cat, node)
    reticle = cat.value("reticle_field", "die_area_mm2")
    small = float(ec.cost_per_good_mm2_monolithic(ERA_REFERENCE_DIE_MM2, d, price))
    big = float(ec.cost_per_good_mm2_monolithic(reticle, d, price))
    wafer = float(ec.cost_per_good_mm2_redundant(cat.value("wse3", "die_area_mm2"), cat.value("wse3", "core_area_mm2"),
                                                 d, price, segment_cores(cat, "wse3")))
    status = Status.HOLDS_IF if wafer < big else Status.HOLDS
    return Verdict(
        status, big / small, "x",
        f"at {d:g} defects/cm² and ${price:,.0f} per wafer a perfect reticle-size die costs {big / small:.1f}x as much "
        f"per good mm² as {ERA_REFERENCE_DIE_MM2:.0f} mm² dies (${big:.2f} vs ${small:.2f}); holds against dies that "
        f"must be perfect, but the redundant wafer's silicon costs ${wafer:.2f} per good mm², "
        f"{wafer / small:.1f}x the small dies: spares, not small size, are what make big silicon affordable",
        basis="model", sources=(prow["source"], drow["source"], *_srcs(cat, needs)),
    )


def _c24_foundry_path(cat: Catalog) -> Verdict:
    """Model (economics.roadmap): how much silicon TSMC's packaging integrates per module, by year."""
    from ..models import economics as ec

    road = ec.roadmap(cat)
    if road.empty:
        return Verdict(Status.PENDING, None, "", "catalog lacks the packaging roadmap", basis="none")
    cowos = road[road["id"].str.startswith("cowos")].sort_values("year", kind="stable")
    growth = float(cowos["reticles"].iloc[-1] / cowos["reticles"].iloc[0])
    sow = road[road["id"].str.startswith("sow")]
    frac = float(sow["wafer_fraction"].max()) if not sow.empty else float("nan")
    return Verdict(
        Status.HOLDS_IF, growth, "x",
        f"TSMC does favour modules built from reticle-size dies, but its modules grow {growth:.1f}x in integrated "
        f"silicon from {int(cowos['year'].iloc[0])} to {int(cowos['year'].iloc[-1])} and its system-on-wafer targets "
        f"{frac:.0%} of a WSE's area: holds only if 'modular' means chiplets, since the foundry path leads to wafer-size "
        "modules (a counterpoint to the claim)",
        basis="model", sources=tuple(dict.fromkeys(road["source"])),
    )


def _c25_inference_share(cat: Catalog) -> Verdict:
    """Model (economics.inference_share): inference / training compute ratio from sourced estimates."""
    from ..models import economics as ec

    s = ec.inference_share(cat)
    if s.empty:
        return Verdict(Status.PENDING, None, "", "catalog lacks inference-share estimates", basis="none")
    firm = s[s["grade"] != "uncertain"]
    latest, forecast = firm.iloc[-1], s.iloc[-1]
    ahead = s[s["ratio"] > 1.5]
    status = Status.HOLDS if float(latest["ratio"]) > 1.5 else Status.HOLDS_IF
    when = f"{int(ahead['year'].iloc[0])} ({ahead['grade'].iloc[0].replace('_', ' ')})" if not ahead.empty else "no year"
    return Verdict(
        status, float(latest["ratio"]), "x",
        f"inference/training compute was {float(latest['ratio']):.1f}x in {int(latest['year'])} (the last estimate not "
        f"graded uncertain); 'much higher' (over 1.5x) first appears in {when}; the furthest forecast "
        f"({int(forecast['year'])}) says at least {float(forecast['inference_share']):.0%}",
        basis="model", sources=tuple(dict.fromkeys(s["source"])),
    )


def _c26_mainstream(cat: Catalog) -> Verdict:
    """The four reasons' verdicts combined, with what would flip the conclusion."""
    parts = {cid: evaluate(cid, cat) for cid in ("C21", "C22", "C23", "C24", "C25")}
    if any(v.status is Status.PENDING for v in parts.values()):
        return Verdict(Status.PENDING, None, "", "a reason is not yet modelled", basis="none")
    standing = sum(v.status is not Status.FAILS for v in parts.values())
    fails = [k for k, v in parts.items() if v.status is Status.FAILS]
    from ..models import economics as ec

    comp = ec.company_table(cat)
    conc = comp.dropna(subset=["customer_share"]).sort_values("year", kind="stable")
    share = float(conc["customer_share"].iloc[-1]) if not conc.empty else float("nan")
    return Verdict(
        Status.HOLDS_IF, float(standing), f" of {len(parts)} reasons",
        f"{standing} of the {len(parts)} quantified reasons stand at least conditionally ({', '.join(fails) or 'none'} "
        f"fails); the company still draws {share:.0%} of revenue from its largest customers. It would flip if wafer "
        "systems matched GPU racks on cost per token at high concurrency, if the foundry's system-on-wafer made "
        "wafer-size modules a standard product, or if revenue stopped depending on a few buyers",
        basis="model", sources=tuple(dict.fromkeys(s for v in parts.values() for s in v.sources)) + tuple(conc["source"]),
    )


def _c27_chiplet_spares(cat: Catalog) -> Verdict:
    """Model (packaging): cost per good system of reticle-size chiplets with the best number of spares vs none."""
    from ..models import economics as ec
    from ..models import packaging as pk

    needs = [("amd_hc2017_epyc", "chiplet_area_mm2"), ("amd_hc2017_epyc", "chiplets"),
             ("amd_hc2017_epyc", "extra_silicon_fraction")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    node = cat.value("wse3", "process_nm")
    price, prow = ec.node_price_usd(cat, node)
    d, drow = ec.node_density(cat, node)
    extra = cat.value("amd_hc2017_epyc", "extra_silicon_fraction")
    untested = ec.ChipletProcess(test_escape=1.0, extra_silicon_fraction=extra)   # no known-good-die test
    proc = untested
    a = cat.value("amd_hc2017_epyc", "chiplet_area_mm2")          # AMD's first EPYC: 4 chiplets of 213 mm²
    n = int(cat.value("amd_hc2017_epyc", "chiplets"))
    sweep = pk.sweep_spares(a, n, d, price, proc, max_spares=4)
    best = sweep.loc[sweep["usd_per_good_system"].idxmin()]
    saving = 1.0 - float(best["usd_per_good_system"]) / float(sweep.loc[0, "usd_per_good_system"])
    tested = pk.sweep_spares(a, n, d, price, ec.ChipletProcess(extra_silicon_fraction=extra), max_spares=4)
    best_tested = int(tested.loc[tested["usd_per_good_system"].idxmin(), "spares"])
    status = Status.HOLDS if best_tested > 0 else Status.HOLDS_IF
    return Verdict(
        status, 100.0 * saving, "%",
        f"a package of {n} chiplets of {a:.0f} mm² (AMD's first EPYC) at {d:g} defects/cm², untested: {int(best['spares'])} "
        f"spare(s) raise system yield from {sweep.loc[0, 'system_yield']:.0%} to {float(best['system_yield']):.0%} and "
        f"cut cost per good system by {saving:.0%}, for {float(best['idle_fraction']):.0%} idle silicon; "
        f"with perfect known-good-die testing and bonding the best number of spares is {best_tested}: spares pay only "
        "where testing or assembly lets bad chiplets through",
        basis="model", sources=(prow["source"], drow["source"], *_srcs(cat, needs)),
    )


def _c28_best_practice(cat: Catalog) -> Verdict:
    """Model (yields): what GPUs already do — H100 sells 132 of 144 SMs — vs the wafer's sparing."""
    from ..models import yields

    needs = [("h100_sxm", "cores_physical"), ("h100_sxm", "cores_enabled"), ("h100_sxm", "core_area_mm2"),
             ("wse3", "cores_physical"), ("wse3", "cores_enabled")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    d = float(cat.defect_densities.sort_values("year", kind="stable").iloc[-1]["value"])
    phys, en = int(cat.value("h100_sxm", "cores_physical")), int(cat.value("h100_sxm", "cores_enabled"))
    sm = cat.value("h100_sxm", "core_area_mm2")
    spared = float(yields.array_yield(phys, sm, d, phys, phys - en))
    perfect = float(yields.poisson(phys * sm, d))
    gpu_spare = 1 - en / phys
    wse_spare = 1 - cat.value("wse3", "cores_enabled") / cat.value("wse3", "cores_physical")
    return Verdict(
        Status.HOLDS_IF, spared / perfect, "x",
        f"GPUs already practise it: an H100 keeps {gpu_spare:.1%} of its SMs as spares (WSE-3: {wse_spare:.1%}), which "
        f"lifts the share of sellable dies from {perfect:.0%} to {spared:.0%} at {d:g} defects/cm²; what the wafer adds "
        "is repair at a granularity ~100x finer and across the whole wafer. 'Best practice' holds for the granularity, "
        "not for the principle, which is already common",
        basis="model", sources=_srcs(cat, needs),
    )


# -- yield chapter ---------------------------------------------------------------------------------
def _era_density(cat: Catalog, last_year: int = 1995) -> tuple[float, pd.Series]:
    """The defect density the catalog gives for wafer-scale's first era (the textbook value)."""
    d = cat.defect_densities
    era = d[(d["year"] <= last_year) & (d["grade"] != "uncertain")].sort_values("year", kind="stable")
    if era.empty:
        raise ValueError(f"the catalog has no defect density for years <= {last_year}")
    row = era.iloc[-1]
    return float(row["value"]), row


def _trilogy_area_mm2(cat: Catalog) -> tuple[float, pd.Series]:
    from ..core.units import to_canonical

    ev = cat.events[cat.events["id"] == "trilogy_chip_1983"]
    if ev.empty:
        raise ValueError("the catalog has no event trilogy_chip_1983 (Trilogy's chip size)")
    row = ev.iloc[0]
    return to_canonical(float(row["value"]), row["unit"], "mm^2"), row


#: Reference small die of the era (mm²): Flynn's 1995 textbook example, a 1 cm² die at 1 defect/cm².
ERA_REFERENCE_DIE_MM2 = 100.0
#: A silicon-cost penalty above this factor (good silicon per unit of function) rules a design out.
COST_PENALTY_LIMIT = 2.0


def _c05_yield_1980s(cat: Catalog) -> Verdict:
    """Good-silicon cost of a Trilogy-size chip vs the era's small dies, under the most forgiving model.

    Cost per good mm² scales as 1/Y, so the penalty of one big chip over small dies doing the same
    work is ``Y_small / Y_big``; the verdict takes the smallest penalty over five yield models.
    """
    from ..models import yields

    d, drow = _era_density(cat)
    area, arow = _trilogy_area_mm2(cat)
    models = {
        "Poisson": yields.poisson, "Murphy": yields.murphy, "Seeds": yields.seeds,
        "negative binomial (α = 2)": lambda a, x: yields.negative_binomial(a, x, 2.0),
    }
    penalty = {k: float(f(ERA_REFERENCE_DIE_MM2, d)) / float(f(area, d)) for k, f in models.items()}
    kind = min(penalty, key=penalty.get)
    best = float(models[kind](area, d))
    status = Status.HOLDS if penalty[kind] > COST_PENALTY_LIMIT else Status.FAILS
    return Verdict(
        status, penalty[kind], "x",
        f"a {area / 100:.0f} cm² chip at {d:g} defects/cm² yields at best {best:.1%} ({kind}); good silicon "
        f"costs {penalty[kind]:.0f}x more than as {ERA_REFERENCE_DIE_MM2 / 100:g} cm² dies (Poisson: "
        f"{penalty['Poisson']:.0e}x)",
        basis="model", sources=(drow["source"], arow["source"]),
    )


def _c06_fault_tolerance(cat: Catalog) -> Verdict:
    """The same chip and density with spares: fine-grained (WSE core) vs coarse (GPU SM) units."""
    from ..models import yields

    d, drow = _era_density(cat)
    area, arow = _trilogy_area_mm2(cat)
    spare = spare_fraction(cat, "wse3")
    length = segment_cores(cat, "wse3")
    out = {}
    for label, unit in (("fine", "wse3"), ("coarse", "h100_sxm")):
        core = cat.value(unit, "core_area_mm2")
        cores = max(length, int(area // core) // length * length)
        out[label] = float(yields.array_yield(cores, core, d, length, 1))
    none = float(yields.poisson(area, d))
    status = Status.HOLDS if out["fine"] > 0.5 > out["coarse"] else Status.HOLDS_IF
    return Verdict(
        status, out["fine"], "",
        f"with {spare:.0%} spare units the same chip yields {out['fine']:.0%} if units are WSE-core-sized "
        f"but {out['coarse']:.1%} if they are GPU-SM-sized (none: {none:.0e}): what was missing was fine-grained "
        "fault tolerance",
        basis="model",
        sources=(drow["source"], arow["source"], cat.fact("wse3", "core_area_mm2").source,
                 cat.fact("h100_sxm", "core_area_mm2").source),
    )


def _c08_fault_tolerant_systems(cat: Catalog) -> Verdict:
    """WSE-3 at today's density: the whole logical array with its spare budget vs a perfect wafer."""
    from ..models import yields

    dd = cat.defect_densities
    row = dd.sort_values("year", kind="stable").iloc[-1]
    d = float(row["value"])
    physical = int(cat.value("wse3", "cores_physical"))
    core = cat.value("wse3", "core_area_mm2")
    length = segment_cores(cat, "wse3")
    with_spares = float(yields.array_yield(physical, core, d, length, 1))
    perfect = float(yields.poisson(physical * core, d))
    status = Status.HOLDS if with_spares > 0.5 and perfect < 1e-6 else Status.HOLDS_IF
    return Verdict(
        status, with_spares, "",
        f"at {d:g} defects/cm² a WSE-3 with 1 spare per {length} cores delivers its full array {with_spares:.1%} "
        f"of the time; demanding a perfect wafer gives {perfect:.0e}",
        basis="model", sources=(row["source"], cat.fact("wse3", "cores_physical").source),
    )


# -- suitability (chapter suitability; the model is waferscale.models.suitability) -------------------
def _c09_ai_suits_wafers(cat: Catalog) -> Verdict:
    """AI workloads: communication share on GPUs (Q1) and mapping efficiency on a mesh (Q3), measured."""
    from ..models import suitability
    return suitability.verdict_c09(cat)


def _c17_three_questions(cat: Catalog) -> Verdict:
    """The three questions as measured features: how many of the article's classes they reproduce."""
    from ..models import suitability
    return suitability.verdict_c17(cat)


def _c18_highly_suitable(cat: Catalog) -> Verdict:
    """Dense training, long context, PDE/CFD, MD: derived class vs 'highly suitable'."""
    from ..models import suitability
    return suitability.verdict_c18(cat)


def _c19_partially_suitable(cat: Catalog) -> Verdict:
    """Low-concurrency inference, graph analytics: derived class vs 'partially suitable'."""
    from ..models import suitability
    return suitability.verdict_c19(cat)


def _c20_not_suitable(cat: Catalog) -> Verdict:
    """CPU work, high-concurrency inference, edge, real-time: derived class vs 'not suitable'."""
    from ..models import suitability
    return suitability.verdict_c20(cat)


# -- the ledger -------------------------------------------------------------------------------
def _c(id, section, quote, paraphrase, chapter, kind, verdict, claimed=None, claimed_unit=""):
    return Claim(id, section, quote, paraphrase, chapter, kind, verdict, claimed, claimed_unit)


CLAIMS: tuple[Claim, ...] = (
    _c("C01", "intro", "up to 20 times that of H100",
       "On small models, Cerebras infers up to ~20x faster than an H100.", "performance", "quantitative",
       _c01_small_models, 20.0, "x"),
    _c("C02", "intro", "about 2.4 times that of B200",
       "For a ~400B-parameter model, one user gets ~2.4x the speed of a B200 system on a CS-3.", "performance",
       "quantitative", _c02_large_model_b200, 2.4, "x"),
    _c("C03", "intro", "from 'raw compute' to 'communication'",
       "AI hardware progress is now limited by communication and system architecture more than raw compute.",
       "communication", "qualitative", _c03_compute_outpaces_communication),
    _c("C04", "1", "how to not need connections",
       "A wafer's on-chip network replaces cross-node communication for a whole model.", "communication",
       "qualitative", _c04_no_connections),
    _c("C05", "2", "Yield cannot support it",
       "In the 1980s yield made wafer-scale chips impossible.", "yield_history", "quantitative",
       _c05_yield_1980s),
    _c("C06", "2", "Lack of fault-tolerance mechanisms",
       "Early wafer-scale efforts failed for want of fault tolerance.", "yield_history", "qualitative",
       _c06_fault_tolerance),
    _c("C07", "2", "Software cannot support it",
       "Software could not program wafer-scale machines then.", "yield_history", "qualitative",
       _pending("no physical model tests this; the chapter records the historical evidence")),
    _c("C08", "2", "from 'perfect hardware' to 'fault-tolerant systems'",
       "The enabling change is tolerating defects instead of demanding perfect dies.", "yield_history",
       "quantitative", _c08_fault_tolerant_systems),
    _c("C09", "2", "high parallelism, strong synchronization",
       "AI workloads suit wafers: highly parallel, tightly synchronised, communication-driven.", "suitability",
       "qualitative", _c09_ai_suits_wafers),
    _c("C10", "3.1", "lowest latency, lowest energy consumption",
       "Purely on-chip communication gives the lowest latency and energy.", "communication", "quantitative",
       _c10_on_chip_lowest),
    _c("C11", "3.1", "still involves optical-electrical conversion",
       "Co-packaged optics still pays for optical-electrical conversion.", "communication", "quantitative",
       _c11_cpo_conversion),
    _c("C12", "3.2", "once crossing chips → back to communication",
       "Once a model spans several wafers, Cerebras is back to communication limits.", "communication",
       "quantitative", _c12_crossing_chips),
    _c("C13", "3.2", "bandwidth can be sustainably expanded",
       "CPO lets system bandwidth keep scaling.", "communication", "quantitative",
       _c13_cpo_expansion),
    _c("C14", "3.3", "extremely high power consumption for a single machine",
       "A single Cerebras machine draws very high power, but communicates efficiently.", "performance",
       "quantitative", _c14_single_machine_power),
    _c("C15", "3.3", "overall system efficiency is more balanced",
       "GPU+CPO systems keep per-node power controllable and system efficiency balanced.", "performance",
       "qualitative", _c15_balanced_efficiency),
    _c("C16", "3", "Cerebras wins at 'single-machine limits'",
       "Cerebras wins at single-machine limits; CPO/GPU wins at system scale.", "performance", "quantitative",
       _c16_single_machine_limits),
    _c("C17", "4", "Is communication a bottleneck?",
       "Three questions decide suitability: communication bottleneck, centralisable, regular.", "suitability",
       "qualitative", _c17_three_questions),
    _c("C18", "4", "highly suitable for large model training",
       "Dense-model training, very long context and PDE/CFD HPC are highly suitable.", "suitability",
       "quantitative", _c18_highly_suitable),
    _c("C19", "4", "partially suitable",
       "Low-concurrency inference and graph computing are partially suitable.", "suitability", "quantitative",
       _c19_partially_suitable),
    _c("C20", "4", "Not suitable for CPU",
       "General CPU work, high-concurrency inference, edge chips and real-time systems are not suitable.",
       "suitability", "quantitative", _c20_not_suitable),
    _c("C21", "5", "power density",
       "Power density is a physical limit that fault tolerance cannot fix.", "outlook", "quantitative",
       _c21_power_density),
    _c("C22", "5", "signal delay",
       "Signal delay across a wafer is a physical limit.", "outlook", "quantitative",
       _c22_signal_delay),
    _c("C23", "5", "higher yield for small dies; chiplet flexibility",
       "Small dies and chiplets are cheaper per good mm².", "outlook", "quantitative",
       _c23_small_dies),
    _c("C24", "5", "favor modular, multi-client reuse",
       "Foundries favour modular packaging over ultra-large monoliths.", "outlook", "qualitative",
       _c24_foundry_path),
    _c("C25", "5", "inference accounts for a much higher proportion",
       "Inference now dominates demand; multi-task, high-concurrency use is becoming mainstream.", "outlook",
       "quantitative", _c25_inference_share),
    _c("C26", "5", "unlikely to become mainstream",
       "Wafer-scale is unlikely to become mainstream.", "outlook", "qualitative",
       _c26_mainstream),
    _c("C27", "6", "chiplet-level fault tolerance",
       "Fault-tolerant design (chiplet-level spares, package-level rerouting) will spread.", "lasting_idea",
       "quantitative", _c27_chiplet_spares),
    _c("C28", "6", "a best practice for all chip companies",
       "Cerebras is a best practice to learn from, not NVIDIA's killer; GPUs already tolerate faults.",
       "lasting_idea", "qualitative", _c28_best_practice),
)

_BY_ID = {c.id: c for c in CLAIMS}


def claim(claim_id: str) -> Claim:
    """The claim with id ``claim_id`` (e.g. ``"C01"``)."""
    if claim_id not in _BY_ID:
        raise ValueError(f"claim_id={claim_id!r} is not in the ledger; allowed: {', '.join(_BY_ID)}")
    return _BY_ID[claim_id]


def evaluate(claim_id: str, cat: Catalog | None = None) -> Verdict:
    """Run one claim's verdict function on the catalog."""
    c = claim(claim_id)
    v = c.verdict(cat if cat is not None else _catalog.load())
    if not isinstance(v, Verdict):
        raise TypeError(f"verdict function of {claim_id} returned {type(v).__name__}, not Verdict")
    return v


def ledger(cat: Catalog | None = None) -> pd.DataFrame:
    """The whole ledger as a table: one row per claim, verdicts computed now.

    Columns: id, section, quote, claim, chapter, chapter_title, kind, claimed, verdict, figure,
    unit, basis, detail, sources.
    """
    cat = cat if cat is not None else _catalog.load()
    rows = []
    for c in CLAIMS:
        v = evaluate(c.id, cat)
        rows.append({
            "id": c.id, "section": c.section, "quote": c.quote, "claim": c.paraphrase, "chapter": c.chapter,
            "chapter_title": CHAPTERS[c.chapter], "kind": c.kind,
            "claimed": c.claimed, "verdict": v.status.value, "figure": v.figure, "unit": v.unit,
            "basis": v.basis, "detail": v.detail, "sources": ";".join(v.sources),
        })
    return pd.DataFrame(rows)


_BADGE = {
    # black text on every badge: white on these Okabe-Ito colours is below WCAG's 4.5:1 (3.4 and 3.9)
    Status.HOLDS.value: ("#009E73", "black"),
    Status.HOLDS_IF.value: ("#E69F00", "black"),
    Status.FAILS.value: ("#D55E00", "black"),
    Status.PENDING.value: ("#e6e6e6", "black"),
}


def summary(table: pd.DataFrame) -> dict[str, int]:
    """Counts of claims per verdict, plus the total, for gluing into prose."""
    counts = {s.value: int((table["verdict"] == s.value).sum()) for s in Status}
    return {"total": len(table), **counts}


def ledger_html(table: pd.DataFrame, built_chapters: set[str] | frozenset[str] = frozenset()) -> str:
    """The ledger as an HTML table: verdict badges, figures, and links to chapters that exist.

    ``built_chapters`` holds the docnames that are in the book; other chapters are named without
    a link (the book has no placeholder pages).
    """
    import html as _html

    def esc(x: object) -> str:
        return _html.escape(str(x), quote=True)

    head = ("<thead><tr><th>id</th><th style=\"width:38%\">the article says</th>"
            "<th>verdict, figure and reason</th><th style=\"width:16%\">tested in</th></tr></thead>")
    body = []
    for r in table.itertuples():
        bg, fg = _BADGE[r.verdict]
        chap = esc(r.chapter_title)
        if r.chapter in built_chapters:
            chap = f'<a href="{esc(r.chapter)}.html">{chap}</a>'
        fig = "" if r.figure is None or pd.isna(r.figure) else f" <b>{r.figure:,.3g}{esc(r.unit)}</b>"
        claimed = "" if r.claimed is None or pd.isna(r.claimed) else f" (claimed {r.claimed:g}{esc(r.unit or 'x')})"
        body.append(
            f"<tr><td>{esc(r.id)}</td><td>{esc(r.claim)}<br><small><i>&ldquo;{esc(r.quote)}&rdquo;</i></small></td>"
            f"<td><span class=\"ws-verdict\" style=\"background:{bg};color:{fg};"
            f"padding:1px 6px;border-radius:3px;white-space:nowrap\">{esc(r.verdict)}</span>{fig}{claimed}"
            f"<br><small>{esc(r.detail)}</small></td><td><small>{chap}</small></td></tr>"
        )
    return (f'<table class="ws-ledger table" style="width:100%;font-size:0.9em">'
            f"<caption>The claims ledger: {len(table)} claims of the article, verdicts computed when this page was built."
            f"</caption>{head}<tbody>{''.join(body)}</tbody></table>")
