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

The Monte Carlo check reuses the yield chapter's defect-map simulation (:func:`waferscale.models.montecarlo.simulate`)
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

from . import montecarlo, yields
from .economics import WAFER_DIAMETER_MM, ChipletProcess
from ..core.checks import check_int, check_real, show
from .yields import _array

#: Most chiplets a package places (n + k), and the bounds of prices and areas: finite, so nothing overflows.
MAX_PLACED = 10**6
MAX_PRICE_USD = 1e12

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


def _log_binom(m: int) -> np.ndarray:
    return np.array([math.lgamma(m + 1) - math.lgamma(i + 1) - math.lgamma(m - i + 1) for i in range(m + 1)])


def _binom_pmf(m: int, p: float, logc: np.ndarray | None = None) -> np.ndarray:
    j = np.arange(m + 1)
    if p <= 0.0 or p >= 1.0:
        return (j == (m if p >= 1.0 else 0)).astype(float)
    logc = _log_binom(m) if logc is None else logc
    return np.exp(logc + j * math.log(p) + (m - j) * math.log1p(-p))


def system_yield(n: int, k: int, p: float) -> float:
    """Probability that at least ``n`` of ``n + k`` chiplets work, each independently with probability ``p``.

    Allowed: ``n`` an integer in [1, 10⁶], ``k`` an integer in [0, 10⁶ − n], ``p`` in [0, 1]
    (the sum has ``n + k + 1`` terms: under a second at the cap).

    >>> system_yield(8, 0, 0.5) == 0.5 ** 8
    True
    """
    n_ = check_int("n", n, 1, MAX_PLACED)
    k_ = check_int("k", k, 0, MAX_PLACED - n_)
    p_ = check_real("p", p, 0.0, 1.0)
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
    """``n_active`` chiplets of ``chiplet_area_mm2`` needed, ``spares`` extra placed; assembly assumptions.

    Allowed: ``chiplet_area_mm2`` in (0, 1e6], ``n_active`` an integer in [1, 10⁶], ``spares`` an integer in
    [0, 10⁶ − n_active], ``process`` a :class:`~waferscale.models.economics.ChipletProcess`, ``package_cost_usd`` in [0, 1e12].
    """

    chiplet_area_mm2: float
    n_active: int
    spares: int = 0
    process: ChipletProcess = ChipletProcess()
    package_cost_usd: float = 0.0

    def __post_init__(self) -> None:
        check_real("chiplet_area_mm2", self.chiplet_area_mm2, 0.0, 1e6, lo_open=True)
        n = check_int("n_active", self.n_active, 1, MAX_PLACED)
        check_int("spares", self.spares, 0, MAX_PLACED - n)
        if not isinstance(self.process, ChipletProcess):
            raise ValueError(f"process={self.process!r} is not allowed; allowed: a ChipletProcess")
        check_real("package_cost_usd", self.package_cost_usd, 0.0, MAX_PRICE_USD)

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


def _check_pkg(pkg: object) -> None:
    if not isinstance(pkg, Package):
        raise ValueError(f"pkg={pkg!r} is not allowed; allowed: a Package")


def chiplet_success(pkg: Package, defects_per_cm2: float, *, model: str = "poisson", alpha: float = 2.0) -> tuple[float, float]:
    """``(p_pass, p_work)``: probability a die passes the KGD test, and that a placed (passed) die works bonded.

    Allowed: ``defects_per_cm2`` in [0, 1e3], ``alpha`` in (0, 1e6] (checked whichever ``model``; only the
    negative binomial uses it).
    """
    _check_pkg(pkg)
    d = check_real("defects_per_cm2", defects_per_cm2, 0.0, 1e3)
    check_real("alpha", alpha, 0.0, 1e6, lo_open=True)
    y = float(yields.die_yield(model, pkg.silicon_mm2, d, alpha=alpha, layers=1.0))
    p_pass = y + (1.0 - y) * pkg.process.test_escape
    return p_pass, (y / p_pass if p_pass > 0 else 0.0) * pkg.process.bond_yield


def package_yield(pkg: Package, defects_per_cm2: float, *, model: str = "poisson", alpha: float = 2.0) -> float:
    """System yield of the package: :func:`system_yield` with ``p`` from :func:`chiplet_success`."""
    _, p = chiplet_success(pkg, defects_per_cm2, model=model, alpha=alpha)
    return system_yield(pkg.n_active, pkg.spares, p)


