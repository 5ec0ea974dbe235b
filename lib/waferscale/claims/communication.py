"""Verdicts of the communication chapter (C03, C04, C10-C13): on-chip vs cross-chip links, CPO, scaling.

Each verdict is a pure function of the catalog; :mod:`waferscale.claims.registry` lists the claims
and names each one's verdict function."""

from __future__ import annotations

from ..data.catalog import Catalog
from .base import Status, Verdict, _missing, _srcs, format_quantity

__all__ = ["crossing", "C12_CHIPS", "C12_MESSAGE_BYTES"]


def _c03_compute_outpaces_communication(cat: Catalog) -> Verdict:
    """Growth of dense BF16 FLOP/s vs growth of HBM and NVLink bandwidth, A100 → B200."""
    needs = [("a100_sxm", "bf16_dense_flop_per_s"), ("b200", "bf16_dense_flop_per_s"),
             ("a100_sxm", "hbm_bytes_per_s"), ("b200", "hbm_bytes_per_s"),
             ("a100_sxm", "scaleup_bytes_per_s_per_dir"), ("b200", "scaleup_bytes_per_s_per_dir")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    v = {k: cat.value(*k) for k in needs}
    flops = v[needs[1]] / v[needs[0]]
    hbm = v[needs[3]] / v[needs[2]]
    link = v[needs[5]] / v[needs[4]]
    figure = flops / max(hbm, link)
    status = Status.HOLDS if figure > 1 else Status.FAILS
    return Verdict(
        status, figure, "x",
        f"A100→B200: compute grew {flops:.1f}x, HBM bandwidth {hbm:.1f}x, NVLink bandwidth {link:.1f}x, "
        "so each FLOP has fewer bytes to feed it: communication, not compute, is the growing constraint",
        sources=_srcs(cat, needs),
        sentence=(f"From A100 to B200 a GPU's compute grew {format_quantity(figure, 'x')} as much as the faster of its "
                  "memory and link bandwidths, so communication, not compute, is the growing constraint."),
    )


def _c04_no_connections(cat: Catalog) -> Verdict:
    """Model: wafers a dense model needs (weights in SRAM), and the off-wafer share of decode communication."""
    from ..models import decode_comm as dc

    needs = [("wse3", "sram_bytes"), ("llama3_1_70b", "params_total"), ("llama3_1_8b", "params_total")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    from ..models import workloads as wl

    wafer = dc.wafer_pipeline(cat)
    m8, m70 = wl.model(cat, "llama3_1_8b"), wl.model(cat, "llama3_1_70b")
    small, big = dc.wafers_needed(m8, wafer.sram_bytes), dc.wafers_needed(m70, wafer.sram_bytes)
    step = dc.decode_step(m70, dc.gpu_node(cat), wafer)
    w = step[step["system"] == "wafers"].set_index("component")
    comm = w.loc[["on the wafer (mesh)", "between chips (wafer to wafer)"], "time_s"]
    off = comm.iloc[1] / comm.sum()
    status = Status.HOLDS if big == 1 else Status.HOLDS_IF
    return Verdict(
        status, float(big), " wafers",
        f"holds only while the weights fit one wafer's SRAM: Llama 3.1 8B needs {small}, 70B needs {big} wafers "
        f"(16-bit weights), and then {off:.0%} of a decode step's communication time is wafer-to-wafer",
        basis="model", sources=_srcs(cat, needs),
        sentence=(f"A wafer replaces cross-node communication only while the model fits its SRAM: Llama 3.1 70B in "
                  f"16-bit needs {big} wafers, which then talk over links far slower than their mesh."),
    )


def _c10_on_chip_lowest(cat: Catalog) -> Verdict:
    """Model: hand a decode activation to the next layer on the wafer's mesh vs over NVLink 4."""
    from ..models import decode_comm as dc
    from ..models import interconnect as ic

    needs = [("wse3_fabric", "hop_latency_s"), ("wse3_fabric", "energy_j_per_bit"), ("nvlink4", "latency_s"),
             ("nvlink4", "energy_j_per_bit"), ("llama3_1_70b", "hidden_size")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    n = 2.0 * cat.value("llama3_1_70b", "hidden_size")
    from ..models import workloads as wl

    side = dc.decode_step(wl.model(cat, "llama3_1_70b"), dc.gpu_node(cat), dc.wafer_pipeline(cat)).attrs["region_side_pe"]
    m, nv = ic.mesh(cat), ic.tier(cat, "nvlink4")
    t_w = ic.p2p_time_s(n, side * m.link_bytes_per_s_per_dir, side * m.hop_latency_s)
    t_g = ic.p2p_time_s(n, nv.require("bandwidth"), nv.require("latency"))
    e_w = side * m.energy_j_per_bit_per_hop
    e_w_hi = side * m.energy_high_j_per_bit_per_hop
    e_far = m.mean_hops * m.energy_j_per_bit_per_hop
    e_g, e_g_lo = nv.require("energy"), nv.energy_low_j_per_bit or nv.require("energy")
    robust = e_w_hi < e_g_lo
    status = Status.HOLDS if robust and t_w < t_g else Status.HOLDS_IF
    return Verdict(
        status, t_g / t_w, "x",
        f"handing a 70B activation ({n / 1024:.0f} KiB) to the next layer: {t_w * 1e9:.0f} ns and "
        f"{e_w * 1e12:.1f} pJ/bit on the mesh vs {t_g * 1e9:.0f} ns and {e_g * 1e12:.0f} pJ/bit over NVLink 4. "
        f"Lowest latency holds; lowest energy holds only for short on-wafer trips: the bands overlap "
        f"(mesh up to {e_w_hi * 1e12:.0f}, NVLink from {e_g_lo * 1e12:.1f} pJ/bit) and an average trip across "
        f"the wafer costs {e_far * 1e12:.0f} pJ/bit",
        basis="model", sources=_srcs(cat, needs),
        sentence=(f"On-chip communication has the lowest latency (NVLink 4 takes {format_quantity(t_g / t_w, 'x')} as long "
                  "to hand on one decode activation), but the lowest energy only for short trips on the wafer."),
    )


def _c11_cpo_conversion(cat: Catalog) -> Verdict:
    """Model: share of a CPO-switched GPU-to-GPU path's energy spent in optical-electrical conversion."""
    from ..models import interconnect as ic

    needs = [("cpo_nvidia", "energy_j_per_bit"), ("pluggable_optics_1p6t", "energy_j_per_bit"),
             ("pcie_gen5_x16", "energy_j_per_bit"), ("cpo_nvidia", "ports"), ("wse3_fabric", "energy_j_per_bit")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    cpo = ic.scaleout_path(ic.fat_tree(cat, "cpo_nvidia", switch_optics="cpo_nvidia"), 2)
    plug = ic.scaleout_path(ic.fat_tree(cat, "cpo_nvidia"), 2)
    m = ic.mesh(cat)
    ratio = cpo.total_j_per_bit / (m.mean_hops * m.energy_j_per_bit_per_hop)
    status = Status.HOLDS if cpo.conversion_share > 0.5 else Status.FAILS
    return Verdict(
        status, 100 * cpo.conversion_share, "%",
        f"through one CPO switch a GPU-to-GPU bit costs {cpo.total_j_per_bit * 1e12:.0f} pJ "
        f"(pluggables: {plug.total_j_per_bit * 1e12:.0f} pJ), {cpo.conversion_share:.0%} of it in "
        f"optical-electrical conversion; that is {ratio:.1f}x an average trip across a wafer",
        basis="model", sources=_srcs(cat, needs),
        sentence=(f"Co-packaged optics still pays for optical-electrical conversion: it takes "
                  f"{format_quantity(100 * cpo.conversion_share, '%')} of a GPU-to-GPU bit's energy through one CPO switch."),
    )


#: C12's one scenario: chips on each side of the all-reduce comparison (two DGX H100 nodes vs as many CS-3), and
#: the buffer each chip all-reduces (bytes).
C12_CHIPS = 16
C12_MESSAGE_BYTES = 1e9


def crossing(cat: Catalog, chips: int = C12_CHIPS) -> dict:
    """What crossing the chip boundary costs, compared like with like on both sides of every ratio.

    * **all-reduce with all-reduce**: bus bandwidth per dense 16-bit FLOP/s of a :data:`C12_MESSAGE_BYTES`
      all-reduce on ``chips`` H100 (NVLink 4 inside a DGX, InfiniBand NDR between: hierarchical) and on
      ``chips`` CS-3 (ring over their Ethernet I/O), from :func:`waferscale.models.scaling.scale`;
    * **bisection with bisection**: bandwidth across the cut that halves the system, per FLOP/s of the system,
      inside one unit (one wafer's mesh; one DGX H100's NVLink switch, G/2 GPU links) and across units
      (``chips`` wafers or GPUs on a non-blocking switch: ``chips``/2 scale-out links).

    Returns bytes per FLOP: ``allreduce_gpu``, ``allreduce_wafer``, ``bisection_wafer_inside``,
    ``bisection_wafer_between``, ``bisection_gpu_inside``, ``bisection_gpu_between``, and ``chips``, ``domain``.
    """
    from ..models import interconnect as ic
    from ..models import scaling as sc

    wafer, gpu = sc.cs3_ethernet(), sc.h100_ib()
    cw, cg = sc.cluster(cat, wafer), sc.cluster(cat, gpu)
    f_w, f_g = cw.dense_16bit_flop_per_s, cg.dense_16bit_flop_per_s
    G = int(cat.value(gpu.scale_up, "domain_chips"))
    nv = ic.tier(cat, gpu.scale_up).require("bandwidth")
    io_w, io_g = cat.value(wafer.host, "io_bytes_per_s"), cat.value(gpu.host, "scaleout_bytes_per_s_per_dir")
    m = ic.mesh(cat, wafer.chip)
    return {
        "chips": chips, "domain": G,
        "allreduce_gpu": sc.scale(cg, chips, C12_MESSAGE_BYTES)["bytes_per_flop"],
        "allreduce_wafer": sc.scale(cw, chips, C12_MESSAGE_BYTES)["bytes_per_flop"],
        "bisection_wafer_inside": m.bisection_bytes_per_s_per_dir / f_w,
        "bisection_wafer_between": (chips / 2) * io_w / (chips * f_w),
        "bisection_gpu_inside": (G / 2) * nv / (G * f_g),
        "bisection_gpu_between": (chips / 2) * io_g / (chips * f_g),
    }


def _c12_crossing_chips(cat: Catalog) -> Verdict:
    """Model: all-reduce bandwidth per FLOP, H100s vs CS-3 wafers past their chip boundary; bisections both sides."""
    needs = [("wse3", "mesh_width_pe"), ("cs3", "io_bytes_per_s"), ("wse3", "fp16_dense_flop_per_s"),
             ("dgx_h100", "scaleout_bytes_per_s_per_dir"), ("h100_sxm", "bf16_dense_flop_per_s")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    x = crossing(cat)
    ratio = x["allreduce_gpu"] / x["allreduce_wafer"]
    drop_w = x["bisection_wafer_inside"] / x["bisection_wafer_between"]
    drop_g = x["bisection_gpu_inside"] / x["bisection_gpu_between"]
    status = Status.HOLDS if ratio > 1 and drop_w > drop_g else Status.FAILS
    n, gbs = x["chips"], lambda b: b * 1e15 / 1e9   # bytes per FLOP -> GB/s per PFLOP/s
    return Verdict(
        status, ratio, "x",
        f"all-reduce against all-reduce: {n} CS-3 get {gbs(x['allreduce_wafer']):.0f} GB/s per PFLOP/s over their "
        f"Ethernet I/O, {n} H100 {gbs(x['allreduce_gpu']):.0f} over NVLink and InfiniBand, {ratio:.0f}x more; "
        f"bisection against bisection: crossing its boundary cuts the wafer's bandwidth per FLOP {drop_w:.0f}x "
        f"(mesh {gbs(x['bisection_wafer_inside']):.0f}, {n} wafers {gbs(x['bisection_wafer_between']):.1f} GB/s "
        f"per PFLOP/s) and an H100's {drop_g:.0f}x (one DGX {gbs(x['bisection_gpu_inside']):.0f}, {n} GPUs "
        f"{gbs(x['bisection_gpu_between']):.0f})",
        basis="model", sources=_srcs(cat, needs),
        label=f"all-reduce bandwidth per FLOP, {n} H100 / {n} CS-3",
        scenario=(f"all-reduce of {C12_MESSAGE_BYTES / 1e9:g} GB per chip on {n} chips each side: {n // x['domain']} "
                  f"DGX H100 on InfiniBand NDR (hierarchical) vs {n} CS-3 on their Ethernet I/O (ring), "
                  "per dense 16-bit FLOP/s"),
        sentence=(f"Once a model spans several wafers the wafer is back to communication limits: past their chip "
                  f"boundary {n} H100 get {format_quantity(ratio, 'x')} the all-reduce bandwidth per FLOP of {n} CS-3, and crossing "
                  f"the boundary cuts the wafer's bisection per FLOP {drop_w:.0f}x, an H100's {drop_g:.0f}x."),
    )


def _c13_cpo_expansion(cat: Catalog) -> Verdict:
    """Model: all-reduce bandwidth per GPU and path energy from one NVL72 rack to 16,384 GPUs, pluggable vs CPO."""
    from ..models import scaling as sc

    needs = [("gb200_nvl72", "scaleout_bytes_per_s_per_dir"), ("cpo_nvidia", "energy_j_per_bit"),
             ("pluggable_optics_1p6t", "energy_j_per_bit"), ("nvlink5", "domain_chips")]
    if (gap := _missing(cat, needs)) is not None:
        return gap
    cpo, plug = sc.cluster(cat, sc.gb200_cpo()), sc.cluster(cat, sc.gb200_xdr())
    first, last_cpo, last_plug = sc.scale(cpo, 144), sc.scale(cpo, 16384), sc.scale(plug, 16384)
    keep = last_cpo["bus_bandwidth_bytes_per_s"] / first["bus_bandwidth_bytes_per_s"]
    saving = 1 - last_cpo["path_j_per_bit"] / last_plug["path_j_per_bit"]
    return Verdict(
        Status.HOLDS_IF, keep, "",
        f"from 2 NVL72 racks to 16,384 GPUs the all-reduce bandwidth per GPU keeps {keep:.0%} of its value, "
        f"if the fat tree stays non-blocking; CPO cuts the longest path's energy by {saving:.0%} "
        f"({last_plug['path_j_per_bit'] * 1e12:.0f} to {last_cpo['path_j_per_bit'] * 1e12:.0f} pJ/bit) but adds no bandwidth per GPU",
        basis="model", sources=_srcs(cat, needs),
        label=f"share of all-reduce bandwidth per GPU kept from {first['chips']:,} to {last_cpo['chips']:,} GB200",
        sentence=(f"System bandwidth keeps scaling only while the fat tree stays non-blocking: GPUs keep "
                  f"{format_quantity(keep, '')} of their all-reduce bandwidth from two racks to {last_cpo['chips']:,}, and co-packaged "
                  f"optics cuts the longest path's energy by {saving:.0%} without adding bandwidth."),
    )

