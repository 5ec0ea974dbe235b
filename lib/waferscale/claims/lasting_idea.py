"""Verdicts of the lasting-idea chapter (C27, C28): chiplet spares, fault tolerance as best practice.

Each verdict is a pure function of the catalog; :mod:`waferscale.claims.registry` lists the claims
and names each one's verdict function."""

from __future__ import annotations

from ..data.catalog import Catalog
from .base import Status, Verdict, _missing, _srcs

__all__ = ["c27_numbers", "c28_numbers"]


_C27_NEEDS = [("amd_hc2017_epyc", "chiplet_area_mm2"), ("amd_hc2017_epyc", "chiplets"),
              ("amd_hc2017_epyc", "extra_silicon_fraction")]


def c27_numbers(cat: Catalog) -> dict[str, float]:
    """The figures behind C27: AMD's first EPYC layout, untested chiplets with AMD's extra silicon, at the WSE-3 node.

    Keys: ``chiplet_area_mm2``, ``chiplets``, ``density``, ``extra_silicon_fraction``, ``yield_k0`` … ``yield_k4``
    (system yield with k spares), ``best_spares``, ``best_yield``, ``saving`` (fraction of cost per good system
    saved by the best k), ``idle_fraction`` (of the best k), ``best_spares_tested`` (with perfect known-good-die
    testing and bonding).
    """
    from ..models import economics as ec
    from ..models import packaging as pk

    node = cat.value("wse3", "process_nm")
    price, _ = ec.node_price_usd(cat, node)
    d, _ = ec.node_density(cat, node)
    extra = cat.value("amd_hc2017_epyc", "extra_silicon_fraction")
    untested = ec.ChipletProcess(test_escape=1.0, extra_silicon_fraction=extra)   # no known-good-die test
    a = cat.value("amd_hc2017_epyc", "chiplet_area_mm2")          # AMD's first EPYC: 4 chiplets of 213 mm²
    n = int(cat.value("amd_hc2017_epyc", "chiplets"))
    sweep = pk.sweep_spares(a, n, d, price, untested, max_spares=4)
    best = sweep.loc[sweep["usd_per_good_system"].idxmin()]
    tested = pk.sweep_spares(a, n, d, price, ec.ChipletProcess(extra_silicon_fraction=extra), max_spares=4)
    out = {"chiplet_area_mm2": a, "chiplets": float(n), "density": d, "extra_silicon_fraction": extra,
           "best_spares": float(best["spares"]), "best_yield": float(best["system_yield"]),
           "saving": 1.0 - float(best["usd_per_good_system"]) / float(sweep.loc[0, "usd_per_good_system"]),
           "idle_fraction": float(best["idle_fraction"]),
           "best_spares_tested": float(tested.loc[tested["usd_per_good_system"].idxmin(), "spares"])}
    out.update({f"yield_k{int(k)}": float(y) for k, y in zip(sweep["spares"], sweep["system_yield"])})
    return out


def _c27_chiplet_spares(cat: Catalog) -> Verdict:
    """Model (packaging): cost per good system of reticle-size chiplets with the best number of spares vs none."""
    from ..models import economics as ec

    if (gap := _missing(cat, _C27_NEEDS)) is not None:
        return gap
    node = cat.value("wse3", "process_nm")
    _, prow = ec.node_price_usd(cat, node)
    _, drow = ec.node_density(cat, node)
    x = c27_numbers(cat)
    status = Status.HOLDS if x["best_spares_tested"] > 0 else Status.HOLDS_IF
    return Verdict(
        status, 100.0 * x["saving"], "%",
        f"a package of {x['chiplets']:.0f} chiplets of {x['chiplet_area_mm2']:.0f} mm² (AMD's first EPYC, "
        f"{x['extra_silicon_fraction']:.0%} extra silicon for links) at {x['density']:g} defects/cm², untested: "
        f"{x['best_spares']:.0f} spare(s) raise system yield from {x['yield_k0']:.0%} to {x['best_yield']:.0%} and "
        f"cut cost per good system by {x['saving']:.0%}, for {x['idle_fraction']:.0%} idle silicon; "
        f"with perfect known-good-die testing and bonding the best number of spares is {x['best_spares_tested']:.0f}: "
        "spares pay only where testing or assembly lets bad chiplets through",
        basis="model", sources=(prow["source"], drow["source"], *_srcs(cat, _C27_NEEDS)),
    )


