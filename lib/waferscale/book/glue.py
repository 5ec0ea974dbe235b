"""The book's ``glue``: myst-nb's, with every float cut to the digits any CPU reproduces.

Notebooks write ``from waferscale.book.glue import glue`` instead of importing myst-nb's directly, so
that a glued number is stored with :data:`waferscale.core.digits.SIG_DIGITS` significant digits (the
prose formats it further with ``{glue:text}`name:.1f```). See :mod:`waferscale.core.digits` for why.

Examples
--------
>>> from waferscale.core.digits import round_floats
>>> round_floats(8.215383501464252)   # what glue("c01", 8.215383501464252) stores
8.21538
"""

from __future__ import annotations

from typing import Any

from ..core.digits import round_floats

__all__ = ["glue", "glue_claim", "claim_key", "CLAIM_PARTS"]


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Store ``variable`` (floats rounded by :func:`waferscale.core.digits.round_floats`) under ``name``
    for ``{glue:text}`` and friends; ``display`` as in :func:`myst_nb.glue`."""
    from myst_nb import glue as _glue

    _glue(name, round_floats(variable), display=display)


#: The parts of a claim's verdict :func:`glue_claim` stores, each under ``claim_<ID>_<part>``.
CLAIM_PARTS = ("figure", "text", "label", "unit", "status", "sentence", "scenario", "detail")


def claim_key(claim_id: str, part: str) -> str:
    """The standard glue key of one part of a claim's verdict, e.g. ``claim_C12_figure``.

    >>> claim_key("C12", "text")
    'claim_C12_text'
    """
    if part not in CLAIM_PARTS:
        raise ValueError(f"part={part!r} is not allowed; allowed: {', '.join(CLAIM_PARTS)}")
    return f"claim_{claim_id}_{part}"


def glue_claim(claim_id: str, cat: Any = None, verdict: Any = None) -> Any:
    """Glue one claim's verdict under the standard keys (:func:`claim_key`) and return the verdict.

    The verdict is the ledger's (:func:`waferscale.claims.evaluate` on ``cat``) unless ``verdict`` is given
    (it must then be that evaluation, for a page that already holds it). Prose then quotes
    ``{glue:text}`claim_C12_text``` (figure with unit), ``claim_C12_label``, ``claim_C12_sentence`` and so on,
    and ``tests/test_claim_pages.py`` checks every page's stored figure against the ledger's.
    """
    from .. import claims

    v = claims.evaluate(claim_id, cat) if verdict is None else verdict
    if not isinstance(v, claims.Verdict):
        raise ValueError(f"verdict={v!r} is not allowed; allowed: a waferscale.claims.Verdict")
    parts = {"figure": None if v.figure is None else float(v.figure), "text": v.figure_text, "label": v.label,
             "unit": v.unit, "status": v.status.value, "sentence": v.sentence, "scenario": v.scenario,
             "detail": v.detail}
    from IPython.display import Markdown

    for part, value in parts.items():
        # the sentence is prose: pasted as Markdown ({glue:md}), so it reads as text, not as a bold number
        glue(claim_key(claim_id, part), Markdown(value) if part == "sentence" else value, display=False)
    return v
