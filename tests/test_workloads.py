"""Transformer shapes from the catalog and synthetic models (waferscale.models.workloads)."""
from __future__ import annotations

import pytest

from waferscale.data import catalog
from waferscale.models import workloads as W


@pytest.fixture(scope="module")
def cat():
    return catalog.load()


def test_weight_and_kv_bytes_of_llama_8b(cat):
    m = W.model(cat, "llama3_1_8b")
    assert m.weight_bytes("bf16") == pytest.approx(8.03e9 * 2)
    assert m.weight_bytes("fp8") == pytest.approx(8.03e9)
    assert m.kv_bytes_per_token("bf16") == 32 * 2 * 8 * 128 * 2


def test_moe_layers_derived_and_active_params(cat):
    m = W.model(cat, "llama4_maverick")
    assert m.moe_layers == 24                       # every second layer of 48, derived from the counts
    one = float(m.active_params(1))
    assert one < m.params_active <= one + m.vocab_size * m.hidden_size + 1
    assert float(m.active_params(64)) > 5 * one     # more tokens touch more experts
    assert float(m.active_params(10**6)) < m.params_total


def test_expected_distinct_experts_limits():
    assert float(W.expected_distinct_experts(128, 1, 1)) == pytest.approx(1)
    assert float(W.expected_distinct_experts(128, 1, 10**6)) == pytest.approx(128)


def test_unknown_precision_and_model(cat):
    with pytest.raises(ValueError, match="precision='int3'.*bf16"):
        W.bytes_per_value("int3")
    with pytest.raises(ValueError, match="model='gpt5'"):
        W.model(cat, "gpt5")


def test_shape_law_reproduces_the_fitted_family(cat):
    law = W.fit_shape_law(cat)
    for mid in law.fitted_on:
        m = W.model(cat, mid)
        s = W.synthetic(law, m.params_total)
        assert s.layers == pytest.approx(m.layers, rel=0.2)
        assert s.hidden_size == pytest.approx(m.hidden_size, rel=0.25)
    sizes = [W.synthetic(law, p) for p in (1e9, 1e10, 1e11, 1e12)]
    assert [s.layers for s in sizes] == sorted(s.layers for s in sizes)
    with pytest.raises(ValueError, match="params="):
        W.synthetic(law, -1)


# -- the added model shapes (issue 6): counts from the shape agree with the published totals ------------------
NEW_MODELS = ("llama3_3_70b", "llama4_scout", "gpt_oss_120b", "qwen3_32b", "qwen3_235b_a22b")


@pytest.mark.parametrize("mid", NEW_MODELS)
def test_new_models_are_listed_and_decodable(cat, mid):
    from waferscale.models import serving as sv

    assert mid in W.model_ids(cat)
    r = sv.serve(sv.hardware(cat, "cs3"), W.model(cat, mid), sv.OperatingPoint(), sv.ServeParams(), users=1)
    assert r.tokens_per_s_per_user > 0 and r.chips >= 1


@pytest.mark.parametrize("mid", W.model_ids(catalog.load()))
def test_total_from_shape_matches_published_within_2_percent(cat, mid):
    """Every catalog model: attention + feed-forward/experts + untied embeddings = the published total (±2 %).

    2 % covers what the count leaves out (norms, biases, attention sinks) and vendors' rounding
    (Llama 4 Scout's '109B' includes its vision encoder)."""
    m = W.model(cat, mid)
    assert m.params_from_shape()["total"] == pytest.approx(m.params_total, rel=0.02)


@pytest.mark.parametrize("mid", [w for w in W.model_ids(catalog.load()) if W.model(catalog.load(), w).experts])
def test_active_from_shape_matches_published_within_12_percent(cat, mid):
    """MoE active parameters (±12 %): vendors differ on whether the input embedding counts (gpt-oss's 5.13B
    leaves it out, 0.58B; with it the shape gives 5.71B)."""
    m = W.model(cat, mid)
    d = m.params_from_shape()
    assert d["active"] == pytest.approx(m.params_active, rel=0.12)
    assert d["active"] - m.vocab_size * m.hidden_size == pytest.approx(m.params_active, rel=0.06)


def test_params_from_shape_known_value_and_dense_limit():
    # Llama-3.1-8B-like shape typed out: 32 x (4096·128·(64+16)) + 32 x 3·4096·14336 + 2·128256·4096
    m = W.Transformer("x", "x", "dense", 8.03e9, 8.03e9, 32, 4096, 14336, 32, 8, 128, 128256)
    assert m.params_from_shape()["total"] == 32 * 4096 * 128 * 80 + 32 * 3 * 4096 * 14336 + 2 * 128256 * 4096
    d = m.params_from_shape()
    assert d["active"] == d["total"]                  # dense: everything is active


def test_moe_with_all_experts_active_equals_total():
    m = W.Transformer("x", "x", "moe", 1e10, 1e10, 4, 1024, 512, 8, 8, 128, 1000, experts=8, experts_active=8,
                      moe_layers=4)
    d = m.params_from_shape()
    assert d["active"] == pytest.approx(d["total"])


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(e=st.integers(2, 256), k=st.integers(1, 8), layers=st.integers(1, 64), h=st.sampled_from([512, 1024, 4096]))
def test_moe_active_never_exceeds_total_and_grows_with_k(e, k, layers, h):
    k = min(k, e)
    m = W.Transformer("x", "x", "moe", 1e10, 1e9, layers, h, 2 * h, 8, 8, h // 8, 32000, experts=e, experts_active=k,
                      moe_layers=layers)
    d = m.params_from_shape()
    assert d["active"] <= d["total"] + 1e-6
    if k < e:
        m2 = W.Transformer("x", "x", "moe", 1e10, 1e9, layers, h, 2 * h, 8, 8, h // 8, 32000, experts=e,
                           experts_active=k + 1, moe_layers=layers)
        assert m2.params_from_shape()["active"] > d["active"]
