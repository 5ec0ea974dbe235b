"""Corrupted catalogs: every corruption is a CatalogError naming the file, the line and the field (issue 13).

Each case copies the data folder, applies one corruption (a cell rewritten, a header column added, a byte
that is not UTF-8, a file cut to its header ...) and expects a :class:`CatalogError` whose message starts
``file, line N, field 'F': ``, with the line and field the corruption touched. Line numbers are found in the
copy, so the cases survive rows being added to the catalog.
"""
from __future__ import annotations

import csv
import io
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import given, settings, strategies as st

from waferscale.data import catalog as C
from waferscale.data.catalog import CatalogError

CSV_FILES = ("defect_densities.csv", "entities.csv", "events.csv", "examples.csv", "links.csv", "measurements.csv",
             "parameters.csv", "suitability.csv", "systems.csv", "topology.csv", "wafer_prices.csv", "workloads.csv")
#: A row of each file, and a free-text cell of it, for the corruptions that need one.
ROW_OF = {
    "defect_densities.csv": ("d0_flynn1995_textbook,", "note"),
    "entities.csv": ("wse3,", "name"),
    "events.csv": ("ti_full_slice_1969,", "note"),
    "examples.csv": ("hp6e_example_large,defects_per_cm2,", "note"),
    "links.csv": ("wse3_fabric,ports,", "note"),
    "measurements.csv": ("cer_llama31_8b_2024,", "note"),
    "parameters.csv": ("cooling_conventional,heat_flux_w_per_cm2,", "note"),
    "suitability.csv": ("suit_dense_training,flop_per_step,", "note"),
    "systems.csv": ("wse3,process_nm,", "note"),
    "topology.csv": ("dgx_h100,", "note"),
    "wafer_prices.csv": ("wp_90nm_digitimes,", "note"),
    "workloads.csv": ("llama3_1_8b,layers,", "note"),
}


# -- editing a copy -------------------------------------------------------------------------------
def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines), encoding="utf-8")


def _find(path: Path, needle: str) -> int:
    """1-based number of the first line that starts with ``needle``."""
    for i, ln in enumerate(_lines(path)):
        if ln.startswith(needle):
            return i + 1
    raise AssertionError(f"no line of {path.name} starts with {needle!r}")


def _header(path: Path) -> tuple[int, list[str]]:
    for i, ln in enumerate(_lines(path)):
        if ln.strip() and not ln.startswith("#"):
            return i + 1, next(csv.reader([ln]))
    raise AssertionError(path.name)


