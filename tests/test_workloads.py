"""Transformer shapes from the catalog and synthetic models (waferscale.workloads)."""
from __future__ import annotations

import pytest

from waferscale import catalog, workloads as W


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
