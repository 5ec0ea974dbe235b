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

from ..core.checks import BIG, check_array, check_choice

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
]

#: Longest repair segment and most spares per segment the analytic models accept.
MAX_SEGMENT = 1e6
MAX_SPARES = 1000

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
