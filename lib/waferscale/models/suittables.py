"""The suitability chapter's tables: the predicted wafer-vs-GPU speed-up of every profile, its three features and
class (:func:`features`), the classes as a threshold moves (:func:`sensitivity`), and predicted vs reported for the
wafer-scale HPC results (:func:`validation_table`).

The speed-up is the step models' ratio (:mod:`waferscale.models.steptime`) or, for the LLM decode rows, the serving
model's (:func:`waferscale.models.serving.serve`). :func:`speedup` is a pure function of records; the tables read the
catalog and resolve them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from . import workloads as wl
from ..data.catalog import Catalog
from .steptime import (GpuCluster, WaferSystem, _check_sides, gpu_cluster, gpu_step, wafer_step, wafer_system)
from .suitability import (ARTICLE, DECODE_ROWS, VALIDATION, Profile, Thresholds, _num, classify, comm_share,
                          mapping_efficiency, mean_hops, off_wafer_share, precision, profile, profile_ids,
                          questions_passed)

if TYPE_CHECKING:
    from .serving import Hardware, OperatingPoint, ServeParams

__all__ = ["DecodeCase", "decode_case", "speedup", "features", "sensitivity", "validation_table"]


@dataclass(frozen=True)
class DecodeCase:
    """An LLM decode profile for the serving model: the two systems' :class:`~waferscale.models.serving.Hardware`,
    the transformer, the operating point and the users (:data:`~waferscale.models.suitability.DECODE_ROWS`)."""

    gpu: "Hardware"
    wafer: "Hardware"
    model: wl.Transformer
    point: "OperatingPoint"
    users: int


def decode_case(cat: Catalog, profile_id: str) -> DecodeCase | None:
    """Resolve a :data:`DECODE_ROWS` profile's serving records (DGX H100 against CS-3); None for other profiles."""
    if profile_id not in DECODE_ROWS:
        return None
    from . import serving as sv

    model, users, n_in, n_out = DECODE_ROWS[profile_id]
    return DecodeCase(sv.hardware(cat, "dgx_h100"), sv.hardware(cat, "cs3"), wl.model(cat, model),
                      sv.OperatingPoint(n_in, n_out, "bf16"), users)


def speedup(p: Profile, cluster: GpuCluster, system: WaferSystem, params: "ServeParams",
            case: DecodeCase | None = None) -> tuple[float, str]:
    """Predicted wafer-vs-GPU-cluster speed-up of one step, and the model it comes from.

    With a :class:`DecodeCase` (the :data:`DECODE_ROWS`) the ratio of total tokens per second from the serving model
    (:func:`waferscale.models.serving.serve`, its best layout for that many users): CS-3 with the wafers the model
    needs against ``p.gpus`` H100 GPUs of DGX H100 servers, with ``params`` (the calibrated
    :func:`waferscale.fit.servefit.fitted`); otherwise :func:`gpu_step` / :func:`wafer_step`. A decode profile
    without its case is refused (ValueError), never answered by the step model silently.

    Examples
    --------
    >>> from waferscale import load
    >>> from waferscale.fit.servefit import fitted
    >>> from waferscale.models import suitability as su
    >>> cat = load()
    >>> p = su.profile(cat, "suit_decode_low")
    >>> speedup(p, gpu_cluster(cat), wafer_system(cat), fitted(cat), decode_case(cat, p.id))[1]
    'serving model'
    """
    _check_sides(p, cluster, system)
    if p.id in DECODE_ROWS and case is None:
        raise ValueError(f"case=None is not allowed for the decode profile {p.id!r}; allowed: "
                         f"suittables.decode_case(cat, {p.id!r})")
    if case is not None and not isinstance(case, DecodeCase):
        raise ValueError(f"case={case!r} is not allowed; allowed: a DecodeCase (suittables.decode_case(cat, id)) or None")
    if case is not None:
        from . import serving as sv

        try:
            gs = sv.serve(case.gpu, case.model, case.point, params, chips=int(p.gpus), users=case.users)
            wf = sv.serve(case.wafer, case.model, case.point, params, users=case.users)
            return wf.tokens_per_s_total / gs.tokens_per_s_total, "serving model"
        except ValueError:  # the configuration does not fit: the step model answers
            pass
    return gpu_step(p, cluster).step_s / wafer_step(p, system).step_s, "step model"


