"""Adding a chip is a data change only: copy the catalog, add a fictitious GPU and a server of eight, and
check that the loader, the models, the CLI and the system-comparing chapters all pick it up.

The chip is made up (its name says so) and cites a made-up source added to the copied references.bib;
the package's own catalog is never touched. The chapter tests run each notebook against the copy through
``WAFERSCALE_DATA`` (read by :func:`waferscale.data.catalog.data_dir`) and look for the chip's name in the
outputs: a chapter that hard-codes its list of chips cannot show it (a negative control checks that).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from waferscale.book import compare
from waferscale.fit import servefit
from waferscale.models import economics, physics, serving as sv, workloads as wl, scaling as sc, tokencost, yields
from waferscale.data.catalog import DATA_ENV, data_dir, load

from conftest import ROOT

CHIP, POD = "fictional_x1", "fictional_x1_pod8"
CHIP_NAME = "Fictional X1 GPU (made up; not a product)"
POD_NAME = "Fictional X1 pod of 8 (made up)"
SOURCE = "fictional2026x1"

BIB = f"""
@misc{{{SOURCE},
  author = {{{{Waferscale book test suite}}}},
  title = {{Fictional X1: a made-up accelerator for the add-a-chip test (not a real product)}},
  year = {{2026}},
  note = {{Invented numbers; exists only in a temporary copy of the catalog}},
}}
"""

ENTITIES = [
    f"{CHIP},systems,{CHIP_NAME},gpu,Fictional Devices,",
    f"{POD},systems,{POD_NAME},system,Fictional Devices,{CHIP}",
]


def _fact(entity: str, field: str, value: str, unit: str, note: str = "invented for the test") -> str:
    return f"{entity},{field},{value},,,{unit},{SOURCE},2026-01,vendor_claim,{note}"


SYSTEMS = [
    _fact(CHIP, "process_nm", "5", "nm"),
    _fact(CHIP, "die_area_mm2", "800", "mm^2"),
    _fact(CHIP, "cores_physical", "160", "count"),
    _fact(CHIP, "cores_enabled", "150", "count"),
    _fact(CHIP, "core_area_mm2", "3.5", "mm^2"),
    _fact(CHIP, "sram_bytes", "120", "MB"),
    _fact(CHIP, "hbm_bytes", "256", "GB"),
    _fact(CHIP, "hbm_bytes_per_s", "10", "TB/s"),
    _fact(CHIP, "bf16_dense_flop_per_s", "3000", "TFLOP/s"),
    _fact(CHIP, "fp8_dense_flop_per_s", "6000", "TFLOP/s"),
    _fact(CHIP, "tdp_w", "1500", "W"),
    _fact(CHIP, "scaleup_bytes_per_s_per_dir", "900", "GB/s"),
    _fact(CHIP, "scaleout_bytes_per_s_per_dir", "100", "GB/s"),
    _fact(CHIP, "release_year", "2027", "year"),
    _fact(POD, "chips", "8", "count"),
    _fact(POD, "system_power_w", "16", "kW"),
    _fact(POD, "price_usd", "600000", "USD"),
]

TOPOLOGY = [f"{CHIP},nvlink5,ib_xdr,invented for the test", f"{POD},nvlink5,ib_xdr,invented for the test"]


def add_chip(folder) -> None:
    """Append the fictitious chip's rows to a copy of the catalog in ``folder``."""
    with open(folder / "references.bib", "a", encoding="utf-8") as f:
        f.write(BIB)
    for name, rows in (("entities.csv", ENTITIES), ("systems.csv", SYSTEMS), ("topology.csv", TOPOLOGY)):
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_text(text.rstrip("\n") + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def added(tmp_path_factory):
    folder = tmp_path_factory.mktemp("catalog") / "data"
    shutil.copytree(data_dir(), folder)
    add_chip(folder)
    return folder


@pytest.fixture(scope="module")
def cat2(added):
    return load(added)


# -- (a) the catalog loads it ------------------------------------------------------------------------
def test_catalog_loads_the_new_chip(cat2, cat):
    assert cat2.name(CHIP) == CHIP_NAME
    assert cat2.value(CHIP, "hbm_bytes_per_s") == pytest.approx(10e12)
    assert cat2.fact(CHIP, "tdp_w").source == SOURCE
    assert cat2.value(POD, "system_power_w") == pytest.approx(16e3)
    assert SOURCE in set(cat2.sources["key"])
    assert len(cat2.systems) == len(cat.systems) + len(SYSTEMS)
    assert CHIP not in set(cat.entities["id"])  # the package's own catalog is untouched


def test_data_dir_follows_the_environment(added, monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_ENV, str(added))
    assert data_dir() == added.resolve()
    assert CHIP in load().ids("systems")
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "missing"))
    with pytest.raises(ValueError, match=DATA_ENV):
        data_dir()


