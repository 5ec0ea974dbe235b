"""Calibration of the α–β all-reduce against measured bus bandwidth (nccl-tests rows of the catalog).

η (bandwidth efficiency) is fitted on the bandwidth-bound calibration rows only; validation rows are predicted,
never fitted. The closed forms are :mod:`waferscale.models.collectives`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.catalog import Catalog
from ..models import interconnect as ic
from ..models.collectives import ring_all_reduce, switch_all_reduce
from ..models.interconnect import check_bytes

__all__ = ["Calibration", "calibrate", "calibration_rows", "alpha_to_match", "validation_table",
           "BANDWIDTH_BOUND_ALPHA_SHARE"]


# -- calibration against measured all-reduce ----------------------------------------------------
@dataclass(frozen=True)
class Calibration:
    """A fitted bandwidth efficiency η for NCCL on one tier, with α fixed from the catalog.

    The model's effective bandwidth is η·β. ``fitted_on`` lists the measurement ids used.
    """

    tier: str
    bandwidth_efficiency: float
    latency_s: float
    bytes_per_s_per_dir: float
    fitted_on: tuple[str, ...]
    method: str

    @property
    def effective_bytes_per_s_per_dir(self) -> float:
        """η·β."""
        return self.bandwidth_efficiency * self.bytes_per_s_per_dir


def calibration_rows(cat: Catalog, prefix: str = "ar_8xh100_") -> pd.DataFrame:
    """The all-reduce bus-bandwidth rows of role *calibration* whose id starts with ``prefix``.

    Validation rows are excluded here, so no fit can see them.
    """
    m = cat.measurements
    hit = m[(m["quantity"] == "allreduce_bus_bytes_per_s") & (m["role"] == "calibration") & m["id"].str.startswith(prefix)]
    out = hit.assign(ranks=[int(float(c["ranks"])) for c in hit["conditions"]],
                     message_bytes=[float(c["message_bytes"]) for c in hit["conditions"]],
                     sharp=[c.get("sharp", "off") for c in hit["conditions"]])
    return out.reset_index(drop=True)


#: A calibration row is bandwidth-bound (and fitted) when the ring's α terms are under this share of its time.
BANDWIDTH_BOUND_ALPHA_SHARE = 0.01


def calibrate(cat: Catalog, tier_id: str = "nvlink4", prefix: str = "ar_8xh100_",
              min_message_bytes: float | None = None) -> Calibration:
    """Fit η to the ring (``sharp=off``) calibration rows in the bandwidth-bound regime.

    α is the catalog's α for ``tier_id`` (ASTRA-sim's validated value for NVLink 4), not fitted.
    η is fitted by least squares on log bus bandwidth over the rows that are bandwidth-bound:
    those where the α terms are under :data:`BANDWIDTH_BOUND_ALPHA_SHARE` (1 %) of the ring's model time, i.e.
    n ≥ N · α · β / share (or n ≥ ``min_message_bytes`` if given). There, and only there, the
    α–β model's single β is the right description. The other rows are *predicted*, not fitted,
    and the chapter reports their error. Running time: tens of milliseconds (the model is vectorised
    over the rows; it took seconds when each grid point called :func:`ring_all_reduce` row by row).

    Raises
    ------
    ValueError
        If no calibration row is bandwidth-bound.
    """
    t = ic.tier(cat, tier_id)
    beta, alpha = t.require("bandwidth"), t.require("latency")
    rows = calibration_rows(cat, prefix)
    rows = rows[rows["sharp"] == "off"]
    if min_message_bytes is None:
        floor = rows["ranks"] * ic.crossover_bytes(beta, alpha) / BANDWIDTH_BOUND_ALPHA_SHARE
    else:
        floor = check_bytes("min_message_bytes", min_message_bytes)
    use = rows[rows["message_bytes"] >= floor]
    if use.empty:
        raise ValueError(f"min_message_bytes={min_message_bytes!r} leaves no bandwidth-bound calibration row; "
                         f"the largest message is {rows['message_bytes'].max():g} bytes")
    # log busbw_meas = log(eta) + log(busbw_model(eta=1)) approximately where alpha is negligible;
    # solve exactly with a 1-D search on eta for the least-squares log error
    # the ring's bus bandwidth, vectorised over the rows (the same operations, in the same order, as
    # ring_all_reduce, so the same bits): the grid search below takes milliseconds, not seconds
    n_ = use["message_bytes"].to_numpy(dtype=float)
    N_ = use["ranks"].to_numpy(dtype=float)
    log_meas = np.log(use["value"].to_numpy())
    trivial = (N_ == 1) | (n_ == 0)

    def err(eta: float) -> float:
        b = eta * beta
        t = 2 * (N_ - 1) * alpha + 2 * (N_ - 1) / N_ * n_ / b
        with np.errstate(divide="ignore", invalid="ignore"):
            pred = np.where(trivial | (t <= 0), 0.0, 2 * (N_ - 1) / N_ * n_ / t)
            return float(np.sum((np.log(pred) - log_meas) ** 2))

    grid = np.linspace(0.05, 1.0, 1901)
    eta = float(grid[int(np.argmin([err(g) for g in grid]))])
    lo, hi = max(0.05, eta - 1e-3), min(1.0, eta + 1e-3)
    for _ in range(60):  # golden-section refinement
        m1, m2 = lo + (hi - lo) * 0.382, lo + (hi - lo) * 0.618
        lo, hi = (lo, m2) if err(m1) <= err(m2) else (m1, hi)
    eta = round((lo + hi) / 2, 6)
    return Calibration(tier_id, eta, alpha, beta, tuple(use["id"]), "least squares on log bus bandwidth, bandwidth-bound rows only")


def validation_table(cat: Catalog, cal: Calibration, prefix: str = "ar_8xh100_") -> pd.DataFrame:
    """Predicted vs measured bus bandwidth for every all-reduce row, spec-only and calibrated.

    Columns: id, message_bytes, sharp, role, measured, spec_model, calibrated, error_spec,
    error_calibrated (relative: predicted/measured − 1), fitted (whether the row was used in the fit),
    source, grade. ``sharp=on`` rows are predicted with :func:`switch_all_reduce`.
    """
    m = cat.measurements
    rows = m[(m["quantity"] == "allreduce_bus_bytes_per_s") & m["id"].str.startswith(prefix)]
    out = []
    for r in rows.itertuples():
        c = r.conditions
        N, n, sharp = int(float(c["ranks"])), float(c["message_bytes"]), c.get("sharp", "off")
        fn = switch_all_reduce if sharp == "on" else ring_all_reduce
        spec = fn(n, N, cal.bytes_per_s_per_dir, cal.latency_s).bus_bandwidth_bytes_per_s
        calib = fn(n, N, cal.effective_bytes_per_s_per_dir, cal.latency_s).bus_bandwidth_bytes_per_s
        out.append({"id": r.id, "message_bytes": n, "sharp": sharp, "role": r.role, "measured": r.value,
                    "spec_model": spec, "calibrated": calib, "error_spec": spec / r.value - 1,
                    "error_calibrated": calib / r.value - 1, "fitted": r.id in cal.fitted_on,
                    "source": r.source, "grade": r.grade})
    return pd.DataFrame(out)


def alpha_to_match(cat: Catalog, cal: Calibration, measurement_id: str) -> float:
    """The per-step α (seconds) a ring all-reduce at η·β would need to reproduce one measured row.

    .. math:: \\alpha = \\Big(\\frac{2(N-1)}{N}\\frac{n}{\\text{busbw}} - \\frac{2(N-1)}{N}\\frac{n}{\\eta\\beta}\\Big) \\Big/ \\, 2(N-1)

    A diagnostic, not a fit the book uses: it shows how large a latency the α–β form would need
    to explain a mid-size measurement.
    """
    r = cat.measurement(measurement_id)
    N, n = int(float(r["conditions"]["ranks"])), float(r["conditions"]["message_bytes"])
    factor = 2 * (N - 1) / N
    t_meas = factor * n / float(r["value"])
    return max(0.0, (t_meas - factor * n / cal.effective_bytes_per_s_per_dir) / (2 * (N - 1)))