def cost_per_good_system(pkg: Package, defects_per_cm2: float, wafer_price_usd: float, *, model: str = "poisson",
                         alpha: float = 2.0, wafer_diameter_mm: float = WAFER_DIAMETER_MM) -> float:
    """``((n + k) · cost of a passed chiplet + package cost) / system yield`` in USD.

    Allowed: ``wafer_price_usd`` in [0, 1e12], ``wafer_diameter_mm`` in (0, 1e4], ``defects_per_cm2`` in
    [0, 1e3], ``alpha`` in (0, 1e6]. Where nothing works (system yield 0, or no chiplet fits the wafer) a
    ValueError naming ``defects_per_cm2`` (or ``pkg``) instead of the ``inf`` it used to return.
    """
    _check_pkg(pkg)
    price = check_real("wafer_price_usd", wafer_price_usd, 0.0, MAX_PRICE_USD)
    diameter = check_real("wafer_diameter_mm", wafer_diameter_mm, 0.0, 1e4, lo_open=True)
    d = check_real("defects_per_cm2", defects_per_cm2, 0.0, 1e3)
    check_real("alpha", alpha, 0.0, 1e6, lo_open=True)
    dpw = float(yields.dies_per_wafer(diameter, max(pkg.silicon_mm2, 1e-6)))
    if dpw <= 0:
        raise ValueError(f"pkg={pkg!r} is not allowed; allowed: a chiplet of silicon below "
                         f"{diameter * diameter / 8:.4g} mm² (a whole die fits a {diameter:g} mm wafer)")
    p_pass, _ = chiplet_success(pkg, d, model=model, alpha=alpha)
    ys = package_yield(pkg, d, model=model, alpha=alpha)
    c = (pkg.placed * price / (dpw * p_pass) + pkg.package_cost_usd) / ys if p_pass > 0 and ys > 0 else math.inf
    if not math.isfinite(c):
        raise ValueError(f"defects_per_cm2={d!r} is out of range; allowed: a density at which some package works "
                         f"(system yield {ys:.3g} with n_active={pkg.n_active}, spares={pkg.spares})")
    return c


def simulate_package(pkg: Package, defects_per_cm2: float, n_packages: int, *, alpha: float | None = None,
                     seed: int = 0) -> montecarlo.MonteCarloResult:
    """Monte Carlo of untested chiplets in packages: the yield chapter's simulation, one core per chiplet.

    Every package is one repair segment of ``n + k`` chiplets with ``k`` spares; each chiplet is its own clustering
    block (chiplets come from different places on different wafers). Test escapes and bonding are not simulated:
    compare with :func:`system_yield` at ``p`` = the die yield.

    Allowed: as :func:`waferscale.models.montecarlo.simulate`, with ``n_packages`` for its ``n_wafers`` (the Monte
    Carlo work ``n_packages × (λ + 1 [+ n + k if clustered])`` is at most ``montecarlo.MAX_MC_WORK`` = 2·10⁷: about two seconds).
    """
    _check_pkg(pkg)
    arr = montecarlo.WaferArray(physical_cores=pkg.placed, core_area_mm2=pkg.silicon_mm2, segment_cores=pkg.placed,
                                spares_per_segment=pkg.spares, blocks=pkg.placed, name="package")
    try:
        return montecarlo.simulate(arr, defects_per_cm2, n_packages, alpha=alpha, seed=seed)
    except ValueError as e:  # the simulation calls it n_wafers; here it is n_packages
        msg = str(e)
        if msg.startswith("n_wafers="):
            raise ValueError("n_packages=" + msg[len("n_wafers="):]) from None
        raise


def sweep_spares(chiplet_area_mm2: float, n_active: int, defects_per_cm2: float, wafer_price_usd: float,
                 process: ChipletProcess, max_spares: int = 4, *, model: str = "poisson") -> pd.DataFrame:
    """System yield, cost per good system and idle fraction for ``k = 0 … max_spares``.

    Allowed: ``max_spares`` an integer in [0, 1000] (the cap bounds the time: one row per spare count),
    the rest as :class:`Package` and :func:`cost_per_good_system`.
    """
    top = check_int("max_spares", max_spares, 0, 1000)
    check_real("wafer_price_usd", wafer_price_usd, 0.0, MAX_PRICE_USD)
    check_real("defects_per_cm2", defects_per_cm2, 0.0, 1e3)
    rows = []
    for k in range(top + 1):
        pkg = Package(chiplet_area_mm2, n_active, k, process)
        rows.append({"spares": k, "system_yield": package_yield(pkg, defects_per_cm2, model=model),
                     "usd_per_good_system": cost_per_good_system(pkg, defects_per_cm2, wafer_price_usd, model=model),
                     "idle_fraction": pkg.idle_fraction})
    return pd.DataFrame(rows)