# -- (b) the models pick it up ---------------------------------------------------------------------
def test_serving_model_runs_on_the_new_chip(cat2):
    assert CHIP in sv.hardware_ids(cat2) and POD in sv.hardware_ids(cat2)
    assert sv.gpu_systems(cat2) == [*sv.gpu_systems(load()), CHIP, POD]
    assert POD in sv.gpu_systems(cat2, multi_chip=True) and CHIP in sv.gpu_systems(cat2, multi_chip=False)
    hw = sv.hardware(cat2, POD)
    assert (hw.chip, hw.chips, hw.kind) == (CHIP, 8, "gpu")
    assert hw.wall_power_w_per_chip == pytest.approx(16e3 / 8)
    prm, op = servefit.fitted(cat2), sv.OperatingPoint(1000, 1000, "bf16")
    one = sv.serve(sv.hardware(cat2, CHIP), wl.model(cat2, "llama3_1_8b"), op, prm, users=1)
    pod = sv.serve(hw, wl.model(cat2, "llama3_1_70b"), sv.OperatingPoint(1000, 1000, "fp8"), prm, users=1)
    assert one.tokens_per_s_per_user > 0 and pod.tokens_per_s_per_user > 0
    # more HBM bandwidth than an H100 at batch 1 means more tokens per second
    h100 = sv.serve(sv.hardware(cat2, "h100_sxm"), wl.model(cat2, "llama3_1_8b"), op, prm, users=1)
    assert one.tokens_per_s_per_user > h100.tokens_per_s_per_user


def test_comparisons_and_costs_pick_it_up(cat2):
    assert CHIP in compare.comparable_chips(cat2)
    specs = compare.spec_ratios(cat2, compare.comparable_chips(cat2), baseline="h100_sxm")
    assert specs.loc[(specs.system == CHIP) & (specs.metric == "weight_bandwidth"), "ratio"].item() == \
        pytest.approx(10e12 / load().value("h100_sxm", "hbm_bytes_per_s"))
    assert POD in tokencost.priced_systems(cat2)
    assert CHIP_NAME in set(physics.chip_heat_sources(cat2)["device"])


def test_scaling_and_collectives_pick_it_up(cat2):
    b = sc.build_for(cat2, POD)
    assert (b.chip, b.scale_up, b.switch) == (CHIP, "nvlink5", "ib_xdr")
    assert POD in {x.host for x in sc.catalog_builds(cat2)}
    inside, outside = sc.scale(sc.cluster(cat2, b), 8), sc.scale(sc.cluster(cat2, b), 1024)
    assert inside["tier"] == "scale-up" and outside["tier"] == "scale-out"
    assert inside["bytes_per_flop"] > outside["bytes_per_flop"] > 0
    with pytest.raises(ValueError, match="topology"):
        sc.build_for(cat2, "a100_sxm")
    from waferscale.book import commcharts as cc

    assert any(POD_NAME in label for label in cc.scaling_data(cat2, max_chips=256, builds=sc.catalog_builds(cat2))["label"])


