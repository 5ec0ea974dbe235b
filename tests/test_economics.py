"""Cost per good mm², the AMD chiplet reproduction, cost per token; properties and bad-input errors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waferscale.models import economics as E
from waferscale.models import amdchiplets
from waferscale.models import market as M
from waferscale.models import tokencost as T
from waferscale.models import yields as Y


@settings(max_examples=80, deadline=None)
@given(st.floats(1.0, 700.0), st.floats(1.0, 100.0), st.floats(1e-3, 2.0), st.sampled_from(["poisson", "murphy", "seeds"]))
def test_cost_per_good_mm2_monotone_in_area_at_fixed_density(a, extra, d, model):
    c1 = float(E.cost_per_good_mm2_monolithic(a, d, 10000.0, model=model))
    c2 = float(E.cost_per_good_mm2_monolithic(a + extra, d, 10000.0, model=model))
    assert c2 >= c1 * (1 - 1e-12)


def test_monolithic_matches_hp_cost_per_good_die():
    a, d, price = 225.0, 0.031, 7000.0
    die = float(Y.cost_per_good_die(price, Y.dies_per_wafer(300.0, a), Y.poisson(a, d)))
    assert float(E.cost_per_good_mm2_monolithic(a, d, price)) * a == pytest.approx(die)


def test_one_chiplet_perfect_process_equals_monolithic():
    c = E.cost_per_good_mm2_chiplets(300.0, 300.0, 0.1, 16988.0)
    assert float(c) == pytest.approx(float(E.cost_per_good_mm2_monolithic(300.0, 0.1, 16988.0)))


def test_worse_bonding_and_escapes_cost_more():
    base = float(E.cost_per_good_mm2_chiplets(800.0, 100.0, 0.1, 16988.0))
    bad = float(E.cost_per_good_mm2_chiplets(800.0, 100.0, 0.1, 16988.0, E.ChipletProcess(0.2, 0.95, 0.1)))
    assert bad > base


def test_redundant_wafer_cost_is_finite_and_below_a_perfect_wafer(cat):
    red = float(E.cost_per_good_mm2_redundant(46225.0, 0.05, 0.1, 16988.0, 14))
    assert 0 < red < 1e3


def test_amd_reproduction_table(cat):
    df = amdchiplets.amd_reproduction(cat)
    assert len(df) == 3
    assert np.isfinite(df["model"]).all() and (df["model"] > 0).all()
    assert np.allclose(df["error_pct"], 100 * (df["model"] / df["published"] - 1))
    # the implied density reproduces the published figure exactly
    for r in df.itertuples():
        if np.isfinite(r.implied_d_per_cm2):
            assert amdchiplets.amd_ratio(amdchiplets.amd_example(cat, r.id), r.implied_d_per_cm2, r.implied_d_per_cm2, "poisson") == pytest.approx(r.published, rel=1e-4)


def test_cost_per_million_tokens_scales():
    a = T.TokenAssumptions()
    base = T.cost_per_million_tokens(1e6, 1e4, 100.0, a)
    assert T.cost_per_million_tokens(1e6, 1e4, 200.0, a) == pytest.approx(base / 2)
    assert T.cost_per_million_tokens(2e6, 2e4, 100.0, a) == pytest.approx(2 * base)


def test_inference_share_and_roadmap_from_catalog(cat):
    s = M.inference_share(cat)
    assert s["year"].is_monotonic_increasing and ((s["inference_share"] > 0) & (s["inference_share"] < 1)).all()
    r = M.roadmap(cat)
    assert (r["reticles"] > 0).all()


@pytest.mark.parametrize("call, name", [
    (lambda: E.cost_per_good_mm2_monolithic(-5.0, 0.1, 1e4), "area_mm2=-5"),
    (lambda: E.cost_per_good_mm2_chiplets(100.0, 200.0, 0.1, 1e4), "chiplet_area_mm2=200"),
    (lambda: E.ChipletProcess(test_escape=1.5), "test_escape=1.5"),
    (lambda: E.ChipletProcess(bond_yield=0.0), "bond_yield=0"),
    (lambda: T.TokenAssumptions(utilisation=0.0), "utilisation=0"),
    (lambda: T.TokenAssumptions(pue=0.5), "pue=0.5"),
    (lambda: T.cost_per_million_tokens(1e6, 1e4, 0.0), "tokens_per_s=0"),
])
def test_bad_input_names_parameter_value_and_range(call, name):
    with pytest.raises(ValueError, match=name) as e:
        call()
    assert "allowed" in str(e.value)


# -- the redundant wafer's critical area (issue 16) ---------------------------------------------------------------
def test_redundant_cost_with_critical_area_known_value():
    base = float(E.cost_per_good_mm2_redundant(46225.0, 0.0476, 0.1, 16988.0, 14))
    crit = float(E.cost_per_good_mm2_redundant(46225.0, 0.0476, 0.1, 16988.0, 14, critical_area_mm2=231.0))
    # the yield falls by e^(-D A_crit) and the cores lose the critical area: the cost rises by about e^0.231
    assert crit > base
    assert crit / base == pytest.approx(np.exp(0.231), rel=0.02)


def test_redundant_cost_range_says_lower_bound_at_zero(cat):
    r = E.redundant_cost_range(cat, "wse3", 0.1, 16988.0).set_index("end")
    assert r.loc["value", "bound"] == "lower bound (no critical area)" and r.loc["value", "critical_area_mm2"] == 0
    assert r.loc["high", "bound"] == "estimate" and r.loc["high", "usd_per_mm2"] > r.loc["value", "usd_per_mm2"]


def test_cost_curves_label_the_wafer_as_a_bound(cat):
    kw = dict(chiplet_area_mm2=100.0, process=E.ChipletProcess(), wafer_area_mm2=46225.0, core_area_mm2=0.0476,
              segment_cores=14)
    zero = E.cost_curves(np.geomspace(100, 800, 5), 0.1, 16988.0, **kw)
    wafer = zero[zero["design"] == "redundant wafer (spare cores)"].iloc[0]
    assert wafer["bound"] == "lower bound (no critical area)"
    some = E.cost_curves(np.geomspace(100, 800, 5), 0.1, 16988.0, critical_area_mm2=100.0, **kw)
    assert (some[some["design"] == "redundant wafer (spare cores)"]["bound"] == "estimate").all()


def test_redundant_cost_rejects_a_critical_area_as_big_as_the_part():
    with pytest.raises(ValueError, match="critical_area_mm2=46225"):
        E.cost_per_good_mm2_redundant(46225.0, 0.0476, 0.1, 16988.0, 14, critical_area_mm2=46225.0)
