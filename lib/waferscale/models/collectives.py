"""Collective communication in the α–β model: closed forms (one decode step's communication is
:mod:`waferscale.models.decode_comm`; the all-reduce calibration is :mod:`waferscale.fit.allreduce`).

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

from . import interconnect as ic
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


def collective(tier: ic.Tier, op: str, ranks: int, message_bytes: float) -> Result:
    """Run ``op`` for ``ranks`` ranks on link tier ``tier`` (its β, α and energy per bit; resolve it from the
    catalog with :func:`waferscale.models.interconnect.tier`).

    For the on-wafer fabric (kind ``on_chip``) ``all_reduce`` is :func:`mesh_all_reduce` on the
    most nearly square W x H sub-mesh with W·H = ``ranks``; other operations need a switched
    tier. A tier without a published α raises, naming the tier (the model does not invent a
    number); a tier without a published energy per bit returns ``energy_j = nan``.

    Examples
    --------
    8 ranks on a 450 GB/s tier with α = 1 µs (NVLink 4's published figures), 1 GB: the ring's 3.903 ms.

    >>> nv = ic.Tier("nvlink4", "NVLink 4", "scale_up", 450e9, 1e-6, 1e-6, 1e-6, None, None, None, (), ())
    >>> round(collective(nv, "all_reduce", 8, 1e9).time_s * 1e3, 3)
    3.903

    Raises
    ------
    ValueError
        Not a tier, unknown op, bad ranks or bytes, or a tier lacking bandwidth or α.
    """
    if not isinstance(tier, ic.Tier):
        raise ValueError(f"tier={tier!r} is not allowed; allowed: a Tier (interconnect.tier(cat, id))")
    if op not in OPS:
        raise ValueError(f"op={op!r} is not a known collective; allowed: {', '.join(OPS)}")
    n = check_bytes("message_bytes", message_bytes)
    N = check_ranks("ranks", ranks)
    t = tier
    beta, alpha = t.require("bandwidth"), t.require("latency")
    e = 0.0 if t.energy_j_per_bit is None else t.energy_j_per_bit
    if t.kind == "on_chip":
        if op != "all_reduce":
            raise ValueError(f"op={op!r} is not modelled on the mesh tier {t.id!r}; allowed: all_reduce")
        W = int(math.isqrt(N))
        while N % W:
            W -= 1
        r = mesh_all_reduce(n, W, N // W, beta, alpha, e)
    else:
        r = OPS[op](n, N, beta, alpha, e)
    if t.energy_j_per_bit is None and r.link_bytes > 0:
        r = Result(r.time_s, r.bus_bandwidth_bytes_per_s, float("nan"), r.link_bytes, r.algorithm)
    return r
