"""Models take records, not ids (issue 14; ARCHITECTURE.md): where the catalog may appear in ``waferscale.models``.

A function of ``models`` that takes the catalog (a parameter annotated ``Catalog`` or named ``cat``) is a
*reader*: it resolves ids into records, lists ids, looks up one derived catalog fact, or tabulates catalog rows for
a chapter. Every other function is a cost function: records and plain numbers in, results out. The test walks the
source (AST) and checks three things:

1. every reader is declared below with its kind, and every declared reader exists (a new catalog-taking function
   is a decision, not an accident);
2. a ``resolver`` returns one of the package's frozen record types (its return annotation names a frozen
   dataclass of ``waferscale``);
3. no function of ``models`` fetches the catalog itself (``load()``, ``catalog.load``, ``Catalog(...)``): a cost
   function cannot reach the catalog, because nothing hands it one.

4. dynamically, for every claim of the ledger: tracing its verdict from cold caches (``tests/callpath.py``) finds
   no call into a higher layer, and the catalog only in the frames of declared readers. (The verdicts do not reach
   every reader: validation tables, ``build_for`` and ``measured_run`` run in the chapters and their own tests.)

Negative controls show each check can fail.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path

import pytest

MODELS = Path(__file__).resolve().parents[1] / "lib" / "waferscale" / "models"

#: Every function of ``models`` that takes the catalog, by kind.
#: resolver: ids -> one frozen record; ids: lists catalog ids (or records for every id); fact: one derived catalog
#: fact (a number or a (number, row) pair); table: a DataFrame of catalog rows for a chapter or a validation table.
READERS: dict[str, str] = {
    # resolvers: the catalog resolves ids once into records
    "interconnect.tier": "resolver", "interconnect.mesh": "resolver", "interconnect.fat_tree": "resolver",
    "scaling.build_for": "resolver", "scaling.gpu_build": "resolver", "scaling.cluster": "resolver",
    "decode_comm.gpu_node": "resolver", "decode_comm.wafer_pipeline": "resolver",
    "steptime.gpu_cluster": "resolver", "steptime.wafer_system": "resolver", "suittables.decode_case": "resolver",
    "suitability.profile": "resolver", "training.measured_run": "resolver",
    "workloads.model": "resolver", "workloads._model": "resolver",
    "physics.wire_from_catalog": "resolver", "physics.wafer_die": "resolver",
    "redundancy.from_catalog": "resolver", "amdchiplets.amd_example": "resolver",
    "serving.hardware.hardware": "resolver", "serving.hardware._hardware": "resolver",
    # ids (or records for every id)
    "interconnect.tier_ids": "ids", "scaling.catalog_builds": "ids", "suitability.profile_ids": "ids",
    "workloads.model_ids": "ids", "workloads.models": "ids", "tokencost.priced_systems": "ids",
    "serving.hardware.system_links": "ids", "serving.hardware.hardware_ids": "ids",
    "serving.hardware.gpu_systems": "ids",
    # one derived catalog fact
    "scaling.dense_flop_per_s": "fact", "scaling._scaleout_bw": "fact", "redundancy.critical_area_mm2": "fact",
    "redundancy.spare_fraction": "fact", "redundancy.segment_cores": "fact", "economics.node_price_usd": "fact",
    "economics.node_density": "fact", "physics._fact_row": "fact", "serving.hardware._server_share": "fact",
    "workloads.fit_shape_law": "fact",
    # tables of catalog rows (a chapter's table, a validation table)
    "interconnect.tier_table": "table", "economics.redundant_cost_range": "table",
    "amdchiplets.amd_reproduction": "table", "market._param_table": "table", "market.inference_share": "table",
    "market.roadmap": "table", "market.company_table": "table", "physics.heat_sources": "table",
    "physics.heat_flux_table": "table", "physics.chip_heat_sources": "table", "physics.cooling_limits": "table",
    "suittables.features": "table", "suittables.sensitivity": "table", "suittables.validation_table": "table",
    "tokencost.token_cost_table": "table", "tokencost.throughput_from_serving": "table",
    "training.validation_table": "table",
}

#: Cost functions the chapters lean on: each must take records and numbers only (a spot check on top of rule 1).
COST_FUNCTIONS = ("collectives.collective", "interconnect.scaleout_path", "scaling.scale", "scaling.scaling_table",
                  "training.train_step", "training.training_curve", "training.utilisation_to_match",
                  "decode_comm.decode_step", "decode_comm.wafers_needed", "steptime.gpu_step",
                  "steptime.wafer_step", "steptime.gpu_layout", "suittables.speedup", "physics.wafer_crossing",
                  "physics.delay_vs_length", "amdchiplets.amd_ratio", "amdchiplets.implied_density",
                  "serving.search.serve", "serving.search.frontier", "serving.gpu.iteration",
                  "serving.wafer.iteration")

_FETCHERS = {"load", "Catalog"}


def _key(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def _takes_catalog(fn: ast.FunctionDef) -> bool:
    a = fn.args
    for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, *(x for x in (a.vararg, a.kwarg) if x is not None)]:
        if arg.arg == "cat" or (arg.annotation is not None and "Catalog" in ast.unparse(arg.annotation)):
            return True
    return False


def functions(root: Path = MODELS) -> dict[str, ast.FunctionDef]:
    """Module-level functions and methods of every module under ``root``, keyed ``module.name`` or
    ``module.Class.name`` (relative to ``root``)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        mod = _key(path, root).removesuffix(".__init__")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                out[f"{mod}.{node.name}"] = node
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        out[f"{mod}.{node.name}.{item.name}"] = item
    return out


