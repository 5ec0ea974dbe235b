"""Units are converted once, at load; the classic slips (GB/GiB, Tb/TB) are tested here."""
import math

import pytest
from hypothesis import given, strategies as st

from waferscale.core.units import UnitError, parse_unit, to_canonical


def test_gigabyte_is_not_gibibyte():
    assert to_canonical(1, "GB", "byte") == 1e9
    assert to_canonical(1, "GiB", "byte") == 2**30
    assert to_canonical(80, "GiB", "byte") / to_canonical(80, "GB", "byte") == pytest.approx(1.073741824)


def test_terabit_is_an_eighth_of_a_terabyte():
    assert to_canonical(1, "Tbit/s", "byte/s") == pytest.approx(1.25e11)
    assert to_canonical(1, "TB/s", "byte/s") == pytest.approx(1e12)
    assert to_canonical(214, "Pbit/s", "byte/s") == pytest.approx(2.675e16)


def test_b_for_bit_is_refused_because_pint_reads_barn():
    with pytest.raises(UnitError, match="barn"):
        to_canonical(1.2, "Tb/s", "byte/s")


def test_energy_per_bit():
    assert to_canonical(1.3, "pJ/bit", "J/bit") == pytest.approx(1.3e-12)


def test_flops_are_not_hertz():
    with pytest.raises(UnitError, match="dimension"):
        to_canonical(1, "GHz", "flop/s")
    assert to_canonical(989, "TFLOP/s", "flop/s") == pytest.approx(9.89e14)


def test_wrong_dimension_names_both_units():
    with pytest.raises(UnitError, match="'W'.*'byte/s'"):
        to_canonical(700, "W", "byte/s")


@pytest.mark.parametrize("bad", ["", "   ", "zorkmids per flarn", "TB/z"])
def test_unparseable_units(bad):
    with pytest.raises(UnitError):
        parse_unit(bad)


@given(st.floats(min_value=1e-6, max_value=1e6), st.floats(min_value=1e-3, max_value=1e3))
def test_conversion_is_linear(x, a):
    one = to_canonical(x, "GB/s", "byte/s")
    assert math.isclose(to_canonical(a * x, "GB/s", "byte/s"), a * one, rel_tol=1e-12)
