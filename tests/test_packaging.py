"""Packages of chiplets with spares: properties, the Monte Carlo check, field failures, bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waferscale.models import packaging as K
from waferscale.models import yields as Y
from waferscale.models.economics import ChipletProcess


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 64), st.integers(0, 8), st.floats(0.0, 1.0))
def test_spares_never_lower_system_yield(n, k, p):
    assert K.system_yield(n, k + 1, p) >= K.system_yield(n, k, p) - 1e-12


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12))
def test_k0_is_the_product_of_die_yields(ys):
    assert K.system_yield_heterogeneous(ys, len(ys)) == pytest.approx(math.prod(ys), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 32), st.floats(0.0, 1.0))
def test_homogeneous_k0_is_p_to_the_n(n, p):
    assert K.system_yield(n, 0, p) == pytest.approx(p**n)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 16), st.integers(0, 4), st.floats(0.01, 0.99))
def test_heterogeneous_agrees_with_binomial(n, k, p):
    assert K.system_yield_heterogeneous([p] * (n + k), n) == pytest.approx(K.system_yield(n, k, p), abs=1e-10)


def test_package_yield_spares_monotone_with_process():
    proc = ChipletProcess(0.05, 0.99, 0.1)
    ys = [K.package_yield(K.Package(400.0, 4, k, proc), 0.1) for k in range(5)]
    assert all(b >= a for a, b in zip(ys, ys[1:]))


def test_monte_carlo_agrees_with_binomial():
    pkg = K.Package(400.0, 4, 1)
    r = K.simulate_package(pkg, 0.1, 20_000, seed=1)
    exact = K.system_yield(4, 1, float(Y.poisson(400.0, 0.1)))
    assert r.yield_low <= exact <= r.yield_high


def test_idle_fraction():
    assert K.Package(100.0, 8, 2).idle_fraction == pytest.approx(0.2)


def test_field_capacity():
    t = np.array([0.0, 1.0, 5.0])
    mapped = K.expected_capacity(8, 0, 0.06, t)
    perfect = K.expected_capacity(8, 0, 0.06, t, map_out=False)
    assert mapped[0] == perfect[0] == 1.0
    assert mapped[1] == pytest.approx(math.exp(-0.06))      # mean survivors / n
    assert perfect[1] == pytest.approx(math.exp(-0.06 * 8))
    spared = K.expected_capacity(8, 2, 0.06, t)
    assert (spared >= mapped - 1e-12).all()


def test_cost_per_good_system_finite():
    c = K.cost_per_good_system(K.Package(200.0, 8, 1, ChipletProcess(0.05, 0.99, 0.1)), 0.1, 16988.0)
    assert 0 < c < math.inf


@pytest.mark.parametrize("call, name", [
    (lambda: K.system_yield(0, 1, 0.5), "n=0"),
    (lambda: K.system_yield(4, -1, 0.5), "k=-1"),
    (lambda: K.system_yield(4, 1, 1.5), "p=1.5"),
    (lambda: K.Package(-1.0, 4), "chiplet_area_mm2=-1"),
    (lambda: K.system_yield_heterogeneous([0.5, 0.5], 3), "n=3"),
    (lambda: K.expected_capacity(4, 0, -0.1, 1.0), "rate_per_year=-0.1"),
])
def test_bad_input_names_parameter_value_and_range(call, name):
    with pytest.raises(ValueError, match=name) as e:
        call()
    assert "allowed" in str(e.value)


def test_compare_designs_charges_the_wafer_its_critical_area():
    kw = dict(reticle_mm2=858.0, wafer_area_mm2=46225.0, core_area_mm2=0.0476, segment_cores=14)
    proc = ChipletProcess(test_escape=1.0)
    zero = K.compare_designs(858.0, [200.0], 0.1, 16988.0, proc, **kw)
    crit = K.compare_designs(858.0, [200.0], 0.1, 16988.0, proc, critical_area_mm2=231.0, **kw)
    w = lambda df: float(df.loc[df["design"] == "redundant wafer (spare cores)", "usd_per_mm2"].iloc[0])  # noqa: E731
    assert w(crit) > w(zero)
