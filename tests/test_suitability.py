"""Tests of waferscale.models.suitability: features bounded, classification monotone, bad input named."""

import math

import pytest
from hypothesis import given, settings, strategies as st

import waferscale as ws
from waferscale import claims
from waferscale.fit import servefit
from waferscale.models import steptime as stp
from waferscale.models import suittables as tab
from waferscale.models import suitability as su

CAT = ws.load()
PRM = servefit.fitted(CAT)
GPU, WAFER = stp.gpu_cluster(CAT), stp.wafer_system(CAT)
_share = st.floats(0, 1)
_wafers = st.integers(1, 1000)


@pytest.fixture(scope="module")
def feats():
    return tab.features(CAT, params=PRM)


def test_at_least_ten_profiles_all_sourced(feats):
    assert len(feats) >= 10
    assert set(su.ARTICLE) <= set(feats["id"])
    for pid in su.profile_ids(CAT):
        p = su.profile(CAT, pid)
        assert p.sources and p.pattern in ("all_reduce", "all_to_all", "point_to_point", "none")


def test_features_bounded(feats):
    assert feats["comm_share"].between(0, 1).all()
    assert feats["mapping_efficiency"].between(0, 1).all() and (feats["mapping_efficiency"] > 0).all()
    assert feats["off_wafer_share"].between(0, 1).all()
    assert (feats["wafers"] >= 1).all() and (feats["speedup"] > 0).all()
    assert set(feats["derived"]) <= set(su.CLASSES)


def test_worked_examples():
    assert su.wafers_needed(141e9, 44e9) == 4
    assert su.comm_share(3.0, 1.0) == 0.25
    assert su.off_wafer_share(0.5, 4) == pytest.approx(0.375)
    assert su.mapping_efficiency(1.0, 762, 1172) == 1.0
    assert su.mapping_efficiency(0.99, 762, 1172) == pytest.approx(1 / (0.99 + 0.01 * 1934 / 3))


def test_decode_rows_use_the_serving_model(feats):
    basis = feats.set_index("id")["speedup_basis"]
    assert all(basis[r] == "serving model" for r in tab.DECODE_ROWS)  # every decode row fits its wafers and GPUs


@settings(max_examples=60, deadline=None)
@given(c=_share, w=_wafers, e=_share, dc=st.floats(0, 1), dw=st.integers(0, 100), de=st.floats(0, 1))
def test_classification_monotone_in_each_feature(c, w, e, dc, dw, de):
    rank = {k: i for i, k in enumerate(su.CLASSES)}  # 0 best
    base = rank[su.classify(c, w, e)]
    assert rank[su.classify(min(1.0, c + dc), w, e)] <= base
    assert rank[su.classify(c, max(1, w - dw), e)] <= base
    assert rank[su.classify(c, w, min(1.0, e + de))] <= base


@settings(max_examples=60, deadline=None)
@given(s=_share, w=_wafers, local=st.floats(0, 1e3), comm=st.floats(0, 1e3))
def test_features_bounded_property(s, w, local, comm):
    assert 0 < su.mapping_efficiency(s, 762, 1172) <= 1
    assert 0 <= su.off_wafer_share(s, w) < 1
    assert 0 <= su.comm_share(local, comm) <= 1


@settings(max_examples=40, deadline=None)
@given(s1=_share, s2=_share)
def test_mapping_efficiency_monotone_in_neighbour_share(s1, s2):
    lo, hi = sorted((s1, s2))
    assert su.mapping_efficiency(lo, 762, 1172) <= su.mapping_efficiency(hi, 762, 1172)


@pytest.mark.parametrize("call, name", [
    (lambda: su.comm_share(-1.0, 1.0), "local_s"),
    (lambda: su.wafers_needed(1e9, 0.0), "sram_bytes"),
    (lambda: su.off_wafer_share(1.5, 2), "neighbour_share"),
    (lambda: su.mapping_efficiency(0.5, 0, 10), "width_pe"),
    (lambda: su.classify(0.5, 0.5, 0.5), "wafers"),
    (lambda: su.classify(math.nan, 1, 0.5), "comm_share"),
    (lambda: su.Thresholds(comm_share=2.0), "comm_share"),
    (lambda: tab.sensitivity(CAT, "power", [1], params=PRM), "threshold"),
    (lambda: tab.sensitivity(CAT, "wafers", [0.5], params=PRM), "wafers"),
    (lambda: su.profile(CAT, "nope"), "profile_id"),
])
def test_bad_input_names_parameter_value_and_range(call, name):
    with pytest.raises(ValueError) as exc:
        call()
    assert name in str(exc.value)
    assert "=" in str(exc.value) and ("allowed" in str(exc.value) or "range" in str(exc.value))


