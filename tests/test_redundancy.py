"""The defect-map Monte Carlo against the analytic expectations, and its bad-input errors."""
from __future__ import annotations

import math

import pytest

from waferscale.models import redundancy as R
from waferscale.models import montecarlo as MC
from waferscale.models import yields as Y


@pytest.fixture(scope="module")
def wse(cat):
    return R.from_catalog(cat, "wse3")


def test_from_catalog_matches_the_spare_budget(cat, wse):
    design = 1 - cat.value("wse3", "cores_enabled") / cat.value("wse3", "cores_physical")
    assert wse.spare_fraction == pytest.approx(design, abs=0.002)
    assert wse.physical_cores <= cat.value("wse3", "cores_physical")


def test_zero_defects_gives_full_yield(wse):
    r = MC.simulate(wse, 0.0, 500, seed=3)
    assert r.full_array_yield == 1.0 and r.mean_defects == 0 and r.good_core_fraction == 1.0


def test_seeded_runs_repeat_exactly(wse):
    assert MC.simulate(wse, 0.1, 2000, seed=7) == MC.simulate(wse, 0.1, 2000, seed=7)


def test_yield_agrees_with_analytic_within_the_interval(wse):
    """Poisson defects: P(every segment repairable) = segment_yield ** segments."""
    r = MC.simulate(wse, 0.3, 20_000, seed=11)
    exact = float(Y.array_yield(wse.physical_cores, wse.core_area_mm2, 0.3, wse.segment_cores, 1))
    assert r.yield_low <= exact <= r.yield_high


def test_good_core_fraction_agrees_with_exp_minus_lambda_core(wse):
    """Tolerance: 5 standard errors of the mean defective-core count."""
    d = 1.0
    r = MC.simulate(wse, d, 5_000, seed=5)
    lam_core = wse.core_area_mm2 * d / 100
    expected_bad = wse.physical_cores * -math.expm1(-lam_core)
    se = math.sqrt(expected_bad / r.n_wafers)
    assert abs(r.mean_defective_cores - expected_bad) < 5 * se
    assert r.good_core_fraction == pytest.approx(math.exp(-lam_core), abs=5 * se / wse.physical_cores)


def test_area_lost_per_defect_is_one_core(wse):
    r = MC.simulate(wse, 0.1, 2000, seed=2)
    assert r.area_lost_per_defect_mm2 == pytest.approx(wse.core_area_mm2, rel=1e-3)


def test_monolithic_die_matches_poisson():
    mono = MC.WaferArray(physical_cores=10, core_area_mm2=500.0, segment_cores=10, spares_per_segment=0, blocks=1)
    r = MC.simulate(mono, 0.05, 40_000, seed=1)
    assert r.yield_low <= float(Y.poisson(5000.0, 0.05)) <= r.yield_high


def test_gpu_with_twelve_spare_sms(cat):
    gpu = MC.WaferArray(144, cat.value("h100_sxm", "core_area_mm2"), 144, 12, blocks=1)
    r = MC.simulate(gpu, 1.0, 20_000, seed=4)
    exact = float(Y.array_yield(144, gpu.core_area_mm2, 1.0, 144, 12))
    assert r.yield_low <= exact <= r.yield_high


def test_clustering_helps_a_die_without_spares_but_hurts_local_sparing(wse):
    """At equal mean density, bunching defects leaves more dies clean (no spares) but puts two
    defects into one repair segment more often (local spares)."""
    die = MC.WaferArray(physical_cores=8400, core_area_mm2=0.1, segment_cores=8400, spares_per_segment=0, blocks=84)
    assert (MC.simulate(die, 0.2, 20_000, seed=9, alpha=0.5).full_array_yield
            > MC.simulate(die, 0.2, 20_000, seed=9).full_array_yield)
    assert (MC.simulate(wse, 1.0, 3000, seed=9, alpha=0.5).full_array_yield
            < MC.simulate(wse, 1.0, 3000, seed=9).full_array_yield)


def test_spares_never_lower_yield():
    base = dict(physical_cores=14_000, core_area_mm2=0.05, segment_cores=14, blocks=10)
    ys = [MC.simulate(MC.WaferArray(spares_per_segment=s, **base), 3.0, 4000, seed=1).full_array_yield for s in (0, 1, 2)]
    assert ys == sorted(ys)


