"""Collective communication in the α–β model: closed forms and one decode step (the all-reduce calibration is
:mod:`waferscale.fit.allreduce`).

Every function is pure: numbers in, a :class:`Result` out. For ``N`` ranks exchanging a buffer of
``n`` bytes over links of bandwidth β per direction (``bytes_per_s_per_dir``) and start-up α
(``latency_s``):

============================  =================================================  ===========
operation                     time                                               bus factor
============================  =================================================  ===========
ring all-reduce               2(N−1)α + 2(N−1)/N · n/β                           2(N−1)/N
tree all-reduce (double       2⌈log₂N⌉α + 2n/β                                   2(N−1)/N
binary tree, pipelined)
in-switch all-reduce          2α + (N+1)/N · n/β                                 2(N−1)/N
(NVLink SHARP style)
reduce-scatter, all-gather    (N−1)α + (N−1)/N · n/β                             (N−1)/N
all-to-all (direct)           (N−1)α + (N−1)/N · n/β                             (N−1)/N
============================  =================================================  ===========

``n`` is the whole buffer, as in nccl-tests; *algorithm bandwidth* is n/t and *bus bandwidth* is
algorithm bandwidth times the bus factor, so that a perfect implementation's bus bandwidth equals
the link bandwidth β (nccl-tests' definition). Energy is the bytes put on links times 8 times the
tier's energy per bit. With one rank, or an empty buffer, nothing moves: time, energy and bus
bandwidth are 0.

What the model assumes: links are full duplex and uncontended (a switched tier is non-blocking);
α is paid once per algorithm step; no overlap with computation; every byte on a link costs the
tier's end-to-end energy per bit.

Examples
--------
>>> r = ring_all_reduce(1e9, ranks=8, bytes_per_s_per_dir=450e9, latency_s=1e-6)
>>> round(r.time_s * 1e3, 3), round(r.bus_bandwidth_bytes_per_s / 1e9, 1)
(3.903, 448.4)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from . import interconnect as ic
from ..data.catalog import Catalog
from .interconnect import check_bytes, check_positive, check_ranks

__all__ = [
    "Result",
    "OPS",
    "ring_all_reduce",
    "tree_all_reduce",
    "switch_all_reduce",
    "reduce_scatter",
    "all_gather",
    "all_to_all",
    "hierarchical_all_reduce",
    "mesh_all_reduce",
    "collective",
    "decode_step",
    "weights_bytes",
    "wafers_needed",
]


@dataclass(frozen=True)
class Result:
    """Outcome of one collective.

    Attributes
    ----------
    time_s : float
        Completion time.
    bus_bandwidth_bytes_per_s : float
        Algorithm bandwidth n/t times the operation's bus factor (nccl-tests' definition).
    energy_j : float
        Energy of the bytes on links (8 · bytes · energy per bit).
    link_bytes : float
        Bytes put on links in total, all ranks together.
    algorithm : str
        Which algorithm the numbers describe.
    """

    time_s: float
    bus_bandwidth_bytes_per_s: float
    energy_j: float
    link_bytes: float
    algorithm: str


def _result(n: float, ranks: int, time_s: float, bus_factor: float, link_bytes: float, e: float, algo: str) -> Result:
    if ranks == 1 or n == 0:
        return Result(0.0, 0.0, 0.0, 0.0, algo)
    busbw = bus_factor * n / time_s if time_s > 0 else 0.0  # t underflows only for sub-byte n with α = 0
    return Result(time_s, busbw, 8.0 * link_bytes * e, link_bytes, algo)


def _inputs(message_bytes, ranks, bytes_per_s_per_dir, latency_s, energy_j_per_bit):
    return (check_bytes("message_bytes", message_bytes), check_ranks("ranks", ranks),
            check_positive("bytes_per_s_per_dir", bytes_per_s_per_dir), check_bytes("latency_s", latency_s),
            check_bytes("energy_j_per_bit", energy_j_per_bit))


def ring_all_reduce(message_bytes: float, ranks: int, bytes_per_s_per_dir: float, latency_s: float,
                    energy_j_per_bit: float = 0.0) -> Result:
    """Ring all-reduce: a reduce-scatter then an all-gather around a ring of N ranks.

    .. math:: t = 2(N-1)\\,\\alpha + \\frac{2(N-1)}{N}\\,\\frac{n}{\\beta}, \\qquad
              \\text{busbw} = \\frac{2(N-1)}{N}\\,\\frac{n}{t} \\to \\beta \\text{ as } n \\to \\infty

    Each rank sends 2(N−1)/N · n bytes, so 2(N−1)·n bytes cross links in all.

    Examples
    --------
    8 ranks, 1 GB, β = 450 GB/s, α = 1 µs: 14 µs + 1.75 x 1e9 / 450e9 = 3.903 ms; bus bandwidth
    1.75 x 1e9 / 3.903 ms = 448 GB/s, close to β.

    >>> round(ring_all_reduce(1e9, 8, 450e9, 1e-6).time_s, 6)
    0.003903
    """
    n, N, beta, alpha, e = _inputs(message_bytes, ranks, bytes_per_s_per_dir, latency_s, energy_j_per_bit)
    t = 2 * (N - 1) * alpha + 2 * (N - 1) / N * n / beta
    return _result(n, N, t, 2 * (N - 1) / N, 2 * (N - 1) * n, e, "ring")


def tree_all_reduce(message_bytes: float, ranks: int, bytes_per_s_per_dir: float, latency_s: float,
                    energy_j_per_bit: float = 0.0) -> Result:
    """Double-binary-tree all-reduce (pipelined reduce up, broadcast down).

    .. math:: t = 2\\lceil\\log_2 N\\rceil\\,\\alpha + 2\\,\\frac{n}{\\beta}

    Fewer α terms than the ring (log N instead of N), so it wins for small messages and many
    ranks; its bandwidth term is 2n/β, so its bus bandwidth tends to β(N−1)/N.

    Examples
    --------
    8 ranks, 1 KB, β = 450 GB/s, α = 1 µs: tree 6 µs + 4.4 ns; ring 14 µs + 3.9 ns.

    >>> round(tree_all_reduce(1e3, 8, 450e9, 1e-6).time_s * 1e6, 3)
    6.004
    """
    n, N, beta, alpha, e = _inputs(message_bytes, ranks, bytes_per_s_per_dir, latency_s, energy_j_per_bit)
    t = 2 * math.ceil(math.log2(N)) * alpha + 2 * n / beta
    return _result(n, N, t, 2 * (N - 1) / N, 2 * (N - 1) * n, e, "tree")


def switch_all_reduce(message_bytes: float, ranks: int, bytes_per_s_per_dir: float, latency_s: float,
                      energy_j_per_bit: float = 0.0) -> Result:
    """All-reduce with the reduction done inside the switch (NVLink SHARP / NVLS style).

    Each rank reads the switch-reduced sum of its 1/N share and writes it back for multicast, so
    each link carries n + n/N bytes per direction:

    .. math:: t = 2\\alpha + \\frac{N+1}{N}\\,\\frac{n}{\\beta}, \\qquad
              \\text{busbw} \\to \\frac{2(N-1)}{N+1}\\,\\beta

    Examples
    --------
    8 ranks: the bus bandwidth tends to 14/9 β, 1.56 times the ring's.

    >>> r = switch_all_reduce(1e12, 8, 450e9, 0.0)
    >>> round(r.bus_bandwidth_bytes_per_s / 450e9, 3)
    1.556
    """
    n, N, beta, alpha, e = _inputs(message_bytes, ranks, bytes_per_s_per_dir, latency_s, energy_j_per_bit)
    t = 2 * alpha + (N + 1) / N * n / beta
    return _result(n, N, t, 2 * (N - 1) / N, (N + 1) * n, e, "in-switch")


def reduce_scatter(message_bytes: float, ranks: int, bytes_per_s_per_dir: float, latency_s: float,
                   energy_j_per_bit: float = 0.0) -> Result:
    """Ring reduce-scatter of an n-byte buffer: each rank ends with the sum of its 1/N share.

    .. math:: t = (N-1)\\,\\alpha + \\frac{N-1}{N}\\,\\frac{n}{\\beta}, \\qquad
              \\text{busbw} = \\frac{N-1}{N}\\,\\frac{n}{t}

    Examples
    --------
    >>> round(reduce_scatter(8e9, 8, 400e9, 0.0).time_s, 4)
    0.0175
    """
    n, N, beta, alpha, e = _inputs(message_bytes, ranks, bytes_per_s_per_dir, latency_s, energy_j_per_bit)
    t = (N - 1) * alpha + (N - 1) / N * n / beta
    return _result(n, N, t, (N - 1) / N, (N - 1) * n, e, "ring")


def all_gather(message_bytes: float, ranks: int, bytes_per_s_per_dir: float, latency_s: float,
               energy_j_per_bit: float = 0.0) -> Result:
    """Ring all-gather into an n-byte buffer (each rank contributes n/N); same cost as reduce-scatter.

    .. math:: t = (N-1)\\,\\alpha + \\frac{N-1}{N}\\,\\frac{n}{\\beta}

    Examples
    --------
    >>> all_gather(8e9, 8, 400e9, 0.0).time_s == reduce_scatter(8e9, 8, 400e9, 0.0).time_s
    True
    """
    return reduce_scatter(message_bytes, ranks, bytes_per_s_per_dir, latency_s, energy_j_per_bit)


def all_to_all(message_bytes: float, ranks: int, bytes_per_s_per_dir: float, latency_s: float,
               energy_j_per_bit: float = 0.0) -> Result:
    """Direct all-to-all on a non-blocking switch: each rank sends n/N bytes to each other rank.

    .. math:: t = (N-1)\\,\\alpha + \\frac{N-1}{N}\\,\\frac{n}{\\beta}

    (On a switched tier the N−1 sends share the rank's link; a mesh or torus would instead be
    limited by its bisection.)

    Examples
    --------
    >>> round(all_to_all(1e9, 4, 100e9, 0.0).time_s, 4)
    0.0075

    Its α–β cost equals the ring reduce-scatter's, so it is computed by that function and relabelled.
    """
    return replace(reduce_scatter(message_bytes, ranks, bytes_per_s_per_dir, latency_s, energy_j_per_bit),
                   algorithm="direct")


def hierarchical_all_reduce(message_bytes: float, ranks_per_node: int, nodes: int,
                            inner_bytes_per_s_per_dir: float, inner_latency_s: float,
                            outer_bytes_per_s_per_dir: float, outer_latency_s: float,
                            inner_energy_j_per_bit: float = 0.0, outer_energy_j_per_bit: float = 0.0) -> Result:
    """All-reduce over G·M ranks: G per node on a fast tier (NVLink), M nodes on a slow one (InfiniBand).

    Reduce-scatter inside each node, ring all-reduce of the n/G shares across nodes (each GPU
    over its own NIC, rail-aligned), all-gather inside the node:

    .. math:: t = t_{RS}(n, G; \\beta_{in}) + t_{AR}(n/G, M; \\beta_{out}) + t_{AG}(n, G; \\beta_{in})

    Bus bandwidth uses N = G·M. For large n and many nodes the cross-node ring moves
    2·n/G bytes per GPU at β_out, so the bus bandwidth tends to G·β_out / (1 + G·β_out/β_in):
    the slow tier sets the pace.

    Examples
    --------
    2 nodes of 8 GPUs, 1 GB, NVLink 450 GB/s and IB 50 GB/s, α = 0: reduce-scatter and
    all-gather take 1.94 ms each inside the node; the cross-node ring moves 125 MB per GPU
    (2.5 ms): 6.39 ms in all.

    >>> round(hierarchical_all_reduce(1e9, 8, 2, 450e9, 0, 50e9, 0).time_s * 1e3, 2)
    6.39
    """
    n = check_bytes("message_bytes", message_bytes)
    G = check_ranks("ranks_per_node", ranks_per_node)
    M = check_ranks("nodes", nodes)
    check_ranks("ranks_per_node * nodes", G * M)
    check_positive("inner_bytes_per_s_per_dir", inner_bytes_per_s_per_dir)
    check_positive("outer_bytes_per_s_per_dir", outer_bytes_per_s_per_dir)
    check_bytes("inner_latency_s", inner_latency_s)
    check_bytes("outer_latency_s", outer_latency_s)
    check_bytes("inner_energy_j_per_bit", inner_energy_j_per_bit)
    check_bytes("outer_energy_j_per_bit", outer_energy_j_per_bit)
    rs = reduce_scatter(n, G, inner_bytes_per_s_per_dir, inner_latency_s, inner_energy_j_per_bit)
    ar = ring_all_reduce(n / G, M, outer_bytes_per_s_per_dir, outer_latency_s, outer_energy_j_per_bit)
    # every GPU of the node runs its own cross-node ring: G rings in parallel
    ag = all_gather(n, G, inner_bytes_per_s_per_dir, inner_latency_s, inner_energy_j_per_bit)
    N = G * M
    t = rs.time_s + ar.time_s + ag.time_s
    link = M * (rs.link_bytes + ag.link_bytes) + G * ar.link_bytes
    energy = M * (rs.energy_j + ag.energy_j) + G * ar.energy_j
    if N == 1 or n == 0:
        return Result(0.0, 0.0, 0.0, 0.0, "hierarchical")
    return Result(t, 2 * (N - 1) / N * n / t if t > 0 else 0.0, energy, link, "hierarchical")


def mesh_all_reduce(message_bytes: float, width_pe: int, height_pe: int, link_bytes_per_s_per_dir: float,
                    hop_latency_s: float, energy_j_per_bit_per_hop: float = 0.0) -> Result:
    """All-reduce of an n-byte vector held by every PE of a W x H mesh; the faster of two algorithms.

    *Reduce to the centre and broadcast back* (pipelined along a spanning tree): few hops, but every
    byte funnels through the centre's links:

    .. math:: t_c = 2(\\lfloor W/2\\rfloor + \\lfloor H/2\\rfloor)\\,\\alpha_{hop} + 2\\,n/b

    *2-D ring* (reduce-scatter along rows, all-reduce along columns, all-gather along rows; a ring
    folded onto a line costs 2 hops per step):

    .. math:: t_r = 4(W-1+H-1)\\,\\alpha_{hop} + \\frac{2(W-1)}{W}\\frac{n}{b} + \\frac{2(H-1)}{H}\\frac{n}{W b}

    Bus bandwidth uses N = W·H. Energy counts byte-hops: 2(WH−1)·n for the tree, about
    2 hops per ring step for the 2-D ring.

    Examples
    --------
    A 16 KB vector over a 211 x 211 region with 4.4 GB/s links and 0.909 ns hops: the centre
    algorithm needs 420 hops (0.38 µs) plus 7.4 µs of streaming.

    >>> round(mesh_all_reduce(16384, 211, 211, 4.4e9, 0.909e-9).time_s * 1e6, 2)
    7.83
    """
    n = check_bytes("message_bytes", message_bytes)
    W = check_ranks("width_pe", width_pe)
    H = check_ranks("height_pe", height_pe)
    b = check_positive("link_bytes_per_s_per_dir", link_bytes_per_s_per_dir)
    a = check_bytes("hop_latency_s", hop_latency_s)
    e = check_bytes("energy_j_per_bit_per_hop", energy_j_per_bit_per_hop)
    P = W * H
    t_c = 2 * (W // 2 + H // 2) * a + 2 * n / b
    hops_c = 2 * (P - 1) * n
    t_r = 4 * (W - 1 + H - 1) * a + 2 * (W - 1) / W * n / b + 2 * (H - 1) / H * n / (W * b)
    hops_r = 2 * P * (2 * (W - 1) / W * n + 2 * (H - 1) / H * n / W)
    t, byte_hops, algo = (t_c, hops_c, "mesh: centre") if t_c <= t_r else (t_r, hops_r, "mesh: 2-D ring")
    return _result(n, P, t, 2 * (P - 1) / P, byte_hops, e, algo)


#: Operations on a switched tier, by CLI name.
OPS = {
    "all_reduce": ring_all_reduce,
    "tree_all_reduce": tree_all_reduce,
    "switch_all_reduce": switch_all_reduce,
    "reduce_scatter": reduce_scatter,
    "all_gather": all_gather,
    "all_to_all": all_to_all,
}


def collective(cat: Catalog, tier_id: str, op: str, ranks: int, message_bytes: float) -> Result:
    """Run ``op`` for ``ranks`` ranks on catalog tier ``tier_id`` (its β, α and energy per bit).

    For the on-wafer fabric (kind ``on_chip``) ``all_reduce`` is :func:`mesh_all_reduce` on the
    most nearly square W x H sub-mesh with W·H = ``ranks``; other operations need a switched
    tier. A tier without a published α raises, naming the tier (the model does not invent a
    number); a tier without a published energy per bit returns ``energy_j = nan``.

    Raises
    ------
    ValueError
        Unknown tier or op, bad ranks or bytes, or a tier lacking bandwidth, α or energy.
    """
    if op not in OPS:
        raise ValueError(f"op={op!r} is not a known collective; allowed: {', '.join(OPS)}")
    n = check_bytes("message_bytes", message_bytes)
    N = check_ranks("ranks", ranks)
    t = ic.tier(cat, tier_id)
    beta, alpha = t.require("bandwidth"), t.require("latency")
    e = 0.0 if t.energy_j_per_bit is None else t.energy_j_per_bit
    if t.kind == "on_chip":
        if op != "all_reduce":
            raise ValueError(f"op={op!r} is not modelled on the mesh tier {tier_id!r}; allowed: all_reduce")
        W = int(math.isqrt(N))
        while N % W:
            W -= 1
        r = mesh_all_reduce(n, W, N // W, beta, alpha, e)
    else:
        r = OPS[op](n, N, beta, alpha, e)
    if t.energy_j_per_bit is None and r.link_bytes > 0:
        r = Result(r.time_s, r.bus_bandwidth_bytes_per_s, float("nan"), r.link_bytes, r.algorithm)
    return r


# -- one decode step of a transformer -------------------------------------------------------------
def weights_bytes(cat: Catalog, workload: str, bytes_per_value: float = 2.0) -> float:
    """Bytes of a model's weights: total parameters x bytes per value (2 for bf16)."""
    return cat.value(workload, "params_total") * check_positive("bytes_per_value", bytes_per_value)


