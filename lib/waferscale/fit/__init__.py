"""Fit layer: calibration of the models against measured rows, validation tables, uncertainty sampling.

Imports :mod:`waferscale.models`, :mod:`waferscale.data` and :mod:`waferscale.core`.
"""

from . import perffit  # installs the calibrated default parameters of the performance model

__all__ = ["perffit"]
