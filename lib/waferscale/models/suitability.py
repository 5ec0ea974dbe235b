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
regularity never lower it). :func:`speedup` predicts the wafer-vs-GPU-cluster speed-up of a step;
for the LLM decode rows it calls :func:`waferscale.models.performance.decode`.

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
import numbers
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from . import collectives as co
from . import interconnect as ic
from ..data.catalog import Catalog
from ..core.checks import BIG, check_choice, check_int, check_real

__all__ = [
    "CLASSES", "ARTICLE", "DECODE_ROWS", "VALIDATION", "Profile", "Thresholds", "GpuStep", "WaferStep",
    "profile_ids", "profile", "comm_share", "wafers_needed", "off_wafer_share", "mean_hops", "mapping_efficiency",
    "classify", "questions_passed", "gpu_step", "wafer_step", "speedup", "features", "sensitivity", "validation_table",
]

#: Classes, from best to worst.
CLASSES = ("highly", "partially", "not")

#: The article's classification (§4), by profile id; profiles the article does not name are absent.
ARTICLE: dict[str, str] = {
    "suit_dense_training": "highly", "suit_long_context": "highly", "suit_stencil_cfd": "highly", "suit_md": "highly",
    "suit_decode_low": "partially", "suit_graph": "partially",
    "suit_cpu_general": "not", "suit_decode_high": "not", "suit_edge": "not", "suit_realtime": "not",
}

#: LLM decode profiles whose speed-up comes from :func:`waferscale.models.performance.decode`: (model, users, context).
DECODE_ROWS: dict[str, tuple[str, int, int]] = {
    "suit_decode_low": ("llama3_1_70b", 1, 8192),
    "suit_decode_high": ("llama3_1_70b", 256, 8192),
    "suit_moe_inference": ("llama4_maverick", 64, 8192),
}

#: Validation rows of measurements.csv and the profile that describes each kernel.
VALIDATION: dict[str, str] = {
    "rocki_bicgstab_cs1": "suit_stencil_cfd",
    "jacquelin_stencil25_cs2": "suit_stencil25",
    "kaust_tlrmvm_48cs2": "suit_tlrmvm",
    "sai_fv_co2_cs2": "suit_fv_co2",
    "md_eam_rate": "suit_md",
}

_WAFER_ONLY = ("suit_stencil25", "suit_tlrmvm", "suit_fv_co2")  # validation kernels, not in the classification

#: Default threshold sweeps for :func:`sensitivity` (the chapter's chart): the Q1 share, the Q2 wafer count and
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


def profile_ids(cat: Catalog, validation_only: bool = False) -> list[str]:
    """Ids of the classified profiles (or, with ``validation_only``, of the wafer-only validation kernels)."""
    ids = cat.ids("suitability")
    return [i for i in ids if (i in _WAFER_ONLY) == validation_only]


def profile(cat: Catalog, profile_id: str) -> Profile:
    """Read one :class:`Profile` from the catalog; ValueError if ``profile_id`` is unknown."""
    ids = cat.ids("suitability")
    if profile_id not in ids:
        raise ValueError(f"profile_id={profile_id!r} is not a suitability profile; allowed: {', '.join(ids)}")
    names = [f.name for f in fields(Profile)][3:-2]
    facts = {n: cat.fact(profile_id, n) for n in names}
    kind = str(cat.entities.set_index("id").loc[profile_id, "kind"])
    grades = [f.grade for f in facts.values()]
    grade = "uncertain" if "uncertain" in grades else max(set(grades), key=grades.count)
    srcs = tuple(dict.fromkeys(k.strip() for f in facts.values() for k in f.source.split(";")))
    return Profile(profile_id, cat.name(profile_id), kind, *(facts[n].value for n in names), srcs, grade)  # type: ignore[arg-type]


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


# -- step times -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class GpuStep:
    """One step on the reference GPU cluster: local work and communication, seconds."""

    local_s: float
    comm_s: float

    @property
    def step_s(self) -> float:
        """Local work plus communication (no overlap)."""
        return self.local_s + self.comm_s


