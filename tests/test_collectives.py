"""Collectives in the α–β model: closed forms, limits, properties, calibration, decode step."""
from __future__ import annotations

import inspect
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waferscale.fit import allreduce as ar
from waferscale.models import collectives as co
from waferscale.models import interconnect as ic
from waferscale.models import decode_comm as dc
from waferscale.models import workloads as wl

SWITCHED = [co.ring_all_reduce, co.tree_all_reduce, co.switch_all_reduce, co.reduce_scatter, co.all_gather, co.all_to_all]
BYTES = st.floats(min_value=0, max_value=1e12, allow_nan=False)
RANKS = st.integers(min_value=1, max_value=4096)
BW = st.floats(min_value=1e8, max_value=1e13, allow_nan=False)
ALPHA = st.floats(min_value=0, max_value=1e-4, allow_nan=False)


def test_ring_worked_example():
    r = co.ring_all_reduce(1e9, 8, 450e9, 1e-6)
    assert r.time_s == pytest.approx(14e-6 + 1.75e9 / 450e9)
    assert r.bus_bandwidth_bytes_per_s == pytest.approx(1.75e9 / r.time_s)
    assert co.ring_all_reduce(1e9, 8, 450e9, 1e-6, 10e-12).energy_j == pytest.approx(8 * 14e9 * 10e-12)


@pytest.mark.parametrize("fn", SWITCHED)
def test_one_rank_or_no_bytes_moves_nothing(fn):
    for r in (fn(1e9, 1, 1e11, 1e-6, 1e-12), fn(0, 8, 1e11, 1e-6, 1e-12)):
        assert (r.time_s, r.bus_bandwidth_bytes_per_s, r.energy_j, r.link_bytes) == (0.0, 0.0, 0.0, 0.0)


def test_mesh_and_hierarchical_limits():
    assert co.mesh_all_reduce(1e3, 1, 1, 4e9, 1e-9).time_s == 0.0
    assert co.mesh_all_reduce(0, 10, 10, 4e9, 1e-9).energy_j == 0.0
    assert co.hierarchical_all_reduce(1e6, 1, 1, 1e11, 1e-6, 1e10, 1e-6).time_s == 0.0
    # one node: hierarchical = reduce-scatter + all-gather = ring all-reduce
    h = co.hierarchical_all_reduce(1e9, 8, 1, 450e9, 1e-6, 50e9, 1e-6)
    assert h.time_s == pytest.approx(co.ring_all_reduce(1e9, 8, 450e9, 1e-6).time_s)


@settings(max_examples=150, deadline=None)
@given(BYTES, BYTES, RANKS, BW, ALPHA, st.sampled_from(SWITCHED))
def test_time_monotone_in_bytes(a, b, N, bw, alpha, fn):
    lo, hi = sorted((a, b))
    assert fn(lo, N, bw, alpha).time_s <= fn(hi, N, bw, alpha).time_s * (1 + 1e-12)


@settings(max_examples=150, deadline=None)
@given(st.floats(min_value=1, max_value=1e12), RANKS, RANKS, BW, ALPHA,
       st.sampled_from([co.ring_all_reduce, co.tree_all_reduce, co.reduce_scatter, co.all_gather, co.all_to_all]))
def test_time_monotone_in_ranks(n, a, b, bw, alpha, fn):
    lo, hi = sorted((a, b))
    assert fn(n, lo, bw, alpha).time_s <= fn(n, hi, bw, alpha).time_s * (1 + 1e-12)


@settings(max_examples=150, deadline=None)
@given(RANKS.filter(lambda n: n > 1), BW, ALPHA)
def test_ring_bus_bandwidth_tends_to_link_bandwidth(N, bw, alpha):
    r = co.ring_all_reduce(1e18, N, bw, alpha)
    assert r.bus_bandwidth_bytes_per_s <= bw * (1 + 1e-12)
    assert r.bus_bandwidth_bytes_per_s == pytest.approx(bw, rel=1e-3)


