"""One continuous-batching iteration of a GPU serving group, vectorised over layouts and batch sizes.

A group of ``tp × pp`` GPUs holds one copy of the model; ``B`` users decode in it, split into ``pp``
micro-batches of ``b = B/pp`` that follow each other through the pipeline stages. In the steady state each
iteration also prefills the prompts of the requests that replace the finished ones: with requests of I input
and O output tokens and τ tokens per step, ``b·I·τ/O`` prompt tokens per micro-batch per iteration (chunked
prefill). One stage's time for one micro-batch of M = b(k+1) + b·I·τ/O tokens is

.. math::

   t_\\text{stage} = \\max\\Big(\\frac{W/(tp\\,pp)}{\\beta\\,\\eta_m},
                     \\frac{M\\,2P_a/(tp\\,pp)}{F\\,\\eta_F\\,M/(M+M_{1/2})}\\Big)
                   + \\max\\Big(\\frac{b\\,C\\,\\kappa}{\\beta\\,\\eta_m}, \\frac{F_\\text{attn}}{F\\,\\eta_F}\\Big)
                   + \\frac{L}{pp}\\big(n_\\text{AR}\\,t_\\text{AR}(M h\\,2\\text{ B}) + n_\\text{A2A}\\,t_\\text{A2A}
                   + o_\\text{layer}\\big) + [pp>1]\\,t_\\text{hand-off}

(GEMMs and attention are separate kernels: their times add) with W the weight bytes read (for MoE, the experts the M tokens route to; a routed expert's GEMM has only the
M·k/E tokens routed to it, so its efficiency is that of M·k/E rows), C the mean context, κ the KV bytes
per token per chip (KV heads split over ``min(tp, kv_heads)`` chips: beyond that the cache is replicated). A
user's token period is ``pp · t_stage`` plus the draft model's share and the engine's host time per request in the batch. The all-reduce is the fastest of ring,
tree, one-shot and in-switch (NVLS) reduction (:func:`allreduce_s`); MoE layers replace the feed-forward
all-reduce by two all-to-alls (dispatch and combine) when experts are spread (``ep = tp``).

Worked example: one H100 reading Llama 3.1 8B at 16 bits, one user, roofline parameters, 2,048-token context:
(16.06 − 1.05 embedding) GB of weights + 2,048 × 131 kB of KV = 15.28 GB at 3.35 TB/s ≈ 4.56 ms per token.

>>> import numpy as np
>>> from waferscale.data import catalog
>>> from waferscale.models.workloads import model
>>> from waferscale.models.serving.hardware import hardware
>>> from waferscale.models.serving.point import OperatingPoint, ServeParams
>>> cat = catalog.load()
>>> it = iteration(hardware(cat, "h100_sxm"), model(cat, "llama3_1_8b"), OperatingPoint(1, 4095, "bf16"),
...                ServeParams.roofline(), tp=np.array([1]), pp=np.array([1]), ep=np.array([1]),
...                users=np.array([1.0]), prefill=False)
>>> round(float(it["period_s"][0]) * 1e3, 2)
4.56
"""

from __future__ import annotations

import numpy as np

from ..workloads import Transformer, bytes_per_value
from .hardware import Hardware
from .point import OperatingPoint, ServeParams

__all__ = ["allreduce_s", "alltoall_s", "iteration", "prefill_s", "ACT_BYTES"]

#: Bytes per activation value exchanged between GPUs (engines reduce in 16 bits at every weight precision).
ACT_BYTES = 2.0


def allreduce_s(msg_bytes, n, bw, step_s, collective_s, in_switch: bool):
    """Fastest all-reduce of ``msg_bytes`` over ``n`` chips (arrays broadcast), α–β with a per-call latency.

    ring: 2(n−1) steps, 2(n−1)/n · m/β; double binary tree: 2·log₂n steps, 2·m/β; one-shot: 1 step, each chip
    reads the n−1 others' buffers, (n−1)·m/β; in-switch (NVLS): 2 steps, m/β. Each call adds ``collective_s``.

    Ring, large message: 2·7/8 · 1 GB / 450 GB/s = 3.889 ms, plus 14 steps of 1 µs:

    >>> round(float(allreduce_s(1e9, 8, 450e9, 1e-6, 0.0, False)) * 1e3, 3)
    3.903
    >>> float(allreduce_s(1e3, 1, 450e9, 1e-6, 5e-6, True))
    0.0
    """
    m = np.asarray(msg_bytes, dtype=float)
    n = np.asarray(n, dtype=float)
    ring = 2 * (n - 1) * step_s + 2 * (n - 1) / n * m / bw
    tree = 2 * np.log2(np.maximum(n, 1)) * step_s + 2 * m / bw
    one_shot = step_s + (n - 1) * m / bw
    best = np.minimum(np.minimum(ring, tree), one_shot)
    if in_switch:
        best = np.minimum(best, 2 * step_s + m / bw)
    return np.where(n > 1, collective_s + best, 0.0)


def alltoall_s(msg_bytes, n, bw, step_s, collective_s):
    """Direct all-to-all: every chip sends (n−1)/n of ``msg_bytes`` at once, one step, one call.

    >>> float(alltoall_s(8e6, 8, 400e9, 1e-6, 0.0)) * 1e6   # 7/8 · 8 MB / 400 GB/s + 1 µs
    18.5
    """
    m = np.asarray(msg_bytes, dtype=float)
    n = np.asarray(n, dtype=float)
    return np.where(n > 1, collective_s + step_s + (n - 1) / n * m / bw, 0.0)