def gpu_step(cat: Catalog, p: Profile, *, gpu: str = "h100_sxm", up: str = "nvlink4", out: str = "ib_ndr",
             domain: int = 8) -> GpuStep:
    """Step time of profile ``p`` on ``p.gpus`` GPUs: roofline local work plus α–β communication.

    ``comm_rounds_per_step`` rounds each carry ``comm_bytes / rounds``: an all-reduce (ring inside one
    ``domain``, :func:`~waferscale.models.collectives.hierarchical_all_reduce` across nodes), an all-to-all, or a
    point-to-point message (over NVLink within a domain, InfiniBand beyond). For point-to-point
    profiles the ``global_rounds_per_step`` are 8-byte scalar all-reduces (dot products).

    Allowed: ``domain`` (GPUs per scale-up domain) an integer in [1, 2²⁰].
    """
    if not isinstance(p, Profile):
        raise ValueError(f"p={p!r} is not allowed; allowed: a Profile")
    domain = check_int("domain", domain, 1, 2**20)
    N = int(p.gpus)
    local = max(p.flop_per_step / (N * cat.value(gpu, "bf16_dense_flop_per_s")),
                p.bytes_per_step / (N * cat.value(gpu, "hbm_bytes_per_s")))
    if N == 1 or p.pattern == "none" or p.comm_rounds_per_step == 0:
        return GpuStep(local, 0.0)
    t_up, t_out = ic.tier(cat, up), ic.tier(cat, out)
    tier = t_up if N <= domain else t_out
    beta, alpha = tier.require("bandwidth"), tier.require("latency")
    R, G = p.comm_rounds_per_step, p.global_rounds_per_step
    n = p.comm_bytes_per_step / R

    def allreduce(m: float) -> float:
        if N <= domain:
            return co.ring_all_reduce(m, N, beta, alpha).time_s
        return co.hierarchical_all_reduce(m, domain, math.ceil(N / domain), t_up.require("bandwidth"), t_up.require("latency"),
                                          t_out.require("bandwidth"), t_out.require("latency")).time_s

    if p.pattern == "all_reduce":
        comm = R * allreduce(n)
    elif p.pattern == "all_to_all":
        comm = R * co.all_to_all(n, N, beta, alpha).time_s
    else:
        comm = (R - G) * ic.p2p_time_s(p.comm_bytes_per_step / max(R - G, 1), beta, alpha) + G * allreduce(8.0)
    return GpuStep(local, comm)


@dataclass(frozen=True)
class WaferStep:
    """One step on ``wafers`` wafers: local work, on-mesh and off-wafer communication, seconds."""

    wafers: int
    local_s: float
    mesh_s: float
    off_s: float

    @property
    def step_s(self) -> float:
        """Sum of the three parts."""
        return self.local_s + self.mesh_s + self.off_s


def _mesh_dims(cat: Catalog, wafer: str) -> tuple[int, int]:
    if cat.has(wafer, "mesh_width_pe"):
        return int(cat.value(wafer, "mesh_width_pe")), int(cat.value(wafer, "mesh_height_pe"))
    side = math.isqrt(int(cat.value(wafer, "cores_enabled")))  # square mesh where the catalog gives no shape
    return side, side


def _wafer_peak(cat: Catalog, wafer: str) -> float:
    if cat.has(wafer, "fp16_dense_flop_per_s"):
        return cat.value(wafer, "fp16_dense_flop_per_s")
    # per-PE rate of a WSE-3 PE times the chip's PEs: an upper bound for older chips and for fp32
    return cat.value("wse3", "fp16_dense_flop_per_s") / cat.value("wse3", "cores_enabled") * cat.value(wafer, "cores_enabled")


