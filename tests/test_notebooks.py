"""Notebooks: all in the table of contents, deterministic, and free of CDN scripts and random ids.

Strict nbval (``pytest --nbval chapters``) checks that a fresh run reproduces every stored output;
the test here goes further and compares the whole notebook file byte for byte with a fresh run.
"""
from __future__ import annotations

import re

import pytest

from notebook_exec import execute_to_text

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
def test_fresh_execution_is_byte_identical_to_the_committed_notebook(nb):
    fresh = execute_to_text(nb)
    committed = nb.read_text(encoding="utf-8")
    if fresh != committed:
        import difflib

        diff = "".join(list(difflib.unified_diff(committed.splitlines(True), fresh.splitlines(True), n=1))[:60])
        pytest.fail(f"{nb.name}: a fresh run differs from the committed file (run `make execute`):\n{diff}")