@settings(max_examples=150, deadline=None)
@given(st.floats(min_value=1, max_value=1e10), st.floats(min_value=0.5, max_value=100), RANKS,
       BW, ALPHA, st.floats(min_value=1e-15, max_value=1e-10), st.sampled_from(SWITCHED))
def test_energy_linear_in_bytes(n, k, N, bw, alpha, e, fn):
    assert fn(k * n, N, bw, alpha, e).energy_j == pytest.approx(k * fn(n, N, bw, alpha, e).energy_j, rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=0, max_value=1e6), st.integers(1, 300), st.integers(1, 300))
def test_mesh_all_reduce_monotone_in_bytes_and_time_positive(n, w, h):
    r1 = co.mesh_all_reduce(n, w, h, 4.4e9, 1e-9, 1e-14)
    r2 = co.mesh_all_reduce(2 * n + 1, w, h, 4.4e9, 1e-9, 1e-14)
    assert r1.time_s <= r2.time_s and r1.energy_j <= r2.energy_j


def test_tree_beats_ring_for_small_messages_and_loses_for_large():
    small = (1e3, 64, 450e9, 1e-6)
    big = (1e10, 64, 450e9, 1e-6)
    assert co.tree_all_reduce(*small).time_s < co.ring_all_reduce(*small).time_s
    assert co.tree_all_reduce(*big).time_s > co.ring_all_reduce(*big).time_s


def test_switch_reduction_bus_bandwidth_limit():
    r = co.switch_all_reduce(1e15, 8, 1e11, 0)
    assert r.bus_bandwidth_bytes_per_s == pytest.approx(14 / 9 * 1e11, rel=1e-9)


@pytest.mark.parametrize("fn", SWITCHED)
@pytest.mark.parametrize("args, match", [
    ((-1, 8, 1e9, 0), r"message_bytes=-1 is out of range; allowed: \[0, 1e\+18\]"),
    ((1, 0, 1e9, 0), r"ranks=0 is out of range; allowed: an integer in \[1, "),
    ((1, 2.5, 1e9, 0), r"ranks=2.5 is out of range; allowed: an integer in \[1, "),
    ((1, 8, 0, 0), r"bytes_per_s_per_dir=0 is out of range; allowed: \(0, 1e\+18\]"),
    ((1, 8, 1e9, -1), r"latency_s=-1 is out of range"),
])
def test_bad_input(fn, args, match):
    with pytest.raises(ValueError, match=match):
        fn(*args)


def test_collective_dispatch_and_bad_names(cat):
    r = co.collective(ic.tier(cat, "nvlink4"), "all_reduce", 8, 1e9)
    t = cat.value("nvlink4", "latency_s")
    assert r.time_s == pytest.approx(co.ring_all_reduce(1e9, 8, 450e9, t).time_s)
    with pytest.raises(ValueError, match=r"tier='nope' is not a link tier"):
        co.collective(ic.tier(cat, "nope"), "all_reduce", 8, 1e9)
    with pytest.raises(ValueError, match=r"op='broadcastish' is not a known collective; allowed: all_reduce"):
        co.collective(ic.tier(cat, "nvlink4"), "broadcastish", 8, 1e9)
    assert math.isnan(co.collective(ic.tier(cat, "ib_ndr"), "all_reduce", 8, 1e6).energy_j)  # no published energy
    assert co.collective(ic.tier(cat, "wse3_fabric"), "all_reduce", 64, 1e3).algorithm.startswith("mesh")


# -- calibration ----------------------------------------------------------------------------------
def test_calibration_uses_only_calibration_rows_and_is_reproducible(cat):
    a, b = ar.calibrate(cat), ar.calibrate(cat)
    assert a == b
    roles = cat.measurements.set_index("id").loc[list(a.fitted_on), "role"]
    assert set(roles) == {"calibration"}
    assert 0 < a.bandwidth_efficiency <= 1
    assert a.latency_s == cat.value("nvlink4", "latency_s")


