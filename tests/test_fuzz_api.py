"""Fuzz the public model API (issue 13): bad input never crashes or lies, good input is finite and fast.

Discovery walks each model module's ``__all__`` and finds functions with numeric parameters
(annotation mentions int/float/ArrayLike, or a numeric default). Each must appear in ``SPECS``
(its in-range sampling ranges and the fixed arguments it needs) or in ``SKIP`` (with a reason),
so a new public function cannot be forgotten.

Two properties per function:

1. one numeric parameter at a time set to a bad value (out of range, NaN, ±inf, a 400-digit int,
   a bool, a string, None) → ``ValueError`` whose message names the parameter;
2. every numeric parameter drawn inside its range → a finite, non-negative result in < 2 s.

Outcomes are counted by class and printed at the end (run with ``-s`` to see them).
"""
from __future__ import annotations

import collections
import dataclasses
import importlib
import inspect
import math
import numbers
import signal
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MODULES = ["models.yields", "models.redundancy", "models.montecarlo", "models.interconnect", "models.collectives", "models.scaling",
           "models.workloads", "models.serving.point", "models.training", "models.physics",
           "models.economics", "models.amdchiplets", "models.tokencost", "models.market", "models.decode_comm", "models.packaging",
           "models.suitability", "models.steptime", "models.suittables", "fit.allreduce", "book.compare", "core.checks"]
SLOW_S = 2.0
COUNTS: collections.Counter = collections.Counter()
FAILS: list[str] = []


@dataclass
class Spec:
    """In-range sampling ranges (lo, hi, kind) per numeric parameter, and fixed arguments.

    ``kind`` is 'real', 'int' or 'pos' (real, lower end open). ``fixed`` values may be callables
    of the catalog. ``bad_lo``/``bad_hi`` give a value just outside the allowed range, where the
    allowed range is wider than the sampled one.
    """

    ranges: dict[str, tuple]
    fixed: dict[str, Any] = field(default_factory=dict)
    check: Callable[[dict], bool] | None = None  # extra precondition among parameters (skip if False)
    physical: bool = True  # results are non-negative quantities


def _wse():
    from waferscale.models.redundancy import WaferArray
    return WaferArray(physical_cores=9_000, core_area_mm2=0.05, segment_cores=10, spares_per_segment=1, blocks=9)


def _pkg():
    from waferscale.models.packaging import Package
    return Package(chiplet_area_mm2=100.0, n_active=8, spares=1)


def _proc():
    from waferscale.models.economics import ChipletProcess
    return ChipletProcess(test_escape=0.01, bond_yield=0.99)


def _wire(cat):
    from waferscale.models.physics import wire_from_catalog
    return wire_from_catalog(cat)


def _tree(cat):
    from waferscale.models.interconnect import fat_tree
    return fat_tree(cat)


def _nvlink4(cat):
    from waferscale.models.interconnect import tier
    return tier(cat, "nvlink4")


def _h100_cluster(cat):
    from waferscale.models import scaling
    return scaling.cluster(cat, scaling.h100_ib())


def _cs3_cluster(cat):
    from waferscale.models import scaling
    return scaling.cluster(cat, scaling.cs3_ethernet())


def _m70(cat):
    from waferscale.models.workloads import model
    return model(cat, "llama3_1_70b")


def _dc():
    from waferscale.models import decode_comm
    return decode_comm


def _stp():
    from waferscale.models import steptime
    return steptime


def _profile0(cat):
    from waferscale.models import suitability as su
    return su.profile(cat, su.profile_ids(cat)[0])


def _run(cat):
    from waferscale.models import training
    return training.measured_run(cat, training.VALIDATION[0])


def _reachable(kw) -> bool:
    from waferscale.models.yields import array_yield
    return float(array_yield(kw["physical_cores"], kw["core_area_mm2"], kw["defects_per_cm2"], 2, 1)) >= kw["target_yield"]


A = (0.0, 1e6, "real")          # an area in mm² (including 0)
APOS = (1e-6, 1e6, "real")      # an area in mm² that divides something
D = (0.0, 1e3, "real")          # defects per cm²
PRICE = (0.0, 1e9, "real")
BYTES = (0.0, 1e18, "real")
BW = (1e-3, 1e18, "real")
LAT = (0.0, 1e3, "real")
EPB = (0.0, 1e-3, "real")
RANKS = (1, 2**30, "int")
P01 = (0.0, 1.0, "real")

