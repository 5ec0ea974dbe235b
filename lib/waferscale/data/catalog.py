"""The catalog of sourced facts: every hardware number the book uses, with provenance per field.

The facts live in CSV files under ``waferscale/data/`` (see ``SCHEMA.md`` there); their sources
are entries of one BibTeX file, ``references.bib``, which the book's bibliography also reads, so a
source is written once. :func:`load` validates every row and converts every value once, into the
canonical unit of its field (listed in :data:`FIELDS`), and raises :class:`CatalogError` naming
the file, the line and the field of the first bad row.

Examples
--------
>>> cat = load()
>>> cat.value("h100_sxm", "hbm_bytes_per_s") > 1e12   # bytes per second, whatever the file's unit
True
>>> cat.fact("h100_sxm", "hbm_bytes_per_s").grade
'spec_sheet'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

import pandas as pd

from .bibtex import _read_sources
from .loader import _check_areas, _load_entities, _load_topology, _load_long, _load_series
from .schema import CatalogError, FIELDS, GRADES, ROLES, TABLES, _TOPOLOGY_COLUMNS, _WORKLOAD_TABLES


__all__ = [
    "GRADES",
    "ROLES",
    "FIELDS",
    "TABLES",
    "CatalogError",
    "Fact",
    "Catalog",
    "load",
    "data_dir",
    "DATA_ENV",
]

#: Environment variable that points :func:`data_dir` (and so :func:`load` without an argument, the
#: notebooks and the CLI) at another catalog folder, e.g. a copy with a chip added.
DATA_ENV = "WAFERSCALE_DATA"


@dataclass(frozen=True)
class Fact:
    """One sourced number, in the canonical unit of its field.

    ``value``, ``low`` and ``high`` are floats in ``unit`` (canonical); ``raw`` keeps the
    number and unit as written in the data file.
    """

    entity: str
    field: str
    value: float
    unit: str
    source: str
    date: str
    grade: str
    note: str = ""
    low: float | None = None
    high: float | None = None
    raw: str = ""

    @property
    def range(self) -> tuple[float, float]:
        """``(low, high)``, or ``(value, value)`` where no range is given."""
        return (self.value if self.low is None else self.low, self.value if self.high is None else self.high)


def data_dir() -> Path:
    """The catalog folder: ``$WAFERSCALE_DATA`` when set (a copy to try additions on), else the package's data.

    Raises
    ------
    ValueError
        If ``WAFERSCALE_DATA`` names a folder that does not exist.
    """
    import os

    override = os.environ.get(DATA_ENV, "").strip()
    if override:
        path = Path(override).expanduser().resolve()
        if not path.is_dir():
            raise ValueError(f"{DATA_ENV}={override!r} is not a folder; point it at a copy of waferscale/data")
        return path
    return Path(str(resources.files("waferscale") / "data"))


@dataclass(frozen=True)
class Catalog:
    """All tables of the catalog, validated, with values in canonical units.

    Attributes are pandas DataFrames. Numeric tables carry ``value``/``low``/``high`` in the
    canonical unit (column ``unit``) and ``raw`` with the number as written.
    """

    entities: pd.DataFrame
    systems: pd.DataFrame
    links: pd.DataFrame
    workloads: pd.DataFrame
    examples: pd.DataFrame
    defect_densities: pd.DataFrame
    wafer_prices: pd.DataFrame
    measurements: pd.DataFrame
    events: pd.DataFrame
    sources: pd.DataFrame
    root: Path = field(default_factory=data_dir)
    parameters: pd.DataFrame = field(default_factory=pd.DataFrame)
    suitability: pd.DataFrame = field(default_factory=pd.DataFrame)
    topology: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(_TOPOLOGY_COLUMNS)))

    # -- look-ups -----------------------------------------------------------------------
    def _long_tables(self) -> tuple[tuple[pd.DataFrame, str], ...]:
        """The long tables and their id columns, in the order :meth:`_long` searches them."""
        return ((self.systems, "system"), (self.links, "link"), (self.workloads, "workload"),
                (self.examples, "example"), (self.parameters, "parameter"), (self.suitability, "profile"))

    def _long(self, entity: str) -> tuple[pd.DataFrame, str]:
        for table, col in self._long_tables():
            if len(table) and entity in self._facts[col]:
                return table, col
        raise ValueError(
            f"entity={entity!r} is not in the catalog; allowed: {sorted(self.entities['id'])}"
        )

    @cached_property
    def _facts(self) -> dict[str, dict[str, dict[str, Fact]]]:
        """id column -> entity -> field -> :class:`Fact`, built once per catalog (its tables are never changed
        after loading; a changed copy is a new Catalog). Models ask the same facts thousands of times (a scaling
        table, a sweep): dict look-ups instead of a DataFrame filter each time. The first row of a key wins."""
        out: dict[str, dict[str, dict[str, Fact]]] = {}
        for table, col in self._long_tables():
            by_entity = out.setdefault(col, {})
            if not len(table):
                continue
            for r in table.to_dict("records"):
                by_entity.setdefault(r[col], {}).setdefault(r["field"], Fact(
                    entity=r[col], field=r["field"], value=float(r["value"]), unit=r["unit"], source=r["source"],
                    date=r["date"], grade=r["grade"], note=r["note"],
                    low=None if pd.isna(r["low"]) else float(r["low"]),
                    high=None if pd.isna(r["high"]) else float(r["high"]), raw=r["raw"],
                ))
        return out

    def fact(self, entity: str, field_name: str) -> Fact:
        """The :class:`Fact` for ``field_name`` of a system or link."""
        _, col = self._long(entity)
        facts = self._facts[col][entity]
        if field_name not in facts:
            raise ValueError(f"field={field_name!r} is not given for {entity!r}; it has {sorted(facts)}")
        return facts[field_name]

    def value(self, entity: str, field_name: str) -> float:
        """The value of ``field_name`` for ``entity`` in its canonical unit."""
        return self.fact(entity, field_name).value

    def has(self, entity: str, field_name: str) -> bool:
        """Whether the catalog gives ``field_name`` for ``entity``."""
        try:
            self.fact(entity, field_name)
        except ValueError:
            return False
        return True

    @cached_property
    def records(self) -> dict:
        """A store for the records the models resolve from this catalog object (keyed by the resolver): each is
        built once and lives as long as the catalog does; a new catalog starts empty."""
        return {}

    def sources_of(self, facts: Iterable[tuple[str, str]], *more: Iterable[str]) -> tuple[str, ...]:
        """The BibTeX keys behind the given (entity, field) facts (those the catalog has), then ``more`` keys, each
        once, in order: the provenance a record built from those facts carries."""
        keys = [k.strip() for e, f in facts if self.has(e, f) for k in self.fact(e, f).source.split(";")]
        keys += [k for ks in more for k in ks]
        return tuple(dict.fromkeys(k for k in keys if k))

    def ids(self, table: str, kind: str | None = None) -> list[str]:
        """Entity ids of ``table`` ('systems', 'links' or 'workloads'), optionally of one ``kind``."""
        e = self.entities[self.entities["table"] == table]
        if kind is not None:
            e = e[e["kind"] == kind]
        return list(e["id"])

    def name(self, entity: str) -> str:
        """The display name of an entity."""
        hit = self.entities.loc[self.entities["id"] == entity, "name"]
        if hit.empty:
            raise ValueError(f"entity={entity!r} is not in entities.csv")
        return str(hit.iloc[0])

    def measurement(self, measurement_id: str) -> pd.Series:
        """One row of the measurements table by its id."""
        hit = self.measurements[self.measurements["id"] == measurement_id]
        if hit.empty:
            raise ValueError(f"measurement_id={measurement_id!r} is not in measurements.csv")
        return hit.iloc[0]

    def cite(self, keys: Iterable[str]) -> str:
        """A short citation line for the given source keys: 'Author (year); ...'."""
        out = []
        for key in dict.fromkeys(k for ks in keys for k in str(ks).split(";")):
            hit = self.sources[self.sources["key"] == key]
            if hit.empty:
                raise ValueError(f"source={key!r} is not a key in references.bib")
            r = hit.iloc[0]
            who = r["author"].split(";")[0].split(",")[0].strip() or key
            out.append(f"{who} ({r['year']})" if r["year"] else who)
        return "; ".join(out)

    def grade_counts(self) -> pd.DataFrame:
        """Rows per table and grade, in the order of :data:`GRADES` (columns table, grade, rows)."""
        parts = []
        for name in ("systems", "links", "workloads", "examples", "parameters", "suitability", "defect_densities",
                     "wafer_prices", "measurements", "events"):
            df = getattr(self, name)
            c = df.groupby("grade").size()
            parts += [{"table": name, "grade": g, "rows": int(c.get(g, 0))} for g in GRADES if c.get(g, 0)]
        return pd.DataFrame(parts, columns=["table", "grade", "rows"])

    @property
    def fact_count(self) -> int:
        """Number of sourced fact rows across all numeric tables."""
        return sum(len(t) for t in (self.systems, self.links, self.workloads, self.examples, self.parameters,
                                    self.suitability, self.defect_densities, self.wafer_prices, self.measurements, self.events))


def _load(root: Path) -> Catalog:
    sources_df = _read_sources(root / "references.bib")
    keys = set(sources_df["key"])
    entities = _load_entities(root)
    systems = _load_long(root, "systems", entities, keys)
    _check_areas(systems)
    links = _load_long(root, "links", entities, keys)
    workloads = _load_long(root, "workloads", entities, keys)
    examples = _load_long(root, "examples", entities, keys)
    sys_ids = set(entities.loc[entities["table"] == "systems", "id"])
    workload_ids = set(entities.loc[entities["table"].isin(_WORKLOAD_TABLES), "id"])
    return Catalog(
        entities=entities,
        systems=systems,
        links=links,
        workloads=workloads,
        examples=examples,
        defect_densities=_load_series(root, "defect_densities", keys, sys_ids),
        wafer_prices=_load_series(root, "wafer_prices", keys, sys_ids),
        measurements=_load_series(root, "measurements", keys, sys_ids, workload_ids),
        events=_load_series(root, "events", keys, sys_ids),
        sources=sources_df,
        root=root,
        parameters=_load_long(root, "parameters", entities, keys),
        suitability=_load_long(root, "suitability", entities, keys),
        topology=_load_topology(root, entities),
    )


@lru_cache(maxsize=8)
def _load_cached(root: str) -> Catalog:
    from .diskcache import cached

    return cached(Path(root), _load)


def load(root: str | Path | None = None) -> Catalog:
    """Load and validate the catalog (cached per folder, in this process and on disk: :mod:`.diskcache`).

    Parameters
    ----------
    root : path, optional
        Folder with the CSV files and ``references.bib``; defaults to :func:`data_dir`
        (``$WAFERSCALE_DATA`` when set, else the package's own data). Pass a copy to test additions without touching the package.

    Raises
    ------
    CatalogError
        For the first malformed row, naming file, line and field.
    """
    return _load_cached(str(Path(root) if root is not None else data_dir()))
