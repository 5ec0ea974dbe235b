"""System scaling: bandwidth and energy per chip as a system grows from one chip to thousands.

A :class:`Build` names how a system grows (catalog ids); :func:`cluster` resolves it once into a
:class:`Cluster` of records (chip peak, link tiers, the fat tree, the mesh), and :func:`scale` is a pure
function of that record. Three ways to grow:

* **GPUs, NVLink then InfiniBand** — G GPUs per NVLink domain (``domain_chips`` of the scale-up
  tier), domains joined by a non-blocking InfiniBand fat tree, one NIC per GPU. All-reduce is
  :func:`~waferscale.models.collectives.hierarchical_all_reduce` (ring inside a domain when the system
  is smaller than one).
* **the same with co-packaged optics** — the switches' transceivers become CPO ports (the NICs
  keep pluggables); bandwidth per GPU is unchanged, energy per bit and switch radix change.
* **wafers** — one wafer's mesh inside, wafers joined by their off-wafer Ethernet I/O (ring
  all-reduce over it). With one wafer the figure is the mesh's bisection bandwidth.

Bandwidth is reported per unit of dense 16-bit compute (bytes/s of all-reduce bus bandwidth per
FLOP/s), so a wafer and a GPU compare fairly; energy is that of one bit on the longest path.

Examples
--------
>>> from waferscale import load
>>> df = scaling_table([cluster(load(), h100_ib())], max_chips=64)
>>> list(df["chips"])[:5], sorted(set(df["tier"]))
([2, 4, 8, 9, 16], ['scale-out', 'scale-up'])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from . import collectives as co
from . import interconnect as ic
from ..data.catalog import Catalog
from ..core.checks import check_int

#: Largest system :func:`scaling_table` tabulates (chips); the grid has about log2 of it points per build.
MAX_TABLE_CHIPS = 2**20


__all__ = ["Build", "Cluster", "cluster", "h100_ib", "gb200_xdr", "gb200_cpo", "cs3_ethernet", "BUILDS", "build_for",
           "gpu_build", "catalog_builds", "dense_flop_per_s", "scale", "scaling_table"]


@dataclass(frozen=True)
class Build:
    """How a system grows: its chip, scale-up tier and domain, scale-out switch and optics.

    ``chip`` gives compute (``bf16_dense_flop_per_s`` or ``fp16_dense_flop_per_s``); ``host``
    gives per-chip scale-out bandwidth (``scaleout_bytes_per_s_per_dir`` or ``io_bytes_per_s``).
    ``alpha_tier`` supplies the scale-out α. ``scale_up`` is None for wafers (their inside is the
    mesh of ``chip``).
    """

    label: str
    chip: str
    host: str
    scale_up: str | None
    switch: str
    switch_optics: str
    alpha_tier: str
    scaleout_tier: str


def h100_ib() -> Build:
    """DGX H100 nodes (NVLink 4) on an InfiniBand NDR fat tree with pluggable optics."""
    return Build("H100: NVLink 4 + InfiniBand NDR, pluggable optics", "h100_sxm", "dgx_h100", "nvlink4",
                 "ib_ndr", "pluggable_optics_1p6t", "ib_ndr", "ib_ndr")


def gb200_xdr() -> Build:
    """GB200 NVL72 racks (NVLink 5) on an InfiniBand XDR fat tree with pluggable optics."""
    return Build("GB200 NVL72: NVLink 5 + InfiniBand XDR, pluggable optics", "b200", "gb200_nvl72", "nvlink5",
                 "ib_xdr", "pluggable_optics_1p6t", "ib_ndr", "ib_xdr")


def gb200_cpo() -> Build:
    """GB200 NVL72 racks on co-packaged-optics switches (Quantum-X Photonics)."""
    return Build("GB200 NVL72: NVLink 5 + co-packaged optics switches", "b200", "gb200_nvl72", "nvlink5",
                 "cpo_nvidia", "cpo_nvidia", "ib_ndr", "ib_xdr")


def cs3_ethernet() -> Build:
    """CS-3 wafers joined by their off-wafer Ethernet I/O through pluggable-optics switches."""
    return Build("CS-3 wafers: on-wafer mesh + 100 GbE I/O, pluggable optics", "wse3", "cs3", None,
                 "ib_ndr", "pluggable_optics_1p6t", "cs_ethernet_io", "cs_ethernet_io")


BUILDS = (h100_ib, gb200_xdr, gb200_cpo, cs3_ethernet)


def build_for(cat: Catalog, system: str, switch_optics: str = "pluggable_optics_1p6t") -> Build:
    """The :class:`Build` of a GPU system from the catalog: its chip and tiers from ``topology.csv``, its
    scale-out tier as the switch (α borrowed from InfiniBand NDR where the tier publishes none, as the
    serving model does). Lets any GPU system in the catalog, an added one included, be scaled.

    Raises
    ------
    ValueError
        If ``system`` has no row in ``topology.csv`` or is a wafer system.
    """
    from .serving.hardware import system_links

    links = system_links(cat)
    if system not in links:
        raise ValueError(f"system={system!r} has no row in topology.csv; allowed: {', '.join(links)}")
    chip, up, out = links[system]
    if cat.entities.loc[cat.entities["id"] == chip, "kind"].iloc[0] == "wafer":
        raise ValueError(f"system={system!r} is a wafer system; use cs3_ethernet() for wafers")
    return gpu_build(cat, chip, system, up, out, switch_optics, label=f"{cat.name(system)}: {cat.name(up)} + {cat.name(out)}")


def gpu_build(cat: Catalog, chip: str, host: str, up: str, out: str, switch_optics: str = "pluggable_optics_1p6t", *,
              label: str | None = None) -> Build:
    """The :class:`Build` of GPUs ``chip`` in ``host`` systems: ``up`` inside a domain, ``out`` (also the switch)
    between domains, with α borrowed from InfiniBand NDR where ``out`` publishes none (as the serving model does)."""
    alpha = out if ic.tier(cat, out).latency_s is not None else "ib_ndr"
    return Build(label or f"{cat.name(chip)}: {cat.name(up)} + {cat.name(out)}", chip, host, up, out, switch_optics,
                 alpha, out)


def catalog_builds(cat: Catalog) -> list[Build]:
    """:func:`build_for` every multi-GPU system the serving model knows, then the wafers (catalog-driven)."""
    from .serving.hardware import gpu_systems

    return [build_for(cat, s) for s in gpu_systems(cat, multi_chip=True)] + [cs3_ethernet()]


def dense_flop_per_s(cat: Catalog, chip: str) -> float:
    """A chip's dense 16-bit peak from the catalog: ``bf16_dense_flop_per_s``, else ``fp16_dense_flop_per_s``."""
    for f in ("bf16_dense_flop_per_s", "fp16_dense_flop_per_s"):
        if cat.has(chip, f):
            return cat.value(chip, f)
    raise ValueError(f"chip={chip!r} has no dense 16-bit FLOP/s in the catalog")


