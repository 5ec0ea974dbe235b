"""The hardware a serving model runs on, as one frozen record per system (resolved once from the catalog).

:func:`hardware` reads a system id into a :class:`Hardware`: per-chip memory and bandwidth, dense peak per
precision, the scale-up tier (NVLink; for a wafer its mesh fabric) and the scale-out tier (InfiniBand; the
wafer's Ethernet I/O), and the power drawn at the wall per chip. Every model function of
:mod:`waferscale.models.serving` takes this record and plain numbers, never the catalog or an id.

Power has one boundary for every system: the wall power of the node, rack or CS-3 (host, fans and fabric
included), divided by its chips. A lone GPU is charged its share of the server built from it (a DGX's wall
power / 8), not its TDP. Draw depends on load: ``idle_share`` of that power at idle, the rest in proportion to
utilisation (:func:`waferscale.models.serving.power.draw_w`).

>>> from waferscale.data import catalog
>>> hw = hardware(catalog.load(), "dgx_h100")
>>> hw.chips, hw.domain_chips, round(hw.mem_bytes / 1e9), round(hw.wall_power_w_per_chip)
(8, 8, 80, 1275)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ...data.catalog import Catalog
from .. import interconnect as ic
from ..workloads import BYTES_PER_VALUE

__all__ = ["Hardware", "hardware", "hardware_ids", "system_links", "gpu_systems"]

PRECISIONS = tuple(BYTES_PER_VALUE)


@dataclass(frozen=True)
class Hardware:
    """One system, per chip (a GPU or a wafer).

    Attributes
    ----------
    id, name, kind : str
        Catalog id, name, ``gpu`` or ``wafer``.
    chip : str
        Catalog id of the chip.
    chips : int
        Chips in the system as sold (8 in a DGX, 72 in an NVL72 rack, 1 for a lone GPU or a CS-3).
    domain_chips : int
        Chips one scale-up domain joins (tensor parallelism stays inside it).
    mem_bytes, mem_bytes_per_s : float
        Memory per chip holding weights and KV cache (HBM, or on-wafer SRAM) and its bandwidth.
    flop_per_s : tuple of (precision, float)
        Dense peak per chip for each precision it computes in.
    up_bytes_per_s_per_dir, up_step_latency_s : float
        Scale-up tier: bandwidth per chip per direction and the latency of one step of a collective (one hop).
    in_switch_reduce : bool
        The scale-up switch reduces in the network (NVSwitch with SHARP, "NVLS"): an all-reduce costs one pass.
    out_bytes_per_s_per_dir, out_step_latency_s : float
        Scale-out tier (between domains, or between wafers) per chip.
    up_collective_s : float or None
        Fixed cost of one collective call on the scale-up tier (launch, synchronisation), paid once per call
        on top of the per-step latency; ``None`` where the catalog has none (the model then uses
        :attr:`ServeParams.collective_s`).
    wall_power_w_per_chip : float
        Wall power of the system at full load divided by its chips (``wall_power_w``; failing that the system
        power, or a lone GPU's share of its server).
    idle_power_w_per_chip : float or None
        Wall power at idle per chip where the catalog has it (else :attr:`ServeParams.idle_share` of full).
    price_usd_per_chip : float or None
        Price per chip where the catalog has one.
    pes : float
        Wafer only: processing elements per wafer (0 for a GPU).
    hop_latency_s, pe_link_bytes_per_s_per_dir : float
        Wafer only: one mesh hop and one PE-to-PE link's bandwidth per direction.
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
    up_bytes_per_s_per_dir: float
    up_step_latency_s: float
    in_switch_reduce: bool
    out_bytes_per_s_per_dir: float
    out_step_latency_s: float
    wall_power_w_per_chip: float
    price_usd_per_chip: float | None
    up_collective_s: float | None = None
    idle_power_w_per_chip: float | None = None
    pes: float = 0.0
    hop_latency_s: float = 0.0
    pe_link_bytes_per_s_per_dir: float = 0.0
    sources: tuple[str, ...] = ()

    def flops(self, precision: str) -> float:
        """Dense peak per chip at ``precision``; a chip without that rate computes at its 16-bit rate."""
        d = dict(self.flop_per_s)
        for p in (precision, "bf16", "fp16"):
            if p in d:
                return d[p]
        raise ValueError(f"system={self.id!r} has no dense FLOP rate in the catalog")

    def with_(self, **kw) -> "Hardware":
        """A copy with some fields changed (a what-if: faster links, more memory)."""
        return replace(self, **kw)


def system_links(cat: Catalog) -> dict[str, tuple[str, str, str]]:
    """``{system: (chip, scale-up tier, scale-out tier)}`` for every system in the catalog's ``topology.csv``.

    The chip is the system's ``chip`` in ``entities.csv``, or the system itself when it is a lone chip.

    >>> from waferscale.data import catalog
    >>> system_links(catalog.load())["dgx_h100"]
    ('h100_sxm', 'nvlink4', 'ib_ndr')
    """
    chip = dict(zip(cat.entities["id"], cat.entities["chip"]))
    return {r.system: (chip.get(r.system) or r.system, r.scale_up, r.scale_out) for r in cat.topology.itertuples()}


def hardware_ids(cat: Catalog) -> list[str]:
    """Systems the serving model can run (those with link tiers in ``topology.csv``)."""
    return list(system_links(cat))


def gpu_systems(cat: Catalog, *, multi_chip: bool | None = None) -> list[str]:
    """The GPU systems the serving model can run, in catalog order: catalog-driven, so an added chip joins.

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
        if cat.entities.loc[cat.entities["id"] == chip, "kind"].iloc[0] != "gpu":
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


def _server_share(cat: Catalog, chip: str, field: str) -> float | None:
    """``field`` per GPU of the first multi-GPU system built from ``chip`` that states it (a lone GPU's share)."""
    for sid, c in zip(cat.entities["id"], cat.entities["chip"]):
        if c == chip and cat.has(sid, field) and cat.has(sid, "chips") and cat.value(sid, "chips") > 1:
            return cat.value(sid, field) / cat.value(sid, "chips")
    return None


def hardware(cat: Catalog, system_id: str, overrides: dict[str, str] | None = None) -> Hardware:
    """Resolve ``system_id`` into a :class:`Hardware` record.

    A system's own facts (``dgx_h100.hbm_bytes``, for all its chips) come first, divided by its chips; then its
    chip's (``h100_sxm.hbm_bytes``). ``overrides`` map a catalog ``entity.field`` (a tier's ``tier.latency_s``
    too) to ``'low'`` or ``'high'`` to take that end of its range, for a what-if or uncertainty sampling, e.g.
    ``{"wse3.fp16_dense_flop_per_s": "low"}``. A tier without a published α borrows NDR InfiniBand's.

    Raises
    ------
    ValueError
        If ``system_id`` has no link tiers in the catalog (the message lists the allowed ids).
    """
    key, store = ("hardware", system_id, tuple(sorted((overrides or {}).items()))), cat.records
    if key not in store:
        store[key] = _hardware(cat, system_id, overrides or {})
    return store[key]


def _hardware(cat: Catalog, system_id: str, ov: dict[str, str]) -> Hardware:
    links = system_links(cat)
    if system_id not in links:
        raise ValueError(f"system={system_id!r} is not modelled (no row in topology.csv); allowed: {', '.join(links)}")
    chip, up_id, out_id = links[system_id]
    srcs: list[str] = []
    chips = int(cat.value(system_id, "chips")) if cat.has(system_id, "chips") else 1
    per = chips if system_id != chip else 1         # a system's facts are for all its chips, a chip's for one

    def g(f: str, per_system: float = float(chips)) -> float | None:
        for e, div in ((system_id if system_id != chip else "", per_system), (chip, 1.0)):
            if e and cat.has(e, f):
                fa = cat.fact(e, f)
                srcs.extend(fa.source.split(";"))
                pick = ov.get(f"{system_id}.{f}", ov.get(f"{chip}.{f}", "value"))
                return {"value": fa.value, "low": fa.range[0], "high": fa.range[1]}[pick] / div
        return None

    def lat(t: ic.Tier) -> float:
        if t.latency_s is None:  # no published α: borrow the NDR InfiniBand switch's (stated in the chapter)
            t = ic.tier(cat, "ib_ndr")
        v = {"value": t.latency_s, "low": t.latency_low_s, "high": t.latency_high_s}[ov.get(f"{t.id}.latency_s", "value")]
        return float(t.latency_s if v is None else v)

    wafer = cat.entities.loc[cat.entities["id"] == chip, "kind"].iloc[0] == "wafer"
    up, out = ic.tier(cat, up_id), ic.tier(cat, out_id)
    srcs += list(up.sources) + list(out.sources)
    flops = tuple((p, float(v)) for p in PRECISIONS if (v := g(f"{p}_dense_flop_per_s")) is not None)
    if wafer:
        mem, bw = g("sram_bytes"), g("sram_bytes_per_s")
        pes = cat.value(chip, "mesh_width_pe") * cat.value(chip, "mesh_height_pe")
        hop = {"value": up.require("latency"), "low": up.latency_low_s, "high": up.latency_high_s}[
            ov.get(f"{up_id}.latency_s", "value")]
        io_bw = g("io_bytes_per_s", per_system=1.0) or out.require("bandwidth")
        power = g("system_power_w")
        up_bw = out_bw = float(io_bw)
        up_lat = out_lat = lat(out)
        domain, link = chips, float(up.bytes_per_s_per_dir or 0.0)
    else:
        mem, bw = g("hbm_bytes"), g("hbm_bytes_per_s")
        power = g("system_power_w") if cat.has(system_id, "system_power_w") and system_id != chip else None
        if power is None:
            power = cat.value(chip, "tdp_w")
        up_bw, up_lat, out_bw, out_lat = up.require("bandwidth"), lat(up), out.require("bandwidth"), lat(out)
        domain = chips if chips > 1 else int(cat.value(up_id, "domain_chips")) if cat.has(up_id, "domain_chips") else 1
        pes, hop, link = 0.0, 0.0, 0.0
    if cat.has(system_id, "wall_power_w"):
        power = cat.value(system_id, "wall_power_w") / per
    elif not wafer and chips == 1:
        power = _server_share(cat, chip, "system_power_w") or power
    idle = (cat.value(system_id, "idle_power_w") / per if cat.has(system_id, "idle_power_w")
            else _server_share(cat, chip, "idle_power_w"))
    coll = None
    if cat.has(up_id, "collective_latency_s"):
        fa = cat.fact(up_id, "collective_latency_s")
        coll = {"value": fa.value, "low": fa.range[0], "high": fa.range[1]}[ov.get(f"{up_id}.collective_latency_s", "value")]
    return Hardware(
        id=system_id, name=cat.name(system_id), kind="wafer" if wafer else "gpu", chip=chip, chips=chips,
        domain_chips=domain, mem_bytes=float(mem), mem_bytes_per_s=float(bw), flop_per_s=flops,
        up_bytes_per_s_per_dir=float(up_bw), up_step_latency_s=float(up_lat),
        in_switch_reduce=not wafer and cat.has(up_id, "switch_bytes_per_s"),
        out_bytes_per_s_per_dir=float(out_bw), out_step_latency_s=float(out_lat),
        wall_power_w_per_chip=float(power), price_usd_per_chip=g("price_usd"), up_collective_s=coll,
        idle_power_w_per_chip=idle, pes=float(pes), hop_latency_s=float(hop), pe_link_bytes_per_s_per_dir=link,
        sources=tuple(dict.fromkeys(srcs)))
