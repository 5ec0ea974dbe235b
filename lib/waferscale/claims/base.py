"""The claims layer's base: the verdict types (:class:`Status`, :class:`Verdict`, :class:`Claim`), the
chapters, and the helpers verdict functions share. Every chapter module imports this one, never the ledger."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable

from ..data.catalog import Catalog

__all__ = ["Status", "Verdict", "Claim", "CHAPTERS", "CLAIMED"]


class Status(str, enum.Enum):
    """The four verdicts a claim can get."""

    HOLDS = "holds"
    HOLDS_IF = "holds only if"
    FAILS = "does not hold"
    PENDING = "not yet modelled"


@dataclass(frozen=True)
class Verdict:
    """A computed verdict: status, the figure behind it (with unit), and a one-line reason.

    ``basis`` says where the figure comes from: ``model`` (a chapter's model), ``catalog data``
    (arithmetic on sourced catalog rows, no model yet) or ``none`` (not yet modelled).
    """

    status: Status
    figure: float | None
    unit: str
    detail: str
    basis: str = "catalog data"
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claim:
    """One claim of the article: what it says, where the book tests it, and how."""

    id: str
    section: str
    quote: str
    paraphrase: str
    chapter: str
    kind: str  # "quantitative" or "qualitative"
    verdict: Callable[[Catalog], Verdict]
    claimed: float | None = None
    claimed_unit: str = ""


#: Chapter docnames (files in chapters/) and titles, in book order.
CHAPTERS: dict[str, str] = {
    "intro": "Introduction and claims ledger",
    "communication": "Eliminate or optimise communication",
    "yield_history": "Yield: why wafer-scale failed, and why it works now",
    "performance": "Performance: single-point limit vs system scaling",
    "suitability": "Which workloads suit a wafer",
    "outlook": "Industry outlook",
    "lasting_idea": "The lasting idea: fault tolerance beyond the wafer",
}


def _pending(what: str) -> Callable[[Catalog], Verdict]:
    """Verdict function for a claim whose chapter has not yet built its model."""

    def fn(_: Catalog) -> Verdict:
        return Verdict(Status.PENDING, None, "", f"To be computed: {what}", basis="none")

    fn.__doc__ = f"Not yet modelled: {what}"
    return fn


def _missing(cat: Catalog, needs: list[tuple[str, str]]) -> Verdict | None:
    gaps = [f"{e}.{f}" for e, f in needs if not cat.has(e, f)]
    if gaps:
        return Verdict(Status.PENDING, None, "", f"catalog lacks {', '.join(gaps)}", basis="none")
    return None


def _srcs(cat: Catalog, needs: list[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(cat.fact(e, f).source for e, f in needs))


#: The article's own numbers, (value, unit) per claim id: stored once, put on the Claim by the registry and read
#: by the verdicts to compare with; they never enter the computation of a figure.
CLAIMED: dict[str, tuple[float, str]] = {"C01": (20.0, "x"), "C02": (2.4, "x")}
