"""`python -m waferscale yield`: the die-yield what-if from the command line."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from waferscale.models import yields as Y
from waferscale.core.digits import sig


def run(*args):
    return subprocess.run([sys.executable, "-m", "waferscale", "yield", *args], capture_output=True, text=True, timeout=60)


def test_yield_json_matches_the_package():
    out = run("--model", "negative_binomial", "--area-mm2", "600", "--defects-per-cm2", "0.1", "--alpha", "3", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"yield": sig(float(Y.negative_binomial(600, 0.1, 3)))}


def test_wafer_and_price_add_dies_and_cost():
    out = run("--model", "bose_einstein", "--area-mm2", "100", "--defects-per-cm2", "0.031", "--layers", "13.5",
              "--wafer-mm", "300", "--wafer-price-usd", "7000", "--json")
    doc = json.loads(out.stdout)
    assert doc["dies_per_wafer"] == pytest.approx(640, abs=1)
    assert doc["cost_per_good_die_usd"] == pytest.approx(16.5, abs=0.2)
    assert doc["cost_per_die_usd"] == pytest.approx(7000 / doc["dies_per_wafer"], rel=1e-5)  # 6 digits each


def test_table_output():
    out = run("--model", "poisson", "--area-mm2", "814", "--defects-per-cm2", "0.1")
    assert out.returncode == 0 and "yield" in out.stdout


@pytest.mark.parametrize("args, message", [
    (["--model", "poisson", "--area-mm2", "-5", "--defects-per-cm2", "0.1"],
     "error: --area-mm2: -5 is out of range; allowed: a number in [0.01, 160000]"),
    (["--model", "negative_binomial", "--area-mm2", "5", "--defects-per-cm2", "0.1", "--alpha", "0"],
     "error: --alpha: 0 is out of range; allowed: a number in [0.01, 1000]"),
    (["--model", "negative_binomial", "--area-mm2", "5", "--defects-per-cm2", "0.1", "--alpha", "nan"], "error: --alpha: nan"),
    (["--model", "bose_einstein", "--area-mm2", "5", "--defects-per-cm2", "0.1", "--layers", "-3"], "error: --layers: -3"),
    (["--model", "poisson", "--area-mm2", "5", "--defects-per-cm2", "0.1", "--alpha", "3"],
     "error: --alpha: 3 applies to --model negative_binomial only"),
    (["--model", "poisson", "--area-mm2", "5", "--defects-per-cm2", "0.1", "--wafer-price-usd", "9"],
     "error: --wafer-price-usd: 9 needs --wafer-mm too"),
    (["--model", "gauss", "--area-mm2", "5", "--defects-per-cm2", "0.1"], "error: --model: 'gauss' is not one of"),
    (["--model", "poisson", "--area-mm2", "814", "--defects-per-cm2", "1e5", "--json"], "error: --defects-per-cm2: 100000"),
    (["--model", "poisson", "--area-mm2", "8140", "--defects-per-cm2", "100", "--wafer-mm", "300",
      "--wafer-price-usd", "9000"], "error: --defects-per-cm2: 100 on 8140 mm² gives a yield of 0"),
])
def test_bad_values_exit_nonzero_with_the_message(args, message):
    out = run(*args)
    assert out.returncode == 2
    assert out.stderr.startswith(message) and len(out.stderr.splitlines()) == 1, out.stderr
