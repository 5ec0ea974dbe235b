"""The catalog's schema: grades, roles, the field specs (canonical unit and physical range of every field),
the tables and their columns, and :class:`CatalogError`. No I/O here; the loader and the data appendix read it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping



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
        "critical_area_fraction": _f("count", 0, 1, "share of the die with no spare: a defect there kills the part"),
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
        "fp32_dense_flop_per_s": _f("flop/s", 1e9, 1e21, "peak dense fp32 throughput (non-tensor FMA units; not TF32)"),
        "tdp_w": _f("W", 1, 1e6, "chip/module thermal design power"),
        "system_power_w": _f("W", 10, 1e7, "whole-system power"),
        "wall_power_w": _f("W", 10, 1e7, "maximum wall power of the node or rack (host, NICs, switches, fans included)"),
        "idle_power_w": _f("W", 1, 1e7, "wall power of the node or rack powered on and doing no work"),
        "chips": _n(1, 1e6, "chips (GPUs or wafers) in the system"),
        "price_usd": _f("USD", 1, 1e10, "purchase price"),
        "release_year": _f("year", 1950, 2100, "year of launch", integer=True),
    },
    "links": {
        "bytes_per_s_per_dir": _f("byte/s", 1e6, 1e16, "bandwidth per endpoint, per direction"),
        "latency_s": _f("s", 1e-12, 1e-2, "one-way latency (alpha)"),
        "collective_latency_s": _f("s", 1e-9, 1e-2, "fixed cost of one collective (launch, synchronisation), paid once, not per step"),
        "switch_latency_s": _f("s", 1e-12, 1e-4, "port-to-port latency of one switch"),
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
