"""Die-yield models, dies per wafer and cost per good die: pure, vectorised functions.

Notation: ``A`` is the (critical) area, ``D`` the fatal defect density and ``λ = A·D`` the expected
number of fatal defects on the area. Areas are in mm² and densities in defects per cm², as the
literature quotes them, so ``λ = area_mm2 / 100 · defects_per_cm2``.

=====================  ==============================  =====================================
model                   yield                           origin
=====================  ==============================  =====================================
Poisson                 ``exp(-λ)``                     random, unclustered defects
Murphy                  ``((1 - exp(-λ)) / λ)²``        triangular spread of D (Murphy 1964)
Seeds                   ``1 / (1 + λ)``                 exponential spread of D (Seeds 1967)
Bose–Einstein           ``(1 + λ)^-N``                  N critical layers (Price 1970; H&P)
negative binomial       ``(1 + λ/α)^-α``                clustering α (Stapper)
=====================  ==============================  =====================================

All agree for small λ (each is ``1 - λ + O(λ²)``); the negative binomial equals Seeds at α = 1
and tends to Poisson as α → ∞.

Every function accepts scalars or numpy arrays (broadcast together) and raises ``ValueError``
naming the parameter, its value and the allowed range for bad input; nothing is clipped.

Examples
--------
>>> round(float(poisson(100.0, 1.0)), 4)          # 1 cm² at 1 defect/cm²
0.3679
>>> round(float(seeds(100.0, 1.0)), 4)
0.5
>>> round(float(murphy(100.0, 1.0)), 4)
0.3996
"""

from __future__ import annotations

import math
from typing import Callable, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core.checks import BIG, check_array, check_choice, check_int, check_real

__all__ = [
    "MODELS",
    "expected_defects",
    "poisson",
    "murphy",
    "seeds",
    "bose_einstein",
    "negative_binomial",
    "die_yield",
    "dies_per_wafer",
    "cost_per_die",
    "cost_per_good_die",
    "segment_yield",
    "array_yield",
    "global_spare_yield",
    "clustered_array_yield",
    "tolerable_density",
]

#: Longest repair segment and most spares per segment the analytic models accept.
MAX_SEGMENT = 1e6
MAX_SPARES = 1000
#: Most cores and most spares of a globally spared array (:func:`global_spare_yield` sums s + 1 terms).
MAX_GLOBAL_CORES = 10**9
MAX_GLOBAL_SPARES = 10**6

Model = Literal["poisson", "murphy", "seeds", "bose_einstein", "negative_binomial"]


# -- input checks --------------------------------------------------------------------------------
def _array(name: str, value: ArrayLike, *, lo: float = 0.0, lo_open: bool = False, hi: float = BIG,
           hi_open: bool = False, integer: bool = False) -> NDArray[np.float64]:
    """Return ``value`` as a float array, or raise ValueError naming ``name``, the value and the range.

    A thin alias of :func:`waferscale.core.checks.check_array` (the package's one checker); the default
    upper bound is :data:`waferscale.core.checks.BIG`.
    """
    return check_array(name, value, lo, hi, lo_open=lo_open, hi_open=hi_open, integer=integer)


def expected_defects(area_mm2: ArrayLike, defects_per_cm2: ArrayLike) -> NDArray[np.float64]:
    """λ = A·D, the expected number of fatal defects on ``area_mm2`` (mm²) at ``defects_per_cm2``.

    >>> float(expected_defects(46225.0, 0.1))   # a WSE-sized wafer at 0.1 / cm²
    46.225
    """
    a = _array("area_mm2", area_mm2)
    d = _array("defects_per_cm2", defects_per_cm2)
    return a / 100.0 * d


# -- the five models ----------------------------------------------------------------------------
def poisson(area_mm2: ArrayLike, defects_per_cm2: ArrayLike) -> NDArray[np.float64]:
    """Poisson yield ``Y = exp(-λ)``: defects random and independent.

    >>> round(float(poisson(46225.0, 0.1)), 22)   # one wafer-size die, no redundancy: e^-46
    8.4e-21
    """
    return np.exp(-expected_defects(area_mm2, defects_per_cm2))


