"""Cost per million tokens from price, power and amortisation, and the throughput the serving model gives.

Cost per million tokens: ``(price / amortisation hours + power · PUE · electricity) / (tokens/s · 3600 · utilisation) · 10⁶``.

Bad input raises ``ValueError`` naming the parameter, its value and the allowed range.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ..data.catalog import Catalog
from ..core.checks import check_real
from .yields import _array

__all__ = [
    "TokenAssumptions",
    "cost_per_million_tokens",
    "token_cost_table",
    "priced_systems",
    "throughput_from_serving",
]


@dataclass(frozen=True)
class TokenAssumptions:
    """Stated economic assumptions (not sourced facts): amortisation, electricity, PUE, utilisation.

    Defaults: four-year straight-line amortisation, 0.08 USD/kWh, PUE 1.2, 60 % utilisation; every one is a
    slider in the book. Allowed: ``amortisation_years`` in (0, 30], ``electricity_usd_per_kwh`` in [0, 10],
    ``pue`` in [1, 5], ``utilisation`` in (0, 1] (numbers, not arrays).
    """

    amortisation_years: float = 4.0
    electricity_usd_per_kwh: float = 0.08
    pue: float = 1.2
    utilisation: float = 0.6

    def __post_init__(self) -> None:
        check_real("amortisation_years", self.amortisation_years, 0.0, 30.0, lo_open=True)
        check_real("electricity_usd_per_kwh", self.electricity_usd_per_kwh, 0.0, 10.0)
        check_real("pue", self.pue, 1.0, 5.0)
        check_real("utilisation", self.utilisation, 0.0, 1.0, lo_open=True)

    def with_(self, **kw: float) -> "TokenAssumptions":
        """A copy with some assumptions changed."""
        return replace(self, **kw)


def cost_per_million_tokens(price_usd: ArrayLike, power_w: ArrayLike, tokens_per_s: ArrayLike,
                            assumptions: TokenAssumptions = TokenAssumptions()) -> NDArray[np.float64] | float:
    """USD per million output tokens: ``(price / (years · 8760 h) + kW · PUE · USD/kWh) / (tok/s · 3600 · u) · 10⁶``.

    >>> round(cost_per_million_tokens(3.0e6, 120e3, 1000.0), 2)    # a 3 M$ 120 kW rack at 1,000 tok/s
    44.97
    """
    p = _array("price_usd", price_usd)
    w = _array("power_w", power_w)
    t = _array("tokens_per_s", tokens_per_s, lo=0.0, lo_open=True)
    a = assumptions
    per_hour = p / (a.amortisation_years * 8760.0) + w / 1000.0 * a.pue * a.electricity_usd_per_kwh
    c = per_hour / (t * 3600.0 * a.utilisation) * 1e6
    return float(c) if c.ndim == 0 else c


def token_cost_table(cat: Catalog, throughput: pd.DataFrame, assumptions: TokenAssumptions = TokenAssumptions()) -> pd.DataFrame:
    """Cost per million tokens for rows of ``throughput`` (columns system, scenario, tokens_per_s, units, source, grade).

    ``units`` is how many of the system the throughput needs (e.g. four CS-3 for a 70B model); the price comes
    from the catalog (``price_usd``) times ``units``; the power is the table's ``power_w`` (the wall power at that
    load) where it has one, else the catalog's ``system_power_w`` times ``units``.
    """
    rows = []
    for r in throughput.itertuples():
        price = cat.fact(r.system, "price_usd")
        power = cat.fact(r.system, "system_power_w")
        units = float(r.units)
        watts = float(getattr(r, "power_w", power.value * units))
        c = cost_per_million_tokens(price.value * units, watts, float(r.tokens_per_s), assumptions)
        rows.append({"system": r.system, "name": cat.name(r.system), "scenario": r.scenario, "units": units,
                     "tokens_per_s": float(r.tokens_per_s), "price_usd": price.value * units,
                     "power_w": watts, "usd_per_mtok": c,
                     "source": ";".join(dict.fromkeys([price.source, power.source,
                                                       *[k for k in str(r.source).split(";") if k != "model"]])),
                     "grade": r.grade})
    return pd.DataFrame(rows)


def priced_systems(cat: Catalog) -> list[str]:
    """Systems the serving model runs whose price and power the catalog gives (``price_usd`` and
    ``system_power_w``), in catalog order: the candidates for a cost-per-token comparison. Catalog-driven, so
    a system added with a price joins.
    """
    from .serving.hardware import system_links

    links = system_links(cat)
    return [s for s in cat.ids("systems") if s in links and cat.has(s, "price_usd") and cat.has(s, "system_power_w")]


def throughput_from_serving(cat: Catalog, systems: list[str], model_id: str, *, params, precision: str = "bf16",
                            input_tokens: int = 1000, output_tokens: int = 1000) -> pd.DataFrame:
    """Tokens/s per system for one user and at maximum throughput, from the serving model
    (:func:`waferscale.models.serving.serve`, its best layout for each objective) with ``params`` (the calibrated
    :func:`waferscale.fit.servefit.fitted`, or a what-if ``ServeParams``).

    Returns the throughput table (columns system, scenario, users, tokens_per_s, units, power_w, source, grade)
    for :func:`token_cost_table`: ``units`` is the number of systems the configuration uses (wafers for the CS-3,
    one GPU system otherwise) and ``power_w`` the wall power at that load (idle share plus the busy rest).
    """
    from . import serving as sv
    from . import workloads as wl

    m = wl.model(cat, model_id)
    op = sv.OperatingPoint(input_tokens, output_tokens, precision)
    rows = []
    for s in systems:
        hw = sv.hardware(cat, s)
        for label, goal in (("single user", {"users": 1}), ("maximum throughput", {"max_throughput": True})):
            r = sv.serve(hw, m, op, params, **goal)
            rows.append({"system": s, "scenario": label, "users": int(r.users), "tokens_per_s": r.tokens_per_s_total,
                         "units": max(1.0, r.chips / hw.chips), "power_w": r.power_w, "source": "model",
                         "grade": "derived"})
    return pd.DataFrame(rows)
