"""How sure the C01 and C02 ratios are: their weighted bands and tornado over the serving model's refitted samples.

:mod:`waferscale.fit.serveunc` draws the uncertain inputs (assumed constants and ranged catalog facts), refits
the fitted constants for each sample and weights it by how well it still reproduces the calibration rows. Here
each kept sample evaluates the scenarios of :data:`RATIOS` (:func:`waferscale.claims.performance.point`, one
user, 1,000/1,000 tokens; the wafer constant fitted without the C01 and C02 rows). That evaluation takes a few
seconds per sample, so ``python -m waferscale.claims.uncertainty --write`` stores the ratios in
``serve_uncertainty_ratios.json`` under the samples' stamp; :func:`ratios` reads them back, or computes them
when the samples changed.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.catalog import Catalog
from .performance import SCENARIOS, point

__all__ = ["RATIOS", "ratios", "bands", "tornado", "wquantile"]

#: The ratios followed: name -> (numerator scenario, denominator scenario) of :data:`SCENARIOS`.
RATIOS = {"c01_ratio_best": ("c01_wafer", "c01_gpu_best"), "c02_ratio": ("c02_wafer", "c02_gpu"),
          "c02_ratio_spec": ("c02_wafer_spec", "c02_gpu")}
RATIOS_FILE = Path(__file__).with_name("serve_uncertainty_ratios.json")


def _stamp(cat: Catalog) -> str:
    import hashlib
    from ..fit import serveunc as su

    d = su.stored(cat)
    spec = repr([(k, SCENARIOS[a], SCENARIOS[b]) for k, (a, b) in RATIOS.items()])
    return hashlib.sha256((d["catalog"] + str(d["n"]) + spec).encode()).hexdigest()[:16]


def _evaluate(cat: Catalog, prm, hw, w: float, vals: dict) -> dict:
    need = {s for pair in RATIOS.values() for s in pair}
    speed = {k: point(cat, k, prm, hw).tokens_per_s_per_user for k in sorted(need)}
    return {"weight": w, "values": vals, **{name: float(f"{speed[a] / speed[b]:.6g}") for name, (a, b) in RATIOS.items()}}


def _one(i: int) -> dict:
    from ..data.catalog import load
    from ..fit import serveunc as su

    cat = load()
    return _evaluate(cat, *su.samples_params(cat)[i])


def compute(cat: Catalog, workers: int = 1) -> dict:
    """Evaluate :data:`RATIOS` on every kept sample (weight above 0), in ``workers`` processes."""
    from ..fit import serveunc as su

    kept = su.samples_params(cat)
    if workers > 1:
        import multiprocessing as mp
        with mp.get_context("fork").Pool(workers) as pool:
            out = pool.map(_one, range(len(kept)), chunksize=1)
    else:
        out = [_evaluate(cat, *k) for k in kept]
    return {"stamp": _stamp(cat), "samples": out}


@lru_cache(maxsize=2)
def _ratios(root: str, stamp: str) -> dict:
    from ..fit.servefit import committed

    d = committed(RATIOS_FILE, stamp, key="stamp")
    if d is not None:
        return d
    from ..data.catalog import load
    return compute(load(Path(root)))


def ratios(cat: Catalog) -> pd.DataFrame:
    """One row per kept sample: its weight, the ratios of :data:`RATIOS` and its input values (columns
    ``in:<name>``)."""
    d = _ratios(str(cat.root), _stamp(cat))
    return pd.DataFrame([{"weight": s["weight"], **{k: s[k] for k in RATIOS},
                          **{f"in:{k}": v for k, v in s["values"].items()}} for s in d["samples"]])


def wquantile(x, w, q: float) -> float:
    """Weighted quantile ``q`` of ``x`` (midpoint rule).

    >>> wquantile([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], 0.5)
    2.0
    >>> wquantile([1.0, 2.0, 3.0], [0.0, 0.0, 1.0], 0.5)
    3.0
    """
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    keep = w > 0
    x, w = x[keep], w[keep]
    o = np.argsort(x, kind="stable")
    x, w = x[o], w[o]
    c = (np.cumsum(w) - 0.5 * w) / np.sum(w)
    return float(np.interp(q, c, x))


def bands(cat: Catalog) -> dict:
    """Weighted 5th, 50th and 95th percentiles of each ratio, with the sample counts.

    ``{"bands": {ratio: (p5, p50, p95)}, "n" (drawn), "kept" (weight above 0), "ess" (effective sample size
    (Σw)²/Σw²), "note"}``.
    """
    from ..fit import serveunc as su

    t = ratios(cat)
    w = t["weight"].to_numpy()
    d = su.stored(cat)
    return {"bands": {k: tuple(float(f"{wquantile(t[k], w, q):.4g}") for q in (0.05, 0.5, 0.95)) for k in RATIOS},
            "n": int(d["n"]), "kept": int(len(t)), "ess": float(f"{w.sum() ** 2 / np.square(w).sum():.3g}"),
            "note": d.get("note", "")}


def tornado(cat: Catalog, ratio: str = "c02_ratio") -> pd.DataFrame:
    """Per uncertain input, the weighted median of ``ratio`` over the samples in the lowest and in the highest
    quarter of that input's range (the other inputs as they were drawn), largest swing first: which inputs move
    the ratio, and which way. Columns input, kind, low, high, at_low, at_high, swing.
    """
    from ..fit import serveunc as su

    if ratio not in RATIOS:
        raise ValueError(f"ratio={ratio!r} is not allowed; allowed: {', '.join(RATIOS)}")
    t = ratios(cat)
    x, w = t[ratio].to_numpy(), t["weight"].to_numpy()
    out = []
    for inp in su.inputs(cat):
        v = t[f"in:{inp.name}"].to_numpy()
        pos = np.log(v / inp.low) / math.log(inp.high / inp.low) if inp.log else (v - inp.low) / (inp.high - inp.low)
        lo, hi = pos <= 0.25, pos >= 0.75
        if w[lo].sum() <= 0 or w[hi].sum() <= 0:
            continue
        a, b = wquantile(x[lo], w[lo], 0.5), wquantile(x[hi], w[hi], 0.5)
        out.append({"input": inp.name, "kind": inp.kind, "low": inp.low, "high": inp.high,
                    "at_low": float(f"{a:.4g}"), "at_high": float(f"{b:.4g}"), "swing": float(f"{abs(b - a):.4g}")})
    return pd.DataFrame(out).sort_values(["swing", "input"], ascending=[False, True], kind="stable").reset_index(drop=True)


if __name__ == "__main__":
    import sys
    import time
    from ..data.catalog import load

    t0 = time.perf_counter()
    d = compute(load(), workers=2)
    print(f"{len(d['samples'])} samples evaluated in {time.perf_counter() - t0:.0f} s")
    if "--write" in sys.argv:
        RATIOS_FILE.write_text(json.dumps(d, indent=1, sort_keys=True) + "\n")