def compare_designs(total_area_mm2: float, chiplet_areas_mm2: ArrayLike, defects_per_cm2: float,
                    wafer_price_usd: float, process: ChipletProcess, *, max_spares: int = 3, reticle_mm2: float,
                    wafer_area_mm2: float, core_area_mm2: float, segment_cores: int,
                    model: str = "poisson", critical_area_mm2: float = 0.0) -> pd.DataFrame:
    """Cost per good logical mm² of ``total_area_mm2`` of logic, by design and chiplet size.

    Designs: a monolithic die (only if it fits the reticle), a multi-chip module without spares, the best package
    with ``0 … max_spares`` spares, and a redundant wafer's cost per logical mm² (independent of chiplet size), with
    ``critical_area_mm2`` of the wafer lacking a spare (0: the wafer's cost is a lower bound).
    Columns: chiplet_area_mm2, design, usd_per_mm2, spares, system_yield.
    """
    from .economics import cost_per_good_mm2_monolithic, cost_per_good_mm2_redundant

    areas = _array("chiplet_areas_mm2", chiplet_areas_mm2, lo=0.0, lo_open=True)
    rows = []
    mono = float(cost_per_good_mm2_monolithic(total_area_mm2, defects_per_cm2, wafer_price_usd, model=model))
    red = float(cost_per_good_mm2_redundant(wafer_area_mm2, core_area_mm2, defects_per_cm2, wafer_price_usd,
                                            segment_cores, critical_area_mm2=critical_area_mm2))
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

    Allowed: ``rate_per_year`` in [0, 10], ``reference_area_mm2`` in (0, 1e9], ``area_mm2`` in [0, 1e9].

    >>> rate_for_area(0.06, 800.0, 200.0)
    0.015
    """
    r = check_real("rate_per_year", rate_per_year, 0.0, 10.0)
    ref = check_real("reference_area_mm2", reference_area_mm2, 0.0, 1e9, lo_open=True)
    a = check_real("area_mm2", area_mm2, 0.0, 1e9)
    return r * a / ref


def expected_capacity(n: int, k: int, rate_per_year: float, years: ArrayLike, *, map_out: bool = True) -> np.ndarray:
    """Expected fraction of ``n`` units' capacity left after ``years`` with ``k`` spares and failure rate ``rate``.

    ``map_out=True``: failed units are mapped out at run time, capacity ``E[min(N_alive, n)] / n``;
    ``map_out=False``: the system must be perfect, capacity ``P(N_alive ≥ n)`` (it stops until repaired).

    Allowed: ``n`` an integer in [1, 10⁶], ``k`` an integer in [0, 10⁶ − n], ``rate_per_year`` in [0, 10],
    ``years`` in [0, 1e3], at most 10⁷ values of ``(n + k + 1) × len(years)`` (about a second).

    >>> float(expected_capacity(4, 0, 0.1, 0.0)[()])
    1.0
    """
    n_ = check_int("n", n, 1, MAX_PLACED)
    k_ = check_int("k", k, 0, MAX_PLACED - n_)
    r = check_real("rate_per_year", rate_per_year, 0.0, 10.0)
    t = _array("years", years, lo=0.0, hi=1e3)
    m = n_ + k_
    if (m + 1) * t.size > 10**7:
        raise ValueError(f"years={show(years)} is out of range; allowed: at most {10**7 // (m + 1)} values "
                         f"with n + k = {m} (the work (n + k + 1) × len(years) is capped at 1e7)")
    out = np.empty(t.shape)
    logc = _log_binom(m)
    for idx, ti in np.ndenumerate(t):
        s = math.exp(-r * float(ti))
        pmf = _binom_pmf(m, s, logc)
        alive = np.arange(m + 1)
        out[idx] = float((np.minimum(alive, n_) * pmf).sum() / n_) if map_out else float(pmf[n_:].sum())
    return out


def capacity_over_time(n: int, spares: list[int], rate_per_year: float, years: ArrayLike) -> pd.DataFrame:
    """Long table of expected capacity vs years for each spare count, with and without run-time map-out.

    Allowed: ``spares`` a list of at most 100 integers in [0, 10⁶ − n]; the rest as :func:`expected_capacity`
    (``years`` a number or an array; a number is one row per curve).
    """
    t = np.atleast_1d(_array("years", years, lo=0.0, hi=1e3))
    n_ = check_int("n", n, 1, MAX_PLACED)
    if isinstance(spares, (str, bytes)) or not hasattr(spares, "__len__") or len(spares) > 100:
        raise ValueError(f"spares={show(spares)} is not allowed; allowed: a list of at most 100 integers")
    spares = [check_int("spares", k, 0, MAX_PLACED - n_) for k in spares]
    rows = []
    for k in spares:
        for mo, label in ((True, "maps out failed units"), (False, "must be perfect")):
            cap = expected_capacity(n, k, rate_per_year, t, map_out=mo)
            rows += [{"years": float(x), "spares": int(k), "mode": label, "capacity": float(c),
                      "design": f"{label}, {k} spare{'s' if k != 1 else ''}"} for x, c in zip(t, cap)]
    return pd.DataFrame(rows)
