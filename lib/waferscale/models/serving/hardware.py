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
from .. import performance as pf

__all__ = ["Hardware", "hardware", "hardware_ids"]


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


def hardware_ids(cat: Catalog) -> list[str]:
    """Systems the serving model can run (those with link tiers in ``topology.csv``)."""
    return list(pf.system_links(cat))


def _server_share(cat: Catalog, chip: str, field: str) -> float | None:
    """``field`` per GPU of the first multi-GPU system built from ``chip`` that states it (a lone GPU's share)."""
    for sid, c in zip(cat.entities["id"], cat.entities["chip"]):
        if c == chip and cat.has(sid, field) and cat.has(sid, "chips") and cat.value(sid, "chips") > 1:
            return cat.value(sid, field) / cat.value(sid, "chips")
    return None


def hardware(cat: Catalog, system_id: str, overrides: dict[str, str] | None = None) -> Hardware:
    """Resolve ``system_id`` into a :class:`Hardware` record (``overrides`` pick ``low``/``high`` ends of ranges,
    keyed ``entity.field``, as in :func:`waferscale.models.performance.system`).

    Raises
    ------
    ValueError
        If ``system_id`` has no link tiers in the catalog (the message lists the allowed ids).
    """
    s = pf.system(cat, system_id, overrides)
    chip, up_id, out_id = pf.system_links(cat)[system_id]
    up = ic.tier(cat, up_id)
    per = s.chips if system_id != chip else 1        # a system's facts are for all its chips, a chip's for one
    power = s.power_w
    if cat.has(system_id, "wall_power_w"):
        power = cat.value(system_id, "wall_power_w") / per
    elif s.kind == "gpu" and s.chips == 1:
        power = _server_share(cat, chip, "system_power_w") or power
    idle = (cat.value(system_id, "idle_power_w") / per if cat.has(system_id, "idle_power_w")
            else _server_share(cat, chip, "idle_power_w"))
    coll = cat.value(up_id, "collective_latency_s") if cat.has(up_id, "collective_latency_s") else None
    nvls = s.kind == "gpu" and cat.has(up_id, "switch_bytes_per_s")
    link = (up.bytes_per_s_per_dir or 0.0) if s.kind == "wafer" else 0.0
    return Hardware(
        id=s.id, name=s.name, kind=s.kind, chip=s.chip, chips=s.chips, domain_chips=s.domain_chips,
        mem_bytes=s.mem_bytes, mem_bytes_per_s=s.mem_bytes_per_s, flop_per_s=s.flop_per_s,
        up_bytes_per_s_per_dir=s.up_bytes_per_s, up_step_latency_s=s.up_latency_s, in_switch_reduce=nvls,
        out_bytes_per_s_per_dir=s.out_bytes_per_s, out_step_latency_s=s.out_latency_s,
        wall_power_w_per_chip=float(power), price_usd_per_chip=s.price_usd, up_collective_s=coll,
        idle_power_w_per_chip=idle, pes=s.pes, hop_latency_s=s.hop_latency_s,
        pe_link_bytes_per_s_per_dir=float(link), sources=s.sources)
