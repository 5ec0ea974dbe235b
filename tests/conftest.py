"""Shared fixtures: the repository root, the catalog, and a writable copy of the catalog data."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/notebook_exec.py, tests/env_lock.py


def toc_files() -> list[str]:
    """Docnames in _toc.yml, in book order (root first)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node):
        for key in ("chapters", "sections", "parts"):
            for child in node.get(key, []) or []:
                if "file" in child:
                    files.append(child["file"])
                walk(child)

    walk(toc)
    return files


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def cat():
    import waferscale

    return waferscale.load()


@pytest.fixture()
def data_copy(tmp_path) -> Path:
    """A writable copy of the package's data folder, for malformed-row and what-if tests."""
    from waferscale.data.catalog import data_dir

    dst = tmp_path / "data"
    shutil.copytree(data_dir(), dst)
    return dst
