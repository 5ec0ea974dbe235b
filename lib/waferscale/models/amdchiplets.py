"""AMD's published chiplet-vs-monolithic cost ratios reproduced with the cost model of
:mod:`waferscale.models.economics`: each comparison resolved from the catalog into an :class:`AmdExample`, this
model's ratio (:func:`amd_ratio`), the defect density that would reproduce AMD's number (:func:`implied_density`) and
the table of both (:func:`amd_reproduction`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from . import yields
from ..core.checks import check_real
from ..data.catalog import Catalog
from .economics import WAFER_DIAMETER_MM, _model_yield, node_density, node_price_usd

__all__ = ["AmdExample", "amd_example", "amd_ratio", "implied_density", "amd_reproduction"]


@dataclass(frozen=True)
class AmdExample:
    """One of AMD's published chiplet-vs-monolithic comparisons, resolved from the catalog: ``chiplets`` compute
    dies of ``chiplet_area_mm2`` on a wafer costing ``wafer_price_usd``, against one monolithic die of
    ``die_area_mm2``; or, with an I/O die (``io_die_area_mm2`` on wafers costing ``io_wafer_price_usd``), against a
    monolithic part holding both. ``printed_ratio`` is AMD's number, in AMD's direction (:attr:`direction`)."""

    id: str
    name: str
    chiplets: float
    chiplet_area_mm2: float
    wafer_price_usd: float
    printed_ratio: float
    die_area_mm2: float | None = None
    io_die_area_mm2: float | None = None
    io_wafer_price_usd: float | None = None
    sources: tuple[str, ...] = ()

    @property
    def direction(self) -> str:
        """'monolithic ÷ chiplets' for the parts with an I/O die, 'chiplets ÷ monolithic' otherwise."""
        return "monolithic ÷ chiplets" if self.io_die_area_mm2 is not None else "chiplets ÷ monolithic"


def amd_example(cat: Catalog, example: str) -> AmdExample:
    """Resolve one AMD comparison; wafer prices are the catalog's for the nearest node (CSET)."""
    v = lambda f: cat.value(example, f)  # noqa: E731

    def price(node_field: str) -> tuple[float, str]:
        usd, row = node_price_usd(cat, min(cat.wafer_prices["node_nm"], key=lambda x: abs(x - v(node_field))))
        return usd, str(row["source"])

    io = cat.has(example, "io_die_area_mm2")
    (usd, src), (io_usd, io_src) = price("process_nm"), price("io_process_nm") if io else (None, None)
    facts = [(example, f) for f in ("chiplets", "chiplet_area_mm2", "process_nm", "printed_cost_ratio", "die_area_mm2",
                                    "io_die_area_mm2", "io_process_nm")]
    return AmdExample(example, cat.name(example), v("chiplets"), v("chiplet_area_mm2"), usd, v("printed_cost_ratio"),
                      None if io else v("die_area_mm2"), v("io_die_area_mm2") if io else None, io_usd,
                      cat.sources_of(facts, [s for s in (src, io_src) if s]))


def amd_ratio(ex: AmdExample, d_compute: float, d_io: float, model: str = "poisson") -> float:
    """This model's cost ratio for ``ex`` in AMD's direction, at defect densities ``d_compute`` and ``d_io`` (per cm²,
    each in [0, 10]).

    A die costs its wafer's price over (dies per 300 mm wafer x yield); the I/O die is assumed not to shrink in a
    monolithic part on the newer node.

    Examples
    --------
    Four 213 mm² chiplets against one 777 mm² die at 0.1 defects/cm² (Poisson): the chiplets cost about 0.53x.

    >>> ex = AmdExample("x", "example", 4, 213.0, 6000.0, 0.59, die_area_mm2=777.0)
    >>> round(amd_ratio(ex, 0.1, 0.1), 2)
    0.53
    """
    if not isinstance(ex, AmdExample):
        raise ValueError(f"ex={ex!r} is not allowed; allowed: an AmdExample (amdchiplets.amd_example(cat, id))")
    d_compute = check_real("d_compute", d_compute, 0.0, 10.0)
    d_io = check_real("d_io", d_io, 0.0, 10.0)

    def die_cost(area: float, d: float, p: float) -> float:
        return float(p / (yields.dies_per_wafer(WAFER_DIAMETER_MM, area) * _model_yield(area, d, model, 2.0)))

    n, a, price = ex.chiplets, ex.chiplet_area_mm2, ex.wafer_price_usd
    if ex.io_die_area_mm2 is not None:
        io = ex.io_die_area_mm2
        chiplet = n * die_cost(a, d_compute, price) + die_cost(io, d_io, ex.io_wafer_price_usd)
        mono = die_cost(n * a + io, d_compute, price)      # I/O assumed not to shrink on the newer node
        return mono / chiplet                               # AMD's direction: monolithic / chiplet
    mono = die_cost(ex.die_area_mm2, d_compute, price)
    return n * die_cost(a, d_compute, price) / mono         # AMD's direction: chiplet / monolithic


def implied_density(ex: AmdExample, model: str = "poisson") -> float:
    """Defect density (per cm²) at which the model reproduces the published ratio exactly; ``nan`` if none in (0, 5]."""
    target = ex.printed_ratio
    f = lambda d: amd_ratio(ex, d, d, model) - target  # noqa: E731
    lo, hi = 1e-4, 5.0
    if f(lo) * f(hi) > 0:
        return float("nan")
    for _ in range(200):  # bisection on a log scale (the ratio is monotone in the density)
        mid = math.sqrt(lo * hi)
        if f(lo) * f(mid) <= 0:
            hi = mid
        else:
            lo = mid
        if hi / lo < 1 + 1e-9:
            break
    return float(math.sqrt(lo * hi))


def amd_reproduction(cat: Catalog, model: str = "poisson") -> pd.DataFrame:
    """AMD's published chiplet-vs-monolithic cost ratios next to this model's, with the error.

    Densities: the catalog's for each node (16 nm textbook value for 14 nm and the 12 nm I/O die; TSMC N7 for 7 nm);
    wafer prices: the catalog's (CSET) by nearest node. The I/O die is assumed not to shrink in a monolithic 7 nm
    part. Columns: example, comparison, published, model, error_pct, implied_d_per_cm2, d_used_per_cm2, source, grade.
    """
    rows = []
    for ex in ("amd_hc2017_epyc", "amd_isscc2020_8core", "amd_isscc2020_16core"):
        node = cat.value(ex, "process_nm")
        d_c, _ = node_density(cat, 16 if node >= 12 else node)
        d_io, _ = node_density(cat, 16)
        rec = amd_example(cat, ex)
        model_ratio = amd_ratio(rec, d_c, d_io, model)
        pub = cat.fact(ex, "printed_cost_ratio")
        rows.append({
            "example": rec.name, "id": ex, "comparison": rec.direction,
            "published": pub.value, "model": model_ratio, "error_pct": 100.0 * (model_ratio / pub.value - 1.0),
            "d_used_per_cm2": d_c, "implied_d_per_cm2": implied_density(rec, model),
            "source": pub.source, "grade": pub.grade,
        })
    return pd.DataFrame(rows)
