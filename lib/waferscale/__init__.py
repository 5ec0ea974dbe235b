"""waferscale: the models behind the book *Wafer-scale vs scale-out: the numbers*.

Layers, each a subpackage, importing downwards only (``lib/waferscale/ARCHITECTURE.md``; ``tests/test_layers.py``):

* :mod:`waferscale.cli` — ``python -m waferscale`` for what-ifs.
* :mod:`waferscale.book` — chart theme and renderer, one figures module per chapter, data appendix, Sphinx glue, lint.
* :mod:`waferscale.claims` — the article's claims, one module of verdicts per chapter, and the ledger.
* :mod:`waferscale.fit` — calibrations (decode parameters, all-reduce η), validation tables, uncertainty.
* :mod:`waferscale.models` — yields, redundancy, interconnect, collectives, scaling, workloads, decode, energy, training,
  physics, economics, tokencost, market, decode_comm, packaging, suitability features, steptime.
* :mod:`waferscale.data` — the sourced catalog (CSV + one BibTeX file): schema, loader, :class:`Catalog`.
* :mod:`waferscale.core` — units, argument checks, the digits rule.

The catalog folder is the package's ``data/`` unless ``$WAFERSCALE_DATA`` names a copy (:func:`waferscale.data.catalog.data_dir`).
"""

from .data.catalog import GRADES, Catalog, CatalogError, Fact, load
from . import fit as _fit  # noqa: F401  (installs the calibrated default parameters of the decode model)
from .claims import CHAPTERS, CLAIMS, Claim, Status, Verdict, ledger
from .core.units import UnitError, to_canonical
from .models.interconnect import Tier, p2p_energy_j, p2p_time_s, tier
from .fit.allreduce import calibrate
from .models.collectives import Result, hierarchical_all_reduce, mesh_all_reduce, ring_all_reduce
from .models.decode_comm import decode_step
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
