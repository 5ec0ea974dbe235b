"""waferscale: the models behind the book *Wafer-scale vs scale-out: the numbers*.

Layers, each a subpackage, importing downwards only (``lib/waferscale/ARCHITECTURE.md``; ``tests/test_layers.py``):

* :mod:`waferscale.cli` — ``python -m waferscale`` for what-ifs.
* :mod:`waferscale.book` — chart theme and renderer, one figures module per chapter, data appendix, Sphinx glue, lint.
* :mod:`waferscale.claims` — the article's claims, one module of verdicts per chapter, and the ledger.
* :mod:`waferscale.fit` — calibrations (the serving model, all-reduce η), validation tables, uncertainty.
* :mod:`waferscale.models` — yields, redundancy, interconnect, collectives, scaling, workloads, serving, training,
  physics, economics, amdchiplets, tokencost, market, decode_comm, packaging, suitability features, steptime,
  suittables. Cost functions take frozen records; each record has a resolver that reads it from the catalog once.
* :mod:`waferscale.data` — the sourced catalog (CSV + one BibTeX file): schema, loader, :class:`Catalog`.
* :mod:`waferscale.core` — units, argument checks, the digits rule.

Cost functions take records; resolve them from catalog ids first:

>>> import waferscale as ws
>>> cat = ws.load()
>>> step = ws.train_step(ws.cluster(cat, ws.h100_ib()), ws.model(cat, "llama3_1_70b"), 1024, tokens_per_step=4 * 2**20)
>>> (step.tp, step.pp, step.dp)
(8, 1, 128)
>>> round(ws.collective(ws.tier(cat, "nvlink4"), "all_reduce", 8, 1e9).time_s * 1e3, 2)  # ms
3.9

The catalog folder is the package's ``data/`` unless ``$WAFERSCALE_DATA`` names a copy (:func:`waferscale.data.catalog.data_dir`).
"""

from importlib import import_module
from typing import TYPE_CHECKING

#: The curated public API: name -> the module that defines it. Imported on first use (PEP 562), so that
#: ``python -m waferscale`` answers a bad option before pandas and the models are loaded.
_API: dict[str, str] = {
    **dict.fromkeys(("GRADES", "Catalog", "CatalogError", "Fact", "load"), ".data.catalog"),
    **dict.fromkeys(("CHAPTERS", "CLAIMS", "Claim", "Status", "Verdict", "ledger"), ".claims"),
    **dict.fromkeys(("UnitError", "to_canonical"), ".core.units"),
    **dict.fromkeys(("Tier", "tier", "fat_tree", "p2p_time_s", "p2p_energy_j"), ".models.interconnect"),
    "calibrate": ".fit.allreduce",
    **dict.fromkeys(("Result", "collective", "ring_all_reduce", "hierarchical_all_reduce", "mesh_all_reduce"),
                    ".models.collectives"),
    **dict.fromkeys(("decode_step", "gpu_node", "wafer_pipeline"), ".models.decode_comm"),
    **dict.fromkeys(("Build", "h100_ib", "gb200_xdr", "gb200_cpo", "cs3_ethernet", "Cluster", "cluster", "scale"),
                    ".models.scaling"),
    **dict.fromkeys(("Transformer", "model"), ".models.workloads"),
    **dict.fromkeys(("train_step", "training_curve"), ".models.training"),
}


def __getattr__(name: str):
    if name in _API:
        value = getattr(import_module(_API[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'waferscale' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from .claims import CHAPTERS, CLAIMS, Claim, Status, Verdict, ledger  # noqa: F401
    from .core.units import UnitError, to_canonical  # noqa: F401
    from .data.catalog import GRADES, Catalog, CatalogError, Fact, load  # noqa: F401
    from .fit.allreduce import calibrate  # noqa: F401
    from .models.collectives import Result, collective, hierarchical_all_reduce, mesh_all_reduce, ring_all_reduce  # noqa: F401
    from .models.decode_comm import decode_step, gpu_node, wafer_pipeline  # noqa: F401
    from .models.scaling import Build, Cluster, cluster, cs3_ethernet, gb200_cpo, gb200_xdr, h100_ib, scale  # noqa: F401
    from .models.workloads import Transformer, model  # noqa: F401
    from .models.interconnect import Tier, fat_tree, p2p_energy_j, p2p_time_s, tier  # noqa: F401
    from .models.training import train_step, training_curve  # noqa: F401

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
    "fat_tree",
    "p2p_time_s",
    "p2p_energy_j",
    "Result",
    "collective",
    "ring_all_reduce",
    "hierarchical_all_reduce",
    "mesh_all_reduce",
    "calibrate",
    "decode_step",
    "gpu_node",
    "wafer_pipeline",
    "Build",
    "h100_ib",
    "gb200_xdr",
    "gb200_cpo",
    "cs3_ethernet",
    "Cluster",
    "cluster",
    "scale",
    "Transformer",
    "model",
    "train_step",
    "training_curve",
]
