"""The layer contract of lib/waferscale (ARCHITECTURE.md): imports run one way, and no module cycle.

cli -> book -> claims -> fit -> models -> data -> core. A module may import its own layer and any layer below,
never one above. Every import counts, including those inside functions (lazy imports) and relative ones.
The package's own ``__init__`` (the curated public API) and ``__main__`` sit at the top, with the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "lib" / "waferscale"
#: From the bottom up; a module may import any layer at or below its own.
LAYERS = ("core", "data", "models", "fit", "claims", "book", "cli")
TOP = {"waferscale", "waferscale.__main__", "waferscale.cli"}


def module_name(path: Path, root: Path = LIB) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    """The layer of a waferscale module (``waferscale.models.yields`` -> ``models``)."""
    if module in TOP:
        return "cli"
    part = module.split(".")[1]
    if part not in LAYERS:
        raise AssertionError(f"{module} is in no layer; put it in one of {LAYERS} (ARCHITECTURE.md)")
    return part


def imports(module: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """The waferscale modules that ``module`` imports anywhere in its source (functions included)."""
    pkg = module if is_package else module.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # 'from pkg import mod' imports the submodule when there is one
            names = [f"{target}.{a.name}" if f"{target}.{a.name}" in known else target for a in node.names]
        else:
            continue
        for n in names:
            if n == "waferscale" or n.startswith("waferscale."):
                # the deepest known module the name refers to
                while n not in known and "." in n:
                    n = n.rsplit(".", 1)[0]
                if n != module:
                    out.add(n)
    return out


def graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    known = set(sources)
    return {m: imports(m, src, pkg, known) for m, (src, pkg) in sources.items()}


def upward(g: dict[str, set[str]]) -> list[str]:
    """Every import of a module from a higher layer, as 'a (layer) -> b (layer)'."""
    bad = []
    for m, deps in sorted(g.items()):
        for d in sorted(deps):
            if d == "waferscale" and m != "waferscale":
                bad.append(f"{m} ({layer(m)}) -> waferscale (the package API: import the module itself)")
            elif d != "waferscale" and LAYERS.index(layer(d)) > LAYERS.index(layer(m)):
                bad.append(f"{m} ({layer(m)}) -> {d} ({layer(d)})")
    return bad


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in g:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def package_sources(root: Path = LIB) -> dict[str, tuple[str, bool]]:
    return {module_name(p, root): (p.read_text(encoding="utf-8"), p.name == "__init__.py")
            for p in sorted(root.rglob("*.py"))}


def _without_package_inits(g: dict[str, set[str]]) -> dict[str, set[str]]:
    """For the cycle check: a package __init__ that re-exports its submodules is not a module of its own."""
    inits = {m for m in g if m.count(".") == 1 and m.split(".")[1] in LAYERS}
    return {m: {d for d in deps if d not in inits} for m, deps in g.items() if m not in inits}


# -- the contract -----------------------------------------------------------------------------------------
def test_every_module_is_in_a_layer():
    for m in package_sources():
        layer(m)


def test_no_upward_import():
    bad = upward(graph(package_sources()))
    assert not bad, "upward imports (see lib/waferscale/ARCHITECTURE.md):\n" + "\n".join(bad)


def test_no_import_cycle():
    found = cycles(_without_package_inits(graph(package_sources())))
    assert not found, f"import cycles: {found}"


def test_lazy_imports_are_seen():
    """The walk sees imports inside functions (the decode rows of the suitability tables import the serving model
    lazily)."""
    g = graph(package_sources())
    assert "waferscale.models.serving" in g["waferscale.models.suittables"]
    assert "waferscale.models.physics" in g["waferscale.claims.outlook"]  # imported inside a verdict


# -- negative controls: the checks fail on a synthetic upward import and a synthetic cycle ---------------
def _synthetic(files: dict[str, str], tmp_path: Path) -> dict[str, tuple[str, bool]]:
    root = tmp_path / "waferscale"
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return package_sources(root)


def test_negative_control_upward_import_is_reported(tmp_path):
    src = _synthetic({"__init__.py": "", "models/__init__.py": "", "claims/__init__.py": "",
                      "fit/__init__.py": "", "fit/perffit.py": "",
                      "claims/base.py": "",
                      "models/performance.py": "def decode():\n    from ..fit.perffit import fitted\n",
                      "models/yields.py": "from waferscale.claims import base\n"}, tmp_path)
    bad = upward(graph(src))
    assert "waferscale.models.performance (models) -> waferscale.fit.perffit (fit)" in bad
    assert "waferscale.models.yields (models) -> waferscale.claims.base (claims)" in bad


def test_negative_control_cycle_is_reported(tmp_path):
    src = _synthetic({"__init__.py": "", "claims/__init__.py": "",
                      "claims/registry.py": "from . import performance\n",
                      "claims/performance.py": "def c01():\n    from .registry import claim\n",
                      "claims/base.py": ""}, tmp_path)
    g = _without_package_inits(graph(src))
    assert cycles(g) == [["waferscale.claims.performance", "waferscale.claims.registry"]]
    assert not upward(graph(src))


def test_negative_control_module_outside_the_layers(tmp_path):
    src = _synthetic({"__init__.py": "", "helpers.py": ""}, tmp_path)
    with pytest.raises(AssertionError, match="in no layer"):
        for m in src:
            layer(m)
