"""The what-if command line: tables, JSON, and clean failures."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from waferscale import claims
from waferscale.core.digits import sig


def run(*args):
    return subprocess.run([sys.executable, "-m", "waferscale", *args], capture_output=True, text=True, timeout=120)


def test_claims_json_is_the_ledger(cat):
    out = run("claims", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    df = claims.ledger(cat)
    assert [d["id"] for d in doc] == list(df["id"])
    assert [d["verdict"] for d in doc] == list(df["verdict"])
    for d, fig in zip(doc, df["figure"]):
        if d["figure"] is None:
            assert fig is None or math.isnan(fig)
        else:
            assert d["figure"] == sig(fig)  # 6 significant digits


@pytest.mark.parametrize("what", ["systems", "links", "sources"])
def test_list_prints_table_and_json(what, cat):
    table = run("list", what)
    assert table.returncode == 0 and len(table.stdout.splitlines()) > 3
    doc = json.loads(run("list", what, "--json").stdout)
    ids = {d.get("id", d.get("key")) for d in doc}
    if what == "systems":
        assert {"wse3", "h100_sxm", "b200"} <= ids
    elif what == "sources":
        assert ids == set(cat.sources["key"])


def test_claims_table_is_readable():
    out = run("claims")
    assert out.returncode == 0 and "C01" in out.stdout and "verdict" in out.stdout


@pytest.mark.parametrize("args", [["list", "gizmos"], ["frobnicate"], ["claims", "--yaml"]])
def test_bad_arguments_exit_nonzero(args):
    out = run(*args)
    assert out.returncode == 2
    assert len(out.stderr.splitlines()) == 1 and out.stderr.startswith("error: "), out.stderr
