"""Notebooks: all in the table of contents, deterministic on any CPU, and free of CDN scripts and random ids.

Strict nbval (``pytest --nbval chapters``) checks that a fresh run with this machine's default numpy
reproduces every stored output. The test here is the second leg: it runs every notebook again with
numpy's SIMD dispatch limited to the baseline and one BLAS thread (``portable_env.baseline_env``),
standing in for a machine with another CPU, and compares the whole notebook file byte for byte.
"""
from __future__ import annotations

import re

import pytest

import nbformat

from notebook_exec import execute_to_text
from portable_env import baseline_env, disabled_features

from conftest import ROOT, toc_files

NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def test_every_notebook_is_in_the_toc_and_every_toc_entry_exists():
    toc = toc_files()
    assert len(toc) == len(set(toc)), "a page is listed twice"
    assert {f"chapters/{p.stem}" for p in NOTEBOOKS} <= set(toc), "a notebook is missing from _toc.yml"
    for doc in toc:
        assert (ROOT / f"{doc}.ipynb").exists() or (ROOT / f"{doc}.md").exists(), f"{doc} is in _toc.yml but absent"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cdn_and_no_random_ids(nb):
    text = nb.read_text()
    assert not re.search(r"cdn\.jsdelivr|unpkg\.com|cdnjs|googleapis", text)
    assert not re.search(r"altair-viz-[0-9a-f]{32}", text)
    assert not re.search(r"0x[0-9a-f]{8,}", text), "memory address in an output"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_fresh_execution_is_byte_identical_to_the_committed_notebook(nb, reduced_env):
    fresh = execute_to_text(nb, env=reduced_env)
    committed = nb.read_text(encoding="utf-8")
    if fresh != committed:
        import difflib

        diff = "".join(list(difflib.unified_diff(committed.splitlines(True), fresh.splitlines(True), n=1))[:60])
        pytest.fail(f"{nb.name}: a run with baseline SIMD and one BLAS thread differs from the committed file "
                    f"(an output depends on the CPU, or the notebook is stale: `make execute`):\n{diff}")


@pytest.fixture(scope="module")
def reduced_env() -> dict[str, str]:
    return baseline_env()


def test_negative_control_the_reduced_simd_leg_catches_a_cpu_dependent_output(tmp_path, reduced_env):
    """A notebook that stores all 17 digits of a transcendental sum and the bytes of a BLAS product:
    run under the two environments, the stored outputs differ, so the leg above would fail on it."""
    if not disabled_features():
        pytest.skip("this CPU enables no numpy dispatch target beyond the baseline: both legs are the same")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import hashlib, numpy as np\n"
        "x = np.linspace(0.1, 50, 100001)\n"
        "print(hashlib.sha256(np.exp(x).tobytes() + np.log(x).tobytes()).hexdigest())\n"
        "a = np.outer(x[:300], x[:300])\n"
        "print(hashlib.sha256((a @ a).tobytes()).hexdigest())")])
    path = tmp_path / "cpu_dependent.ipynb"
    nbformat.write(nb, path)
    default, reduced = execute_to_text(path), execute_to_text(path, env=reduced_env)
    assert default != reduced, "the reduced-SIMD leg gave the same bytes for a CPU-dependent output"
