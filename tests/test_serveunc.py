"""The serving model's uncertainty: seeded continuous draws, refits, likelihood weights, bands and tornado."""
from __future__ import annotations

import math

import numpy as np
import pytest

from waferscale.data import catalog
from waferscale.fit import serveunc as U
from waferscale.models.serving import ServeParams, hardware

CAT = catalog.load()


def test_draws_are_seeded_continuous_and_stratified():
    a, b = U.draw(CAT, 20, seed=1), U.draw(CAT, 20, seed=1)
    assert a == b and U.draw(CAT, 20, seed=2) != a
    for x in U.inputs(CAT):
        v = np.array([d[x.name] for d in a])
        assert (v >= x.low * (1 - 1e-6)).all() and (v <= x.high * (1 + 1e-6)).all()
        pos = np.log(v / x.low) / math.log(x.high / x.low) if x.log else (v - x.low) / (x.high - x.low)
        strata = np.minimum((pos * 20).astype(int), 19)
        assert sorted(strata) == list(range(20)), x.name      # a Latin hypercube: one draw per twentieth
        assert len(set(v)) == 20                               # continuous, not the two ends


def test_every_assumed_range_and_both_alphas_are_sampled():
    names = {x.name for x in U.inputs(CAT)}
    assert set(ServeParams.RANGES) <= names
    assert {"nvlink4.latency_s", "nvlink4.collective_latency_s"} <= names   # per-step and per-collective α apart
    step = next(x for x in U.inputs(CAT) if x.name == "nvlink4.latency_s")
    call = next(x for x in U.inputs(CAT) if x.name == "nvlink4.collective_latency_s")
    assert step.high < call.low * 2 and step.nominal < 1e-6 < call.nominal    # ns-scale hop, µs-scale call


@pytest.mark.parametrize("fact, field", [("nvlink4.latency_s", "up_step_latency_s"),
                                         ("nvlink4.collective_latency_s", "up_collective_s")])
def test_a_fact_at_its_ends_gives_the_catalogs_end_records(fact, field):
    x = next(i for i in U.inputs(CAT) if i.name == fact)
    lo = U.hw_of(CAT, {fact: x.low})("dgx_h100")
    hi = U.hw_of(CAT, {fact: x.high})("dgx_h100")
    assert getattr(lo, field) == pytest.approx(getattr(hardware(CAT, "dgx_h100", {fact: "low"}), field))
    assert getattr(hi, field) == pytest.approx(getattr(hardware(CAT, "dgx_h100", {fact: "high"}), field))
    mid = U.hw_of(CAT, {fact: math.sqrt(x.low * x.high)})("dgx_h100")
    assert getattr(lo, field) < getattr(mid, field) < getattr(hi, field)
    assert U.hw_of(CAT, {fact: x.low})("cs3") == hardware(CAT, "cs3")      # an NVLink fact leaves the wafer alone


def test_weights_favour_samples_that_still_fit_and_reject_those_that_do_not():
    e0 = np.array([0.1, -0.1, 0.05])
    good = {"e_gpu": list(e0), "e_wafer": [0.1]}
    bad = {"e_gpu": [1.0, -1.0, 1.0], "e_wafer": [0.1]}      # negative control: far off its calibration rows
    w = U._weights(e0, np.array([0.1]), [good, bad, good])
    assert w[0] == w[2] > 0 and w[1] == 0.0 and sum(w) == pytest.approx(1.0)


def test_the_committed_samples_belong_to_this_catalog_and_reproduce():
    d = U.stored(CAT)
    assert "note" not in d, d.get("note")                         # the committed file, not a fallback
    assert d["n"] >= 200 and len(d["samples"]) == d["n"]
    w = np.array([s["weight"] for s in d["samples"]])
    assert w.sum() == pytest.approx(1.0, abs=1e-4) and (w > 0).sum() >= 20
    s = d["samples"][int(np.argmax(w))]                            # the best-weighted sample refits the same
    again = U.refit(CAT, s["values"], ServeParams().with_(**d["nominal"]))
    assert again["params"] == pytest.approx(s["params"], rel=1e-3)
