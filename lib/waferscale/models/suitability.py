"""Which workloads suit a wafer: the article's three questions as measured features.

The article (§4) decides suitability by three questions: *is communication the bottleneck?*, *can
the task be centralised?*, *is the architecture regular?* This module turns each into a number
computed from workload descriptors in the catalog (``suitability.csv``, one row per field, every
row sourced or derived with its arithmetic in the note) and the link and system models:

* **Q1, communication share** :func:`comm_share` — the fraction of a step a GPU cluster spends
  communicating, :math:`c = t_{comm} / (t_{local} + t_{comm})`, with :math:`t_{comm}` from the
  α–β collectives (:mod:`waferscale.models.collectives`, NVLink inside a node, InfiniBand across) and
  :math:`t_{local} = \\max(F / (N\\,P), B / (N\\,\\beta_{HBM}))` (no overlap of the two: an upper
  bound on the share a perfect overlap would hide).
* **Q2, centralisation** :func:`wafers_needed` and :func:`off_wafer_share` — wafers whose SRAM holds
  the working set, :math:`w = \\lceil S / S_{SRAM} \\rceil`, and the share of communicated bytes
  that must leave a wafer, :math:`f = (1 - s)(1 - 1/w)` (non-neighbour traffic lands on another
  wafer with probability :math:`1 - 1/w`; neighbour traffic across the seams is neglected).
* **Q3, regularity** :func:`mapping_efficiency` — nearest-neighbour distance over the mean hop
  distance of the workload's traffic on the wafer's 2-D mesh,
  :math:`e = 1 / \\bar h`, :math:`\\bar h = s \\cdot 1 + (1 - s)(W + H)/3` with :math:`s` the
  neighbour-local share of bytes.

:func:`classify` turns the three into a class with stated thresholds (:class:`Thresholds`):
*highly* suitable when all three questions pass, *partially* when two do, *not* otherwise. The
class is monotone in each feature by construction (more communication share, fewer wafers, more
regularity never lower it). :mod:`waferscale.models.steptime` has the step-time models;
:mod:`waferscale.models.suittables` the predicted wafer-vs-GPU-cluster speed-up and the tables
(:func:`~waferscale.models.suittables.features`, ...).

Examples
--------
>>> round(mapping_efficiency(1.0, 762, 1172), 3)
1.0
>>> round(off_wafer_share(0.5, 4), 3)
0.375
>>> classify(0.4, 1, 0.5)
'highly'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from ..data.catalog import Catalog
from . import workloads as wl
from .workloads import Transformer
from ..core.checks import BIG, check_int, check_real

__all__ = [
    "CLASSES", "ARTICLE", "DECODE_ROWS", "TRAINING_ROWS", "VALIDATION", "PRECISION", "precision", "Profile", "Thresholds",
    "profile_ids", "profile", "comm_share", "wafers_needed", "off_wafer_share", "mean_hops", "mapping_efficiency",
    "classify", "questions_passed",
]

#: Classes, from best to worst.
CLASSES = ("highly", "partially", "not")

#: The article's classification (§4), by profile id; profiles the article does not name are absent.
ARTICLE: dict[str, str] = {
    "suit_dense_training": "highly", "suit_long_context": "highly", "suit_stencil_cfd": "highly", "suit_md": "highly",
    "suit_decode_low": "partially", "suit_graph": "partially",
    "suit_cpu_general": "not", "suit_decode_high": "not", "suit_edge": "not", "suit_realtime": "not",
}

#: LLM decode profiles whose speed-up comes from the serving model (:func:`waferscale.models.serving.serve`):
#: (model, users, input tokens, output tokens); 7,168 in and 2,048 out keep a mean context of 8,192 tokens.
DECODE_ROWS: dict[str, tuple[str, int, int, int]] = {
    "suit_decode_low": ("llama3_1_70b", 1, 7168, 2048),
    "suit_decode_high": ("llama3_1_70b", 256, 7168, 2048),
    "suit_moe_inference": ("llama4_maverick", 64, 7168, 2048),
}

#: Training profiles and the transformer they train: their GPU step uses the layout of
#: :func:`waferscale.models.training.train_step` (tensor and pipeline stages that fit the state in HBM), not a copy of
#: the whole working set on every GPU.
TRAINING_ROWS: dict[str, str] = {"suit_dense_training": "llama3_1_70b"}

#: Validation rows of measurements.csv and the profile that describes each kernel.
VALIDATION: dict[str, str] = {
    "rocki_bicgstab_cs1": "suit_stencil_cfd",
    "jacquelin_stencil25_cs2": "suit_stencil25",
    "kaust_tlrmvm_48cs2": "suit_tlrmvm",
    "sai_fv_co2_cs2": "suit_fv_co2",
    "md_eam_rate": "suit_md",
}

#: Arithmetic precision of the profiles whose codes do not run in 16-bit (their rows' notes and sources: the
#: molecular-dynamics, 25-point stencil, TLR-MVM and CO2 finite-volume codes compute in fp32; the real-time policy
#: holds 4-byte parameters). Every other profile computes in 16-bit or is integer work.
PRECISION: dict[str, str] = {
    "suit_md": "fp32", "suit_stencil25": "fp32", "suit_tlrmvm": "fp32", "suit_fv_co2": "fp32", "suit_realtime": "fp32",
}


def precision(profile_id: str) -> str:
    """The arithmetic precision of a profile's code: ``"fp32"`` or ``"16-bit"`` (:data:`PRECISION`)."""
    return PRECISION.get(profile_id, "16-bit")


