"""`python -m waferscale decode` (the batch-1 shortcut of `serve`) and `list models`."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args):
    return subprocess.run([sys.executable, "-m", "waferscale", *args], capture_output=True, text=True, timeout=120)


def test_decode_json_has_the_fields():
    out = run("decode", "--system", "cs3", "--model", "llama3_1_70b", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    for k in ("tokens_per_s_per_user", "tokens_per_s_total", "time_per_token_s", "time_to_first_token_s", "chips",
              "energy_per_token_j"):
        assert k in doc
    assert doc["chips"] == 4 and doc["users"] == 1
    same = json.loads(run("serve", "--system", "cs3", "--model", "llama3_1_70b", "--users", "1", "--json").stdout)
    assert same == doc  # one model: decode is serve --users 1


def test_users_max_and_table():
    out = run("decode", "--system", "dgx_b200", "--model", "llama4_maverick", "--precision", "fp8", "--users", "max",
              "--input-tokens", "4096", "--spec-tokens", "3", "--spec-accept", "0.7")
    assert out.returncode == 0, out.stderr
    assert "tokens_per_s_total" in out.stdout


def test_list_models():
    out = run("list", "models")
    assert out.returncode == 0 and "llama4_maverick" in out.stdout
    assert run("list", "systems").returncode == 0


@pytest.mark.parametrize("args, message", [
    (["--chips", "0"], "error: --chips: 0 is out of range; allowed: an integer in [1, 100000]"),
    (["--precision", "int3"], "error: --precision: 'int3' is not one of the allowed values: bf16, fp16, fp8, fp4"),
    (["--users", "-2"], "error: --users: -2 is out of range; allowed: an integer in [1, 1000000] or 'max'"),
    (["--users", "many"], "error: --users: 'many' is not an integer or 'max'"),
    (["--input-tokens", "0"], "error: --input-tokens: 0 is out of range; allowed: an integer in [1, 10000000]"),
    (["--spec-accept", "0.5", "--spec-tokens", "0"], "error: --spec-accept: 0.5 needs --spec-tokens >= 1"),
    (["--chips", "9" * 400], "error: --chips: 9999999999999999999…(400 digits) is out of range"),
])
def test_bad_values_exit_2(args, message):
    out = run("decode", "--system", "dgx_h100", "--model", "llama3_1_8b", *args)
    assert out.returncode == 2 and out.stderr.startswith(message) and len(out.stderr.splitlines()) == 1, out.stderr


def test_model_too_big_exits_2():
    out = run("decode", "--system", "h100_sxm", "--model", "llama3_1_405b")
    assert out.returncode == 2 and out.stderr.startswith("error: --chips: 1 (the default) is too few")
    assert "needs 16 chips of h100_sxm; allowed: an integer in [16, 100000]" in out.stderr  # tp 8 x pp 2


def test_train_json_and_bad_input():
    out = run("train", "--build", "gb200_cpo", "--model", "llama3_1_70b", "--chips", "512", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["tp"] * doc["pp"] * doc["dp"] == 512 and 0 < doc["efficiency"] <= 1
    bad = run("train", "--build", "cs3", "--model", "llama3_1_70b", "--chips", "4", "--utilisation", "2")
    assert bad.returncode == 2 and bad.stderr == "error: --utilisation: 2 is out of range; allowed: a number in [0.001, 1]\n"