def test_yield_models_pick_it_up(cat2):
    d, _ = economics.node_density(cat2, cat2.value(CHIP, "process_nm"))
    area = cat2.value(CHIP, "die_area_mm2")
    y = float(yields.die_yield("poisson", area, d))
    assert 0 < y < 1
    phys, en = int(cat2.value(CHIP, "cores_physical")), int(cat2.value(CHIP, "cores_enabled"))
    spared = float(yields.array_yield(phys, cat2.value(CHIP, "core_area_mm2"), d, phys, phys - en))
    assert spared > float(yields.poisson(phys * cat2.value(CHIP, "core_area_mm2"), d))


# -- (c) the CLI lists and computes it -------------------------------------------------------------
def _cli(folder, *args):
    env = {**os.environ, DATA_ENV: str(folder)}
    return subprocess.run([sys.executable, "-m", "waferscale", *args], capture_output=True, text=True, timeout=300,
                          env=env)


def test_cli_lists_and_decodes_it(added):
    out = _cli(added, "list", "systems", "--json")
    assert out.returncode == 0, out.stderr
    rows = {d["id"]: d for d in json.loads(out.stdout)}
    assert rows[CHIP]["name"] == CHIP_NAME and rows[CHIP]["facts"] == 14
    table = _cli(added, "list", "systems")
    assert CHIP in table.stdout
    dec = _cli(added, "decode", "--system", POD, "--model", "llama3_1_70b", "--precision", "fp8", "--json")
    assert dec.returncode == 0, dec.stderr
    assert json.loads(dec.stdout)["tokens_per_s_per_user"] > 0
    text = _cli(added, "decode", "--system", CHIP, "--model", "llama3_1_8b")
    assert text.returncode == 0 and f"llama3_1_8b on {CHIP}" in text.stdout
    shown = _cli(added, "decode", "--system", POD, "--model", "llama3_1_70b", "--precision", "fp8")
    page = (ROOT / "chapters" / "appendix" / "add_a_chip.md").read_text(encoding="utf-8")
    assert shown.stdout.rstrip("\n") in page, "add_a_chip.md shows another decode output: update it"


# -- (d) the chapters that compare systems pick it up ------------------------------------------------
SYSTEM_CHAPTERS = ("intro", "communication", "performance", "outlook")


def _outputs_with(added: Path, notebook: Path, monkeypatch) -> str:
    from notebook_exec import execute_to_text

    monkeypatch.setenv(DATA_ENV, str(added))
    nb = json.loads(execute_to_text(notebook))
    return json.dumps([c.get("outputs", []) for c in nb["cells"] if c["cell_type"] == "code"], ensure_ascii=False)


@pytest.mark.parametrize("chapter", SYSTEM_CHAPTERS)
def test_chapter_shows_the_new_chip(chapter, added, monkeypatch):
    outputs = _outputs_with(added, ROOT / "chapters" / f"{chapter}.ipynb", monkeypatch)
    assert CHIP_NAME in outputs or POD_NAME in outputs, f"{chapter}: the added chip is not in the outputs"


def test_a_chapter_with_a_typed_chip_list_fails(added, monkeypatch, tmp_path):
    """Negative control: a notebook that names its chips by hand does not show the added one."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import waferscale as ws\nfrom waferscale.book import compare\ncat = ws.load()\n"
        "compare.spec_ratios(cat, ['wse3', 'h100_sxm', 'b200'], baseline='h100_sxm')")]
    path = tmp_path / "typed.ipynb"
    nbformat.write(nb, path)
    outputs = _outputs_with(added, path, monkeypatch)
    assert "WSE-3" in outputs or "wse3" in outputs  # it ran
    assert CHIP_NAME not in outputs and POD_NAME not in outputs


def test_the_how_to_page_shows_these_rows():
    """chapters/appendix/add_a_chip.md shows the rows this test adds, so the page's example stays true."""
    page = (ROOT / "chapters" / "appendix" / "add_a_chip.md").read_text(encoding="utf-8")
    for row in (*ENTITIES, *SYSTEMS, *TOPOLOGY):
        assert row in page, row
    assert BIB.strip() in page