_WAFER_ONLY = ("suit_stencil25", "suit_tlrmvm", "suit_fv_co2")  # validation kernels, not in the classification

#: Default threshold sweeps for :func:`~waferscale.models.suittables.sensitivity` (the chapter's chart): the Q1 share, the Q2 wafer count and
#: the Q3 mapping efficiency, each spanning its default and the values where some workload changes class.
SWEEPS: dict[str, np.ndarray] = {
    "comm_share": np.linspace(0.0, 0.95, 39),
    "wafers": np.geomspace(1, 64, 31),
    "mapping": np.geomspace(0.0015, 0.2, 31),
}


def _num(name: str, value: float, lo: float, hi: float = BIG, *, lo_open: bool = False) -> float:
    """``value`` as float if finite and within [lo, hi] (or (lo, hi]); else ValueError naming it."""
    return check_real(name, value, lo, hi, lo_open=lo_open)


# -- descriptors ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    """One workload's descriptors, read from the catalog (units in the names; per step of the whole problem)."""

    id: str
    name: str
    pattern: str
    flop_per_step: float
    bytes_per_step: float
    working_set_bytes: float
    comm_bytes_per_step: float
    comm_rounds_per_step: float
    global_rounds_per_step: float
    neighbour_share: float
    concurrency: float
    gpus: float
    sources: tuple[str, ...]
    grade: str
    #: The transformer a training profile trains (:data:`TRAINING_ROWS`), resolved by :func:`profile`; None otherwise.
    model: Transformer | None = None


def profile_ids(cat: Catalog, validation_only: bool = False) -> list[str]:
    """Ids of the classified profiles (or, with ``validation_only``, of the wafer-only validation kernels)."""
    ids = cat.ids("suitability")
    return [i for i in ids if (i in _WAFER_ONLY) == validation_only]


def profile(cat: Catalog, profile_id: str) -> Profile:
    """Read one :class:`Profile` from the catalog; ValueError if ``profile_id`` is unknown."""
    ids = cat.ids("suitability")
    if profile_id not in ids:
        raise ValueError(f"profile_id={profile_id!r} is not a suitability profile; allowed: {', '.join(ids)}")
    names = [f.name for f in fields(Profile)][3:-3]
    facts = {n: cat.fact(profile_id, n) for n in names}
    kind = str(cat.entities.set_index("id").loc[profile_id, "kind"])
    grades = [f.grade for f in facts.values()]
    grade = "uncertain" if "uncertain" in grades else max(set(grades), key=grades.count)
    srcs = tuple(dict.fromkeys(k.strip() for f in facts.values() for k in f.source.split(";")))
    model = wl.model(cat, TRAINING_ROWS[profile_id]) if profile_id in TRAINING_ROWS else None
    return Profile(profile_id, cat.name(profile_id), kind, *(facts[n].value for n in names), srcs, grade,  # type: ignore[arg-type]
                   model)


