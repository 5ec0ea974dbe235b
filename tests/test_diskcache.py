"""The on-disk catalog cache: a hit returns the same catalog, any edit misses, a bad row still raises."""
from __future__ import annotations

import shutil

import pytest

from waferscale.data import catalog as C
from waferscale.data import diskcache as D
from waferscale.data.schema import CatalogError


@pytest.fixture()
def copy(tmp_path, monkeypatch):
    monkeypatch.setenv(D.CACHE_ENV, str(tmp_path / "cache"))
    root = tmp_path / "data"
    shutil.copytree(C.data_dir(), root, ignore=shutil.ignore_patterns("*.md", "__pycache__"))
    return root


def test_hit_returns_an_equal_catalog(copy):
    first = D.cached(copy, C._load)
    assert len(list((copy.parent / "cache").glob("catalog-*.pkl"))) == 1
    calls = []
    second = D.cached(copy, lambda r: calls.append(r))  # a hit never calls the loader
    assert calls == []
    assert second.systems.equals(first.systems) and second.measurements.equals(first.measurements)


def test_an_edit_misses_and_a_bad_row_still_raises(copy):
    D.cached(copy, C._load)
    csv = copy / "systems.csv"
    lines = csv.read_text().splitlines(keepends=True)
    header, row = lines[0].split(","), lines[1].split(",")
    row[header.index("value")] = "not-a-number"
    csv.write_text(lines[0] + ",".join(row) + "".join(lines[2:]))
    with pytest.raises(CatalogError, match="systems.csv"):  # negative control: the stale entry is not used
        D.cached(copy, C._load)


def test_off_and_unwritable(copy, monkeypatch, tmp_path):
    monkeypatch.setenv(D.CACHE_ENV, "off")
    assert D.cache_dir() is None
    assert D.cached(copy, lambda r: "loaded") == "loaded"
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(D.CACHE_ENV, str(blocker / "sub"))  # cannot be created: the load still answers
    assert D.cached(copy, lambda r: "loaded") == "loaded"


def test_only_the_newest_are_kept(copy, monkeypatch):
    monkeypatch.setattr(D, "KEEP", 2)
    for i in range(4):
        (copy / "extra.txt").write_text(str(i))
        D.cached(copy, lambda r: {"i": i})
    assert len(list((copy.parent / "cache").glob("catalog-*.pkl"))) == 2
