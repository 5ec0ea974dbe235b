"""Repair of a redundant array of cores: the analytic yields with local or global spares, and the arrays of the
catalog's chips (their spare fraction, segment length and critical area).

A defective core is bypassed and its row shifts by one position towards the nearest spare (local repair, as on
the wafer), or any spare replaces any defective core (global repair, as a GPU disables bad SMs). The defect-map
Monte Carlo that checks these formulas is :mod:`waferscale.models.montecarlo`.
"""

from __future__ import annotations

import math

import numpy as np

from ..data.catalog import Catalog
from ..core.checks import check_int, check_real
from .montecarlo import WaferArray
from .yields import array_yield, clustered_array_yield, global_spare_yield, poisson

#: Most spares per segment :func:`required_spare_fraction` searches; most spares per segment of a catalog array.
MAX_REQUIRED_SPARES = 64
MAX_SPARES = 1000

__all__ = ["from_catalog", "spare_fraction", "segment_cores",
           "required_spare_fraction", "REPAIRS", "critical_area_mm2", "repair_yield", "spare_needs"]

#: How spares replace defective cores: ``local`` (each repair segment of L cores has its own s spares, reached by
#: shifting a row, as on the wafer) or ``global`` (any spare replaces any defective core, up to the count, as a GPU
#: disables up to s bad SMs of a die).
REPAIRS = ("local", "global")
#: Ends of a catalog range a function may evaluate.
ENDS = ("value", "low", "high")


def critical_area_mm2(cat: Catalog, system: str, end: str = "value") -> float:
    """Area of a chip with no spare (mm²): ``critical_area_fraction × die_area_mm2`` from the catalog.

    A defect there kills the part whatever the spares (I/O, PHYs, clocking, control). ``end`` picks the catalog
    value or an end of its range (``"value"``, ``"low"``, ``"high"``). A chip without the field is an error,
    not a silent zero: pass ``critical_area_mm2=0.0`` to the model explicitly for a bound.

    >>> from waferscale.data.catalog import load
    >>> round(critical_area_mm2(load(), "h100_sxm"))
    269
    """
    if end not in ENDS:
        raise ValueError(f"end={end!r} is not allowed; allowed: {list(ENDS)}")
    if not cat.has(system, "critical_area_fraction"):
        raise ValueError(f"system={system!r} has no critical_area_fraction in the catalog; allowed: a system that "
                         "gives one, or pass critical_area_mm2 explicitly (0.0 makes the yield an upper bound)")
    f = cat.fact(system, "critical_area_fraction")
    share = {"value": f.value, "low": f.range[0], "high": f.range[1]}[end]
    return share * cat.value(system, "die_area_mm2")


_catalog_critical = critical_area_mm2   # from_catalog's parameter of the same name shadows the function


