"""waferscale: the models behind the book *Wafer-scale vs scale-out: the numbers*.

One module per concept; notebooks call these, and hold no hardware number of their own.

* :mod:`waferscale.data.catalog` — sourced facts (CSV + one BibTeX file), validated, units converted once.
* :mod:`waferscale.claims` — the article's claims, each with a computed verdict.
* :mod:`waferscale.book.charts` — the book's altair theme and offline, deterministic renderer.
* :mod:`waferscale.cli` — ``python -m waferscale`` for what-ifs.
* :mod:`waferscale.models.interconnect` — link tiers from the catalog; point-to-point α–β time and energy.
* :mod:`waferscale.models.collectives` — α–β collectives, the all-reduce calibration, one decode step's communication.
* :mod:`waferscale.models.scaling` — bandwidth and energy per chip as a system grows (GPUs + IB/CPO vs wafers).
* :mod:`waferscale.models.training` — time and link energy of one training step on GPU clusters and wafers.
* :mod:`waferscale.book.appendix` — the book's data appendix: every catalog table as HTML, with a grade filter.

The catalog folder is the package's ``data/`` unless ``$WAFERSCALE_DATA`` names a copy (:func:`waferscale.data.catalog.data_dir`).
"""

from .data.catalog import GRADES, Catalog, CatalogError, Fact, load
from . import fit as _fit  # noqa: F401  (installs the calibrated default parameters of the decode model)
from .claims import CHAPTERS, CLAIMS, Claim, Status, Verdict, ledger
from .core.units import UnitError, to_canonical
from .models.interconnect import Tier, p2p_energy_j, p2p_time_s, tier
from .models.collectives import Result, calibrate, decode_step, hierarchical_all_reduce, mesh_all_reduce, ring_all_reduce
from .models.training import train_step, training_curve

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
    "Tier",
    "tier",
    "p2p_time_s",
    "p2p_energy_j",
    "Result",
    "ring_all_reduce",
    "hierarchical_all_reduce",
    "mesh_all_reduce",
    "calibrate",
    "decode_step",
    "train_step",
    "training_curve",
]
