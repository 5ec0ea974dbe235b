"""Training-step model (waferscale.models.training): known values, limits, properties, bad input."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from waferscale.data import catalog
from waferscale.models import collectives as co, scaling as sc, training as T, workloads as W


@pytest.fixture(scope="module")
def cat():
    return catalog.load()


@pytest.fixture(scope="module")
def m70(cat):
    return W.model(cat, "llama3_1_70b")


def test_one_wafer_known_value(cat, m70):
    """One CS-3, no overlap: compute 6·P·B/(F·u) plus the α–β stream 2α + 2·P·b/β, typed out."""
    s = T.train_step(sc.cluster(cat, sc.cs3_ethernet()), m70, 1, tokens_per_step=2 ** 20, seq_tokens=8192, utilisation=0.5,
                     overlap=0.0)
    F = cat.value("wse3", "fp16_dense_flop_per_s") * 0.5
    beta, alpha = cat.value("cs3", "io_bytes_per_s"), cat.value("cs_ethernet_io", "latency_s")
    assert s.compute_s == pytest.approx(6 * m70.params_total * 2 ** 20 / F)
    assert s.dp_s == pytest.approx(2 * alpha + 2 * m70.params_total * 2 / beta)
    assert s.step_s == pytest.approx(s.compute_s + s.dp_s)
    assert (s.tp, s.pp, s.dp) == (1, 1, 1)


def test_full_overlap_hides_the_stream_while_compute_is_longer(cat, m70):
    s = T.train_step(sc.cluster(cat, sc.cs3_ethernet()), m70, 4, tokens_per_step=2 ** 24, utilisation=0.5, overlap=1.0)
    assert s.exposed_dp_s == 0 and s.efficiency == pytest.approx(1.0)


def test_batch_limit_strong_scaling_saturates(cat, m70):
    """Past one sequence per wafer, more wafers cannot shorten the step (the batch limit)."""
    kw = dict(tokens_per_step=2 ** 20, seq_tokens=8192, utilisation=0.5)
    a = T.train_step(sc.cluster(cat, sc.cs3_ethernet()), m70, 128, **kw)
    b = T.train_step(sc.cluster(cat, sc.cs3_ethernet()), m70, 512, **kw)
    # only the tree's log2(N) latency terms grow
    assert b.step_s == pytest.approx(a.step_s, rel=1e-4) and b.efficiency == pytest.approx(a.efficiency / 4, rel=1e-4)


def test_gpu_plan_fits_memory_and_single_gpu_has_no_communication(cat):
    small = W.Transformer("x", "x", "dense", 1e9, 1e9, 16, 2048, 8192, 16, 8, 128, 32000)
    s = T.train_step(sc.cluster(cat, sc.h100_ib()), small, 1, tokens_per_step=2 ** 16, utilisation=0.5)
    assert s.tp_s == s.pp_s == s.dp_s == s.comm_energy_j == 0.0
    assert s.step_s == pytest.approx(s.compute_s)
    big = W.model(cat, "llama3_1_405b")
    s = T.train_step(sc.cluster(cat, sc.h100_ib()), big, 1024, tokens_per_step=2 ** 24, utilisation=0.5)
    hbm = cat.value("h100_sxm", "hbm_bytes")
    per_gpu = 4 * big.params_total / (s.tp * s.pp) + 12 * big.params_total / 1024
    assert per_gpu <= 0.5 * hbm and s.tp * s.pp * s.dp == 1024


def test_gpu_data_parallel_term_is_the_hierarchical_all_reduce(cat, m70):
    s = T.train_step(sc.cluster(cat, sc.h100_ib()), m70, 64, tokens_per_step=2 ** 22, utilisation=0.5, plan=(8, 1))
    up = (cat.value("nvlink4", "bytes_per_s_per_dir"), cat.value("nvlink4", "latency_s"))
    out = (cat.value("h100_sxm", "scaleout_bytes_per_s_per_dir"), cat.value("ib_ndr", "latency_s"))
    ref = co.hierarchical_all_reduce(m70.params_total * 2 / 8, 1, 8, *up, *out)
    assert s.dp_s == pytest.approx(ref.time_s)


def test_cpo_changes_link_energy_not_time(cat, m70):
    kw = dict(tokens_per_step=2 ** 24, utilisation=0.5)
    a = T.train_step(sc.cluster(cat, sc.gb200_xdr()), m70, 4096, **kw)
    b = T.train_step(sc.cluster(cat, sc.gb200_cpo()), m70, 4096, **kw)
    assert a.step_s == pytest.approx(b.step_s)
    assert b.comm_energy_j < a.comm_energy_j


@pytest.mark.parametrize("kw, name", [({"utilisation": 0.0}, "utilisation"), ({"utilisation": 1.5}, "utilisation"),
                                      ({"overlap": -0.1}, "overlap"), ({"tokens_per_step": 10.0}, "tokens_per_step"),
                                      ({"interleave": 0}, "interleave"), ({"state_share": 2.0}, "state_share")])
def test_bad_input_names_the_parameter_and_range(cat, m70, kw, name):
    base = dict(tokens_per_step=2 ** 20, utilisation=0.5)
    base.update(kw)
    with pytest.raises(ValueError, match=rf"{name}=.*allowed"):
        T.train_step(sc.cluster(cat, sc.h100_ib()), m70, 64, **base)


def test_model_that_does_not_fit_is_a_clear_error(cat):
    with pytest.raises(ValueError, match="chips=1 cannot hold"):
        T.train_step(sc.cluster(cat, sc.h100_ib()), W.model(cat, "llama3_1_405b"), 1, tokens_per_step=2 ** 20)


def test_validation_rows_are_predicted_not_fitted(cat):
    v = T.validation_table(cat, 0.5)
    assert list(v["id"]) == list(T.VALIDATION)
    assert (v["predicted"] > 0).all()
    # the utilisation that would match is reported, and reproduces the row when used
    u = float(v["u_to_match"].iloc[0])
    assert 0 < u <= 1
    again = T.validation_table(cat, u)
    assert float(again["error"].iloc[0]) == pytest.approx(0, abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(n=st.sampled_from([64, 512, 4096]), u=st.floats(0.1, 1.0), w=st.floats(0.0, 1.0),
       build=st.sampled_from(["h100", "gb200", "cs3"]))
def test_step_never_beats_ideal_and_overlap_never_hurts(n, u, w, build):
    cat = catalog.load()
    b = {"h100": sc.h100_ib, "gb200": sc.gb200_xdr, "cs3": sc.cs3_ethernet}[build]()
    m = W.model(cat, "llama3_1_70b")
    kw = dict(tokens_per_step=2 ** 22, utilisation=u)
    s = T.train_step(sc.cluster(cat, b), m, n, overlap=w, **kw)
    assert s.step_s >= s.ideal_s * (1 - 1e-9) and 0 < s.efficiency <= 1 + 1e-9
    s1 = T.train_step(sc.cluster(cat, b), m, n, overlap=1.0, **kw)
    assert s1.step_s <= s.step_s * (1 + 1e-12)
    assert math.isfinite(s.comm_energy_j) and s.comm_energy_j >= 0


def test_interleaving_divides_the_pipeline_bubble(cat):
    """Megatron's interleaved schedule: bubble (S−1)/(v·m) of compute; v = 1 is the plain 1F1B limit."""
    m = W.model(cat, "llama3_1_405b")
    kw = dict(tokens_per_step=16e6, seq_tokens=8192, utilisation=0.5, plan=(8, 16))
    one = T.train_step(sc.cluster(cat, sc.h100_ib()), m, 16384, interleave=1, **kw)
    four = T.train_step(sc.cluster(cat, sc.h100_ib()), m, 16384, interleave=4, **kw)
    assert one.bubble_s == pytest.approx((16 - 1) / one.microbatches * one.compute_s)
    assert four.bubble_s == pytest.approx(one.bubble_s / 4)
    assert four.step_s < one.step_s


def test_forced_plan_larger_than_the_cluster_is_refused(cat, m70):
    with pytest.raises(ValueError, match=r"plan=\(8, 16\) needs T·S = 128 > chips = 64"):
        T.train_step(sc.cluster(cat, sc.h100_ib()), m70, 64, tokens_per_step=2 ** 20, plan=(8, 16))
