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

import csv
import math
import re
from dataclasses import dataclass, field
import datetime as _dt
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from ..core.units import UnitError, to_canonical, parse_unit

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

#: Allowed grades, from most to least trustworthy, with the label the book prints.
GRADES: Mapping[str, str] = {
    "spec_sheet": "spec sheet",
    "peer_reviewed": "peer-reviewed",
    "measured_here": "measured here",
    "vendor_claim": "vendor claim",
    "third_party": "third party",
    "derived": "derived",
    "uncertain": "uncertain",
}

#: Roles of measured results: calibration rows may be fitted to; validation rows never are.
ROLES = ("calibration", "validation")


@dataclass(frozen=True)
class FieldSpec:
    """Canonical unit and physically plausible range of one field (in canonical units).

    ``integer`` marks a field that counts whole things (chips, layers, ports, a year): its value, low and
    high must be whole numbers (``8`` or ``8.0``, never ``8.7``).
    """

    unit: str
    lo: float
    hi: float
    doc: str
    integer: bool = False


def _f(unit: str, lo: float, hi: float, doc: str, integer: bool = False) -> FieldSpec:
    return FieldSpec(unit, lo, hi, doc, integer)


def _n(lo: float, hi: float, doc: str) -> FieldSpec:
    """A count of whole things (``count``, integral)."""
    return FieldSpec("count", lo, hi, doc, True)


_FLOPS = _f("flop/s", 1e9, 1e21, "peak tensor throughput")