def murphy(area_mm2: ArrayLike, defects_per_cm2: ArrayLike) -> NDArray[np.float64]:
    """Murphy's yield ``Y = ((1 - exp(-λ)) / λ)²`` (Y = 1 at λ = 0).

    >>> round(float(murphy(100.0, 1.0)), 3)   # A·D = 1 (Leachman's IEOR 130 exercise: 0.400)
    0.4
    """
    lam = expected_defects(area_mm2, defects_per_cm2)
    small = lam < 1e-8
    safe = np.where(small, 1.0, lam)
    y = ((-np.expm1(-safe)) / safe) ** 2
    return np.where(small, 1.0 - lam, y)


def seeds(area_mm2: ArrayLike, defects_per_cm2: ArrayLike) -> NDArray[np.float64]:
    """Seeds' yield ``Y = 1 / (1 + λ)`` (the negative binomial with α = 1)."""
    return 1.0 / (1.0 + expected_defects(area_mm2, defects_per_cm2))


def bose_einstein(area_mm2: ArrayLike, defects_per_cm2: ArrayLike, layers: ArrayLike = 1) -> NDArray[np.float64]:
    """Bose–Einstein yield over N critical layers, ``Y = (1 + λ)^-N`` (Hennessy & Patterson's form).

    ``layers`` is H&P's process-complexity factor N (a positive number; H&P use 7.5–15.5), and
    ``defects_per_cm2`` is the density *per layer*.

    >>> round(float(bose_einstein(225.0, 0.047, 12)), 3)   # H&P 6e worked example, 1.5 cm die
    0.299
    """
    n = _array("layers", layers, lo=0.0, lo_open=True)
    return (1.0 + expected_defects(area_mm2, defects_per_cm2)) ** (-n)


def negative_binomial(area_mm2: ArrayLike, defects_per_cm2: ArrayLike, alpha: ArrayLike = 2.0) -> NDArray[np.float64]:
    """Negative binomial (Stapper) yield ``Y = (1 + λ/α)^-α`` with clustering parameter α > 0.

    Small α means strong clustering (defects bunch on few dies, so more dies are clean); α = 1 is
    Seeds; α → ∞ is Poisson.

    >>> round(float(negative_binomial(100.0, 1.0, 0.5)), 2)   # λ = 1, α = 0.5 (Agrawal's slides: 0.58)
    0.58
    """
    a = _array("alpha", alpha, lo=0.0, lo_open=True)
    lam = expected_defects(area_mm2, defects_per_cm2)
    return np.exp(-a * np.log1p(lam / a))


MODELS: dict[str, Callable[..., NDArray[np.float64]]] = {
    "poisson": poisson,
    "murphy": murphy,
    "seeds": seeds,
    "bose_einstein": bose_einstein,
    "negative_binomial": negative_binomial,
}


def die_yield(model: str, area_mm2: ArrayLike, defects_per_cm2: ArrayLike, *, alpha: float | None = None,
              layers: float | None = None) -> NDArray[np.float64]:
    """Yield by model name; ``alpha`` is used by the negative binomial, ``layers`` by Bose–Einstein."""
    if model not in MODELS:
        raise ValueError(f"model={model!r} is not one of {sorted(MODELS)}")
    if alpha is not None:
        _array("alpha", alpha, lo=0.0, lo_open=True)
    if layers is not None:
        _array("layers", layers, lo=0.0, lo_open=True)
    if model == "negative_binomial":
        return negative_binomial(area_mm2, defects_per_cm2, 2.0 if alpha is None else alpha)
    if model == "bose_einstein":
        return bose_einstein(area_mm2, defects_per_cm2, 1 if layers is None else layers)
    return MODELS[model](area_mm2, defects_per_cm2)


