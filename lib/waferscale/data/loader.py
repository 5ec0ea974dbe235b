"""Reading and validating catalog rows: CSV cells, numbers in range and unit, dates, ids, sources,
conditions; one function per table kind. Every problem is a :class:`~waferscale.data.schema.CatalogError`
naming the file, the line and the field."""

from __future__ import annotations

import csv
import math
import datetime as _dt
from pathlib import Path

import pandas as pd

from ..core.units import UnitError, to_canonical, parse_unit
from .schema import (CONDITIONS, EVENT_CATEGORIES, EVENT_VALUE, FIELDS, GRADES, ROLES, SERIES_COLUMNS, TABLES, _CONTROL, _DATE,
                     _ENTITY_COLUMNS, _ENTITY_KINDS, _ID, _LABEL, _TOPOLOGY_COLUMNS, CatalogError, FieldSpec)


def _read_text(path: Path) -> str:
    """The text of a catalog file; a byte that is not UTF-8 is a :class:`CatalogError` naming line, column and byte."""
    name = path.name
    if not path.exists():
        raise CatalogError(name, 0, "-", "file is missing")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at = exc.start
        line = data.count(b"\n", 0, at) + 1
        col = at - (data.rfind(b"\n", 0, at) + 1) + 1
        column = "-"
        if name.endswith(".csv"):  # name the cell: the header is the first line that is not a comment
            lines = data.decode("utf-8", "surrogateescape").split("\n")
            header = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
            try:
                names = [h.strip() for h in next(csv.reader([header]))]
                cells = next(csv.reader([lines[line - 1]]))
                hit = next(i for i, c in enumerate(cells) if any("\udc80" <= ch <= "\udcff" for ch in c))
                column = names[hit] if hit < len(names) else "-"
            except (csv.Error, StopIteration, IndexError):
                pass
        raise CatalogError(
            name, line, column, f"byte 0x{data[at]:02x} at column {col} (byte offset {at} in the file) is not UTF-8"
        ) from None