def test_required_spare_fraction_grows_with_density_and_core_size():
    a = R.required_spare_fraction(0.05, 0.1, 970_000)
    b = R.required_spare_fraction(0.05, 1.0, 970_000)
    c = R.required_spare_fraction(0.5, 1.0, 97_000)
    assert 0 < a < b < c


@pytest.mark.parametrize("kwargs, message", [
    (dict(physical_cores=0, core_area_mm2=0.05, segment_cores=1), "physical_cores=0"),
    (dict(physical_cores=100, core_area_mm2=-1.0, segment_cores=10), "core_area_mm2=-1"),
    (dict(physical_cores=100, core_area_mm2=0.05, segment_cores=10, spares_per_segment=11), "spares_per_segment=11"),
    (dict(physical_cores=100, core_area_mm2=0.05, segment_cores=7), "must divide physical_cores=100"),
])
def test_bad_arrays(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MC.WaferArray(**kwargs)


def test_bad_simulation_inputs(wse):
    with pytest.raises(ValueError, match="defects_per_cm2=-0.1"):
        MC.simulate(wse, -0.1, 10)
    with pytest.raises(ValueError, match="n_wafers=0"):
        MC.simulate(wse, 0.1, 0)
    with pytest.raises(ValueError, match=r"alpha=0.0 is out of range; allowed: \(0, 1e\+06\]"):
        MC.simulate(wse, 0.1, 10, alpha=0.0)


# -- repair schemes and critical area (issue 16) ------------------------------------------------------------------
def test_global_vs_local_repair_of_coarse_units():
    """C06's point: 6 mm² units with 7 % spares on a 40 cm² chip at 1/cm² work as global spares, not as local ones."""
    g = R.repair_yield(672, 6.0, 1.0, 0.07, repair="global")
    loc = R.repair_yield(672, 6.0, 1.0, 0.07, repair="local")
    assert g == pytest.approx(0.913, abs=0.005) and loc < 1e-3
    # fine units do fine locally
    assert R.repair_yield(84_700, 0.0476, 1.0, 1 / 14, repair="local") > 0.85


def test_critical_area_multiplies_the_yield_by_poisson():
    base = R.repair_yield(144, 3.78, 0.1, 12 / 144, repair="global")
    with_crit = R.repair_yield(144, 3.78, 0.1, 12 / 144, repair="global", critical_area_mm2=268.62)
    assert with_crit == pytest.approx(base * math.exp(-0.2686), rel=1e-3)


def test_critical_area_comes_from_the_catalog_and_is_never_silent(cat):
    assert R.critical_area_mm2(cat, "h100_sxm") == pytest.approx(0.33 * 814)
    assert R.critical_area_mm2(cat, "h100_sxm", "high") == pytest.approx(0.5 * 814)
    assert R.critical_area_mm2(cat, "wse3") == 0.0
    with pytest.raises(ValueError, match="critical_area_fraction"):
        R.critical_area_mm2(cat, "wse2")                # no stated value: an error, not zero
    with pytest.raises(ValueError, match="end='mid'"):
        R.critical_area_mm2(cat, "wse3", "mid")


def test_from_catalog_fits_cores_and_critical_area_in_the_die(cat):
    arr = R.from_catalog(cat, "wse3", critical_end="high")
    die = cat.value("wse3", "die_area_mm2")
    assert arr.critical_area_mm2 == pytest.approx(0.005 * die)
    assert arr.core_area_total_mm2 + arr.critical_area_mm2 <= die * (1 + 1e-9)


def test_spare_needs_order_the_repair_assumptions():
    n = R.spare_needs(0.0476, 970_000, 0.1)
    assert n["mean_count"] < n["global"] < n["local_any"] < n["local_one"] <= n["local_one_clustered"]
    assert n["global"] < 1e-4 < 0.005 < n["local_one"] < 0.072    # the WSE-3 budget covers even local one-spare repair


@pytest.mark.parametrize("kwargs, message", [
    (dict(repair="anywhere"), "repair='anywhere'"),
    (dict(repair="local", segment_cores_=1), "segment_cores_=1"),
    (dict(repair="global", critical_area_mm2=-1.0), "critical_area_mm2=-1"),
])
def test_bad_repair_inputs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        R.repair_yield(672, 6.0, 1.0, 0.07, **kwargs)