def _stage(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, tp, pp, ep, b_dec, b_pf,
           ctx: float, pf_ctx: float):
    """Time of one stage for one micro-batch of ``b_dec`` decoding users and ``b_pf`` prompt tokens."""
    wb = bytes_per_value(op.precision)
    k = op.spec_tokens
    M = b_dec * (k + 1) + b_pf
    # weights read: the dense part and, per MoE layer, the distinct experts the M tokens route to
    if m.experts:
        dense = float(m.active_params(1)) - m.moe_layers * m.experts_active * m.expert_params
        distinct = m.experts * (1 - (1 - m.experts_active / m.experts) ** np.maximum(M, 1e-9))
        read = dense + m.moe_layers * distinct * m.expert_params
    else:
        read = float(m.active_params(1)) + 0 * M
    kv_chip = m.kv_bytes_per_token(op.kv) / (pp * np.minimum(tp, m.kv_heads))
    bw = hw.mem_bytes_per_s * prm.gpu_mem_efficiency
    F = hw.flops(op.precision) * prm.gpu_flop_efficiency
    # GEMMs: the weights stream from HBM while the tensor cores multiply (one roofline per GEMM)
    t_wread = read * wb / (tp * pp) / bw
    expert = m.moe_layers * m.experts_active * m.expert_params if m.experts else 0.0
    dense_flops = M * 2.0 * (float(m.active_params(1)) - expert) / (tp * pp)
    expert_flops = M * 2.0 * expert / (tp * pp)
    m_exp = M * m.experts_active / m.experts if m.experts else M   # a routed expert's GEMM has M·k/E rows
    t_gemm = (dense_flops / (F * np.maximum(M / (M + prm.gemm_half_tokens), 1e-30))
              + expert_flops / (F * np.maximum(m_exp / (m_exp + prm.gemm_half_tokens), 1e-30)))
    # attention is its own kernel: decode reads each user's KV cache, prefill computes over the prompt
    attn = 4.0 * m.layers * m.heads * m.head_dim / (tp * pp)
    t_kv = b_dec * ctx * kv_chip / bw
    t_attn_cmp = attn * (b_dec * (k + 1) * ctx + b_pf * pf_ctx) / F
    t_mem = t_wread + t_kv
    t_cmp = t_gemm + t_attn_cmp
    t_core = np.maximum(t_wread, t_gemm) + np.maximum(t_kv, t_attn_cmp)
    msg = M * m.hidden_size * ACT_BYTES
    coll = prm.collective_s if hw.up_collective_s is None else hw.up_collective_s
    ar = allreduce_s(msg, tp, hw.up_bytes_per_s_per_dir, hw.up_step_latency_s, coll, hw.in_switch_reduce)
    moe_l = m.moe_layers if m.experts else 0
    spread = ep > 1
    a2a = alltoall_s(msg * m.experts_active, tp, hw.up_bytes_per_s_per_dir, hw.up_step_latency_s, coll)
    per_layer_comm = ((m.layers - moe_l) * 2 * ar + moe_l * np.where(spread, ar + 2 * a2a, 2 * ar)) / m.layers
    t_comm = m.layers / pp * (per_layer_comm + prm.gpu_layer_s)
    # the hand-off between stages: inside the domain over NVLink, beyond it over the scale-out links
    inside = tp * pp <= hw.domain_chips
    hand_bw = np.where(inside, hw.up_bytes_per_s_per_dir, hw.out_bytes_per_s_per_dir)
    hand_lat = np.where(inside, hw.up_step_latency_s, hw.out_step_latency_s)
    t_hand = np.where(pp > 1, coll + hand_lat + msg / tp / hand_bw, 0.0)
    t = t_core + t_comm + t_hand
    return t, t_mem, t_cmp, t_comm + t_hand


def iteration(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, *, tp, pp, ep, users,
              prefill: bool = True) -> dict:
    """One steady-state iteration for arrays of layouts (``tp``, ``pp``, ``ep``) and users per group.

    Returns a dict of arrays: ``period_s`` (a user's time per decode step, draft included), ``tokens_per_step``
    (τ per user), ``mem_s``, ``compute_s``, ``comm_s`` (of one stage) and ``kv_bytes_per_chip`` (KV of the users
    per chip, for the memory check).
    """
    tp, pp, ep = (np.asarray(x, dtype=float) for x in (tp, pp, ep))
    B = np.asarray(users, dtype=float)
    b = B / pp
    tau = op.tau
    b_pf = b * op.input_tokens * tau / op.output_tokens if prefill else 0.0 * b
    ctx = op.context_tokens
    t, t_mem, t_cmp, t_comm = _stage(hw, m, op, prm, tp, pp, ep, b, b_pf, ctx, op.input_tokens / 2.0)
    period = pp * t * (1.0 + op.spec_tokens * op.draft_layers / m.layers) + prm.gpu_user_s * B
    kv = B * ctx * m.kv_bytes_per_token(op.kv) / (pp * np.minimum(tp, m.kv_heads))
    return {"period_s": period, "tokens_per_step": tau + 0 * period, "mem_s": t_mem, "compute_s": t_cmp,
            "comm_s": t_comm, "kv_bytes_per_chip": kv}


def prefill_s(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, *, tp, pp, ep):
    """Time to prefill one prompt of ``op.input_tokens`` alone: it passes the ``pp`` stages in turn."""
    tp, pp, ep = (np.asarray(x, dtype=float) for x in (tp, pp, ep))
    t, *_ = _stage(hw, m, op.with_(spec_tokens=0), prm, tp, pp, ep, 0.0 * tp, op.input_tokens + 0 * tp, 0.0,
                   op.input_tokens / 2.0)
    return pp * t
