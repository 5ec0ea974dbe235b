"""Physics of a wafer-size chip: heat flux, time of flight, RC wire delay, mesh crossing; bad-input errors."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waferscale.models import physics as P


def test_time_of_flight_matches_the_notes():
    # 21.5 cm: 1.42 ns in SiO2 (eps 3.9), 1.13 ns in low-k (eps 2.5)
    assert P.time_of_flight_s(0.215, 3.9) == pytest.approx(1.416e-9, rel=1e-3)
    assert P.time_of_flight_s(0.215, 2.5) == pytest.approx(1.134e-9, rel=1e-3)


def test_power_density_units():
    assert P.power_density_w_per_cm2(100.0, 100.0) == pytest.approx(100.0)


def test_unrepeated_is_quadratic_and_repeated_linear():
    w = P.Wire(1e5, 2e-10, 2e-11)
    assert P.unrepeated_delay_s(0.02, w) == pytest.approx(4 * P.unrepeated_delay_s(0.01, w))
    assert P.repeated_delay_s(0.04, w) == pytest.approx(2 * P.repeated_delay_s(0.02, w))


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-3, 0.3))
def test_repeaters_never_slower_than_bare_wire(length):
    w = P.Wire(7.6e4, 2e-10, 2.25e-11)
    assert P.repeated_delay_s(length, w) <= P.unrepeated_delay_s(length, w) * (1 + 1e-12)


def test_mesh_crossing_hops():
    assert P.mesh_crossing_hops(762, 1172) == 1932
    assert P.mesh_crossing_hops(1, 1) == 0


def test_wafer_crossing_from_catalog(cat):
    c = P.wafer_crossing(P.wafer_die(cat), P.wire_from_catalog(cat))
    assert c.length_m == pytest.approx(math.sqrt(cat.value("wse3", "die_area_mm2")) / 1000)
    assert c.cycles("tof_sio2_s") > 1.0           # no single-cycle signal across the wafer, even at light speed
    assert c.rc_unrepeated_s > c.rc_repeated_s > c.tof_sio2_s
    assert c.mesh_hops == 1932


def test_heat_sources_and_cooling_limits(cat):
    hs = P.heat_sources(cat).set_index("device")
    assert hs.loc["WSE-3 (CS-3 power)", "w_per_cm2"] < hs.loc["H100 SXM", "w_per_cm2"]
    assert (hs["low"] <= hs["w_per_cm2"] + 1e-9).all() and (hs["w_per_cm2"] <= hs["high"] + 1e-9).all()
    lim = P.cooling_limits(cat)
    assert len(lim) >= 3 and lim["w_per_cm2"].is_monotonic_increasing


@pytest.mark.parametrize("call, name", [
    (lambda: P.time_of_flight_s(0.1, 0.5), "relative_permittivity=0.5"),
    (lambda: P.time_of_flight_s(-1.0, 3.9), "length_m=-1"),
    (lambda: P.power_density_w_per_cm2(100.0, 0.0), "area_mm2=0"),
    (lambda: P.Wire(-1.0, 1e-10, 1e-11), "r_ohm_per_m=-1"),
    (lambda: P.mesh_crossing_hops(2.5, 3), "width_pe=2.5"),
])
def test_bad_input_names_parameter_value_and_range(call, name):
    with pytest.raises(ValueError, match=name.replace("(", r"\(")) as e:
        call()
    assert "allowed" in str(e.value)


def test_heat_flux_table_keeps_wafer_and_rack_and_adds_every_gpu(cat):
    t = P.heat_flux_table(cat)
    assert t["device"].iloc[0] == P.heat_sources(cat)["device"].iloc[0]
    assert t["device"].iloc[-1] == P.heat_sources(cat)["device"].iloc[-1]
    assert set(P.chip_heat_sources(cat)["device"]) <= set(t["device"])
    assert (t["w_per_cm2"] > 0).all()