def _scaleout_bw(cat: Catalog, build: Build) -> float:
    """Scale-out bandwidth per chip: the host system's figure, else its chip's (a lone GPU's NIC)."""
    for entity in (build.host, build.chip):
        for f in ("scaleout_bytes_per_s_per_dir", "io_bytes_per_s"):
            if cat.has(entity, f):
                return cat.value(entity, f)
    raise ValueError(f"build={build.label!r}: neither {build.host!r} nor {build.chip!r} gives a scale-out bandwidth")


@dataclass(frozen=True)
class Cluster:
    """A :class:`Build` resolved into records: everything :func:`scale` and
    :func:`waferscale.models.training.train_step` read, with units in the names.

    ``dense_16bit_flop_per_s`` is one chip's dense peak (``bf16_dense_flop_per_s``, else ``fp16_dense_flop_per_s``);
    ``up`` and ``domain_chips`` are the scale-up tier and its domain (None for wafers); ``mesh`` is the wafer's
    on-chip mesh (None for GPUs); ``tree`` the scale-out fat tree; ``scaleout_bytes_per_s_per_dir`` and
    ``scaleout_latency_s`` each chip's scale-out bandwidth (the host system's ``scaleout_bytes_per_s_per_dir`` or
    ``io_bytes_per_s``, else the chip's own) and α; ``hbm_bytes`` per GPU (None for wafers). ``sources``: the
    BibTeX keys behind the chip's and host's figures (the tiers, tree and mesh carry their own).
    """

    label: str
    chip: str
    dense_16bit_flop_per_s: float
    hbm_bytes: float | None
    scaleout_bytes_per_s_per_dir: float
    scaleout_latency_s: float
    tree: ic.FatTree
    up: ic.Tier | None = None
    domain_chips: int | None = None
    mesh: ic.Mesh | None = None
    sources: tuple[str, ...] = ()

    @property
    def is_wafer(self) -> bool:
        """True for wafers (no scale-up tier: their inside is the mesh)."""
        return self.up is None


def cluster(cat: Catalog, build: Build) -> Cluster:
    """Resolve ``build``'s ids against the catalog, once, into a :class:`Cluster`.

    Raises
    ------
    ValueError
        A build that is not a :class:`Build`, or ids the catalog lacks (the message names them).
    """
    if not isinstance(build, Build):
        raise ValueError(f"build={build!r} is not allowed; allowed: a Build (h100_ib(), build_for(cat, id), ...)")
    tree = ic.fat_tree(cat, build.switch, build.switch_optics)
    facts = [(build.chip, f) for f in ("bf16_dense_flop_per_s", "fp16_dense_flop_per_s", "hbm_bytes")]
    facts += [(e, f) for e in (build.host, build.chip) for f in ("scaleout_bytes_per_s_per_dir", "io_bytes_per_s")]
    common = dict(label=build.label, chip=build.chip, dense_16bit_flop_per_s=dense_flop_per_s(cat, build.chip),
                  sources=cat.sources_of(facts),
                  scaleout_bytes_per_s_per_dir=_scaleout_bw(cat, build),
                  scaleout_latency_s=ic.tier(cat, build.alpha_tier).require("latency"), tree=tree)
    if build.scale_up is None:
        return Cluster(hbm_bytes=None, mesh=ic.mesh(cat, build.chip), **common)
    return Cluster(hbm_bytes=cat.value(build.chip, "hbm_bytes") if cat.has(build.chip, "hbm_bytes") else None,
                   up=ic.tier(cat, build.scale_up), domain_chips=int(cat.value(build.scale_up, "domain_chips")),
                   **common)


