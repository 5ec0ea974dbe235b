"""Decode on wafers, bottom up: every matrix-vector product on the region of the mesh that holds its weights.

Weights stay in SRAM, spread evenly: ``W`` wafers hold the model, layer after layer, each PE the same
``q = weight bytes / (W · PEs)``. A matrix of d_in × d_out values then occupies a region of
``A = d_in·d_out·bytes / q`` PEs, a square of side √A. One matrix-vector step for ``g`` tokens (MeshGEMV, after
WaferLLM) costs

.. math::

   t_\\text{GEMV} = \\frac{g\\,q/\\text{bytes}}{r_\\text{MAC}\\,\\eta} + 2\\sqrt{A}\\,t_\\text{hop}
                    + \\frac{g\\,(d_\\text{in} + d_\\text{out})\\,2\\text{ B}}{\\sqrt{A}\\,\\beta_\\text{link}} + c

(the PE's share of MACs at its MAC rate; the input broadcast along one side and the partial sums reduced along
the other, √A hops each; the activation slices over one PE link; ``c`` the fixed cost of one step: the wafer's
one fitted residual). A layer chains its products (QKV → attention → O → gate/up → down; an MoE layer's token
also travels to the region of its routed expert and back). Every region is a pipeline stage: ``B`` users in
micro-batches of ``g``, each step verifying k + 1 tokens that stream one behind the other, give a user's period

.. math:: T = \\max\\big(T_\\text{pass}(g) + k\\,t_\\text{stage}(g) + T_\\text{draft},\\;
          (B/g)\\,(k + 1 + I\\tau/O)\\,t_\\text{stage}(g)\\big)

with ``T_pass`` the chain of every region plus (W−1) hand-offs over the wafers' Ethernet I/O, and
``t_stage`` the slowest region; the I τ / O slots are the prompts of the requests that replace finished ones. Speculative decoding drafts k tokens with a draft model held on the same wafers
(its real cost), or an EAGLE-style head of ``draft_layers`` layers.

Because every region holds the same bytes per PE, the MAC time of a product does not depend on its size: a
small expert runs on few PEs. A mixture-of-experts model therefore costs the wafer in proportion to its *total*
weights per PE, not its active ones.
"""

from __future__ import annotations

import math

import numpy as np

from ..workloads import Transformer, bytes_per_value
from .gpu import ACT_BYTES
from .hardware import Hardware
from .point import OperatingPoint, ServeParams

__all__ = ["wafers_needed", "groups", "timing", "iteration", "prefill_s"]


def groups(m: Transformer) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """The chained matrix products of one layer as ``(d_in, d_out, parallel copies)``: dense layers, MoE layers.

    >>> from waferscale.data import catalog
    >>> from waferscale.models.workloads import model
    >>> dense, moe = groups(model(catalog.load(), "llama3_1_8b"))
    >>> [d for d in dense]
    [(4096.0, 6144.0, 1.0), (4096.0, 4096.0, 1.0), (4096.0, 28672.0, 1.0), (14336.0, 4096.0, 1.0)]
    """
    h, hd = float(m.hidden_size), float(m.head_dim)
    attn = [(h, (m.heads + 2 * m.kv_heads) * hd, 1.0), (m.heads * hd, h, 1.0)]
    i_d = float(m.intermediate_size_dense or m.intermediate_size)
    dense = attn + [(h, 2 * i_d, 1.0), (i_d, h, 1.0)]
    if not m.experts:
        return dense, []
    i_e = float(m.intermediate_size)
    copies = float(m.experts_active + m.shared_experts)
    return dense, attn + [(h, 2 * i_e, copies), (i_e, h, copies)]


def wafers_needed(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, users=1.0,
                  draft: Transformer | None = None):
    """Wafers whose usable SRAM holds the weights (and the draft's) plus the users' KV cache."""
    need = m.weight_bytes(op.precision) + (draft.weight_bytes(op.precision) if draft else 0.0)
    kv = np.asarray(users, dtype=float) * op.context_tokens * m.kv_bytes_per_token(op.kv)
    return np.ceil((need + kv) / (hw.mem_bytes * prm.wafer_sram_usable))


