"""`python -m waferscale collective` and `list tiers`."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from waferscale.models import collectives as co


def run(*args):
    return subprocess.run([sys.executable, "-m", "waferscale", *args], capture_output=True, text=True, timeout=120)


def test_collective_json_matches_the_model(cat):
    out = run("collective", "--tier", "nvlink4", "--op", "all_reduce", "--ranks", "8", "--bytes", "1e9", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) == {"time_s", "bus_bandwidth_bytes_per_s", "energy_j"}
    r = co.collective(cat, "nvlink4", "all_reduce", 8, 1e9)
    assert doc["time_s"] == pytest.approx(r.time_s)
    assert doc["bus_bandwidth_bytes_per_s"] == pytest.approx(r.bus_bandwidth_bytes_per_s)
    assert doc["energy_j"] == pytest.approx(r.energy_j)


def test_collective_table_and_unpublished_energy():
    out = run("collective", "--tier", "ib_ndr", "--ranks", "16", "--bytes", "1e6")
    assert out.returncode == 0 and "not published" in out.stdout
    doc = json.loads(run("collective", "--tier", "ib_ndr", "--ranks", "16", "--bytes", "1e6", "--json").stdout)
    assert doc["energy_j"] is None and doc["time_s"] > 0


def test_list_tiers(cat):
    doc = json.loads(run("list", "tiers", "--json").stdout)
    assert [d["id"] for d in doc] == cat.ids("links")


@pytest.mark.parametrize("args, msg", [
    (["--tier", "nvlink4", "--ranks", "0", "--bytes", "1e6"], "ranks=0 is out of range; need an integer >= 1"),
    (["--tier", "nvlink4", "--ranks", "8", "--bytes", "-5"], "message_bytes=-5.0 is out of range"),
    (["--tier", "hyperlane", "--ranks", "8", "--bytes", "1e6"], "tier='hyperlane' is not a link tier"),
    (["--tier", "nvlink4", "--ranks", "8", "--bytes", "1e6", "--op", "gossip"], "op='gossip' is not a known collective"),
])
def test_bad_values_exit_2_with_the_message(args, msg):
    out = run("collective", *args)
    assert out.returncode == 2
    assert msg in out.stderr