def wafers_needed(cat: Catalog, workload: str, wafer: str = "wse3", bytes_per_value: float = 2.0) -> int:
    """Wafers whose SRAM together holds the weights: ⌈weights / SRAM per wafer⌉ (KV cache ignored)."""
    return int(math.ceil(weights_bytes(cat, workload, bytes_per_value) / cat.value(wafer, "sram_bytes")))


def decode_step(cat: Catalog, workload: str = "llama3_1_70b", *, gpus: int = 8, gpu: str = "h100_sxm",
                gpu_system: str = "dgx_h100", gpu_tier: str = "nvlink4", wafer: str = "wse3", wafer_system: str = "cs3",
                fabric: str = "wse3_fabric", wafer_link: str = "cs_ethernet_io", bytes_per_value: float = 2.0,
                batch: int = 1, bound: str = "value") -> pd.DataFrame:
    """Communication inside one decode step of a dense transformer, on GPUs and on wafers.

    **GPUs** (tensor parallel over ``gpus`` in one NVLink domain): two ring all-reduces per layer
    (after attention and after the MLP) of ``batch · hidden_size · bytes_per_value`` bytes.
    Local work per step is bounded below by reading the weights from HBM,
    weights / (gpus · HBM bandwidth), or the arithmetic 2·params·batch / (gpus · peak), whichever
    is larger: all GPUs work on every layer.

    **Wafers** (layers pipelined over ⌈weights / SRAM⌉ wafers, weights in SRAM): each layer owns a
    square region of its wafer's mesh; each of its two matrix products ends in a reduction of the
    partial sums along one row of the region (a :func:`mesh_all_reduce` over R PEs of the
    hidden/R-byte slices), and the layer hands its activation to the next layer's region
    (√(region) hops, over R links in parallel). Between wafers the activation crosses the
    off-wafer link (α + n/β). Local work: at batch 1 only the active layer's region works, so a
    wafer holding L layers runs each layer at 1/L of its SRAM bandwidth and dense peak:
    L · max(weights / SRAM bandwidth, 2·params·batch / peak) over the whole model.

    Energy: communication energy is the bits moved times energy per bit (per hop on the mesh);
    the step's energy is the systems' power times the step time, so the share says what fraction
    of the energy drawn while decoding goes into moving activations.

    ``bound`` ('value', 'low', 'high') picks catalog α and energy from their ranges; 'low' is the
    optimistic end for communication.

    Returns
    -------
    DataFrame
        One row per (system, component) with columns system, component, time_s, energy_j, plus
        step_time_s, step_energy_j, time_share, energy_share, and attrs with the inputs used.
    """
    if bound not in ("value", "low", "high"):
        raise ValueError(f"bound={bound!r} is not allowed; use 'value', 'low' or 'high'")
    G = check_ranks("gpus", gpus)
    B = check_ranks("batch", batch)
    pick = {"value": 0, "low": 1, "high": 2}[bound]
    h = cat.value(workload, "hidden_size")
    layers = int(cat.value(workload, "layers"))
    params = cat.value(workload, "params_total")
    act_bytes = B * h * check_positive("bytes_per_value", bytes_per_value)
    wbytes = weights_bytes(cat, workload, bytes_per_value)

    def tri(t: ic.Tier, q: str) -> float:
        if q == "latency":
            return (t.require("latency"), t.latency_low_s, t.latency_high_s)[pick]  # type: ignore[return-value]
        return (t.require("energy"), t.energy_low_j_per_bit, t.energy_high_j_per_bit)[pick]  # type: ignore[return-value]

    # GPUs
    nv = ic.tier(cat, gpu_tier)
    ar = ring_all_reduce(act_bytes, G, nv.require("bandwidth"), tri(nv, "latency"), tri(nv, "energy"))
    gpu_comm_t, gpu_comm_e = 2 * layers * ar.time_s, 2 * layers * ar.energy_j
    flops = 2 * params * B
    gpu_local_t = max(wbytes / (G * cat.value(gpu, "hbm_bytes_per_s")), flops / (G * cat.value(gpu, "bf16_dense_flop_per_s")))
    gpu_power = G * cat.value(gpu, "tdp_w")
    # wafers
    wafers = wafers_needed(cat, workload, wafer, bytes_per_value)
    m = ic.mesh(cat, wafer, fabric)
    e_hop = (m.energy_j_per_bit_per_hop, m.energy_low_j_per_bit_per_hop, m.energy_high_j_per_bit_per_hop)[pick]
    a_hop = (m.hop_latency_s, ic.tier(cat, fabric).latency_low_s, ic.tier(cat, fabric).latency_high_s)[pick]
    layers_per_wafer = math.ceil(layers / wafers)
    side = max(1, int(math.isqrt(m.pes // layers_per_wafer)))
    red = mesh_all_reduce(act_bytes / side, side, 1, m.link_bytes_per_s_per_dir, a_hop, e_hop)
    # all rows of the region reduce in parallel: time of one row, energy of all rows
    red_t, red_e = red.time_s, red.energy_j * side
    hand_t = ic.p2p_time_s(act_bytes, side * m.link_bytes_per_s_per_dir, side * a_hop)
    hand_e = ic.p2p_energy_j(act_bytes, e_hop) * side
    mesh_t = layers * (2 * red_t + hand_t)
    mesh_e = layers * (2 * red_e + hand_e)
    link = ic.tier(cat, wafer_link)
    io_bw = cat.value(wafer_system, "io_bytes_per_s") if cat.has(wafer_system, "io_bytes_per_s") else link.require("bandwidth")
    path = ic.scaleout_path(cat, max(2, wafers), bound=bound)
    cross_t = (wafers - 1) * ic.p2p_time_s(act_bytes, io_bw, tri(link, "latency"))
    cross_e = (wafers - 1) * ic.p2p_energy_j(act_bytes, path.total_j_per_bit)
    wafer_local_t = layers_per_wafer * max(wbytes / cat.value(wafer, "sram_bytes_per_s"),
                                           flops / cat.value(wafer, "fp16_dense_flop_per_s"))
    wafer_power = wafers * cat.value(wafer_system, "system_power_w")

    rows = [
        ("gpus", "local work (weights, arithmetic)", gpu_local_t, None),
        ("gpus", "between chips (NVLink all-reduce)", gpu_comm_t, gpu_comm_e),
        ("wafers", "local work (weights, arithmetic)", wafer_local_t, None),
        ("wafers", "on the wafer (mesh)", mesh_t, mesh_e),
        ("wafers", "between chips (wafer to wafer)", cross_t, cross_e),
    ]
    df = pd.DataFrame(rows, columns=["system", "component", "time_s", "comm_energy_j"])
    step_t = df.groupby("system")["time_s"].transform("sum")
    power = df["system"].map({"gpus": gpu_power, "wafers": wafer_power})
    df["step_time_s"] = step_t
    df["step_energy_j"] = power * step_t
    df["time_share"] = df["time_s"] / step_t
    comm_total = df.groupby("system")["comm_energy_j"].transform(lambda s: s.fillna(0.0).sum())
    df["energy_j"] = df["comm_energy_j"].fillna(df["step_energy_j"] - comm_total)
    df["energy_share"] = df["energy_j"] / df["step_energy_j"]
    df = df.drop(columns="comm_energy_j")
    df.attrs.update({"workload": workload, "gpus": G, "wafers": wafers, "message_bytes": act_bytes,
                     "region_side_pe": side, "layers": layers, "bound": bound})
    return df