SPECS: dict[str, Spec] = {
    "yields.expected_defects": Spec({"area_mm2": A, "defects_per_cm2": D}),
    "yields.poisson": Spec({"area_mm2": A, "defects_per_cm2": D}),
    "yields.murphy": Spec({"area_mm2": A, "defects_per_cm2": D}),
    "yields.seeds": Spec({"area_mm2": A, "defects_per_cm2": D}),
    "yields.bose_einstein": Spec({"area_mm2": A, "defects_per_cm2": D, "layers": (1e-3, 1e3, "real")}),
    "yields.negative_binomial": Spec({"area_mm2": A, "defects_per_cm2": D, "alpha": (1e-3, 1e6, "real")}),
    "yields.die_yield": Spec({"area_mm2": A, "defects_per_cm2": D, "alpha": (1e-3, 1e6, "real"),
                              "layers": (1e-3, 1e3, "real")}, fixed={"model": "negative_binomial"}),
    "yields.dies_per_wafer": Spec({"wafer_diameter_mm": (1e-3, 1e4, "real"), "die_area_mm2": APOS}),
    "yields.cost_per_die": Spec({"wafer_price_usd": PRICE, "dies": (1e-6, 1e12, "real")}),
    "yields.cost_per_good_die": Spec({"wafer_price_usd": PRICE, "dies": (1e-3, 1e9, "real"),
                                      "die_yield_": (1e-250, 1.0, "real")}),
    "yields.segment_yield": Spec({"core_area_mm2": (0.0, 1e4, "real"), "defects_per_cm2": D,
                                  "segment_cores": (1, 10**6, "int"), "spares_per_segment": (0, 1000, "int")}),
    "yields.array_yield": Spec({"physical_cores": (1, 10**9, "int"), "core_area_mm2": (0.0, 1e4, "real"),
                                "defects_per_cm2": D, "segment_cores": (1, 10**6, "int"),
                                "spares_per_segment": (0, 1000, "int")}),
    "montecarlo.simulate": Spec({"defects_per_cm2": (0.0, 10.0, "real"), "n_wafers": (1, 2000, "int"),
                                 "alpha": (1e-2, 1e3, "real"), "seed": (0, 2**32, "int"),
                                 "chunk": (1, 10**6, "int")}, fixed={"arr": _wse}),
    "redundancy.from_catalog": Spec({"spares_per_segment": (1, 20, "int"), "blocks": (1, 1000, "int"),
                                     "critical_area_mm2": (0.0, 1e4, "real")}, fixed={"system": "wse3"}),
    "yields.global_spare_yield": Spec({"physical_cores": (1, 10**9, "int"), "core_area_mm2": (1e-6, 1e4, "real"),
                                       "defects_per_cm2": D, "spares": (0, 1, "int")}),
    "yields.clustered_array_yield": Spec({"physical_cores": (84, 10**7, "int"), "core_area_mm2": (1e-6, 10.0, "real"),
                                          "defects_per_cm2": (0.0, 10.0, "real"), "segment_cores": (1, 1000, "int"),
                                          "spares_per_segment": (0, 4, "int"), "alpha": (0.05, 1e4, "real"),
                                          "blocks": (1, 84, "int"), "points": (200, 2000, "int")}),
    "redundancy.repair_yield": Spec({"physical_cores": (1, 10**7, "int"), "core_area_mm2": (1e-6, 1e4, "real"),
                                     "defects_per_cm2": (0.0, 10.0, "real"), "spare_fraction_": (0.0, 0.5, "real"),
                                     "segment_cores_": (2, 1000, "int"), "critical_area_mm2": (0.0, 1e4, "real")},
                                    fixed={"repair": "local"}),
    "redundancy.segment_cores": Spec({"spares_per_segment": (0, 1000, "int")}, fixed={"system": "wse3"}),
    "redundancy.required_spare_fraction": Spec({"core_area_mm2": (1e-6, 10.0, "real"), "defects_per_cm2": (0.0, 10.0, "real"),
                                                "physical_cores": (1, 10**7, "int"), "target_yield": (1e-6, 1.0, "real"),
                                                "max_spares": (1, 16, "int")},
                                               # the target must be reachable (one spare per two cores reaches it),
                                               # else a ValueError naming target_yield is the documented answer
                                               check=lambda kw: _reachable(kw)),
    "interconnect.p2p_time_s": Spec({"message_bytes": BYTES, "bytes_per_s_per_dir": BW, "latency_s": LAT}),
    "interconnect.p2p_energy_j": Spec({"message_bytes": BYTES, "energy_j_per_bit": EPB}),
    "interconnect.crossover_bytes": Spec({"bytes_per_s_per_dir": BW, "latency_s": LAT}),
    "interconnect.switch_levels": Spec({"endpoints": RANKS, "switch_ports": (4, 2**20, "int")}),
    "interconnect.scaleout_path": Spec({"endpoints": RANKS}, fixed={"tree": _tree}),
    "collectives.collective": Spec({"ranks": RANKS, "message_bytes": BYTES}, fixed={"tier": _nvlink4, "op": "all_reduce"}),
    "collectives.hierarchical_all_reduce": Spec({"message_bytes": BYTES, "ranks_per_node": (1, 2**15, "int"),
                                                 "nodes": (1, 2**15, "int"), "inner_bytes_per_s_per_dir": BW,
                                                 "inner_latency_s": LAT, "outer_bytes_per_s_per_dir": BW,
                                                 "outer_latency_s": LAT, "inner_energy_j_per_bit": EPB,
                                                 "outer_energy_j_per_bit": EPB}),
    "collectives.mesh_all_reduce": Spec({"message_bytes": BYTES, "width_pe": (1, 2**15, "int"), "height_pe": (1, 2**15, "int"),
                                         "link_bytes_per_s_per_dir": BW, "hop_latency_s": LAT,
                                         "energy_j_per_bit_per_hop": EPB}),
    "allreduce.calibrate": Spec({"min_message_bytes": (0.0, 1e6, "real")}),
    "decode_comm.decode_step": Spec({"gpus": (1, 64, "int"), "bytes_per_value": (0.5, 8.0, "real"), "batch": (1, 4096, "int")},
                                    fixed={"model": _m70, "node": lambda cat: _dc().gpu_node(cat),
                                           "pipeline": lambda cat: _dc().wafer_pipeline(cat)}),
    "decode_comm.weights_bytes": Spec({"bytes_per_value": (0.125, 8.0, "real")}, fixed={"model": _m70}),
    "decode_comm.wafers_needed": Spec({"bytes_per_value": (0.125, 8.0, "real"), "sram_bytes": (1e6, 1e15, "real")},
                                      fixed={"model": _m70}),
    "scaling.scale": Spec({"chips": (1, 2**20, "int"), "message_bytes": BYTES}, fixed={"cl": _h100_cluster}),
    "scaling.scaling_table": Spec({"max_chips": (1, 2**20, "int"), "message_bytes": BYTES},
                                  fixed={"clusters": lambda cat: [_h100_cluster(cat), _cs3_cluster(cat)]}),
    "training.train_step": Spec({"chips": (1, 2**20, "int"), "tokens_per_step": (1e3, 1e9, "real"),
                                 "seq_tokens": (1, 10**7, "int"), "utilisation": (1e-3, 1.0, "real"),
                                 "overlap": P01, "interleave": (1, 64, "int"), "state_share": (1e-3, 1.0, "real")},
                                fixed={"cl": _cs3_cluster, "model": _m70}),
    "training.predicted_flop_per_s_per_gpu": Spec({"utilisation": (1e-3, 1.0, "real"), "interleave": (1, 64, "int")},
                                                  fixed={"run": _run}),
    "training.utilisation_to_match": Spec({"interleave": (1, 64, "int")}, fixed={"run": _run}, physical=False),
    "workloads.synthetic": Spec({"params": (1e8, 1e15, "real")}, fixed={"law": lambda cat: importlib.import_module("waferscale.models.workloads").fit_shape_law(cat)}),
    "workloads.expected_distinct_experts": Spec({"experts": (1, 1024, "int"), "experts_active": (1, 1024, "int"),
                                                 "tokens": (0.0, 1e9, "real")},
                                                check=lambda kw: kw["experts_active"] <= kw["experts"]),
    "point.accepted_per_step": Spec({"spec_tokens": (0, 64, "int"), "spec_accept": (0.0, 0.999, "real")}),
    "point.acceptance_from_length": Spec({"mean_accepted": (1.0, 2.0, "real"), "spec_tokens": (1, 64, "int")}),
    "physics.power_density_w_per_cm2": Spec({"power_w": (0.0, 1e9, "real"), "area_mm2": APOS}),
    "physics.time_of_flight_s": Spec({"length_m": (0.0, 1e6, "real"), "relative_permittivity": (1.0, 1e4, "real")}),
    "physics.unrepeated_delay_s": Spec({"length_m": (0.0, 1.0, "real")}, fixed={"wire": _wire}),
    "physics.repeated_delay_s": Spec({"length_m": (0.0, 1.0, "real")}, fixed={"wire": _wire}),
    "physics.mesh_crossing_hops": Spec({"width_pe": (1, 10**6, "int"), "height_pe": (1, 10**6, "int")}),
    "amdchiplets.amd_ratio": Spec({"d_compute": (0.0, 10.0, "real"), "d_io": (0.0, 10.0, "real")},
                                  fixed={"ex": lambda cat: __import__("waferscale.models.amdchiplets").models.amdchiplets.amd_example(
                                    cat, "amd_isscc2020_8core")}),
    "physics.delay_vs_length": Spec({"lengths_m": (1e-9, 1.0, "real")},
                                    fixed={"die": lambda cat: __import__("waferscale.models.physics").models.physics.wafer_die(cat),
                                           "wire": _wire}),
    "economics.parts_per_wafer": Spec({"area_mm2": (1e-3, 7e4, "real"), "wafer_diameter_mm": (300.0, 1e3, "real")}),
    "economics.cost_per_good_mm2_monolithic": Spec({"area_mm2": (1e-3, 1e4, "real"), "defects_per_cm2": (0.0, 1.0, "real"),  # a die fits: A < d²/8
                                                    "wafer_price_usd": PRICE, "alpha": (1e-3, 1e3, "real"),
                                                    "wafer_diameter_mm": (300.0, 1e3, "real")}),
    "economics.cost_per_good_mm2_chiplets": Spec({"total_area_mm2": (100.0, 1e4, "real"), "chiplet_area_mm2": (1.0, 100.0, "real"),
                                                  "defects_per_cm2": (0.0, 1.0, "real"), "wafer_price_usd": PRICE,
                                                  "alpha": (1e-3, 1e3, "real"), "wafer_diameter_mm": (300.0, 1e3, "real")},
                                                 fixed={"process": _proc}),
    "economics.cost_per_good_mm2_redundant": Spec({"area_mm2": (100.0, 7e4, "real"), "core_area_mm2": (0.01, 100.0, "real"),
                                                   "defects_per_cm2": (0.0, 1.0, "real"), "wafer_price_usd": PRICE,
                                                   "segment_cores": (2, 100, "int"), "spares_per_segment": (0, 1, "int"),
                                                   "wafer_diameter_mm": (300.0, 1e3, "real"),
                                                   "critical_area_mm2": (0.0, 50.0, "real")}),
    "tokencost.cost_per_million_tokens": Spec({"price_usd": PRICE, "power_w": (0.0, 1e9, "real"), "tokens_per_s": (1e-3, 1e12, "real")}),
    "packaging.system_yield": Spec({"n": (1, 10**5, "int"), "k": (0, 10**5, "int"), "p": P01}),
    "packaging.system_yield_heterogeneous": Spec({"n": (1, 3, "int")}, fixed={"die_yields": [0.9, 0.8, 0.7]}),
    "packaging.chiplet_success": Spec({"defects_per_cm2": D, "alpha": (1e-3, 1e3, "real")}, fixed={"pkg": _pkg}),
    "packaging.package_yield": Spec({"defects_per_cm2": D, "alpha": (1e-3, 1e3, "real")}, fixed={"pkg": _pkg}),
    "packaging.cost_per_good_system": Spec({"defects_per_cm2": (0.0, 1.0, "real"), "wafer_price_usd": PRICE,
                                            "alpha": (1e-3, 1e3, "real"), "wafer_diameter_mm": (300.0, 1e3, "real")},
                                           fixed={"pkg": _pkg}),
    "packaging.simulate_package": Spec({"defects_per_cm2": (0.0, 10.0, "real"), "n_packages": (1, 20_000, "int"),  # MC budget
                                        "alpha": (1e-2, 1e3, "real"), "seed": (0, 2**32, "int")}, fixed={"pkg": _pkg}),
    "packaging.sweep_spares": Spec({"chiplet_area_mm2": (1.0, 1000.0, "real"), "n_active": (1, 100, "int"),
                                    "defects_per_cm2": (0.0, 0.1, "real"), "wafer_price_usd": PRICE,  # some package works
                                    "max_spares": (0, 64, "int")}, fixed={"process": _proc}, physical=False),
    "packaging.rate_for_area": Spec({"rate_per_year": (0.0, 10.0, "real"), "reference_area_mm2": APOS, "area_mm2": A}),
    "packaging.expected_capacity": Spec({"n": (1, 10**4, "int"), "k": (0, 10**4, "int"), "rate_per_year": (0.0, 10.0, "real"),
                                         "years": (0.0, 100.0, "real")}),
    "packaging.capacity_over_time": Spec({"n": (1, 10**4, "int"), "rate_per_year": (0.0, 10.0, "real"),
                                          "years": (0.0, 100.0, "real")}, fixed={"spares": [0, 1]}),
    "suitability.comm_share": Spec({"local_s": (0.0, 1e9, "real"), "comm_s": (0.0, 1e9, "real")},
                                   check=lambda kw: kw["local_s"] + kw["comm_s"] > 0),
    "suitability.wafers_needed": Spec({"working_set_bytes": BYTES, "sram_bytes": (1.0, 1e18, "real")}),
    "suitability.off_wafer_share": Spec({"neighbour_share": P01, "wafers": (1, 10**6, "int")}),
    "suitability.mean_hops": Spec({"neighbour_share": P01, "width_pe": (1, 10**6, "int"), "height_pe": (1, 10**6, "int")}),
    "suitability.mapping_efficiency": Spec({"neighbour_share": P01, "width_pe": (1, 10**6, "int"), "height_pe": (1, 10**6, "int")}),
    "suitability.classify": Spec({"comm_share_": P01, "wafers": (1.0, 1e6, "real"), "mapping": P01}, physical=False),
    "suitability.questions_passed": Spec({"comm_share_": P01, "wafers": (1.0, 1e6, "real"), "mapping": P01}, physical=False),
    "tokencost.throughput_from_serving": Spec(
        {"input_tokens": (1, 65536, "int"), "output_tokens": (1, 65536, "int")},   # within the model's context
        fixed={"systems": lambda cat: ["dgx_b200"], "model_id": lambda cat: "llama3_1_8b",
               "params": lambda cat: importlib.import_module("waferscale.models.serving").ServeParams()}),
    "steptime.gpu_cluster": Spec({"domain": (1, 1024, "int")}),
    "steptime.wafer_step": Spec({"wafers": (1, 1024, "int")}, fixed={"p": _profile0,
                                                                     "system": lambda cat: _stp().wafer_system(cat)}),
    "checks.check_real": Spec({"value": (0.0, 1.0, "real")}, fixed={"name": "value", "lo": 0.0, "hi": 1.0}),
    "checks.check_positive_finite": Spec({"value": (1e-300, 1e18, "real")}, fixed={"name": "value"}),
    "checks.check_int": Spec({"value": (0, 10, "int")}, fixed={"name": "value", "lo": 0, "hi": 10}),
    "checks.check_array": Spec({"value": (0.0, 1.0, "real")}, fixed={"name": "value", "lo": 0.0, "hi": 1.0}),
}
for _op in ("ring_all_reduce", "tree_all_reduce", "switch_all_reduce", "reduce_scatter", "all_gather", "all_to_all"):
    SPECS[f"collectives.{_op}"] = Spec({"message_bytes": BYTES, "ranks": RANKS, "bytes_per_s_per_dir": BW,
                                        "latency_s": LAT, "energy_j_per_bit": EPB})

