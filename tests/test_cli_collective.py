"""`python -m waferscale collective` and `list tiers`."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from waferscale.models import collectives as co
from waferscale.models import interconnect as ic
from waferscale.core.digits import sig


def run(*args):
    return subprocess.run([sys.executable, "-m", "waferscale", *args], capture_output=True, text=True, timeout=120)


def test_collective_json_matches_the_model(cat):
    out = run("collective", "--tier", "nvlink4", "--op", "all_reduce", "--ranks", "8", "--bytes", "1e9", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) == {"time_s", "bus_bandwidth_bytes_per_s", "energy_j"}
    r = co.collective(ic.tier(cat, "nvlink4"), "all_reduce", 8, 1e9)
    assert doc["time_s"] == sig(r.time_s)  # 6 significant digits
    assert doc["bus_bandwidth_bytes_per_s"] == sig(r.bus_bandwidth_bytes_per_s)
    assert doc["energy_j"] == sig(r.energy_j)


def test_collective_table_and_unpublished_energy():
    out = run("collective", "--tier", "ib_ndr", "--ranks", "16", "--bytes", "1e6")
    assert out.returncode == 0 and "not published" in out.stdout
    doc = json.loads(run("collective", "--tier", "ib_ndr", "--ranks", "16", "--bytes", "1e6", "--json").stdout)
    assert doc["energy_j"] is None and doc["time_s"] > 0


def test_list_tiers(cat):
    doc = json.loads(run("list", "tiers", "--json").stdout)
    assert [d["id"] for d in doc] == cat.ids("links")


@pytest.mark.parametrize("args, msg", [
    (["--tier", "nvlink4", "--ranks", "0", "--bytes", "1e6"], "error: --ranks: 0 is out of range; allowed: an integer in [1, 1000000]"),
    (["--tier", "nvlink4", "--ranks", "8", "--bytes", "-5"], "error: --bytes: -5 is out of range; allowed: a number in [0, 1e+15]"),
    (["--tier", "hyperlane", "--ranks", "8", "--bytes", "1e6"], "error: --tier: 'hyperlane' is not one of the allowed values: wse3_fabric,"),
    (["--tier", "nvlink4", "--ranks", "8", "--bytes", "1e6", "--op", "gossip"], "error: --op: 'gossip' is not one of the allowed values: all_reduce,"),
    (["--tier", "wse3_fabric", "--ranks", "2305843009213693951", "--bytes", "1e6"], "error: --ranks: 2305843009213693951 is out of range"),
    (["--tier", "nvlink4", "--ranks", "1000000000000", "--bytes", "1e6"], "error: --ranks: 1000000000000 is out of range"),
])
def test_bad_values_exit_2_with_the_message(args, msg):
    out = run("collective", *args)
    assert out.returncode == 2
    assert out.stderr.startswith(msg) and len(out.stderr.splitlines()) == 1, out.stderr
