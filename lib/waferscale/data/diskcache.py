"""A validated catalog kept on disk between processes, so that a command-line call does not re-parse 800 units.

Loading the catalog parses every CSV row and converts each unit with pint (about a second, most of a ``serve``
call). The validated :class:`~waferscale.data.catalog.Catalog` is pickled once under a key that hashes

* the catalog folder's path and every file in it (names and bytes), and
* the source of the modules that turn those files into a catalog (the data layer and ``core.units``), plus the
  Python, pandas and pint versions,

so any edit to a table, to the loader or to a dependency gives a new key and a fresh, fully checked load (a
malformed row still raises its :class:`~waferscale.data.schema.CatalogError`; nothing invalid is ever stored).

The folder is ``$WAFERSCALE_CACHE`` when set, else ``$XDG_CACHE_HOME/waferscale`` or ``~/.cache/waferscale``;
``WAFERSCALE_CACHE=off`` turns the cache off. A cache that cannot be read or written is ignored (the load then
simply takes its usual time). The newest :data:`KEEP` loads are kept.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

CACHE_ENV = "WAFERSCALE_CACHE"
#: Cached loads kept (the newest); older ones are removed when a new one is written.
KEEP = 8
#: Modules whose source decides what a catalog folder loads to.
_CODE = ("data/catalog.py", "data/loader.py", "data/schema.py", "data/bibtex.py", "data/diskcache.py",
         "core/units.py", "core/checks.py")


def cache_dir() -> Path | None:
    """The cache folder, or None when ``$WAFERSCALE_CACHE`` is ``off``."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env.lower() == "off":
        return None
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "waferscale"


def catalog_key(root: Path) -> str:
    """The hash naming one catalog folder's load: its files, the loading code and the library versions.

    Any change to a file in ``root`` changes the key:

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "a.csv").write_text("x\\n1\\n")
    >>> k1 = catalog_key(d); _ = (d / "a.csv").write_text("x\\n2\\n")
    >>> k1 == catalog_key(d)
    False
    """
    from importlib.metadata import version

    h = hashlib.sha256(str(root.resolve()).encode() + b"\0")  # the catalog records its folder
    for p in sorted(root.iterdir()):
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    pkg = Path(__file__).resolve().parents[1]
    for rel in _CODE:
        h.update(rel.encode() + b"\0" + (pkg / rel).read_bytes() + b"\0")
    h.update(f"{sys.version}|{version('pandas')}|{version('pint')}|{version('numpy')}".encode())
    return h.hexdigest()[:32]


def cached(root: Path, load: Callable[[Path], Any]) -> Any:
    """``load(root)``, or the pickled result of an earlier identical load (see the module docstring)."""
    folder = cache_dir()
    if folder is None:
        return load(root)
    try:
        path = folder / f"catalog-{catalog_key(root)}.pkl"
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:  # a miss, or a cache that cannot be read: load normally
        pass
    result = load(root)  # raises CatalogError for a malformed row: nothing is written then
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        old = sorted(folder.glob("catalog-*.pkl"), key=lambda p: p.stat().st_mtime)[:-KEEP]
        for p in old:  # edited catalogs (and tests' copies) leave stale entries: keep the newest few
            p.unlink(missing_ok=True)
    except Exception:  # a read-only or full disk: the cache is only a speed-up
        pass
    return result
