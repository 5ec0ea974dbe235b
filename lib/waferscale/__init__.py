"""waferscale: the models behind the book *Wafer-scale vs scale-out: the numbers*.

One module per concept; notebooks call these, and hold no hardware number of their own.

* :mod:`waferscale.catalog` — sourced facts (CSV + one BibTeX file), validated, units converted once.
* :mod:`waferscale.claims` — the article's claims, each with a computed verdict.
* :mod:`waferscale.charts` — the book's altair theme and offline, deterministic renderer.
* :mod:`waferscale.cli` — ``python -m waferscale`` for what-ifs.
"""

from .catalog import GRADES, Catalog, CatalogError, Fact, load
from .claims import CHAPTERS, CLAIMS, Claim, Status, Verdict, ledger
from .units import UnitError, to_canonical

__version__ = "0.1.0"

__all__ = [
    "GRADES",
    "Catalog",
    "CatalogError",
    "Fact",
    "load",
    "CHAPTERS",
    "CLAIMS",
    "Claim",
    "Status",
    "Verdict",
    "ledger",
    "UnitError",
    "to_canonical",
]
