"""Physical limits of a wafer-size chip: heat flux against cooling limits, and signal delay across it.

Two of the article's "physical constraints" are tested here.

*Power density.* Heat flux is power over the silicon area that dissipates it,

.. math:: q = P / A \\quad [\\mathrm{W/cm^2}],

compared with the flux each cooling method removes (catalog table ``parameters``, kind ``cooling``).

*Signal delay.* A signal crossing a length ``L`` of wire takes at least the time of flight in the dielectric,

.. math:: t_\\text{tof} = L \\sqrt{\\varepsilon_r} / c,

and an on-chip wire, a distributed RC line with resistance ``r`` and capacitance ``c_w`` per metre, takes
``t_\\text{rc} = 0.38\\, r c_w L^2`` unrepeated (Elmore) or, cut into optimally spaced repeaters of delay
``t_\\text{rep}``, ``t_\\text{rep-wire} = 2 L \\sqrt{0.38\\, r c_w t_\\text{rep}}`` (linear in ``L``). A pipelined mesh
instead pays one clock per hop.

All functions are pure; lengths in metres, times in seconds, areas in mm², unless the name says otherwise. Bad
input raises ``ValueError`` naming the parameter, its value and the allowed range.

Examples
--------
>>> round(time_of_flight_s(0.215, 3.9) * 1e9, 2)      # 21.5 cm in SiO2
1.42
>>> round(power_density_w_per_cm2(700.0, 814.0), 1)   # an H100-class die at 700 W
86.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ..data.catalog import Catalog
from ..core.checks import check_real
from .yields import _array

__all__ = [
    "SPEED_OF_LIGHT_M_PER_S",
    "ELMORE_FACTOR",
    "power_density_w_per_cm2",
    "heat_sources",
    "chip_heat_sources",
    "heat_flux_table",
    "cooling_limits",
    "time_of_flight_s",
    "Wire",
    "wire_from_catalog",
    "unrepeated_delay_s",
    "repeated_delay_s",
    "mesh_crossing_hops",
    "Crossing",
    "WaferDie",
    "wafer_die",
    "wafer_crossing",
    "delay_vs_length",
]

#: Speed of light in vacuum (m/s), exact by the SI definition.
SPEED_OF_LIGHT_M_PER_S = 299_792_458.0
#: Distributed-RC (Elmore) factor for the 50 % delay of an unrepeated wire: t = 0.38 r c L².
ELMORE_FACTOR = 0.38


# -- power density --------------------------------------------------------------------------------
def power_density_w_per_cm2(power_w: ArrayLike, area_mm2: ArrayLike) -> NDArray[np.float64] | float:
    """Heat flux ``q = P / A`` in W/cm² for ``power_w`` watts over ``area_mm2`` mm² of silicon.

    >>> round(power_density_w_per_cm2(23000.0, 46225.0), 1)   # all CS-3 power charged to the wafer
    49.8
    """
    p = _array("power_w", power_w)
    a = _array("area_mm2", area_mm2, lo=0.0, lo_open=True)
    q = p / (a / 100.0)
    return float(q) if q.ndim == 0 else q


def _fact_row(cat: Catalog, entity: str, field: str) -> tuple[float, float, float, str, str]:
    f = cat.fact(entity, field)
    lo, hi = f.range
    return f.value, lo, hi, f.source, f.grade


def heat_sources(cat: Catalog) -> pd.DataFrame:
    """Heat flux of the wafer, two GPU dies and a GPU rack's silicon, from catalog power and area.

    Each row: ``device``, ``power_w`` (with ``power_low_w``/``power_high_w``), ``area_mm2``,
    ``w_per_cm2`` and its ``low``/``high`` from the power range, ``basis`` (what power is charged), and
    ``source``/``grade`` of the weakest input. The wafer row charges *all* CS-3 system power to the
    wafer (an upper bound on its flux); the B200 area is an upper bound (two reticle fields), so its
    flux is a lower bound; the rack row spreads rack power over its 72 GPUs' silicon.
    """
    rows = []

    def add(device: str, power: tuple, area: tuple, basis: str, count: float = 1.0) -> None:
        pv, plo, phi, ps, pg = power
        av, _, _, as_, ag = area
        a = av * count
        grades = [pg, ag]
        worst = max(grades, key=lambda g: list(_GRADE_ORDER).index(g))
        rows.append({
            "device": device, "power_w": pv, "power_low_w": plo, "power_high_w": phi, "area_mm2": a,
            "w_per_cm2": power_density_w_per_cm2(pv, a), "low": power_density_w_per_cm2(plo, a),
            "high": power_density_w_per_cm2(phi, a), "basis": basis,
            "source": ";".join(dict.fromkeys([ps, *as_.split(";")])), "grade": worst,
        })

    add("WSE-3 (CS-3 power)", _fact_row(cat, "cs3", "system_power_w"), _fact_row(cat, "wse3", "die_area_mm2"),
        "all system power charged to the wafer (upper bound)")
    add("H100 SXM", _fact_row(cat, "h100_sxm", "tdp_w"), _fact_row(cat, "h100_sxm", "die_area_mm2"),
        "module TDP, HBM included (overstates the die)")
    add("B200", _fact_row(cat, "b200", "tdp_w"), _fact_row(cat, "b200", "die_area_mm2"),
        "module TDP over two reticle fields (area an upper bound)")
    chips = cat.value("gb200_nvl72", "chips")
    add("GB200 NVL72 rack", _fact_row(cat, "gb200_nvl72", "system_power_w"), _fact_row(cat, "b200", "die_area_mm2"),
        f"rack power over its {chips:.0f} GPUs' silicon", count=chips)
    return pd.DataFrame(rows)


_GRADE_ORDER = ("spec_sheet", "peer_reviewed", "measured_here", "vendor_claim", "third_party", "derived", "uncertain")


def heat_flux_table(cat: Catalog) -> pd.DataFrame:
    """The outlook chapter's heat-flux comparison: the wafer, every GPU of the catalog with power and area
    (:func:`chip_heat_sources`, so an added chip joins), and the GB200 NVL72 rack, with the columns of
    :func:`heat_sources`. The wafer and rack rows are :func:`heat_sources`' own.
    """
    fixed = heat_sources(cat)
    wafer, rack = fixed.iloc[[0]], fixed.iloc[[-1]]
    return pd.concat([wafer, chip_heat_sources(cat), rack], ignore_index=True)


def chip_heat_sources(cat: Catalog, kinds: tuple[str, ...] = ("gpu",)) -> pd.DataFrame:
    """Heat flux of every chip of the given ``kinds`` whose ``tdp_w`` and ``die_area_mm2`` the catalog gives
    (module TDP over die area), in catalog order, with the columns of :func:`heat_sources`. Catalog-driven:
    a chip added to the catalog joins.
    """
    rows = []
    for chip in cat.ids("systems"):
        if cat.entities.loc[cat.entities["id"] == chip, "kind"].iloc[0] not in kinds:
            continue
        if not (cat.has(chip, "tdp_w") and cat.has(chip, "die_area_mm2")):
            continue
        pv, plo, phi, ps, pg = _fact_row(cat, chip, "tdp_w")
        av, _, _, as_, ag = _fact_row(cat, chip, "die_area_mm2")
        rows.append({
            "device": cat.name(chip), "power_w": pv, "power_low_w": plo, "power_high_w": phi, "area_mm2": av,
            "w_per_cm2": power_density_w_per_cm2(pv, av), "low": power_density_w_per_cm2(plo, av),
            "high": power_density_w_per_cm2(phi, av), "basis": "module TDP over die area",
            "source": ";".join(dict.fromkeys([*ps.split(";"), *as_.split(";")])),
            "grade": max([pg, ag], key=lambda g: list(_GRADE_ORDER).index(g)),
        })
    return pd.DataFrame(rows)


def cooling_limits(cat: Catalog) -> pd.DataFrame:
    """The catalog's cooling limits (kind ``cooling``): ``method``, ``w_per_cm2``, ``source``, ``grade``, ``note``."""
    ids = cat.ids("parameters", "cooling")
    rows = []
    for i in ids:
        f = cat.fact(i, "heat_flux_w_per_cm2")
        rows.append({"id": i, "method": cat.name(i), "w_per_cm2": f.value, "source": f.source, "grade": f.grade,
                     "note": f.note})
    return pd.DataFrame(rows).sort_values("w_per_cm2", kind="stable").reset_index(drop=True)


