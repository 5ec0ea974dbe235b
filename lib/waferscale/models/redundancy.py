"""Defect-map Monte Carlo of a redundant array of cores (a wafer-scale engine, or a GPU's SMs).

The array is a grid of ``physical_cores`` cores of ``core_area_mm2`` each, cut into *repair
segments* of ``segment_cores`` consecutive cores that share ``spares_per_segment`` spare cores.
This is the scheme Cerebras describes: a defective core is bypassed and its row shifts by one
position towards the nearest spare, so a segment survives as long as it has no more defective
cores than spares. The wafer delivers the full logical array when every segment survives and no
defect falls in ``critical_area_mm2`` (logic that has no spare: I/O, clocking).

Defects are sampled, not cores: each wafer draws a Poisson number of fatal defects on its core
area, or, with clustering ``alpha``, a gamma-mixed Poisson number in each of ``blocks`` regions
(the Koren–Stapper block model: each block's density is scaled by a Gamma(α, 1/α) factor, so
defects bunch on some blocks and spare others). Each defect lands on a uniformly random core of
its block. Everything is vectorised over wafers; 10⁵ WSE-3-sized wafers take about a second.

Examples
--------
>>> wse = WaferArray(physical_cores=969_990, core_area_mm2=0.05, segment_cores=14, spares_per_segment=1)
>>> r = simulate(wse, defects_per_cm2=0.1, n_wafers=2_000, seed=1)
>>> r.full_array_yield > 0.95
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..data.catalog import Catalog
from ..core.checks import check_int, check_real
from .yields import array_yield, clustered_array_yield, global_spare_yield, poisson

#: Largest expected Monte Carlo work (sampled defects plus per-wafer overhead) one call accepts.
MAX_MC_WORK = 2e7
#: Most spares per segment :func:`required_spare_fraction` searches; most spares per segment of a catalog array.
MAX_REQUIRED_SPARES = 64
MAX_SPARES = 1000
#: Most physical cores of an array.
MAX_CORES = 10**12

__all__ = ["WaferArray", "MonteCarloResult", "simulate", "from_catalog", "spare_fraction", "segment_cores",
           "required_spare_fraction", "REPAIRS", "critical_area_mm2", "repair_yield", "spare_needs"]

#: How spares replace defective cores: ``local`` (each repair segment of L cores has its own s spares, reached by
#: shifting a row, as on the wafer) or ``global`` (any spare replaces any defective core, up to the count, as a GPU
#: disables up to s bad SMs of a die).
REPAIRS = ("local", "global")
#: Ends of a catalog range a function may evaluate.
ENDS = ("value", "low", "high")


@dataclass(frozen=True)
class WaferArray:
    """A redundant array of cores: geometry, repair segments, clustering blocks, critical area.

    Allowed: ``physical_cores`` an integer in [1, 10¹²], ``core_area_mm2`` in (0, 1e6], ``segment_cores``
    an integer in [1, physical_cores] dividing it, ``spares_per_segment`` an integer in [0, segment_cores],
    ``blocks`` an integer in [1, physical_cores], ``critical_area_mm2`` in [0, 1e6].
    """

    physical_cores: int
    core_area_mm2: float
    segment_cores: int
    spares_per_segment: int = 1
    blocks: int = 84
    critical_area_mm2: float = 0.0
    name: str = "array"

    def __post_init__(self) -> None:
        cores = check_int("physical_cores", self.physical_cores, 1, MAX_CORES)
        check_real("core_area_mm2", self.core_area_mm2, 0.0, 1e6, lo_open=True)
        length = check_int("segment_cores", self.segment_cores, 1, cores)
        check_int("spares_per_segment", self.spares_per_segment, 0, length)
        check_int("blocks", self.blocks, 1, cores)
        check_real("critical_area_mm2", self.critical_area_mm2, 0.0, 1e6)
        if not isinstance(self.name, str):
            raise ValueError(f"name={self.name!r} is not allowed; allowed: a string")
        if self.physical_cores % self.segment_cores:
            raise ValueError(
                f"segment_cores={self.segment_cores} must divide physical_cores={self.physical_cores} "
                "(use a segment length that tiles the array)"
            )

    @property
    def segments(self) -> int:
        """Number of repair segments."""
        return self.physical_cores // self.segment_cores

    @property
    def spare_fraction(self) -> float:
        """Fraction of physical cores held as spares, ``s / L``."""
        return self.spares_per_segment / self.segment_cores

    @property
    def logical_cores(self) -> int:
        """Cores delivered to software when every segment is repaired."""
        return self.segments * (self.segment_cores - self.spares_per_segment)

    @property
    def core_area_total_mm2(self) -> float:
        """Area of all cores (the area on which defects can be repaired)."""
        return self.physical_cores * self.core_area_mm2


@dataclass(frozen=True)
class MonteCarloResult:
    """What a batch of simulated wafers delivered.

    ``full_array_yield`` is the fraction of wafers delivering the whole logical array, with a
    Wilson 95 % interval; ``good_core_fraction`` the mean fraction of physical cores that work;
    ``area_lost_per_defect_mm2`` the silicon disabled per fatal defect that hit a core.
    """

    n_wafers: int
    defects_per_cm2: float
    full_array_yield: float
    yield_low: float
    yield_high: float
    mean_defects: float
    mean_defective_cores: float
    good_core_fraction: float
    area_lost_per_defect_mm2: float


def _wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def _defect_keys(arr: WaferArray, lam_cores: float, n: int, alpha: float | None,
                 rng: np.random.Generator) -> np.ndarray:
    """Sample defects for ``n`` wafers; return ``wafer * physical_cores + core`` for each, sorted."""
    cores = arr.physical_cores
    if alpha is None:
        # Unclustered: a Poisson count per wafer, each defect on a uniform core (blocks are irrelevant).
        counts = rng.poisson(lam_cores, size=n)
        wafer = np.repeat(np.arange(n, dtype=np.int64), counts)
        core = rng.integers(0, cores, size=wafer.size, dtype=np.int64)
    else:
        # Clustered: each block's density scaled by Gamma(alpha, 1/alpha).
        scale = rng.gamma(alpha, 1.0 / alpha, size=(n, arr.blocks))
        counts = rng.poisson(lam_cores / arr.blocks * scale).ravel()
        cell = np.repeat(np.arange(counts.size, dtype=np.int64), counts)  # wafer * blocks + block
        wafer, block = np.divmod(cell, arr.blocks)
        edges = (np.arange(arr.blocks + 1, dtype=np.int64) * cores) // arr.blocks
        core = edges[block] + (rng.random(cell.size) * (edges[block + 1] - edges[block])).astype(np.int64)
    key = wafer * cores + core
    key.sort()
    return key


def simulate(arr: WaferArray, defects_per_cm2: float, n_wafers: int, *, alpha: float | None = None,
             seed: int = 0, chunk: int = 100_000) -> MonteCarloResult:
    """Simulate ``n_wafers`` wafers of ``arr`` at ``defects_per_cm2`` and report what they yield.

    Parameters
    ----------
    arr : WaferArray
        Geometry and redundancy.
    defects_per_cm2 : float
        Fatal defect density D (≥ 0).
    n_wafers : int
        Number of wafers (≥ 1); simulated in chunks of ``chunk`` to bound memory.
    alpha : float, optional
        Clustering parameter (> 0) of the gamma-mixed Poisson; ``None`` means unclustered Poisson.
    seed : int
        Seed of numpy's default generator: the same seed gives the same result (in [0, 2⁶³]).

    Running time is bounded: the expected work ``n_wafers × (λ_wafer + 1 [+ blocks if clustered])``
    may not exceed ``MAX_MC_WORK`` = 2·10⁷ (about two seconds: 10⁵ clustered WSE-3 wafers), so
    ``n_wafers`` is an integer in
    ``[1, MAX_MC_WORK // that per-wafer work]`` and ``defects_per_cm2`` is in ``[0, 1e3]`` (less for
    an array so large that one wafer would exceed the budget); ``alpha`` in (0, 1e6]; ``chunk`` in [1, 10⁶].
    """
    if not isinstance(arr, WaferArray):
        raise ValueError(f"arr={arr!r} is not allowed; allowed: a WaferArray")
    per_cm2 = (arr.core_area_total_mm2 + arr.critical_area_mm2) / 100.0
    d_max = min(1e3, MAX_MC_WORK / per_cm2) if per_cm2 > 0 else 1e3
    d = check_real("defects_per_cm2", defects_per_cm2, 0.0, d_max)
    if alpha is not None:
        check_real("alpha", alpha, 0.0, 1e6, lo_open=True)
    seed = check_int("seed", seed, 0, 2**63)
    chunk = check_int("chunk", chunk, 1, 10**6)
    lam_cores = d * arr.core_area_total_mm2 / 100.0
    lam_crit = d * arr.critical_area_mm2 / 100.0
    per_wafer = lam_cores + lam_crit + 1.0 + (arr.blocks if alpha is not None else 0.0)
    n_total = check_int("n_wafers", n_wafers, 1, max(1, int(MAX_MC_WORK // per_wafer)))
    rng = np.random.default_rng(seed)
    good = defects = bad_cores = 0
    done = 0
    while done < n_total:
        n = min(chunk, n_total - done)
        key = _defect_keys(arr, lam_cores, n, alpha, rng)  # sorted: wafer, then core
        defects += key.size
        # distinct defective cores: two defects on one core disable it once
        if key.size:
            key = key[np.concatenate(([True], key[1:] != key[:-1]))]
        bad_cores += key.size
        # keys are sorted, so each segment's defective cores are contiguous: a segment with more
        # than s of them has seg[i] == seg[i + s] for some i.
        w, core = np.divmod(key, arr.physical_cores)
        seg = w * arr.segments + core // arr.segment_cores
        s_ = arr.spares_per_segment
        failed = np.zeros(n, dtype=bool)
        if seg.size > s_:
            over = seg[s_:] == seg[: seg.size - s_]
            failed[w[s_:][over]] = True
        if lam_crit > 0:
            failed |= rng.poisson(lam_crit, size=n) > 0
        good += int(n - failed.sum())
        done += n
    lo, hi = _wilson(good, n_total)
    return MonteCarloResult(
        n_wafers=n_total,
        defects_per_cm2=d,
        full_array_yield=good / n_total,
        yield_low=lo,
        yield_high=hi,
        mean_defects=defects / n_total,
        mean_defective_cores=bad_cores / n_total,
        good_core_fraction=1.0 - bad_cores / (n_total * arr.physical_cores),
        area_lost_per_defect_mm2=(bad_cores * arr.core_area_mm2 / defects) if defects else arr.core_area_mm2,
    )


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