# -- dies per wafer and cost ------------------------------------------------------------------------
def dies_per_wafer(wafer_diameter_mm: ArrayLike, die_area_mm2: ArrayLike) -> NDArray[np.float64]:
    """Hennessy & Patterson's dies per wafer, with edge loss (not rounded):

    ``DPW = π (d/2)² / A − π d / √(2 A)``

    The second term is the wafer's circumference over the die's diagonal: the partial dies lost
    at the rim. Allowed: ``wafer_diameter_mm`` in (0, 1e6], ``die_area_mm2`` in [1e-6, 1e12]
    (so the count stays finite). Returns 0 where the die is too large for any whole copy by this formula.

    >>> round(float(dies_per_wafer(300.0, 225.0))), round(float(dies_per_wafer(300.0, 100.0)))   # H&P: 270, 640
    (270, 640)
    """
    d = _array("wafer_diameter_mm", wafer_diameter_mm, lo=0.0, lo_open=True, hi=1e6)
    a = _array("die_area_mm2", die_area_mm2, lo=1e-6, hi=1e12)
    n = np.pi * (d / 2.0) ** 2 / a - np.pi * d / np.sqrt(2.0 * a)
    return np.maximum(n, 0.0)


#: Smallest die yield :func:`cost_per_good_die` divides by (the cost stays finite).
MIN_YIELD = 1e-250


def cost_per_die(wafer_price_usd: ArrayLike, dies: ArrayLike) -> NDArray[np.float64]:
    """Wafer price spread over every candidate die, ``price / dies``.

    Allowed: ``dies`` in [10⁻⁶, 10¹²] (a fraction of a die is a valid average), so the result stays finite.
    """
    p = _array("wafer_price_usd", wafer_price_usd)
    n = _array("dies", dies, lo=1e-6, hi=1e12)
    return p / n


def cost_per_good_die(wafer_price_usd: ArrayLike, dies: ArrayLike, die_yield_: ArrayLike) -> NDArray[np.float64]:
    """H&P's cost of a good die: ``price / (dies per wafer × die yield)``.

    Allowed: ``die_yield_`` in [10⁻²⁵⁰, 1] (a monolithic wafer's yield can be 10⁻²⁰; below 10⁻²⁵⁰ the cost
    would overflow a float).

    >>> round(float(cost_per_good_die(7000.0, 640.0, 0.662)), 1)
    16.5
    """
    y = _array("die_yield", die_yield_, lo=MIN_YIELD, hi=1.0)
    return cost_per_die(wafer_price_usd, dies) / y


# -- redundant arrays (analytic) ---------------------------------------------------------------------
def segment_yield(core_area_mm2: ArrayLike, defects_per_cm2: ArrayLike, segment_cores: ArrayLike,
                  spares_per_segment: ArrayLike = 1) -> NDArray[np.float64]:
    """Probability that a repair segment of ``segment_cores`` physical cores has at most
    ``spares_per_segment`` defective cores, with Poisson defects.

    Allowed: ``segment_cores`` an integer in [1, 10⁶], ``spares_per_segment`` an integer in
    [0, 1000] (the CDF is summed term by term, so the cap bounds the time: well under a second).

    A core is defective with probability ``p = 1 − exp(−D·A_core)``; the count is binomial:
    ``P = Σ_{k ≤ s} C(L, k) p^k (1−p)^(L−k)``.
    """
    lam = expected_defects(_array("core_area_mm2", core_area_mm2), defects_per_cm2)
    length = _array("segment_cores", segment_cores, lo=1.0, hi=MAX_SEGMENT, integer=True)
    s = _array("spares_per_segment", spares_per_segment, lo=0.0, hi=MAX_SPARES, integer=True)
    lam, length, s = np.broadcast_arrays(lam, length, s)
    p = -np.expm1(-lam)
    # binomial CDF by the term recurrence t_{k+1} = t_k · (L−k)/(k+1) · p/(1−p), from t_0 = (1−p)^L
    term = np.exp(length * -lam)  # (1−p)^L = exp(−λL)
    total = term.copy()
    certain = p >= 1.0  # every core defective: the segment survives only if it is all spares
    ratio = np.where(certain, 0.0, p / np.where(certain, 1.0, 1.0 - p))
    for k in range(int(s.max()) if s.size else 0):
        term = np.where(k < length, term * (length - k) / (k + 1) * ratio, 0.0)
        total = total + np.where(k < s, term, 0.0)
    return np.where(certain, (s >= length).astype(float), np.minimum(total, 1.0))