# -- signal delay ---------------------------------------------------------------------------------
def time_of_flight_s(length_m: ArrayLike, relative_permittivity: ArrayLike) -> NDArray[np.float64] | float:
    """Time of flight ``L √ε_r / c`` over ``length_m`` in a dielectric of ``relative_permittivity`` (≥ 1).

    >>> round(time_of_flight_s(0.215, 2.5) * 1e9, 2)
    1.13
    """
    length = _array("length_m", length_m)
    eps = _array("relative_permittivity", relative_permittivity, lo=1.0)
    t = length * np.sqrt(eps) / SPEED_OF_LIGHT_M_PER_S
    return float(t) if t.ndim == 0 else t


@dataclass(frozen=True)
class Wire:
    """An on-chip wire: resistance and capacitance per metre, and the delay of one repeater.

    ``r_ohm_per_m = ρ / (w t)``; ``c_f_per_m`` as given.

    Allowed (finite, so that ``r·c`` and :attr:`optimal_segment_m` stay finite and non-zero):
    ``r_ohm_per_m`` in [1e-6, 1e15], ``c_f_per_m`` in [1e-21, 1e-3], ``repeater_delay_s`` in [1e-18, 1e-3].
    """

    r_ohm_per_m: float
    c_f_per_m: float
    repeater_delay_s: float
    name: str = "wire"

    def __post_init__(self) -> None:
        check_real("r_ohm_per_m", self.r_ohm_per_m, 1e-6, 1e15)
        check_real("c_f_per_m", self.c_f_per_m, 1e-21, 1e-3)
        check_real("repeater_delay_s", self.repeater_delay_s, 1e-18, 1e-3)
        if not isinstance(self.name, str):
            raise ValueError(f"name={self.name!r} is not allowed; allowed: a string")

    @property
    def rc_s_per_m2(self) -> float:
        """The wire's ``r·c`` product (s/m²)."""
        return self.r_ohm_per_m * self.c_f_per_m

    @property
    def optimal_segment_m(self) -> float:
        """Repeater spacing that minimises delay: ``√(t_rep / (0.38 r c))``."""
        return math.sqrt(self.repeater_delay_s / (ELMORE_FACTOR * self.rc_s_per_m2))


