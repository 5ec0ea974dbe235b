"""Communication inside one decode step of a dense transformer, on GPUs and on wafers, from the α–β collectives
of :mod:`waferscale.models.collectives`.

The two sides are records resolved once from the catalog: :func:`gpu_node` gives a :class:`GpuNode` (one GPU's
HBM bandwidth, dense peak and TDP, and its NVLink tier), :func:`wafer_pipeline` a :class:`WaferPipeline` (one
wafer's SRAM, peak, system power, mesh, fabric and off-wafer link, and the fat tree wafers talk through).
:func:`decode_step` is a pure function of them and a :class:`~waferscale.models.workloads.Transformer`.

Examples
--------
>>> from waferscale import load
>>> from waferscale.models import workloads as wl
>>> cat = load()
>>> d = decode_step(wl.model(cat, "llama3_1_70b"), gpu_node(cat), wafer_pipeline(cat))
>>> d.attrs["wafers"], d.attrs["gpus"]
(4, 8)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from . import interconnect as ic
from ..data.catalog import Catalog
from .collectives import mesh_all_reduce, ring_all_reduce
from .interconnect import check_positive, check_ranks
from .scaling import dense_flop_per_s
from .workloads import Transformer

__all__ = [
    "GpuNode",
    "WaferPipeline",
    "gpu_node",
    "wafer_pipeline",
    "decode_step",
    "weights_bytes",
    "wafers_needed",
]


@dataclass(frozen=True)
class GpuNode:
    """GPUs of one NVLink domain for tensor-parallel decode: per-GPU HBM bandwidth, dense 16-bit peak and TDP, and
    the scale-up tier. ``sources``: the BibTeX keys behind the GPU's figures (the tier carries its own)."""

    gpu: str
    hbm_bytes_per_s: float
    dense_16bit_flop_per_s: float
    tdp_w: float
    link: ic.Tier
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class WaferPipeline:
    """Wafers with the layers pipelined over them: per-wafer figures, the mesh, its fabric tier (for the α range),
    the off-wafer link and bandwidth, and the fat tree between wafers. ``sources``: the BibTeX keys behind the
    wafer's and system's figures (the tiers, mesh and tree carry their own)."""

    wafer: str
    sram_bytes: float
    sram_bytes_per_s: float
    dense_16bit_flop_per_s: float
    system_power_w: float
    mesh: ic.Mesh
    fabric: ic.Tier
    link: ic.Tier
    io_bytes_per_s: float
    tree: ic.FatTree
    sources: tuple[str, ...] = ()


def gpu_node(cat: Catalog, gpu: str = "h100_sxm", tier: str = "nvlink4") -> GpuNode:
    """Resolve a :class:`GpuNode` from catalog ids (ValueError naming an id or field the catalog lacks)."""
    return GpuNode(gpu, cat.value(gpu, "hbm_bytes_per_s"), dense_flop_per_s(cat, gpu), cat.value(gpu, "tdp_w"),
                   ic.tier(cat, tier), cat.sources_of([(gpu, f) for f in ("hbm_bytes_per_s", "bf16_dense_flop_per_s",
                                                                           "fp16_dense_flop_per_s", "tdp_w")]))


def wafer_pipeline(cat: Catalog, wafer: str = "wse3", system: str = "cs3", fabric: str = "wse3_fabric",
                   link: str = "cs_ethernet_io") -> WaferPipeline:
    """Resolve a :class:`WaferPipeline` from catalog ids; the off-wafer bandwidth is the system's
    ``io_bytes_per_s``, else the link's bandwidth."""
    lk = ic.tier(cat, link)
    io_bw = cat.value(system, "io_bytes_per_s") if cat.has(system, "io_bytes_per_s") else lk.require("bandwidth")
    facts = [(wafer, f) for f in ("sram_bytes", "sram_bytes_per_s", "bf16_dense_flop_per_s", "fp16_dense_flop_per_s")]
    facts += [(system, "system_power_w"), (system, "io_bytes_per_s")]
    return WaferPipeline(wafer, cat.value(wafer, "sram_bytes"), cat.value(wafer, "sram_bytes_per_s"),
                         dense_flop_per_s(cat, wafer), cat.value(system, "system_power_w"),
                         ic.mesh(cat, wafer, fabric), ic.tier(cat, fabric), lk, io_bw, ic.fat_tree(cat),
                         cat.sources_of(facts))


def _model(model) -> Transformer:
    if not isinstance(model, Transformer):
        raise ValueError(f"model={model!r} is not allowed; allowed: a Transformer (workloads.model(cat, id))")
    return model


def weights_bytes(model: Transformer, bytes_per_value: float = 2.0) -> float:
    """Bytes of a model's weights: total parameters x bytes per value (2 for bf16).

    >>> from waferscale.models.workloads import Transformer
    >>> m = Transformer("m", "M", "dense", 70e9, 70e9, 80, 8192, 28672, 64, 8, 128, 128256)
    >>> weights_bytes(m) / 1e9
    140.0
    """
    return _model(model).params_total * check_positive("bytes_per_value", bytes_per_value)


