"""Physical invariants across the catalog and the models (issue 16), each with a negative control.

An invariant is a function that returns the list of its violations (empty when it holds). Each one is registered
with a *corruption*: a small change to its input that a correct checker must catch. Two parametrised tests walk the
registry: every invariant holds on the real catalog and models, and every invariant fails on its corrupted input (so
a checker that can never fail is caught too).

To add an invariant: write ``inv_<name>(cat) -> list[str]`` (catalog invariants take a :class:`Catalog`; model
invariants take the functions they test as keyword arguments with the real ones as defaults), then add one
``Invariant(...)`` to ``INVARIANTS`` with a corruption that breaks it. Keep each invariant about one physical fact.

Sections: catalog areas; yields (unit interval, monotone in density, spares never hurt); costs (positive, finite);
claim figures (the verdicts read the same numbers as the chapters, and critical area only lowers a yield);
serving (rooflines bound every result; both sides of a ratio answer the same question).
"""
from __future__ import annotations

import dataclasses
import math
import shutil
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import waferscale as ws
from waferscale.data.catalog import Catalog, CatalogError, data_dir
from waferscale.models import economics as E
from waferscale.models import packaging as P
from waferscale.models import redundancy as R
from waferscale.models import yields as Y

#: Relative slack of area comparisons (rounded catalog values).
SLACK = 1e-6
DENSITIES = np.array([0.0, 1e-3, 0.01, 0.05, 0.1, 0.3, 1.0, 3.0])
AREAS = np.array([1.0, 50.0, 100.0, 814.0, 4032.0, 46225.0])


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return ws.load()


def _with_fact(cat: Catalog, system: str, field: str, **cells: float) -> Catalog:
    """A copy of the catalog (bypassing the loader) with cells of one systems row changed."""
    df = cat.systems.copy()
    hit = (df["system"] == system) & (df["field"] == field)
    assert hit.sum() == 1, (system, field)
    for col, v in cells.items():
        df.loc[hit, col] = v
    return dataclasses.replace(cat, systems=df)


# -- catalog areas ---------------------------------------------------------------------------------------------
def _area_facts(cat: Catalog):
    for system in sorted(set(cat.systems["system"])):
        if all(cat.has(system, f) for f in ("cores_physical", "core_area_mm2", "die_area_mm2")):
            crit = cat.fact(system, "critical_area_fraction") if cat.has(system, "critical_area_fraction") else None
            yield system, cat.fact(system, "cores_physical"), cat.fact(system, "core_area_mm2"), \
                cat.fact(system, "die_area_mm2"), crit


def inv_cores_fit_die(cat: Catalog) -> list[str]:
    """cores × core area + critical share × die ≤ die: at the values, and at the range ends that fit together
    (the largest core with the smallest critical share)."""
    out = []
    for system, n, core, die, crit in _area_facts(cat):
        for label, a, share in (("value", core.value, crit.value if crit else 0.0),
                                ("ends", core.range[1], crit.range[0] if crit else 0.0)):
            used = n.value * a + share * die.value
            if used > die.value * (1 + SLACK):
                out.append(f"{system} ({label}): {used:.6g} mm² of cores and critical area > die {die.value:g} mm²")
    return out


def inv_critical_share_is_a_share(cat: Catalog) -> list[str]:
    """The area with no spare is a share of the die in [0, 1), and every chip with repairable cores states one."""
    out = []
    for system, _, _, _, crit in _area_facts(cat):
        if crit is None:
            out.append(f"{system}: repairable cores but no critical_area_fraction (it would default to zero)")
        elif not 0.0 <= crit.range[0] <= crit.value <= crit.range[1] < 1.0:
            out.append(f"{system}: critical_area_fraction {crit.value} (range {crit.range}) is not a share below 1")
    return out


def inv_enabled_within_physical(cat: Catalog) -> list[str]:
    """A product never enables more cores than were fabricated."""
    out = []
    for system in sorted(set(cat.systems["system"])):
        if cat.has(system, "cores_physical") and cat.has(system, "cores_enabled"):
            if cat.value(system, "cores_enabled") > cat.value(system, "cores_physical"):
                out.append(f"{system}: {cat.value(system, 'cores_enabled'):g} enabled > "
                           f"{cat.value(system, 'cores_physical'):g} physical")
    return out


