"""C01/C02 bands and tornado from the refitted samples: the point estimate inside its band, the stored ratios fresh."""
from __future__ import annotations

import pytest

from waferscale.claims import performance as P
from waferscale.claims import uncertainty as CU
from waferscale.data import catalog

CAT = catalog.load()


def test_stored_ratios_match_this_catalog():
    assert CU._ratios(str(CAT.root), CU._stamp(CAT)) == __import__("json").loads(CU.RATIOS_FILE.read_text())


def test_bands_bracket_the_median_and_are_not_degenerate():
    b = CU.bands(CAT)
    assert b["n"] >= 200 and b["kept"] >= 20 and b["ess"] >= 10
    for name, (lo, mid, hi) in b["bands"].items():
        assert 0 < lo < mid < hi, name


def test_tornado_names_inputs_and_rejects_an_unknown_ratio():
    t = CU.tornado(CAT, "c02_ratio")
    assert list(t.columns) == ["input", "kind", "low", "high", "at_low", "at_high", "swing"]
    assert t["swing"].is_monotonic_decreasing and len(t) >= 10
    with pytest.raises(ValueError, match="ratio='c99' is not allowed"):
        CU.tornado(CAT, "c99")


def test_wquantile_weights_matter():
    assert CU.wquantile([1, 2, 3, 4], [1, 1, 1, 1], 0.5) == pytest.approx(2.5)
    assert CU.wquantile([1, 2, 3, 4], [0, 0, 1, 1], 0.5) == pytest.approx(3.5)   # zero weight drops a sample