SKIP = {
    "economics.node_price_usd": "node_nm is a catalog key (looked up, not computed); unknown nodes are a ValueError",
    "economics.node_density": "node_nm is a catalog key (looked up, not computed); unknown nodes are a ValueError",
    "economics.cost_curves": "a table of the functions above (each fuzzed here) for the chapter's chart",
    "packaging.compare_designs": "a table of the functions above (each fuzzed here) for the chapter's chart",
    "economics.redundant_cost_range": "a table of cost_per_good_mm2_redundant (fuzzed here) over a catalog chip's range",
    "redundancy.spare_needs": "a table of global_spare_yield and required_spare_fraction calls (each fuzzed here)",
    "yields.tolerable_density": "a bisection over array_yield / clustered_array_yield (each fuzzed here), same contract",
    "training.validation_table": "a table over catalog rows; utilisation is checked by train_step",
    "training.training_curve": "a table of train_step calls",
    "suittables.sensitivity": "a table over threshold values from a fixed set",
    "suittables.features": "a table from the catalog",
    "checks.check_choice": "not numeric",
    "checks.describe": "formats a range for messages",
    "checks.show": "formats a value for messages",
}


def _annotation_is_numeric(p: inspect.Parameter) -> bool:
    ann = p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", str(p.annotation))
    if p.default is not inspect.Parameter.empty and isinstance(p.default, numbers.Real) and not isinstance(p.default, bool):
        return True
    return any(t in str(ann) for t in ("float", "int", "ArrayLike")) and "str" not in str(ann).replace("Struct", "")


