"""Time and communication energy of one training step of a dense transformer, on GPU clusters and on wafers.

Compute is the standard 6·P FLOPs per token (forward 2, backward 4) at a stated share ``utilisation``
of dense 16-bit peak — an assumption, not a catalog number (default 0.5; the performance chapter tests its claim
over a stated range of it). Communication is
the communication chapter's α–β collectives (:mod:`waferscale.models.collectives`) over the catalog's link
tiers, grown as in :mod:`waferscale.models.scaling` (the same :class:`~waferscale.models.scaling.Cluster` records,
resolved from the catalog once by :func:`~waferscale.models.scaling.cluster`).

**GPU clusters** (Megatron-style 3-D parallelism). N GPUs, tensor parallel T = min(8, N) inside the
NVLink domain, the fewest pipeline stages S (a power of two) whose weights, gradients (2 + 2 bytes per
parameter, split over T·S) and Adam state (12 bytes, also split over the D = N/(T·S) data-parallel
replicas) fit in ``state_share`` of HBM. The global batch of B tokens is cut into sequences of
``seq_tokens``; each replica runs m = ⌈B/(seq·D)⌉ micro-batches (one sequence each):

.. math::

   t_\\text{step} = \\underbrace{\\frac{6P\\,m\\,s}{T S F u}}_{\\text{compute}}
   + \\underbrace{\\frac{S-1}{v\\,m}\\,t_\\text{compute}}_{\\text{pipeline bubble}}
   + \\underbrace{m\\,\\frac{L}{S}\\,4\\,t_\\text{AR}(s h b, T)}_{\\text{tensor parallel}}
   + \\underbrace{2(m+S-2)\\,t_\\text{p2p}(s h b)}_{\\text{pipeline}}
   + \\max\\big(0,\\ t_\\text{AR}^\\text{DP}(P b/(T S), D) - \\omega\\,\\tfrac{2}{3} t_\\text{compute}\\big)

The data-parallel gradient all-reduce (hierarchical: NVLink inside a domain, scale-out between)
hides behind the backward pass (two thirds of compute) to the degree ω = ``overlap``.

**Wafers** (Cerebras weight streaming: weights in external memory, streamed to every wafer layer by
layer; gradients reduced on the way back). Each of N wafers computes m = ⌈B/(s·N)⌉ sequences; the
weights (P·b bytes) are broadcast in and the gradients reduced out through a tree of switches over
each wafer's off-wafer I/O — the α–β tree all-reduce of :func:`waferscale.models.collectives.tree_all_reduce`
with N + 1 ranks (the external memory is the root). Streaming overlaps the whole step to the degree ω:

.. math::

   t_\\text{step} = \\frac{6P\\,m\\,s}{F u} + \\max\\Big(0,\\ 2\\lceil\\log_2 (N+1)\\rceil\\alpha_\\text{io}
   + \\frac{2Pb}{\\beta_\\text{io}} - \\omega\\,t_\\text{compute}\\Big)

Efficiency is the ideal compute time 6PB/(N F u) over the step time: 1 when communication hides
and the batch divides evenly. Energy counts bits on links only (not arithmetic): every collective's
link bytes times its tier's energy per bit; scale-out bytes pay the longest fat-tree path
(:func:`waferscale.models.interconnect.scaleout_path`), which is where co-packaged optics differ.

Examples
--------
>>> from waferscale.data import catalog; from waferscale.models import workloads as wl, scaling
>>> cat = catalog.load()
>>> m = wl.model(cat, "llama3_1_70b")
>>> s = train_step(scaling.cluster(cat, scaling.h100_ib()), m, 1024, tokens_per_step=4 * 2**20, utilisation=0.5)
>>> (s.tp, s.pp, s.dp), round(s.efficiency, 2)
((8, 1, 128), 0.84)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from . import collectives as co
from . import interconnect as ic
from . import scaling as sc
from ..data.catalog import Catalog
from ..core.checks import check_int, check_real
from .workloads import Transformer, bytes_per_value

__all__ = ["Step", "train_step", "training_curve", "state_bytes_per_param", "OPTIMIZER_BYTES_PER_PARAM", "VALIDATION",
           "validation_table", "utilisation_to_match", "MeasuredRun", "measured_run", "predicted_flop_per_s_per_gpu"]

#: fp32 master weights and two fp32 Adam moments (mixed-precision Adam, as in ZeRO's accounting).
OPTIMIZER_BYTES_PER_PARAM = 12.0


def state_bytes_per_param(precision: str = "bf16") -> float:
    """Bytes of weights plus gradients per parameter in ``precision`` (Adam state is counted separately).

    >>> state_bytes_per_param("bf16")
    4.0
    """
    return 2.0 * bytes_per_value(precision)


@dataclass(frozen=True)
class Step:
    """One training step: the plan (T, S, D, micro-batches) and where the time and energy go.

    Times are seconds: ``compute_s`` (arithmetic at the assumed utilisation), ``bubble_s`` (pipeline),
    ``tp_s`` (tensor-parallel all-reduces), ``pp_s`` (pipeline hand-offs), ``dp_s`` (the gradient
    all-reduce on GPUs; on wafers the weight-streaming broadcast and gradient reduction),
    ``exposed_dp_s`` (the part of ``dp_s`` not hidden behind compute), ``step_s`` and ``ideal_s``
    (6PB/(N F u)). ``comm_energy_j`` is the energy of the bits on links in the whole system;
    ``scaleout_j_per_bit`` the longest scale-out path's energy per bit.
    """

    label: str
    chips: int
    tp: int
    pp: int
    dp: int
    microbatches: int
    compute_s: float
    bubble_s: float
    tp_s: float
    pp_s: float
    dp_s: float
    exposed_dp_s: float
    step_s: float
    ideal_s: float
    comm_energy_j: float
    scaleout_j_per_bit: float

    @property
    def efficiency(self) -> float:
        """Ideal compute time / step time (1 = perfect scaling at the assumed utilisation)."""
        return self.ideal_s / self.step_s

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["efficiency"] = self.efficiency
        return d


def _check(name: str, value: float, lo: float, hi: float) -> float:
    return check_real(name, value, lo, hi)


def train_step(cl: sc.Cluster, model: Transformer, chips: int, *, tokens_per_step: float,
               seq_tokens: int = 8192, utilisation: float = 0.5, overlap: float = 1.0, interleave: int = 1,
               state_share: float = 0.5, precision: str = "bf16", plan: tuple[int, int] | None = None) -> Step:
    """Time and link energy of one training step of ``model`` on ``chips`` chips of cluster ``cl``.

    Parameters
    ----------
    cl : Cluster
        The system, resolved once by :func:`waferscale.models.scaling.cluster` (a GPU cluster plans tensor and
        pipeline stages inside its scale-up domain; a wafer cluster streams weights).
    model : Transformer
        The dense transformer trained (:func:`waferscale.models.workloads.model`).
    chips : int
        GPUs or wafers, 1 … 2³⁰.
    tokens_per_step : float
        Global batch B in tokens (1e3 … 1e9).
    seq_tokens : int
        Tokens per sequence (= per micro-batch), 1 … 1e7.
    utilisation : float
        Share of dense 16-bit peak the arithmetic reaches (0, 1]: an assumption, state it.
    overlap : float
        ω in [0, 1]: how much of the data-parallel / weight-streaming traffic hides behind compute.
    interleave : int
        Virtual pipeline stages per GPU (Megatron's interleaved schedule), 1 … 64; divides the bubble.
    state_share : float
        Share of HBM allowed for weights, gradients and optimizer state (0, 1]; the rest is activations.
    precision : str
        Of weights and gradients ('bf16', 'fp8', ...; :func:`waferscale.models.workloads.bytes_per_value`).
    plan : (T, S), optional
        Force tensor and pipeline parallel sizes instead of the smallest plan that fits (GPUs only).

    Raises
    ------
    ValueError
        A parameter out of range, or a model that does not fit on ``chips`` GPUs.
    """
    if not isinstance(cl, sc.Cluster):
        raise ValueError(f"cl={cl!r} is not allowed; allowed: a Cluster (scaling.cluster(cat, build))")
    if not isinstance(model, Transformer):
        raise ValueError(f"model={model!r} is not allowed; allowed: a Transformer (workloads.model(cat, id))")
    N = ic.check_ranks("chips", chips)
    B = _check("tokens_per_step", tokens_per_step, 1e3, 1e9)
    s = check_int("seq_tokens", seq_tokens, 1, 10**7)
    u = _check("utilisation", utilisation, 1e-3, 1.0)
    w = _check("overlap", overlap, 0.0, 1.0)
    v = check_int("interleave", interleave, 1, 64)
    share = _check("state_share", state_share, 1e-3, 1.0)
    b = bytes_per_value(precision)
    P, L, h = model.params_total, model.layers, model.hidden_size
    F = cl.dense_16bit_flop_per_s * u
    seqs = max(1, math.ceil(B / s))
    ideal = 6.0 * P * seqs * s / (N * F)
    out_bw, out_alpha = cl.scaleout_bytes_per_s_per_dir, cl.scaleout_latency_s
    path_e = ic.scaleout_path(cl.tree, max(N + (1 if cl.is_wafer else 0), 2)).total_j_per_bit

    if cl.is_wafer:  # wafers, weight streaming
        m = math.ceil(seqs / N)
        compute = 6.0 * P * m * s / F
        stream = co.tree_all_reduce(P * b, N + 1, out_bw, out_alpha)
        exposed = max(0.0, stream.time_s - w * compute)
        # bytes per wafer: weights in for forward and again for backward, gradients out: 3·P·b
        energy = N * 3.0 * P * b * 8.0 * path_e
        return Step(cl.label, N, 1, 1, N, m, compute, 0.0, 0.0, 0.0, stream.time_s, exposed,
                    compute + exposed, ideal, energy, path_e)

    up = cl.up
    G = cl.domain_chips
    up_bw, up_alpha = up.require("bandwidth"), up.require("latency")
    up_e = up.energy_j_per_bit or 0.0
    hbm = cl.hbm_bytes
    if hbm is None:
        raise ValueError(f"cl={cl.label!r} gives no HBM per GPU (hbm_bytes); a GPU cluster needs one")
    if plan is None:
        T = min(8, N, G)
        S = 1
        while True:
            if T * S > N or S > L:
                raise ValueError(f"chips={N} cannot hold {model.id} ({P:.3g} parameters): weights, gradients and "
                                 f"Adam state exceed {share:.0%} of {hbm / 1e9:.0f} GB per GPU; use more chips")
            per_gpu = state_bytes_per_param(precision) * P / (T * S) + OPTIMIZER_BYTES_PER_PARAM * P / N
            if per_gpu <= share * hbm:
                break
            S *= 2
    else:
        T, S = (ic.check_ranks("plan T", plan[0]), ic.check_ranks("plan S", plan[1]))
        if T * S > N:
            raise ValueError(f"plan={plan!r} needs T·S = {T * S} > chips = {N}")
    D = max(1, N // (T * S))
    m = math.ceil(seqs / D)
    compute = 6.0 * P * m * s / (T * S * F)
    bubble = (S - 1) / (v * m) * compute
    act = s * h * b
    tp = co.ring_all_reduce(act, T, up_bw, up_alpha, up_e)
    tp_s = m * (L / S) * 4 * tp.time_s
    inside = T * S <= G
    pp_bw, pp_alpha, pp_e = (up_bw, up_alpha, up_e) if inside else (out_bw, out_alpha, path_e)
    pp_s = 2 * (m + S - 2) * ic.p2p_time_s(act, pp_bw, pp_alpha) if S > 1 else 0.0
    grad = P * b / (T * S)
    per_domain = max(1, min(D, G // (T * S)))
    nodes = math.ceil(D / per_domain)
    if D == 1:
        dp = co.Result(0.0, 0.0, 0.0, 0.0, "none")
    elif nodes == 1:
        dp = co.ring_all_reduce(grad, D, up_bw, up_alpha, up_e)
    else:
        dp = co.hierarchical_all_reduce(grad, per_domain, nodes, up_bw, up_alpha, out_bw, out_alpha, up_e, path_e)
    exposed = max(0.0, dp.time_s - w * (2.0 / 3.0) * compute)
    energy = ((N / T) * m * (L / S) * 4 * tp.energy_j + T * S * dp.energy_j
              + (T * D * (S - 1) * 2 * m * ic.p2p_energy_j(act, pp_e) if S > 1 else 0.0))
    step = compute + bubble + tp_s + pp_s + exposed
    return Step(cl.label, N, T, S, D, m, compute, bubble, tp_s, pp_s, dp.time_s, exposed, step, ideal, energy,
                path_e)


def training_curve(clusters, model: Transformer, chips, **kw) -> pd.DataFrame:
    """:func:`train_step` for each cluster (``(label, Cluster)`` pairs) and chip count; counts that cannot
    hold the model are left out."""
    rows = []
    for label, cl in clusters:
        for n in chips:
            try:
                st = train_step(cl, model, int(n), **kw)
            except ValueError as e:
                if "cannot hold" in str(e):
                    continue
                raise
            d = st.as_dict()
            d["system"] = label
            d["pflops"] = int(n) * cl.dense_16bit_flop_per_s / 1e15
            rows.append(d)
    return pd.DataFrame(rows)


#: Validation rows of measurements.csv this model predicts (never fitted): measured FLOP/s per GPU.
VALIDATION = ("llama3_train_8k_gpus_2024", "llama3_train_16k_gpus_2024")


@dataclass(frozen=True)
class MeasuredRun:
    """A measured training run resolved into records: the cluster, the model, the stated plan and batch."""

    id: str
    cluster: sc.Cluster
    model: Transformer
    gpus: int
    tokens_per_step: float
    seq_tokens: int
    plan: tuple[int, int]
    precision: str
    measured_flop_per_s_per_gpu: float
    source: str = ""
    grade: str = ""


def measured_run(cat: Catalog, row_id: str) -> MeasuredRun:
    """Resolve one ``measurements.csv`` training row (an H100 cluster on InfiniBand) into a :class:`MeasuredRun`."""
    from . import workloads as wl

    r = cat.measurement(row_id)
    c = r["conditions"]
    return MeasuredRun(row_id, sc.cluster(cat, sc.h100_ib()), wl.model(cat, r["workload"]), int(c["gpus"]),
                       float(c["tokens_per_step"]), int(c["seq_tokens"]), (int(c["tp"]), int(c["pp"])),
                       c.get("precision", "bf16"), float(r["value"]), str(r["source"]), str(r["grade"]))


def predicted_flop_per_s_per_gpu(run: MeasuredRun, utilisation: float, interleave: int = 1) -> float:
    """The model's FLOP/s per GPU for ``run`` at the stated plan: 6·P·B / (N · t_step)."""
    st = train_step(run.cluster, run.model, run.gpus, tokens_per_step=run.tokens_per_step, seq_tokens=run.seq_tokens,
                    utilisation=utilisation, interleave=interleave, plan=run.plan, precision=run.precision)
    return 6.0 * run.model.params_total * run.tokens_per_step / (run.gpus * st.step_s)


def validation_table(cat: Catalog, utilisation: float, interleave: int = 1) -> pd.DataFrame:
    """Measured vs predicted FLOP/s per GPU for the :data:`VALIDATION` rows, at the stated plan
    (T, S, D from the row) and the assumed ``utilisation``; ``u_to_match`` is the utilisation that
    would reproduce the row (reported, never used to fit)."""
    out = []
    for i in VALIDATION:
        r = cat.measurement(i)
        if r["role"] != "validation":
            raise ValueError(f"row {i!r} is not tagged validation")
        run = measured_run(cat, i)
        pred = predicted_flop_per_s_per_gpu(run, utilisation, interleave)
        out.append({"id": i, "gpus": int(r["conditions"]["gpus"]), "measured": float(r["value"]), "predicted": pred,
                    "error": pred / float(r["value"]) - 1.0,
                    "u_to_match": utilisation_to_match(run, interleave), "source": r["source"], "grade": r["grade"]})
    return pd.DataFrame(out)


def utilisation_to_match(run: MeasuredRun, interleave: int = 1) -> float:
    """The utilisation u at which the model reproduces a measured run (bisection; nan if none ≤ 1)."""
    if not isinstance(run, MeasuredRun):
        raise ValueError(f"run={run!r} is not allowed; allowed: a MeasuredRun (training.measured_run(cat, id))")
    target = run.measured_flop_per_s_per_gpu
    lo, hi = 1e-3, 1.0
    if predicted_flop_per_s_per_gpu(run, hi, interleave) < target:
        return float("nan")
    for _ in range(50):
        mid = (lo + hi) / 2
        if predicted_flop_per_s_per_gpu(run, mid, interleave) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2
