"""Trace one claim's verdict through the package (``sys.setprofile``): the modules it enters, calls that climb to a
higher layer, and the models functions that are handed the catalog. Used by ``tests/test_records.py`` (every verdict,
no climb, the catalog only in declared readers) and ``benchmarks/call_path.py`` (prints one claim's path)."""

from __future__ import annotations

import collections
import sys
from pathlib import Path

import waferscale as ws
from waferscale.data.catalog import Catalog

LAYERS = ("core", "data", "models", "fit", "claims", "book", "cli")
LIB = str(Path(ws.__file__).resolve().parent)


def module(frame) -> str | None:
    """``models.serving.gpu`` for a frame in lib/waferscale/models/serving/gpu.py; None outside the package."""
    f = frame.f_code.co_filename
    if not f.startswith(LIB):
        return None
    rel = Path(f).relative_to(LIB).with_suffix("")
    return ".".join(p for p in rel.parts if p != "__init__")


def layer(mod: str) -> int:
    top = mod.split(".")[0]
    return LAYERS.index(top) if top in LAYERS else len(LAYERS)


def _holds_catalog(values) -> bool:
    """A Catalog among ``values``, or one level down in a dict, list or tuple among them (``**kw``, ``*args``)."""
    for v in values:
        if isinstance(v, Catalog):
            return True
        inner = v.values() if isinstance(v, dict) else v if isinstance(v, (list, tuple)) else ()
        if any(isinstance(x, Catalog) for x in inner):
            return True
    return False


def cold() -> None:
    """Forget every record already resolved, so that a trace sees every reader a verdict needs, whatever ran before
    it in this process: a fresh catalog object (its :attr:`~waferscale.data.catalog.Catalog.records` start empty) and
    the serving fit read again."""
    from waferscale.data import catalog
    from waferscale.fit import servefit

    catalog._load_cached.cache_clear()
    servefit._stored.cache_clear()


def trace(verdict_fn, cat: Catalog) -> dict:
    """Run ``verdict_fn(cat)`` under a profiler. Returns the verdict, ``entries`` (the module of every call made from
    another module, in order), ``climbs`` (calls into a higher layer) and ``catalog`` (a Counter of the models
    functions whose frame holds a Catalog, directly or one level down in a dict, list or tuple; closures counted under
    the function that defines them). Limits: a catalog inside a record's attribute or deeper in a container, and work
    in other threads, are not seen."""
    entries: list[str] = []
    climbs: list[str] = []
    catalog_calls: collections.Counter = collections.Counter()

    def prof(frame, event, arg):
        if event != "call":
            return
        callee = module(frame)
        if callee is None:
            return
        caller = module(frame.f_back) if frame.f_back is not None else None
        if caller != callee:
            entries.append(callee)
            if caller is not None and layer(callee) > layer(caller):
                climbs.append(f"{caller} -> {callee}.{frame.f_code.co_name}")
        if callee.startswith("models") and _holds_catalog(frame.f_locals.values()):
            # a closure inside a reader (tier's pick, hardware's g) belongs to that reader
            catalog_calls[f"{callee.removeprefix('models.')}.{frame.f_code.co_qualname.split('.')[0]}"] += 1

    old = sys.getprofile()
    sys.setprofile(prof)
    try:
        verdict = verdict_fn(cat)
    finally:
        sys.setprofile(old)
    return {"verdict": verdict, "entries": entries, "climbs": climbs, "catalog": catalog_calls}
