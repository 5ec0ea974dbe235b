"""Uncertainty of the serving model: seeded samples of its uncertain inputs, each refitted and weighted.

What is uncertain (:func:`inputs`):

* the *assumed* constants of :class:`~waferscale.models.serving.ServeParams` over their stated ranges
  (``ServeParams.RANGES``: GEMM half-efficiency size, per-collective software latency, memory reserve, the
  wafer's MAC efficiency and usable SRAM, engine batch limits, idle power share);
* the catalog facts with a published range that the serving model reads (:data:`FACTS`): the per-step link
  latency of NVLink and InfiniBand (hundreds of ns to µs, one hop of a collective), the per-collective latency
  (launch and synchronisation, µs, paid once per call), the wafer's dense peak, its mesh hop latency and link
  bandwidth, the CS-3's off-wafer latency, the B200's HBM bandwidth and dense peak.

Each input is drawn uniformly (log-uniformly for a range wider than 3x) between its ends, seeded, in a Latin
hypercube (every input's range is covered evenly by the samples). For each sample the fitted constants are
**refitted** to the same rows the nominal fit uses, with that sample's inputs (:func:`refit`: the four GPU
constants by a warm-started pattern search on the GPU calibration rows; the wafer constant on the wafer rows
except :data:`LEAVE_OUT`, the rows whose claims the samples judge). A sample is then **weighted** by how well
it still reproduces those rows: with ``e`` the log errors and σ² the nominal fit's mean squared log error on
each side (GPU, wafer),

.. math:: w = \\exp\\Big(-\\tfrac12 \\sum_\\text{rows} \\frac{e_\\text{sample}^2 - e_\\text{nominal}^2}{\\sigma^2}\\Big)

(a Gaussian likelihood in log space with the nominal scatter as its noise), normalised; a sample with
``w < 10⁻³`` of the best is rejected (weight 0). The effective sample size ``(Σw)² / Σw²`` says how many
samples the weighted results rest on.

Samples are expensive (a refit is ~35 serving-model evaluations of ~27 rows), so ``python -m
waferscale.fit.serveunc --write`` computes them once (two processes; a few minutes to half an hour) into
``serve_uncertainty.json``, stamped like the fit (:func:`waferscale.fit.servefit._catalog_stamp` plus the
sampled ranges). :func:`stored` returns the committed samples when the stamp matches, else a small fresh sample
(:data:`FALLBACK_N`) labelled as such.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..data.catalog import Catalog
from ..models.serving import Hardware, ServeParams, hardware, hardware_ids
from . import servefit as sf

__all__ = ["Input", "FACTS", "LEAVE_OUT", "N_SAMPLES", "inputs", "draw", "hw_of", "refit", "compute", "stored",
           "samples_params"]

#: Catalog facts with a range that the serving model reads (``entity.field``), sampled continuously.
FACTS = ("nvlink4.latency_s", "nvlink5.latency_s", "ib_ndr.latency_s", "ib_xdr.latency_s",
         "nvlink4.collective_latency_s", "nvlink5.collective_latency_s", "wse3.fp16_dense_flop_per_s",
         "wse3_fabric.latency_s", "wse3_fabric.port_bytes_per_s_per_dir", "cs_ethernet_io.latency_s",
         "b200.hbm_bytes_per_s", "b200.bf16_dense_flop_per_s")
#: Wafer rows left out of every sample's wafer fit: the measured rows of the claims the samples judge (C01, C02).
LEAVE_OUT = ("cer_llama31_8b_2024", "cer_maverick_2025")
N_SAMPLES = 200
FALLBACK_N = 8
SEED = 20261202
UNC_FILE = Path(__file__).with_name("serve_uncertainty.json")


@dataclass(frozen=True)
class Input:
    """One uncertain input: ``name`` (a ServeParams field, or a catalog ``entity.field``), its ends and nominal
    value, ``log`` when drawn log-uniformly, and ``kind`` (``assumed`` or ``catalog``)."""

    name: str
    kind: str
    low: float
    high: float
    nominal: float
    log: bool


def inputs(cat: Catalog) -> list[Input]:
    """The uncertain inputs and their ranges (assumed constants first, then catalog facts in :data:`FACTS`)."""
    base = ServeParams()
    out = [Input(k, "assumed", lo, hi, float(getattr(base, k)), hi / lo > 3) for k, (lo, hi) in ServeParams.RANGES.items()]
    for f in FACTS:
        ent, field = f.split(".", 1)
        if not cat.has(ent, field):
            continue
        fa = cat.fact(ent, field)
        lo, hi = fa.range
        if lo is None or hi is None or not hi > lo:
            continue
        out.append(Input(f, "catalog", float(lo), float(hi), float(fa.value), hi / lo > 3))
    return out


def draw(cat: Catalog, n: int = N_SAMPLES, seed: int = SEED) -> list[dict[str, float]]:
    """``n`` seeded Latin-hypercube draws of every input of :func:`inputs` (name -> value)."""
    ins = inputs(cat)
    rng = np.random.default_rng(seed)
    u = (np.argsort(rng.random((len(ins), n)), axis=1, kind="stable") + rng.random((len(ins), n))) / n   # one per stratum
    out = []
    for j in range(n):
        d = {}
        for i, x in enumerate(ins):
            t = float(u[i, j])
            v = math.exp(math.log(x.low) + t * (math.log(x.high) - math.log(x.low))) if x.log else x.low + t * (x.high - x.low)
            d[x.name] = float(f"{v:.6g}")
        out.append(d)
    return out


def _interp(a: float, b: float, t: float, log: bool) -> float:
    if a == b:
        return a
    if log and a > 0 and b > 0:
        return math.exp(math.log(a) + t * (math.log(b) - math.log(a)))
    return a + t * (b - a)


def hw_of(cat: Catalog, values: dict[str, float]):
    """A ``system id -> Hardware`` function with the catalog facts of ``values`` set: each fact moves every
    field it feeds (per chip, in every system) to the same position between the records built from its low and
    its high end."""
    ins = {x.name: x for x in inputs(cat) if x.kind == "catalog"}
    cache: dict[str, Hardware] = {}

    def get(sid: str) -> Hardware:
        if sid not in cache:
            hw = hardware(cat, sid)
            for name, v in values.items():
                x = ins.get(name)
                if x is None:
                    continue
                t = (math.log(v / x.low) / math.log(x.high / x.low)) if x.log else (v - x.low) / (x.high - x.low)
                lo, hi = hardware(cat, sid, {name: "low"}), hardware(cat, sid, {name: "high"})
                kw = {f: _interp(getattr(lo, f), getattr(hi, f), t, x.log) for f in hw.__dataclass_fields__
                      if isinstance(getattr(lo, f), float) and getattr(lo, f) != getattr(hi, f)}
                if lo.flop_per_s != hi.flop_per_s:
                    kw["flop_per_s"] = tuple((p, _interp(a, b, t, x.log)) for (p, a), (_, b) in zip(lo.flop_per_s, hi.flop_per_s))
                hw = hw.with_(**kw)
            cache[sid] = hw
        return cache[sid]

    return get


def _sides(cat: Catalog):
    rs = sf.rows(cat)
    gpu = [r for r in rs if r.role == "calibration"]
    waf = [r for r in rs if r.role == "wafer" and r.id not in LEAVE_OUT]
    return gpu, waf


def refit(cat: Catalog, values: dict[str, float], nominal: ServeParams) -> dict:
    """One sample: refit the GPU constants (warm start at ``nominal``) and the wafer constant (all wafer rows but
    :data:`LEAVE_OUT`) with ``values``; return the fitted constants and both sides' log errors."""
    hw = hw_of(cat, values)
    assumed = {k: v for k, v in values.items() if k in ServeParams.RANGES}
    base = nominal.with_(**assumed)
    gpu_rows, waf_rows = _sides(cat)
    g = sf.calibrate_gpu(cat, base, hw_of=hw, step=0.15, tol=0.04)     # steps of 16 % and 8 % from the nominal fit
    c = nominal.wafer_gemv_s
    w = sf.fit_wafer(cat, g, exclude=LEAVE_OUT, hw_of=hw, bracket=(c / 30, c * 30), iters=12)   # c to ±2 %
    return {"params": {k: getattr(w, k) for k in ServeParams.GPU_FITTED + ServeParams.WAFER_FITTED},
            "e_gpu": [float(f"{x:.6g}") for x in sf.log_errors(cat, gpu_rows, w, hw)],
            "e_wafer": [float(f"{x:.6g}") for x in sf.log_errors(cat, waf_rows, w, hw)]}


