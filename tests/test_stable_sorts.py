"""Every sort that can meet ties is stable, so the order of equal keys cannot depend on the CPU.

numpy's default (quick)sort dispatches to SIMD kernels on AVX-512 machines (x86-simd-sort), which order
equal keys differently from the baseline kernel: a chart's category order, or "the latest row" picked
by ``sort_values("year").iloc[-1]``, then changes with the machine. The rule: every ``sort_values`` and
``argsort`` in the package and the chapters says ``kind="stable"``.
"""
from __future__ import annotations

import ast
import json

import pytest

from conftest import ROOT

SORTS = {"sort_values", "argsort"}


def unstable_sorts(source: str) -> list[int]:
    """Line numbers of ``x.sort_values(...)`` / ``x.argsort(...)`` / ``np.argsort(...)`` calls without a
    stable ``kind``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SORTS:
            kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
            if not (isinstance(kind, ast.Constant) and kind.value in ("stable", "mergesort")):
                lines.append(node.lineno)
    return sorted(lines)


def _sources():
    for p in sorted((ROOT / "lib" / "waferscale").rglob("*.py")):
        yield p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")
    for p in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(p.read_text(encoding="utf-8"))["cells"]
        for i, c in enumerate(cells):
            if c["cell_type"] == "code":
                src = "".join(c["source"])
                src = "\n".join(ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!")))
                yield f"{p.relative_to(ROOT).as_posix()} cell {i}", src


@pytest.mark.parametrize("where,source", list(_sources()), ids=lambda v: v if isinstance(v, str) and "/" in v else "")
def test_sorts_are_stable(where, source):
    bad = unstable_sorts(source)
    assert not bad, f"{where}: sort without kind='stable' on line(s) {bad}"


def test_negative_control_an_unstable_sort_is_found():
    assert unstable_sorts("df.sort_values('year').iloc[-1]\nnp.argsort(x)\nd.sort_values('y', kind='stable')") == [1, 2]