#: Allowed fields per table: canonical unit and plausible range. A field not listed is rejected.
FIELDS: Mapping[str, Mapping[str, FieldSpec]] = {
    "systems": {
        "process_nm": _f("nm", 1, 1000, "process node, nominal"),
        "die_area_mm2": _f("mm^2", 1, 1e5, "silicon area of the die(s)"),
        "transistors": _n(1e6, 1e14, "transistor count"),
        "cores_physical": _n(1, 1e7, "cores (SMs for GPUs) fabricated"),
        "cores_enabled": _n(1, 1e7, "cores (SMs for GPUs) enabled in the product"),
        "core_area_mm2": _f("mm^2", 1e-4, 1e3, "area of one core (SM for GPUs)"),
        "core_power_w": _f("W", 1e-4, 1e3, "peak power of one core"),
        "clock_hz": _f("Hz", 1e6, 1e10, "core clock"),
        "sram_bytes": _f("byte", 1e3, 1e12, "on-chip SRAM (L2 for GPUs)"),
        "sram_bytes_per_s": _f("byte/s", 1e9, 1e18, "aggregate on-chip SRAM bandwidth"),
        "hbm_bytes": _f("byte", 1e9, 1e15, "off-chip HBM capacity"),
        "hbm_bytes_per_s": _f("byte/s", 1e9, 1e16, "off-chip HBM bandwidth"),
        "fabric_bytes_per_s": _f("byte/s", 1e9, 1e18, "aggregate on-chip fabric bandwidth"),
        "io_bytes_per_s": _f("byte/s", 1e8, 1e15, "off-chip / off-wafer I/O bandwidth, total"),
        "scaleup_bytes_per_s_per_dir": _f("byte/s", 1e8, 1e15, "scale-up (NVLink) bandwidth per chip, per direction"),
        "scaleout_bytes_per_s_per_dir": _f("byte/s", 1e8, 1e15, "scale-out (NIC) bandwidth per chip, per direction"),
        "external_memory_bytes": _f("byte", 1e9, 1e17, "external weight memory (e.g. MemoryX)"),
        "mesh_width_pe": _n(1, 1e5, "processing elements along the fabric's x axis"),
        "mesh_height_pe": _n(1, 1e5, "processing elements along the fabric's y axis"),
        "hop_latency_cycles": _f("count", 0.1, 100, "cycles per mesh hop"),
        "fp16_dense_flop_per_s": _FLOPS,
        "fp16_sparse_flop_per_s": _FLOPS,
        "bf16_dense_flop_per_s": _FLOPS,
        "bf16_sparse_flop_per_s": _FLOPS,
        "fp8_dense_flop_per_s": _FLOPS,
        "fp8_sparse_flop_per_s": _FLOPS,
        "fp4_dense_flop_per_s": _FLOPS,
        "fp4_sparse_flop_per_s": _FLOPS,
        "tdp_w": _f("W", 1, 1e6, "chip/module thermal design power"),
        "system_power_w": _f("W", 10, 1e7, "whole-system power"),
        "chips": _n(1, 1e6, "chips (GPUs or wafers) in the system"),
        "price_usd": _f("USD", 1, 1e10, "purchase price"),
        "release_year": _f("year", 1950, 2100, "year of launch", integer=True),
    },
    "links": {
        "bytes_per_s_per_dir": _f("byte/s", 1e6, 1e16, "bandwidth per endpoint, per direction"),
        "latency_s": _f("s", 1e-12, 1e-2, "one-way latency (alpha)"),
        "energy_j_per_bit": _f("J/bit", 1e-15, 1e-9, "energy per bit moved"),
        "port_power_w": _f("W", 1e-3, 1e4, "power per port or transceiver"),
        "port_bytes_per_s_per_dir": _f("byte/s", 1e6, 1e16, "bandwidth of one port, per direction"),
        "switch_bytes_per_s": _f("byte/s", 1e8, 1e17, "switch capacity, total as the vendor quotes it"),
        "ports": _n(1, 1e6, "ports per switch or links per chip"),
        "domain_chips": _n(1, 1e6, "chips in one scale-up domain"),
        "reach_m": _f("m", 1e-6, 1e5, "reach"),
        "hop_latency_s": _f("s", 1e-12, 1e-3, "latency per hop"),
    },
    "workloads": {
        "params_total": _n(1e6, 1e14, "parameters, all experts included"),
        "params_active": _n(1e6, 1e14, "parameters read per token (active experts only)"),
        "layers": _n(1, 1000, "transformer blocks"),
        "hidden_size": _n(64, 1e6, "model (residual stream) width"),
        "intermediate_size": _n(64, 1e7, "feed-forward width (per expert for MoE)"),
        "heads": _n(1, 1e4, "attention (query) heads"),
        "kv_heads": _n(1, 1e4, "key/value heads (grouped-query attention)"),
        "head_dim": _n(8, 1e4, "width of one attention head"),
        "vocab_size": _n(100, 1e7, "vocabulary size"),
        "experts": _n(1, 1e5, "routed experts per MoE layer"),
        "experts_active": _n(1, 1e4, "routed experts used per token"),
        "shared_experts": _n(0, 1e4, "always-on experts per MoE layer"),
        "moe_layers": _n(1, 1000, "layers with routed experts (the rest are dense)"),
        "intermediate_size_dense": _n(64, 1e7, "feed-forward width of the dense layers of an interleaved MoE"),
        "context_tokens_max": _n(128, 1e9, "maximum context length"),
    },
    "examples": {
        "defects_per_cm2": _f("1/cm^2", 1e-4, 100, "defect density used by the example"),
        "process_complexity": _f("count", 0.1, 100, "H&P's process-complexity factor N"),
        "clustering_alpha": _f("count", 0.01, 1e3, "negative-binomial clustering parameter used"),
        "die_area_mm2": _f("mm^2", 0.01, 1e6, "die area used by the example"),
        "wafer_diameter_mm": _f("mm", 10, 1000, "wafer diameter"),
        "wafer_price_usd": _f("USD", 10, 1e6, "wafer price used by the example"),
        "printed_dies_per_wafer": _n(1, 1e6, "dies per wafer as printed"),
        "printed_die_yield": _f("count", 0, 1, "die yield as printed"),
        "printed_cost_per_die_usd": _f("USD", 0.01, 1e6, "cost per good die as printed"),
        "process_nm": _f("nm", 1, 1000, "process node of the compute dies"),
        "chiplets": _n(1, 1000, "compute chiplets in the multi-chip part"),
        "chiplet_area_mm2": _f("mm^2", 0.01, 1e4, "area of one compute chiplet"),
        "io_die_area_mm2": _f("mm^2", 0.01, 1e4, "area of the I/O die (older node)"),
        "io_process_nm": _f("nm", 1, 1000, "process node of the I/O die"),
        "extra_silicon_fraction": _f("count", 0, 1, "extra silicon the chiplet split costs (links, replication)"),
        "printed_cost_ratio": _f("count", 0.01, 100, "published cost ratio (see note for which way round)"),
    },
    "parameters": {
        "heat_flux_w_per_cm2": _f("W/cm^2", 0.1, 1e5, "heat flux a cooling method removes from a die"),
        "relative_permittivity": _f("count", 1, 100, "relative permittivity of an insulator"),
        "resistivity_ohm_m": _f("ohm*m", 1e-9, 1e-5, "electrical resistivity of a thin wire"),
        "wire_width_m": _f("m", 1e-9, 1e-3, "width of an on-chip wire"),
        "wire_thickness_m": _f("m", 1e-9, 1e-3, "thickness of an on-chip wire"),
        "wire_capacitance_f_per_m": _f("F/m", 1e-12, 1e-8, "capacitance of an on-chip wire per length"),
        "repeater_delay_s": _f("s", 1e-13, 1e-9, "delay of one repeater (about one FO4 inverter delay)"),
        "inference_share": _f("count", 0, 1, "inference's share of AI compute"),
        "year": _f("year", 1950, 2100, "year a figure applies to", integer=True),
        "revenue_usd": _f("USD", 0, 1e13, "revenue over the period"),
        "customer_share": _f("count", 0, 1, "share of revenue from the named customer(s)"),
        "price_per_share_usd": _f("USD", 0.01, 1e5, "price of one share"),
        "raised_usd": _f("USD", 0, 1e12, "capital raised"),
        "valuation_usd": _f("USD", 0, 1e13, "valuation"),
        "failures_per_unit_year": _f("1/year", 0, 10, "field failures per unit per year"),
        "overprovision_fraction": _f("count", 0, 1, "spare capacity operators provision for failures"),
        "reticles": _f("count", 0.1, 1000, "reticle fields (interposer or wafer size in reticles)"),
        "energy_j_per_bit": _f("J/bit", 1e-15, 1e-9, "energy to read or move one bit (memory access)"),
        "energy_j_per_flop": _f("J/flop", 1e-15, 1e-9, "energy of one floating-point operation"),
    },
    "suitability": {
        "flop_per_step": _f("flop", 0, 1e24, "arithmetic in one step of the whole problem"),
        "bytes_per_step": _f("byte", 0, 1e22, "memory traffic in one step of the whole problem"),
        "working_set_bytes": _f("byte", 1, 1e17, "state that must stay resident (weights, optimiser, KV, grid)"),
        "comm_bytes_per_step": _f("byte", 0, 1e15, "bytes each rank hands to the step's communication (message n)"),
        "comm_rounds_per_step": _n(0, 1e7, "communication rounds per step (each pays a latency)"),
        "global_rounds_per_step": _n(0, 1e7, "of those, rounds that involve every rank (reductions, all-to-all)"),
        "neighbour_share": _f("count", 0, 1, "share of communicated bytes that goes to mesh neighbours"),
        "concurrency": _n(1, 1e9, "independent requests or streams served at once"),
        "gpus": _n(1, 1e6, "GPUs of the reference GPU-cluster deployment"),
    },
    "defect_densities": {"value": _f("1/cm^2", 1e-4, 100, "fatal defect density D0")},
    "wafer_prices": {"value": _f("USD", 10, 1e6, "price of one 300 mm wafer")},
    "measurements": {
        "output_tokens_per_s_per_user": _f("token/s", 1e-2, 1e6, "single-stream decode speed"),
        "output_tokens_per_s_total": _f("token/s", 1e-2, 1e9, "system decode throughput"),
        "time_to_first_token_s": _f("s", 1e-5, 1e4, "time to first token"),
        "allreduce_bus_bytes_per_s": _f("byte/s", 1e6, 1e15, "nccl-tests bus bandwidth"),
        "sustained_flop_per_s": _f("flop/s", 1e6, 1e21, "sustained floating-point rate"),
        "sustained_bytes_per_s": _f("byte/s", 1e6, 1e21, "sustained memory bandwidth"),
        "timesteps_per_s": _f("1/s", 1e-6, 1e9, "simulation time steps per second"),
        "speedup": _f("count", 1e-3, 1e6, "speed-up ratio vs the stated baseline"),
        "flop_per_j": _f("flop/J", 1e3, 1e15, "energy efficiency"),
        "gemv_bytes_per_s": _f("byte/s", 1e6, 1e16, "achieved GEMV memory bandwidth"),
        "time_s": _f("s", 1e-9, 1e6, "elapsed time"),
        "acceptance_length": _f("count", 1, 64, "mean tokens accepted per speculative-decoding step"),
    },
}

