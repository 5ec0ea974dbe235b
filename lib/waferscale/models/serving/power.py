"""Power drawn at the wall under load: idle share plus the dynamic rest in proportion to utilisation.

.. math:: P = N\\,P_\\text{wall}\\,\\big(s_\\text{idle} + (1 - s_\\text{idle})\\,u\\big)

with ``P_wall`` the wall power per chip at full load (:class:`~waferscale.models.serving.hardware.Hardware`),
``s_idle`` the idle share (the catalog's idle power over its wall power, else
:attr:`~waferscale.models.serving.point.ServeParams.idle_share`) and ``u`` the share of a step the
chip's memory or compute units are busy.

>>> from waferscale.models.serving.hardware import Hardware
>>> from waferscale.models.serving.point import ServeParams
>>> hw = Hardware("x", "x", "gpu", "x", 8, 8, 1, 1, (("bf16", 1.0),), 1, 0, False, 1, 0, 1000.0, None)
>>> round(draw_w(hw, ServeParams(idle_share=0.3), 8, 0.5), 6)   # 8 x 1 kW x (0.3 + 0.7 x 0.5)
5200.0
"""

from __future__ import annotations

import numpy as np

__all__ = ["draw_w", "idle_w"]


def draw_w(hw, prm, chips, utilisation):
    """Wall power of ``chips`` chips at ``utilisation`` (0–1, arrays allowed)."""
    u = np.clip(np.asarray(utilisation, dtype=float), 0.0, 1.0)
    idle = _idle_share(hw, prm)
    out = chips * hw.wall_power_w_per_chip * (idle + (1 - idle) * u)
    return float(out) if np.ndim(out) == 0 else out


def idle_w(hw, prm, chips):
    """Wall power of ``chips`` idle chips (bought but not used by the layout)."""
    return chips * hw.wall_power_w_per_chip * _idle_share(hw, prm)


def _idle_share(hw, prm) -> float:
    """The catalog's idle power where it has one, else the assumed share."""
    if hw.idle_power_w_per_chip is not None and hw.wall_power_w_per_chip > 0:
        return min(1.0, hw.idle_power_w_per_chip / hw.wall_power_w_per_chip)
    return prm.idle_share
