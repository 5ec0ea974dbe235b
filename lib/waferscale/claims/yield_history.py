"""Verdicts of the yield chapter (C05-C08): yield in the 1980s, fault tolerance, the enabling change.

Each verdict is a pure function of the catalog; :mod:`waferscale.claims.registry` lists the claims
and names each one's verdict function."""

from __future__ import annotations

import pandas as pd

from ..data.catalog import Catalog
from ..models.redundancy import segment_cores, spare_fraction
from .base import Status, Verdict

__all__: list[str] = []


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

