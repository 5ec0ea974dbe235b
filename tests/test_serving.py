"""The serving model (waferscale.models.serving) and its calibration (waferscale.fit.servefit).

Known values, limits, monotonicity, the layout search, disjoint calibration and validation, and the
leave-one-out fit. Each check that could pass vacuously has a negative control.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from waferscale.data import catalog
from waferscale.fit import servefit as sf
from waferscale.models import workloads as wl
from waferscale.models.serving import (Layout, OperatingPoint, ServeParams, frontier, hardware, layouts, serve)
from waferscale.models.serving import gpu, search, wafer

CAT = catalog.load()
PRM = ServeParams()


def hw(s):
    return hardware(CAT, s)


def mod(m):
    return wl.model(CAT, m)


# -- known values -----------------------------------------------------------------------------------
def test_h100_8b_16bit_reads_its_weights_in_about_4_8_ms():
    """One H100 reading Llama 3.1 8B at 16 bits: 16.06 GB / 3.35 TB/s = 4.79 ms per token before overheads
    (the model skips the input embedding's rows it does not read and adds a short context's KV)."""
    it = gpu.iteration(hw("h100_sxm"), mod("llama3_1_8b"), OperatingPoint(1, 1, "bf16"), ServeParams.roofline(),
                       tp=[1], pp=[1], ep=[1], users=[1], prefill=False)
    assert it["period_s"][0] == pytest.approx(4.8e-3, rel=0.07)


def test_ring_allreduce_large_message_matches_the_textbook_formula():
    n, m, bw = 8, 1e9, 450e9
    t = float(gpu.allreduce_s(m, n, bw, 0.0, 0.0, in_switch=False))
    assert t == pytest.approx(2 * (n - 1) / n * m / bw, rel=1e-12)


def test_in_switch_reduction_wins_only_where_the_switch_reduces():
    a = float(gpu.allreduce_s(8e6, 8, 450e9, 1e-6, 0.0, in_switch=True))
    b = float(gpu.allreduce_s(8e6, 8, 450e9, 1e-6, 0.0, in_switch=False))
    small = [float(gpu.allreduce_s(1e3, 8, 450e9, 1e-6, 0.0, in_switch=s)) for s in (True, False)]
    assert small[0] == small[1]   # a tiny message: one-shot beats the switch, which then adds nothing
    assert a < b


def test_wafer_gemv_region_costs_grow_with_hops():
    h = hw("cs3")
    slow = h.with_(hop_latency_s=h.hop_latency_s * 100)
    op = OperatingPoint(1000, 1000, "bf16")
    fast_t = wafer.iteration(h, mod("llama3_1_8b"), op, PRM, wafers=1, users=1)["period_s"]
    slow_t = wafer.iteration(slow, mod("llama3_1_8b"), op, PRM, wafers=1, users=1)["period_s"]
    assert slow_t > fast_t


# -- limits ------------------------------------------------------------------------------------------
def test_infinite_bandwidth_makes_the_gpu_compute_bound():
    h = hw("dgx_h100").with_(mem_bytes_per_s=1e30, up_bytes_per_s_per_dir=1e30)
    r = serve(h, mod("llama3_1_70b"), OperatingPoint(1000, 1000, "fp8"), PRM, max_throughput=True)
    assert r.bound == "compute"
    r0 = serve(hw("dgx_h100"), mod("llama3_1_70b"), OperatingPoint(1000, 1000, "fp8"), PRM, users=1)
    assert r0.bound == "memory"     # negative control: the real H100 at one user is memory bound


def test_one_user_gets_all_the_speed_and_throughput_equals_speed():
    r = serve(hw("dgx_b200"), mod("llama3_1_70b"), OperatingPoint(1000, 1000, "fp8"), PRM, users=1)
    assert r.users == 1 and r.tokens_per_s_total == pytest.approx(r.tokens_per_s_per_user)


# -- monotonicity ------------------------------------------------------------------------------------
@pytest.mark.parametrize("system,model", [("h100_sxm", "llama3_1_8b"), ("b200", "llama3_1_70b")])
def test_more_chips_never_lower_the_best_per_user_speed(system, model):
    op = OperatingPoint(1000, 1000, "fp8")
    speeds = []
    for n in (1, 2, 4, 8):
        try:
            speeds.append(serve(hw(system), mod(model), op, PRM, chips=n, users=1).tokens_per_s_per_user)
        except ValueError:
            speeds.append(0.0)
    assert all(b >= a * (1 - 1e-9) for a, b in zip(speeds, speeds[1:])), speeds


def test_a_higher_speed_floor_never_raises_throughput():
    h, m, op = hw("dgx_h200"), mod("llama3_1_70b"), OperatingPoint(1000, 1000, "fp8")
    tot = [serve(h, m, op, PRM, min_tokens_per_s_per_user=x).tokens_per_s_total for x in (1, 10, 30, 60)]
    assert all(b <= a * (1 + 1e-9) for a, b in zip(tot, tot[1:])), tot


def test_frontier_is_pareto():
    f = frontier(hw("dgx_h100"), mod("llama3_1_70b"), OperatingPoint(1000, 1000, "fp8"), PRM)
    s = [p.tokens_per_s_per_user for p in f]
    t = [p.tokens_per_s_total for p in f]
    assert s == sorted(s, reverse=True) and t == sorted(t)
    assert len(f) > 3


# -- the layout search ------------------------------------------------------------------------------
def test_layouts_stay_inside_the_system_and_the_domain():
    h, m = hw("gb200_nvl72"), mod("llama4_maverick")
    ls = layouts(h, m, 72)
    assert all(l.chips <= 72 and l.tp <= h.domain_chips and l.tp & (l.tp - 1) == 0 for l in ls)
    assert any(l.ep > 1 for l in ls)                  # MoE: experts may be spread
    assert not any(l.ep > 1 for l in layouts(h, mod("llama3_1_70b"), 72))   # dense: never


def test_the_search_returns_the_best_layout_it_evaluated():
    h, m, op = hw("dgx_h100"), mod("llama3_1_70b"), OperatingPoint(1000, 1000, "fp8")
    best = serve(h, m, op, PRM, users=1)
    for lay in layouts(h, m, 8):
        if search._capacity(h, m, op, PRM, lay) >= 1:
            e = search.evaluate(h, m, op, PRM, Layout(lay.tp, lay.pp, lay.ep, 1), [1], chips=8)
            assert e["per_user"][0] <= best.tokens_per_s_per_user * (1 + 1e-9)


def test_a_model_that_does_not_fit_is_a_clear_error():
    with pytest.raises(ValueError, match="does not fit"):
        serve(hw("h100_sxm"), mod("llama3_1_405b"), OperatingPoint(1000, 1000, "bf16"), PRM, users=1)


@pytest.mark.parametrize("kw", [{}, {"users": 1, "max_throughput": True}, {"users": 0}, {"users": 1, "chips": 0},
                                {"min_tokens_per_s_per_user": -1.0}])
def test_bad_objectives_are_value_errors(kw):
    with pytest.raises(ValueError):
        serve(hw("dgx_h100"), mod("llama3_1_8b"), OperatingPoint(), PRM, **kw)


@settings(max_examples=40, deadline=None)
@given(i=st.integers(1, 30000), o=st.integers(1, 4000), prec=st.sampled_from(["bf16", "fp8", "fp4"]),
       system=st.sampled_from(["dgx_h100", "dgx_b200", "gb200_nvl72", "cs3"]), users=st.integers(1, 64))
def test_any_operating_point_gives_finite_positive_numbers(i, o, prec, system, users):
    try:
        r = serve(hw(system), mod("llama3_1_8b"), OperatingPoint(i, o, prec), PRM, users=users)
    except ValueError as e:
        assert "does not fit" in str(e)
        return
    d = r.as_dict()
    for k in ("tokens_per_s_total", "tokens_per_s_per_user", "time_to_first_token_s", "power_w",
              "energy_per_token_j"):
        assert np.isfinite(d[k]) and d[k] > 0, (k, d[k])


# -- calibration and validation ---------------------------------------------------------------------
def _roles(rs):
    cal = {r.id for r in rs if r.role == "calibration"}
    val = {r.id for r in rs if r.role != "calibration"}
    return cal, val


def test_calibration_and_validation_are_disjoint_and_claims_rows_are_never_gpu_calibration():
    cal, val = _roles(sf.rows(CAT))
    assert cal and val and not cal & val
    for rid in ("h100_best_llama31_8b_2024", "h100_best_llama31_70b_2024", "dgxb200_maverick_2025"):
        assert rid in val
    assert len(val) >= 40
    # negative control: a row in both sets is caught
    rs = list(sf.rows(CAT))
    bad = rs + [rs[0].__class__(**{**rs[0].__dict__, "role": "validation"})] if rs[0].role == "calibration" else rs
    c2, v2 = {r.id for r in bad if r.role == "calibration"}, {r.id for r in bad if r.role == "validation"}
    assert c2 & v2 or rs[0].role != "calibration"


def test_stored_fit_is_the_fit_of_this_catalog():
    d = json.loads(sf.PARAMS_FILE.read_text())
    assert d["catalog"] == sf._catalog_stamp(CAT), "run: python -m waferscale.fit.servefit --write"


def test_leave_one_out_is_reproducible_and_excludes_the_row():
    d = sf.stored(CAT)
    rid = "cer_llama31_8b_2024"
    gpu_prm = ServeParams().with_(**{k: d["params"][k] for k in ServeParams.GPU_FITTED})
    again = sf.fit_wafer(CAT, gpu_prm, exclude=(rid,)).wafer_gemv_s
    assert again == d["wafer_loo"][rid]
    assert sf.fitted(CAT, leave_out=rid).wafer_gemv_s == again
    with pytest.raises(ValueError, match="not a wafer row"):
        sf.fitted(CAT, leave_out="trt017_h100_llama31_8b_1k1k")


def test_validation_table_has_one_prediction_per_row():
    t = sf.table(CAT)
    assert len(t) == len(sf.rows(CAT)) and t["id"].is_unique
    assert t["predicted"].notna().mean() > 0.9


# -- the command line -------------------------------------------------------------------------------
def _cli(*args):
    return subprocess.run([sys.executable, "-m", "waferscale", *args], capture_output=True, text=True, timeout=120)


def test_cli_serve_prints_the_documented_keys():
    r = _cli("serve", "--system", "dgx_h100", "--model", "llama3_1_70b", "--precision", "fp8", "--users", "4",
             "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    for k in ("tokens_per_s_total", "tokens_per_s_per_user", "time_to_first_token_s", "users", "chips", "power_w",
              "energy_per_token_j"):
        assert k in d
    assert set(d["parallelism"]) == {"tp", "pp", "ep", "replicas"}


def test_cli_serve_frontier_and_errors():
    r = _cli("serve", "--system", "cs3", "--model", "llama3_1_8b", "--frontier", "--json")
    assert r.returncode == 0, r.stderr
    assert isinstance(json.loads(r.stdout), list)
    bad = _cli("serve", "--system", "dgx_h100", "--model", "llama3_1_8b")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and bad.stderr.startswith("error: ")
    far = _cli("serve", "--system", "dgx_h100", "--model", "llama3_1_8b", "--min-tokens-per-s-per-user", "1e5")
    assert far.returncode == 2 and "out of reach" in far.stderr


def test_cli_list_systems_gives_chip_and_chips():
    r = _cli("list", "systems", "--json")
    rows = json.loads(r.stdout)
    by = {x["id"]: x for x in rows}
    assert by["dgx_h100"]["chip"] == "h100_sxm" and by["dgx_h100"]["chips"] == 8
    assert by["gb200_nvl72"]["chips"] == 72


# -- the vectorised sweep and the typed errors ------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(sid=st.sampled_from(["dgx_h100", "dgx_b200", "gb200_nvl72", "h100_sxm"]),
       mid=st.sampled_from(["llama3_1_8b", "llama3_1_70b", "llama4_maverick"]),
       prec=st.sampled_from(["bf16", "fp8"]), users=st.lists(st.integers(1, 3000), min_size=1, max_size=5))
def test_best_speed_is_serve_for_every_count(sid, mid, prec, users):
    hw, m, op = hardware(CAT, sid), wl.model(CAT, mid), OperatingPoint(1000, 1000, prec)
    chips = 16 if sid == "h100_sxm" else None
    got = search.best_speed(hw, m, op, PRM, users, chips=chips)
    for u, g in zip(users, got):
        try:
            want = serve(hw, m, op, PRM, users=u, chips=chips).tokens_per_s_per_user
        except ValueError:
            want = float("nan")
        assert (np.isnan(g) and np.isnan(want)) or g == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("bad", [[], [0], [1.5], [[1, 2]]])
def test_best_speed_rejects_bad_counts(bad):
    with pytest.raises(ValueError, match="users="):
        search.best_speed(hardware(CAT, "dgx_h100"), wl.model(CAT, "llama3_1_8b"), OperatingPoint(), PRM, bad)


def test_errors_say_what_fits():
    hw, m = hardware(CAT, "h100_sxm"), wl.model(CAT, "llama3_1_405b")
    with pytest.raises(search.DoesNotFit) as e:
        serve(hw, m, OperatingPoint(), PRM, users=1)
    assert e.value.chips == 1 and e.value.need == search.chips_needed(hw, m, OperatingPoint(), PRM) == 16
    assert serve(hw, m, OperatingPoint(), PRM, users=1, chips=16).chips == 16          # the fewest that hold it
    with pytest.raises(search.DoesNotFit):
        serve(hw, m, OperatingPoint(), PRM, users=1, chips=15)                        # negative control: one fewer
    with pytest.raises(search.OutOfReach) as e:
        serve(hardware(CAT, "dgx_h100"), wl.model(CAT, "llama3_1_8b"), OperatingPoint(), PRM,
              min_tokens_per_s_per_user=1e6)
    assert 0 < e.value.fastest < 1e6 and e.value.floor == 1e6