def _pass(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, q, g, ctx):
    """(time of one layer, time of the whole pass without hand-offs, MAC part, fixed part) for ``g`` tokens."""
    wb = bytes_per_value(op.precision)
    mac = hw.flops(op.precision) / (2.0 * hw.pes) * prm.wafer_flop_efficiency
    per_pe = q / wb                                    # weights per PE
    link, hop = hw.pe_link_bytes_per_s_per_dir, hw.hop_latency_s

    def gemv(d_in, d_out):
        side = np.sqrt(np.maximum(d_in * d_out * wb / q, 1.0))
        return (g * per_pe / mac + 2 * side * hop + g * (d_in + d_out) * ACT_BYTES / (side * link) + prm.wafer_gemv_s,
                g * per_pe / mac)

    dense, moe = groups(m)
    layer_bytes = m.weight_bytes(op.precision) / m.layers
    side_l = np.sqrt(layer_bytes / q)
    # attention for each token: its context's K and V of this layer, read across the layer's region
    kv_l = m.kv_bytes_per_token(op.kv) / m.layers
    pe_bw = hw.mem_bytes_per_s / hw.pes
    t_attn = g * ctx * kv_l / (side_l ** 2 * pe_bw) + 2 * side_l * hop

    def layer(gs, travel):
        times = [gemv(a, b) for a, b, _ in gs]
        t = sum(t for t, _ in times) + t_attn + travel
        t_mac = sum(m for _, m in times)
        stage = np.maximum.reduce([t for t, _ in times])
        return t, t_mac, stage

    t_d, mac_d, st_d = layer(dense, 0.0)
    n_moe = m.moe_layers if m.experts else 0
    if n_moe:
        t_m, mac_m, st_m = layer(moe, 2 * side_l * hop)
    else:
        t_m, mac_m, st_m = 0.0 * t_d, 0.0 * t_d, 0.0 * t_d
    head, head_mac = gemv(float(m.hidden_size), float(m.vocab_size))
    n_dense = m.layers - n_moe
    total = n_dense * t_d + n_moe * t_m + head
    fixed = (n_dense * len(dense) + n_moe * len(moe) + 1) * prm.wafer_gemv_s
    macs = n_dense * mac_d + n_moe * mac_m + head_mac
    # a stage of the pipeline is one matrix region: the slowest one sets the pace of a token stream
    stage = np.maximum(np.maximum(st_d, st_m), head)
    return stage, total, macs, fixed


def timing(hw: Hardware, m: Transformer, op: OperatingPoint, prm: ServeParams, *, wafers, users, group,
           draft: Transformer | None = None) -> dict:
    """A user's decode period on ``wafers`` wafers with ``users`` users in micro-batches of ``group`` (arrays).

    Returns arrays ``period_s``, ``tokens_per_step`` (τ), ``mac_s`` (MAC share of one pass), ``fixed_s`` (the
    fitted residual's share of one pass), ``pass_s`` (one pass of one micro-batch).
    """
    W = np.asarray(wafers, dtype=float)
    B = np.asarray(users, dtype=float)
    g = np.minimum(np.asarray(group, dtype=float), B)
    dbytes = draft.weight_bytes(op.precision) if draft else 0.0
    q = (m.weight_bytes(op.precision) + dbytes) / (W * hw.pes)
    k = op.spec_tokens
    ctx = op.context_tokens
    t_stage, t_pass, macs, fixed = _pass(hw, m, op, prm, q, g, ctx)
    hand = hw.out_step_latency_s + g * m.hidden_size * ACT_BYTES / hw.out_bytes_per_s_per_dir
    # the k + 1 tokens a step verifies stream through the regions one behind the other
    verify = t_pass + (W - 1) * hand + k * np.maximum(t_stage, hand)
    if k and draft is not None:
        _, d_pass, _, d_fixed = _pass(hw, draft, op, prm, q, g, ctx)
        t_draft = k * d_pass
        fixed = fixed + k * d_fixed
    elif k:
        t_draft = k * op.draft_layers * t_pass / m.layers
    else:
        t_draft = 0.0 * verify
    step = verify + t_draft
    # B users in micro-batches of g share each region: each micro-batch holds it for k + 1 token slots, and the
    # prompts of the requests that replace finished ones (B·τ/O per step, I tokens each) stream through it too
    slots = (k + 1) + op.input_tokens * op.tau / op.output_tokens
    period = np.maximum(step, (B / g) * slots * np.maximum(t_stage, hand) * (1 + t_draft / np.maximum(verify, 1e-30)))
    return {"period_s": period, "tokens_per_step": op.tau + 0 * period, "mac_s": macs, "fixed_s": fixed,
            "pass_s": step}


def iteration(hw, m, op, prm, *, wafers, users, draft=None) -> dict:
    """:func:`timing` at the best micro-batch size (a power of two up to the users) for each entry."""
    W = np.atleast_1d(np.asarray(wafers, dtype=float))
    B = np.atleast_1d(np.asarray(users, dtype=float))
    W, B = np.broadcast_arrays(W, B)
    best = None
    top = int(max(1, math.ceil(math.log2(max(float(B.max()), 1.0))))) + 1
    for e in range(top):
        g = np.minimum(2.0 ** e, B)
        r = timing(hw, m, op, prm, wafers=W, users=B, group=g, draft=draft)
        if best is None:
            best = r
        else:
            better = r["period_s"] < best["period_s"]
            best = {key: np.where(better, r[key], best[key]) for key in r}
    return best


def prefill_s(hw, m, op, prm, *, wafers, draft=None):
    """A prompt streamed through the layer pipeline in chunks of up to 64 tokens (the best of 1–64)."""
    I = op.input_tokens
    out = None
    W = np.asarray(wafers, dtype=float)
    dbytes = draft.weight_bytes(op.precision) if draft else 0.0
    q = (m.weight_bytes(op.precision) + dbytes) / (W * hw.pes)
    for g in (1, 4, 16, 64):
        g = min(g, I)
        t_stage, t_pass, _, _ = _pass(hw, m, op.with_(spec_tokens=0), prm, q, float(g), op.input_tokens / 2.0)
        hand = hw.out_step_latency_s + g * m.hidden_size * ACT_BYTES / hw.out_bytes_per_s_per_dir
        t = t_pass + (W - 1) * hand + (math.ceil(I / g) - 1) * np.maximum(t_stage, hand)
        out = t if out is None else np.minimum(out, t)
    return out
