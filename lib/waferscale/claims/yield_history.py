"""Verdicts of the yield chapter (C05-C08): yield in the 1980s, fault tolerance, the enabling change.

Each verdict is a pure function of the catalog; :mod:`waferscale.claims.registry` lists the claims
and names each one's verdict function."""

from __future__ import annotations

import pandas as pd

from ..data.catalog import Catalog
from ..models.redundancy import segment_cores, spare_fraction
from .base import Status, Verdict

__all__ = ["c06_numbers", "c08_numbers"]


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


def c06_numbers(cat: Catalog) -> dict[str, float]:
    """The figures behind C06: a Trilogy-size chip at the era's density with the WSE-3's spare fraction.

    Keys: ``area_mm2``, ``density``, ``spare_fraction``, ``segment_cores``; ``fine_local`` (WSE-3-core-sized units,
    one spare per segment, the wafer's local repair), ``coarse_local`` (GPU-SM-sized units spared the same way),
    ``coarse_global`` (SM-sized units as global spares, how a GPU repairs) with ``coarse_global_low``/``_high`` over
    the catalog's SM-area range, ``coarse_global_uncore`` (the same, with the H100's share of die without a spare,
    ``uncore_fraction``, left unrepairable), ``none`` (no spares), ``fine_core_mm2``, ``coarse_core_mm2``.
    """
    from ..models import redundancy, yields

    d, _ = _era_density(cat)
    area, _ = _trilogy_area_mm2(cat)
    spare = spare_fraction(cat, "wse3")
    length = segment_cores(cat, "wse3")
    fine = cat.value("wse3", "core_area_mm2")
    sm = cat.fact("h100_sxm", "core_area_mm2")

    uncore = cat.value("h100_sxm", "critical_area_fraction")

    def run(core: float, repair: str, crit: float = 0.0) -> float:
        return redundancy.repair_yield(int((area - crit) // core), core, d, spare, repair=repair,
                                       segment_cores_=length if repair == "local" else None, critical_area_mm2=crit)

    return {
        "area_mm2": area, "density": d, "spare_fraction": spare, "segment_cores": float(length),
        "fine_core_mm2": fine, "coarse_core_mm2": sm.value,
        "fine_local": run(fine, "local"), "coarse_local": run(sm.value, "local"),
        "coarse_global": run(sm.value, "global"),
        "coarse_global_low": min(run(sm.range[0], "global"), run(sm.range[1], "global")),
        "coarse_global_high": max(run(sm.range[0], "global"), run(sm.range[1], "global")),
        "uncore_fraction": uncore, "coarse_global_uncore": run(sm.value, "global", uncore * area),
        "none": float(yields.poisson(area, d)),
    }


def _pct(y: float) -> str:
    return "over 99.9%" if y > 0.999 else f"{y:.1%}"


def _c06_fault_tolerance(cat: Catalog) -> Verdict:
    """The same chip and density with spares: fine units spared locally, coarse units locally or globally."""
    n = c06_numbers(cat)
    d, drow = _era_density(cat)
    _, arow = _trilogy_area_mm2(cat)
    rescued = max(n["fine_local"], n["coarse_global"]) > 0.5
    status = Status.HOLDS if n["none"] < 1e-6 and rescued and n["coarse_local"] < 0.5 else Status.HOLDS_IF
    return Verdict(
        status, n["fine_local"], "",
        f"with {n['spare_fraction']:.0%} spare units the same chip yields {n['fine_local']:.0%} if its units are "
        f"WSE-core-sized and spared locally (1 per {n['segment_cores']:.0f}), {n['coarse_local']:.1%} if "
        f"{n['coarse_core_mm2']:.2f} mm² SM-sized units are spared the same local way, and {_pct(n['coarse_global'])} "
        f"if SM-sized units are global spares as on a GPU, but {n['coarse_global_uncore']:.0e} if, as on an H100, "
        f"{n['uncore_fraction']:.0%} of the chip has no spare (none: {n['none']:.0e}): what was missing was fault "
        "tolerance that covers the whole chip with a repair scheme that fits its unit size",
        basis="model",
        sources=(drow["source"], arow["source"], cat.fact("wse3", "core_area_mm2").source,
                 cat.fact("h100_sxm", "core_area_mm2").source),
    )


def c08_numbers(cat: Catalog) -> dict[str, float]:
    """The figures behind C08: the WSE-3 at today's density, with its spare budget and as a perfect wafer.

    Keys: ``density``, ``segment_cores``, ``with_spares`` (full logical array, the catalog's critical area),
    ``with_spares_low`` (at the high end of the critical-area range), ``cores_only`` (no critical area: an upper
    bound), ``critical_area_mm2``, ``critical_area_high_mm2``, ``perfect`` (no defect anywhere on the die).
    """
    from ..models import redundancy, yields

    row = cat.defect_densities.sort_values("year", kind="stable").iloc[-1]
    d = float(row["value"])
    wse = redundancy.from_catalog(cat, "wse3", critical_area_mm2=0.0)
    cores_only = float(yields.array_yield(wse.physical_cores, wse.core_area_mm2, d, wse.segment_cores, 1))
    crit, crit_hi = (redundancy.critical_area_mm2(cat, "wse3", e) for e in ("value", "high"))
    return {
        "density": d, "segment_cores": float(wse.segment_cores), "cores_only": cores_only,
        "with_spares": cores_only * float(yields.poisson(crit, d)),
        "with_spares_low": cores_only * float(yields.poisson(crit_hi, d)),
        "critical_area_mm2": crit, "critical_area_high_mm2": crit_hi,
        "perfect": float(yields.poisson(cat.value("wse3", "die_area_mm2"), d)),
    }


def _c08_fault_tolerant_systems(cat: Catalog) -> Verdict:
    """WSE-3 at today's density: the whole logical array with its spare budget vs a perfect wafer."""
    n = c08_numbers(cat)
    row = cat.defect_densities.sort_values("year", kind="stable").iloc[-1]
    status = Status.HOLDS if n["with_spares_low"] > 0.5 and n["perfect"] < 1e-6 else Status.HOLDS_IF
    bound = ("an upper bound: no area without a spare" if n["critical_area_mm2"] == 0
             else f"{n['critical_area_mm2']:.0f} mm² without a spare")
    return Verdict(
        status, n["with_spares"], "",
        f"at {n['density']:g} defects/cm² a WSE-3 with 1 spare per {n['segment_cores']:.0f} cores delivers its full "
        f"array {n['with_spares']:.1%} of the time ({bound}; {n['with_spares_low']:.1%} if "
        f"{n['critical_area_high_mm2']:.0f} mm² has none); demanding a perfect wafer gives {n['perfect']:.1e}",
        basis="model", sources=(row["source"], cat.fact("wse3", "cores_physical").source,
                                cat.fact("wse3", "critical_area_fraction").source),
    )