def _nominal(cat: Catalog) -> ServeParams:
    """The nominal fit with the wafer constant fitted without :data:`LEAVE_OUT` (as every sample's is)."""
    base = sf.fitted(cat)
    return sf.fit_wafer(cat, base, exclude=LEAVE_OUT)


def _weights(e0_gpu, e0_waf, samples) -> list[float]:
    def ll(e, e0):
        e = np.where(np.isfinite(e), e, 5.0)
        s2 = max(float(np.mean(np.square(e0))), 1e-6)
        return -0.5 * float(np.sum(np.square(e) - np.square(e0))) / s2
    lls = np.array([ll(np.array(s["e_gpu"]), e0_gpu) + ll(np.array(s["e_wafer"]), e0_waf) for s in samples])
    w = np.exp(lls - lls.max())
    w[w < 1e-3] = 0.0
    return [float(f"{x:.6g}") for x in w / w.sum()]


def _stamp(cat: Catalog) -> str:
    import hashlib
    ins = repr([(x.name, x.low, x.high, x.nominal) for x in inputs(cat)])
    return hashlib.sha256((sf._catalog_stamp(cat) + ins + repr(LEAVE_OUT)).encode()).hexdigest()[:16]


def _one(args):
    root, values, nominal = args
    from ..data.catalog import load
    return refit(load(Path(root)), values, ServeParams().with_(**nominal))


