"""Claims layer: the article's claims, one module of verdicts per chapter, and the ledger.

Imports :mod:`waferscale.fit`, :mod:`waferscale.models`, :mod:`waferscale.data`, :mod:`waferscale.core`.
"""

from .registry import CHAPTERS, CLAIMS, Claim, Status, Verdict, claim, evaluate, ledger, ledger_html, summary

__all__ = ["Status", "Verdict", "Claim", "CHAPTERS", "CLAIMS", "ledger", "evaluate", "claim", "ledger_html", "summary"]