#: Per table: the CSV file, the id column, and the columns every row must have.
TABLES: Mapping[str, tuple[str, str, tuple[str, ...]]] = {
    "systems": ("systems.csv", "system", ("system", "field", "value", "low", "high", "unit", "source", "date", "grade", "note")),
    "links": ("links.csv", "link", ("link", "field", "value", "low", "high", "unit", "source", "date", "grade", "note")),
    "workloads": ("workloads.csv", "workload", ("workload", "field", "value", "low", "high", "unit", "source", "date", "grade", "note")),
    "examples": ("examples.csv", "example", ("example", "field", "value", "low", "high", "unit", "source", "date", "grade", "note")),
    "suitability": ("suitability.csv", "profile", ("profile", "field", "value", "low", "high", "unit", "source", "date", "grade", "note")),
    "parameters": ("parameters.csv", "parameter", ("parameter", "field", "value", "low", "high", "unit", "source", "date", "grade", "note")),
    "defect_densities": (
        "defect_densities.csv", "id",
        ("id", "node", "node_nm", "year", "value", "low", "high", "unit", "source", "date", "grade", "note"),
    ),
    "wafer_prices": (
        "wafer_prices.csv", "id",
        ("id", "node", "node_nm", "year", "value", "low", "high", "unit", "source", "date", "grade", "note"),
    ),
    "measurements": (
        "measurements.csv", "id",
        ("id", "quantity", "system", "workload", "role", "conditions", "value", "low", "high", "unit",
         "source", "date", "grade", "note"),
    ),
    "events": ("events.csv", "id", ("id", "date", "title", "entity", "category", "value", "unit", "source", "grade", "note")),
}