def test_sensitivity_default_matches_features(feats):
    t = su.Thresholds()
    sens = tab.sensitivity(CAT, "comm_share", [t.comm_share], params=PRM)
    assert not sens["changed"].any()
    assert len(sens) == len(feats)


def test_validation_table_has_per_point_error():
    vt = tab.validation_table(CAT)
    assert set(vt["id"]) == set(su.VALIDATION)
    assert (vt["predicted"] > 0).all()
    assert vt["error"].tolist() == pytest.approx((vt["predicted"] / vt["reported"] - 1).tolist())


@pytest.mark.parametrize("cid", ["C09", "C17", "C18", "C19", "C20"])
def test_verdicts_computed_from_model(cid):
    v = claims.evaluate(cid, CAT)
    assert v.basis == "model" and v.figure is not None and v.sources
    assert v.status is not claims.Status.PENDING
    if v.status is claims.Status.HOLDS_IF:
        assert "holds only if" in v.detail


# -- speed-ups bounded by the resources a step can use (issue 16) --------------------------------------------
def test_far_reads_known_value_and_limits():
    near, far = stp._far_read_split(1e8, 0.0, 20000, 4.4e9)
    assert near == 0.0 and far == pytest.approx(1e8 / (4 * math.sqrt(20000) * 4.4e9))
    assert stp._far_read_split(1e8, 1.0, 20000, 4.4e9) == (1e8, 0.0)      # all bytes local: nothing crosses
    with pytest.raises(ValueError, match="neighbour_share"):
        stp._far_read_split(1e8, 1.5, 20000, 4.4e9)


@given(st.floats(0, 1), st.floats(0, 1), st.floats(1, 1e6))
def test_far_read_time_falls_as_locality_rises(s1, s2, pes):
    lo, hi = sorted((s1, s2))
    assert stp._far_read_split(1e9, hi, pes, 4.4e9)[1] <= stp._far_read_split(1e9, lo, pes, 4.4e9)[1]


def _bound(p, u):
    """The most a wafer region of share u can beat the GPU side by, for a step without communication:
    its compute, its SRAM for the local bytes and its bisection for the rest, each against the GPU's."""
    from waferscale.models import interconnect as ic

    m = ic.mesh(CAT)
    W, H, b = m.width_pe, m.height_pe, m.link_bytes_per_s_per_dir
    gpu = stp.gpu_step(p, GPU).step_s
    near, far = stp._far_read_split(p.bytes_per_step, p.neighbour_share, u * W * H, b)
    return gpu / max(p.flop_per_step / (u * WAFER.peak()[0]),
                     near / (u * CAT.value("wse3", "sram_bytes_per_s")), far)


def test_general_cpu_work_gets_no_wafer_speed_up(feats):
    """Pointer-chasing work has no locality: its reads cross the occupied region's bisection, so the wafer is
    no faster than HBM (it was 142x when every byte streamed at the region's aggregate SRAM rate)."""
    sp = feats.set_index("id")["speedup"]
    assert sp["suit_cpu_general"] < 1.5
    p = su.profile(CAT, "suit_cpu_general")
    u = p.working_set_bytes / CAT.value("wse3", "sram_bytes")
    assert sp["suit_cpu_general"] <= _bound(p, u) * (1 + 1e-9)


def test_negative_control_local_reads_would_restore_the_aggregate_sram_speed_up():
    """The same profile with every byte local streams at the region's SRAM rate: the speed-up jumps two orders of
    magnitude, so the test above would catch a model that forgot the far reads."""
    import dataclasses

    p = su.profile(CAT, "suit_cpu_general")
    local = dataclasses.replace(p, neighbour_share=1.0)
    fast = stp.gpu_step(local, GPU).step_s / stp.wafer_step(local, WAFER).step_s
    assert fast > 100 * (stp.gpu_step(p, GPU).step_s / stp.wafer_step(p, WAFER).step_s)