def scale(cl: Cluster, chips: int, message_bytes: float = 1e9) -> dict:
    """Bandwidth and energy per chip for ``chips`` chips of cluster ``cl`` all-reducing ``message_bytes``.

    Returns a dict: label, chips, bus_bandwidth_bytes_per_s (per chip), bytes_per_flop (bus
    bandwidth / chip dense FLOP/s), path_j_per_bit with path_low/high (the longest path), tier
    ('scale-up', 'scale-out' or 'mesh'), levels (switch levels, 0 inside a domain).

    Examples
    --------
    Eight H100s in one NVLink 4 domain all-reduce inside it (no switch level):

    >>> from waferscale import load
    >>> r = scale(cluster(load(), h100_ib()), 8)
    >>> r["tier"], r["levels"]
    ('scale-up', 0)
    """
    if not isinstance(cl, Cluster):
        raise ValueError(f"cl={cl!r} is not allowed; allowed: a Cluster (scaling.cluster(cat, build))")
    N = ic.check_ranks("chips", chips)
    n = ic.check_bytes("message_bytes", message_bytes)
    out_bw, out_alpha = cl.scaleout_bytes_per_s_per_dir, cl.scaleout_latency_s
    paths = [ic.scaleout_path(cl.tree, max(N, 2), bound=b) for b in ("value", "low", "high")]
    if cl.is_wafer:
        m = cl.mesh
        if N == 1:
            bw, where, levels = m.bisection_bytes_per_s_per_dir, "mesh", 0
            e = [m.mean_hops * x for x in (m.energy_j_per_bit_per_hop, m.energy_low_j_per_bit_per_hop,
                                           m.energy_high_j_per_bit_per_hop)]
        else:
            bw = co.ring_all_reduce(n, N, out_bw, out_alpha).bus_bandwidth_bytes_per_s
            where, levels, e = "scale-out", paths[0].levels, [p.total_j_per_bit for p in paths]
    else:
        up = cl.up
        G = cl.domain_chips
        if N <= G:
            bw = co.ring_all_reduce(n, N, up.require("bandwidth"), up.require("latency")).bus_bandwidth_bytes_per_s
            where, levels = "scale-up", 0
            e = [up.energy_j_per_bit, up.energy_low_j_per_bit, up.energy_high_j_per_bit]
        else:
            M = math.ceil(N / G)
            bw = co.hierarchical_all_reduce(n, G, M, up.require("bandwidth"), up.require("latency"),
                                            out_bw, out_alpha).bus_bandwidth_bytes_per_s
            where, levels, e = "scale-out", paths[0].levels, [p.total_j_per_bit for p in paths]
    return {"label": cl.label, "chips": N, "bus_bandwidth_bytes_per_s": bw, "bytes_per_flop": bw / cl.dense_16bit_flop_per_s,
            "path_j_per_bit": e[0], "path_low_j_per_bit": e[1], "path_high_j_per_bit": e[2],
            "tier": where, "levels": levels}


def scaling_table(clusters, max_chips: int = 16384, message_bytes: float = 1e9) -> pd.DataFrame:
    """:func:`scale` for each :class:`Cluster` at 1, 2, 4, … chips up to ``max_chips``.

    Domain sizes (8, 72) are added to the grid so that the step at the domain edge shows.
    Allowed: ``max_chips`` an integer in [1, 2²⁰]; ``message_bytes`` as :func:`scale`. Running time: under
    a second (the catalog indexes its facts once, :meth:`~waferscale.data.catalog.Catalog.fact`).
    """
    top = check_int("max_chips", max_chips, 1, MAX_TABLE_CHIPS)
    if isinstance(clusters, Cluster) or not all(isinstance(c, Cluster) for c in clusters):
        raise ValueError(f"clusters={clusters!r} is not allowed; allowed: a list of Cluster (scaling.cluster(cat, build))")
    max_chips = top
    rows = []
    for c in clusters:
        grid = {2 ** k for k in range(0, int(math.log2(max_chips)) + 1)}
        if not c.is_wafer:
            G = c.domain_chips
            grid |= {G, G + 1} | {G * 2 ** k for k in range(0, int(math.log2(max_chips / G)) + 1)}
            grid.discard(1)
        rows += [scale(c, n, message_bytes) for n in sorted(x for x in grid if x <= max_chips)]
    return pd.DataFrame(rows)