def array_yield(physical_cores: ArrayLike, core_area_mm2: ArrayLike, defects_per_cm2: ArrayLike,
                segment_cores: ArrayLike, spares_per_segment: ArrayLike = 1) -> NDArray[np.float64]:
    """Yield of a whole array built of repair segments: ``segment_yield ** (cores / L)``.

    This is the probability that *every* segment can be repaired, i.e. that the full logical
    array (``cores × (1 − s/L)`` cores) is delivered. With ``spares_per_segment = 0`` and one
    segment it is the Poisson yield of the array's core area.
    """
    n = _array("physical_cores", physical_cores, lo=1.0, integer=True)
    length = _array("segment_cores", segment_cores, lo=1.0, hi=MAX_SEGMENT, integer=True)
    seg = segment_yield(core_area_mm2, defects_per_cm2, length, spares_per_segment)
    with np.errstate(divide="ignore"):
        return np.exp((n / length) * np.log(seg))


def global_spare_yield(physical_cores: int, core_area_mm2: float, defects_per_cm2: ArrayLike,
                       spares: int) -> NDArray[np.float64]:
    """Yield of an array with *global* spares: any of ``spares`` spare cores replaces any defective core.

    This is how a GPU repairs (a die with up to ``s`` bad SMs is sold with the rest enabled): the array
    works when at most ``spares`` of its ``n`` cores are defective, ``P(Bin(n, p) ≤ s)`` with
    ``p = 1 − exp(−D·a)``. Local sparing (:func:`array_yield`) needs each segment to hold its own spare; with
    one segment of all ``n`` cores the two are the same. Summed in log space, so ``n`` up to 10⁹ is exact.

    Allowed: ``physical_cores`` an integer in [1, 10⁹], ``core_area_mm2`` in (0, 1e6], ``spares`` an integer in
    [0, min(n, 10⁶)] (s + 1 terms: well under a second at the cap), ``defects_per_cm2`` in [0, 1e3].

    >>> round(float(global_spare_yield(672, 6.0, 1.0, 47)), 3)   # a 40 cm² chip of 6 mm² units, 7 % spares
    0.913
    >>> round(float(global_spare_yield(144, 5.0, 0.1, 0)), 12) == round(float(poisson(144 * 5.0, 0.1)), 12)
    True
    """
    n = check_int("physical_cores", physical_cores, 1, MAX_GLOBAL_CORES)
    a = check_real("core_area_mm2", core_area_mm2, 0.0, 1e6, lo_open=True)
    s = check_int("spares", spares, 0, min(n, MAX_GLOBAL_SPARES))
    d = _array("defects_per_cm2", defects_per_cm2, hi=1e3)
    k = np.arange(s + 1, dtype=np.float64)
    # log C(n, k) by its running sum: log C(n, k+1) = log C(n, k) + log(n − k) − log(k + 1)
    logc = np.concatenate(([0.0], np.cumsum(np.log(n - k[:-1]) - np.log(k[1:]))))
    out = np.empty(d.shape, dtype=np.float64)
    for i, di in np.ndenumerate(d):
        lam = a / 100.0 * float(di)
        if lam == 0.0:
            out[i] = 1.0
            continue
        log_q = -lam                                   # log(1 − p)
        log_p = math.log(-math.expm1(-lam))            # log p
        terms = logc + k * log_p + (n - k) * log_q
        top = float(terms.max())
        out[i] = min(1.0, math.exp(top) * float(np.exp(terms - top).sum()))
    return out