def _row(cells: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    return buf.getvalue()


def set_cells(file: str, needle: str, **cells: str) -> Callable[[Path], int]:
    """Rewrite named cells of the row that starts with ``needle``."""

    def apply(data: Path) -> int:
        path = data / file
        n = _find(path, needle)
        _, header = _header(path)
        lines = _lines(path)
        row = next(csv.reader([lines[n - 1]]))
        for col, value in cells.items():
            row[header.index(col)] = value
        lines[n - 1] = _row(row)
        _write(path, lines)
        return n

    return apply


def replace_in_line(file: str, needle: str, old: str, new: str) -> Callable[[Path], int]:
    def apply(data: Path) -> int:
        path = data / file
        n = _find(path, needle)
        lines = _lines(path)
        assert old in lines[n - 1], (old, lines[n - 1])
        lines[n - 1] = lines[n - 1].replace(old, new, 1)
        _write(path, lines)
        return n

    return apply


def extra_column(file: str, name: str = "extra_col") -> Callable[[Path], int]:
    def apply(data: Path) -> int:
        path = data / file
        n, _ = _header(path)
        lines = _lines(path)
        lines[n - 1] += "," + name
        _write(path, lines)
        return n

    return apply


def rename_column(file: str, old: str, new: str) -> Callable[[Path], int]:
    def apply(data: Path) -> int:
        path = data / file
        n, header = _header(path)
        lines = _lines(path)
        lines[n - 1] = _row([new if h == old else h for h in header])
        _write(path, lines)
        return n

    return apply


def header_only(file: str) -> Callable[[Path], int]:
    def apply(data: Path) -> int:
        path = data / file
        n, _ = _header(path)
        _write(path, _lines(path)[:n] + [""])
        return n

    return apply


def bad_byte(file: str, needle: str, column: str, byte: bytes = b"\xff") -> Callable[[Path], int]:
    """Put a byte that is not UTF-8 at the start of one cell."""

    def apply(data: Path) -> int:
        path = data / file
        n = _find(path, needle)
        _, header = _header(path)
        lines = _lines(path)
        row = next(csv.reader([lines[n - 1]]))
        row[header.index(column)] = "\x01MARK\x01" + row[header.index(column)]
        lines[n - 1] = _row(row)
        _write(path, lines)
        path.write_bytes(path.read_bytes().replace(b"\x01MARK\x01", byte))
        return n

    return apply


def append_line(file: str, text: str) -> Callable[[Path], int]:
    def apply(data: Path) -> int:
        path = data / file
        lines = _lines(path)
        while lines and lines[-1] == "":
            lines.pop()
        lines.append(text)
        _write(path, lines + [""])
        return len(lines)

    return apply


def write_bytes(file: str, content: bytes, line: int) -> Callable[[Path], int]:
    def apply(data: Path) -> int:
        (data / file).write_bytes(content)
        return line

    return apply


def duplicate_first_bib_key(case_change: bool = False) -> Callable[[Path], int]:
    """Give the second BibTeX entry the first entry's key."""

    def apply(data: Path) -> int:
        path = data / "references.bib"
        lines = _lines(path)
        starts = [i for i, ln in enumerate(lines) if ln.startswith("@")]
        first = lines[starts[0]].split("{", 1)[1].rstrip(",")
        key = first.upper() if case_change else first
        kind = lines[starts[1]].split("{", 1)[0]
        lines[starts[1]] = f"{kind}{{{key},"
        _write(path, lines)
        return starts[1] + 1

    return apply


def bib_field_line(field_name: str, old: str, new: str, entry: int = 0) -> Callable[[Path], int]:
    """Rewrite ``old`` to ``new`` in the ``field_name = ...`` line of the ``entry``-th BibTeX entry."""

    def apply(data: Path) -> int:
        path = data / "references.bib"
        lines = _lines(path)
        start = [i for i, ln in enumerate(lines) if ln.startswith("@")][entry]
        n = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(field_name))
        assert old in lines[n], (old, lines[n])
        lines[n] = lines[n].replace(old, new, 1)
        _write(path, lines)
        return n + 1

    return apply


def bib_entry_line(old: str, new: str, entry: int = 0) -> Callable[[Path], int]:
    def apply(data: Path) -> int:
        path = data / "references.bib"
        lines = _lines(path)
        n = [i for i, ln in enumerate(lines) if ln.startswith("@")][entry]
        assert old in lines[n]
        lines[n] = lines[n].replace(old, new, 1)
        _write(path, lines)
        return n + 1

    return apply


def bib_bad_byte(data: Path, where: bytes) -> int:
    """Splice the byte 0xff into references.bib after the first three bytes of ``where``."""
    path = data / "references.bib"
    raw = path.read_bytes()
    at = raw.index(where) + 3
    path.write_bytes(raw[:at] + b"\xff" + raw[at:])
    return raw[:at].count(b"\n") + 1


def bib_drop_entry_close(data: Path) -> int:
    """Drop the closing brace of the first entry: the entry is never closed... until the next one nests in it."""
    path = data / "references.bib"
    lines = _lines(path)
    start = next(i for i, ln in enumerate(lines) if ln.startswith("@"))
    close = next(i for i in range(start, len(lines)) if lines[i] == "}")
    lines[close] = ""
    _write(path, lines)
    return start + 1


# -- the cases ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    file: str
    apply: Callable[[Path], int]  # corrupts the copy, returns the line the error must name
    field: str
    message: str = ""  # a fragment the problem must contain


S, W, L, M, E = "systems.csv", "workloads.csv", "links.csv", "measurements.csv", "events.csv"
D, P, B = "defect_densities.csv", "wafer_prices.csv", "references.bib"
WSE3 = "wse3,process_nm,"
MEAS = "cer_llama31_70b_2024,"  # conditions ...;chips=4
TOPO = "dgx_h100,"