def wire_from_catalog(cat: Catalog, wire: str = "wire_45nm_m8") -> Wire:
    """A :class:`Wire` from the catalog's geometry, resistivity, capacitance and repeater delay."""
    rho = cat.value(wire, "resistivity_ohm_m")
    w, t = cat.value(wire, "wire_width_m"), cat.value(wire, "wire_thickness_m")
    return Wire(rho / (w * t), cat.value(wire, "wire_capacitance_f_per_m"), cat.value(wire, "repeater_delay_s"),
                name=cat.name(wire))


def unrepeated_delay_s(length_m: ArrayLike, wire: Wire) -> NDArray[np.float64] | float:
    """Elmore delay of an unrepeated distributed RC wire, ``0.38 r c L²`` (grows with L²).

    >>> w = Wire(1e5, 2e-10, 2e-11)
    >>> round(unrepeated_delay_s(0.01, w) * 1e9, 3)    # 1 cm
    0.76
    """
    length = _array("length_m", length_m)
    d = ELMORE_FACTOR * wire.rc_s_per_m2 * length**2
    return float(d) if d.ndim == 0 else d


def repeated_delay_s(length_m: ArrayLike, wire: Wire) -> NDArray[np.float64] | float:
    """Delay with optimally spaced repeaters, ``2 L √(0.38 r c t_rep)`` (linear in L).

    Below two optimal segments repeaters do not help, so the smaller of the two delays is returned.

    >>> w = Wire(1e5, 2e-10, 2e-11)
    >>> round(repeated_delay_s(0.01, w) * 1e9, 3)
    0.247
    """
    length = _array("length_m", length_m)
    lin = 2.0 * length * math.sqrt(ELMORE_FACTOR * wire.rc_s_per_m2 * wire.repeater_delay_s)
    d = np.minimum(ELMORE_FACTOR * wire.rc_s_per_m2 * length**2, lin)
    return float(d) if d.ndim == 0 else d


def mesh_crossing_hops(width_pe: ArrayLike, height_pe: ArrayLike) -> NDArray[np.float64] | float:
    """Hops corner to corner on a 2-D mesh with dimension-ordered routing: ``(W − 1) + (H − 1)``.

    >>> mesh_crossing_hops(762, 1172)
    1932.0
    """
    w = _array("width_pe", width_pe, lo=1.0, integer=True)
    h = _array("height_pe", height_pe, lo=1.0, integer=True)
    d = (w - 1) + (h - 1)
    return float(d) if d.ndim == 0 else d


@dataclass(frozen=True)
class Crossing:
    """Times to cross a wafer edge to edge, in seconds and in clock cycles."""

    length_m: float
    clock_hz: float
    tof_sio2_s: float
    tof_low_k_s: float
    rc_unrepeated_s: float
    rc_repeated_s: float
    mesh_hops: float
    mesh_s: float

    @property
    def period_s(self) -> float:
        """Clock period ``1 / f``."""
        return 1.0 / self.clock_hz

    def cycles(self, attr: str) -> float:
        """``getattr(self, attr) / period``: the crossing time in clock cycles."""
        return float(getattr(self, attr)) / self.period_s