def clustered_array_yield(physical_cores: int, core_area_mm2: float, defects_per_cm2: ArrayLike,
                          segment_cores: ArrayLike, spares_per_segment: int = 1, *, alpha: float = 2.0,
                          blocks: int = 84, points: int = 2000) -> NDArray[np.float64]:
    """:func:`array_yield` with clustered defects: the analytic form of the Monte Carlo's block model.

    The array is ``blocks`` equal regions; each region's density is ``D·g`` with ``g ~ Gamma(α, 1/α)`` (mean 1),
    independently (Koren, Koren & Stapper's block model). A region of ``m = n / blocks`` cores in segments of ``L``
    survives with ``E_g[P_seg(g)^(m/L)]``, integrated numerically on ``points`` nodes spaced in log g; the array
    with the product over regions. Tends to :func:`array_yield` as α → ∞.

    Allowed: ``physical_cores`` an integer in [1, 10⁹], ``alpha`` in [0.05, 1e4], ``blocks`` an integer in
    [1, physical_cores], ``points`` an integer in [200, 20000], the rest as :func:`array_yield`.

    >>> y = float(array_yield(970_000, 0.0476, 0.1, 14, 1))
    >>> float(clustered_array_yield(970_000, 0.0476, 0.1, 14, 1, alpha=2.0)) < y   # clustering hurts a spared array
    True
    """
    n = check_int("physical_cores", physical_cores, 1, MAX_GLOBAL_CORES)
    al = check_real("alpha", alpha, 0.05, 1e4)
    b = check_int("blocks", blocks, 1, n)
    pts = check_int("points", points, 200, 20000)
    length = _array("segment_cores", segment_cores, lo=1.0, hi=MAX_SEGMENT, integer=True)
    d = _array("defects_per_cm2", defects_per_cm2, hi=1e3)
    # nodes in log g, from far below to far above the mean; weights = Gamma(α, 1/α) density × g × d(log g)
    lo, hi = math.log(1e-12), math.log(max(60.0, 60.0 / al))
    u = np.linspace(lo, hi, pts)
    g = np.exp(u)
    logpdf = al * math.log(al) - math.lgamma(al) + (al - 1.0) * u - al * g
    w = np.exp(logpdf + u) * (u[1] - u[0])
    w /= w.sum()
    dd, ll = np.broadcast_arrays(d, length)
    out = np.empty(dd.shape, dtype=np.float64)
    per_block = n / b
    for i in np.ndindex(dd.shape):
        seg = segment_yield(core_area_mm2, float(dd[i]) * g, float(ll[i]), spares_per_segment)
        with np.errstate(divide="ignore"):
            region = np.exp((per_block / float(ll[i])) * np.log(seg))
        out[i] = float(np.clip(np.dot(w, region), 0.0, 1.0)) ** b
    return out


def tolerable_density(physical_cores: int, core_area_mm2: float, segment_cores: int, spares_per_segment: int = 1, *,
                      target_yield: float = 0.9, alpha: float | None = None, blocks: int = 84) -> float:
    """Largest defect density (per cm²) at which the array still yields ``target_yield``: the margin of a spare budget.

    Bisection in log D on :func:`array_yield` (or :func:`clustered_array_yield` with ``alpha``), which falls
    monotonically with D. Allowed: ``physical_cores`` an integer in [1, 10⁹], ``core_area_mm2`` in (0, 1e4],
    ``segment_cores`` an integer in [1, 10⁶], ``spares_per_segment`` an integer in [0, 1000], ``target_yield`` in
    (0, 1), ``alpha`` in [0.05, 1e4] or None; the answer lies in [1e-8, 1e3] (the ends where it does not).

    >>> d = tolerable_density(970_000, 0.0476, 14, 1)
    >>> round(float(array_yield(970_000, 0.0476, d, 14, 1)), 6)
    0.9
    """
    n = check_int("physical_cores", physical_cores, 1, MAX_GLOBAL_CORES)
    a = check_real("core_area_mm2", core_area_mm2, 0.0, 1e4, lo_open=True)
    t = check_real("target_yield", target_yield, 0.0, 1.0, lo_open=True, hi_open=True)

    def y(d: float) -> float:
        if alpha is None:
            return float(array_yield(n, a, d, segment_cores, spares_per_segment))
        return float(clustered_array_yield(n, a, d, segment_cores, spares_per_segment, alpha=alpha, blocks=blocks))

    lo, hi = 1e-8, 1e3
    if y(lo) < t:
        return lo
    if y(hi) >= t:
        return hi
    for _ in range(80):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if y(mid) >= t else (lo, mid)
        if hi / lo < 1 + 1e-9:
            break
    return lo
