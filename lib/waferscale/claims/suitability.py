"""Verdicts of the suitability chapter (C09, C17-C20): the three features of :mod:`waferscale.models.suitability`
against the article's classes.

Each verdict is a pure function of the catalog; :mod:`waferscale.claims.registry` lists the claims
and names each one's verdict function.
"""

from __future__ import annotations

import pandas as pd

from ..data.catalog import Catalog
from ..fit import servefit as ff
from ..models.suittables import features
from .base import Status, Verdict, format_quantity

__all__ = ["verdict_c09", "verdict_c17", "verdict_c18", "verdict_c19", "verdict_c20"]


def _v(status_name: str, figure: float, unit: str, detail: str, df: pd.DataFrame, sentence: str = ""):
    srcs = tuple(dict.fromkeys(k for s in df["source"] for k in str(s).split(";")))
    return Verdict(getattr(Status, status_name), float(figure), unit, detail, basis="model", sources=srcs,
                   sentence=sentence)


def _names(rows) -> str:
    return ", ".join(r.name for r in rows.itertuples())


_Q = {"q1": "communication is a bottleneck", "q2": "it fits on few wafers", "q3": "its traffic is regular"}


def _group_verdict(cat: Catalog, article_class: str, claim_text: str):
    df = features(cat, params=ff.fitted(cat))
    grp = df[df["article"] == article_class]
    agree = grp[grp["derived"] == article_class]
    share = len(agree) / len(grp)
    verb = "derives" if len(agree) == 1 else "derive"
    said = f"{len(agree)} of the {len(grp)} workloads the article calls {article_class} suitable {verb} so from the three features"
    if share == 1.0:
        return _v("HOLDS", share, "", f"all {len(grp)} workloads the article calls {article_class} suitable "
                  f"derive as {article_class} from the three features", grp, sentence=(f"All {len(grp)} workloads the article calls {article_class} suitable derive so from the "
                                 "three features, as the claim says."))
    conds = []
    for r in grp[grp["derived"] != article_class].itertuples():
        failing = [_Q[q] for q in ("q1", "q2", "q3") if not getattr(r, q)]
        passing = [_Q[q] for q in ("q1", "q2", "q3") if getattr(r, q)]
        why = ("fails: " + ", ".join(failing)) if article_class == "highly" or r.derived == "not" else ("passes: " + ", ".join(passing))
        conds.append(f"{r.name} derives '{r.derived}' ({why}; speed-up {r.speedup:.2g}x)")
    status = "HOLDS_IF" if share >= 0.5 else "FAILS"
    lead = "holds only if " if status == "HOLDS_IF" else ""
    off = _names(grp[grp["derived"] != article_class])
    tail = (f"the claim holds only for those, not for {off}" if status == "HOLDS_IF"
            else f"the claim does not hold for {off}")
    return _v(status, share, "", f"{lead}{claim_text}: {len(agree)} of {len(grp)} agree; " + "; ".join(conds), grp,
              sentence=f"{said[0].upper()}{said[1:]} ({format_quantity(share, '')}): {tail}.")


def verdict_c09(cat: Catalog):
    """C09: AI workloads are communication-driven and regular: Q1 and Q3 for the LLM profiles."""
    df = features(cat, params=ff.fitted(cat))
    ai = df[df["id"].isin(["suit_dense_training", "suit_long_context", "suit_decode_low", "suit_decode_high", "suit_moe_inference"])]
    both = ai[ai["q1"] & ai["q3"]]
    share = len(both) / len(ai)
    median_c = float(ai["comm_share"].median())
    status = "HOLDS" if share == 1.0 else "HOLDS_IF" if share > 0 else "FAILS"
    not_ = ", ".join(f"{r.name} ({'Q1 ' if not r.q1 else ''}{'Q3' if not r.q3 else ''})".replace(" )", ")")
                     for r in ai[~(ai["q1"] & ai["q3"])].itertuples())
    detail = (f"{len(both)} of {len(ai)} AI workloads are both communication-bound on GPUs and regular on a mesh "
              f"(median communication share {median_c:.0%})" + (f"; holds only if the workload is not: {not_}" if not_ else ""))
    sentence = (f"{len(both)} of {len(ai)} AI workloads ({format_quantity(share, '')}) are both communication-bound on "
                f"GPUs and regular on a mesh" + (f"; the claim does not cover {_names(ai[~(ai['q1'] & ai['q3'])])}."
                                                if not_ else ", as the claim says."))
    return _v(status, share, "", detail, ai, sentence=sentence)


def verdict_c17(cat: Catalog):
    """C17: the three questions decide suitability: share of the article's classes the three features reproduce."""
    df = features(cat, params=ff.fitted(cat))
    named = df[df["agree"].notna()]
    share = float(named["agree"].astype(bool).mean())
    rho = float(df["passed"].rank().corr(df["speedup"].rank()))
    status = "HOLDS" if share >= 0.8 else "HOLDS_IF" if share >= 0.5 else "FAILS"
    off = "; ".join(f"{r.name}: article '{r.article}', derived '{r.derived}'" for r in named[~named["agree"].astype(bool)].itertuples())
    detail = (f"measured, the three questions reproduce the article's class for {int(named['agree'].sum())} of {len(named)} "
              f"workloads (rank correlation of questions passed with predicted speed-up {rho:.2f})"
              + ("" if not off else f"; holds only if the thresholds and deployments are as assumed; differs for {off}"))
    end = {"HOLDS": "so they decide suitability as the article says",
           "HOLDS_IF": "so they decide suitability only under the thresholds and deployments assumed",
           "FAILS": "too few for them to decide suitability on their own"}[status]
    sentence = (f"Measured, the three questions reproduce the article's class for {int(named['agree'].sum())} of "
                f"{len(named)} workloads it names ({format_quantity(share, '')}), {end}.")
    return _v(status, share, "", detail, df, sentence=sentence)


def verdict_c18(cat: Catalog):
    """C18: dense training, long context, PDE/CFD (and MD) derive as highly suitable."""
    return _group_verdict(cat, "highly", "these workloads are highly suitable")


def verdict_c19(cat: Catalog):
    """C19: low-concurrency inference and graph analytics derive as partially suitable."""
    return _group_verdict(cat, "partially", "these workloads are partially suitable")


def verdict_c20(cat: Catalog):
    """C20: CPU work, high-concurrency inference, edge and real-time derive as not suitable."""
    return _group_verdict(cat, "not", "these workloads are not suitable")

