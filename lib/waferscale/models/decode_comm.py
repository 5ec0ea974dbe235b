"""Communication inside one decode step of a dense transformer, on GPUs and on wafers, from the α–β collectives
of :mod:`waferscale.models.collectives`."""

from __future__ import annotations

import math

import pandas as pd

from . import interconnect as ic
from ..data.catalog import Catalog
from .collectives import mesh_all_reduce, ring_all_reduce
from .interconnect import check_positive, check_ranks

__all__ = [
    "decode_step",
    "weights_bytes",
    "wafers_needed",
]


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