_C28_NEEDS = [("h100_sxm", "cores_physical"), ("h100_sxm", "cores_enabled"), ("h100_sxm", "core_area_mm2"),
              ("h100_sxm", "critical_area_fraction"), ("wse3", "cores_physical"), ("wse3", "cores_enabled"),
              ("wse3", "core_area_mm2")]


def c28_numbers(cat: Catalog) -> dict[str, float]:
    """The figures behind C28: the H100's SM spares (global repair, with the die's unrepairable uncore) vs the wafer's.

    Keys: ``density``, ``sm_physical``, ``sm_enabled``, ``sm_mm2``, ``gpu_spare``, ``wse_spare``, ``perfect`` (no
    defect on the die), ``spared_sms_only`` (no critical area: the old "100 %"), ``sellable`` (with the catalog's
    critical area), ``sellable_low``/``sellable_high`` (over its range), ``ratio`` (``sellable / perfect``),
    ``granularity`` (SM area over WSE-3 core area).
    """
    from ..models import redundancy, yields

    d = float(cat.defect_densities.sort_values("year", kind="stable").iloc[-1]["value"])
    phys, en = int(cat.value("h100_sxm", "cores_physical")), int(cat.value("h100_sxm", "cores_enabled"))
    sm = cat.value("h100_sxm", "core_area_mm2")
    sms = float(yields.global_spare_yield(phys, sm, d, phys - en))

    def sellable(end: str) -> float:
        return sms * float(yields.poisson(redundancy.critical_area_mm2(cat, "h100_sxm", end), d))

    ends = [sellable(e) for e in ("low", "high")]
    perfect = float(yields.poisson(cat.value("h100_sxm", "die_area_mm2"), d))
    return {
        "density": d, "sm_physical": float(phys), "sm_enabled": float(en), "sm_mm2": sm,
        "gpu_spare": 1 - en / phys, "wse_spare": 1 - cat.value("wse3", "cores_enabled") / cat.value("wse3", "cores_physical"),
        "perfect": perfect, "spared_sms_only": sms, "sellable": sellable("value"),
        "sellable_low": min(ends), "sellable_high": max(ends), "ratio": sellable("value") / perfect,
        "granularity": sm / cat.value("wse3", "core_area_mm2"),
        "uncore_low": cat.fact("h100_sxm", "critical_area_fraction").range[0],
        "uncore_high": cat.fact("h100_sxm", "critical_area_fraction").range[1],
    }


def _c28_best_practice(cat: Catalog) -> Verdict:
    """Model (yields): what GPUs already do — H100 sells 132 of 144 SMs — vs the wafer's sparing."""
    if (gap := _missing(cat, _C28_NEEDS)) is not None:
        return gap
    x = c28_numbers(cat)
    return Verdict(
        Status.HOLDS_IF, x["ratio"], "x",
        f"GPUs already practise it: an H100 keeps {x['gpu_spare']:.1%} of its SMs as spares (WSE-3: {x['wse_spare']:.1%}), "
        f"which lifts the share of sellable dies from {x['perfect']:.0%} to {x['sellable']:.0%} at {x['density']:g} "
        f"defects/cm² ({x['sellable_low']:.0%}–{x['sellable_high']:.0%} as {x['uncore_low']:.0%}–{x['uncore_high']:.0%} of "
        f"the die, the L2, PHYs and I/O, has no spare); what the wafer adds is repair at a granularity ~{x['granularity']:.0f}x finer, "
        "across the whole wafer, with almost nothing left unrepairable. 'Best practice' holds for the granularity, "
        "not for the principle, which is already common",
        basis="model", sources=_srcs(cat, _C28_NEEDS),
    )
