"""Link tiers as data, and the cost of one message over one link: time α + n/β, energy 8·n·e.

A *tier* is one kind of link in the catalog (``links.csv``): the on-wafer mesh fabric, a die-to-die
bridge, NVLink, PCIe, InfiniBand, Ethernet, optics. :func:`tier` reads one into a frozen
:class:`Tier`, with the grade of every number it carries. Nothing here types a hardware number;
everything comes from the catalog, and a tier whose number is not published says so (``None``).

Conventions: ``message_bytes`` is the size of a message in bytes; ``bytes_per_s_per_dir`` a
bandwidth in one direction (links are full duplex); ``latency_s`` the one-way start-up time α;
``energy_j_per_bit`` the energy to move one bit end to end over the tier.

Examples
--------
>>> round(p2p_time_s(1_000_000, bytes_per_s_per_dir=100e9, latency_s=1e-6) * 1e6, 6)  # µs
11.0
>>> round(p2p_energy_j(1_000_000, energy_j_per_bit=10e-12) * 1e6, 6)  # µJ
80.0
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import pandas as pd

from ..data.catalog import Catalog
from ..core.checks import BIG, check_choice, check_int, check_real

__all__ = [
    "Tier",
    "Mesh",
    "tier",
    "tier_ids",
    "tier_table",
    "p2p_time_s",
    "p2p_energy_j",
    "crossover_bytes",
    "mesh",
    "ScaleOutPath",
    "FatTree",
    "fat_tree",
    "scaleout_path",
    "switch_levels",
]


# -- input checks (shared with collectives) -----------------------------------------------------
#: Largest rank (endpoint) count the models accept: far beyond any machine, and every count is exact.
MAX_RANKS = 2**30


def check_bytes(name: str, value: float, hi: float = BIG) -> float:
    """Return ``value`` as float if it is a real number in ``[0, hi]``, else raise ValueError naming it."""
    return check_real(name, value, 0.0, hi)


def check_positive(name: str, value: float, hi: float = BIG) -> float:
    """Return ``value`` as float if it is a real number in ``(0, hi]``, else raise ValueError naming it."""
    return check_real(name, value, 0.0, hi, lo_open=True)


def check_ranks(name: str, value: int, hi: int = MAX_RANKS) -> int:
    """Return ``value`` as int if it is a whole number in ``[1, hi]``, else raise ValueError naming it."""
    return check_int(name, value, 1, hi)


# -- tiers ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tier:
    """One link tier from the catalog.

    Attributes
    ----------
    id, name, kind : str
        Catalog id, display name and kind (``on_chip``, ``scale_up``, ``scale_out``, ``optics`` ...).
    bytes_per_s_per_dir : float or None
        Bandwidth per endpoint per direction (a port's bandwidth where only that is given).
    latency_s, latency_low_s, latency_high_s : float or None
        One-way start-up time α and its range; ``None`` where the catalog has none.
    energy_j_per_bit, energy_low_j_per_bit, energy_high_j_per_bit : float or None
        Energy to move one bit over the tier, with its range; ``None`` where nothing is published.
    grades : tuple of (field, grade)
        The catalog grade of each number used.
    sources : tuple of str
        BibTeX keys behind the numbers.
    """

    id: str
    name: str
    kind: str
    bytes_per_s_per_dir: float | None
    latency_s: float | None
    latency_low_s: float | None
    latency_high_s: float | None
    energy_j_per_bit: float | None
    energy_low_j_per_bit: float | None
    energy_high_j_per_bit: float | None
    grades: tuple[tuple[str, str], ...]
    sources: tuple[str, ...]

    def grade(self, quantity: str) -> str | None:
        """Grade of ``quantity`` ('bandwidth', 'latency' or 'energy'), or None if absent."""
        return dict(self.grades).get(quantity)

    def require(self, quantity: str) -> float:
        """The tier's ``quantity`` ('bandwidth', 'latency', 'energy'); ValueError if not published."""
        value = {"bandwidth": self.bytes_per_s_per_dir, "latency": self.latency_s,
                 "energy": self.energy_j_per_bit}[quantity]
        if value is None:
            raise ValueError(f"tier={self.id!r} has no {quantity} in the catalog; choose a tier that has one")
        return value


def tier_ids(cat: Catalog) -> list[str]:
    """Ids of every link tier in the catalog, in catalog order."""
    return cat.ids("links")


def tier(cat: Catalog, tier_id: str) -> Tier:
    """Read one link tier from the catalog.

    Bandwidth is ``bytes_per_s_per_dir`` or, failing that, ``port_bytes_per_s_per_dir``; α is
    ``latency_s`` or, failing that, ``hop_latency_s``.

    Raises
    ------
    ValueError
        If ``tier_id`` is not a link in the catalog (the message lists the allowed ids).
    """
    ids = tier_ids(cat)
    if tier_id not in ids:
        raise ValueError(f"tier={tier_id!r} is not a link tier in the catalog; allowed: {', '.join(ids)}")
    grades: dict[str, str] = {}
    sources: list[str] = []

    def pick(label: str, *fields: str):
        for f in fields:
            if cat.has(tier_id, f):
                fact = cat.fact(tier_id, f)
                grades[label] = fact.grade
                sources.extend(fact.source.split(";"))
                return fact
        return None

    bw = pick("bandwidth", "bytes_per_s_per_dir", "port_bytes_per_s_per_dir")
    lat = pick("latency", "latency_s", "hop_latency_s")
    en = pick("energy", "energy_j_per_bit")
    ent = cat.entities.set_index("id").loc[tier_id]
    return Tier(
        id=tier_id, name=str(ent["name"]), kind=str(ent["kind"]),
        bytes_per_s_per_dir=None if bw is None else bw.value,
        latency_s=None if lat is None else lat.value,
        latency_low_s=None if lat is None else lat.range[0],
        latency_high_s=None if lat is None else lat.range[1],
        energy_j_per_bit=None if en is None else en.value,
        energy_low_j_per_bit=None if en is None else en.range[0],
        energy_high_j_per_bit=None if en is None else en.range[1],
        grades=tuple(grades.items()), sources=tuple(dict.fromkeys(s.strip() for s in sources)),
    )


# -- one message over one link -------------------------------------------------------------------
def p2p_time_s(message_bytes: float, bytes_per_s_per_dir: float, latency_s: float) -> float:
    """Time to send one message point to point: the α–β (Hockney) model.

    .. math:: t(n) = \\alpha + n / \\beta

    An empty message (``n = 0``) costs nothing: no message is sent.

    Parameters
    ----------
    message_bytes : float
        n, bytes (>= 0).
    bytes_per_s_per_dir : float
        β, bandwidth in the sending direction (> 0).
    latency_s : float
        α, one-way start-up time (>= 0).

    Examples
    --------
    1 MB over a 100 GB/s link with α = 1 µs: 1 µs + 10 µs = 11 µs.

    >>> round(p2p_time_s(1e6, 100e9, 1e-6) * 1e6, 6)
    11.0
    """
    n = check_bytes("message_bytes", message_bytes)
    beta = check_positive("bytes_per_s_per_dir", bytes_per_s_per_dir)
    alpha = check_bytes("latency_s", latency_s)
    return 0.0 if n == 0 else alpha + n / beta


def p2p_energy_j(message_bytes: float, energy_j_per_bit: float) -> float:
    """Energy to move one message: :math:`E = 8\\,n\\,e` with e the energy per bit.

    Examples
    --------
    1 MB at 10 pJ/bit: 8e6 bit x 1e-11 J = 80 µJ.

    >>> round(p2p_energy_j(1e6, 10e-12) * 1e6, 6)
    80.0
    """
    n = check_bytes("message_bytes", message_bytes)
    e = check_bytes("energy_j_per_bit", energy_j_per_bit)
    return 8.0 * n * e


def crossover_bytes(bytes_per_s_per_dir: float, latency_s: float) -> float:
    """Message size n* = α·β at which start-up and transfer take equal time.

    Below n* a link is latency-bound (α dominates), above it bandwidth-bound.

    Examples
    --------
    >>> crossover_bytes(450e9, 1e-6)
    450000.0
    """
    return check_positive("bytes_per_s_per_dir", bytes_per_s_per_dir) * check_bytes("latency_s", latency_s)


# -- the on-wafer mesh ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Mesh:
    """A 2-D mesh fabric of ``width_pe`` x ``height_pe`` processing elements (PEs).

    Each PE has one link to each neighbour, ``link_bytes_per_s_per_dir`` per direction; one hop
    takes ``hop_latency_s`` and costs ``energy_j_per_bit_per_hop``.
    """

    width_pe: int
    height_pe: int
    link_bytes_per_s_per_dir: float
    hop_latency_s: float
    energy_j_per_bit_per_hop: float
    energy_low_j_per_bit_per_hop: float
    energy_high_j_per_bit_per_hop: float
    sources: tuple[str, ...]

    @property
    def pes(self) -> int:
        """Number of PEs, W·H."""
        return self.width_pe * self.height_pe

    @property
    def mean_hops(self) -> float:
        """Mean Manhattan distance between two random PEs: (W + H)/3 (for large W, H)."""
        return (self.width_pe + self.height_pe) / 3.0

    @property
    def bisection_bytes_per_s_per_dir(self) -> float:
        """Bandwidth across the narrowest cut, per direction: min(W, H) links x link bandwidth."""
        return min(self.width_pe, self.height_pe) * self.link_bytes_per_s_per_dir


def mesh(cat: Catalog, system: str = "wse3", fabric: str = "wse3_fabric") -> Mesh:
    """The mesh of ``system`` (size from ``mesh_width_pe``/``mesh_height_pe``) with ``fabric``'s links."""
    t = tier(cat, fabric)
    return Mesh(
        width_pe=int(cat.value(system, "mesh_width_pe")), height_pe=int(cat.value(system, "mesh_height_pe")),
        link_bytes_per_s_per_dir=t.require("bandwidth"), hop_latency_s=t.require("latency"),
        energy_j_per_bit_per_hop=t.require("energy"),
        energy_low_j_per_bit_per_hop=t.energy_low_j_per_bit or t.require("energy"),
        energy_high_j_per_bit_per_hop=t.energy_high_j_per_bit or t.require("energy"),
        sources=tuple(dict.fromkeys([*t.sources, cat.fact(system, "mesh_width_pe").source])),
    )


# -- scale-out paths through switches and optics ------------------------------------------------
def switch_levels(endpoints: int, switch_ports: int) -> int:
    """Switch levels of a non-blocking fat tree for ``endpoints`` with radix ``switch_ports``.

    One level serves up to k endpoints, two up to k²/2, three up to k³/4 (folded Clos).

    Allowed: ``endpoints`` an integer in [1, 2³⁰], ``switch_ports`` an integer in [2, 2²⁰]; with
    radix 2 or 3 extra levels add no endpoints, so ``endpoints`` must be at most ``switch_ports``.
    Runs in O(log endpoints) (it used to loop forever at radix 2 or 3).

    Examples
    --------
    >>> [switch_levels(n, 64) for n in (2, 64, 65, 2048, 2049)]
    [1, 1, 2, 2, 3]
    """
    n = check_ranks("endpoints", endpoints)
    k = check_int("switch_ports", switch_ports, 2, 2**20)
    if k < 4 and n > k:  # radix 2 or 3: k // 2 = 1, so extra levels add no endpoints
        check_int("endpoints", endpoints, 1, k)
    levels, capacity = 1, k
    while capacity < n:  # capacity at least doubles per level (k >= 4): at most 30 levels
        levels += 1
        capacity = k * (k // 2) ** (levels - 1)
    return levels


@dataclass(frozen=True)
class ScaleOutPath:
    """Energy per bit of the longest path between two accelerators over a switched optical network.

    The path: host link out (e.g. PCIe to the NIC), NIC-side transceiver, then ``2·levels − 1``
    switch crossings, i.e. ``2·levels`` optical links with a transceiver at each end, then the
    far NIC and host link. With co-packaged optics the switch-side transceivers are CPO ports;
    the NIC side stays pluggable (as in NVIDIA's CPO switches).
    """

    levels: int
    host_j_per_bit: float
    nic_optics_j_per_bit: float
    switch_optics_j_per_bit: float

    @property
    def links(self) -> int:
        """Optical links on the longest path: 2·levels (up and down the tree)."""
        return 2 * self.levels

    @property
    def conversion_j_per_bit(self) -> float:
        """Optical–electrical conversion energy: all transceivers on the path."""
        return 2 * self.nic_optics_j_per_bit + (2 * self.links - 2) * self.switch_optics_j_per_bit

    @property
    def total_j_per_bit(self) -> float:
        """Host links at both ends plus all conversions."""
        return 2 * self.host_j_per_bit + self.conversion_j_per_bit

    @property
    def conversion_share(self) -> float:
        """Fraction of the path's energy spent in optical–electrical conversion."""
        return self.conversion_j_per_bit / self.total_j_per_bit


@dataclass(frozen=True)
class FatTree:
    """A switched scale-out network: the switch radix and the three tiers a bit crosses, ``host`` (the accelerator's
    link to its NIC, e.g. PCIe), ``nic_optics`` and ``switch_optics`` (a CPO port on co-packaged-optics switches).
    From :func:`fat_tree`; :func:`scaleout_path` is a pure function of it. ``sources``: the radix's key."""

    switch: str
    switch_ports: int
    host: Tier
    nic_optics: Tier
    switch_optics: Tier
    sources: tuple[str, ...] = ()

    def __post_init__(self):
        check_int("switch_ports", self.switch_ports, 2, 2**20)
        for t in (self.host, self.nic_optics, self.switch_optics):
            t.require("energy")


def fat_tree(cat: Catalog, switch: str = "ib_ndr", switch_optics: str = "pluggable_optics_1p6t",
             nic_optics: str = "pluggable_optics_1p6t", host: str = "pcie_gen5_x16") -> FatTree:
    """Resolve a :class:`FatTree` from catalog ids: the radix is ``switch``'s ``ports``; each tier must publish an
    energy per bit (ValueError naming it otherwise)."""
    return FatTree(switch, int(cat.value(switch, "ports")), tier(cat, host), tier(cat, nic_optics),
                   tier(cat, switch_optics), cat.sources_of([(switch, "ports")]))


def scaleout_path(tree: FatTree, endpoints: int, bound: str = "value") -> ScaleOutPath:
    """The longest accelerator-to-accelerator path in a fat tree of ``endpoints`` built as ``tree``.

    ``bound`` picks 'value', 'low' or 'high' energies from the tiers' ranges; the levels come from
    :func:`switch_levels` with the tree's radix.

    Examples
    --------
    With 1.6T pluggables (18.75 pJ/bit each) at every end, PCIe Gen5 host links (6.5 pJ/bit)
    and one switch level: 2 x 6.5 + 4 x 18.75 = 88 pJ/bit, 85 % of it in conversion.

    >>> pcie = Tier("pcie", "PCIe", "host", 64e9, None, None, None, 6.5e-12, 6.5e-12, 6.5e-12, (), ())
    >>> optic = Tier("o", "1.6T optics", "optics", 200e9, None, None, None, 18.75e-12, 15e-12, 25e-12, (), ())
    >>> round(scaleout_path(FatTree("sw", 64, pcie, optic, optic), 2).total_j_per_bit * 1e12, 2)
    88.0
    """
    check_choice("bound", bound, ("value", "low", "high"))
    if not isinstance(tree, FatTree):
        raise ValueError(f"tree={tree!r} is not allowed; allowed: a FatTree (interconnect.fat_tree(cat, ...))")
    i = {"value": 0, "low": 1, "high": 2}[bound]

    def e(t: Tier) -> float:
        return (t.require("energy"), t.energy_low_j_per_bit, t.energy_high_j_per_bit)[i]  # type: ignore[return-value]

    levels = switch_levels(endpoints, tree.switch_ports)
    return ScaleOutPath(levels=levels, host_j_per_bit=e(tree.host), nic_optics_j_per_bit=e(tree.nic_optics),
                        switch_optics_j_per_bit=e(tree.switch_optics))


def tier_table(cat: Catalog) -> pd.DataFrame:
    """Every link tier with its bandwidth, α and energy per bit (None where not published) and grades."""
    rows = []
    for tid in tier_ids(cat):
        t = tier(cat, tid)
        rows.append({"id": t.id, "name": t.name, "kind": t.kind,
                     "bytes_per_s_per_dir": t.bytes_per_s_per_dir, "bandwidth_grade": t.grade("bandwidth"),
                     "latency_s": t.latency_s, "latency_grade": t.grade("latency"),
                     "energy_j_per_bit": t.energy_j_per_bit, "energy_low_j_per_bit": t.energy_low_j_per_bit,
                     "energy_high_j_per_bit": t.energy_high_j_per_bit, "energy_grade": t.grade("energy")})
    return pd.DataFrame(rows)