def from_catalog(cat: Catalog, system: str, *, spares_per_segment: int = 1, blocks: int = 84,
                 critical_area_mm2: float | None = None, critical_end: str = "value") -> WaferArray:
    """The redundant array of a catalog chip, with its spare fraction taken from the catalog.

    The spare fraction ``1 − enabled/physical`` sets the segment length
    ``L ≈ spares_per_segment / fraction``; the physical core count is rounded down to a whole
    number of segments (and of blocks). For a GPU (one die, SMs as cores) pass ``blocks=1`` and
    ``spares_per_segment`` equal to the number of disabled SMs with one segment.

    ``critical_area_mm2=None`` takes the chip's catalog critical area (:func:`critical_area_mm2` at
    ``critical_end``); the core area is capped so that cores and critical area fit the die.

    Allowed: ``spares_per_segment`` an integer in [0, 1000] (see :func:`segment_cores`), ``blocks`` an
    integer in [1, 10⁹], ``critical_area_mm2`` in [0, 1e6] or None.
    """
    spares_per_segment = check_int("spares_per_segment", spares_per_segment, 0, MAX_SPARES)
    blocks = check_int("blocks", blocks, 1, 10**9)
    if critical_area_mm2 is None:
        crit = _catalog_critical(cat, system, critical_end)
    else:
        crit = check_real("critical_area_mm2", critical_area_mm2, 0.0, 1e6)
    physical = int(cat.value(system, "cores_physical"))
    area = cat.value(system, "core_area_mm2")
    if cat.has(system, "die_area_mm2"):
        room = (cat.value(system, "die_area_mm2") - crit) / physical
        area = min(area, room) if room > 0 else area
    length = segment_cores(cat, system, spares_per_segment)
    if physical // length < 1:
        length = physical
    physical_used = (physical // length) * length
    blocks = max(1, min(blocks, physical_used // length))
    return WaferArray(physical_used, area, length, spares_per_segment, blocks, crit, name=system)


def spare_fraction(cat: Catalog, system: str) -> float:
    """Fraction of a chip's physical cores left disabled: ``1 − enabled / physical`` (WSE-3: ≈ 7 %).

    Raises
    ------
    ValueError
        If the catalog gives the chip no spare cores.
    """
    physical = cat.value(system, "cores_physical")
    enabled = cat.value(system, "cores_enabled")
    fraction = 1.0 - enabled / physical
    if fraction <= 0:
        raise ValueError(f"system={system!r} has no spare cores (enabled={enabled:g}, physical={physical:g})")
    return fraction


def segment_cores(cat: Catalog, system: str, spares_per_segment: int = 1) -> int:
    """Repair-segment length L that spends the chip's spare budget: ``max(s + 1, round(s / fraction))``.

    With one spare per segment the WSE-3's budget gives L = 14 (1 spare per 14 cores).
    Allowed: ``spares_per_segment`` an integer in [0, 1000].

    >>> from waferscale.data.catalog import load
    >>> segment_cores(load(), "wse3")
    14
    """
    s = check_int("spares_per_segment", spares_per_segment, 0, MAX_SPARES)
    return max(s + 1, round(s / spare_fraction(cat, system)))


def required_spare_fraction(core_area_mm2: float, defects_per_cm2: float, physical_cores: int, *,
                            target_yield: float = 0.9, max_spares: int = 4, alpha: float | None = None,
                            blocks: int = 84) -> float:
    """Smallest spare fraction ``s/L`` for which the whole array yields at least ``target_yield``.

    Searches segment lengths L and spares per segment s = 1 … ``max_spares`` with the analytic
    :func:`~waferscale.models.yields.array_yield` (Poisson defects), or with ``alpha`` given the clustered
    :func:`~waferscale.models.yields.clustered_array_yield` over ``blocks`` regions (integer in [1, cores]).

    Allowed: ``core_area_mm2`` in (0, 1e4], ``defects_per_cm2`` in [0, 1e3], ``physical_cores`` an
    integer in [1, 10⁹], ``target_yield`` in (0, 1], ``max_spares`` an integer in [1, 64] (the cap bounds
    the time: 700 lengths × at most 64 spare counts, well under a second).

    Raises
    ------
    ValueError
        If even one spare per two cores does not reach the target (the message names ``target_yield``
        and the best yield reachable); it used to return ``nan``.
    """
    core = check_real("core_area_mm2", core_area_mm2, 0.0, 1e4, lo_open=True)
    d = check_real("defects_per_cm2", defects_per_cm2, 0.0, 1e3)
    n = check_int("physical_cores", physical_cores, 1, 10**9)
    t = check_real("target_yield", target_yield, 0.0, 1.0, lo_open=True)
    top = check_int("max_spares", max_spares, 1, MAX_REQUIRED_SPARES)
    lengths = np.unique(np.round(np.geomspace(2, 1_000_000, 700)).astype(int))
    if alpha is not None:
        check_real("alpha", alpha, 0.05, 1e4)
        check_int("blocks", blocks, 1, n)
    best = math.inf
    reach = 0.0
    for s in range(1, top + 1):
        if alpha is None:
            y = array_yield(n, core, d, np.maximum(lengths, s + 1), s)
        else:
            y = clustered_array_yield(n, core, d, np.maximum(lengths, s + 1), s, alpha=alpha, blocks=blocks,
                                      points=400)
        ok = lengths[(lengths > s) & (y >= t)]
        reach = max(reach, float(np.max(np.where(lengths > s, y, 0.0))))
        if ok.size:
            best = min(best, s / float(ok.max()))
    if not math.isfinite(best):
        raise ValueError(f"target_yield={t!r} is out of reach; allowed: (0, {reach:.4g}] (the best whole-array "
                         f"yield with up to max_spares={top} spares per segment at these inputs)")
    return float(best)


def repair_yield(physical_cores: int, core_area_mm2: float, defects_per_cm2: float, spare_fraction_: float, *,
                 repair: str, segment_cores_: int | None = None, critical_area_mm2: float = 0.0) -> float:
    """Probability that an array delivers all its logical cores, by repair scheme (see :data:`REPAIRS`).

    ``local``: one spare per segment of ``L = segment_cores_`` cores (default ``round(1 / spare_fraction_)``), the
    array rounded down to whole segments; ``global``: ``floor(n · spare_fraction_)`` spares, any of which replaces
    any defective core. Either way times the Poisson yield of ``critical_area_mm2`` (the area with no spare).

    Allowed: ``physical_cores`` an integer in [1, 10⁹], ``core_area_mm2`` in (0, 1e4], ``defects_per_cm2`` in
    [0, 1e3], ``spare_fraction_`` in [0, 1), ``repair`` one of ``REPAIRS``, ``segment_cores_`` an integer in
    [2, 10⁶] or None, ``critical_area_mm2`` in [0, 1e6].

    >>> round(repair_yield(672, 6.0, 1.0, 0.07, repair="global"), 2)      # coarse units, spares anywhere
    0.91
    >>> repair_yield(672, 6.0, 1.0, 0.07, repair="local") < 1e-3           # the same units, one spare per 14
    True
    """
    n = check_int("physical_cores", physical_cores, 1, 10**9)
    a = check_real("core_area_mm2", core_area_mm2, 0.0, 1e4, lo_open=True)
    d = check_real("defects_per_cm2", defects_per_cm2, 0.0, 1e3)
    f = check_real("spare_fraction_", spare_fraction_, 0.0, 1.0, hi_open=True)
    crit = check_real("critical_area_mm2", critical_area_mm2, 0.0, 1e6)
    if repair not in REPAIRS:
        raise ValueError(f"repair={repair!r} is not allowed; allowed: {list(REPAIRS)}")
    outside = float(poisson(crit, d))
    if repair == "global":
        return float(global_spare_yield(n, a, d, min(int(n * f), n, 10**6))) * outside
    length = segment_cores_ if segment_cores_ is not None else (round(1 / f) if f > 0 else None)
    if length is None:
        return float(poisson(n * a, d)) * outside
    length = check_int("segment_cores_", length, 2, 10**6)
    cores = max(length, n // length * length)
    return float(array_yield(cores, a, d, length, 1)) * outside


def spare_needs(core_area_mm2: float, physical_cores: int, defects_per_cm2: float, *, target_yield: float = 0.9,
                alpha: float = 2.0, blocks: int = 84) -> dict[str, float]:
    """Spare fraction (of all cores) each repair assumption needs for ``target_yield`` of the whole array.

    ``mean_count``: the expected share of defective cores, ``p = 1 − e^(−D·a)``, the need if spares could be
    counted like money; ``global``: spares anywhere, the smallest ``s / n`` with ``P(Bin(n, p) ≤ s) ≥ target``;
    ``local_any``: local segments with up to 4 spares each (long segments allowed); ``local_one``: one spare per
    segment (a defect is repaired by a one-position shift, so a spare must sit next to it); ``local_one_clustered``:
    the same with Gamma(``alpha``) clustering over ``blocks`` regions. Allowed: as :func:`required_spare_fraction`.
    """
    n = check_int("physical_cores", physical_cores, 1, 10**9)
    a = check_real("core_area_mm2", core_area_mm2, 0.0, 1e4, lo_open=True)
    d = check_real("defects_per_cm2", defects_per_cm2, 0.0, 1e3)
    t = check_real("target_yield", target_yield, 0.0, 1.0, lo_open=True, hi_open=True)
    p = -math.expm1(-a * d / 100.0)
    lo, hi = 0, min(n, 10**6)
    while lo < hi:  # bisection on the global spare count (the yield rises with it)
        mid = (lo + hi) // 2
        if float(global_spare_yield(n, a, d, mid)) >= t:
            hi = mid
        else:
            lo = mid + 1
    return {
        "mean_count": p,
        "global": lo / n,
        "local_any": required_spare_fraction(a, d, n, target_yield=t),
        "local_one": required_spare_fraction(a, d, n, target_yield=t, max_spares=1),
        "local_one_clustered": required_spare_fraction(a, d, n, target_yield=t, max_spares=1, alpha=alpha,
                                                       blocks=blocks),
    }