#: Numeric columns of the series tables besides value/low/high: unit, physical range, integral or not.
SERIES_COLUMNS: Mapping[str, Mapping[str, FieldSpec]] = {
    "defect_densities": {
        "node_nm": _f("nm", 1, 1000, "process node the density applies to"),
        "year": _f("year", 1950, 2100, "year the density applies to", integer=True),
    },
    "wafer_prices": {
        "node_nm": _f("nm", 1, 1000, "process node of the wafer"),
        "year": _f("year", 1950, 2100, "year the price applies to", integer=True),
    },
}

#: An event's key figure, in the event's own unit (any unit that parses): a size, an amount, a count or a ratio.
EVENT_VALUE = _f("", 0, 1e15, "an event's key figure (capital, area, cores ...), in the row's unit")

#: Lanes of the timeline: the allowed ``category`` of an event.
EVENT_CATEGORIES = ("wafer_scale_attempt", "cerebras", "nvidia", "packaging", "industry")

#: Keys a measurement's ``conditions`` may use: a :class:`FieldSpec` for a numeric key (its range, and
#: ``integer`` for counts), ``None`` for a label (lower-case letters, digits, ``_`` and ``.``).
CONDITIONS: Mapping[str, FieldSpec | None] = {
    "precision": None,
    "spec_decode": None,
    "endpoint": None,
    "sharp": None,
    "config": None,
    "baseline": None,
    "method": None,
    "engine": None,
    "batch": _n(1, 1e6, "requests decoded together"),
    "chips": _n(1, 1e6, "chips (wafers or GPUs) serving the run"),
    "ranks": _n(1, 1e7, "ranks of a collective"),
    "message_bytes": _f("byte", 1, 1e15, "message size of a collective", integer=True),
    "systems": _n(1, 1e6, "systems (e.g. CS-2s) used together"),
    "pes": _n(1, 1e9, "processing elements used"),
    "atoms": _n(1, 1e12, "atoms simulated"),
    "spec_tokens": _n(1, 64, "tokens drafted per speculative-decoding step"),
    "temperature": _f("count", 0, 10, "sampling temperature"),
    "gpus": _n(1, 1e7, "GPUs of the run"),
    "tp": _n(1, 1e6, "tensor-parallel degree"),
    "pp": _n(1, 1e6, "pipeline-parallel degree"),
    "dp": _n(1, 1e7, "data-parallel degree"),
    "seq_tokens": _n(1, 1e9, "sequence length in tokens"),
    "tokens_per_step": _n(1, 1e13, "tokens per optimiser step"),
}

_ENTITY_COLUMNS = ("id", "table", "name", "kind", "vendor", "chip")
#: topology.csv: which link tiers join a modelled system's chips (structure, not numbers; optional file).
_TOPOLOGY_COLUMNS = ("system", "scale_up", "scale_out", "note")
_ENTITY_KINDS = {
    "systems": ("wafer", "gpu", "system", "rack", "lithography"),
    "links": ("on_chip", "die_to_die", "chip_to_chip", "scale_up", "scale_out", "optics"),
    "workloads": ("dense", "moe"),
    "examples": ("worked_example",),
    "parameters": ("cooling", "material", "wire", "market", "company", "reliability", "roadmap", "energy"),
    "suitability": ("all_reduce", "all_to_all", "point_to_point", "none"),
    "benchmarks": ("collective", "kernel", "application"),
}
#: Entity tables whose ids a measurement's ``workload`` may name: models, and benchmarks that are not models.
_WORKLOAD_TABLES = ("workloads", "benchmarks")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")
_LABEL = re.compile(r"^[a-z0-9][a-z0-9_.]*$")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")
#: What a BibTeX ``month`` may say: ``jan`` (the macro), ``January``, or ``1`` .. ``12``.
_BIB_MONTHS = frozenset([*_MONTH_NAMES, *(m[:3] for m in _MONTH_NAMES), *(str(i) for i in range(1, 13))])


