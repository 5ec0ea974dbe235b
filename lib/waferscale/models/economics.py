"""Economics of big silicon: cost per good mm² for monolithic dies, chiplets and a redundant wafer (AMD's published
chiplet comparison reproduced: :mod:`waferscale.models.amdchiplets`; cost per million tokens: :mod:`waferscale.models.tokencost`; demand,
industry path and company: :mod:`waferscale.models.market`).

Cost per good mm² (all designs deliver ``A`` mm² of working logic):

* monolithic die, must be perfect: ``C = P_w / (DPW(A) · Y(A) · A)``;
* chiplets of area ``a`` (``n = A / a`` of them, each ``a (1 + x)`` with ``x`` extra silicon for die-to-die links),
  tested before assembly (known-good die, KGD) with test escape ``e`` and bonded with yield ``b`` each:
  a die passes the test with ``p = Y + (1 − Y) e``, a passed die is good with ``q = Y / p``, and the assembly works
  with ``(q b)^n``, so ``C = n · P_w / (DPW · p) / ((q b)^n · A)``;
* redundant wafer (fine-grained spare cores, :func:`waferscale.models.yields.array_yield`):
  ``C = P_w / (Y_array · A_logical)`` with one part per wafer.

All functions are pure and vectorised where it matters; bad input raises ``ValueError`` naming the parameter, its
value and the allowed range.

Examples
--------
>>> round(float(cost_per_good_mm2_monolithic(100.0, 0.1, 10000.0)), 4)
0.1726
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from . import yields
from ..data.catalog import Catalog
from ..core.checks import check_int, check_real
from .yields import _array

#: Bounds of the cost functions' inputs: finite, so that no product or quotient of them overflows.
MAX_PRICE_USD = 1e12        # wafer price
MAX_DIAMETER_MM = 1e4       # wafer diameter (10 m)
MAX_DEFECTS_PER_CM2 = 1e3
MAX_LAMBDA = 700.0          # expected fatal defects on one part: beyond it the yield underflows (e^-700 ≈ 1e-304)
MAX_AREA_MM2 = 1e9          # total logic area of a chiplet product

__all__ = [
    "WAFER_DIAMETER_MM",
    "ChipletProcess",
    "parts_per_wafer",
    "cost_per_good_mm2_monolithic",
    "cost_per_good_mm2_chiplets",
    "cost_per_good_mm2_redundant",
    "redundant_cost_range",
    "node_price_usd",
    "node_density",
    "cost_curves",
]

#: Wafer diameter used throughout (mm): the 300 mm standard.
WAFER_DIAMETER_MM = 300.0


def _model_yield(area_mm2: ArrayLike, d: ArrayLike, model: str, alpha: float) -> NDArray[np.float64]:
    return yields.die_yield(model, area_mm2, d, alpha=alpha, layers=1.0)


def _common(wafer_price_usd: float, wafer_diameter_mm: float, alpha: float) -> tuple[float, float]:
    """Check the inputs every cost function shares; ``alpha`` is checked even where the model ignores it
    (a bad value is a mistake whichever model it is passed with)."""
    price = check_real("wafer_price_usd", wafer_price_usd, 0.0, MAX_PRICE_USD)
    diameter = check_real("wafer_diameter_mm", wafer_diameter_mm, 0.0, MAX_DIAMETER_MM, lo_open=True)
    check_real("alpha", alpha, 0.0, 1e6, lo_open=True)
    return price, diameter


def _densities(defects_per_cm2: ArrayLike, area_mm2: ArrayLike) -> NDArray[np.float64]:
    """Defect densities in [0, 1e3] for which a part of ``area_mm2`` has at most MAX_LAMBDA expected defects."""
    d = _array("defects_per_cm2", defects_per_cm2, lo=0.0, hi=MAX_DEFECTS_PER_CM2)
    lam = np.asarray(area_mm2) / 100.0 * d
    if np.any(lam > MAX_LAMBDA):
        amax = float(np.max(area_mm2))
        raise ValueError(f"defects_per_cm2={float(np.max(d))!r} is out of range; allowed: [0, {MAX_LAMBDA * 100 / amax:.4g}] "
                         f"at area_mm2={amax:.4g} (at most {MAX_LAMBDA:g} expected defects per part: the yield underflows)")
    return d


def _finite(c: NDArray[np.float64], name: str, value: object, why: str) -> NDArray[np.float64]:
    if not np.all(np.isfinite(c)):
        raise ValueError(f"{name}={value!r} is out of range; allowed: {why}")
    return c


def parts_per_wafer(area_mm2: ArrayLike, wafer_diameter_mm: float = WAFER_DIAMETER_MM) -> NDArray[np.float64]:
    """H&P dies per wafer, but at least one for a part up to a whole wafer's square (a wafer-scale engine).

    Allowed: ``wafer_diameter_mm`` in (0, 1e4], ``area_mm2`` in [1e-6, π (d/2)²].

    >>> float(parts_per_wafer(46225.0))
    1.0
    """
    d = check_real("wafer_diameter_mm", wafer_diameter_mm, 0.0, MAX_DIAMETER_MM, lo_open=True)
    a = _array("area_mm2", area_mm2, lo=1e-6, hi=math.pi * (d / 2) ** 2, hi_open=False)
    return np.maximum(yields.dies_per_wafer(d, a), 1.0)


def cost_per_good_mm2_monolithic(area_mm2: ArrayLike, defects_per_cm2: ArrayLike, wafer_price_usd: float, *,
                                 model: str = "poisson", alpha: float = 2.0,
                                 wafer_diameter_mm: float = WAFER_DIAMETER_MM) -> NDArray[np.float64]:
    """Cost per good mm² of a die that must be perfect: ``P_w / (DPW · Y · A)``.

    Allowed: ``area_mm2`` in [1e-6, d²/8) (H&P's formula fits a whole die: ``DPW > 0``), ``defects_per_cm2``
    in [0, 1e3] with at most 700 expected defects per die (``A·D/100 ≤ 700``, else the yield underflows),
    ``wafer_price_usd`` in [0, 1e12], ``wafer_diameter_mm`` in (0, 1e4], ``alpha`` in (0, 1e6] (checked
    whichever ``model``; only the negative binomial uses it). A ValueError, never ``inf``, where the cost
    would not be a finite number.

    >>> round(float(cost_per_good_mm2_monolithic(814.0, 0.1, 16988.0)), 3)   # an H100-size die on N5
    0.742
    """
    price, diameter = _common(wafer_price_usd, wafer_diameter_mm, alpha)
    edge = diameter * diameter / 8.0
    why = f"[1e-06, {edge:.4g}) (a whole die fits a {diameter:g} mm wafer)"
    a = _array("area_mm2", area_mm2, lo=1e-6, hi=edge, hi_open=True)
    d = _densities(defects_per_cm2, a)
    dpw = yields.dies_per_wafer(diameter, a)
    if np.any(dpw <= 0):
        raise ValueError(f"area_mm2={float(np.max(a))!r} is out of range; allowed: {why}")
    y = _model_yield(a, d, model, alpha)
    with np.errstate(divide="ignore", over="ignore"):
        c = price / (dpw * y * a)
    return _finite(c, "area_mm2", float(np.max(a)), why)


@dataclass(frozen=True)
class ChipletProcess:
    """Assembly assumptions for chiplets: test escape, bond yield per chiplet, extra silicon for links.

    These are *assumptions*, not sourced facts; the book shows them as sliders. Allowed: ``test_escape`` in
    [0, 1], ``bond_yield`` in (0, 1], ``extra_silicon_fraction`` in [0, 1] (numbers, not arrays). ``extra_silicon_fraction``
    defaults to the ~10 % AMD reported for its first EPYC (see :func:`waferscale.models.amdchiplets.amd_reproduction`); pass the catalog's.
    """

    test_escape: float = 0.0
    bond_yield: float = 1.0
    extra_silicon_fraction: float = 0.0

    def __post_init__(self) -> None:
        check_real("test_escape", self.test_escape, 0.0, 1.0)
        check_real("bond_yield", self.bond_yield, 0.0, 1.0, lo_open=True)
        check_real("extra_silicon_fraction", self.extra_silicon_fraction, 0.0, 1.0)


def cost_per_good_mm2_chiplets(total_area_mm2: ArrayLike, chiplet_area_mm2: ArrayLike, defects_per_cm2: ArrayLike,
                               wafer_price_usd: float, process: ChipletProcess = ChipletProcess(), *,
                               model: str = "poisson", alpha: float = 2.0,
                               wafer_diameter_mm: float = WAFER_DIAMETER_MM) -> NDArray[np.float64]:
    """Cost per good mm² of ``total_area_mm2`` of logic built from chiplets of ``chiplet_area_mm2`` (see module).

    ``n = total / chiplet`` may be fractional (a smooth curve); a failed assembly is scrapped whole.

    Allowed: ``total_area_mm2`` in (0, 1e9], ``chiplet_area_mm2`` in (0, total] with its silicon
    ``a (1 + x)`` below d²/8 (a whole die fits the wafer), ``defects_per_cm2`` in [0, 1e3] with at most
    700 expected defects per chiplet, ``wafer_price_usd`` in [0, 1e12], ``wafer_diameter_mm`` in (0, 1e4],
    ``alpha`` in (0, 1e6] (checked whichever model). A ValueError naming ``total_area_mm2``, never ``inf``,
    where so many chiplets make the cost overflow.

    >>> round(float(cost_per_good_mm2_chiplets(800.0, 100.0, 0.1, 16988.0)), 3)
    0.293
    """
    if not isinstance(process, ChipletProcess):
        raise ValueError(f"process={process!r} is not allowed; allowed: a ChipletProcess")
    price, diameter = _common(wafer_price_usd, wafer_diameter_mm, alpha)
    total = _array("total_area_mm2", total_area_mm2, lo=0.0, lo_open=True, hi=MAX_AREA_MM2)
    a = _array("chiplet_area_mm2", chiplet_area_mm2, lo=0.0, lo_open=True, hi=MAX_AREA_MM2)
    if np.any(a > total + 1e-9):
        raise ValueError(f"chiplet_area_mm2={float(np.max(a)):g} is out of range; allowed: (0, total_area_mm2]")
    n = total / a
    silicon = a * (1.0 + process.extra_silicon_fraction)
    edge = diameter * diameter / 8.0
    dpw = yields.dies_per_wafer(diameter, np.maximum(silicon, 1e-6))
    if np.any(dpw <= 0):
        raise ValueError(f"chiplet_area_mm2={float(np.max(a))!r} is out of range; allowed: (0, "
                         f"{edge / (1.0 + process.extra_silicon_fraction):.4g}) (a whole chiplet fits a {diameter:g} mm wafer)")
    d = _densities(defects_per_cm2, silicon)
    y = _model_yield(silicon, d, model, alpha)
    p_pass = y + (1.0 - y) * process.test_escape
    q = y / p_pass
    cost_passed = price / (dpw * p_pass)
    with np.errstate(divide="ignore", over="ignore", under="ignore"):
        assembly = (q * process.bond_yield) ** n
        c = n * cost_passed / (assembly * total)
    return _finite(c, "total_area_mm2", float(np.max(total)),
                   "a total for which the cost is finite (the assembly yield (q·b)^n underflows beyond)")


def cost_per_good_mm2_redundant(area_mm2: float, core_area_mm2: float, defects_per_cm2: ArrayLike,
                                wafer_price_usd: float, segment_cores: int, spares_per_segment: int = 1,
                                wafer_diameter_mm: float = WAFER_DIAMETER_MM, *,
                                critical_area_mm2: float = 0.0) -> NDArray[np.float64]:
    """Cost per good *logical* mm² of a part of fine-grained cores with spares (a wafer-scale engine).

    ``Y = array_yield(...) · exp(−D · A_crit)``; logical area ``A_cores (1 − s/L)``; parts per wafer from
    :func:`parts_per_wafer`. The cores fill ``area_mm2 − critical_area_mm2``. With ``critical_area_mm2 = 0`` (the
    default) no defect can kill the part outside a segment, so the cost is a **lower bound** (see
    :func:`redundant_cost_range`, which evaluates a chip's catalog range and says which end is a bound).

    Allowed: ``area_mm2`` in [1e-6, π (d/2)²], ``core_area_mm2`` in (0, area_mm2], ``segment_cores`` an
    integer in [1, 10⁶], ``spares_per_segment`` an integer in [0, min(L − 1, 1000)] (the segment must
    deliver a core), ``defects_per_cm2`` in [0, 1e3], ``wafer_price_usd`` in [0, 1e12],
    ``wafer_diameter_mm`` in (0, 1e4], ``critical_area_mm2`` in [0, area_mm2). A ValueError naming
    ``defects_per_cm2``, never ``inf``, where the yield underflows to 0. Running time: the binomial sum has at
    most 1000 terms (milliseconds).

    >>> round(float(cost_per_good_mm2_redundant(46225.0, 0.0476, 0.1, 16988.0, 14)), 3)   # a lower bound
    0.401
    >>> round(float(cost_per_good_mm2_redundant(46225.0, 0.0476, 0.1, 16988.0, 14, critical_area_mm2=231.0)), 3)
    0.508
    """
    price = check_real("wafer_price_usd", wafer_price_usd, 0.0, MAX_PRICE_USD)
    diameter = check_real("wafer_diameter_mm", wafer_diameter_mm, 0.0, MAX_DIAMETER_MM, lo_open=True)
    a = float(_array("area_mm2", area_mm2, lo=1e-6, hi=math.pi * (diameter / 2) ** 2))
    crit = check_real("critical_area_mm2", critical_area_mm2, 0.0, a, hi_open=True)
    core = float(_array("core_area_mm2", core_area_mm2, lo=0.0, lo_open=True, hi=a, hi_open=False))
    length = check_int("segment_cores", segment_cores, 1, int(yields.MAX_SEGMENT))
    spares = check_int("spares_per_segment", spares_per_segment, 0, min(length - 1, yields.MAX_SPARES))
    d = _array("defects_per_cm2", defects_per_cm2, lo=0.0, hi=MAX_DEFECTS_PER_CM2)
    cores = max(length, int((a - crit) / core) // length * length)
    y = yields.array_yield(cores, core, d, length, spares) * yields.poisson(crit, d)
    logical = cores * core * (1.0 - spares / length)
    ppw = float(parts_per_wafer(a, diameter))
    with np.errstate(divide="ignore", over="ignore"):
        c = price / (ppw * y * logical)
    return _finite(c, "defects_per_cm2", float(np.max(d)) if d.size else d,
                   "densities at which the array yields more than ~1e-300 (the cost is finite)")


def redundant_cost_range(cat: Catalog, system: str, defects_per_cm2: float, wafer_price_usd: float) -> pd.DataFrame:
    """Cost per good logical mm² of a catalog wafer at each end of its critical-area range.

    One row per end (``low``, ``value``, ``high`` of ``critical_area_fraction``): columns end, critical_area_mm2,
    usd_per_mm2, bound. ``bound`` says ``"lower bound (no critical area)"`` where the critical area is zero: the
    cost there only holds if nothing on the wafer lacks a spare.
    """
    from .redundancy import critical_area_mm2 as crit_of, segment_cores as seg_of

    area = cat.value(system, "die_area_mm2")
    core = cat.value(system, "core_area_mm2")
    rows = []
    for end in ("low", "value", "high"):
        crit = crit_of(cat, system, end)
        c = float(cost_per_good_mm2_redundant(area, core, defects_per_cm2, wafer_price_usd, seg_of(cat, system),
                                              critical_area_mm2=crit))
        rows.append({"end": end, "critical_area_mm2": crit, "usd_per_mm2": c,
                     "bound": "lower bound (no critical area)" if crit == 0 else "estimate"})
    return pd.DataFrame(rows)


# -- catalog look-ups ---------------------------------------------------------------------------------
def node_price_usd(cat: Catalog, node_nm: float, prefer: str = "khan2020aichips") -> tuple[float, pd.Series]:
    """The catalog's wafer price for ``node_nm`` (the ``prefer`` source if it has one, else the latest row)."""
    wp = cat.wafer_prices[cat.wafer_prices["node_nm"] == float(node_nm)]
    if wp.empty:
        raise ValueError(f"node_nm={node_nm!r} has no wafer price; allowed: {sorted(set(cat.wafer_prices['node_nm']))}")
    pick = wp[wp["source"] == prefer]
    row = (pick if not pick.empty else wp).sort_values("year", kind="stable").iloc[-1]
    return float(row["value"]), row


def node_density(cat: Catalog, node_nm: float) -> tuple[float, pd.Series]:
    """The catalog's latest non-``uncertain`` defect density for ``node_nm``."""
    dd = cat.defect_densities
    hit = dd[(dd["node_nm"] == float(node_nm)) & (dd["grade"] != "uncertain")]
    if hit.empty:
        raise ValueError(f"node_nm={node_nm!r} has no defect density; allowed: {sorted(set(dd['node_nm']))}")
    row = hit.sort_values("year", kind="stable").iloc[-1]
    return float(row["value"]), row


def cost_curves(areas_mm2: ArrayLike, defects_per_cm2: float, wafer_price_usd: float, *, chiplet_area_mm2: float,
                process: ChipletProcess, wafer_area_mm2: float, core_area_mm2: float, segment_cores: int,
                model: str = "poisson", max_monolithic_mm2: float = math.inf,
                critical_area_mm2: float = 0.0) -> pd.DataFrame:
    """Long table of cost per good mm² vs product area for the three designs (column ``design``).

    Chiplets are used only where the product is larger than one chiplet; monolithic dies only up to
    ``max_monolithic_mm2`` (the reticle limit); the redundant wafer is a single point at ``wafer_area_mm2``, with
    ``critical_area_mm2`` of its area having no spare. Column ``bound`` says ``"lower bound (no critical area)"``
    on the wafer's row when that area is zero, else ``"estimate"``.
    """
    areas = _array("areas_mm2", areas_mm2, lo=1e-6, hi=MAX_AREA_MM2)
    fits = areas[(yields.dies_per_wafer(WAFER_DIAMETER_MM, areas) > 0)
                 & (areas / 100.0 * float(defects_per_cm2) <= MAX_LAMBDA)]
    mono = cost_per_good_mm2_monolithic(fits, defects_per_cm2, wafer_price_usd, model=model)
    rows = [{"area_mm2": float(a), "design": "monolithic die (must be perfect)", "usd_per_mm2": float(c)}
            for a, c in zip(fits, mono) if np.isfinite(c) and a <= max_monolithic_mm2]
    big = areas[areas >= chiplet_area_mm2]
    chip = cost_per_good_mm2_chiplets(big, chiplet_area_mm2, defects_per_cm2, wafer_price_usd, process, model=model)
    rows += [{"area_mm2": float(a), "design": f"chiplets of {chiplet_area_mm2:.0f} mm² (KGD + bonding)",
              "usd_per_mm2": float(c)} for a, c in zip(big, chip)]
    red = cost_per_good_mm2_redundant(wafer_area_mm2, core_area_mm2, defects_per_cm2, wafer_price_usd, segment_cores,
                                      critical_area_mm2=critical_area_mm2)
    rows = [{**r, "bound": "estimate"} for r in rows]
    rows.append({"area_mm2": float(wafer_area_mm2), "design": "redundant wafer (spare cores)", "usd_per_mm2": float(red),
                 "bound": "lower bound (no critical area)" if critical_area_mm2 == 0 else "estimate"})
    return pd.DataFrame(rows)