def readers(root: Path = MODELS) -> set[str]:
    return {k for k, f in functions(root).items() if _takes_catalog(f)}


def fetches(root: Path = MODELS) -> list[str]:
    """``module.function: call`` for every call of ``load(...)``, ``*.load(...)`` or ``Catalog(...)`` in a function,
    and ``module: import`` for every import of the catalog's ``load`` (under any alias)."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("catalog"):
                for a in node.names:
                    if a.name in ("load", "_load", "_load_cached"):
                        bad.append(f"{_key(path, root)}: {ast.unparse(node)}")
    for k, fn in functions(root).items():
        for node in ast.walk(fn):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in _FETCHERS:
                    bad.append(f"{k}: {ast.unparse(node)}")
    return bad


def undeclared(found: set[str], declared: dict[str, str]) -> tuple[list[str], list[str]]:
    return sorted(found - set(declared)), sorted(set(declared) - found)


# -- the contract -------------------------------------------------------------------------------------------------
def test_every_catalog_reader_is_declared():
    new, gone = undeclared(readers(), READERS)
    assert not new, f"models functions that take the catalog but are not declared readers in {__file__}: {new}"
    assert not gone, f"declared readers that no longer exist or no longer take the catalog: {gone}"


def test_resolvers_return_frozen_records():
    fns = functions()
    for k, kind in READERS.items():
        if kind != "resolver":
            continue
        mod, name = k.rsplit(".", 1)
        ret = fns[k].returns
        assert ret is not None, f"{k} has no return annotation"
        typename = ast.unparse(ret).split("|")[0].strip().strip('"')
        module = importlib.import_module(f"waferscale.models.{mod}")
        cls = getattr(module, typename.rsplit(".", 1)[-1])
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, f"{k} returns {typename}, not a frozen record"


def test_cost_functions_take_no_catalog():
    fns = functions()
    for k in COST_FUNCTIONS:
        assert k in fns, f"{k} is not a function of models"
        assert not _takes_catalog(fns[k]), f"{k} takes the catalog; it should take records"


def test_no_model_function_fetches_the_catalog():
    assert not fetches(), fetches()


# -- negative controls ---------------------------------------------------------------------------------------------
def test_negative_control_an_aliased_load_import_is_found(tmp_path):
    root = _synthetic(tmp_path, "from ..data.catalog import load as fresh\n\ndef f(n):\n    return fresh().value('a', 'b') * n\n")
    assert fetches(root) == ["m: from ..data.catalog import load as fresh"]


def test_negative_control_a_method_or_kwargs_reader_is_found(tmp_path):
    root = _synthetic(tmp_path, "class R:\n    @classmethod\n    def of(cls, cat, x):\n        return cls()\n\n"
                                "def g(**cat):\n    return 0\n")
    assert readers(root) == {"m.R.of", "m.g"}


def _synthetic(tmp_path: Path, source: str) -> Path:
    (tmp_path / "m.py").write_text(source, encoding="utf-8")
    return tmp_path


def test_negative_control_an_undeclared_reader_is_found(tmp_path):
    root = _synthetic(tmp_path, "from ..data.catalog import Catalog\n\n"
                                "def step_time(cat: Catalog, system: str) -> float:\n"
                                "    return cat.value(system, 'x')\n\n"
                                "def pure(tier, n: float) -> float:\n    return n\n")
    new, _ = undeclared(readers(root), {})
    assert new == ["m.step_time"]


def test_negative_control_a_reader_named_cat_without_annotation_is_found(tmp_path):
    root = _synthetic(tmp_path, "def f(cat, x):\n    return cat.value('a', 'b') * x\n")
    assert readers(root) == {"m.f"}


def test_negative_control_a_cost_function_that_loads_the_catalog_is_found(tmp_path):
    root = _synthetic(tmp_path, "from ..data import catalog\n\n"
                                "def step_time(n: float) -> float:\n"
                                "    return catalog.load().value('wse3', 'clock_hz') * n\n")
    assert fetches(root) == ["m.step_time: catalog.load()"]


def test_negative_control_a_declared_reader_that_vanished_is_reported():
    _, gone = undeclared(readers(), {**READERS, "scaling.scale_from_ids": "resolver"})
    assert gone == ["scaling.scale_from_ids"]


@pytest.mark.parametrize("call, match", [
    ("collective", r"tier='nvlink4' is not allowed; allowed: a Tier"),
    ("scale", r"cl=.*is not allowed; allowed: a Cluster"),
    ("train_step", r"cl=.*is not allowed; allowed: a Cluster"),
    ("gpu_step", r"cluster='h100_sxm' is not allowed; allowed: a GpuCluster"),
    ("speedup", r"case=None is not allowed for the decode profile 'suit_decode_low'"),
    ("train_is_a_wafer", r"train=.*is not allowed; allowed: the Cluster of a GPU build"),
    ("wafer_crossing", r"die='wse3' is not allowed; allowed: a WaferDie"),
])
def test_an_id_where_a_record_belongs_is_a_named_error(call, match):
    """A caller that passes an id (the old signature) gets a ValueError naming the parameter, never a traceback."""
    import waferscale as ws
    from waferscale.models import collectives as co, physics, scaling as sc, steptime as stp, suitability as su
    from waferscale.models import suittables as tab, training as tr, workloads as wl
    from waferscale.fit.servefit import fitted

    cat = ws.load()
    calls = {
        "collective": lambda: co.collective("nvlink4", "all_reduce", 8, 1e9),
        "scale": lambda: sc.scale(sc.h100_ib(), 8),
        "train_step": lambda: tr.train_step(sc.h100_ib(), wl.model(cat, "llama3_1_8b"), 8, tokens_per_step=1e6),
        "gpu_step": lambda: stp.gpu_step(su.profile(cat, "suit_stencil_cfd"), "h100_sxm"),
        "wafer_crossing": lambda: physics.wafer_crossing("wse3", physics.wire_from_catalog(cat)),
        # a decode profile's speed-up without its serving case would silently fall back to the step model
        "speedup": lambda: tab.speedup(su.profile(cat, "suit_decode_low"), stp.gpu_cluster(cat), stp.wafer_system(cat),
                                       fitted(cat)),
        # the GPU side's cluster must be a GPU build (its scale-up tier and domain are read from it)
        "train_is_a_wafer": lambda: dataclasses.replace(stp.gpu_cluster(cat), train=sc.cluster(cat, sc.cs3_ethernet())),
    }
    with pytest.raises(ValueError, match=match):
        calls[call]()


# -- the contract, dynamically: every verdict's call path ---------------------------------------------------------
@pytest.fixture(scope="module")
def traces():
    """Every claim traced from cold caches (:func:`callpath.cold`): what a verdict reads does not depend on which
    verdicts or test files ran before it in this worker."""
    import waferscale as ws
    from callpath import cold, trace
    from waferscale.claims import registry

    out = {}
    for c in registry.CLAIMS:
        cold()
        out[c.id] = trace(c.verdict, ws.load())
    cold()
    return out


def test_every_verdict_reads_the_catalog_only_in_declared_readers(traces):
    bad = {cid: sorted(set(t["catalog"]) - set(READERS)) for cid, t in traces.items()}
    assert not {k: v for k, v in bad.items() if v}, bad
    assert any(t["catalog"] for t in traces.values())   # the trace sees catalog reads at all


def test_no_verdict_climbs_to_a_higher_layer(traces):
    climbs = {cid: t["climbs"][:3] for cid, t in traces.items() if t["climbs"]}
    assert not climbs, climbs


def test_c02_reaches_the_serving_model_through_records(traces):
    """The C02 path: claims -> resolvers (hardware, model) -> fit (the fitted ServeParams) -> the cost functions
    (search, gpu, wafer, power), which never see the catalog."""
    t = traces["C02"]
    entered = set(t["entries"])
    assert {"models.serving.search", "models.serving.gpu", "models.serving.wafer", "fit.servefit"} <= entered
    assert not any(k.startswith(("serving.search", "serving.gpu", "serving.wafer", "serving.power")) for k in t["catalog"])
    # traced cold, the path shows its resolvers whatever ran before (warm caches would hide them)
    assert {"serving.hardware._hardware", "workloads._model", "interconnect.tier"} <= set(t["catalog"])


def test_negative_control_trace_sees_an_undeclared_reader_and_a_climb():
    """A verdict that hands the catalog to a models function outside the readers, and a models function that calls
    up into claims, are both caught."""
    import waferscale as ws
    from callpath import trace
    from waferscale.models import redundancy

    def verdict(cat):
        redundancy.spare_fraction(cat, "wse3")            # a declared reader: fine
        return redundancy.segment_cores(cat, "wse3")

    t = trace(verdict, ws.load())
    assert set(t["catalog"]) <= set(READERS)
    fewer = {k: v for k, v in READERS.items() if k != "redundancy.segment_cores"}
    assert set(t["catalog"]) - set(fewer) == {"redundancy.segment_cores"}

    # a models function that reaches up into claims: code compiled as if it were lib/waferscale/models/fake.py
    from callpath import LIB
    ns: dict = {}
    exec(compile("def step(x):\n    from waferscale.claims import base\n    return base.format_quantity(x, 'x')\n",
                 f"{LIB}/models/fake.py", "exec"), ns)
    t = trace(lambda cat: ns["step"](1.0), ws.load())
    assert any(c.startswith("models.fake -> claims.base") for c in t["climbs"]), t["climbs"]


def test_a_gpu_cluster_what_if_moves_every_figure_read_from_its_cluster():
    """The GPU side reads its domain, scale-up tier, peak and HBM from ``train``: replacing ``train`` once moves the
    step model and the training plan together (they cannot disagree)."""
    import waferscale as ws
    from waferscale.models import steptime as stp, suitability as su

    cat = ws.load()
    g = stp.gpu_cluster(cat)
    wide = dataclasses.replace(g, train=dataclasses.replace(g.train, domain_chips=72))
    assert (g.domain_chips, wide.domain_chips) == (8, 72) and wide.up == g.up
    p = su.profile(cat, "suit_stencil_cfd")     # 16 GPUs: beyond one 8-GPU domain, inside a 72-GPU one
    assert stp.gpu_step(p, wide).comm_s < stp.gpu_step(p, g).comm_s