# -- yields ----------------------------------------------------------------------------------------------------
def _yield_functions() -> dict[str, Callable[[float, float], float]]:
    """Every yield the models compute, as a function of (area or core area, density), on fixed geometries."""
    fns: dict[str, Callable[[float, float], float]] = {
        name: (lambda a, d, f=f: float(f(a, d))) for name, f in Y.MODELS.items()}
    fns["array_yield (1 per 14)"] = lambda a, d: float(Y.array_yield(14_000, a / 1000, d, 14, 1))
    fns["global_spare_yield"] = lambda a, d: float(Y.global_spare_yield(144, a / 144, d, 12))
    fns["clustered_array_yield"] = lambda a, d: float(Y.clustered_array_yield(8_400, a / 8400, d, 14, 1, alpha=2.0))
    fns["repair_yield (local, critical area)"] = lambda a, d: R.repair_yield(
        1_000, a / 1000, d, 0.07, repair="local", critical_area_mm2=a / 10)
    fns["package_yield"] = lambda a, d: P.package_yield(P.Package(max(a / 4, 1e-3), 4, 1), d)
    return fns


def inv_yields_in_unit_interval(cat: Catalog, fns: dict | None = None) -> list[str]:
    out = []
    for name, f in (fns or _yield_functions()).items():
        for a in AREAS:
            for d in DENSITIES:
                y = f(float(a), float(d))
                if not (math.isfinite(y) and 0.0 <= y <= 1.0):
                    out.append(f"{name}(A={a:g}, D={d:g}) = {y!r} is not in [0, 1]")
    return out


def inv_yields_fall_with_density(cat: Catalog, fns: dict | None = None) -> list[str]:
    out = []
    for name, f in (fns or _yield_functions()).items():
        for a in AREAS:
            ys = [f(float(a), float(d)) for d in DENSITIES]
            for d0, d1, y0, y1 in zip(DENSITIES, DENSITIES[1:], ys, ys[1:]):
                if y1 > y0 * (1 + 1e-12) + 1e-300:
                    out.append(f"{name}(A={a:g}): yield rises from {y0:.6g} at D={d0:g} to {y1:.6g} at D={d1:g}")
    return out


def _spare_functions() -> dict[str, Callable[[int], float]]:
    """Yields as a function of the number of spares, everything else fixed."""
    return {
        "array_yield (spares per segment)": lambda s: float(Y.array_yield(14_000, 0.5, 1.0, 20, s)),
        "global_spare_yield": lambda s: float(Y.global_spare_yield(144, 5.0, 0.3, s)),
        "clustered_array_yield": lambda s: float(Y.clustered_array_yield(8_400, 0.5, 1.0, 20, s, alpha=1.0)),
        "system_yield (spare chiplets)": lambda s: P.system_yield(8, s, 0.8),
        "repair_yield (global, spare share)": lambda s: R.repair_yield(672, 6.0, 1.0, s / 100, repair="global"),
    }


def inv_spares_never_lower_yield(cat: Catalog, fns: dict | None = None) -> list[str]:
    out = []
    for name, f in (fns or _spare_functions()).items():
        ys = [f(s) for s in range(0, 9)]
        for s, (y0, y1) in enumerate(zip(ys, ys[1:])):
            if y1 < y0 * (1 - 1e-12):
                out.append(f"{name}: {s + 1} spares yield {y1:.6g} < {s} spares {y0:.6g}")
    return out


# -- costs -----------------------------------------------------------------------------------------------------
def _cost_functions() -> dict[str, Callable[[float, float], float]]:
    price = 16988.0
    return {
        "monolithic": lambda a, d: float(E.cost_per_good_mm2_monolithic(min(a, 814.0), d, price)),
        "chiplets": lambda a, d: float(E.cost_per_good_mm2_chiplets(max(a, 100.0), 100.0, d, price)),
        "redundant wafer": lambda a, d: float(E.cost_per_good_mm2_redundant(46225.0, 0.0476, d, price, 14)),
        "redundant wafer with critical area": lambda a, d: float(E.cost_per_good_mm2_redundant(
            46225.0, 0.0476, d, price, 14, critical_area_mm2=231.0)),
        "package": lambda a, d: P.cost_per_good_system(P.Package(max(a / 10, 1.0), 4, 1), d, price),
    }


def inv_costs_positive_finite(cat: Catalog, fns: dict | None = None) -> list[str]:
    out = []
    for name, f in (fns or _cost_functions()).items():
        for a in AREAS[:5]:
            for d in DENSITIES[:7]:
                c = f(float(a), float(d))
                if not (math.isfinite(c) and c > 0):
                    out.append(f"{name}(A={a:g}, D={d:g}) = {c!r} is not a positive finite cost")
    return out