def wafers_needed(model: Transformer, sram_bytes: float, bytes_per_value: float = 2.0) -> int:
    """Wafers whose SRAM together holds the weights: ⌈weights / SRAM per wafer⌉ (KV cache ignored).

    >>> from waferscale.models.workloads import Transformer
    >>> m = Transformer("m", "M", "dense", 70e9, 70e9, 80, 8192, 28672, 64, 8, 128, 128256)
    >>> wafers_needed(m, 44e9)
    4
    """
    return int(math.ceil(weights_bytes(model, bytes_per_value) / check_positive("sram_bytes", sram_bytes)))


def decode_step(model: Transformer, node: GpuNode, pipeline: WaferPipeline, *, gpus: int = 8,
                bytes_per_value: float = 2.0, batch: int = 1, bound: str = "value") -> pd.DataFrame:
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

    ``bound`` ('value', 'low', 'high') picks the tiers' α and energy from their ranges; 'low' is the
    optimistic end for communication.

    Returns
    -------
    DataFrame
        One row per (system, component) with columns system, component, time_s, energy_j, plus
        step_time_s, step_energy_j, time_share, energy_share, and attrs with the inputs used.
    """
    if bound not in ("value", "low", "high"):
        raise ValueError(f"bound={bound!r} is not allowed; use 'value', 'low' or 'high'")
    _model(model)
    if not isinstance(node, GpuNode):
        raise ValueError(f"node={node!r} is not allowed; allowed: a GpuNode (decode_comm.gpu_node(cat))")
    if not isinstance(pipeline, WaferPipeline):
        raise ValueError(f"pipeline={pipeline!r} is not allowed; allowed: a WaferPipeline (decode_comm.wafer_pipeline(cat))")
    G = check_ranks("gpus", gpus)
    B = check_ranks("batch", batch)
    pick = {"value": 0, "low": 1, "high": 2}[bound]
    h, layers, params = model.hidden_size, int(model.layers), model.params_total
    act_bytes = B * h * check_positive("bytes_per_value", bytes_per_value)
    wbytes = weights_bytes(model, bytes_per_value)

    def tri(t: ic.Tier, q: str) -> float:
        if q == "latency":
            return (t.require("latency"), t.latency_low_s, t.latency_high_s)[pick]  # type: ignore[return-value]
        return (t.require("energy"), t.energy_low_j_per_bit, t.energy_high_j_per_bit)[pick]  # type: ignore[return-value]

    # GPUs
    nv = node.link
    ar = ring_all_reduce(act_bytes, G, nv.require("bandwidth"), tri(nv, "latency"), tri(nv, "energy"))
    gpu_comm_t, gpu_comm_e = 2 * layers * ar.time_s, 2 * layers * ar.energy_j
    flops = 2 * params * B
    gpu_local_t = max(wbytes / (G * node.hbm_bytes_per_s), flops / (G * node.dense_16bit_flop_per_s))
    gpu_power = G * node.tdp_w
    # wafers
    wafers = wafers_needed(model, pipeline.sram_bytes, bytes_per_value)
    m = pipeline.mesh
    e_hop = (m.energy_j_per_bit_per_hop, m.energy_low_j_per_bit_per_hop, m.energy_high_j_per_bit_per_hop)[pick]
    a_hop = (m.hop_latency_s, pipeline.fabric.latency_low_s, pipeline.fabric.latency_high_s)[pick]
    layers_per_wafer = math.ceil(layers / wafers)
    side = max(1, int(math.isqrt(m.pes // layers_per_wafer)))
    red = mesh_all_reduce(act_bytes / side, side, 1, m.link_bytes_per_s_per_dir, a_hop, e_hop)
    # all rows of the region reduce in parallel: time of one row, energy of all rows
    red_t, red_e = red.time_s, red.energy_j * side
    hand_t = ic.p2p_time_s(act_bytes, side * m.link_bytes_per_s_per_dir, side * a_hop)
    hand_e = ic.p2p_energy_j(act_bytes, e_hop) * side
    mesh_t = layers * (2 * red_t + hand_t)
    mesh_e = layers * (2 * red_e + hand_e)
    link, io_bw = pipeline.link, pipeline.io_bytes_per_s
    path = ic.scaleout_path(pipeline.tree, max(2, wafers), bound=bound)
    cross_t = (wafers - 1) * ic.p2p_time_s(act_bytes, io_bw, tri(link, "latency"))
    cross_e = (wafers - 1) * ic.p2p_energy_j(act_bytes, path.total_j_per_bit)
    wafer_local_t = layers_per_wafer * max(wbytes / pipeline.sram_bytes_per_s, flops / pipeline.dense_16bit_flop_per_s)
    wafer_power = wafers * pipeline.system_power_w

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
    df.attrs.update({"workload": model.id, "gpus": G, "wafers": wafers, "message_bytes": act_bytes,
                     "region_side_pe": side, "layers": layers, "bound": bound})
    return df
