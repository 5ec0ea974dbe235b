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
The analytic repair yields and the catalog's arrays are in :mod:`waferscale.models.redundancy`.

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

from ..core.checks import check_int, check_real

#: Largest expected Monte Carlo work (sampled defects plus per-wafer overhead) one call accepts.
MAX_MC_WORK = 2e7
#: Most physical cores of an array.
MAX_CORES = 10**12

__all__ = ["WaferArray", "MonteCarloResult", "simulate", "MAX_MC_WORK", "MAX_CORES"]


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
