"""Fit layer: calibration of the models against measured rows, validation tables, uncertainty sampling.

Imports :mod:`waferscale.models`, :mod:`waferscale.data` and :mod:`waferscale.core`.
"""


__all__: list[str] = []