# -- tables ---------------------------------------------------------------------------------------
def features(cat: Catalog, thresholds: Thresholds | None = None, *, wafer: str = "wse3",
             params: "ServeParams") -> pd.DataFrame:
    """One row per classified profile: the three features, speed-up, derived and article class.

    ``params`` are the decode model's parameters for the LLM rows' speed-up (:func:`speedup`).

    Columns: id, name, pattern, comm_share, gpu_step_s, gpu_comm_s, wafers, off_wafer_share,
    off_wafer_bytes_per_step, mean_hops, mapping_efficiency, wafer_step_s, speedup, speedup_basis,
    q1, q2, q3, passed, derived, article, agree, precision, peak (the dense peaks that rate its arithmetic,
    :meth:`GpuCluster.peak`, :meth:`WaferSystem.peak`), concurrency, source, grade.
    """
    t = thresholds or Thresholds()
    gc, ws = gpu_cluster(cat), wafer_system(cat, wafer)
    W, H = ws.mesh_width_pe, ws.mesh_height_pe
    rows = []
    for pid in profile_ids(cat):
        p = profile(cat, pid)
        g = gpu_step(p, gc)
        wf = wafer_step(p, ws)
        c = comm_share(g.local_s, g.comm_s)
        e = mapping_efficiency(p.neighbour_share, W, H)
        q = questions_passed(c, wf.wafers, e, t)
        sp, basis = speedup(p, gc, ws, params, decode_case(cat, pid))
        art = ARTICLE.get(pid)
        off = off_wafer_share(p.neighbour_share, wf.wafers)
        rows.append({
            "id": pid, "name": p.name, "pattern": p.pattern, "comm_share": c, "gpu_step_s": g.step_s, "gpu_comm_s": g.comm_s,
            "wafers": wf.wafers, "off_wafer_share": off, "off_wafer_bytes_per_step": off * p.comm_bytes_per_step * p.gpus,
            "mean_hops": mean_hops(p.neighbour_share, W, H), "mapping_efficiency": e, "wafer_step_s": wf.step_s,
            "speedup": sp, "speedup_basis": basis, "q1": q[0], "q2": q[1], "q3": q[2], "passed": int(sum(q)),
            "derived": classify(c, wf.wafers, e, t), "article": art or "not named",
            "agree": None if art is None else art == classify(c, wf.wafers, e, t),
            "precision": precision(pid), "peak": _peak_label(precision(pid), gc, ws),
            "concurrency": p.concurrency, "source": ";".join(p.sources), "grade": p.grade,
        })
    return pd.DataFrame(rows)


def _peak_label(prec: str, cluster: GpuCluster, system: WaferSystem) -> str:
    """Which dense peaks rate a profile's arithmetic: its own precision on both sides, or, on a side whose chip has
    no fp32 rate in the catalog, that chip's 16-bit peak (an upper bound on its fp32 speed)."""
    if prec != "fp32":
        return prec
    used = {side.name: side.peak(prec)[1] for side in (cluster, system)}
    if set(used.values()) == {"fp32"}:
        return "fp32"
    if set(used.values()) == {"16-bit"}:
        return "16-bit peaks on both sides (the catalog has no fp32 rate)"
    lacking = ", ".join(n for n, u in used.items() if u == "16-bit")
    having = ", ".join(n for n, u in used.items() if u == "fp32")
    return f"fp32 on {having}; {lacking} at its 16-bit peak (no fp32 rate: an upper bound)"


_SWEEPS = {"comm_share": (0.0, 1.0), "wafers": (1.0, 64.0), "mapping": (0.0, 1.0)}


def sensitivity(cat: Catalog, threshold: str, values, *, params: "ServeParams") -> pd.DataFrame:
    """Derived class of every profile as one threshold (``comm_share``, ``wafers`` or ``mapping``) moves.

    Returns a long table: threshold, value, id, name, derived, changed (class differs from the default's).
    """
    if threshold not in _SWEEPS:
        raise ValueError(f"threshold={threshold!r} is not allowed; allowed: {', '.join(_SWEEPS)}")
    lo, hi = _SWEEPS[threshold]
    base = features(cat, params=params).set_index("id")
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
        st = wafer_step(p, wafer_system(cat, chip, system=m["system"]), wafers=systems)
        q = m["quantity"]
        pred = {"sustained_flop_per_s": p.flop_per_step / st.step_s, "sustained_bytes_per_s": p.bytes_per_step / st.step_s,
                "timesteps_per_s": 1.0 / st.step_s}[q]
        rows.append({"id": mid, "quantity": q, "system": m["system"], "wafer": chip, "profile": pid, "kernel": p.name,
                     "reported": float(m["value"]), "predicted": pred, "error": pred / float(m["value"]) - 1.0,
                     "bound": "SRAM" if st.local_s >= st.mesh_s + st.off_s else "fabric",
                     "source": m["source"], "grade": m["grade"]})
    return pd.DataFrame(rows)
