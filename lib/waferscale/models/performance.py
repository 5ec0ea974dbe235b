"""Decode, prefill, throughput and energy of transformer inference on GPU systems and on wafers.

Systems are frozen data read from the catalog (:func:`system`); models come from
:mod:`waferscale.models.workloads`; the link costs are those of :mod:`waferscale.models.interconnect` and
:mod:`waferscale.models.collectives` (ring all-reduce and direct all-to-all, α–β). The few numbers that no
datasheet gives (how well kernels use HBM, per-layer launch/sync time, a wafer layer's fixed time,
mesh traversals per layer) are the named fields of :class:`Params`, fitted in
:mod:`waferscale.fit.perffit` to catalog rows tagged ``calibration``.

The model for one *step* (a forward pass producing the next token for ``users`` users, each
verifying ``k`` speculative tokens), GPU system of N chips, tensor parallel over T = min(N, domain)
and pipeline parallel over S = ⌈N/T⌉ stages:

.. math::

   t_\\text{step} = \\max\\Big(\\frac{B_w(n) + u\\,C\\,b_{kv}}{T\\,\\beta_\\text{HBM}\\,\\eta_\\text{HBM}},
                   \\frac{n\\,F_\\text{tok}}{T\\,F\\,\\eta_F}\\Big)
                   + L\\,\\big(2\\,t_\\text{AR}(n\\,h\\,b) + o_\\text{layer}\\big) + (S-1)\\,(\\alpha_o + n h b/\\beta_o)

with n = u(k+1) tokens per step. Wafer: W = ⌈(weights + KV) / SRAM⌉ wafers, each layer a region
of A = layer bytes / SRAM per PE processing elements, side √A:

.. math::

   t_\\text{step} = \\sum_\\text{layers}\\Big[\\max(t_\\text{SRAM}, t_\\text{FLOP}) + c_\\text{layer}
                   + f_\\text{hop}\\,\\sqrt{A}\\,t_\\text{hop}\\Big] + (W-1)(\\alpha_\\text{io} + n h b/\\beta_\\text{io})

Speculative decoding: k draft tokens accepted with probability p each give
(1 − p^{k+1})/(1 − p) tokens per step, at the cost of k draft passes.

Examples
--------
>>> from waferscale.data import catalog
>>> cat = catalog.load()
>>> r = decode(cat, "h100_sxm", "llama3_1_8b", precision="bf16", params=Params.roofline())
>>> round(r.time_per_token_s * 1e3, 2)   # 15.0 GB of weights (embedding rows not read) + 2,048 tokens of KV
4.56
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, fields, replace

import numpy as np

from . import interconnect as ic
from . import workloads as wl
from ..data.catalog import Catalog
from ..core.checks import MAX_COUNT, check_choice, check_int, check_real
from .workloads import BYTES_PER_VALUE, Transformer, bytes_per_value

__all__ = ["Params", "System", "system_links", "gpu_systems", "system", "system_ids", "Decode", "decode", "prefill_s",
           "accepted_per_step", "acceptance_from_length", "max_users", "sweep", "PRECISIONS"]

PRECISIONS = tuple(BYTES_PER_VALUE)

def system_links(cat: Catalog) -> dict[str, tuple[str, str, str]]:
    """``{system: (chip, scale-up tier, scale-out tier)}`` for every system in the catalog's ``topology.csv``.

    The chip is the system's ``chip`` in ``entities.csv``, or the system itself when it is a lone chip.
    """
    chip = dict(zip(cat.entities["id"], cat.entities["chip"]))
    return {r.system: (chip.get(r.system) or r.system, r.scale_up, r.scale_out) for r in cat.topology.itertuples()}


@dataclass(frozen=True)
class Params:
    """The model's efficiency and overhead parameters (what no datasheet gives).

    Attributes
    ----------
    gpu_hbm_efficiency : float
        Share of peak HBM bandwidth decode kernels reach (0–1]. Fitted.
    gpu_layer_overhead_s : float
        Kernel-launch and synchronisation time per layer per step, beyond the all-reduces. Fitted.
    wafer_layer_s : float
        Fixed time per layer per step on a wafer (pipeline hand-over, software). Fitted.
    wafer_hop_factor : float
        Sequential mesh traversals of a layer's region per step, in units of its side × hop latency. Fitted.
    flop_efficiency : float
        Share of dense peak FLOP/s reached when compute bound (GPU and wafer). Assumed, not fitted:
        no calibration row is compute bound; its range is sampled.
    draft_layers : float
        Cost of drafting one speculative token, in target layers (EAGLE-3's draft head is one layer).
    """

    gpu_hbm_efficiency: float = 0.8
    gpu_layer_overhead_s: float = 10e-6
    wafer_layer_s: float = 10e-6
    wafer_hop_factor: float = 10.0
    flop_efficiency: float = 0.5
    draft_layers: float = 1.0

    FITTED = ("gpu_hbm_efficiency", "gpu_layer_overhead_s", "wafer_layer_s", "wafer_hop_factor")

    @classmethod
    def roofline(cls) -> "Params":
        """Bandwidth and FLOP rooflines only: full efficiency, no overheads (for checks)."""
        return cls(1.0, 0.0, 0.0, 0.0, 1.0, 1.0)

    def with_(self, **kw: float) -> "Params":
        """A copy with some fields changed."""
        return replace(self, **kw)


@dataclass(frozen=True)
class System:
    """A GPU system or a wafer system, per chip (wafer), from the catalog.

    Attributes
    ----------
    id, name, kind : str
        Catalog id, name, and ``gpu`` or ``wafer``.
    chip : str
        Catalog id of the chip.
    chips : int
        Chips (GPUs or wafers) in one system as sold (1 for a lone GPU or one CS-3).
    domain_chips : int
        Chips in one scale-up (NVLink) domain: tensor parallelism stops there.
    mem_bytes, mem_bytes_per_s : float
        Weight memory per chip (HBM, or on-wafer SRAM) and its bandwidth.
    flop_per_s : tuple of (precision, value)
        Dense peak per chip for each precision the chip computes in.
    power_w : float
        System power per chip (system power / chips, or chip TDP for a lone GPU).
    price_usd : float or None
        Price per chip where the catalog has one.
    up_bytes_per_s, up_latency_s : float
        Scale-up tier (NVLink) bandwidth per direction and α; for a wafer, its off-wafer I/O.
    out_bytes_per_s, out_latency_s : float
        Scale-out tier (between domains / wafers).
    pes, hop_latency_s : float
        Wafer only: processing elements and mesh hop latency (0 for GPUs).
    sources : tuple of str
        BibTeX keys of the numbers.
    """

    id: str
    name: str
    kind: str
    chip: str
    chips: int
    domain_chips: int
    mem_bytes: float
    mem_bytes_per_s: float
    flop_per_s: tuple[tuple[str, float], ...]
    power_w: float
    price_usd: float | None
    up_bytes_per_s: float
    up_latency_s: float
    out_bytes_per_s: float
    out_latency_s: float
    pes: float = 0.0
    hop_latency_s: float = 0.0
    sources: tuple[str, ...] = ()

    def flops(self, precision: str) -> float:
        """Dense peak for ``precision``; a chip without that rate computes in its 16-bit rate."""
        bytes_per_value(precision)
        d = dict(self.flop_per_s)
        if precision in d:
            return d[precision]
        for p in ("bf16", "fp16"):
            if p in d:
                return d[p]
        raise ValueError(f"system={self.id!r} has no dense FLOP rate in the catalog")


def _check_params(params: object) -> "Params":
    """``params`` if it is a :class:`Params`; the model never imports its calibration, so the caller passes
    it: ``waferscale.fit.perffit.fitted(cat)``, ``Params()`` or ``Params.roofline()``."""
    if not isinstance(params, Params):
        raise ValueError(f"params={params!r} is not allowed; allowed: a Params, e.g. waferscale.fit.perffit.fitted(cat) "
                         "(the calibrated values), Params() or Params.roofline()")
    return params


def system_ids(cat: Catalog | None = None) -> list[str]:
    """Ids of the systems the performance model knows (those with a row in the catalog's ``topology.csv``)."""
    if cat is None:
        from ..data.catalog import load

        cat = load()
    return list(system_links(cat))


def gpu_systems(cat: Catalog, *, multi_chip: bool | None = None) -> list[str]:
    """The GPU systems the decode model can run, in catalog order: catalog-driven, so an added chip joins.

    A system qualifies when ``topology.csv`` gives its tiers and its chip has what the model reads
    (``hbm_bytes``, ``hbm_bytes_per_s``, a dense 16-bit FLOP rate, and ``tdp_w`` or a system power).
    ``multi_chip=True`` keeps systems of several GPUs (servers, racks), ``False`` lone GPUs.

    Raises
    ------
    ValueError
        If ``multi_chip`` is not None, True or False.
    """
    if multi_chip not in (None, True, False):
        raise ValueError(f"multi_chip={multi_chip!r} is out of range; allowed: None, True, False")
    links = system_links(cat)
    out = []
    for sid in cat.ids("systems"):
        if sid not in links:
            continue
        chip = links[sid][0]
        kind = cat.entities.loc[cat.entities["id"] == chip, "kind"].iloc[0]
        if kind != "gpu":
            continue
        if not all(cat.has(sid, f) or cat.has(chip, f) for f in ("hbm_bytes", "hbm_bytes_per_s")):
            continue
        if not any(cat.has(chip, f"{p}_dense_flop_per_s") for p in ("bf16", "fp16")):
            continue
        if not (cat.has(chip, "tdp_w") or cat.has(sid, "system_power_w")):
            continue
        many = cat.has(sid, "chips") and cat.value(sid, "chips") > 1
        if multi_chip is None or many == multi_chip:
            out.append(sid)
    return out


def _first(cat: Catalog, ids: tuple[str, ...], f: str, srcs: list[str], default: float | None = None,
           per: float = 1.0, pick: str = "value") -> float | None:
    for i, d in zip(ids, (per, 1.0)):
        if i and cat.has(i, f):
            fa = cat.fact(i, f)
            srcs.extend(fa.source.split(";"))
            v = {"value": fa.value, "low": fa.range[0], "high": fa.range[1]}[pick]
            return v / d
    return default


_SYSTEM_CACHE: dict[tuple, "System"] = {}


def system(cat: Catalog, system_id: str, overrides: dict[str, str] | None = None) -> System:
    """Read one system from the catalog (cached per catalog, id and overrides); see :func:`_system`."""
    key = (id(cat), str(cat.root), system_id, tuple(sorted((overrides or {}).items())))
    hit = _SYSTEM_CACHE.get(key)
    if hit is None:
        hit = _SYSTEM_CACHE[key] = _system(cat, system_id, overrides)
    return hit


def _system(cat: Catalog, system_id: str, overrides: dict[str, str] | None = None) -> System:
    """Read one system from the catalog.

    ``overrides`` maps a catalog ``entity.field`` to ``'low'`` or ``'high'`` to take that end of
    its range (used for uncertainty sampling, e.g. ``{"wse3.fp16_dense_flop_per_s": "low"}``).

    Raises
    ------
    ValueError
        If ``system_id`` is unknown (the message lists the allowed ids).
    """
    links = system_links(cat)
    if system_id not in links:
        raise ValueError(f"system={system_id!r} is not modelled (no row in topology.csv); allowed: {', '.join(links)}")
    ov = overrides or {}
    chip, up_id, out_id = links[system_id]
    srcs: list[str] = []
    chips = int(cat.value(system_id, "chips")) if cat.has(system_id, "chips") else 1
    ids = (system_id if system_id != chip else "", chip)

    def g(f, default=None, per=float(chips), entity_pick=None):
        pick = "value"
        for e in (system_id, chip):
            if f"{e}.{f}" in ov:
                pick = ov[f"{e}.{f}"]
        return _first(cat, ids, f, srcs, default, per=per, pick=pick)

    wafer = cat.entities.loc[cat.entities["id"] == chip, "kind"].iloc[0] == "wafer"
    up, out = ic.tier(cat, up_id), ic.tier(cat, out_id)

    def lat(t: ic.Tier) -> float:
        if t.latency_s is None:  # no published α: borrow the NDR InfiniBand switch's (stated in the chapter)
            t = ic.tier(cat, "ib_ndr")
        key = f"{t.id}.latency_s"
        v = {"value": t.latency_s, "low": t.latency_low_s, "high": t.latency_high_s}[ov.get(key, "value")]
        return float(t.latency_s if v is None else v)

    srcs += list(up.sources) + list(out.sources)
    flops = []
    for p in PRECISIONS:
        v = g(f"{p}_dense_flop_per_s")
        if v is not None:
            flops.append((p, float(v)))
    if wafer:
        sram = g("sram_bytes")
        bw = g("sram_bytes_per_s")
        pes = cat.value(chip, "mesh_width_pe") * cat.value(chip, "mesh_height_pe")
        fab = ic.tier(cat, up_id)
        hop = {"value": fab.require("latency"), "low": fab.latency_low_s, "high": fab.latency_high_s}[
            ov.get(f"{up_id}.latency_s", "value")]
        io_bw = g("io_bytes_per_s", per=1.0) or out.require("bandwidth")
        power = g("system_power_w")
        return System(system_id, cat.name(system_id), "wafer", chip, chips, chips, float(sram), float(bw),
                      tuple(flops), float(power), g("price_usd"), float(io_bw), lat(out), float(io_bw), lat(out),
                      float(pes), float(hop), tuple(dict.fromkeys(srcs)))
    domain = chips if chips > 1 else int(cat.value(up_id, "domain_chips")) if cat.has(up_id, "domain_chips") else 1
    mem = g("hbm_bytes")
    bw = g("hbm_bytes_per_s")
    power = g("system_power_w") if cat.has(system_id, "system_power_w") and system_id != chip else None
    if power is None:
        power = cat.value(chip, "tdp_w")
    return System(system_id, cat.name(system_id), "gpu", chip, chips, domain, float(mem), float(bw), tuple(flops),
                  float(power), g("price_usd"), up.require("bandwidth"), lat(up), out.require("bandwidth"), lat(out),
                  0.0, 0.0, tuple(dict.fromkeys(srcs)))


# -- speculative decoding ---------------------------------------------------------------------------
def accepted_per_step(spec_tokens, spec_accept):
    """Expected tokens produced per verification step with k draft tokens accepted with probability p.

    .. math:: \\tau = \\sum_{i=0}^{k} p^i = \\frac{1 - p^{k+1}}{1 - p}

    >>> accepted_per_step(3, 0.5)
    1.875
    >>> accepted_per_step(0, 0.9)
    1.0
    """
    k = np.asarray(spec_tokens, dtype=float)
    p = np.asarray(spec_accept, dtype=float)
    out = np.where(np.abs(1 - p) < 1e-12, k + 1, (1 - p ** (k + 1)) / np.where(np.abs(1 - p) < 1e-12, 1, 1 - p))
    return float(out) if out.ndim == 0 else out


def acceptance_from_length(mean_accepted: float, spec_tokens: int) -> float:
    """Per-token acceptance p that gives mean accepted length τ with k draft tokens (bisection).

    >>> round(acceptance_from_length(1.875, 3), 6)
    0.5
    """
    k = check_int("spec_tokens", spec_tokens, 0, 1024)
    check_real("mean_accepted", mean_accepted, 1.0, k + 1.0)
    if not (1 <= mean_accepted <= spec_tokens + 1):
        raise ValueError(f"mean_accepted={mean_accepted!r} is out of range; need 1 <= tau <= spec_tokens + 1 "
                         f"= {spec_tokens + 1}")
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if accepted_per_step(spec_tokens, mid) < mean_accepted:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


# -- the vectorised core --------------------------------------------------------------------------
def _core(*, wafer, mem, mem_bw, F, up_bw, up_lat, out_bw, out_lat, domain, pes, hop_s,
          L, h, base_params, moe_layers, expert_params, E, k_exp, weight_params, layer_params,
          kvb_per_byte, attn_flops_per_ctx, b, chips, users, ctx, spec_k, spec_p, prm: Params):
    """Time per step, tokens per step and chips used, all as arrays (see the module docstring)."""
    n_tok_user = spec_k + 1.0
    weights_b = weight_params * b
    kv_user = ctx * kvb_per_byte * b
    # ---------- GPU ----------
    tp = np.minimum(chips, domain)
    pp = np.ceil(chips / tp)
    ug = np.ceil(users / pp)
    n = ug * n_tok_user
    distinct = np.where(E > 0, E * (1 - (1 - k_exp / np.maximum(E, 1)) ** n), 0.0)
    read_params = base_params + moe_layers * np.maximum(distinct - k_exp, 0) * expert_params
    flop_tok = 2 * (base_params) + attn_flops_per_ctx * ctx
    t_mem = (read_params * b + ug * kv_user) / (tp * mem_bw * prm.gpu_hbm_efficiency)
    t_cmp = n * flop_tok / (tp * F * prm.flop_efficiency)
    msg = n * h * b
    ar = np.where(tp > 1, 2 * (tp - 1) * up_lat + 2 * (tp - 1) / tp * msg / up_bw, 0.0)        # ring all-reduce
    a2a = np.where(tp > 1, (tp - 1) * up_lat + (tp - 1) / tp * msg / up_bw, 0.0)               # direct all-to-all
    t_gpu = (np.maximum(t_mem, t_cmp) + L * (2 * ar + prm.gpu_layer_overhead_s) + moe_layers * 2 * a2a
             + (pp - 1) * (out_lat + msg / out_bw))
    # ---------- wafer ----------
    need = np.ceil((weights_b + users * kv_user) / mem)
    wafers = np.maximum(chips, need)
    sram_pe = mem / np.where(pes > 0, pes, 1)
    # a token crosses the region holding the weights it uses: the layer's active bytes (for MoE the
    # routed experts it picks, not all of them), spread over PEs at the wafer's SRAM per PE
    act_layer_b = read_params / L * b
    region = np.minimum(np.maximum(act_layer_b / sram_pe, 1.0), np.where(pes > 0, pes, 1))
    side = np.sqrt(region)
    stages = L
    ugw = np.ceil(users / np.minimum(users, stages))
    nw = ugw * n_tok_user
    # a layer reads its active weights from its region's SRAM at the region's share of the bandwidth
    region_bw = mem_bw * region / np.where(pes > 0, pes, 1)
    region_f = F * region / np.where(pes > 0, pes, 1)
    t_layer_mem = (act_layer_b + ugw * kv_user / L) / region_bw
    t_layer_cmp = nw * flop_tok / L / (region_f * prm.flop_efficiency)
    t_layer = np.maximum(t_layer_mem, t_layer_cmp) + prm.wafer_layer_s + prm.wafer_hop_factor * side * hop_s
    msgw = nw * h * b
    t_wafer = L * t_layer + (wafers - 1) * (out_lat + msgw / out_bw)
    t_step = np.where(wafer, t_wafer, t_gpu)
    used = np.where(wafer, wafers, chips)
    group = np.where(wafer, ugw, ug)
    return t_step, used, group, need


def _inputs(m: Transformer, s: System, precision: str):
    b = bytes_per_value(precision)
    base = float(m.active_params(1))
    return dict(
        wafer=s.kind == "wafer", mem=s.mem_bytes, mem_bw=s.mem_bytes_per_s, F=s.flops(precision),
        up_bw=s.up_bytes_per_s, up_lat=s.up_latency_s, out_bw=s.out_bytes_per_s, out_lat=s.out_latency_s,
        domain=s.domain_chips, pes=s.pes, hop_s=s.hop_latency_s, L=m.layers, h=m.hidden_size,
        base_params=base, moe_layers=m.moe_layers, expert_params=m.expert_params, E=m.experts,
        k_exp=m.experts_active, weight_params=m.params_total, layer_params=m.layer_bytes("bf16") / 2.0,
        kvb_per_byte=m.kv_bytes_per_token("bf16") / 2.0, attn_flops_per_ctx=4.0 * m.layers * m.heads * m.head_dim,
        b=b,
    )


@dataclass(frozen=True)
class Decode:
    """Result of :func:`decode` (all per the stated configuration)."""

    system: str
    model: str
    precision: str
    chips: int
    users: int
    context_tokens: int
    spec_tokens: int
    spec_accept: float
    time_per_step_s: float
    tokens_per_step: float
    time_per_token_s: float
    tokens_per_s_per_user: float
    tokens_per_s_total: float
    time_to_first_token_s: float
    power_w: float
    energy_per_token_j: float
    tokens_per_s_per_kw: float
    tokens_per_s_per_musd: float | None
    chips_needed: int

    def as_dict(self) -> dict:
        """Plain-Python dict (JSON-ready)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _check_int(name: str, value, lo: int = 1, hi: int = MAX_COUNT) -> int:
    return check_int(name, value, lo, hi)


def _chips_needed(m: Transformer, s: System, precision: str, users: int, ctx: int) -> int:
    b = bytes_per_value(precision)
    return int(math.ceil((m.weight_bytes(precision) + users * ctx * m.kv_bytes_per_token(precision)) / s.mem_bytes))


def max_users(cat: Catalog, system_id: str, model_id: str, *, precision: str = "bf16", chips: int | None = None,
              context_tokens: int = 2048) -> int:
    """Largest concurrency whose KV cache fits beside the weights: ⌊(N·mem − weights) / (C · KV per token)⌋.

    >>> from waferscale.data import catalog
    >>> max_users(catalog.load(), "dgx_h100", "llama3_1_70b", context_tokens=2048) > 100
    True
    """
    s, m = system(cat, system_id), wl.model(cat, model_id)
    n = chips if chips is not None else max(s.chips, _chips_needed(m, s, precision, 1, context_tokens))
    n = _check_int("chips", n)
    ctx = _check_int("context_tokens", context_tokens)
    free = n * s.mem_bytes - m.weight_bytes(precision)
    u = int(free // (ctx * m.kv_bytes_per_token(precision)))
    if u < 1:
        raise ValueError(f"chips={n} leave no memory for the KV cache of {model_id!r}; it needs at least "
                         f"{_chips_needed(m, s, precision, 1, ctx)} chips of {system_id!r}")
    return u


def prefill_s(m: Transformer, s: System, precision: str, prompt_tokens: int, chips: int, prm: Params) -> float:
    """Time to process a prompt of ``prompt_tokens`` tokens (time to first token, before network).

    GPU: the larger of one weight read and the prompt's FLOPs over the tensor-parallel chips, plus per
    layer two all-reduces of the prompt's activations and the layer overhead. Wafer: the prompt's
    FLOPs over all wafers' dense peak (layers work in a pipeline) plus one pass of per-layer latency.

    .. math:: t_\\text{prefill} = \\max\\Big(\\frac{2 P_a C}{N F \\eta_F}, \\frac{B_w}{N \\beta\\eta}\\Big) + L\\,t_\\text{latency}
    """
    b = bytes_per_value(precision)
    F = s.flops(precision)
    flops = prompt_tokens * float(m.flops_per_token(prompt_tokens / 2))
    if s.kind == "wafer":
        t_lat = m.layers * (prm.wafer_layer_s + prm.wafer_hop_factor * math.sqrt(
            min(s.pes, float(m.active_params(1)) / m.layers * b / (s.mem_bytes / s.pes))) * s.hop_latency_s)
        return flops / (chips * F * prm.flop_efficiency) + t_lat + (chips - 1) * (
            s.out_latency_s + prompt_tokens * m.hidden_size * b / s.out_bytes_per_s)
    tp = min(chips, s.domain_chips)
    pp = math.ceil(chips / tp)
    msg = prompt_tokens * m.hidden_size * b
    ar = 0.0 if tp == 1 else 2 * (tp - 1) * s.up_latency_s + 2 * (tp - 1) / tp * msg / s.up_bytes_per_s
    t = max(flops / (tp * F * prm.flop_efficiency), m.weight_bytes(precision) / (tp * s.mem_bytes_per_s * prm.gpu_hbm_efficiency))
    return t + m.layers * (2 * ar + prm.gpu_layer_overhead_s) + (pp - 1) * (s.out_latency_s + msg / s.out_bytes_per_s)


def decode(cat: Catalog, system_id: str, model_id: str | Transformer, *, precision: str = "bf16",
           chips: int | None = None, users: int | str = 1, context_tokens: int = 2048, prompt_tokens: int = 1000,
           spec_tokens: int = 0, spec_accept: float = 0.0, params: Params,
           system_obj: System | None = None) -> Decode:
    """Decode speed, throughput, time to first token and energy per token of one configuration.

    Parameters
    ----------
    system_id, model_id : str
        Ids from :func:`system_ids` and :func:`waferscale.models.workloads.model_ids` (or a Transformer).
    precision : {'bf16', 'fp16', 'fp8', 'fp4'}
        Sets bytes per weight and KV value, and the FLOP rate used.
    chips : int, optional
        GPUs (or wafers). Default: the system's own count, or for wafers the number the weights and
        KV cache need (⌈bytes / SRAM⌉).
    users : int or 'max'
        Concurrent users (streams); 'max' is the largest count whose KV cache fits (:func:`max_users`).
    context_tokens : int
        Tokens in each user's context (KV cache length) while decoding.
    prompt_tokens : int
        Prompt length for the time to first token.
    spec_tokens, spec_accept : int, float
        Speculative decoding: draft tokens per step k and per-token acceptance p (0 ≤ p < 1).
    params : Params
        Efficiency/overhead parameters, an input like every other: the calibrated
        :func:`waferscale.fit.perffit.fitted`, or ``Params()`` / ``Params.roofline()`` for a what-if.

    Raises
    ------
    ValueError
        For zero or negative chips/users, an unknown precision, system or model, acceptance outside
        [0, 1), or a model that does not fit (the message says how many chips or wafers it needs).

    Examples
    --------
    >>> from waferscale.data import catalog
    >>> r = decode(catalog.load(), "cs3", "llama3_1_70b", params=Params())
    >>> r.chips                                    # 141 GB of bf16 weights / 44 GB of SRAM
    4
    """
    bytes_per_value(precision)
    s = system_obj or system(cat, system_id)
    m = model_id if isinstance(model_id, Transformer) else wl.model(cat, model_id)
    params = _check_params(params)
    ctx = _check_int("context_tokens", context_tokens)
    prompt = _check_int("prompt_tokens", prompt_tokens)
    k = _check_int("spec_tokens", spec_tokens, 0, 1024)
    p = check_real("spec_accept", spec_accept, 0.0, 1.0, hi_open=True)
    if chips is not None:
        chips = _check_int("chips", chips)
    if users == "max":
        u = max_users(cat, s.id, m.id, precision=precision, chips=chips, context_tokens=ctx) if not isinstance(
            model_id, Transformer) else 1
    else:
        u = _check_int("users", users)
    need = _chips_needed(m, s, precision, u, ctx)
    if chips is None:
        chips = max(s.chips, need) if s.kind == "wafer" else s.chips
    if s.kind == "gpu" and need > chips:
        raise ValueError(f"model={m.id!r} at {precision} with users={u} and context_tokens={ctx} needs "
                         f"{need} chips of {s.id!r} ({chips} given): weights and KV cache exceed the HBM")
    if s.kind == "wafer" and need > chips:
        raise ValueError(f"model={m.id!r} at {precision} with users={u} and context_tokens={ctx} needs "
                         f"{need} wafers ({chips} given): weights and KV cache exceed the SRAM")
    inp = _inputs(m, s, precision)
    t_step, used, group, _ = _core(**inp, chips=float(chips), users=float(u), ctx=float(ctx),
                                   spec_k=float(k), spec_p=p, prm=params)
    t_step, used = float(t_step), int(used)
    tau = accepted_per_step(k, p)
    t_draft = k * params.draft_layers / m.layers * t_step if k else 0.0
    per_token = (t_step + t_draft) / tau
    total = u * tau / (t_step + t_draft)
    power = used * s.power_w
    ttft = prefill_s(m, s, precision, prompt, used, params)
    price = None if s.price_usd is None else used * s.price_usd
    return Decode(s.id, m.id, precision, used, u, ctx, k, p, t_step + t_draft, float(u * tau), per_token,
                  1.0 / per_token, total, ttft, power, power / total, total / (power / 1e3),
                  None if price is None else total / (price / 1e6), need)


def sweep(cat: Catalog, configs, params: Params, *, context_tokens: int = 2048):
    """Vectorised decode over many configurations.

    ``configs`` is a mapping (or DataFrame) of equal-length columns: ``system``, ``model``,
    ``precision``, ``chips``, ``users`` (and optionally ``spec_tokens``, ``spec_accept``). Each
    distinct (system, model, precision) is read once; the arithmetic runs on whole arrays.
    Configurations that do not fit get NaN.

    Returns
    -------
    dict of numpy arrays: time_per_token_s, tokens_per_s_per_user, tokens_per_s_total, chips.
    """
    params = _check_params(params)
    sys_a = np.asarray(configs["system"])
    mod_a = np.asarray(configs["model"])
    pre_a = np.asarray(configs["precision"])
    chips = np.asarray(configs["chips"], dtype=float)
    users = np.asarray(configs["users"], dtype=float)
    n = len(sys_a)
    k = np.asarray(configs["spec_tokens"], dtype=float) if "spec_tokens" in configs else np.zeros(n)
    p = np.asarray(configs["spec_accept"], dtype=float) if "spec_accept" in configs else np.zeros(n)
    keys, inv = np.unique(np.stack([sys_a.astype(str), mod_a.astype(str), pre_a.astype(str)]), axis=1,
                          return_inverse=True)
    inv = inv.ravel()
    cols: dict[str, np.ndarray] = {}
    systems: dict[str, System] = {}
    mods: dict[str, Transformer] = {}
    rows = []
    for j in range(keys.shape[1]):
        sid, mid, pr = keys[:, j]
        s = systems.setdefault(sid, system(cat, sid))
        m = mods.setdefault(mid, wl.model(cat, mid))
        rows.append(_inputs(m, s, pr))
    for name in rows[0]:
        cols[name] = np.array([r[name] for r in rows], dtype=float)[inv]
    cols["wafer"] = cols["wafer"].astype(bool)
    ctx = float(context_tokens)
    t_step, used, group, need = _core(**cols, chips=chips, users=users, ctx=ctx, spec_k=k, spec_p=p, prm=params)
    tau = accepted_per_step(k, p)
    t = t_step * (1 + k * params.draft_layers / cols["L"])
    fits = cols["wafer"] | (need <= chips)
    per_token = np.where(fits, t / tau, np.nan)
    return {"time_per_token_s": per_token, "tokens_per_s_per_user": 1.0 / per_token,
            "tokens_per_s_total": users / per_token, "chips": used}