# -- the three features --------------------------------------------------------------------------
def comm_share(local_s: float, comm_s: float) -> float:
    """Q1: share of a step spent communicating, :math:`c = t_{comm} / (t_{local} + t_{comm})` (0 if both are 0).

    Examples
    --------
    >>> comm_share(3.0, 1.0)
    0.25
    """
    a, b = _num("local_s", local_s, 0), _num("comm_s", comm_s, 0)
    return 0.0 if a + b == 0 else b / (a + b)


def wafers_needed(working_set_bytes: float, sram_bytes: float) -> int:
    """Q2: wafers whose SRAM holds the working set, :math:`\\lceil S / S_{SRAM} \\rceil` (at least 1).

    Examples
    --------
    A 141 GB model (Llama 3.1 70B in bf16) on 44 GB wafers: ⌈3.2⌉ = 4.

    >>> wafers_needed(141e9, 44e9)
    4
    """
    s = _num("working_set_bytes", working_set_bytes, 0)
    m = _num("sram_bytes", sram_bytes, 0, lo_open=True)
    return max(1, math.ceil(s / m))


def off_wafer_share(neighbour_share: float, wafers: int) -> float:
    """Q2: share of communicated bytes that leaves a wafer, :math:`f = (1 - s)(1 - 1/w)`.

    Examples
    --------
    >>> off_wafer_share(0.0, 2)
    0.5
    """
    s = _num("neighbour_share", neighbour_share, 0, 1)
    w = float(check_int("wafers", wafers, 1, 2**30))
    return (1.0 - s) * (1.0 - 1.0 / w)


def mean_hops(neighbour_share: float, width_pe: int, height_pe: int) -> float:
    """Mean hops a byte travels on a W x H mesh: :math:`\\bar h = s + (1 - s)(W + H)/3`."""
    s = _num("neighbour_share", neighbour_share, 0, 1)
    W, H = float(check_int("width_pe", width_pe, 1, 2**30)), float(check_int("height_pe", height_pe, 1, 2**30))
    return s + (1.0 - s) * max(1.0, (W + H) / 3.0)


def mapping_efficiency(neighbour_share: float, width_pe: int, height_pe: int) -> float:
    """Q3: nearest-neighbour distance over the mean hop distance, :math:`e = 1/\\bar h \\in (0, 1]`.

    Examples
    --------
    On the WSE-3 mesh (762 x 1172), 1 % of bytes going anywhere makes the mean trip 7.4 hops:

    >>> round(mapping_efficiency(0.99, 762, 1172), 3)
    0.134
    """
    return 1.0 / mean_hops(neighbour_share, width_pe, height_pe)


@dataclass(frozen=True)
class Thresholds:
    """The classification's thresholds: a question passes when

    * Q1: communication share ≥ ``comm_share`` (communication is a bottleneck on GPUs),
    * Q2: wafers needed ≤ ``wafers`` (the task centralises on a few wafers),
    * Q3: mapping efficiency ≥ ``mapping`` (traffic stays near on the mesh).
    """

    comm_share: float = 0.25
    wafers: float = 4.0
    mapping: float = 0.01

    def __post_init__(self) -> None:
        _num("comm_share", self.comm_share, 0, 1)
        _num("wafers", self.wafers, 1)
        _num("mapping", self.mapping, 0, 1)


def questions_passed(comm_share_: float, wafers: float, mapping: float, thresholds: Thresholds | None = None) -> tuple[bool, bool, bool]:
    """Which of the three questions pass (Q1, Q2, Q3) for the given features."""
    t = thresholds or Thresholds()
    c = _num("comm_share", comm_share_, 0, 1)
    w = _num("wafers", wafers, 1)
    e = _num("mapping", mapping, 0, 1)
    return (c >= t.comm_share, w <= t.wafers, e >= t.mapping)


def classify(comm_share_: float, wafers: float, mapping: float, thresholds: Thresholds | None = None) -> str:
    """Class from the three features: 'highly' (3 pass), 'partially' (2 pass), 'not' (0 or 1).

    Examples
    --------
    >>> classify(0.1, 1, 0.5), classify(0.1, 9, 0.5)
    ('partially', 'not')
    """
    n = sum(questions_passed(comm_share_, wafers, mapping, thresholds))
    return CLASSES[0] if n == 3 else CLASSES[1] if n == 2 else CLASSES[2]
