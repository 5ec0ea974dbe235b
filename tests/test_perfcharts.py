"""One colour per system across the performance charts (waferscale.book.perfcharts)."""
from __future__ import annotations

import pandas as pd

from waferscale.book import perfcharts as PC
from waferscale.book import servecharts as SC


def _scale(chart_dict):
    """Every colour scale (domain -> range) found in a Vega-Lite spec."""
    found = {}

    def walk(x, key=None):
        if isinstance(x, dict):
            sc = x.get("scale") if isinstance(x.get("scale"), dict) else None
            if key == "color" and sc and "domain" in sc and "range" in sc and x.get("field") == "system":
                found.update(dict(zip(sc["domain"], sc["range"])))
            for k, v in x.items():
                walk(v, k)
        elif isinstance(x, list):
            for v in x:
                walk(v, key)

    walk(chart_dict)
    return found


def test_same_system_same_colour_in_every_chart():
    conc = pd.DataFrame({"system": ["CS-3 (70B, 16-bit)", "DGX B200 (70B, FP8)"], "model": ["m", "m"],
                         "mix": [SC.MIXES[0][0]] * 2, "precision": ["16-bit"] * 2, "users": [1, 1],
                         "per_user": [1.0, 1.0], "per_chip": [1.0, 1.0], "per_kw": [1.0, 1.0], "layout": ["x", "x"]})
    train = pd.DataFrame({"system": ["CS-3 wafers, weight streaming", "GB200 NVL72 + CPO switches", "H100 + InfiniBand NDR"],
                          "pflops": [1.0, 2.0, 3.0], "step_s": [1.0] * 3, "efficiency": [1.0] * 3,
                          "comm_energy_j": [1.0] * 3, "chips": [1] * 3, "tp": [1] * 3, "pp": [1] * 3, "dp": [1] * 3})
    a = _scale(SC.frontier_chart(conc, pd.DataFrame(), "t", "s").to_dict())
    b = _scale(PC.training_chart(train, "t", "s").to_dict())
    assert a["CS-3 (70B, 16-bit)"] == b["CS-3 wafers, weight streaming"] == PC.system_color("CS-3")
    assert a["DGX B200 (70B, FP8)"] == PC.system_color("B200") != PC.system_color("GB200 NVL72")
    assert b["GB200 NVL72 + CPO switches"] == PC.system_color("CPO")
    assert len(set(c for _, c in PC.SYSTEM_COLORS)) == len(PC.SYSTEM_COLORS)   # families are distinguishable
