"""Tests of waferscale.models.suitability: features bounded, classification monotone, bad input named."""

import math

import pytest
from hypothesis import given, settings, strategies as st

import waferscale as ws
from waferscale import claims
from waferscale.fit import perffit
from waferscale.models import steptime as stp
from waferscale.models import suitability as su

CAT = ws.load()
PRM = perffit.fitted(CAT)
_share = st.floats(0, 1)
_wafers = st.integers(1, 1000)


@pytest.fixture(scope="module")
def feats():
    return stp.features(CAT, params=PRM)


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


def test_decode_rows_use_performance_model(feats):
    basis = feats.set_index("id")["speedup_basis"]
    assert basis["suit_decode_low"] == "performance.decode"


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
    (lambda: stp.sensitivity(CAT, "power", [1], params=PRM), "threshold"),
    (lambda: stp.sensitivity(CAT, "wafers", [0.5], params=PRM), "wafers"),
    (lambda: su.profile(CAT, "nope"), "profile_id"),
])
def test_bad_input_names_parameter_value_and_range(call, name):
    with pytest.raises(ValueError) as exc:
        call()
    assert name in str(exc.value)
    assert "=" in str(exc.value) and ("allowed" in str(exc.value) or "range" in str(exc.value))


def test_sensitivity_default_matches_features(feats):
    t = su.Thresholds()
    sens = stp.sensitivity(CAT, "comm_share", [t.comm_share], params=PRM)
    assert not sens["changed"].any()
    assert len(sens) == len(feats)


def test_validation_table_has_per_point_error():
    vt = stp.validation_table(CAT)
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
