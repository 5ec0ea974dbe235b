"""Step times of a suitability profile on a GPU cluster and on wafers (the speed-up and the chapter's tables built
from them are :mod:`waferscale.models.suittables`).

:func:`gpu_step` is a roofline plus α–β communication (:mod:`waferscale.models.collectives`); :func:`wafer_step`
a roofline over the wafers' SRAM and dense peak plus mesh and off-wafer communication.

The step models are pure functions of records: a :class:`~waferscale.models.suitability.Profile`, a
:class:`GpuCluster` and a :class:`WaferSystem`, resolved from the catalog once by
:func:`~waferscale.models.suitability.profile`, :func:`gpu_cluster` and :func:`wafer_system`.

Examples
--------
>>> from waferscale import load
>>> from waferscale.models import suitability as su
>>> cat = load()
>>> p = su.profile(cat, "suit_stencil_cfd")
>>> gpu_step(p, gpu_cluster(cat)).step_s > wafer_step(p, wafer_system(cat)).step_s
True
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from . import collectives as co
from . import interconnect as ic
from . import scaling as sc
from . import training as tr
from . import workloads as wl
from ..data.catalog import Catalog
from ..core.checks import check_int
from .suitability import TRAINING_ROWS, Profile, precision, _num, off_wafer_share, wafers_needed

__all__ = ["GpuCluster", "WaferSystem", "gpu_cluster", "wafer_system", "GpuStep", "GpuLayout", "gpu_layout", "WaferStep",
           "gpu_step", "wafer_step", "FP32_FIELD"]


# -- the two sides, as records -------------------------------------------------------------------
def _peak(flop_16bit_per_s: float, flop_fp32_per_s: float | None, prec: str) -> tuple[float, str]:
    if prec not in ("16-bit", "fp32"):
        raise ValueError(f"prec={prec!r} is not allowed; allowed: 16-bit, fp32")
    if prec == "fp32" and flop_fp32_per_s is not None:
        return flop_fp32_per_s, "fp32"
    return flop_16bit_per_s, "16-bit"


@dataclass(frozen=True)
class GpuCluster:
    """The reference GPU cluster a profile runs on. ``train`` is the :class:`~waferscale.models.scaling.Cluster` of
    its GPUs (the GPU, its dense 16-bit peak and HBM, the scale-up tier and domain; the training model plans
    training profiles on it); the GPU side adds the fp32 rate, the HBM bandwidth and the scale-out tier ``out``
    between domains. The GPU, peak, HBM, ``up`` and ``domain_chips`` are read from ``train``, so a what-if that
    replaces ``train`` moves them all. ``sources``: the BibTeX keys behind the GPU's figures (the tiers carry
    their own)."""

    name: str
    dense_fp32_flop_per_s: float | None
    hbm_bytes_per_s: float
    out: ic.Tier
    train: sc.Cluster
    sources: tuple[str, ...] = ()

    def __post_init__(self):
        if not isinstance(self.train, sc.Cluster) or self.train.is_wafer:
            raise ValueError(f"train={self.train!r} is not allowed; allowed: the Cluster of a GPU build "
                             "(scaling.cluster(cat, scaling.gpu_build(...)))")

    @property
    def gpu(self) -> str:
        return self.train.chip

    @property
    def dense_16bit_flop_per_s(self) -> float:
        return self.train.dense_16bit_flop_per_s

    @property
    def hbm_bytes(self) -> float | None:
        return self.train.hbm_bytes

    @property
    def up(self) -> ic.Tier:
        return self.train.up

    @property
    def domain_chips(self) -> int:
        return self.train.domain_chips

    def peak(self, prec: str = "16-bit") -> tuple[float, str]:
        """Dense peak for work in precision ``prec`` ('16-bit' or 'fp32') and the precision the rate is for: the fp32
        rate where the catalog has one, else the 16-bit peak (for fp32 work an upper bound)."""
        return _peak(self.dense_16bit_flop_per_s, self.dense_fp32_flop_per_s, prec)


@dataclass(frozen=True)
class WaferSystem:
    """Wafers of one system: a wafer's dense peaks, SRAM and PE count, its ``mesh_width_pe`` x ``mesh_height_pe``
    mesh with the ``fabric`` tier's links, and the system's off-wafer bandwidth and α (``io_latency_s`` None where
    the link publishes none: then only profiles without communication run). ``sources``: the BibTeX keys behind the
    wafer's and system's figures (the fabric carries its own)."""

    wafer: str
    system: str
    name: str
    dense_16bit_flop_per_s: float
    dense_fp32_flop_per_s: float | None
    sram_bytes: float
    sram_bytes_per_s: float
    cores_enabled: float
    mesh_width_pe: int
    mesh_height_pe: int
    fabric: ic.Tier
    io_bytes_per_s: float
    io_latency_s: float | None
    sources: tuple[str, ...] = ()

    def peak(self, prec: str = "16-bit") -> tuple[float, str]:
        """As :meth:`GpuCluster.peak`."""
        return _peak(self.dense_16bit_flop_per_s, self.dense_fp32_flop_per_s, prec)


def gpu_cluster(cat: Catalog, gpu: str = "h100_sxm", *, up: str = "nvlink4", out: str = "ib_ndr",
                domain: int = 8) -> GpuCluster:
    """Resolve the GPU side from catalog ids: ``gpu``'s dense peak (``bf16_dense_flop_per_s``, else
    ``fp16_dense_flop_per_s``), fp32 rate and HBM, the tiers, and ``domain`` GPUs per scale-up domain (an integer in
    [1, 2²⁰]). Training profiles plan on DGX H100-style nodes (the host's scale-out links) with ``gpu`` as the chip,
    ``up`` inside a domain of ``domain`` and ``out`` between domains (α borrowed from InfiniBand NDR where ``out``
    publishes none)."""
    domain = check_int("domain", domain, 1, 2**20)
    fp32 = cat.value(gpu, FP32_FIELD) if cat.has(gpu, FP32_FIELD) else None
    train = dataclasses.replace(sc.cluster(cat, sc.gpu_build(cat, gpu, "dgx_h100", up, out)), domain_chips=domain)
    return GpuCluster(cat.name(gpu), fp32, cat.value(gpu, "hbm_bytes_per_s"), ic.tier(cat, out), train,
                      cat.sources_of([(gpu, f) for f in ("bf16_dense_flop_per_s", "fp16_dense_flop_per_s", FP32_FIELD,
                                                         "hbm_bytes", "hbm_bytes_per_s")]))


def wafer_system(cat: Catalog, wafer: str = "wse3", *, system: str = "cs3", fabric: str = "wse3_fabric",
                 io_link: str = "cs_ethernet_io") -> WaferSystem:
    """Resolve the wafer side from catalog ids. A wafer without a 16-bit rate of its own gets the WSE-3's per PE
    times its PEs (an upper bound for older chips); without a mesh shape, a square of its PEs; the off-wafer
    bandwidth is the system's ``io_bytes_per_s``, else ``io_link``'s."""
    have = [f for f in ("bf16_dense_flop_per_s", "fp16_dense_flop_per_s") if cat.has(wafer, f)]
    peak_facts = [(wafer, have[0])] if have else [("wse3", "fp16_dense_flop_per_s"), ("wse3", "cores_enabled")]
    if have:
        f16 = cat.value(wafer, have[0])
    else:
        f16 = cat.value("wse3", "fp16_dense_flop_per_s") / cat.value("wse3", "cores_enabled") * cat.value(wafer, "cores_enabled")
    if cat.has(wafer, "mesh_width_pe"):
        W, H = int(cat.value(wafer, "mesh_width_pe")), int(cat.value(wafer, "mesh_height_pe"))
    else:
        W = H = math.isqrt(int(cat.value(wafer, "cores_enabled")))
    link = ic.tier(cat, io_link)
    io_bw = cat.value(system, "io_bytes_per_s") if cat.has(system, "io_bytes_per_s") else link.require("bandwidth")
    facts = [*peak_facts, (wafer, FP32_FIELD), (wafer, "sram_bytes"), (wafer, "sram_bytes_per_s"),
             (wafer, "cores_enabled"), (wafer, "mesh_width_pe"), (system, "io_bytes_per_s")]
    return WaferSystem(wafer, system, cat.name(wafer), f16,
                       cat.value(wafer, FP32_FIELD) if cat.has(wafer, FP32_FIELD) else None,
                       cat.value(wafer, "sram_bytes"), cat.value(wafer, "sram_bytes_per_s"),
                       cat.value(wafer, "cores_enabled"), W, H, ic.tier(cat, fabric), io_bw, link.latency_s,
                       cat.sources_of(facts, link.sources))


# -- step times -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class GpuStep:
    """One step on the reference GPU cluster: local work and communication, seconds."""

    local_s: float
    comm_s: float

    @property
    def step_s(self) -> float:
        """Local work plus communication (no overlap)."""
        return self.local_s + self.comm_s


@dataclass(frozen=True)
class GpuLayout:
    """How a profile's working set sits on its GPUs: tensor (``tp``), pipeline (``pp``) and data-parallel (``dp``)
    ranks, and the bytes each GPU then holds against its HBM."""

    scheme: str
    tp: int
    pp: int
    dp: int
    state_bytes_per_gpu: float
    hbm_bytes: float

    @property
    def fits(self) -> bool:
        """The per-GPU state fits in HBM."""
        return self.state_bytes_per_gpu <= self.hbm_bytes


def _check_sides(p, cluster=None, system=None) -> None:
    if not isinstance(p, Profile):
        raise ValueError(f"p={p!r} is not allowed; allowed: a Profile")
    if cluster is not None and not isinstance(cluster, GpuCluster):
        raise ValueError(f"cluster={cluster!r} is not allowed; allowed: a GpuCluster (steptime.gpu_cluster(cat))")
    if system is not None and not isinstance(system, WaferSystem):
        raise ValueError(f"system={system!r} is not allowed; allowed: a WaferSystem (steptime.wafer_system(cat))")


def _train_plan(p: Profile, cluster: GpuCluster) -> tuple[wl.Transformer, "tr.Step"]:
    if p.model is None:
        raise ValueError(f"p={p.id!r} is a training profile without its model; read it with suitability.profile(cat, id)")
    model = p.model
    tokens = p.flop_per_step / (6.0 * model.params_total)        # the profile's FLOPs are 6·P per token
    return model, tr.train_step(cluster.train, model, int(p.gpus), tokens_per_step=tokens, utilisation=1.0, overlap=0.0)


def gpu_layout(p: Profile, cluster: GpuCluster) -> GpuLayout:
    """The layout :func:`gpu_step` assumes for profile ``p`` on ``p.gpus`` GPUs of ``cluster``.

    Training profiles (:data:`~waferscale.models.suitability.TRAINING_ROWS`) take the training model's plan
    (:func:`waferscale.models.training.train_step`): the fewest tensor × pipeline stages whose weights and gradients
    (4 bytes per parameter over T·S GPUs) and Adam state (12 bytes over all N) fit; a ValueError if none does. Every
    other profile partitions its working set over its GPUs (a domain decomposition, or tensor-parallel decode).
    """
    _check_sides(p, cluster)
    N = int(p.gpus)
    if p.id in TRAINING_ROWS:
        model, st = _train_plan(p, cluster)
        P = model.params_total
        per = tr.state_bytes_per_param() * P / (st.tp * st.pp) + tr.OPTIMIZER_BYTES_PER_PARAM * P / N
        if cluster.hbm_bytes is None:
            raise ValueError(f"cluster={cluster.gpu!r} gives no hbm_bytes; a training layout needs the GPU's memory")
        return GpuLayout("3-D parallel", st.tp, st.pp, st.dp, per, cluster.hbm_bytes)
    if cluster.hbm_bytes is None:
        raise ValueError(f"cluster={cluster.gpu!r} gives no hbm_bytes; a layout needs the GPU's memory")
    return GpuLayout("partitioned", N, 1, 1, p.working_set_bytes / N, cluster.hbm_bytes)


def gpu_step(p: Profile, cluster: GpuCluster) -> GpuStep:
    """Step time of profile ``p`` on ``p.gpus`` GPUs of ``cluster``: roofline local work plus α–β communication.

    ``comm_rounds_per_step`` rounds each carry ``comm_bytes / rounds``: an all-reduce (ring inside one
    domain of ``cluster.domain_chips``, :func:`~waferscale.models.collectives.hierarchical_all_reduce` across nodes), an
    all-to-all, or a point-to-point message (over ``cluster.up`` within a domain, ``cluster.out`` beyond). For point-to-point
    profiles the ``global_rounds_per_step`` are 8-byte scalar all-reduces (dot products).

    Training profiles run in the layout of :func:`gpu_layout` (T tensor × S pipeline stages × D replicas, the state
    fitting in HBM): local work adds the pipeline bubble, and communication is each round's gradient shard
    (``comm_bytes / (rounds·T·S)``) all-reduced over the D replicas plus the training model's tensor-parallel
    all-reduces and pipeline hand-offs (:func:`waferscale.models.training.train_step`, no overlap).
    """
    _check_sides(p, cluster)
    domain = cluster.domain_chips
    N = int(p.gpus)
    local = max(p.flop_per_step / (N * cluster.peak(precision(p.id))[0]), p.bytes_per_step / (N * cluster.hbm_bytes_per_s))
    if N == 1 or p.pattern == "none" or p.comm_rounds_per_step == 0:
        return GpuStep(local, 0.0)
    t_up, t_out = cluster.up, cluster.out
    tier = t_up if N <= domain else t_out
    beta, alpha = tier.require("bandwidth"), tier.require("latency")
    R, G = p.comm_rounds_per_step, p.global_rounds_per_step
    n = p.comm_bytes_per_step / R

    def allreduce(m: float, ranks: int = N, per_domain: int = domain) -> float:
        if ranks <= 1:
            return 0.0
        if ranks <= per_domain:
            return co.ring_all_reduce(m, ranks, t_up.require("bandwidth"), t_up.require("latency")).time_s
        return co.hierarchical_all_reduce(m, per_domain, math.ceil(ranks / per_domain), t_up.require("bandwidth"),
                                          t_up.require("latency"), t_out.require("bandwidth"),
                                          t_out.require("latency")).time_s

    if p.id in TRAINING_ROWS:
        _, st = _train_plan(p, cluster)
        shards = st.tp * st.pp
        replicas_per_domain = max(1, min(st.dp, domain // shards))
        dp = R * allreduce(n / shards, st.dp, replicas_per_domain)
        return GpuStep(local * (1.0 + st.bubble_s / st.compute_s), dp + st.tp_s + st.pp_s)
    if p.pattern == "all_reduce":
        comm = R * allreduce(n)
    elif p.pattern == "all_to_all":
        comm = R * co.all_to_all(n, N, beta, alpha).time_s
    else:
        comm = (R - G) * ic.p2p_time_s(p.comm_bytes_per_step / max(R - G, 1), beta, alpha) + G * allreduce(8.0)
    return GpuStep(local, comm)


@dataclass(frozen=True)
class WaferStep:
    """One step on ``wafers`` wafers: local work, on-mesh and off-wafer communication, seconds."""

    wafers: int
    local_s: float
    mesh_s: float
    off_s: float

    @property
    def step_s(self) -> float:
        """Sum of the three parts."""
        return self.local_s + self.mesh_s + self.off_s


#: Catalog field of a chip's dense fp32 rate (FLOP/s); where a chip lacks it, fp32 work is rated at the 16-bit
#: dense peak, an upper bound on its speed, and :func:`~waferscale.models.suittables.features` says so in its ``peak``
#: column.
FP32_FIELD = "fp32_dense_flop_per_s"


def _far_read_split(bytes_per_step: float, neighbour_share: float, pes: float, link_bytes_per_s: float) -> tuple[float, float]:
    """Bytes a task reads from its own PEs' SRAM, and the seconds the rest take to cross its region of the mesh.

    A task occupying ``pes`` PEs (a square region of side :math:`\\sqrt{n}`) reads a share ``s`` of its bytes from
    the PE that holds them; the rest comes from anywhere in the region, so half of it crosses the region's middle
    cut, :math:`\\sqrt{n}` links in each direction: :math:`t_{far} = (1-s)B / (4\\sqrt{n}\\,b)`. This bounds
    the speed-up of work without locality (pointer chasing) by the region's bisection, not its aggregate SRAM rate.

    Examples
    --------
    100 MB of reads with no locality over 20,000 PEs with 4.4 GB/s links: about 40 µs.

    >>> round(_far_read_split(1e8, 0.0, 20000, 4.4e9)[1] * 1e6, 1)
    40.2
    """
    B = _num("bytes_per_step", bytes_per_step, 0)
    s = _num("neighbour_share", neighbour_share, 0, 1)
    n = _num("pes", pes, 1)
    bw = _num("link_bytes_per_s", link_bytes_per_s, 0, lo_open=True)
    return s * B, (1 - s) * B / (4 * math.sqrt(n) * bw)


def wafer_step(p: Profile, system: WaferSystem, *, wafers: int | None = None) -> WaferStep:
    """Step time of profile ``p`` on the wafers of ``system`` its working set needs (or ``wafers``).

    Local work is a roofline, :math:`t = \\max(F / (w u P), B / (w u \\beta_{SRAM}))`: a parallel code
    spreads over the whole wafer (:math:`u = 1`); a task with no communication (pattern ``none``) uses only
    the PEs its working set occupies, :math:`u = \\min(1, S / (w S_{SRAM}))`, since a wafer's bandwidth comes
    from data spread over its PEs, and only its neighbour share of bytes streams at their SRAM rate: the rest
    crosses the occupied region (:func:`_far_read_split`, reported as ``mesh_s``). Communication moves the bytes the GPU cluster
    exchanges, :math:`V = n \\cdot N_{GPU}`: neighbour bytes over all PE links at once, far bytes across
    the bisection; each global round costs a trip to the mesh centre and back (2(W/2 + H/2) hops), each
    neighbour round one hop. All-reduce profiles reduce over the mesh, each row its 1/H slice
    (:func:`~waferscale.models.collectives.mesh_all_reduce`)
    and, across wafers, ring-all-reduce the non-local part over the system I/O; other profiles send
    :math:`(1 - s)(1 - 1/w) V` over the wafers' I/O plus one I/O latency per round.

    Allowed: ``wafers`` ``None`` (the working set decides) or an integer in [1, 10⁶].
    """
    _check_sides(p, system=system)
    ws = system
    w = wafers_needed(p.working_set_bytes, ws.sram_bytes) if wafers is None else check_int("wafers", wafers, 1, 10**6)
    u = 1.0 if p.pattern != "none" else min(1.0, max(p.working_set_bytes / (w * ws.sram_bytes), 1.0 / ws.cores_enabled))
    W, H = ws.mesh_width_pe, ws.mesh_height_pe
    b, hop = ws.fabric.require("bandwidth"), ws.fabric.require("latency")
    peak, sram_bw = ws.peak(precision(p.id))[0], ws.sram_bytes_per_s
    if p.pattern == "none":
        # a task with no communication reads its working set from the PEs it occupies: the neighbour share s of
        # its bytes at those PEs' SRAM rate, the rest from anywhere in the region, across the region's bisection
        near, far = _far_read_split(p.bytes_per_step, p.neighbour_share, u * W * H, b)
        return WaferStep(w, max(p.flop_per_step / (w * u * peak), near / (w * u * sram_bw)), far / w, 0.0)
    local = max(p.flop_per_step / (w * u * peak), p.bytes_per_step / (w * u * sram_bw))
    if p.comm_rounds_per_step == 0:
        return WaferStep(w, local, 0.0, 0.0)
    io_bw, a_io = ws.io_bytes_per_s, ws.io_latency_s
    if a_io is None:
        raise ValueError(f"system={ws.system!r}: its off-wafer link publishes no latency, which a profile that "
                         "communicates needs; choose an io_link with one")
    R, G, s = p.comm_rounds_per_step, p.global_rounds_per_step, p.neighbour_share
    if p.pattern == "all_reduce":
        # the buffer is spread over the mesh: every row reduces its slice along the row, all rows at once
        mesh_t = R * co.mesh_all_reduce(p.comm_bytes_per_step / R / H, W, 1, b, hop).time_s
        off = co.ring_all_reduce((1 - s) * p.comm_bytes_per_step, w, io_bw, a_io).time_s if w > 1 else 0.0
        return WaferStep(w, local, mesh_t, off)
    V = p.comm_bytes_per_step * p.gpus
    bis = min(W, H) * b
    mesh_t = (G * 2 * (W // 2 + H // 2) + (R - G)) * hop + s * V / (w * W * H * b) + (1 - s) * V / (2 * w * bis)
    off = (off_wafer_share(s, w) * V / (w * io_bw) + R * a_io) if w > 1 else 0.0
    return WaferStep(w, local, mesh_t, off)
