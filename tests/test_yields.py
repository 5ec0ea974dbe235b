"""Die-yield models, dies per wafer and cost: known values, limits, properties, bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from waferscale.models import yields as Y

AREA = st.floats(min_value=0.0, max_value=5e4, allow_nan=False)
DENSITY = st.floats(min_value=0.0, max_value=10.0, allow_nan=False)
ALPHA = st.floats(min_value=0.05, max_value=50.0)
ALL = [Y.poisson, Y.murphy, Y.seeds, lambda a, d: Y.bose_einstein(a, d, 12), lambda a, d: Y.negative_binomial(a, d, 2.0)]


# -- known values -----------------------------------------------------------------------------
def test_textbook_values_at_unit_lambda():
    # Leachman, IEOR 130: A·D = 1 gives Poisson 0.368, Murphy 0.400, Seeds 0.500
    assert Y.poisson(100, 1.0) == pytest.approx(0.3679, abs=1e-4)
    assert Y.murphy(100, 1.0) == pytest.approx(0.3996, abs=1e-4)
    assert Y.seeds(100, 1.0) == pytest.approx(0.5)
    # Agrawal's slides: λ = 1, α = 0.5 gives 0.58
    assert Y.negative_binomial(100, 1.0, 0.5) == pytest.approx(0.577, abs=1e-3)


def test_hennessy_patterson_examples():
    assert Y.bose_einstein(225, 0.031, 13.5) == pytest.approx(0.40, abs=0.005)   # 5e: 0.40
    assert Y.bose_einstein(100, 0.031, 13.5) == pytest.approx(0.66, abs=0.005)
    assert Y.bose_einstein(225, 0.047, 12) == pytest.approx(0.30, abs=0.005)     # 6e inputs give 0.30
    assert round(float(Y.dies_per_wafer(300, 225))) == 270
    assert round(float(Y.dies_per_wafer(300, 100))) == 640


def test_wafer_sized_die_without_redundancy_is_e_to_the_minus_46():
    assert math.log(float(Y.poisson(46225, 0.1))) == pytest.approx(-46.225)


def test_cost_per_good_die():
    assert Y.cost_per_good_die(7000, 640, 0.662) == pytest.approx(16.52, abs=0.01)
    assert Y.cost_per_die(7000, 700) == pytest.approx(10.0)


# -- limits -----------------------------------------------------------------------------------
@pytest.mark.parametrize("model", ALL)
def test_zero_area_or_density_yields_one(model):
    assert model(0.0, 1.0) == pytest.approx(1.0)
    assert model(500.0, 0.0) == pytest.approx(1.0)


def test_negative_binomial_alpha_one_is_seeds_and_large_alpha_is_poisson():
    a, d = np.linspace(0, 2000, 21), 0.3
    np.testing.assert_allclose(Y.negative_binomial(a, d, 1.0), Y.seeds(a, d), rtol=1e-12)
    np.testing.assert_allclose(Y.negative_binomial(a, d, 1e7), Y.poisson(a, d), rtol=1e-4)


@given(st.floats(min_value=0.0, max_value=1e-3))
def test_all_models_agree_for_small_lambda(lam):
    ys = [float(m(100.0, lam)) for m in (Y.poisson, Y.murphy, Y.seeds, lambda a, d: Y.negative_binomial(a, d, 2.0))]
    assert max(ys) - min(ys) <= lam**2 + 1e-15
    assert all(abs(y - (1 - lam)) <= lam**2 + 1e-15 for y in ys)


# -- properties -------------------------------------------------------------------------------
@settings(max_examples=150)
@given(AREA, AREA, DENSITY, ALPHA)
def test_monotone_decreasing_in_area(a1, a2, d, alpha):
    lo, hi = sorted((a1, a2))
    for model in (Y.poisson, Y.murphy, Y.seeds):
        assert model(hi, d) <= model(lo, d) + 1e-12
    assert Y.negative_binomial(hi, d, alpha) <= Y.negative_binomial(lo, d, alpha) + 1e-12


@settings(max_examples=150)
@given(AREA, DENSITY, DENSITY, st.floats(min_value=0.5, max_value=20))
def test_monotone_decreasing_in_density_and_bounded(a, d1, d2, n):
    lo, hi = sorted((d1, d2))
    for model in (Y.poisson, Y.murphy, Y.seeds, lambda x, y: Y.bose_einstein(x, y, n)):
        y_hi, y_lo = float(model(a, hi)), float(model(a, lo))
        assert 0.0 <= y_hi <= y_lo + 1e-12 <= 1.0 + 1e-12


@given(AREA, DENSITY, ALPHA, ALPHA)
def test_clustering_raises_yield(a, d, a1, a2):
    """Smaller alpha (more clustering) never lowers the negative-binomial yield."""
    lo, hi = sorted((a1, a2))
    assert Y.negative_binomial(a, d, lo) >= Y.negative_binomial(a, d, hi) - 1e-12


@settings(deadline=None)   # a first call can be slow on a loaded machine (imports); the property is not about time
@given(st.floats(min_value=1.0, max_value=2000.0), st.floats(min_value=1.0, max_value=2000.0))
def test_dies_per_wafer_falls_with_die_area(a1, a2):
    assume(a1 != a2)
    lo, hi = sorted((a1, a2))
    assert Y.dies_per_wafer(300, hi) <= Y.dies_per_wafer(300, lo)


def test_vectorised_broadcasting():
    out = Y.poisson(np.array([[100.0], [200.0]]), np.array([0.1, 0.2, 0.3]))
    assert out.shape == (2, 3)


def test_array_yield_reduces_to_poisson_without_spares():
    assert Y.array_yield(1000, 0.5, 0.2, 1000, 0) == pytest.approx(float(Y.poisson(500.0, 0.2)), rel=1e-9)


def test_spares_never_lower_array_yield():
    ys = [float(Y.array_yield(970_000, 0.05, 0.5, 14, s)) for s in range(0, 4)]
    assert ys == sorted(ys)


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda: Y.poisson(-1.0, 0.1), "area_mm2=-1.0 is out of range"),
    (lambda: Y.poisson(100.0, -0.1), "defects_per_cm2=-0.1 is out of range"),
    (lambda: Y.negative_binomial(100.0, 0.1, 0.0), "alpha=0.0 is out of range; allowed: (0, 1e+18]"),
    (lambda: Y.negative_binomial(100.0, 0.1, -2.0), "alpha=-2"),
    (lambda: Y.bose_einstein(100.0, 0.1, 0), "layers=0"),
    (lambda: Y.dies_per_wafer(0.0, 100.0), "wafer_diameter_mm=0"),
    (lambda: Y.cost_per_good_die(7000, 100, 1.5), "die_yield=1.5"),
    (lambda: Y.die_yield("gauss", 100.0, 0.1), "model='gauss'"),
    (lambda: Y.poisson(float("nan"), 0.1), "area_mm2=nan"),
])
def test_bad_input_names_parameter_value_and_range(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert message in str(err.value)


# -- global spares, clustered arrays, tolerable density (issue 16) ------------------------------------------------
def test_global_spare_yield_known_value_by_hand():
    # 3 cores, 1 spare, p = 1 - e^-0.1: P(at most 1 bad) = q^3 + 3 p q^2
    q = math.exp(-0.1)
    p = 1 - q
    assert float(Y.global_spare_yield(3, 100.0, 0.1, 1)) == pytest.approx(q**3 + 3 * p * q**2, rel=1e-12)


def test_global_spare_yield_limits():
    assert float(Y.global_spare_yield(144, 5.0, 0.1, 0)) == pytest.approx(float(Y.poisson(720.0, 0.1)), rel=1e-12)
    assert float(Y.global_spare_yield(144, 5.0, 0.1, 144)) == pytest.approx(1.0)
    assert float(Y.global_spare_yield(144, 5.0, 0.0, 0)) == 1.0
    # one segment of every core is the same array as global repair
    assert float(Y.global_spare_yield(144, 5.0, 0.3, 12)) == pytest.approx(float(Y.array_yield(144, 5.0, 0.3, 144, 12)),
                                                                             rel=1e-10)


def test_global_spare_yield_is_exact_for_a_wafer_of_cores():
    # 84,700 WSE-3 cores and 6,000 spares at 1 defect/cm²: the sum runs in log space (no underflow, no nan)
    y = float(Y.global_spare_yield(84_700, 0.0476, 1.0, 6_000))
    assert y == pytest.approx(1.0) and math.isfinite(y)
    assert float(Y.global_spare_yield(84_700, 0.0476, 1.0, 10)) < 1e-6


def test_clustered_array_yield_tends_to_poisson_and_lies_below_it():
    free = float(Y.array_yield(970_000, 0.0476, 0.1, 14, 1))
    assert float(Y.clustered_array_yield(970_000, 0.0476, 0.1, 14, 1, alpha=1e4)) == pytest.approx(free, rel=1e-4)
    assert float(Y.clustered_array_yield(970_000, 0.0476, 0.1, 14, 1, alpha=2.0)) < free
    # without spares clustering helps (the monolithic die's argument)
    assert (float(Y.clustered_array_yield(8400, 0.1, 0.2, 8400, 0, alpha=0.5, blocks=84))
            > float(Y.array_yield(8400, 0.1, 0.2, 8400, 0)))


def test_clustered_formula_matches_the_monte_carlo():
    from waferscale.models import montecarlo as MC

    arr = MC.WaferArray(physical_cores=84_000, core_area_mm2=0.5, segment_cores=14, spares_per_segment=1, blocks=84)
    mc = MC.simulate(arr, 0.3, 20_000, seed=5, alpha=2.0)
    y = float(Y.clustered_array_yield(84_000, 0.5, 0.3, 14, 1, alpha=2.0, blocks=84))
    assert mc.yield_low - 0.005 <= y <= mc.yield_high + 0.005


def test_tolerable_density_gives_the_target():
    d = Y.tolerable_density(970_000, 0.0476, 14, 1, target_yield=0.9)
    assert float(Y.array_yield(970_000, 0.0476, d, 14, 1)) == pytest.approx(0.9, abs=1e-6)
    dc = Y.tolerable_density(970_000, 0.0476, 14, 1, target_yield=0.9, alpha=2.0)
    assert 0 < dc < d                       # clustering eats margin
    assert Y.tolerable_density(10, 1.0, 10, 10, target_yield=0.5) == 1e3      # all spares: any density (range end)


@pytest.mark.parametrize("call, message", [
    (lambda: Y.global_spare_yield(10, 1.0, 0.1, 11), "spares=11"),
    (lambda: Y.global_spare_yield(0, 1.0, 0.1, 0), "physical_cores=0"),
    (lambda: Y.global_spare_yield(10, 0.0, 0.1, 1), "core_area_mm2=0.0"),
    (lambda: Y.global_spare_yield(10, 1.0, -0.1, 1), "defects_per_cm2=-0.1"),
    (lambda: Y.clustered_array_yield(100, 1.0, 0.1, 10, 1, alpha=0.0), "alpha=0.0"),
    (lambda: Y.clustered_array_yield(100, 1.0, 0.1, 10, 1, blocks=101), "blocks=101"),
    (lambda: Y.tolerable_density(100, 1.0, 10, 1, target_yield=1.0), "target_yield=1.0"),
])
def test_bad_input_of_the_repair_yields(call, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        call()
