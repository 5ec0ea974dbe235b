"""The lasting idea: fault tolerance beyond the wafer — a package of ``n`` chiplets plus ``k`` spares.

A package holds ``n + k`` chiplets of area ``a`` and needs any ``n`` of them working; the package's links reroute
around the rest (package-level rerouting, the wafer's repair scheme one level up). With each placed chiplet working
with probability ``p`` (its die yield, or after a known-good-die test ``q·b``: good given it passed, times bond
yield), the system yield is the binomial tail

.. math:: Y_\\text{sys}(n, k) = \\sum_{j=n}^{n+k} \\binom{n+k}{j} p^j (1-p)^{n+k-j},

which for ``k = 0`` is ``p^n``, the product of the die yields, and never falls as ``k`` grows. With unequal
chiplets (:func:`system_yield_heterogeneous`) the count of working chiplets is Poisson-binomial.

Cost per good system is what was paid for every chiplet and package, divided by the system yield; the performance
lost to spares is the idle silicon ``k / (n + k)``.

*Field failures.* A unit that fails at rate ``r`` per year survives ``t`` years with ``s = e^{−rt}``. A system that
maps failed units out keeps ``E[min(N_alive, n)] / n`` of its capacity (``N_alive ~ Bin(n + k, s)``); one that must
be perfect keeps ``P(N_alive ≥ n)``.

The Monte Carlo check reuses the yield chapter's defect-map simulation (:func:`waferscale.models.redundancy.simulate`)
with one "core" per chiplet and one repair segment per package.

Examples
--------
>>> round(system_yield(4, 0, 0.9), 4)          # no spares: 0.9 ** 4
0.6561
>>> round(system_yield(4, 1, 0.9), 4)          # one spare
0.9185
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from . import redundancy, yields
from .economics import WAFER_DIAMETER_MM, ChipletProcess
from .yields import _array

__all__ = [
    "system_yield",
    "system_yield_heterogeneous",
    "Package",
    "chiplet_success",
    "package_yield",
    "cost_per_good_system",
    "simulate_package",
    "sweep_spares",
    "compare_designs",
    "rate_for_area",
    "expected_capacity",
    "capacity_over_time",
]


def _binom_pmf(m: int, p: float) -> np.ndarray:
    j = np.arange(m + 1)
    if p <= 0.0 or p >= 1.0:
        return (j == (m if p >= 1.0 else 0)).astype(float)
    logc = np.array([math.lgamma(m + 1) - math.lgamma(i + 1) - math.lgamma(m - i + 1) for i in j])
    return np.exp(logc + j * math.log(p) + (m - j) * math.log1p(-p))


def system_yield(n: int, k: int, p: float) -> float:
    """Probability that at least ``n`` of ``n + k`` chiplets work, each independently with probability ``p``.

    >>> system_yield(8, 0, 0.5) == 0.5 ** 8
    True
    """
    n_ = int(_array("n", n, lo=1.0, integer=True))
    k_ = int(_array("k", k, lo=0.0, integer=True))
    p_ = float(_array("p", p, lo=0.0, hi=1.0, hi_open=False))
    if k_ == 0:
        return p_**n_
    return float(min(1.0, _binom_pmf(n_ + k_, p_)[n_:].sum()))


def system_yield_heterogeneous(die_yields: ArrayLike, n: int) -> float:
    """Probability that at least ``n`` of the chiplets work, chiplet ``i`` with probability ``die_yields[i]``.

    Poisson-binomial by dynamic programming; with ``n`` equal to the number of chiplets it is their product.

    >>> round(system_yield_heterogeneous([0.9, 0.8, 0.7], 3), 4)
    0.504
    """
    y = _array("die_yields", die_yields, lo=0.0, hi=1.0, hi_open=False).ravel()
    m = y.size
    n_ = int(_array("n", n, lo=1.0, hi=float(m), hi_open=False, integer=True))
    dist = np.zeros(m + 1)
    dist[0] = 1.0
    for yi in y:
        dist[1:] = dist[1:] * (1 - yi) + dist[:-1] * yi
        dist[0] *= 1 - yi
    return float(min(1.0, dist[n_:].sum()))


@dataclass(frozen=True)
class Package:
    """``n_active`` chiplets of ``chiplet_area_mm2`` needed, ``spares`` extra placed; assembly assumptions."""

    chiplet_area_mm2: float
    n_active: int
    spares: int = 0
    process: ChipletProcess = ChipletProcess()
    package_cost_usd: float = 0.0

    def __post_init__(self) -> None:
        _array("chiplet_area_mm2", self.chiplet_area_mm2, lo=0.0, lo_open=True)
        _array("n_active", self.n_active, lo=1.0, integer=True)
        _array("spares", self.spares, lo=0.0, integer=True)
        _array("package_cost_usd", self.package_cost_usd)

    @property
    def placed(self) -> int:
        """Chiplets placed in the package, ``n + k``."""
        return self.n_active + self.spares

    @property
    def idle_fraction(self) -> float:
        """Silicon that does not compute when every chiplet works, ``k / (n + k)``: the performance lost."""
        return self.spares / self.placed

    @property
    def silicon_mm2(self) -> float:
        """Area of one chiplet including the extra silicon for its links."""
        return self.chiplet_area_mm2 * (1.0 + self.process.extra_silicon_fraction)


def chiplet_success(pkg: Package, defects_per_cm2: float, *, model: str = "poisson", alpha: float = 2.0) -> tuple[float, float]:
    """``(p_pass, p_work)``: probability a die passes the KGD test, and that a placed (passed) die works bonded."""
    y = float(yields.die_yield(model, pkg.silicon_mm2, defects_per_cm2, alpha=alpha, layers=1.0))
    p_pass = y + (1.0 - y) * pkg.process.test_escape
    return p_pass, (y / p_pass if p_pass > 0 else 0.0) * pkg.process.bond_yield


def package_yield(pkg: Package, defects_per_cm2: float, *, model: str = "poisson", alpha: float = 2.0) -> float:
    """System yield of the package: :func:`system_yield` with ``p`` from :func:`chiplet_success`."""
    _, p = chiplet_success(pkg, defects_per_cm2, model=model, alpha=alpha)
    return system_yield(pkg.n_active, pkg.spares, p)


def cost_per_good_system(pkg: Package, defects_per_cm2: float, wafer_price_usd: float, *, model: str = "poisson",
                         alpha: float = 2.0, wafer_diameter_mm: float = WAFER_DIAMETER_MM) -> float:
    """``((n + k) · cost of a passed chiplet + package cost) / system yield`` in USD; ``inf`` if nothing works."""
    _array("wafer_price_usd", wafer_price_usd, lo=0.0, lo_open=True)
    dpw = float(yields.dies_per_wafer(wafer_diameter_mm, pkg.silicon_mm2))
    p_pass, _ = chiplet_success(pkg, defects_per_cm2, model=model, alpha=alpha)
    ys = package_yield(pkg, defects_per_cm2, model=model, alpha=alpha)
    if dpw <= 0 or p_pass <= 0 or ys <= 0:
        return math.inf
    return (pkg.placed * wafer_price_usd / (dpw * p_pass) + pkg.package_cost_usd) / ys


def simulate_package(pkg: Package, defects_per_cm2: float, n_packages: int, *, alpha: float | None = None,
                     seed: int = 0) -> redundancy.MonteCarloResult:
    """Monte Carlo of untested chiplets in packages: the yield chapter's simulation, one core per chiplet.

    Every package is one repair segment of ``n + k`` chiplets with ``k`` spares; each chiplet is its own clustering
    block (chiplets come from different places on different wafers). Test escapes and bonding are not simulated:
    compare with :func:`system_yield` at ``p`` = the die yield.
    """
    arr = redundancy.WaferArray(physical_cores=pkg.placed, core_area_mm2=pkg.silicon_mm2, segment_cores=pkg.placed,
                                spares_per_segment=pkg.spares, blocks=pkg.placed, name="package")
    return redundancy.simulate(arr, defects_per_cm2, n_packages, alpha=alpha, seed=seed)


def sweep_spares(chiplet_area_mm2: float, n_active: int, defects_per_cm2: float, wafer_price_usd: float,
                 process: ChipletProcess, max_spares: int = 4, *, model: str = "poisson") -> pd.DataFrame:
    """System yield, cost per good system and idle fraction for ``k = 0 … max_spares``."""
    rows = []
    for k in range(int(max_spares) + 1):
        pkg = Package(chiplet_area_mm2, n_active, k, process)
        rows.append({"spares": k, "system_yield": package_yield(pkg, defects_per_cm2, model=model),
                     "usd_per_good_system": cost_per_good_system(pkg, defects_per_cm2, wafer_price_usd, model=model),
                     "idle_fraction": pkg.idle_fraction})
    return pd.DataFrame(rows)


def compare_designs(total_area_mm2: float, chiplet_areas_mm2: ArrayLike, defects_per_cm2: float,
                    wafer_price_usd: float, process: ChipletProcess, *, max_spares: int = 3, reticle_mm2: float,
                    wafer_area_mm2: float, core_area_mm2: float, segment_cores: int,
                    model: str = "poisson") -> pd.DataFrame:
    """Cost per good logical mm² of ``total_area_mm2`` of logic, by design and chiplet size.

    Designs: a monolithic die (only if it fits the reticle), a multi-chip module without spares, the best package
    with ``0 … max_spares`` spares, and a redundant wafer's cost per logical mm² (independent of chiplet size).
    Columns: chiplet_area_mm2, design, usd_per_mm2, spares, system_yield.
    """
    from .economics import cost_per_good_mm2_monolithic, cost_per_good_mm2_redundant

    areas = _array("chiplet_areas_mm2", chiplet_areas_mm2, lo=0.0, lo_open=True)
    rows = []
    mono = float(cost_per_good_mm2_monolithic(total_area_mm2, defects_per_cm2, wafer_price_usd, model=model))
    red = float(cost_per_good_mm2_redundant(wafer_area_mm2, core_area_mm2, defects_per_cm2, wafer_price_usd,
                                            segment_cores))
    for a in areas:
        n = max(1, int(round(total_area_mm2 / a)))
        logical = n * float(a)
        base = Package(float(a), n, 0, process)
        c0 = cost_per_good_system(base, defects_per_cm2, wafer_price_usd, model=model)
        rows.append({"chiplet_area_mm2": float(a), "design": "multi-chip module, no spares", "usd_per_mm2": c0 / logical,
                     "spares": 0, "system_yield": package_yield(base, defects_per_cm2, model=model)})
        best = min((Package(float(a), n, k, process) for k in range(0, int(max_spares) + 1)),
                   key=lambda p: cost_per_good_system(p, defects_per_cm2, wafer_price_usd, model=model))
        rows.append({"chiplet_area_mm2": float(a), "design": "package with best spares",
                     "usd_per_mm2": cost_per_good_system(best, defects_per_cm2, wafer_price_usd, model=model) / logical,
                     "spares": best.spares, "system_yield": package_yield(best, defects_per_cm2, model=model)})
        if total_area_mm2 <= reticle_mm2:
            rows.append({"chiplet_area_mm2": float(a), "design": "monolithic die (must be perfect)", "usd_per_mm2": mono,
                         "spares": 0, "system_yield": float(yields.die_yield(model, total_area_mm2, defects_per_cm2))})
        rows.append({"chiplet_area_mm2": float(a), "design": "redundant wafer (spare cores)", "usd_per_mm2": red,
                     "spares": 0, "system_yield": float("nan")})
    return pd.DataFrame(rows)


# -- field failures ---------------------------------------------------------------------------------------
def rate_for_area(rate_per_year: float, reference_area_mm2: float, area_mm2: float) -> float:
    """Failure rate scaled by area, ``r · a / a_ref`` (an assumption: failures proportional to silicon).

    >>> rate_for_area(0.06, 800.0, 200.0)
    0.015
    """
    r = float(_array("rate_per_year", rate_per_year, lo=0.0, hi=10.0, hi_open=False))
    ref = float(_array("reference_area_mm2", reference_area_mm2, lo=0.0, lo_open=True))
    a = float(_array("area_mm2", area_mm2, lo=0.0, lo_open=True))
    return r * a / ref


def expected_capacity(n: int, k: int, rate_per_year: float, years: ArrayLike, *, map_out: bool = True) -> np.ndarray:
    """Expected fraction of ``n`` units' capacity left after ``years`` with ``k`` spares and failure rate ``rate``.

    ``map_out=True``: failed units are mapped out at run time, capacity ``E[min(N_alive, n)] / n``;
    ``map_out=False``: the system must be perfect, capacity ``P(N_alive ≥ n)`` (it stops until repaired).

    >>> float(expected_capacity(4, 0, 0.1, 0.0)[()])
    1.0
    """
    n_ = int(_array("n", n, lo=1.0, integer=True))
    k_ = int(_array("k", k, lo=0.0, integer=True))
    r = float(_array("rate_per_year", rate_per_year, lo=0.0, hi=10.0, hi_open=False))
    t = _array("years", years)
    out = np.empty(t.shape)
    m = n_ + k_
    for idx, ti in np.ndenumerate(t):
        s = math.exp(-r * float(ti))
        pmf = _binom_pmf(m, s)
        alive = np.arange(m + 1)
        out[idx] = float((np.minimum(alive, n_) * pmf).sum() / n_) if map_out else float(pmf[n_:].sum())
    return out


def capacity_over_time(n: int, spares: list[int], rate_per_year: float, years: ArrayLike) -> pd.DataFrame:
    """Long table of expected capacity vs years for each spare count, with and without run-time map-out."""
    t = _array("years", years)
    rows = []
    for k in spares:
        for mo, label in ((True, "maps out failed units"), (False, "must be perfect")):
            cap = expected_capacity(n, k, rate_per_year, t, map_out=mo)
            rows += [{"years": float(x), "spares": int(k), "mode": label, "capacity": float(c),
                      "design": f"{label}, {k} spare{'s' if k != 1 else ''}"} for x, c in zip(t, cap)]
    return pd.DataFrame(rows)