class CatalogError(ValueError):
    """A malformed catalog row; the message names the file, the line and the field."""

    def __init__(self, file: str, line: int, column: str, problem: str):
        self.file, self.line, self.column, self.problem = file, line, column, problem
        super().__init__(f"{file}, line {line}, field {column!r}: {problem}")


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


_BIB_ENTRY = re.compile(r"@[ \t]*([A-Za-z]+)[ \t]*\{[ \t]*([^,\s{}]*)")
_BIB_FIELD = re.compile(r"\s*([A-Za-z][A-Za-z0-9_:.+-]*)\s*=")
_BIB_SPECIAL = ("comment", "preamble", "string")
_BIB_LEFTOVER = re.compile(r"[,}]|[A-Za-z][A-Za-z0-9_:.+-]*\s*=")


def _scan_bib(name: str, text: str) -> dict[str, tuple[int, dict[str, int]]]:
    """Entry key -> (line of the entry, {field: line}), checking what BibTeX parsers pass over silently.

    Rejects, with the line: braces that do not balance (an entry or a field never closed, a ``}`` too many,
    which closes the entry early and leaves its rest outside), text between entries other than ``%`` comment
    lines, an ``@`` that starts no ``@type{key,``, an entry without a key, and a key that appears twice (BibTeX
    keys ignore case).
    """
    entries: dict[str, tuple[int, dict[str, int]]] = {}
    first_line: dict[str, int] = {}
    stack: list[tuple[int, str]] = []  # (line, field) of each open brace
    key, fields, fld = "", {}, "-"
    closed: tuple[int, str] | None = None  # (line, field) where the last entry closed
    line, i, n = 1, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            if stack and text.startswith("@", i + 1):
                raise CatalogError(name, stack[0][0], stack[0][1],
                                   f"this entry's '{{' is never closed: the next entry starts on line {line}")
        elif not stack:
            if ch == "%":
                j = text.find("\n", i)
                i = n if j < 0 else j
                continue
            if ch == "@":
                m = _BIB_ENTRY.match(text, i)
                if not m:
                    raise CatalogError(name, line, "-", "'@' starts no entry: write @type{key, field = {...}, ...}")
                kind, key = m.group(1).lower(), m.group(2)
                if kind not in _BIB_SPECIAL:
                    if not key:
                        raise CatalogError(name, line, "key", f"@{kind} entry has no key")
                    folded = key.casefold()
                    if folded in first_line:
                        raise CatalogError(name, line, "key", f"{key!r} appears twice (first on line {first_line[folded]})")
                    first_line[folded] = line
                    fields = {}
                    entries[key] = (line, fields)
                else:
                    key, fields = "", {}
                fld = "-"
                stack.append((line, "key" if key else "-"))
                i = m.end()
                continue
            if not ch.isspace():
                if closed is not None and _BIB_LEFTOVER.match(text, i):  # the rest of an entry closed too early
                    raise CatalogError(name, closed[0], closed[1],
                                       f"the entry ends here, yet text follows on line {line}: a '}}' too many?")
                raise CatalogError(name, line, "-", "text outside any entry; start a comment line with %")
        elif ch == "{":
            stack.append((line, fld))
        elif ch == "}":
            opened = stack.pop()
            if not stack:
                closed = (line, fld)
            elif text[text.rfind("\n", 0, i) + 1:(text.find("\n", i) + 1 or n + 1) - 1].strip() == "}":
                # a line that is only '}' closes an entry; here it closed a field left open instead
                raise CatalogError(name, opened[0], opened[1],
                                   f"this field's '{{' is never closed: the '}}' on line {line} closes it, not the entry")
        elif ch == "," and len(stack) == 1 and key:
            m = _BIB_FIELD.match(text, i + 1)
            if m:
                fld = m.group(1).lower()
                fields[fld] = line + text.count("\n", i, m.start(1))
        i += 1
    if stack:
        where, what = stack[1] if len(stack) > 1 else stack[0]
        problem = "this field's '{' is never closed" if len(stack) > 1 else "this entry's '{' is never closed"
        raise CatalogError(name, where, what, problem)
    if not entries:
        raise CatalogError(name, 1, "-", "has no entries: every fact cites a key defined here")
    return entries