def discover() -> dict[str, Callable]:
    out = {}
    for m in MODULES:
        mod = importlib.import_module(f"waferscale.{m}")
        for n in mod.__all__:
            f = getattr(mod, n)
            if inspect.isfunction(f) and any(_annotation_is_numeric(p) for p in inspect.signature(f).parameters.values()
                                              if p.name not in ("cat",)):
                out[f"{m.rsplit('.', 1)[1]}.{n}"] = f
    return out


FUNCS = discover()

# The dataclass constructors that validate their fields (``__post_init__``, the same checker): fuzzed as functions.
CONSTRUCTORS = {"montecarlo.WaferArray": ("montecarlo", "WaferArray"), "packaging.Package": ("packaging", "Package"),
                "economics.ChipletProcess": ("economics", "ChipletProcess"),
                "tokencost.TokenAssumptions": ("tokencost", "TokenAssumptions"), "physics.Wire": ("physics", "Wire")}
for _key, (_m, _n) in CONSTRUCTORS.items():
    FUNCS[_key] = getattr(importlib.import_module(f"waferscale.models.{_m}"), _n)
SPECS.update({
    "montecarlo.WaferArray": Spec({"physical_cores": (1, 10**6, "int"), "core_area_mm2": (1e-6, 1e6, "real"),
                                   "segment_cores": (1, 10**6, "int"), "spares_per_segment": (0, 1000, "int"),
                                   "blocks": (1, 10**6, "int"), "critical_area_mm2": (0.0, 1e6, "real")},
                                  check=lambda kw: (kw["segment_cores"] <= kw["physical_cores"]
                                                    and kw["physical_cores"] % kw["segment_cores"] == 0
                                                    and kw["spares_per_segment"] <= kw["segment_cores"]
                                                    and kw["blocks"] <= kw["physical_cores"])),
    "packaging.Package": Spec({"chiplet_area_mm2": (1e-6, 1e6, "real"), "n_active": (1, 10**5, "int"),
                               "spares": (0, 10**5, "int"), "package_cost_usd": (0.0, 1e12, "real")}),
    "economics.ChipletProcess": Spec({"test_escape": P01, "bond_yield": (1e-9, 1.0, "real"),
                                      "extra_silicon_fraction": P01}),
    "tokencost.TokenAssumptions": Spec({"amortisation_years": (1e-3, 30.0, "real"), "electricity_usd_per_kwh": (0.0, 10.0, "real"),
                                        "pue": (1.0, 5.0, "real"), "utilisation": (1e-3, 1.0, "real")}),
    "physics.Wire": Spec({"r_ohm_per_m": (1e-6, 1e15, "real"), "c_f_per_m": (1e-21, 1e-3, "real"),
                          "repeater_delay_s": (1e-18, 1e-3, "real")}),
})