CASES: dict[str, Case] = {
    # systems.csv: the common columns of a fact row
    "source missing": Case(S, set_cells(S, WSE3, source=""), "source", "is missing"),
    "source unknown": Case(S, set_cells(S, WSE3, source="nobody2099"), "source", "not a key in references.bib"),
    "source one of two unknown": Case(S, set_cells(S, WSE3, source="tomshardware2024wse3;nobody2099"), "source"),
    "grade unknown": Case(S, set_cells(S, WSE3, grade="rumour"), "grade", "'rumour' is not one of"),
    "unit does not parse": Case(S, set_cells(S, WSE3, unit="TB/z"), "unit", "does not parse"),
    "unit wrong dimension": Case(S, set_cells(S, WSE3, unit="W"), "unit", "dimension"),
    "unit Tb/s is barn": Case(S, set_cells(S, "h100_sxm,hbm_bytes_per_s,", unit="Tb/s"), "unit", "barn"),
    "unit empty": Case(S, set_cells(S, WSE3, unit=""), "unit", "empty"),
    "value not a number": Case(S, set_cells(S, WSE3, value="fast"), "value", "not a number"),
    "value nan": Case(S, set_cells(S, WSE3, value="nan"), "value", "not finite"),
    "value inf": Case(S, set_cells(S, WSE3, value="inf"), "value", "not finite"),
    "value missing": Case(S, set_cells(S, WSE3, value=""), "value", "is missing"),
    "value above physical range": Case(S, set_cells(S, WSE3, value="5000"), "value", "outside the physical range"),
    "value negative": Case(S, set_cells(S, WSE3, value="-5"), "value", "outside the physical range"),
    "low without high": Case(S, set_cells(S, WSE3, low="4"), "high", "give both low and high"),
    "high without low": Case(S, set_cells(S, WSE3, high="6"), "low", "give both low and high"),
    "value outside low..high": Case(S, set_cells(S, WSE3, low="6", high="7"), "value", "not within low..high"),
    "low below physical range": Case(S, set_cells(S, WSE3, low="0.1", high="7"), "low", "outside the physical range"),
    "high above physical range": Case(S, set_cells(S, WSE3, low="4", high="5000"), "high", "outside the physical range"),
    "low not a number": Case(S, set_cells(S, WSE3, low="four", high="6"), "low", "not a number"),
    "date free text": Case(S, set_cells(S, WSE3, date="last year"), "date", "is not YYYY"),
    "date month 13 day 45": Case(S, set_cells(S, WSE3, date="2024-13-45"), "date", "month 13"),
    "date 30 February": Case(S, set_cells(S, WSE3, date="2023-02-30"), "date", "day 30 does not exist"),
    "date month 00": Case(S, set_cells(S, WSE3, date="2024-00"), "date", "month 00"),
    "date year 1800": Case(S, set_cells(S, WSE3, date="1800"), "date", "outside 1940..2100"),
    "date missing": Case(S, set_cells(S, WSE3, date=""), "date", "is not YYYY"),
    "field unknown": Case(S, set_cells(S, WSE3, field="warp_factor"), "field", "not a known field"),
    "system not in entities": Case(S, set_cells(S, WSE3, system="h900"), "system", "not listed in entities.csv"),
    "system of another table": Case(S, set_cells(S, WSE3, system="nvlink4"), "system", "not listed"),
    "field twice": Case(S, set_cells(S, "wse3,die_area_mm2,", field="process_nm"), "field", "appears twice"),
    "chips not whole": Case(S, set_cells(S, "cs3,chips,", value="8.7"), "value", "not a whole number"),
    "cores not whole": Case(S, set_cells(S, "wse3,cores_physical,", value="970000.5"), "value", "not a whole number"),
    "release year not whole": Case(S, set_cells(S, "wse3,release_year,", value="2024.5"), "value", "whole"),
    "release year 1e9": Case(S, set_cells(S, "wse3,release_year,", value="1e9"), "value", "physical range"),
    "row with an extra cell": Case(S, replace_in_line(S, WSE3, "TSMC 5 nm", "TSMC 5 nm,x"), "-", "has 11 cells"),
    "unclosed quote": Case(S, replace_in_line(S, WSE3, "TSMC 5 nm", '"TSMC 5 nm'), "-", "not a CSV row"),
    "control character": Case(S, replace_in_line(S, WSE3, "TSMC 5 nm", "TSMC\x0c5 nm"), "note", "control character"),
    "header lacks a column": Case(S, rename_column(S, "grade", "grad"), "grade", "header lacks"),
    "header repeats a column": Case(S, extra_column(S, "grade"), "grade", "appears twice in the header"),
    # workloads, links, examples, parameters, suitability: ranges and counts per field
    "layers 32.5": Case(W, set_cells(W, "llama3_1_8b,layers,", value="32.5"), "value", "not a whole number"),
    "heads zero": Case(W, set_cells(W, "llama3_1_8b,heads,", value="0"), "value", "physical range"),
    "workload not in entities": Case(W, set_cells(W, "llama3_1_8b,layers,", workload="gpt9"), "workload", "not listed"),
    "ports 5.5": Case(L, set_cells(L, "wse3_fabric,ports,", value="5.5"), "value", "not a whole number"),
    "latency out of range": Case(L, set_cells(L, "nvlink3,latency_s,", value="8.92e9"), "value", "physical range"),
    "link unknown": Case(L, set_cells(L, "nvlink3,latency_s,", link="nvlink99"), "link", "not listed"),
    "die yield above one": Case("examples.csv", set_cells("examples.csv", "hp6e_example_large,printed_die_yield,",
                                                          value="1.5"), "value", "physical range"),
    "example field unknown": Case("examples.csv", set_cells("examples.csv", "hp6e_example_large,printed_die_yield,",
                                                            field="yield_ish"), "field", "not a known field"),
    "parameter year 1e9": Case("parameters.csv", set_cells("parameters.csv", "deloitte_inference_2023,year,",
                                                          value="1e9"), "value", "physical range"),
    "parameter year not whole": Case("parameters.csv", set_cells("parameters.csv", "deloitte_inference_2023,year,",
                                                                value="2023.5"), "value", "whole"),
    "share above 100 percent": Case("parameters.csv", set_cells("parameters.csv", "deloitte_inference_2023,inference_share,",
                                                               value="250"), "value", "physical range"),
    "neighbour share negative": Case("suitability.csv", set_cells("suitability.csv", "suit_dense_training,neighbour_share,",
                                                                  value="-0.1"), "value", "physical range"),
    "rounds not whole": Case("suitability.csv", set_cells("suitability.csv", "suit_dense_training,comm_rounds_per_step,",
                                                          value="2.5"), "value", "whole"),
    # series tables: their own numeric columns go through the same range checks
    "defect node_nm negative": Case(D, set_cells(D, "d0_flynn1995_textbook,", node_nm="-5"), "node_nm", "physical range"),
    "defect node_nm not a number": Case(D, set_cells(D, "d0_flynn1995_textbook,", node_nm="abc"), "node_nm", "not a number"),
    "defect year 1e9": Case(D, set_cells(D, "d0_flynn1995_textbook,", year="1e9"), "year", "physical range"),
    "defect year not whole": Case(D, set_cells(D, "d0_flynn1995_textbook,", year="1995.5"), "year", "whole"),
    "defect density out of range": Case(D, set_cells(D, "d0_flynn1995_textbook,", value="1000"), "value", "physical"),
    "defect id twice": Case(D, set_cells(D, "d0_agrawal_initial,", id="d0_flynn1995_textbook"), "id", "appears twice"),
    "defect id malformed": Case(D, set_cells(D, "d0_flynn1995_textbook,", id="Bad Id"), "id", "lower-case"),
    "defect date 30 February": Case(D, set_cells(D, "d0_flynn1995_textbook,", date="2023-02-30"), "date", "day 30"),
    "wafer node_nm negative": Case(P, set_cells(P, "wp_90nm_digitimes,", node_nm="-3"), "node_nm", "physical range"),
    "wafer year 1e9": Case(P, set_cells(P, "wp_90nm_digitimes,", year="1e9"), "year", "physical range"),
    "wafer price negative": Case(P, set_cells(P, "wp_90nm_digitimes,", value="-1"), "value", "physical range"),
    # measurements
    "measurement of unknown workload": Case(M, set_cells(M, MEAS, workload="gpt9"), "workload", "not a workload"),
    "measurement workload is a system": Case(M, set_cells(M, MEAS, workload="wse3"), "workload", "not a workload"),
    "conditions chips=abc": Case(M, replace_in_line(M, MEAS, "chips=4", "chips=abc"), "conditions", "not a number"),
    "conditions chips=8.7": Case(M, replace_in_line(M, MEAS, "chips=4", "chips=8.7"), "conditions", "whole"),
    "conditions chips=0": Case(M, replace_in_line(M, MEAS, "chips=4", "chips=0"), "conditions", "physical range"),
    "conditions key twice": Case(M, replace_in_line(M, MEAS, "chips=4", "chips=4;batch=2"), "conditions", "appears twice"),
    "conditions key unknown": Case(M, replace_in_line(M, MEAS, "chips=4", "warp=9"), "conditions", "not a known condition"),
    "conditions without =": Case(M, replace_in_line(M, MEAS, "chips=4", "chips"), "conditions", "not key=value"),
    "conditions label malformed": Case(M, replace_in_line(M, MEAS, "precision=bf16", "precision=BF 16"), "conditions",
                                       "label"),
    "conditions ranks=1.5": Case(M, replace_in_line(M, "ar_8xh100_10gb,", "ranks=8", "ranks=1.5"), "conditions", "whole"),
    "quantity unknown": Case(M, set_cells(M, MEAS, quantity="vibes"), "quantity", "not one of"),
    "role unknown": Case(M, set_cells(M, MEAS, role="training"), "role", "not one of"),
    "measurement system unknown": Case(M, set_cells(M, MEAS, system="h900"), "system", "not a system id"),
    "measurement date impossible": Case(M, set_cells(M, MEAS, date="2024-08-32"), "date", "day 32"),
    "measurement id twice": Case(M, set_cells(M, MEAS, id="cer_llama31_8b_2024"), "id", "appears twice"),
    "measurement value out of range": Case(M, set_cells(M, MEAS, value="1e9", low="", high=""), "value", "physical"),
    # events
    "event date month 13": Case(E, set_cells(E, "ti_full_slice_1969,", date="2024-13-45"), "date", "month 13"),
    "event date 30 February": Case(E, set_cells(E, "ti_full_slice_1969,", date="2023-02-30"), "date", "day 30"),
    "event unit does not parse": Case(E, set_cells(E, "ti_full_slice_1969,", unit="parsec/z"), "unit", "does not parse"),
    "event value negative": Case(E, set_cells(E, "ti_full_slice_1969,", value="-1"), "value", "physical range"),
    "event value huge": Case(E, set_cells(E, "ti_full_slice_1969,", value="1e30"), "value", "physical range"),
    "event value text": Case(E, set_cells(E, "ti_full_slice_1969,", value="big"), "value", "not a number"),
    "event category unknown": Case(E, set_cells(E, "ti_full_slice_1969,", category="gossip"), "category", "not one of"),
    "event title missing": Case(E, set_cells(E, "ti_full_slice_1969,", title=""), "title", "is missing"),
    "event grade unknown": Case(E, set_cells(E, "ti_full_slice_1969,", grade="rumour"), "grade", "not one of"),
    "event entity malformed": Case(E, set_cells(E, "ti_full_slice_1969,", entity="Texas Instruments"), "entity", "lower"),
    # entities and topology
    "entity table unknown": Case("entities.csv", set_cells("entities.csv", "wse3,", table="gadgets"), "table", "not one of"),
    "entity kind unknown": Case("entities.csv", set_cells("entities.csv", "wse3,", kind="toaster"), "kind", "not one of"),
    "entity name missing": Case("entities.csv", set_cells("entities.csv", "wse3,", name=""), "name", "is missing"),
    "entity chip unknown": Case("entities.csv", set_cells("entities.csv", "dgx_h100,", chip="h900"), "chip", "not an entity"),
    "entity id twice": Case("entities.csv", set_cells("entities.csv", "wse2,", id="wse1"), "id", "appears twice"),
    "entity id malformed": Case("entities.csv", set_cells("entities.csv", "wse3,", id="WSE-3"), "id", "lower-case"),
    "entities only comments": Case("entities.csv", write_bytes("entities.csv", b"# nothing here\n", 1), "-", "no header"),
    "topology system unknown": Case("topology.csv", set_cells("topology.csv", TOPO, system="h900"), "system", "not a system"),
    "topology link unknown": Case("topology.csv", set_cells("topology.csv", TOPO, scale_up="nolink"), "scale_up", "not a link"),
    "topology system twice": Case("topology.csv", set_cells("topology.csv", TOPO, system="h100_sxm"), "system", "twice"),
    # references.bib
    "bib empty": Case(B, write_bytes(B, b"", 1), "-", "no entries"),
    "bib only comments": Case(B, write_bytes(B, b"% nothing\n", 1), "-", "no entries"),
    "bib field never closed": Case(B, bib_field_line("year", "{2025}", "{2025"), "year", "never closed"),
    "bib a brace too many": Case(B, bib_field_line("title", "Problem}", "Problem}}"), "title", "'}' too many"),
    "bib entry never closed": Case(B, bib_drop_entry_close, "key", "never closed"),
    "bib key twice": Case(B, duplicate_first_bib_key(), "key", "appears twice"),
    "bib key twice, other case": Case(B, duplicate_first_bib_key(case_change=True), "key", "appears twice"),
    "bib entry without key": Case(B, bib_entry_line("cerebras2025defecttolerance", ""), "key", "has no key"),
    "bib year not a year": Case(B, bib_field_line("year", "{2025}", "{20x5}"), "year", "four-digit"),
    "bib year 1800": Case(B, bib_field_line("year", "{2025}", "{1800}"), "year", "outside 1940..2100"),
    "bib month unknown": Case(B, bib_field_line("month", "jan", "{Smarch}"), "month", "not a month"),
    "bib text between entries": Case(B, append_line(B, "stray text"), "-", "outside any entry"),
    "bib not utf-8": Case(B, lambda data: bib_bad_byte(data, b"100x Defect"), "-", "byte 0xff at column 22"),
}
# every CSV file: an unknown extra column, a header and no rows, a byte that is not UTF-8
for _f in CSV_FILES:
    CASES[f"{_f} unknown column"] = Case(_f, extra_column(_f), "extra_col", "is not a column")
    CASES[f"{_f} header only"] = Case(_f, header_only(_f), "-", "no rows")
    CASES[f"{_f} not utf-8"] = Case(_f, bad_byte(_f, *ROW_OF[_f]), ROW_OF[_f][1], "byte 0xff at column")