# -- claim figures ---------------------------------------------------------------------------------------------
def _claim_numbers(cat: Catalog) -> dict[str, dict[str, float]]:
    from waferscale.claims import lasting_idea, yield_history

    return {"C06": yield_history.c06_numbers(cat), "C08": yield_history.c08_numbers(cat),
            "C27": lasting_idea.c27_numbers(cat), "C28": lasting_idea.c28_numbers(cat)}


def inv_critical_area_only_lowers(cat: Catalog, numbers: dict | None = None) -> list[str]:
    """A yield with area that has no spare never exceeds the same yield without it; spares never lower it below
    demanding perfection."""
    n = numbers or _claim_numbers(cat)
    pairs = [("C08", "with_spares_low", "with_spares"), ("C08", "with_spares", "cores_only"),
             ("C08", "perfect", "with_spares_low"), ("C28", "sellable_low", "sellable"),
             ("C28", "sellable", "sellable_high"), ("C28", "sellable_high", "spared_sms_only"),
             ("C28", "perfect", "sellable_low"), ("C06", "none", "coarse_global_uncore"),
             ("C06", "coarse_global_uncore", "coarse_global"), ("C27", "yield_k0", "yield_k1")]
    return [f"{c}: {lo} = {n[c][lo]:.6g} > {hi} = {n[c][hi]:.6g}" for c, lo, hi in pairs
            if n[c][lo] > n[c][hi] * (1 + 1e-12)]


def inv_verdicts_show_their_numbers(cat: Catalog, numbers: dict | None = None) -> list[str]:
    """The ledger's figure is the number the chapter glues from the same function (issue 16: one number per claim)."""
    from waferscale import claims

    n = numbers or _claim_numbers(cat)
    want = {"C06": n["C06"]["fine_local"], "C08": n["C08"]["with_spares"], "C27": 100 * n["C27"]["saving"],
            "C28": n["C28"]["ratio"]}
    out = []
    for cid, value in want.items():
        fig = claims.evaluate(cid, cat).figure
        if fig is None or not math.isclose(float(fig), value, rel_tol=1e-12):
            out.append(f"{cid}: the ledger shows {fig!r}, its numbers function gives {value!r}")
    return out


# -- the registry ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Invariant:
    name: str
    check: Callable[..., list[str]]
    corrupt: Callable[[Catalog], dict]      # keyword arguments (``cat`` and/or a broken function table) that break it


def _broken_numbers(cat: Catalog) -> dict:
    n = _claim_numbers(cat)
    n["C28"] = {**n["C28"], "sellable": 1.0, "sellable_high": 0.5}    # a critical area that raised the yield
    return {"cat": cat, "numbers": n}


def _wrong_figure(cat: Catalog) -> dict:
    n = _claim_numbers(cat)
    n["C08"] = {**n["C08"], "with_spares": 0.5}                        # the chapter recomputing a different number
    return {"cat": cat, "numbers": n}


INVARIANTS = [
    Invariant("cores fit the die", inv_cores_fit_die,
              lambda cat: {"cat": _with_fact(cat, "wse3", "core_area_mm2", value=0.05, high=0.05)}),
    Invariant("critical area is a stated share", inv_critical_share_is_a_share,
              lambda cat: {"cat": dataclasses.replace(cat, systems=cat.systems[
                  ~((cat.systems["system"] == "h100_sxm") & (cat.systems["field"] == "critical_area_fraction"))])}),
    Invariant("enabled within physical", inv_enabled_within_physical,
              lambda cat: {"cat": _with_fact(cat, "h100_sxm", "cores_enabled", value=150.0)}),
    Invariant("yields in [0, 1]", inv_yields_in_unit_interval,
              lambda cat: {"cat": cat, "fns": {"1 + λ": lambda a, d: 1.0 + a * d / 100}}),
    Invariant("yields fall with density", inv_yields_fall_with_density,
              lambda cat: {"cat": cat, "fns": {"1 - Poisson": lambda a, d: 1.0 - float(Y.poisson(a, d))}}),
    Invariant("spares never lower yield", inv_spares_never_lower_yield,
              lambda cat: {"cat": cat, "fns": {"spares as dead weight": lambda s: float(Y.poisson(100.0 * (1 + s), 0.1))}}),
    Invariant("costs positive and finite", inv_costs_positive_finite,
              lambda cat: {"cat": cat, "fns": {"price / (Y·A), Y underflows": lambda a, d: 16988.0 / (
                  float(Y.poisson(a * 1e3, d)) * a) if Y.poisson(a * 1e3, d) > 0 else math.inf}}),
    Invariant("critical area only lowers a yield", inv_critical_area_only_lowers, _broken_numbers),
    Invariant("verdicts show their numbers", inv_verdicts_show_their_numbers, _wrong_figure),
]



