"""Demand, industry path and company: sourced tables of inference's share of AI compute, TSMC's packaging
roadmap and Cerebras' filing figures (catalog ``parameters`` of kind ``market``, ``roadmap``, ``company``)."""

from __future__ import annotations

import pandas as pd

from ..data.catalog import Catalog

__all__ = [
    "inference_share",
    "roadmap",
    "company_table",
]


def _param_table(cat: Catalog, kind: str, fields: list[str]) -> pd.DataFrame:
    rows = []
    for i in cat.ids("parameters", kind):
        row: dict[str, object] = {"id": i, "name": cat.name(i)}
        srcs, grades = [], []
        for f in fields:
            if cat.has(i, f):
                fact = cat.fact(i, f)
                row[f] = fact.value
                srcs.append(fact.source)
                grades.append(fact.grade)
            else:
                row[f] = float("nan")
        row["source"] = ";".join(dict.fromkeys(srcs))
        row["grade"] = max(grades, key=lambda g: ["spec_sheet", "peer_reviewed", "measured_here", "vendor_claim",
                                                  "third_party", "derived", "uncertain"].index(g))
        rows.append(row)
    return pd.DataFrame(rows)


def inference_share(cat: Catalog) -> pd.DataFrame:
    """Sourced estimates of inference's share of AI compute, by year, with ``ratio`` = inference / training."""
    df = _param_table(cat, "market", ["inference_share", "year"]).sort_values("year", kind="stable").reset_index(drop=True)
    df["year"] = df["year"].astype(int)
    df["ratio"] = df["inference_share"] / (1.0 - df["inference_share"])
    return df


def roadmap(cat: Catalog) -> pd.DataFrame:
    """TSMC's packaging roadmap: integrated silicon per module in reticle fields, by year (``reticles``)."""
    df = _param_table(cat, "roadmap", ["reticles", "year"]).sort_values(["year", "reticles"], kind="stable").reset_index(drop=True)
    df["year"] = df["year"].astype(int)
    df["reticle_mm2"] = cat.value("reticle_field", "die_area_mm2")
    df["silicon_mm2"] = df["reticles"] * df["reticle_mm2"]
    df["wafer_fraction"] = df["silicon_mm2"] / cat.value("wse3", "die_area_mm2")
    return df


def company_table(cat: Catalog) -> pd.DataFrame:
    """Cerebras' filing figures: revenue, top-customer share, raises and IPO (kind ``company``)."""
    return _param_table(cat, "company", ["year", "revenue_usd", "customer_share", "raised_usd", "valuation_usd",
                                         "price_per_share_usd"])