#: Corruptions the fuzz run of issue 13 found loading silently or crashing with another exception.
USED_TO_SLIP = ("date month 13 day 45", "date 30 February", "date month 00", "layers 32.5", "chips not whole",
                "measurement of unknown workload", "conditions chips=abc", "conditions key twice",
                "defect node_nm negative", "parameter year 1e9", "defect year 1e9", "systems.csv header only",
                "bib empty", "bib a brace too many", "bib key twice", "systems.csv not utf-8", "systems.csv unknown column")


def _load(data: Path):
    C._load_cached.cache_clear()
    return C.load(data)


def test_there_are_enough_cases():
    assert len(CASES) >= 74
    assert set(USED_TO_SLIP) <= set(CASES)


@pytest.mark.parametrize("case", list(CASES))
def test_corruption_is_rejected_with_file_line_and_field(data_copy, case):
    c = CASES[case]
    line = c.apply(data_copy)
    with pytest.raises(CatalogError) as err:
        _load(data_copy)
    e = err.value
    assert isinstance(e, ValueError)
    assert (e.file, e.line, e.column) == (c.file, line, c.field), str(e)
    assert str(e).startswith(f"{c.file}, line {line}, field {c.field!r}: "), str(e)
    assert c.message in e.problem, str(e)


def test_non_utf8_names_line_and_byte_column(data_copy):
    path = data_copy / "systems.csv"
    n = _find(path, WSE3)
    lines = _lines(path)
    col = lines[n - 1].index("TSMC") + 1
    path.write_bytes(path.read_bytes().replace(b"TSMC 5 nm", b"TSMC\xe9 5 nm", 1))
    with pytest.raises(CatalogError) as err:
        _load(data_copy)
    assert (err.value.line, err.value.column) == (n, "note")
    assert f"byte 0xe9 at column {col + 4}" in str(err.value)


