"""The claims layer's base: the verdict types (:class:`Status`, :class:`Verdict`, :class:`Claim`), the
chapters, and the helpers verdict functions share. Every chapter module imports this one, never the ledger."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Callable

from ..core.digits import superscript
from ..data.catalog import Catalog

__all__ = ["Status", "Verdict", "Claim", "CHAPTERS", "CLAIMED", "PHRASE", "format_quantity", "pretty_exponents"]


class Status(str, enum.Enum):
    """The verdicts a claim can get: three for claims a model or catalog arithmetic decides, one for claims the
    historical record decides (no physical quantity tests them), and one for a claim the catalog cannot yet
    compute (a missing row)."""

    HOLDS = "holds"
    HOLDS_IF = "holds only if"
    FAILS = "does not hold"
    EVIDENCE = "historical evidence"
    PENDING = "not yet modelled"


#: Each status as a complete predicate for prose ("C12 holds", "C04 holds only under a condition").
PHRASE: dict[Status, str] = {
    Status.HOLDS: "holds",
    Status.HOLDS_IF: "holds only under a condition",
    Status.FAILS: "does not hold",
    Status.EVIDENCE: "is judged on the historical record",
    Status.PENDING: "cannot be computed from the catalog",
}

def _power_of_ten(x: float, digits: int = 2) -> str:
    """``x`` as ``m × 10ⁿ`` (``digits`` significant digits in m), e.g. 1.2 × 10¹⁷."""
    mant, exp = f"{x:.{digits - 1}e}".split("e")
    mant = mant.rstrip("0").rstrip(".") if "." in mant else mant
    return f"{mant} × 10{superscript(int(exp))}"


def format_quantity(value: float | None, unit: str) -> str:
    """A verdict's figure as a reader sees it, with its unit.

    ``unit`` ``"x"`` is a ratio, ``"%"`` a percentage, ``""`` a fraction in [0, 1] (shown as a percentage);
    any other unit is appended (``" wafers"``, ``" cycles"``). Three significant digits; ratios outside
    [0.001, 10⁴] and fractions below 0.001 in powers of ten (never ``1e+17``).

    Examples
    --------
    >>> format_quantity(17.244, "x"), format_quantity(1.02e17, "x"), format_quantity(0.8777, "")
    ('17.2x', '1 × 10¹⁷x', '87.8 %')
    >>> format_quantity(4.0, " of 5 reasons"), format_quantity(78.947, "%"), format_quantity(None, "x")
    ('4 of 5 reasons', '78.9 %', '')
    >>> format_quantity(9.4e-22, "")
    '9.4 × 10⁻²²'
    """
    if value is None or value != value:
        return ""
    v = float(value)
    if unit == "" and 0 < abs(v) < 1e-3:
        return _power_of_ten(v)
    if unit == "":
        v, unit = 100.0 * v, "%"
    if unit == "%":
        unit = " %"
    if v != 0 and not 1e-3 <= abs(v) < 1e4:
        return f"{_power_of_ten(v)}{unit}"
    text = f"{v:,.0f}" if v == int(v) or abs(v) >= 100 else f"{v:.3g}"
    return f"{text}{unit}"


_ENOTATION = re.compile(r"(?<![\w.])(\d(?:\.\d+)?)e([+-]?\d+)(?=x\b|\b)")


def pretty_exponents(text: str) -> str:
    """Rewrite Python's e-notation in prose (``1e+17x``, ``3e-18``) as powers of ten (``1 × 10¹⁷x``).

    >>> pretty_exponents("Poisson: 1e+17x, none: 3e-18")
    'Poisson: 1 × 10¹⁷x, none: 3 × 10⁻¹⁸'
    """
    def sub(m: re.Match) -> str:
        mant, exp = m.group(1), int(m.group(2))
        return f"{mant} × 10{superscript(exp)}"

    return _ENOTATION.sub(sub, text)


@dataclass(frozen=True)
class Verdict:
    """A computed verdict: status, the figure behind it, and a one-line reason.

    ``basis`` says where the figure comes from: ``model`` (a chapter's model), ``catalog data``
    (arithmetic on sourced catalog rows), ``historical record`` (dated events of the catalog) or ``none``
    (the catalog lacks a row the verdict needs).

    What a page shows, the same everywhere: ``figure`` in ``unit`` (see :func:`format_quantity`), what the
    figure is (``label``, e.g. "ratio CS-3 / best H100"), the conditions it is computed under (``scenario``:
    precision, users, chips, what is compared) and ``sentence``, one grammatical sentence for prose.
    :func:`waferscale.claims.registry.evaluate` fills ``label``, ``scenario`` and ``sentence`` from the
    claim's ledger row when a verdict function leaves them empty.
    """

    status: Status
    figure: float | None
    unit: str
    detail: str
    basis: str = "catalog data"
    sources: tuple[str, ...] = ()
    label: str = ""
    scenario: str = ""
    sentence: str = ""

    @property
    def figure_text(self) -> str:
        """The figure with its unit, as printed (:func:`format_quantity`)."""
        return format_quantity(self.figure, self.unit)


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
    #: what the verdict's figure is, e.g. "ratio CS-3 / best H100" (the ledger's label column)
    label: str = ""
    #: the one scenario the figure is computed under: precision, users, chips, what is compared
    scenario: str = ""


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