def compute(cat: Catalog, n: int = N_SAMPLES, seed: int = SEED, workers: int = 1) -> dict:
    """Draw ``n`` samples, refit and weight each (``workers`` processes); the JSON-ready result."""
    nominal = _nominal(cat)
    gpu_rows, waf_rows = _sides(cat)
    e0_gpu = np.array(sf.log_errors(cat, gpu_rows, nominal))
    e0_waf = np.array(sf.log_errors(cat, waf_rows, nominal))
    values = draw(cat, n, seed)
    nom = {k: getattr(nominal, k) for k in nominal.__dataclass_fields__}
    jobs = [(str(cat.root), v, nom) for v in values]
    if workers > 1:
        import multiprocessing as mp
        import sys
        fits = []
        with mp.get_context("fork").Pool(workers) as pool:
            for i, f in enumerate(pool.imap(_one, jobs, chunksize=1)):
                fits.append(f)
                print(f"sample {i + 1}/{n}", file=sys.stderr, flush=True)
    else:
        fits = [refit(cat, v, nominal) for v in values]
    samples = [{"values": v, **f} for v, f in zip(values, fits)]
    for s, w in zip(samples, _weights(e0_gpu, e0_waf, samples)):
        s["weight"] = w
    return {"catalog": _stamp(cat), "n": n, "seed": seed, "leave_out": list(LEAVE_OUT),
            "nominal": {k: getattr(nominal, k) for k in ServeParams.GPU_FITTED + ServeParams.WAFER_FITTED},
            "rows_gpu": [r.id for r in gpu_rows], "rows_wafer": [r.id for r in waf_rows], "samples": samples}


@lru_cache(maxsize=2)
def _stored(root: str, stamp: str) -> dict:
    d = sf.committed(UNC_FILE, stamp)
    if d is not None:
        return d
    from ..data.catalog import load
    d = compute(load(Path(root)), n=FALLBACK_N)
    d["note"] = (f"the catalog changed since serve_uncertainty.json was written: {FALLBACK_N} samples computed "
                 "now (run python -m waferscale.fit.serveunc --write for the full sample)")
    return d


def stored(cat: Catalog) -> dict:
    """The committed samples when made from this catalog, else a small fresh sample (with a ``note``)."""
    return _stored(str(cat.root), _stamp(cat))


def samples_params(cat: Catalog) -> list[tuple[ServeParams, object, float, dict]]:
    """Per sample with a weight above 0: (its ServeParams, its ``system id -> Hardware``, its weight, its values)."""
    d = stored(cat)
    out = []
    for s in d["samples"]:
        if s["weight"] <= 0:
            continue
        assumed = {k: v for k, v in s["values"].items() if k in ServeParams.RANGES}
        prm = ServeParams().with_(**assumed, **s["params"])
        out.append((prm, hw_of(cat, s["values"]), s["weight"], s["values"]))
    return out


if __name__ == "__main__":
    import sys
    import time
    from ..data.catalog import load

    n = int(sys.argv[sys.argv.index("--n") + 1]) if "--n" in sys.argv else N_SAMPLES
    t0 = time.perf_counter()
    d = compute(load(), n=n, workers=2)
    w = np.array([s["weight"] for s in d["samples"]])
    print(f"{n} samples in {time.perf_counter() - t0:.0f} s; kept {int((w > 0).sum())}, effective sample size "
          f"{w.sum() ** 2 / np.square(w).sum():.1f}")
    if "--write" in sys.argv:
        UNC_FILE.write_text(json.dumps(d, indent=1, sort_keys=True) + "\n")