def _check_bib_dates(name: str, key: str, at: tuple[int, dict[str, int]], f: Mapping[str, str]) -> None:
    line, lines = at
    year = str(f.get("year", "")).strip("{} ")
    if "year" in f:
        if not re.fullmatch(r"\d{4}", year):
            raise CatalogError(name, lines.get("year", line), "year", f"{year!r} of {key!r} is not a four-digit year")
        _check_date(name, lines.get("year", line), "year", year)
    if "month" in f:
        if str(f["month"]).strip("{} ").lower() not in _BIB_MONTHS:
            raise CatalogError(name, lines.get("month", line), "month", f"{f['month']!r} of {key!r} is not a month")
    for fld in ("date", "urldate"):
        if fld in f:
            _check_date(name, lines.get(fld, line), fld, str(f[fld]).strip("{} "))


def _read_sources(path: Path) -> pd.DataFrame:
    from pybtex.database import parse_string
    from pybtex.exceptions import PybtexError

    name = path.name
    text = _read_text(path)
    scanned = _scan_bib(name, text)
    try:
        bib = parse_string(text, bib_format="bibtex")
    except PybtexError as exc:
        raise CatalogError(name, getattr(exc, "lineno", None) or 1, "-", f"does not parse as BibTeX: {exc}") from None
    rows = []
    for key, entry in bib.entries.items():
        f = entry.fields
        _check_bib_dates(name, key, scanned.get(key, (1, {})), f)
        authors = "; ".join(str(p) for p in entry.persons.get("author", [])).replace("{", "").replace("}", "")
        rows.append(
            {
                "key": key,
                "type": entry.type,
                "title": str(f.get("title", "")).replace("{", "").replace("}", ""),  # {AI} keeps case in BibTeX
                "author": authors or str(f.get("organization", f.get("publisher", ""))).replace("{", "").replace("}", ""),
                "year": str(f.get("year", "")),
                "url": str(f.get("url", "")),
                "venue": str(f.get("journal", f.get("booktitle", f.get("publisher", f.get("howpublished", ""))))),
            }
        )
    return pd.DataFrame(rows).sort_values("key", kind="stable").reset_index(drop=True)


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
    def _long(self, entity: str) -> tuple[pd.DataFrame, str]:
        if entity in set(self.systems["system"]):
            return self.systems, "system"
        if entity in set(self.links["link"]):
            return self.links, "link"
        if entity in set(self.workloads["workload"]):
            return self.workloads, "workload"
        if entity in set(self.examples["example"]):
            return self.examples, "example"
        if len(self.parameters) and entity in set(self.parameters["parameter"]):
            return self.parameters, "parameter"
        if len(self.suitability) and entity in set(self.suitability["profile"]):
            return self.suitability, "profile"
        raise ValueError(
            f"entity={entity!r} is not in the catalog; allowed: {sorted(self.entities['id'])}"
        )

    def fact(self, entity: str, field_name: str) -> Fact:
        """The :class:`Fact` for ``field_name`` of a system or link."""
        table, col = self._long(entity)
        hit = table[(table[col] == entity) & (table["field"] == field_name)]
        if hit.empty:
            have = sorted(table.loc[table[col] == entity, "field"])
            raise ValueError(f"field={field_name!r} is not given for {entity!r}; it has {have}")
        r = hit.iloc[0]
        return Fact(
            entity=entity, field=field_name, value=float(r["value"]), unit=r["unit"], source=r["source"],
            date=r["date"], grade=r["grade"], note=r["note"],
            low=None if pd.isna(r["low"]) else float(r["low"]),
            high=None if pd.isna(r["high"]) else float(r["high"]), raw=r["raw"],
        )

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
            raise CatalogError(fname, line, "conditions", f"{k!r} is not a known condition; see catalog.CONDITIONS")
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


def _load(root: Path) -> Catalog:
    sources_df = _read_sources(root / "references.bib")
    keys = set(sources_df["key"])
    entities = _load_entities(root)
    systems = _load_long(root, "systems", entities, keys)
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
    return _load(Path(root))


def load(root: str | Path | None = None) -> Catalog:
    """Load and validate the catalog (cached per folder).

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