def test_calibration_never_sees_validation_rows(cat, monkeypatch):
    """Turn every all-reduce row into a validation row: the fit must then refuse, not use them."""
    m = cat.measurements.copy()
    m.loc[m["quantity"] == "allreduce_bus_bytes_per_s", "role"] = "validation"
    import dataclasses

    hidden = dataclasses.replace(cat, measurements=m)
    assert ar.calibration_rows(hidden).empty
    with pytest.raises(ValueError):
        ar.calibrate(hidden)


def test_calibration_fits_the_bandwidth_bound_row(cat):
    cal = ar.calibrate(cat)
    tab = ar.validation_table(cat, cal).set_index("id")
    for rid in cal.fitted_on:
        assert abs(tab.loc[rid, "error_calibrated"]) < 1e-3
    assert set(tab["fitted"]) == {True, False}  # some rows are predicted, not fitted


def test_calibrate_source_has_no_typed_hardware_numbers():
    src = inspect.getsource(ar.calibrate) + inspect.getsource(dc.decode_step)
    for literal in ("450", "936", "3.35", "1.1e9", "4.4", "21e15"):
        assert literal not in src


def test_alpha_to_match_reproduces_the_row(cat):
    cal = ar.calibrate(cat)
    a = ar.alpha_to_match(cat, cal, "ar_8xh100_58mb")
    r = cat.measurement("ar_8xh100_58mb")
    got = co.ring_all_reduce(float(r["conditions"]["message_bytes"]), 8, cal.effective_bytes_per_s_per_dir, a)
    assert got.bus_bandwidth_bytes_per_s == pytest.approx(r["value"], rel=1e-9)


# -- decode step ----------------------------------------------------------------------------------
def _decode(cat, workload="llama3_1_70b", **kw):
    return dc.decode_step(wl.model(cat, workload), dc.gpu_node(cat), dc.wafer_pipeline(cat), **kw)


def test_decode_step_shares_and_wafer_count(cat):
    d = _decode(cat)
    sram = dc.wafer_pipeline(cat).sram_bytes
    assert d.attrs["wafers"] == dc.wafers_needed(wl.model(cat, "llama3_1_70b"), sram) == 4
    for _, g in d.groupby("system"):
        assert g["time_share"].sum() == pytest.approx(1)
        assert g["energy_share"].sum() == pytest.approx(1)
        assert (g["time_s"] >= 0).all()
    assert dc.wafers_needed(wl.model(cat, "llama3_1_8b"), sram) == 1
    one = _decode(cat, "llama3_1_8b")
    assert one.loc[one["component"] == "between chips (wafer to wafer)", "time_s"].item() == 0.0


def test_decode_step_bounds_order(cat):
    comm = lambda b: _decode(cat, bound=b).query("system == 'gpus' and component != 'local work (weights, arithmetic)'")["time_s"].sum()
    assert comm("low") <= comm("value") <= comm("high")
    with pytest.raises(ValueError, match="bound='max'"):
        _decode(cat, bound="max")


def test_models_take_records_not_ids(cat):
    """Negative controls: a catalog id where a record belongs is a ValueError naming the parameter."""
    with pytest.raises(ValueError, match=r"tier='nvlink4' is not allowed; allowed: a Tier"):
        co.collective("nvlink4", "all_reduce", 8, 1e9)
    with pytest.raises(ValueError, match=r"model='llama3_1_70b' is not allowed; allowed: a Transformer"):
        dc.decode_step("llama3_1_70b", dc.gpu_node(cat), dc.wafer_pipeline(cat))
    with pytest.raises(ValueError, match=r"node='h100_sxm' is not allowed"):
        dc.decode_step(wl.model(cat, "llama3_1_70b"), "h100_sxm", dc.wafer_pipeline(cat))
