"""Verdicts of the lasting-idea chapter (C27, C28): chiplet spares, fault tolerance as best practice.

Each verdict is a pure function of the catalog; :mod:`waferscale.claims.registry` lists the claims
and names each one's verdict function."""

from __future__ import annotations

from ..data.catalog import Catalog
from .base import Status, Verdict, _missing, _srcs

__all__: list[str] = []


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

