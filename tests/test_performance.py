"""The decode model (waferscale.models.performance) and its calibration (waferscale.fit.perffit)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from waferscale.data import catalog
from waferscale.fit import perffit as F
from waferscale.models import performance as P


@pytest.fixture(scope="module")
def cat():
    return catalog.load()


@pytest.fixture(scope="module")
def fit(cat):
    return F.calibrate(cat)


def test_roofline_of_8b_bf16_on_one_h100(cat):
    """Issue 6: weights / HBM bandwidth ≈ 4.8 ms per token before overheads."""
    s = P.system(cat, "h100_sxm")
    assert 16.06e9 / s.mem_bytes_per_s == pytest.approx(4.8e-3, rel=0.01)
    r = P.decode(cat, "h100_sxm", "llama3_1_8b", context_tokens=1, params=P.Params.roofline())
    assert r.time_per_token_s == pytest.approx(4.8e-3, rel=0.08)   # embedding rows are not read


def test_infinite_bandwidth_is_compute_bound(cat):
    s = dataclasses.replace(P.system(cat, "h100_sxm"), mem_bytes_per_s=1e30)
    r = P.decode(cat, "h100_sxm", "llama3_1_8b", context_tokens=1, params=P.Params.roofline(), system_obj=s)
    m = P.wl.model(cat, "llama3_1_8b")
    assert r.time_per_token_s == pytest.approx(float(m.flops_per_token(1)) / s.flops("bf16"), rel=1e-6)


def test_one_user_total_equals_per_user(cat, fit):
    r = P.decode(cat, "dgx_h100", "llama3_1_70b", params=fit.params)
    assert r.tokens_per_s_total == pytest.approx(r.tokens_per_s_per_user)
    assert r.energy_per_token_j == pytest.approx(r.power_w / r.tokens_per_s_total)


@pytest.mark.parametrize("sid, mid", [("dgx_h100", "llama3_1_70b"), ("cs3", "llama3_1_70b"), ("dgx_b200", "llama4_maverick")])
def test_more_bandwidth_never_slower(cat, fit, sid, mid):
    s = P.system(cat, sid)
    prev = None
    for f in (0.5, 1, 2, 4):
        t = P.decode(cat, sid, mid, params=fit.params, precision="fp8" if sid != "cs3" else "bf16",
                     system_obj=dataclasses.replace(s, mem_bytes_per_s=s.mem_bytes_per_s * f)).time_per_token_s
        assert prev is None or t <= prev + 1e-15
        prev = t


def test_more_users_more_throughput_less_per_user(cat, fit):
    rs = [P.decode(cat, "dgx_b200", "llama3_1_70b", users=u, params=fit.params) for u in (1, 8, 64, 512)]
    assert all(a.tokens_per_s_total < b.tokens_per_s_total for a, b in zip(rs, rs[1:]))
    assert all(a.tokens_per_s_per_user >= b.tokens_per_s_per_user for a, b in zip(rs, rs[1:]))


def test_wafers_are_derived_from_bytes(cat, fit):
    assert P.decode(cat, "cs3", "llama3_1_8b", params=fit.params).chips == 1
    assert P.decode(cat, "cs3", "llama3_1_70b", params=fit.params).chips == 4
    assert P.decode(cat, "cs3", "llama3_1_70b", precision="fp8", params=fit.params).chips == 2


def test_speculative_decoding(cat, fit):
    assert P.accepted_per_step(3, 0.5) == pytest.approx(1 + 0.5 + 0.25 + 0.125)
    assert P.acceptance_from_length(2.94, 3) == pytest.approx(0.80, abs=0.01)
    base = P.decode(cat, "dgx_b200", "llama4_maverick", precision="fp8", params=fit.params)
    spec = P.decode(cat, "dgx_b200", "llama4_maverick", precision="fp8", spec_tokens=3, spec_accept=0.7,
                    params=fit.params)
    assert 1.5 < spec.tokens_per_s_per_user / base.tokens_per_s_per_user < P.accepted_per_step(3, 0.7)


@pytest.mark.parametrize("kw, message", [
    ({"chips": 0}, "chips=0 is out of range"),
    ({"users": -1}, "users=-1 is out of range"),
    ({"precision": "int3"}, "precision='int3'.*allowed"),
    ({"spec_accept": 1.5}, "spec_accept=1.5"),
])
def test_bad_input(cat, fit, kw, message):
    with pytest.raises(ValueError, match=message):
        P.decode(cat, "dgx_h100", "llama3_1_8b", params=fit.params, **kw)


def test_model_that_does_not_fit_says_how_many_chips(cat, fit):
    with pytest.raises(ValueError, match=r"needs 11 chips"):
        P.decode(cat, "h100_sxm", "llama3_1_405b", params=fit.params)
    with pytest.raises(ValueError, match=r"needs 19 wafers"):
        P.decode(cat, "cs3", "llama3_1_405b", chips=2, params=fit.params)
    with pytest.raises(ValueError, match="system='tpu'"):
        P.system(cat, "tpu")


def test_fit_is_reproducible_and_uses_calibration_rows_only(cat, fit):
    again = F.calibrate(cat)
    assert again.params_dict == fit.params_dict
    roles = {cat.measurement(i)["role"] for i in fit.fitted_on}
    assert roles == {"calibration"}
    assert not set(fit.fitted_on) & set(F.VALIDATION)
    assert all(cat.measurement(i)["role"] == "validation" for i in F.VALIDATION)
    for k in P.Params.FITTED:
        lo, hi = F._BOUNDS[k]
        assert lo <= getattr(fit.params, k) <= hi


def test_calibration_fits_and_validation_is_predicted(cat, fit):
    assert (fit.table["error"].abs() < 0.5).all()
    v = F.validation_table(cat, fit.params)
    assert set(v["id"]) == set(F.VALIDATION) and np.isfinite(v["predicted"]).all()


def test_sweep_matches_scalar(cat, fit):
    cfg = {"system": ["dgx_h100", "cs3", "dgx_b200"], "model": ["llama3_1_70b", "llama3_1_8b", "llama4_maverick"],
           "precision": ["fp8", "bf16", "fp8"], "chips": [8, 1, 8], "users": [4, 1, 16]}
    out = P.sweep(cat, cfg, fit.params, context_tokens=2048)
    for i in range(3):
        r = P.decode(cat, cfg["system"][i], cfg["model"][i], precision=cfg["precision"][i], chips=cfg["chips"][i],
                     users=cfg["users"][i], params=fit.params)
        assert out["tokens_per_s_per_user"][i] == pytest.approx(r.tokens_per_s_per_user, rel=1e-9)


def test_no_headline_literal_in_the_model():
    import inspect
    from waferscale.claims import performance as perfclaims
    from waferscale.models import performance, workloads
    for mod in (performance, workloads, F, perfclaims):
        src = inspect.getsource(mod)
        assert "2.4" not in src.replace("2.43", "") and " 20" not in src.replace(" 2048", "").replace(" 2025", "").replace(" 2024", "")