# -- serving: rooflines bound every result; both sides of a ratio answer the same question --------------------
def _serve_points(cat: Catalog, serve_fn=None):
    from waferscale.fit import servefit as sf
    from waferscale.models import serving as sv
    from waferscale.models import workloads as wl

    serve_fn = serve_fn or sv.serve
    prm, m = sf.fitted(cat), wl.model(cat, "llama3_1_70b")
    for sid in sv.hardware_ids(cat):
        hw = sv.hardware(cat, sid)
        for goal in ({"users": 1}, {"max_throughput": True}):
            try:
                r = serve_fn(hw, m, sv.OperatingPoint(1000, 1000, "fp8"), prm, **goal)
            except ValueError:
                continue
            yield hw, m, goal, r


def inv_serving_within_rooflines(cat: Catalog, serve_fn=None) -> list[str]:
    """One user is never faster than the chips' memory can stream the active weights (GPU) or their MACs can
    multiply them (wafer); total throughput never exceeds the chips' dense peak over 2 FLOPs per active weight."""
    bad = []
    for hw, m, goal, r in _serve_points(cat, serve_fn):
        active = float(m.active_params(1))
        peak_tps = r.chips * hw.flops("fp8") / (2 * active)
        if r.tokens_per_s_total > peak_tps * (1 + SLACK):
            bad.append(f"{hw.id}: {r.tokens_per_s_total:.4g} tok/s > compute bound {peak_tps:.4g}")
        if "users" in goal and hw.kind == "gpu":
            bw_tps = r.layout.tp * r.layout.pp * hw.mem_bytes_per_s / active     # one byte per FP8 weight
            if r.tokens_per_s_per_user > bw_tps * (1 + SLACK):
                bad.append(f"{hw.id}: one user at {r.tokens_per_s_per_user:.4g} tok/s > HBM bound {bw_tps:.4g}")
    return bad


def _inflated_serve(*a, **k):
    from waferscale.models import serving as sv
    r = sv.serve(*a, **k)
    return dataclasses.replace(r, tokens_per_s_per_user=r.tokens_per_s_per_user * 100,
                               tokens_per_s_total=r.tokens_per_s_total * 100)


def inv_ratio_sides_compare_alike(cat: Catalog, scenarios=None) -> list[str]:
    """Both sides of C01's and C02's ratios serve the same model, the same objective and request mix."""
    from waferscale.claims import performance as pc

    sc = scenarios or pc.SCENARIOS
    bad = []
    for claim, (a, b) in {"C01": ("c01_wafer", "c01_gpu_best"), "C02": ("c02_wafer", "c02_gpu")}.items():
        if sc[a][1] != sc[b][1] or sc[a][3] != sc[b][3]:
            bad.append(f"{claim}: {sc[a][:4]} vs {sc[b][:4]}")
    return bad


def _mismatched_scenarios(cat: Catalog) -> dict:
    from waferscale.claims import performance as pc
    sc = dict(pc.SCENARIOS)
    sc["c01_gpu_best"] = ("h100_sxm", "llama3_1_70b", "fp8", "max_throughput", "none", None)
    return {"cat": cat, "scenarios": sc}


INVARIANTS += [
    Invariant("serving within rooflines", inv_serving_within_rooflines,
              lambda cat: {"cat": cat, "serve_fn": _inflated_serve}),
    Invariant("ratio sides compare alike", inv_ratio_sides_compare_alike, _mismatched_scenarios),
]

# -- training layouts fit memory -------------------------------------------------------------------------------
def inv_training_layouts_fit_memory(cat: Catalog, layout_fn=None) -> list[str]:
    """Every classified workload's GPU layout holds its state in the GPU's HBM: a training step is never a
    replica of 16 bytes per parameter on each GPU when that exceeds the memory."""
    from waferscale.models import steptime as stp
    from waferscale.models import suitability as su

    layout_fn = layout_fn or (lambda cat, p: stp.gpu_layout(p, stp.gpu_cluster(cat)))
    bad = []
    for pid in su.profile_ids(cat):
        lay = layout_fn(cat, su.profile(cat, pid))
        if lay.state_bytes_per_gpu > lay.hbm_bytes * (1 + SLACK):
            bad.append(f"{pid} ({lay.scheme}, T={lay.tp} S={lay.pp} D={lay.dp}): "
                       f"{lay.state_bytes_per_gpu / 1e9:.4g} GB per GPU > {lay.hbm_bytes / 1e9:.4g} GB HBM")
    return bad