def _kwargs(cat, key: str, values: dict) -> dict:
    spec = SPECS[key]
    sig = inspect.signature(FUNCS[key])
    kw = {}
    if "cat" in sig.parameters:
        kw["cat"] = cat
    for k, v in spec.fixed.items():
        kw[k] = v(cat) if callable(v) and not isinstance(v, (list, str)) and v.__code__.co_argcount == 1 else (
            v() if callable(v) and not isinstance(v, (list, str)) else v)
    kw.update(values)
    return kw


def _finite(x, physical: bool) -> bool:
    """Every number in a result (nested in dataclasses, dicts, tuples, frames) finite, and >= 0 where physical."""
    if x is None or isinstance(x, (str, bool, np.bool_)):
        return True
    if isinstance(x, numbers.Real):
        return math.isfinite(float(x)) and (not physical or float(x) >= 0)
    if isinstance(x, np.ndarray):
        return x.dtype.kind not in "fiu" or bool(np.all(np.isfinite(x)) and (not physical or np.all(x >= 0)))
    if isinstance(x, pd.DataFrame):
        num = x.select_dtypes("number")
        return bool(np.all(np.isfinite(num.to_numpy(dtype=float)))) if not num.empty else True
    if dataclasses.is_dataclass(x):
        return all(_finite(getattr(x, f.name), physical) for f in dataclasses.fields(x))
    if isinstance(x, dict):
        return all(_finite(v, physical) for v in x.values())
    if isinstance(x, (tuple, list)):
        return all(_finite(v, physical) for v in x)
    if isinstance(x, pd.Series):
        return True
    return True