def _cells(name: str, line: int, text: str) -> list[str]:
    try:
        return next(csv.reader([text], strict=True))
    except csv.Error as exc:
        raise CatalogError(name, line, "-", f"is not a CSV row ({exc})") from None


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Read a CSV file, skipping comments, and return (line number, row) pairs.

    The header must name exactly ``columns`` (any order), and at least one row must follow it.
    """
    name = path.name
    lines = [ln.removesuffix("\r") for ln in _read_text(path).split("\n")]  # not splitlines: it splits on \x0c too
    if lines and lines[-1] == "":
        lines.pop()
    numbered = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")]
    if not numbered:
        raise CatalogError(name, max(len(lines), 1), "-", "file has no header")
    header_line, header_text = numbered[0]
    header = [h.strip() for h in _cells(name, header_line, header_text)]
    missing = [c for c in columns if c not in header]
    if missing:
        raise CatalogError(name, header_line, missing[0], f"header lacks column(s) {missing}")
    for i, h in enumerate(header):
        if h not in columns:
            raise CatalogError(name, header_line, h or "-", f"is not a column of {name}; the columns are {list(columns)}")
        if h in header[:i]:
            raise CatalogError(name, header_line, h, "appears twice in the header")
    if len(numbered) == 1:
        raise CatalogError(name, header_line, "-", "has a header but no rows")
    out = []
    for lineno, text in numbered[1:]:
        cells = _cells(name, lineno, text)
        if len(cells) != len(header):
            raise CatalogError(name, lineno, "-", f"has {len(cells)} cells, header has {len(header)}")
        for h, c in zip(header, cells):
            bad = _CONTROL.search(c)
            if bad:
                raise CatalogError(name, lineno, h, f"control character U+{ord(bad.group()):04X} in the cell")
        out.append((lineno, {h: c.strip() for h, c in zip(header, cells)}))
    return out


def _number(name: str, line: int, column: str, text: str, required: bool = True) -> float | None:
    if text == "":
        if required:
            raise CatalogError(name, line, column, "is missing")
        return None
    try:
        x = float(text.replace("_", ""))
    except ValueError:
        raise CatalogError(name, line, column, f"{text!r} is not a number") from None
    if not math.isfinite(x):
        raise CatalogError(name, line, column, f"{text!r} is not finite")
    return x


def _check_range(name: str, line: int, column: str, x: float, spec: FieldSpec, label: str, written: str) -> None:
    """``x`` (in ``spec.unit``) must lie in the field's physical range, and be whole where the field counts.

    ``written`` is the cell as written (with its unit where the row has one). Whole means within a relative
    1e-9 of an integer, so a count that went through a unit conversion is not rejected for rounding.
    """
    unit = f" {spec.unit}" if spec.unit else ""
    if not spec.lo <= x <= spec.hi:
        shown = written if not unit or written.endswith(unit) else f"{written} = {x:.4g}{unit}"
        raise CatalogError(
            name, line, column,
            f"{shown} is outside the physical range [{spec.lo:.3g}, {spec.hi:.3g}]{unit} for {label}",
        )
    if spec.integer and abs(x - round(x)) > 1e-9 * max(1.0, abs(x)):
        raise CatalogError(name, line, column, f"{written} is not a whole number, but {label} counts whole things")


def _checked_number(name: str, line: int, column: str, text: str, spec: FieldSpec, label: str) -> float:
    """A required number in ``spec.unit``, range- and integer-checked: the one path for numeric cells without a unit column."""
    x = _number(name, line, column, text)
    assert x is not None
    _check_range(name, line, column, x, spec, label, text)
    return x


def _check_date(name: str, line: int, column: str, text: str) -> None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, a real calendar date, year 1940..2100."""
    m = _DATE.match(text)
    if not m:
        raise CatalogError(name, line, column, f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if not 1940 <= year <= 2100:
        raise CatalogError(name, line, column, f"year {year} is outside 1940..2100")
    if month is not None and not 1 <= int(month) <= 12:
        raise CatalogError(name, line, column, f"{text!r}: month {month} is not 01..12")
    if day is not None:
        try:
            _dt.date(year, int(month), int(day))  # type: ignore[arg-type]
        except ValueError:
            raise CatalogError(name, line, column, f"{text!r}: day {day} does not exist in {year}-{month}") from None


def _check_id(name: str, line: int, column: str, text: str) -> None:
    if not _ID.match(text):
        raise CatalogError(name, line, column, f"{text!r} must be lower-case letters, digits and _")


def _check_common(name: str, line: int, row: dict[str, str], sources: set[str], need_date: bool = True) -> None:
    if not row.get("source"):
        raise CatalogError(name, line, "source", "is missing: every fact needs a source key")
    for key in row["source"].split(";"):
        if key.strip() not in sources:
            raise CatalogError(name, line, "source", f"{key.strip()!r} is not a key in references.bib")
    grade = row.get("grade", "")
    if grade not in GRADES:
        raise CatalogError(name, line, "grade", f"{grade!r} is not one of {sorted(GRADES)}")
    date_text = row.get("date", "")
    if need_date or date_text:
        _check_date(name, line, "date", date_text)


def _convert(name: str, line: int, row: dict[str, str], spec: FieldSpec, label: str) -> tuple[float, float | None, float | None]:
    value = _number(name, line, "value", row["value"])
    low = _number(name, line, "low", row.get("low", ""), required=False)
    high = _number(name, line, "high", row.get("high", ""), required=False)
    if (low is None) != (high is None):
        raise CatalogError(name, line, "low" if low is None else "high", "give both low and high, or neither")
    try:
        conv = [None if x is None else to_canonical(x, row["unit"], spec.unit) for x in (value, low, high)]
    except UnitError as exc:
        raise CatalogError(name, line, "unit", str(exc)) from None
    v, lo, hi = conv
    assert v is not None
    for column, x in (("value", v), ("low", lo), ("high", hi)):
        if x is not None:
            _check_range(name, line, column, x, spec, label, f"{row[column]} {row['unit']}")
    if lo is not None and hi is not None and not lo <= v <= hi:
        raise CatalogError(name, line, "value", f"{row['value']} is not within low..high = {row['low']}..{row['high']}")
    return v, lo, hi


def _load_entities(root: Path) -> pd.DataFrame:
    name = "entities.csv"
    rows = _read_rows(root / name, _ENTITY_COLUMNS)
    seen: set[str] = set()
    for line, r in rows:
        _check_id(name, line, "id", r["id"])
        if r["id"] in seen:
            raise CatalogError(name, line, "id", f"{r['id']!r} appears twice")
        seen.add(r["id"])
        if r["table"] not in _ENTITY_KINDS:
            raise CatalogError(name, line, "table", f"{r['table']!r} is not one of {sorted(_ENTITY_KINDS)}")
        if r["kind"] not in _ENTITY_KINDS[r["table"]]:
            raise CatalogError(name, line, "kind", f"{r['kind']!r} is not one of {_ENTITY_KINDS[r['table']]}")
        if not r["name"]:
            raise CatalogError(name, line, "name", "is missing")
    for line, r in rows:
        if r["chip"] and r["chip"] not in seen:
            raise CatalogError(name, line, "chip", f"{r['chip']!r} is not an entity id")
    return pd.DataFrame([r for _, r in rows], columns=list(_ENTITY_COLUMNS))


def _load_topology(root: Path, entities: pd.DataFrame) -> pd.DataFrame:
    name = "topology.csv"
    if not (root / name).exists():
        return pd.DataFrame(columns=list(_TOPOLOGY_COLUMNS))
    systems = set(entities.loc[entities["table"] == "systems", "id"])
    links = set(entities.loc[entities["table"] == "links", "id"])
    rows, seen = [], set()
    for line, r in _read_rows(root / name, _TOPOLOGY_COLUMNS):
        if r["system"] not in systems:
            raise CatalogError(name, line, "system", f"{r['system']!r} is not a system id in entities.csv")
        if r["system"] in seen:
            raise CatalogError(name, line, "system", f"{r['system']!r} appears twice")
        seen.add(r["system"])
        for col in ("scale_up", "scale_out"):
            if r[col] not in links:
                raise CatalogError(name, line, col, f"{r[col]!r} is not a link id in entities.csv")
        rows.append({c: r[c] for c in _TOPOLOGY_COLUMNS})
    return pd.DataFrame(rows, columns=list(_TOPOLOGY_COLUMNS))


def _load_long(root: Path, table: str, entities: pd.DataFrame, sources: set[str]) -> pd.DataFrame:
    fname, idcol, columns = TABLES[table]
    known = set(entities.loc[entities["table"] == table, "id"])
    specs = FIELDS[table]
    out, seen = [], set()
    for line, r in _read_rows(root / fname, columns):
        if r[idcol] not in known:
            raise CatalogError(fname, line, idcol, f"{r[idcol]!r} is not listed in entities.csv for {table}")
        if r["field"] not in specs:
            raise CatalogError(fname, line, "field", f"{r['field']!r} is not a known field; see catalog.FIELDS[{table!r}]")
        key = (r[idcol], r["field"])
        if key in seen:
            raise CatalogError(fname, line, "field", f"{key} appears twice; put conflicting values in low/high")
        seen.add(key)
        _check_common(fname, line, r, sources)
        spec = specs[r["field"]]
        v, lo, hi = _convert(fname, line, r, spec, r["field"])
        out.append({**r, "value": v, "low": lo, "high": hi, "unit": spec.unit, "raw": f"{r['value']} {r['unit']}", "line": line})
    return pd.DataFrame(out, columns=[*columns, "raw", "line"])


def _load_series(root: Path, table: str, sources: set[str], systems: set[str],
                 workloads: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    fname, idcol, columns = TABLES[table]
    out, seen = [], set()
    for line, r in _read_rows(root / fname, columns):
        _check_id(fname, line, idcol, r[idcol])
        if r[idcol] in seen:
            raise CatalogError(fname, line, idcol, f"{r[idcol]!r} appears twice")
        seen.add(r[idcol])
        _check_common(fname, line, r, sources, need_date=True)
        extra: dict[str, object] = {}
        if table in SERIES_COLUMNS:
            spec = FIELDS[table]["value"]
            for col, cspec in SERIES_COLUMNS[table].items():
                x = _checked_number(fname, line, col, r[col], cspec, col)
                extra[col] = int(round(x)) if cspec.integer else x
            label = table
        elif table == "measurements":
            if r["quantity"] not in FIELDS["measurements"]:
                raise CatalogError(fname, line, "quantity", f"{r['quantity']!r} is not one of {sorted(FIELDS['measurements'])}")
            if r["role"] not in ROLES:
                raise CatalogError(fname, line, "role", f"{r['role']!r} is not one of {ROLES}")
            if r["system"] not in systems:
                raise CatalogError(fname, line, "system", f"{r['system']!r} is not a system id in entities.csv")
            if r["workload"] not in workloads:
                raise CatalogError(fname, line, "workload",
                                   f"{r['workload']!r} is not a workload or benchmark id in entities.csv")
            spec = FIELDS["measurements"][r["quantity"]]
            label = r["quantity"]
            extra["conditions"] = _parse_conditions(fname, line, r["conditions"])
        else:  # events: the unit must parse; no canonical unit
            if not r["title"]:
                raise CatalogError(fname, line, "title", "is missing")
            _check_id(fname, line, "entity", r["entity"])
            if r["category"] not in EVENT_CATEGORIES:
                raise CatalogError(fname, line, "category", f"{r['category']!r} is not one of {EVENT_CATEGORIES}")
            try:
                parse_unit(r["unit"])
            except UnitError as exc:
                raise CatalogError(fname, line, "unit", str(exc)) from None
            value = _checked_number(fname, line, "value", r["value"], EVENT_VALUE, f"an event's figure in {r['unit']}")
            out.append({**r, "value": value, "line": line})
            continue
        v, lo, hi = _convert(fname, line, r, spec, label)
        out.append({**r, **extra, "value": v, "low": lo, "high": hi, "unit": spec.unit, "raw": f"{r['value']} {r['unit']}", "line": line})
    cols = [*columns, "line"] + ([] if table == "events" else ["raw"])
    df = pd.DataFrame(out, columns=cols)
    if table == "events":
        df = df.sort_values(["date", "id"], kind="stable").reset_index(drop=True)
    return df


def _parse_conditions(fname: str, line: int, text: str) -> dict[str, str]:
    """``key=value;key=value`` with keys from :data:`CONDITIONS`, each once; numbers checked like fields."""
    out: dict[str, str] = {}
    if not text:
        return out
    for part in text.split(";"):
        if "=" not in part:
            raise CatalogError(fname, line, "conditions", f"{part!r} is not key=value")
        k, v = (x.strip() for x in part.split("=", 1))
        if k not in CONDITIONS:
            raise CatalogError(fname, line, "conditions", f"{k!r} is not a known condition; see waferscale.data.schema.CONDITIONS")
        if k in out:
            raise CatalogError(fname, line, "conditions", f"{k!r} appears twice")
        spec = CONDITIONS[k]
        if spec is None:
            if not _LABEL.match(v):
                raise CatalogError(fname, line, "conditions",
                                   f"{k}={v!r}: a label must be lower-case letters, digits, _ and .")
        else:
            try:
                _checked_number(fname, line, "conditions", v, spec, f"condition {k!r}")
            except CatalogError as exc:
                raise CatalogError(fname, line, "conditions", f"{k}={v!r}: {exc.problem}") from None
        out[k] = v
    return out


#: Relative slack of the area check (a rounded core area may overshoot the die by this much).
AREA_SLACK = 1e-6


def _check_areas(systems: pd.DataFrame, name: str = "systems.csv") -> None:
    """A chip's repairable cores and its area with no spare must fit its die.

    ``cores_physical × core_area_mm2 + critical_area_fraction × die_area_mm2 ≤ die_area_mm2`` with the catalog
    values; a chip that lacks one of the three area facts is not checked. The error names the file, the line of
    the ``core_area_mm2`` row and the field, the product and the die.
    """
    if systems.empty:
        return
    rows = {(r["system"], r["field"]): r for r in systems.to_dict("records")}
    for (system, field), core in rows.items():
        if field != "core_area_mm2":
            continue
        cores, die = rows.get((system, "cores_physical")), rows.get((system, "die_area_mm2"))
        if cores is None or die is None:
            continue
        crit = rows.get((system, "critical_area_fraction"))
        share = 0.0 if crit is None else float(crit["value"])
        used = float(cores["value"]) * float(core["value"]) + share * float(die["value"])
        if used > float(die["value"]) * (1.0 + AREA_SLACK):
            extra = f" + critical_area_fraction {share:g} x die" if share else ""
            raise CatalogError(
                name, int(core["line"]), "value",
                f"system {system!r}, field 'core_area_mm2': cores_physical {float(cores['value']):g} x core_area_mm2 "
                f"{float(core['value']):g} mm^2{extra} = {used:.6g} mm^2 exceeds die_area_mm2 {float(die['value']):g} "
                "mm^2 (the cores must fit the die; lower core_area_mm2 or give its derivation)")