def _pure_data_parallel(cat: Catalog, p):
    """The old model: every training GPU holds the whole working set (weights, gradients, Adam state)."""
    from waferscale.models import steptime as stp
    from waferscale.models import suitability as su

    if p.id in su.TRAINING_ROWS:
        return stp.GpuLayout("pure data parallel", 1, 1, int(p.gpus), p.working_set_bytes, cat.value("h100_sxm", "hbm_bytes"))
    return stp.gpu_layout(p, stp.gpu_cluster(cat))


INVARIANTS += [
    Invariant("training layouts fit memory", inv_training_layouts_fit_memory,
              lambda cat: {"cat": cat, "layout_fn": _pure_data_parallel}),
]


@pytest.mark.parametrize("inv", INVARIANTS, ids=lambda i: i.name)
def test_invariant_holds(inv: Invariant, cat: Catalog) -> None:
    assert inv.check(cat) == []


@pytest.mark.parametrize("inv", INVARIANTS, ids=lambda i: i.name)
def test_negative_control_the_invariant_catches_its_corruption(inv: Invariant, cat: Catalog) -> None:
    assert inv.check(**inv.corrupt(cat)), f"{inv.name}: the corrupted input passed"


# -- properties (hypothesis) over random inputs ----------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(a=st.floats(0.01, 5.0), d=st.floats(0.0, 2.0), dd=st.floats(0.0, 2.0), n=st.integers(20, 5000),
       s=st.integers(0, 20))
def test_global_spares_monotone_and_bounded(a: float, d: float, dd: float, n: int, s: int) -> None:
    s = min(s, n - 1)
    y = float(Y.global_spare_yield(n, a, d, s))
    assert 0.0 <= y <= 1.0
    assert float(Y.global_spare_yield(n, a, d + dd, s)) <= y * (1 + 1e-12) + 1e-300     # more defects, no better
    assert float(Y.global_spare_yield(n, a, d, s + 1)) >= y * (1 - 1e-12)              # one more spare, no worse
    # global repair is never worse than local repair with the same total number of spares
    if s and n % s == 0 and n // s > 1:
        assert y >= float(Y.array_yield(n, a, d, n // s, 1)) * (1 - 1e-9)


# -- the loader's area check, on files ---------------------------------------------------------------------------
def test_loader_rejects_cores_that_do_not_fit_their_die(tmp_path) -> None:
    """Negative control of the loader's check: the WSE-3's old 0.05 mm² core (48,500 mm² > 46,225 mm²)."""
    root = tmp_path / "data"
    shutil.copytree(data_dir(), root)
    csv = root / "systems.csv"
    lines = csv.read_text(encoding="utf-8").split("\n")
    i = next(k for k, ln in enumerate(lines) if ln.startswith("wse3,core_area_mm2,"))
    cells = lines[i].split(",")
    cells[2:5] = ["0.05", "0.038", "0.05"]
    lines[i] = ",".join(cells)
    csv.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        ws.load(root)
    e = err.value
    assert (e.file, e.line, e.column) == ("systems.csv", i + 1, "value")
    assert "'wse3'" in str(e) and "core_area_mm2" in str(e) and "48500" in str(e) and "46225" in str(e)


def test_loader_counts_the_critical_area(tmp_path) -> None:
    """The cores fit alone but not with the H100's stated area without spares."""
    root = tmp_path / "data"
    shutil.copytree(data_dir(), root)
    csv = root / "systems.csv"
    text = csv.read_text(encoding="utf-8")
    old = next(ln for ln in text.split("\n") if ln.startswith("h100_sxm,core_area_mm2,"))
    cells = old.split(",")
    cells[2:5] = ["5.0", "2.82", "5.0"]              # 144 x 5.0 = 720 mm² < 814, + 0.33 x 814 = 989 mm² > 814
    csv.write_text(text.replace(old, ",".join(cells)), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"h100_sxm.*critical_area_fraction 0\.33"):
        ws.load(root)


def test_the_real_catalog_passes_the_area_check(cat: Catalog) -> None:
    assert isinstance(cat.systems, pd.DataFrame) and inv_cores_fit_die(cat) == []
