"""Link tiers from the catalog, point-to-point α–β time and energy, scale-out paths."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waferscale.models import interconnect as ic

BYTES = st.floats(min_value=0, max_value=1e12, allow_nan=False)
BW = st.floats(min_value=1e6, max_value=1e16, allow_nan=False)
ALPHA = st.floats(min_value=0, max_value=1e-2, allow_nan=False)


def test_every_catalog_link_reads_as_a_tier(cat):
    for tid in ic.tier_ids(cat):
        t = ic.tier(cat, tid)
        assert t.bytes_per_s_per_dir is None or t.bytes_per_s_per_dir > 0
        for q, v in (("bandwidth", t.bytes_per_s_per_dir), ("latency", t.latency_s), ("energy", t.energy_j_per_bit)):
            assert (v is None) == (t.grade(q) is None), (tid, q)
        if t.energy_j_per_bit is not None:
            assert t.energy_low_j_per_bit <= t.energy_j_per_bit <= t.energy_high_j_per_bit


def test_tier_numbers_come_from_the_catalog(cat):
    t = ic.tier(cat, "nvlink4")
    assert t.bytes_per_s_per_dir == cat.value("nvlink4", "bytes_per_s_per_dir")
    assert t.latency_s == cat.value("nvlink4", "latency_s")
    assert t.grade("bandwidth") == cat.fact("nvlink4", "bytes_per_s_per_dir").grade


def test_unpublished_numbers_are_none_and_require_says_so(cat):
    t = ic.tier(cat, "pcie_gen6_x16")
    assert t.energy_j_per_bit is None
    with pytest.raises(ValueError, match="tier='pcie_gen6_x16' has no energy"):
        t.require("energy")


def test_unknown_tier_names_the_allowed_ids(cat):
    with pytest.raises(ValueError, match=r"tier='warp_drive' is not a link tier.*nvlink4"):
        ic.tier(cat, "warp_drive")


def test_worked_example():
    assert ic.p2p_time_s(1e6, 100e9, 1e-6) == pytest.approx(11e-6)
    assert ic.p2p_energy_j(1e6, 10e-12) == pytest.approx(80e-6)
    assert ic.crossover_bytes(450e9, 1e-6) == pytest.approx(450e3)


def test_empty_message_costs_nothing():
    assert ic.p2p_time_s(0, 1e9, 1e-6) == 0.0
    assert ic.p2p_energy_j(0, 1e-12) == 0.0


@settings(max_examples=200, deadline=None)
@given(BYTES, BYTES, BW, ALPHA)
def test_time_monotone_in_bytes(a, b, bw, alpha):
    lo, hi = sorted((a, b))
    assert ic.p2p_time_s(lo, bw, alpha) <= ic.p2p_time_s(hi, bw, alpha)


@settings(max_examples=200, deadline=None)
@given(BYTES, st.floats(min_value=0.5, max_value=1e3), st.floats(min_value=0, max_value=1e-9))
def test_energy_linear_in_bytes(n, k, e):
    assert ic.p2p_energy_j(k * n, e) == pytest.approx(k * ic.p2p_energy_j(n, e), rel=1e-9, abs=1e-30)


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=1e9, max_value=1e15), BW, ALPHA)
def test_large_messages_approach_bandwidth(n, bw, alpha):
    t = ic.p2p_time_s(n * 1e3, bw, alpha)
    assert (n * 1e3 / t) <= bw * (1 + 1e-12)


@pytest.mark.parametrize("call, name", [
    (lambda: ic.p2p_time_s(-1, 1e9, 1e-6), "message_bytes=-1"),
    (lambda: ic.p2p_time_s(1, 0, 1e-6), "bytes_per_s_per_dir=0"),
    (lambda: ic.p2p_time_s(1, 1e9, -1e-6), "latency_s=-1e-06"),
    (lambda: ic.p2p_time_s(float("nan"), 1e9, 0), "message_bytes=nan"),
    (lambda: ic.p2p_energy_j(1, -1e-12), "energy_j_per_bit=-1e-12"),
    (lambda: ic.switch_levels(0, 64), "endpoints=0"),
    (lambda: ic.switch_levels(8, 1), "switch_ports=1"),
])
def test_bad_input_names_parameter_value_and_range(call, name):
    with pytest.raises(ValueError, match=rf"{name} .*(need|out of range)"):
        call()


def test_mesh_geometry_from_catalog(cat):
    m = ic.mesh(cat)
    w, h = cat.value("wse3", "mesh_width_pe"), cat.value("wse3", "mesh_height_pe")
    assert m.pes == w * h
    assert m.bisection_bytes_per_s_per_dir == pytest.approx(min(w, h) * cat.value("wse3_fabric", "port_bytes_per_s_per_dir"))
    assert m.mean_hops == pytest.approx((w + h) / 3)


def test_switch_levels_fat_tree():
    assert [ic.switch_levels(n, 64) for n in (1, 64, 65, 2048, 2049, 65536)] == [1, 1, 2, 2, 3, 3]


def test_scaleout_path_worked_example_and_cpo_saves(cat):
    p = ic.scaleout_path(ic.fat_tree(cat), 2)
    host, opt = cat.value("pcie_gen5_x16", "energy_j_per_bit"), cat.value("pluggable_optics_1p6t", "energy_j_per_bit")
    assert p.levels == 1 and p.total_j_per_bit == pytest.approx(2 * host + 4 * opt)
    q = ic.scaleout_path(ic.fat_tree(cat, switch_optics="cpo_nvidia"), 2)
    assert q.total_j_per_bit < p.total_j_per_bit and 0 < q.conversion_share < p.conversion_share < 1
    more = ic.scaleout_path(ic.fat_tree(cat), 100_000)
    assert more.levels > p.levels and more.total_j_per_bit > p.total_j_per_bit


def test_tier_table_lists_every_tier(cat):
    df = ic.tier_table(cat)
    assert list(df["id"]) == ic.tier_ids(cat)
    assert not math.isnan(df.set_index("id").loc["nvlink4", "bytes_per_s_per_dir"])