def test_unmodified_copy_loads_cleanly(data_copy, cat):
    copy = _load(data_copy)
    assert copy.fact_count == cat.fact_count
    assert len(copy.measurements) == len(cat.measurements)


def test_a_corruption_that_used_to_load_is_now_caught(data_copy):
    """2023-02-30 matched the old YYYY-MM-DD pattern and loaded; now the calendar says no."""
    line = set_cells(S, WSE3, date="2023-02-30")(data_copy)
    with pytest.raises(CatalogError, match=rf"^systems\.csv, line {line}, field 'date': '2023-02-30': day 30"):
        _load(data_copy)


def test_valid_edge_cases_still_load(data_copy):
    set_cells(S, WSE3, date="2024-02-29")(data_copy)  # a leap day
    set_cells(S, "cs3,chips,", value="1.0")(data_copy)  # a count written as 1.0 is whole
    set_cells(D, "d0_flynn1995_textbook,", year="1995.0")(data_copy)
    _load(data_copy)


# -- random corruption: load, or a CatalogError naming the corrupted file; never another exception ----------
JUNK = ["", "-1", "1e400", "nan", "0", "1.5", "abc", "2024-02-30", "x;y=z", "=", '"', "\u00e9", "\x00", "  ", "9" * 40,
        "count", "W", "None", "a,b", "{", "}", "@misc{x,", "0x10", "1_000", "-0", "1e-400"]


