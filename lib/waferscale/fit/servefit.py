"""Calibration and validation of the serving model: GPU constants on controlled rows, the wafer leave-one-out.

Which rows may be fitted is decided here, once, by a rule a reader can check:

* **GPU calibration**: maximum-throughput results whose engine, layout or chip count, precision and request
  lengths are stated: TensorRT-LLM's published throughput tables and MLPerf Inference *Offline* runs, marked
  ``calibration`` in ``measurements.csv``. They fit three constants (``ServeParams.GPU_FITTED``).
* **GPU validation**: every other GPU row (other lengths, the Server and Interactive scenarios with their speed
  floors, lone-user speeds of API endpoints, time to first token). Never fitted.
* **Wafer**: every dated CS-3 speed. The wafer has one constant (``wafer_gemv_s``); each row is predicted by a fit
  to *the other* wafer rows (leave-one-out), and a claim that uses a wafer row is judged with that row left out.

The request mix of a row comes from its conditions (``isl1000_osl1000``, ``batch=1``, MLPerf's dataset means);
what a row does not state (precision of an API endpoint, speculation on a later Cerebras speed, MLPerf
llama3.1-405b's mean prompt) is an explicit :data:`ASSUMED` entry, printed with the table.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.catalog import Catalog
from ..models import workloads as wl
from ..models.serving import Layout, OperatingPoint, ServeParams, hardware, serve
from ..models.serving import search

__all__ = ["Row", "rows", "predict", "calibrate_gpu", "fit_wafer", "fitted", "committed", "table", "summary", "ASSUMED",
           "MLPERF_MIX", "SERVER_FLOOR", "TARGETS"]

#: MLPerf request mixes (mean input, mean output tokens): llama2-70b from the OpenOrca subset (222.3 input;
#: the runs' samples/s give ~291 output); llama3.1-405b: output from the runs (~656), input *assumed* 9,400
#: (the long-context subsets; mean not found in a primary source).
MLPERF_MIX = {"llama2_70b": (222, 291), "llama3_1_405b": (9400, 656)}
#: MLPerf per-user floors, 1 / p99 TPOT limit (tokens/s per user), by (model, scenario).
SERVER_FLOOR = {("llama2_70b", "server"): 5.0, ("llama2_70b", "interactive"): 25.0,
                ("llama3_1_405b", "server"): 1 / 0.175, ("llama3_1_405b", "interactive"): 12.5}
#: What rows leave unstated, assumed here (row id -> conditions that override or complete the row's).
ASSUMED = {
    "h100_best_llama31_8b_2024": "precision=fp8", "h100_best_llama31_70b_2024": "precision=fp8",
    # Cerebras: 16-bit weights as launched; speculation from October 2024 on (its 70B went from 450 to 2,100
    # tokens/s with it), unstated after that: an EAGLE-style head where no draft model is named
    "cer_maverick_2025": "precision=bf16;spec=head", "cer_qwen3_235b_docs_2025": "precision=bf16;spec=head",
    "cer_qwen3_32b_docs_2025": "precision=bf16;spec=head", "cer_gptoss120b_docs_2026": "precision=bf16;spec=head",
    "cer_gptoss120b_aa_2026": "precision=bf16;spec=head", "cer_llama31_8b_docs_2026": "precision=bf16;spec=head",
    "cer_qwen3_235b_2507_docs_2026": "precision=bf16;spec=head", "cer_llama33_70b_aa_2025": "precision=bf16;spec=head",
    "cer_llama31_70b_specdec_2024": "precision=bf16;spec=head", "cer_llama31_405b_2024": "precision=bf16;spec=head",
}
#: Speculation where a row says it is used: EAGLE-3 (k = 3) with the catalog's measured acceptance length; on
#: the wafer a Llama 3.1 8B draft model where one is used (the 70B rows), else an EAGLE-style head, both at that
#: per-token acceptance (assumed).
SPEC_K = 3
QUANTITIES = ("output_tokens_per_s_total", "output_tokens_per_s_per_user")
#: Accuracy targets: median |error| per group (issue 15), printed by benchmarks/accuracy.py and the chapter.
TARGETS = {"GPU throughput (validation)": 0.15, "GPU per-user (validation)": 0.20, "wafer (leave-one-out)": 0.25}


@dataclass(frozen=True)
class Row:
    """One measured result as the serving model reads it."""

    id: str
    system: str
    model: str
    quantity: str
    measured: float
    role: str           # calibration (GPU fit), validation, or wafer (leave-one-out)
    op: OperatingPoint
    objective: str      # max_throughput, users, floor
    users: int | None
    floor: float | None
    chips: int | None
    tp: int | None
    draft: str | None
    source: str
    grade: str
    date: str
    assumed: str


def _conds(s) -> dict[str, str]:
    if isinstance(s, dict):
        return dict(s)
    return dict(kv.split("=", 1) for kv in str(s).split(";") if "=" in kv)


def _spec_p(cat: Catalog) -> float:
    from ..models.serving.point import acceptance_from_length

    m = cat.measurements
    tau = float(m.loc[m["id"] == "eagle3_maverick_k3_2025", "value"].iloc[0])
    return acceptance_from_length(tau, SPEC_K)


def _row(cat: Catalog, r, p_accept: float) -> Row | None:
    c = _conds(r["conditions"])
    extra = ASSUMED.get(r["id"], "")
    c.update(_conds(extra))
    wafer = r["system"] == "cs3"
    prec = c.get("precision", "unstated")
    if prec not in ("bf16", "fp16", "fp8", "fp4"):
        prec = "bf16" if wafer else "fp8"
    cfg = c.get("config", "")
    mm = re.search(r"isl(\d+)_osl(\d+)", cfg)
    if mm:
        isl, osl = int(mm.group(1)), int(mm.group(2))
    elif cfg.startswith("mlperf") and r["workload"] in MLPERF_MIX:
        isl, osl = MLPERF_MIX[r["workload"]]
    else:
        isl, osl = 1000, 1000
    spec = c.get("spec", c.get("spec_decode", "none"))
    k, p, draft = 0, 0.0, None
    if spec in ("eagle3", "head"):
        k, p = SPEC_K, p_accept
    elif spec in ("draft", "yes"):
        k, p, draft = SPEC_K, p_accept, ("llama3_1_8b" if wafer else None)
    op = OperatingPoint(isl, osl, prec, spec_tokens=k, spec_accept=p)
    scen = cfg.rsplit("_", 1)[-1] if cfg.startswith("mlperf") else ""
    floor = SERVER_FLOOR.get((r["workload"], scen))
    if r["quantity"] == "output_tokens_per_s_per_user" or c.get("batch") == "1":
        objective, users = "users", 1
    elif floor is not None:
        objective, users = "floor", None
    else:
        objective, users = "max_throughput", None
    chips = int(float(c["chips"])) if "chips" in c else (int(float(c["ranks"])) if "ranks" in c else None)
    tp = int(float(c["tp"])) if "tp" in c else None
    controlled = c.get("engine", "").startswith("tensorrt") and (mm is not None or scen == "offline")
    if wafer:
        role = "wafer"
    elif r["role"] == "calibration" and objective == "max_throughput" and controlled:
        role = "calibration"
    else:
        role = "validation"
    return Row(r["id"], r["system"], r["workload"], r["quantity"], float(r["value"]), role, op, objective, users,
               floor, chips, tp, draft, r["source"], r["grade"], str(r["date"]), extra)


def _rows_of(cat: Catalog) -> list[Row]:
    m = cat.measurements
    p = _spec_p(cat)
    known = set(cat.topology["system"])
    out = []
    for _, r in m.iterrows():
        if r["quantity"] not in QUANTITIES or r["system"] not in known:
            continue
        out.append(_row(cat, r, p))
    return out


def rows(cat: Catalog) -> list[Row]:
    """Every throughput or per-user speed row of the catalog the serving model can predict."""
    return _rows_of(cat)


def predict(cat: Catalog, row: Row, prm: ServeParams, hw_of=None) -> float:
    """The model's value for ``row`` (same quantity and unit as the measurement); ``hw_of`` (system id ->
    :class:`~waferscale.models.serving.Hardware`) replaces the catalog's records, for the uncertainty analysis."""
    hw = hardware(cat, row.system) if hw_of is None else hw_of(row.system)
    m = wl.model(cat, row.model)
    draft = wl.model(cat, row.draft) if row.draft else None
    chips = row.chips
    if hw.kind == "gpu" and chips is None:
        chips = hw.chips
    if row.tp is not None and hw.kind == "gpu":
        lay = Layout(row.tp, 1, row.tp if m.experts and row.tp > 1 else 1, max(1, (chips or row.tp) // row.tp))
        cap = search._capacity(hw, m, row.op, prm, lay)
        if cap < 1:
            return float("nan")
        B = [1] if row.objective == "users" else search._grid(cap)
        e = search.evaluate(hw, m, row.op, prm, lay, B, chips=lay.chips)
        if row.objective == "users":
            return float(e["per_user"][0])
        ok = e["per_user"] >= (row.floor or 0.0)
        return float(np.max(np.where(ok, e["total"], np.nan))) if ok.any() else float("nan")
    kw = {"users": 1} if row.objective == "users" else (
        {"min_tokens_per_s_per_user": row.floor} if row.objective == "floor" else {"max_throughput": True})
    try:
        r = serve(hw, m, row.op, prm, chips=chips, draft=draft, **kw)
    except ValueError:
        return float("nan")
    return r.tokens_per_s_per_user if row.objective == "users" else r.tokens_per_s_total


def log_errors(cat: Catalog, rs, prm: ServeParams, hw_of=None) -> list[float]:
    """ln(predicted / measured) per row (NaN where the model cannot run the row)."""
    return [math.log(predict(cat, r, prm, hw_of) / r.measured) for r in rs]


def _loss(cat, rs, prm, hw_of=None) -> float:
    e = log_errors(cat, rs, prm, hw_of)
    e = [x if np.isfinite(x) else 5.0 for x in e]
    return float(np.mean(np.square(e)))


def _pattern_search(f, x0: dict[str, float], lo: dict, hi: dict, step: float = 0.4, tol: float = 0.01, budget=400):
    """Hooke–Jeeves search in log space (deterministic; the loss is piecewise smooth: layouts switch)."""
    x = dict(x0)
    fx = f(x)
    n = 0
    while step > tol and n < budget:
        improved = False
        for k in x:
            for d in (+1, -1):
                y = dict(x)
                y[k] = float(min(hi[k], max(lo[k], x[k] * math.exp(d * step))))
                if y[k] == x[k]:
                    continue
                fy = f(y)
                n += 1
                if fy < fx - 1e-12:
                    x, fx, improved = y, fy, True
                    break
        if not improved:
            step /= 2
    return x, fx


def _q(x: float) -> float:
    return float(f"{x:.4g}")


def calibrate_gpu(cat: Catalog, base: ServeParams | None = None, exclude: tuple[str, ...] = (), *, hw_of=None,
                  step: float = 0.4, tol: float = 0.01) -> ServeParams:
    """Fit ``gpu_mem_efficiency``, ``gpu_flop_efficiency``, ``gpu_layer_s`` and ``gpu_user_s`` to the GPU
    calibration rows (least squares of log errors), starting from ``base``'s values, quantised to 4 significant
    digits so every CPU starts from the same bits. ``hw_of`` and a smaller ``step`` serve the uncertainty refits
    (a warm start near the nominal fit)."""
    base = base or ServeParams()
    rs = [r for r in rows(cat) if r.role == "calibration" and r.id not in exclude]
    x0 = {k: getattr(base, k) for k in ServeParams.GPU_FITTED}
    lo = {"gpu_mem_efficiency": 0.2, "gpu_flop_efficiency": 0.05, "gpu_layer_s": 1e-7, "gpu_user_s": 1e-8}
    # the physical ceilings: HBM streams reach ~90 % of peak; no GEMM exceeds its peak
    hi = {"gpu_mem_efficiency": 0.9, "gpu_flop_efficiency": 1.0, "gpu_layer_s": 2e-4, "gpu_user_s": 1e-3}
    x, _ = _pattern_search(lambda x: _loss(cat, rs, base.with_(**x), hw_of), x0, lo, hi, step=step, tol=tol)
    return base.with_(**{k: _q(v) for k, v in x.items()})


def fit_wafer(cat: Catalog, base: ServeParams, exclude: tuple[str, ...] = (), *, hw_of=None,
              bracket: tuple[float, float] = (1e-9, 1e-4), iters: int = 40) -> ServeParams:
    """Fit the wafer's one residual ``wafer_gemv_s`` to the wafer rows not in ``exclude`` (golden-section
    search on log c over ``bracket``, ``iters`` steps)."""
    rs = [r for r in rows(cat) if r.role == "wafer" and r.id not in exclude]
    lo, hi = math.log(bracket[0]), math.log(bracket[1])
    f = lambda lc: _loss(cat, rs, base.with_(wafer_gemv_s=math.exp(lc)), hw_of)
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iters):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return base.with_(wafer_gemv_s=_q(math.exp((a + b) / 2)))


PARAMS_FILE = Path(__file__).with_name("serve_params.json")


def _catalog_stamp(cat: Catalog) -> str:
    """A hash of everything the fit reads, and nothing else: the fitted measurement rows (GPU calibration and
    wafer rows, never the validation rows), and the facts of the systems, chips, link tiers and models they name.
    Adding a chip or editing a validation row therefore neither changes nor triggers a fit; editing a fitted row
    or a fact of a fitted system does."""
    import hashlib
    rs = [r for r in rows(cat) if r.role in ("calibration", "wafer")]
    chip = dict(zip(cat.entities["id"], cat.entities["chip"]))
    topo = cat.topology.set_index("system")
    ents: set[str] = set()
    for r in rs:
        ents |= {r.system, chip.get(r.system) or r.system}
        if r.system in topo.index:
            ents |= {topo.loc[r.system, "scale_up"], topo.loc[r.system, "scale_out"]}
    models = {r.model for r in rs} | {r.draft for r in rs if r.draft} | {"llama3_1_8b"}
    keep = ["field", "value", "low", "high", "unit"]
    parts = [repr(sorted((r.id, r.measured, r.op, r.objective, r.chips, r.tp) for r in rs)),
             cat.systems[cat.systems["system"].isin(ents)].sort_values(["system", "field"], kind="stable")[
                 ["system", *keep]].to_csv(index=False),
             cat.links[cat.links["link"].isin(ents)].sort_values(["link", "field"], kind="stable")[
                 ["link", *keep]].to_csv(index=False),
             cat.workloads[cat.workloads["workload"].isin(models)].sort_values(["workload", "field"], kind="stable")[
                 ["workload", *keep]].to_csv(index=False),
             topo.loc[sorted(s for s in ents if s in topo.index)].to_csv(),
             cat.measurements.loc[cat.measurements["id"] == "eagle3_maverick_k3_2025", "value"].to_csv(index=False)]
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
    return h.hexdigest()[:16]


def compute(cat: Catalog) -> dict:
    """Fit everything from scratch: the GPU constants, the wafer constant on all wafer rows, and the wafer
    constant with each wafer row left out (``loo``)."""
    gpu = calibrate_gpu(cat)
    full = fit_wafer(cat, gpu)
    loo = {r.id: fit_wafer(cat, gpu, exclude=(r.id,)).wafer_gemv_s for r in rows(cat) if r.role == "wafer"}
    fitted_ = {k: getattr(full, k) for k in ServeParams.GPU_FITTED + ServeParams.WAFER_FITTED}
    return {"catalog": _catalog_stamp(cat), "params": fitted_, "wafer_loo": loo}


def committed(path: Path, stamp: str, key: str = "catalog") -> dict | None:
    """The JSON document committed at ``path`` if its ``key`` is ``stamp`` (it was made from this catalog),
    else None: the one check behind every stored fit, sample and ratio table."""
    if path.exists():
        d = json.loads(path.read_text())
        if d.get(key) == stamp:
            return d
    return None


@lru_cache(maxsize=4)
def _stored(root: str, stamp: str) -> dict:
    d = committed(PARAMS_FILE, stamp)
    if d is not None:
        return d
    from ..data.catalog import load
    return compute(load(Path(root)))


def stored(cat: Catalog) -> dict:
    """The committed fit (``serve_params.json``) when it was made from this catalog, else a fresh fit."""
    return _stored(str(cat.root), _catalog_stamp(cat))


def fitted(cat: Catalog, leave_out: str | None = None) -> ServeParams:
    """The calibrated parameters; ``leave_out`` a wafer row id gives the wafer constant fitted without it."""
    return _params(stored(cat), leave_out)


def _params(d: dict, leave_out: str | None) -> ServeParams:
    """:func:`fitted` from a stored fit ``d`` (so a caller predicting many rows reads and stamps the fit once)."""
    prm = ServeParams().with_(**d["params"])
    if leave_out is not None:
        if leave_out not in d["wafer_loo"]:
            raise ValueError(f"leave_out={leave_out!r} is not a wafer row; allowed: {', '.join(d['wafer_loo'])}")
        prm = prm.with_(wafer_gemv_s=d["wafer_loo"][leave_out])
    return prm


def table(cat: Catalog) -> pd.DataFrame:
    """Every row predicted out of sample where it can be: GPU validation rows with the calibrated constants,
    wafer rows with the constant fitted without them (leave-one-out); GPU calibration rows in sample (a fit)."""
    out, d = [], stored(cat)
    for r in rows(cat):
        prm = _params(d, r.id if r.role == "wafer" else None)
        pred = predict(cat, r, prm)
        out.append({"id": r.id, "system": r.system, "model": r.model, "quantity": r.quantity, "role": r.role,
                    "input_tokens": r.op.input_tokens, "output_tokens": r.op.output_tokens,
                    "precision": r.op.precision, "objective": r.objective, "measured": r.measured,
                    "predicted": _q(pred) if np.isfinite(pred) else float("nan"),
                    "error": _q(pred / r.measured - 1) if np.isfinite(pred) else float("nan"),
                    "grade": r.grade, "date": r.date, "source": r.source, "assumed": r.assumed})
    return pd.DataFrame(out)


def summary(t: pd.DataFrame) -> pd.DataFrame:
    """Median |error| per group (GPU throughput / per-user, wafer leave-one-out; calibration shown apart)."""
    t = t.assign(group=np.where(t["role"] == "wafer", "wafer (leave-one-out)", np.where(
        t["role"] == "calibration", "GPU calibration (in sample)", np.where(
            t["quantity"] == "output_tokens_per_s_total", "GPU throughput (validation)", "GPU per-user (validation)"))))
    g = t.groupby("group", sort=True)
    return pd.DataFrame({"rows": g.size(), "median_abs_error": g["error"].apply(lambda e: _q(float(np.nanmedian(np.abs(e)))))}
                        ).reset_index()


if __name__ == "__main__":
    import sys
    from ..data.catalog import load
    if "--write" in sys.argv:
        d = compute(load())
        PARAMS_FILE.write_text(json.dumps(d, indent=1, sort_keys=True) + "\n")
        print(json.dumps(d, indent=1, sort_keys=True))