@dataclass(frozen=True)
class WaferDie:
    """What a signal crossing a wafer sees: the silicon's edge (``side_m`` = √area), its clock, its mesh of
    ``mesh_width_pe`` x ``mesh_height_pe`` PEs at ``hop_latency_cycles`` per hop, and the relative permittivities
    of SiO₂ and of a low-k dielectric around its wires. Resolved from the catalog by :func:`wafer_die`;
    ``sources`` are the BibTeX keys behind those figures."""

    system: str
    name: str
    side_m: float
    clock_hz: float
    mesh_width_pe: int
    mesh_height_pe: int
    hop_latency_cycles: float
    permittivity_sio2: float
    permittivity_low_k: float
    sources: tuple[str, ...] = ()


def wafer_die(cat: Catalog, system: str = "wse3") -> WaferDie:
    """Resolve a :class:`WaferDie` for ``system`` (its area, clock, mesh and hop latency) with the catalog's
    ``sio2`` and ``low_k`` permittivities."""
    facts = [(system, f) for f in ("die_area_mm2", "clock_hz", "mesh_width_pe", "mesh_height_pe", "hop_latency_cycles")]
    facts += [("sio2", "relative_permittivity"), ("low_k", "relative_permittivity")]
    return WaferDie(system, cat.name(system), math.sqrt(cat.value(system, "die_area_mm2")) / 1000.0, cat.value(system, "clock_hz"),
                    int(cat.value(system, "mesh_width_pe")), int(cat.value(system, "mesh_height_pe")),
                    cat.value(system, "hop_latency_cycles"), cat.value("sio2", "relative_permittivity"),
                    cat.value("low_k", "relative_permittivity"), cat.sources_of(facts))


def _die(die) -> WaferDie:
    if not isinstance(die, WaferDie):
        raise ValueError(f"die={die!r} is not allowed; allowed: a WaferDie (physics.wafer_die(cat))")
    return die


def wafer_crossing(die: WaferDie, wire: Wire) -> Crossing:
    """Crossing ``die``'s silicon edge to edge (side = √area): time of flight, RC ``wire``, mesh.

    The mesh crossing is corner to corner (Manhattan) at ``hop_latency_cycles`` per hop; the wire
    crossings are along one edge (the shortest a global signal could travel).

    Examples
    --------
    A 21.5 cm edge at 1.1 GHz: light in SiO₂ (εr = 3.9) needs 1.4 ns, about 1.6 cycles.

    >>> d = WaferDie("w", "wafer", 0.215, 1.1e9, 762, 1172, 1.0, 3.9, 2.5)
    >>> round(wafer_crossing(d, Wire(1e5, 2e-10, 2e-11)).cycles("tof_sio2_s"), 2)
    1.56
    """
    d = _die(die)
    hops = mesh_crossing_hops(d.mesh_width_pe, d.mesh_height_pe)
    return Crossing(
        length_m=d.side_m, clock_hz=d.clock_hz,
        tof_sio2_s=time_of_flight_s(d.side_m, d.permittivity_sio2),
        tof_low_k_s=time_of_flight_s(d.side_m, d.permittivity_low_k),
        rc_unrepeated_s=unrepeated_delay_s(d.side_m, wire), rc_repeated_s=repeated_delay_s(d.side_m, wire),
        mesh_hops=hops, mesh_s=hops * d.hop_latency_cycles / d.clock_hz,
    )


def delay_vs_length(lengths_m: ArrayLike, die: WaferDie, wire: Wire) -> pd.DataFrame:
    """Long table of delay vs length for the four signalling schemes (column ``scheme``), in ns and cycles.

    The mesh's hop pitch is the wafer side over its PE count along x; its delay is hops × cycles per hop.
    """
    length = _array("lengths_m", lengths_m, lo=0.0, lo_open=True)
    d = _die(die)
    clock = d.clock_hz
    pitch = d.side_m / d.mesh_width_pe
    schemes = {
        "time of flight, SiO₂": time_of_flight_s(length, d.permittivity_sio2),
        "time of flight, low-k": time_of_flight_s(length, d.permittivity_low_k),
        "RC wire, unrepeated (∝ L²)": unrepeated_delay_s(length, wire),
        "RC wire, repeated (∝ L)": repeated_delay_s(length, wire),
        "pipelined mesh (1 hop per cycle)": np.ceil(length / pitch) * d.hop_latency_cycles / clock,
    }
    rows = [{"length_mm": float(L * 1000), "scheme": k, "delay_ns": float(t * 1e9), "cycles": float(t * clock)}
            for k, ts in schemes.items() for L, t in zip(np.atleast_1d(length), np.atleast_1d(ts))]
    return pd.DataFrame(rows)