#: Files whose ids other files cite: a corrupted id there may surface where it is cited.
CITED = ("entities.csv", "references.bib")


@settings(max_examples=15, derandomize=True, deadline=None, database=None)
@given(data=st.data())
def test_random_text_in_a_random_cell_loads_or_names_the_file(tmp_path_factory, data):
    """Random text written into a random cell of a random row: a clean load, or a CatalogError naming the file."""
    copy = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(C.data_dir(), copy)
    name = data.draw(st.sampled_from(CSV_FILES), label="file")
    path = copy / name
    lines = _lines(path)
    rows = [i for i, ln in enumerate(lines) if ln.strip() and not ln.startswith("#")]
    i = data.draw(st.sampled_from(rows), label="line index")
    cells = next(csv.reader([lines[i]]))
    j = data.draw(st.integers(0, len(cells) - 1), label="cell")
    cells[j] = data.draw(st.one_of(st.sampled_from(JUNK), st.text(max_size=12)), label="text")
    lines[i] = _row(cells)
    _write(path, lines)
    try:
        _load(copy)
    except CatalogError as e:
        assert e.file == name or name in CITED, str(e)
        assert str(e).startswith(f"{e.file}, line {e.line}, field {e.column!r}: ")


def test_random_bib_bytes_never_crash(data_copy):
    """Random bytes spliced into references.bib: a CatalogError naming references.bib, or a clean load."""
    rng = random.Random(13)
    path = data_copy / B
    original = path.read_bytes()
    for _ in range(6):
        at = rng.randrange(len(original))
        junk = bytes(rng.choice(b"{}@,=%\"\n\xff\xc3a1 ") for _ in range(rng.randint(1, 4)))
        path.write_bytes(original[:at] + junk + original[at:])
        try:
            _load(data_copy)
        except CatalogError as e:
            assert e.file in (B, "systems.csv", "links.csv", "workloads.csv", "examples.csv", "parameters.csv",
                              "suitability.csv", "defect_densities.csv", "wafer_prices.csv", "measurements.csv",
                              "events.csv"), str(e)  # a damaged key surfaces where it is cited