class _Hung(Exception):
    """Raised by the alarm when a call runs past the hard limit (so a hang cannot stall the run)."""


def _alarm(signum, frame):
    raise _Hung


def _call(fn: Callable, kw: dict):
    """Call with a hard wall-clock limit of 10·SLOW_S (SIGALRM, for a call that would never end); 'slow' itself
    is judged on CPU time, as the CLI fuzz does: the test machines are shared, and a call waiting for a core is
    not slow."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 10 * SLOW_S)
    try:
        return fn(**kw)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def classify_bad(fn: Callable, kw: dict, name: str) -> str:
    """Call with one bad parameter; the outcome class: 'clean' (ValueError naming it) or a failure class."""
    t0 = time.process_time()
    try:
        _call(fn, kw)
    except _Hung:
        cls = "slow"
    except ValueError as e:
        cls = "clean error" if name.rstrip("_") in str(e) else "error without the name"
    except Exception as e:  # noqa: BLE001 - the point is to see any other type
        cls = f"other exception ({type(e).__name__})"
    else:
        cls = "silent accept"
    if time.process_time() - t0 > SLOW_S:
        cls = "slow"
    return cls


def classify_good(fn: Callable, kw: dict, physical: bool) -> str:
    t0 = time.process_time()
    try:
        r = _call(fn, kw)
    except _Hung:
        return "slow"
    except ValueError as e:
        cls = f"rejected in range ({str(e)[:80]})"
    except Exception as e:  # noqa: BLE001
        cls = f"other exception ({type(e).__name__}: {str(e)[:60]})"
    else:
        cls = "ok" if _finite(r, physical) else "non-finite or negative"
    if time.process_time() - t0 > SLOW_S:
        cls = "slow"
    return cls


BAD_ALWAYS = [math.nan, math.inf, -math.inf, True, False, "1", None, 10**400, -(10**400), 1e300, -1e300, 2 + 0j]


def _bad_values(lo, hi, kind) -> list:
    vals = list(BAD_ALWAYS)
    if kind == "int":
        vals.append(lo + 0.5)
    return vals


def _record(kind: str, key: str, name: str, value, cls: str) -> None:
    good = cls in ("clean error", "ok")
    COUNTS[("bad" if kind == "bad" else "good", cls if good or cls == "slow" else cls.split(" (")[0])] += 1
    if not good:
        FAILS.append(f"{kind}: {key}({name}={value!r}) -> {cls}")


# -- property 1: bad values ---------------------------------------------------------------------------
BAD_CASES = [(key, name, v) for key, spec in SPECS.items() if key in FUNCS for name, (lo, hi, kind) in spec.ranges.items()
             for v in _bad_values(lo, hi, kind)
             if not (v is None and inspect.signature(FUNCS[key]).parameters[name].default is None)]


def _mid(lo, hi, kind):
    if kind == "int":
        return int(min(max(lo, 2), hi))
    return float(min(max(lo, min(1.0, hi)), hi))


def _base(key):
    return {n: _mid(*r) for n, r in SPECS[key].ranges.items()}


def test_every_numeric_function_is_specified_or_skipped():
    missing = sorted(set(FUNCS) - set(SPECS) - set(SKIP))
    assert not missing, f"public functions with numeric parameters but no fuzz spec: {missing}"


def test_bad_values_only_raise_named_value_errors(cat):
    fails = []
    for key, name, v in BAD_CASES:
        kw = _kwargs(cat, key, {**_base(key), name: v})
        cls = classify_bad(FUNCS[key], kw, name)
        _record("bad", key, name, v, cls)
        if cls != "clean error":
            fails.append(f"{key}({name}={v!r}) -> {cls}")
    assert not fails, f"{len(fails)} failures:\n" + "\n".join(fails)


@st.composite
def _out_of_range(draw):
    key = draw(st.sampled_from(sorted(k for k in SPECS if k in FUNCS)))
    name = draw(st.sampled_from(sorted(SPECS[key].ranges)))
    lo, hi, kind = SPECS[key].ranges[name]
    side = draw(st.sampled_from(["below", "above"]))
    if side == "below":
        v = draw(st.floats(min_value=-1e300, max_value=-1e-9)) + min(lo, 0) - (1 if kind == "int" else 0)
    else:
        v = draw(st.floats(min_value=1e19, max_value=1e300))
    if kind == "int":
        v = int(v)
    return key, name, v


@settings(derandomize=True, deadline=None, max_examples=150, suppress_health_check=list(HealthCheck))
@given(case=_out_of_range())
def test_random_out_of_range_values_raise_named_value_errors(cat, case):
    key, name, v = case
    cls = classify_bad(FUNCS[key], _kwargs(cat, key, {**_base(key), name: v}), name)
    _record("bad", key, name, v, cls)
    assert cls == "clean error", f"{key}({name}={v!r}) -> {cls}"


# -- property 2: in-range values --------------------------------------------------------------------------
def _value(draw, lo, hi, kind):
    if kind == "int":
        if hi - lo > 10**4:  # spread over magnitudes
            e = draw(st.floats(min_value=math.log10(max(lo, 1)), max_value=math.log10(hi)))
            return int(min(hi, max(lo, round(10**e))))
        return draw(st.integers(min_value=lo, max_value=hi))
    choice = draw(st.sampled_from(["lo", "hi", "uniform", "log"]))
    if choice == "lo":
        return float(lo)
    if choice == "hi":
        return float(hi)
    if choice == "log" and lo > 0:
        return float(min(hi, max(lo, 10 ** draw(st.floats(min_value=math.log10(lo), max_value=math.log10(hi))))))
    return draw(st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False))


@st.composite
def _in_range(draw):
    key = draw(st.sampled_from(sorted(k for k in SPECS if k in FUNCS)))
    return key, {n: _value(draw, *r) for n, r in SPECS[key].ranges.items()}


@settings(derandomize=True, deadline=None, max_examples=400, suppress_health_check=list(HealthCheck))
@given(case=_in_range())
def test_in_range_values_give_finite_results_quickly(cat, case):
    key, values = case
    spec = SPECS[key]
    if spec.check is not None and not spec.check(values):
        return
    cls = classify_good(FUNCS[key], _kwargs(cat, key, values), spec.physical)
    _record("good", key, str(values), "", cls)
    assert cls == "ok", f"{key}({values}) -> {cls}"


def test_every_spec_function_runs_at_its_range_ends(cat):
    """Deterministic corners: every parameter at its lower end, then at its upper end."""
    fails = []
    for key, spec in SPECS.items():
        if key not in FUNCS:
            continue
        for end in (0, 1):
            values = {n: r[end] for n, r in spec.ranges.items()}
            if spec.check is not None and not spec.check(values):
                continue
            cls = classify_good(FUNCS[key], _kwargs(cat, key, values), spec.physical)
            _record("good", key, str(values), "", cls)
            if cls != "ok":
                fails.append(f"{key}({values}) -> {cls}")
    assert not fails, "\n".join(fails)


# -- negative control: the checker can fail --------------------------------------------------------------
def _toy_bad(x: float) -> float:
    """Accepts anything, divides, and lies: the checker must flag it."""
    return 1.0 / x if x else math.inf


def test_negative_control_flags_a_bad_function():
    assert classify_bad(_toy_bad, {"x": -1.0}, "x") == "silent accept"
    assert classify_bad(_toy_bad, {"x": "1"}, "x").startswith("other exception")
    assert classify_good(_toy_bad, {"x": 0.0}, True) == "non-finite or negative"
    def busy():
        t = time.process_time()
        while time.process_time() - t < SLOW_S + 0.05:
            pass
        return 1.0

    assert classify_good(busy, {}, True) == "slow"
    assert classify_bad(lambda x: (_ for _ in ()).throw(ValueError("bad input")), {"x": 1}, "x") == "error without the name"


def test_zz_report_counts():
    """Print the outcome counts (runs last in this file; see them with ``-s``)."""
    runs = sum(COUNTS.values())
    print(f"\nfuzz_api: {runs} calls over {len(SPECS)} functions ({len(SKIP)} skipped with a reason)")
    for (prop, cls), n in sorted(COUNTS.items()):
        print(f"  {prop:4s} {cls:30s} {n}")
    for f in FAILS[:30]:
        print("  FAIL", f)