def test_fp32_work_is_rated_at_an_fp32_rate_where_the_catalog_has_one():
    """Where a chip has no fp32 row its 16-bit peak rates fp32 work and the table says so; given fp32 rows, the
    fp32 profiles use them (a record with the rate added) and their speed-up moves by the ratio of the peaks."""
    import dataclasses

    f = tab.features(CAT, params=PRM).set_index("id")
    assert f.loc["suit_md", "precision"] == "fp32" and "no fp32 rate" in f.loc["suit_md", "peak"]
    assert f.loc["suit_md", "peak"].startswith("fp32 on NVIDIA H100")          # the catalog's H100 fp32 row
    assert GPU.peak("fp32") == (67e12, "fp32")
    assert WAFER.peak("fp32")[1] == "16-bit"             # no sourced wafer fp32 rate
    assert f.loc["suit_dense_training", "peak"] == "16-bit"

    w32 = dataclasses.replace(WAFER, dense_fp32_flop_per_s=WAFER.dense_16bit_flop_per_s / 4)
    assert w32.peak("fp32") == (WAFER.dense_16bit_flop_per_s / 4, "fp32")
    assert w32.peak("16-bit")[1] == "16-bit"
    p = su.profile(CAT, "suit_md")
    w16s, w32s = stp.wafer_step(p, WAFER), stp.wafer_step(p, w32)
    assert w32s.local_s >= w16s.local_s   # a slower fp32 rate can only lengthen the wafer's step
    with pytest.raises(ValueError, match="prec"):
        GPU.peak("fp64")


# -- training layouts fit memory ------------------------------------------------------------------------------
def test_dense_training_uses_a_layout_that_fits_hbm():
    """70B training on 1,024 H100s: the training model's plan (T = 8, S = 1, D = 128) holds 4 bytes per parameter
    over 8 GPUs plus 12 over 1,024: about 36 GB of the 80 GB, where a full replica (16 B/param) would need 1.13 TB."""
    p = su.profile(CAT, "suit_dense_training")
    lay = stp.gpu_layout(p, GPU)
    assert (lay.scheme, lay.tp, lay.pp, lay.dp) == ("3-D parallel", 8, 1, 128)
    P = 70.6e9
    assert lay.state_bytes_per_gpu == pytest.approx(4 * P / 8 + 12 * P / 1024, rel=0.01)
    assert lay.fits and lay.state_bytes_per_gpu <= 0.5 * CAT.value("h100_sxm", "hbm_bytes")
    assert p.working_set_bytes > 10 * CAT.value("h100_sxm", "hbm_bytes")   # negative control: a replica never fits


def test_training_step_pays_for_its_sharding():
    """The gradient all-reduce moves a 1/(T·S) shard among D replicas, and the tensor-parallel all-reduces are added:
    the communication is the training model's, not an all-reduce of the whole gradient among all 1,024 GPUs."""
    p = su.profile(CAT, "suit_dense_training")
    g = stp.gpu_step(p, GPU)
    _, st = stp._train_plan(p, GPU)
    assert g.comm_s > st.tp_s > 0
    assert g.comm_s == pytest.approx(st.tp_s + st.dp_s, rel=0.1)    # 80 buckets vs one all-reduce: α terms only


def test_training_that_cannot_fit_is_refused():
    """Limit: eight GPUs cannot hold 70B training state at any plan (105 GB of Adam state each): a ValueError."""
    import dataclasses

    p = dataclasses.replace(su.profile(CAT, "suit_dense_training"), gpus=8)
    with pytest.raises(ValueError, match="cannot hold"):
        stp.gpu_layout(p, GPU)


@settings(max_examples=15, deadline=None)
@given(k=st.integers(4, 13))
def test_training_layouts_fit_at_every_gpu_count_property(k):
    """From 16 to 8,192 GPUs the chosen plan always fits in HBM (or the count is refused)."""
    import dataclasses

    p = dataclasses.replace(su.profile(CAT, "suit_dense_training"), gpus=2 ** k)
    try:
        lay = stp.gpu_layout(p, GPU)
    except ValueError as e:
        assert "cannot hold" in str(e)
        return
    assert lay.fits and lay.tp * lay.pp * lay.dp <= 2 ** k
