"""Energy per token from pJ/bit and pJ/FLOP (waferscale.models.energy)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from waferscale.data import catalog
from waferscale.fit import perffit
from waferscale.models import energy as E, performance as P, workloads as W


@pytest.fixture(scope="module")
def cat():
    return catalog.load()


def test_one_gpu_batch_one_known_value(cat):
    """One H100, one user: 8 bits x (active weights + context KV) x HBM energy, 2 FLOPs per weight x FMA energy."""
    m = W.model(cat, "llama3_1_8b")
    d = E.breakdown(cat, "h100_sxm", "llama3_1_8b", users=1, context_tokens=1000, params=perffit.fitted(cat))
    e_hbm = cat.value("hbm2_access", "energy_j_per_bit")
    want = 8 * (float(m.active_bytes("bf16", 1)) + 1000 * m.kv_bytes_per_token("bf16")) * e_hbm
    assert d["memory_j"] == pytest.approx(want)
    assert d["arithmetic_j"] == pytest.approx(float(m.flops_per_token(1000)) * cat.value("fp16_fma", "energy_j_per_flop"))
    assert d["links_j"] == 0.0                           # one GPU: no tensor-parallel traffic
    assert d["system_j"] == pytest.approx(P.decode(cat, "h100_sxm", "llama3_1_8b", context_tokens=1000, params=perffit.fitted(cat)).energy_per_token_j)


def test_wafer_reads_sram_not_hbm(cat):
    d = E.breakdown(cat, "cs3", "llama3_1_8b", users=1, params=perffit.fitted(cat))
    m = W.model(cat, "llama3_1_8b")
    e_sram = cat.value("sram_32kb_access", "energy_j_per_bit")
    assert d["memory_j"] == pytest.approx(8 * (float(m.active_bytes("bf16", 1)) + 2048 * m.kv_bytes_per_token("bf16")) * e_sram)
    assert "horowitz2014energy" in d["sources"]


@settings(max_examples=10, deadline=None)
@given(u=st.sampled_from([1, 4, 16, 64, 256]))
def test_batching_shares_the_weight_read_on_gpus(u):
    cat = catalog.load()
    a = E.breakdown(cat, "dgx_h100", "llama3_1_70b", precision="fp8", users=1, params=perffit.fitted(cat))
    b = E.breakdown(cat, "dgx_h100", "llama3_1_70b", precision="fp8", users=u, params=perffit.fitted(cat))
    assert b["memory_j"] <= a["memory_j"] * (1 + 1e-12)
    assert b["arithmetic_j"] == pytest.approx(a["arithmetic_j"])
    assert b["modelled_j"] == pytest.approx(b["memory_j"] + b["arithmetic_j"] + b["links_j"])


def test_bad_precision_is_a_clear_error(cat):
    with pytest.raises(ValueError, match="precision='int3'"):
        E.breakdown(cat, "dgx_h100", "llama3_1_70b", precision="int3", params=perffit.fitted(cat))
