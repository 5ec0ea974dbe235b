"""The book's explanatory diagrams: eight SVG figures drawn by code, committed under ``chapters/figures/``.

Each diagram is a function of the catalog (numbers written in a figure come from
:func:`waferscale.data.catalog.load`; anything else is illustrative and its ``desc`` says so) returning a
self-contained SVG string (:mod:`._svg`): ``<title>`` and ``<desc>`` as alt text, the book's colour-blind-safe
palette, text >= 20 units in a 720-unit-wide view box, no external reference. Regenerate the files with

    python -m waferscale.book.diagrams chapters/figures

``tests/test_diagrams.py`` checks that the committed files are exactly what this module draws.
``chapters/figures/PLACEMENT.md`` says where each figure goes in the book.

Examples
--------
>>> svgs = render_all()
>>> sorted(svgs) == sorted(DIAGRAMS) and all(s.startswith("<svg") for s in svgs.values())
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ...data import catalog as _catalog
from ...data.catalog import Catalog
from .chips import chiplets_kgd, defect_map, wse_mesh_repair
from .links import optics_path, weight_streaming
from .parallel import pipeline_wafers, ring_allreduce, tensor_parallel

__all__ = ["DIAGRAMS", "PACKAGE_DATA", "render_all", "write_all", "main"]

#: The package's own catalog: the committed figures are drawn from it, whatever ``$WAFERSCALE_DATA`` says.
PACKAGE_DATA = Path(__file__).resolve().parents[2] / "data"

#: File stem -> drawing function, in the order the book meets them.
DIAGRAMS: dict[str, Callable[[Catalog], str]] = {
    "wse_mesh_repair": wse_mesh_repair,
    "ring_allreduce": ring_allreduce,
    "tensor_parallel": tensor_parallel,
    "pipeline_wafers": pipeline_wafers,
    "weight_streaming": weight_streaming,
    "defect_map": defect_map,
    "chiplets_kgd": chiplets_kgd,
    "optics_path": optics_path,
}


def render_all(cat: Catalog | None = None) -> dict[str, str]:
    """Every diagram as ``{file stem: SVG text}``, drawn from ``cat`` (default: the package's catalog)."""
    cat = _catalog.load(PACKAGE_DATA) if cat is None else cat
    return {name: draw(cat) for name, draw in DIAGRAMS.items()}


def write_all(folder: str | Path, cat: Catalog | None = None) -> list[Path]:
    """Write ``<folder>/<stem>.svg`` for every diagram; returns the paths written."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"folder = {str(folder)!r} is not an existing directory")
    paths = []
    for name, svg in render_all(cat).items():
        path = folder / f"{name}.svg"
        path.write_text(svg, encoding="utf-8", newline="\n")
        paths.append(path)
    return paths


def main(argv: list[str]) -> int:
    """``python -m waferscale.book.diagrams FOLDER``: write every diagram into FOLDER."""
    if len(argv) != 1:
        print("usage: python -m waferscale.book.diagrams FOLDER")
        return 2
    for path in write_all(argv[0]):
        print(path)
    return 0
