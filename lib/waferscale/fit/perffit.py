"""Calibration, validation and uncertainty for :mod:`waferscale.models.performance`.

* :func:`calibrate` fits the four named fields of :class:`~waferscale.models.performance.Params`
  (``Params.FITTED``) by least squares on log error to catalog rows tagged ``calibration``
  (only those: :data:`CALIBRATION` says which, and under which stated assumptions).
* :func:`validation_table` predicts the rows tagged ``validation`` with the fitted parameters.
* :func:`sample_ratio` and :func:`tornado` propagate the catalog's ranges (grades ``uncertain``
  and others that carry ``low``/``high``) by seeded sampling, refitting each time.

Examples
--------
>>> from waferscale.data import catalog
>>> fit = calibrate(catalog.load())
>>> sorted(fit.params_dict)   # doctest: +NORMALIZE_WHITESPACE
['gpu_hbm_efficiency', 'gpu_layer_overhead_s', 'wafer_hop_factor', 'wafer_layer_s']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from ..models import performance as pf
from ..data.catalog import Catalog
from ..core.digits import sig

__all__ = ["Assumption", "CALIBRATION", "VALIDATION", "SKIPPED", "Fit", "calibrate", "fitted", "predict_row",
           "calibration_table", "validation_table", "UNCERTAIN", "sample_ratio", "tornado", "spec_from_catalog"]


@dataclass(frozen=True)
class Assumption:
    """How the model reads one measured row: the configuration it assumes where the row is silent."""

    system: str
    precision: str
    chips: int | None = None
    users: int | str = 1
    spec: str = "none"            # 'none' or the id of an acceptance_length row in measurements.csv
    context_tokens: int = 1000
    prompt_tokens: int = 1000
    text: str = ""


#: Calibration rows the fit uses, with the assumption made where the row does not say.
CALIBRATION: dict[str, Assumption] = {
    "cer_llama31_8b_2024": Assumption("cs3", "bf16", None, 1, "none", text="stated: 16-bit, no speculative decoding"),
    "cer_llama31_70b_2024": Assumption("cs3", "bf16", 4, 1, "none", text="stated: 16-bit, four CS-3"),
    "cer_maverick_2025": Assumption(
        "cs3", "bf16", None, 1, "eagle3_maverick_k3_2025",
        text="assumed: 16-bit weights (as Cerebras ran Llama 3.1) and speculative decoding with the same "
             "acceptance as the GPU side's EAGLE-3 draft; wafer count derived"),
    "h100_best_llama31_8b_2024": Assumption(
        "h100_sxm", "fp8", 1, 1, "none", text="assumed: FP8 on one H100 (16-bit cannot reach 242 tok/s: its "
                                              "bandwidth roofline is lower), no speculative decoding"),
    "h100_best_llama31_70b_2024": Assumption(
        "dgx_h100", "fp8", 8, 1, "none", text="assumed: FP8, tensor parallel over eight H100, no speculative decoding"),
    "dgxb200_maverick_2025": Assumption(
        "dgx_b200", "fp8", 8, 1, "eagle3_maverick_k3_2025",
        text="stated: FP8, EAGLE-3, eight B200; acceptance length from the published EAGLE-3 draft head"),
}

#: Calibration rows deliberately not fitted, and why.
SKIPPED: dict[str, str] = {
    "cer_llama31_70b_specdec_2024": "the speed-up came with new kernels and asynchronous wafer I/O as well as "
                                    "speculative decoding; the model has no term for a software change",
    "sambanova_maverick_2025": "SambaNova's RDU is not modelled",
    "groq_maverick_2025": "Groq's LPU is not modelled",
}

#: Validation rows and the configuration the model assumes for each.
VALIDATION: dict[str, Assumption] = {
    "cer_llama31_405b_2024": Assumption(
        "cs3", "bf16", None, 1, "eagle3_maverick_k3_2025",
        text="stated: 16-bit, batch 1; assumed: speculative decoding (Cerebras used it from its October 2024 "
             "update on) with the EAGLE-3 row's acceptance; wafer count derived"),
    "cer_llama31_405b_ttft_2024": Assumption("cs3", "bf16", None, 1, "none", prompt_tokens=1000,
                                             text="assumed: a 1,000-token prompt; the model has no network "
                                                  "or queueing time"),
    "dgxb200_maverick_throughput_2025": Assumption(
        "dgx_b200", "fp8", 8, "max", "none", context_tokens=2000,
        text="assumed: as many users as the KV cache allows at 2,000 tokens of context, no speculation"),
}


_SPEC_CACHE: dict[tuple, tuple[int, float]] = {}

#: The accuracy the performance model aims for on validation rows (median |error|), by system kind. They are
#: goals set for the model (issue 6), not facts about hardware; the chapter reports whether they are met.
ACCURACY_TARGETS: dict[str, float] = {"gpu": 0.10, "wafer": 0.25}


def spec_from_catalog(cat: Catalog, spec: str, bound: str = "value") -> tuple[int, float]:
    """(k, p) for an ``acceptance_length`` row: k from its conditions, p from τ = (1 − p^{k+1})/(1 − p)."""
    if spec == "none":
        return 0, 0.0
    key = (id(cat), spec, bound)
    if key in _SPEC_CACHE:
        return _SPEC_CACHE[key]
    r = _row(cat, spec)
    k = int(float(r["conditions"]["spec_tokens"]))
    tau = {"value": r["value"], "low": r["low"], "high": r["high"]}[bound]
    tau = float(r["value"] if tau is None or (isinstance(tau, float) and math.isnan(tau)) else tau)
    out = _SPEC_CACHE[key] = (k, pf.acceptance_from_length(tau, k))
    return out


_ROW_CACHE: dict[tuple, dict] = {}


def _row(cat: Catalog, row_id: str) -> dict:
    key = (id(cat), row_id)
    if key not in _ROW_CACHE:
        _ROW_CACHE[key] = cat.measurement(row_id).to_dict()
    return _ROW_CACHE[key]


def predict_row(cat: Catalog, row_id: str, a: Assumption, prm: pf.Params, overrides: dict | None = None,
                spec_bound: str = "value") -> float:
    """The model's figure for one measurement row, in the row's quantity and canonical unit."""
    r = _row(cat, row_id)
    k, p = spec_from_catalog(cat, a.spec, spec_bound)
    s = pf.system(cat, a.system, overrides)
    d = pf.decode(cat, a.system, r["workload"], precision=a.precision, chips=a.chips, users=a.users,
                  context_tokens=a.context_tokens, prompt_tokens=a.prompt_tokens, spec_tokens=k, spec_accept=p,
                  params=prm, system_obj=s)
    q = r["quantity"]
    if q == "output_tokens_per_s_per_user":
        return d.tokens_per_s_per_user
    if q == "output_tokens_per_s_total":
        return d.tokens_per_s_total
    if q == "time_to_first_token_s":
        return d.time_to_first_token_s
    raise ValueError(f"quantity={q!r} of {row_id!r} is not predicted by the decode model")


@dataclass(frozen=True)
class Fit:
    """Fitted parameters, the rows used and the per-row errors."""

    params: pf.Params
    table: pd.DataFrame = field(compare=False)
    fitted_on: tuple[str, ...]
    rms_log_error: float
    seed: int

    @property
    def params_dict(self) -> dict[str, float]:
        return {k: float(getattr(self.params, k)) for k in pf.Params.FITTED}


_BOUNDS = {"gpu_hbm_efficiency": (0.05, 1.0), "gpu_layer_overhead_s": (1e-8, 1e-3),
           "wafer_layer_s": (1e-8, 1e-3), "wafer_hop_factor": (1e-3, 1e4)}


def _residuals(cat, rows, x, base, overrides, spec_bound):
    prm = base.with_(**dict(zip(pf.Params.FITTED, np.exp(x))))
    return np.array([math.log(predict_row(cat, i, a, prm, overrides, spec_bound) / float(_row(cat, i)["value"]))
                     for i, a in rows])


def calibrate(cat: Catalog, *, seed: int = 0, base: pf.Params | None = None, overrides: dict | None = None,
              spec_bound: str = "value", starts: int = 4) -> Fit:
    """Fit ``Params.FITTED`` to the :data:`CALIBRATION` rows (Levenberg–Marquardt on log error).

    Minimises Σ log(predicted / measured)² in log-parameter space, from ``starts`` starting points
    drawn with ``numpy.random.default_rng(seed)`` (plus the defaults); the same seed gives the same fit.
    Only rows whose role is ``calibration`` can enter; a validation row raises ValueError.
    """
    base = base or pf.Params()
    rows = []
    for i, a in CALIBRATION.items():
        r = cat.measurement(i)
        if r["role"] != "calibration":
            raise ValueError(f"row {i!r} has role={r['role']!r}; only calibration rows may be fitted")
        rows.append((i, a))
    lo = np.log([_BOUNDS[k][0] for k in pf.Params.FITTED])
    hi = np.log([_BOUNDS[k][1] for k in pf.Params.FITTED])
    rng = np.random.default_rng(seed)
    x0s = [np.log([getattr(base, k) for k in pf.Params.FITTED])]
    x0s += [lo + (hi - lo) * rng.uniform(0.3, 0.7, len(lo)) for _ in range(starts)]
    best = None
    for x in x0s:
        x = np.clip(x, lo, hi)
        lam = 1e-2
        r = _residuals(cat, rows, x, base, overrides, spec_bound)
        for _ in range(60):
            J = np.empty((len(r), len(x)))
            for j in range(len(x)):
                dx = np.zeros_like(x)
                dx[j] = 1e-4
                J[:, j] = (_residuals(cat, rows, x + dx, base, overrides, spec_bound) - r) / 1e-4
            A = J.T @ J
            g = J.T @ r
            step = -np.linalg.solve(A + lam * np.diag(np.diag(A) + 1e-9), g)
            xn = np.clip(x + step, lo, hi)
            rn = _residuals(cat, rows, xn, base, overrides, spec_bound)
            if rn @ rn < r @ r - 1e-14:
                x, r, lam = xn, rn, lam / 3
            else:
                lam *= 4
                if lam > 1e8:
                    break
        if best is None or r @ r < best[1] @ best[1] - 1e-12:
            best = (x, r)
    x, r = best
    # Quantised: the fit amplifies last-bit differences between CPUs' SIMD kernels (waferscale.core.digits),
    # so everything computed from the fitted parameters starts from the same bits on every machine.
    prm = base.with_(**{k: sig(float(v)) for k, v in zip(pf.Params.FITTED, np.exp(x))})
    table = calibration_table(cat, prm, overrides, spec_bound)
    return Fit(prm, table, tuple(i for i, _ in rows), float(np.sqrt(np.mean(r ** 2))), seed)


def _table(cat: Catalog, spec: dict[str, Assumption], prm: pf.Params, overrides=None, spec_bound="value") -> pd.DataFrame:
    out = []
    for i, a in spec.items():
        r = cat.measurement(i)
        pred = predict_row(cat, i, a, prm, overrides, spec_bound)
        out.append({"id": i, "system": a.system, "model": r["workload"], "quantity": r["quantity"],
                    "role": r["role"], "measured": float(r["value"]), "predicted": pred,
                    "error": pred / float(r["value"]) - 1.0, "assumption": a.text, "source": r["source"],
                    "grade": r["grade"], "kind": pf.system(cat, a.system).kind})
    return pd.DataFrame(out)


def calibration_table(cat: Catalog, prm: pf.Params, overrides=None, spec_bound="value") -> pd.DataFrame:
    """Measured vs fitted for every :data:`CALIBRATION` row."""
    return _table(cat, CALIBRATION, prm, overrides, spec_bound)


def validation_table(cat: Catalog, prm: pf.Params | None = None) -> pd.DataFrame:
    """Measured vs predicted for every :data:`VALIDATION` row (never fitted)."""
    for i in VALIDATION:
        if cat.measurement(i)["role"] != "validation":
            raise ValueError(f"row {i!r} is not tagged validation")
    return _table(cat, VALIDATION, prm or fitted(cat))


@lru_cache(maxsize=4)
def _fitted_cached(root: str) -> Fit:
    from ..data import catalog as _catalog

    return calibrate(_catalog.load(root))


def fitted(cat: Catalog) -> pf.Params:
    """The calibrated parameters for ``cat`` (cached per catalog folder)."""
    return _fitted_cached(str(cat.root)).params


def fit(cat: Catalog) -> Fit:
    """The cached :class:`Fit` for ``cat``."""
    return _fitted_cached(str(cat.root))


#: Inputs with a catalog range that the uncertainty analysis samples (entity.field or special keys).
UNCERTAIN: tuple[str, ...] = (
    "wse3.fp16_dense_flop_per_s", "wse3_fabric.latency_s", "cs3.system_power_w", "nvlink4.latency_s",
    "nvlink5.latency_s", "b200.hbm_bytes_per_s", "b200.bf16_dense_flop_per_s", "spec.acceptance",
    "flop_efficiency",
)
_FLOP_EFF_RANGE = (0.3, 0.7)
"""Range sampled for the assumed ``flop_efficiency`` (a modelling assumption, not a catalog number)."""


def _ratio_fn(cat, num, den):
    def f(prm, overrides, spec_bound):
        a = predict_scenario(cat, num, prm, overrides, spec_bound)
        b = predict_scenario(cat, den, prm, overrides, spec_bound)
        return a / b
    return f


def predict_scenario(cat: Catalog, sc: tuple, prm: pf.Params, overrides=None, spec_bound="value") -> float:
    """Tokens/s per user for a scenario (system, model, precision, chips, spec-row id)."""
    sid, mid, prec, chips, spec = sc
    k, p = spec_from_catalog(cat, spec, spec_bound)
    return pf.decode(cat, sid, mid, precision=prec, chips=chips, users=1, context_tokens=1000, spec_tokens=k,
                     spec_accept=p, params=prm, system_obj=pf.system(cat, sid, overrides)).tokens_per_s_per_user


def _setting(key: str, end: str):
    """(overrides, spec_bound, flop_efficiency) for one uncertain input at one end."""
    if key == "spec.acceptance":
        return {}, end, None
    if key == "flop_efficiency":
        return {}, "value", _FLOP_EFF_RANGE[0 if end == "low" else 1]
    return {key: end}, "value", None


def sample_ratio(cat: Catalog, num: tuple, den: tuple, *, n: int = 40, seed: int = 0) -> np.ndarray:
    """Seeded samples of a speed ratio: each input of :data:`UNCERTAIN` at its low or high end or value
    (equal odds), the calibration refitted for every sample."""
    rng = np.random.default_rng(seed)
    ratio = _ratio_fn(cat, num, den)
    out = []
    for _ in range(n):
        ov: dict[str, str] = {}
        spec_bound, eff = "value", rng.uniform(*_FLOP_EFF_RANGE)
        for key in UNCERTAIN:
            end = ("low", "value", "high")[rng.integers(3)]
            if key == "spec.acceptance":
                spec_bound = end
            elif key != "flop_efficiency" and end != "value":
                ov[key] = end
        base = pf.Params(flop_efficiency=eff)
        f = calibrate(cat, base=base, overrides=ov, spec_bound=spec_bound, starts=0)
        out.append(ratio(f.params, ov, spec_bound))
    return np.array(out)


def tornado(cat: Catalog, num: tuple, den: tuple) -> pd.DataFrame:
    """The ratio with each :data:`UNCERTAIN` input at its low and its high end (others at value), refitted.

    Columns: input, low, high, swing (|high − low|), sorted by swing.
    """
    ratio = _ratio_fn(cat, num, den)
    rows = []
    for key in UNCERTAIN:
        vals = []
        for end in ("low", "high"):
            ov, sb, eff = _setting(key, end)
            base = pf.Params() if eff is None else pf.Params(flop_efficiency=eff)
            f = calibrate(cat, base=base, overrides=ov, spec_bound=sb, starts=0)
            vals.append(ratio(f.params, ov, sb))
        rows.append({"input": key, "low": vals[0], "high": vals[1], "swing": abs(vals[1] - vals[0])})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)