def wafer_step(cat: Catalog, p: Profile, *, wafer: str = "wse3", system: str = "cs3", fabric: str = "wse3_fabric",
               io_link: str = "cs_ethernet_io", wafers: int | None = None) -> WaferStep:
    """Step time of profile ``p`` on the wafers its working set needs (or ``wafers``).

    Local work is a roofline, :math:`t = \\max(F / (w u P), B / (w u \\beta_{SRAM}))`: a parallel code
    spreads over the whole wafer (:math:`u = 1`); a task with no communication (pattern ``none``) uses only
    the PEs its working set occupies, :math:`u = \\min(1, S / (w S_{SRAM}))`, since a wafer's bandwidth comes
    from data spread over its PEs. Communication moves the bytes the GPU cluster
    exchanges, :math:`V = n \\cdot N_{GPU}`: neighbour bytes over all PE links at once, far bytes across
    the bisection; each global round costs a trip to the mesh centre and back (2(W/2 + H/2) hops), each
    neighbour round one hop. All-reduce profiles reduce over the mesh, each row its 1/H slice
    (:func:`~waferscale.models.collectives.mesh_all_reduce`)
    and, across wafers, ring-all-reduce the non-local part over the system I/O; other profiles send
    :math:`(1 - s)(1 - 1/w) V` over the wafers' I/O plus one I/O latency per round.

    Allowed: ``wafers`` ``None`` (the working set decides) or an integer in [1, 10⁶].
    """
    if not isinstance(p, Profile):
        raise ValueError(f"p={p!r} is not allowed; allowed: a Profile")
    w = wafers_needed(p.working_set_bytes, cat.value(wafer, "sram_bytes")) if wafers is None else check_int("wafers", wafers, 1, 10**6)
    u = 1.0 if p.pattern != "none" else min(1.0, max(p.working_set_bytes / (w * cat.value(wafer, "sram_bytes")),
                                                       1.0 / cat.value(wafer, "cores_enabled")))
    local = max(p.flop_per_step / (w * u * _wafer_peak(cat, wafer)), p.bytes_per_step / (w * u * cat.value(wafer, "sram_bytes_per_s")))
    if p.pattern == "none" or p.comm_rounds_per_step == 0:
        return WaferStep(w, local, 0.0, 0.0)
    W, H = _mesh_dims(cat, wafer)
    fab = ic.tier(cat, fabric)
    b, hop = fab.require("bandwidth"), fab.require("latency")
    link = ic.tier(cat, io_link)
    io_bw = cat.value(system, "io_bytes_per_s") if cat.has(system, "io_bytes_per_s") else link.require("bandwidth")
    a_io = link.require("latency")
    R, G, s = p.comm_rounds_per_step, p.global_rounds_per_step, p.neighbour_share
    if p.pattern == "all_reduce":
        # the buffer is spread over the mesh: every row reduces its slice along the row, all rows at once
        mesh_t = R * co.mesh_all_reduce(p.comm_bytes_per_step / R / H, W, 1, b, hop).time_s
        off = co.ring_all_reduce((1 - s) * p.comm_bytes_per_step, w, io_bw, a_io).time_s if w > 1 else 0.0
        return WaferStep(w, local, mesh_t, off)
    V = p.comm_bytes_per_step * p.gpus
    bis = min(W, H) * b
    mesh_t = (G * 2 * (W // 2 + H // 2) + (R - G)) * hop + s * V / (w * W * H * b) + (1 - s) * V / (2 * w * bis)
    off = (off_wafer_share(s, w) * V / (w * io_bw) + R * a_io) if w > 1 else 0.0
    return WaferStep(w, local, mesh_t, off)


def speedup(cat: Catalog, p: Profile) -> tuple[float, str]:
    """Predicted wafer-vs-GPU-cluster speed-up of one step, and the model it comes from.

    For :data:`DECODE_ROWS` the ratio of total tokens per second from
    :func:`waferscale.models.performance.decode` (CS-3 with the wafers the model and KV cache need vs
    DGX H100 GPUs, ``p.gpus`` of them); otherwise :func:`gpu_step` / :func:`wafer_step`.
    """
    if p.id in DECODE_ROWS:
        try:
            from . import performance as perf

            model, users, ctx = DECODE_ROWS[p.id]
            g = perf.decode(cat, "dgx_h100", model, users=users, context_tokens=ctx, chips=int(p.gpus))
            wf = perf.decode(cat, "cs3", model, users=users, context_tokens=ctx)
            return wf.tokens_per_s_total / g.tokens_per_s_total, "performance.decode"
        except (ImportError, AttributeError, ValueError):
            pass
    return gpu_step(cat, p).step_s / wafer_step(cat, p).step_s, "step model"


# -- tables ---------------------------------------------------------------------------------------
def features(cat: Catalog, thresholds: Thresholds | None = None, *, wafer: str = "wse3") -> pd.DataFrame:
    """One row per classified profile: the three features, speed-up, derived and article class.

    Columns: id, name, pattern, comm_share, gpu_step_s, gpu_comm_s, wafers, off_wafer_share,
    off_wafer_bytes_per_step, mean_hops, mapping_efficiency, wafer_step_s, speedup, speedup_basis,
    q1, q2, q3, passed, derived, article, agree, concurrency, source, grade.
    """
    t = thresholds or Thresholds()
    W, H = _mesh_dims(cat, wafer)
    rows = []
    for pid in profile_ids(cat):
        p = profile(cat, pid)
        g = gpu_step(cat, p)
        wf = wafer_step(cat, p, wafer=wafer)
        c = comm_share(g.local_s, g.comm_s)
        e = mapping_efficiency(p.neighbour_share, W, H)
        q = questions_passed(c, wf.wafers, e, t)
        sp, basis = speedup(cat, p)
        art = ARTICLE.get(pid)
        off = off_wafer_share(p.neighbour_share, wf.wafers)
        rows.append({
            "id": pid, "name": p.name, "pattern": p.pattern, "comm_share": c, "gpu_step_s": g.step_s, "gpu_comm_s": g.comm_s,
            "wafers": wf.wafers, "off_wafer_share": off, "off_wafer_bytes_per_step": off * p.comm_bytes_per_step * p.gpus,
            "mean_hops": mean_hops(p.neighbour_share, W, H), "mapping_efficiency": e, "wafer_step_s": wf.step_s,
            "speedup": sp, "speedup_basis": basis, "q1": q[0], "q2": q[1], "q3": q[2], "passed": int(sum(q)),
            "derived": classify(c, wf.wafers, e, t), "article": art or "not named",
            "agree": None if art is None else art == classify(c, wf.wafers, e, t),
            "concurrency": p.concurrency, "source": ";".join(p.sources), "grade": p.grade,
        })
    return pd.DataFrame(rows)


_SWEEPS = {"comm_share": (0.0, 1.0), "wafers": (1.0, 64.0), "mapping": (0.0, 1.0)}


def sensitivity(cat: Catalog, threshold: str, values) -> pd.DataFrame:
    """Derived class of every profile as one threshold (``comm_share``, ``wafers`` or ``mapping``) moves.

    Returns a long table: threshold, value, id, name, derived, changed (class differs from the default's).
    """
    if threshold not in _SWEEPS:
        raise ValueError(f"threshold={threshold!r} is not allowed; allowed: {', '.join(_SWEEPS)}")
    lo, hi = _SWEEPS[threshold]
    base = features(cat).set_index("id")
    rows = []
    for v in values:
        x = _num(threshold, v, lo, hi)
        t = Thresholds(**{threshold: x})
        for r in base.itertuples():
            d = classify(r.comm_share, r.wafers, r.mapping_efficiency, t)
            rows.append({"threshold": threshold, "value": x, "id": r.Index, "name": r.name, "derived": d,
                         "changed": d != r.derived})
    return pd.DataFrame(rows)


def validation_table(cat: Catalog) -> pd.DataFrame:
    """Predicted vs reported for the peer-reviewed wafer-scale HPC results (:data:`VALIDATION`).

    Sustained flop/s is :math:`F / t_{step}`, sustained bytes/s :math:`B / t_{step}` and time steps per
    second :math:`1 / t_{step}`, with :math:`t_{step}` from :func:`wafer_step` on the measured system's
    wafer (its ``chip`` in entities.csv) and, for multi-system rows, the stated number of systems.
    Error is predicted / reported - 1.
    """
    ent = cat.entities.set_index("id")
    rows = []
    for mid, pid in VALIDATION.items():
        m = cat.measurement(mid)
        chip = str(ent.loc[m["system"], "chip"]) or m["system"]
        p = profile(cat, pid)
        systems = int(float(m["conditions"].get("systems", 1)))
        st = wafer_step(cat, p, wafer=chip, system=m["system"], wafers=systems)
        q = m["quantity"]
        pred = {"sustained_flop_per_s": p.flop_per_step / st.step_s, "sustained_bytes_per_s": p.bytes_per_step / st.step_s,
                "timesteps_per_s": 1.0 / st.step_s}[q]
        rows.append({"id": mid, "quantity": q, "system": m["system"], "wafer": chip, "profile": pid, "kernel": p.name,
                     "reported": float(m["value"]), "predicted": pred, "error": pred / float(m["value"]) - 1.0,
                     "bound": "SRAM" if st.local_s >= st.mesh_s + st.off_s else "fabric",
                     "source": m["source"], "grade": m["grade"]})
    return pd.DataFrame(rows)

