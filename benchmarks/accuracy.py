"""Accuracy of the serving model against published results, and its speed.

Prints every measured row beside the model's prediction (GPU validation rows with the calibrated constants, each
wafer row with the wafer constant fitted without it), the median |error| per group against the targets, whether
the faster system is named correctly on every pair of rows that compare two systems on the same model and mix,
and the time of a frontier, of a 10^5-configuration sweep and of one `serve` call.

    .venv/bin/python benchmarks/accuracy.py
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pandas as pd

from waferscale.data import catalog
from waferscale.fit import servefit as sf
from waferscale.models import workloads as wl
from waferscale.models.serving import OperatingPoint, frontier, hardware, serve

TARGETS = sf.TARGETS


def pairs(t: pd.DataFrame) -> tuple[int, int, list[str]]:
    """Pairs of rows with the same model, quantity and request mix on two systems: is the faster one named?"""
    ok, n, bad = 0, 0, []
    key = ["model", "quantity", "input_tokens", "output_tokens", "objective"]
    for _, g in t.dropna(subset=["predicted"]).groupby(key):
        g = g.drop_duplicates("system")
        rows = list(g.itertuples())
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                a, b = rows[i], rows[j]
                if a.measured == b.measured:
                    continue
                n += 1
                if (a.measured > b.measured) == (a.predicted > b.predicted):
                    ok += 1
                else:
                    bad.append(f"{a.id} vs {b.id}")
    return ok, n, bad


def main() -> None:
    cat = catalog.load()
    t = sf.table(cat)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 500)
    show = t[["id", "role", "system", "model", "objective", "measured", "predicted", "error", "grade"]]
    print(show.to_string(index=False))
    print()
    s = sf.summary(t)
    s["target"] = s["group"].map(TARGETS)
    s["met"] = np.where(s["target"].isna(), "-", np.where(s["median_abs_error"] <= s["target"], "yes", "no"))
    print(s.to_string(index=False))
    ok, n, bad = pairs(t)
    print(f"\nfaster system named correctly: {ok} of {n} pairs" + (f"; wrong: {', '.join(bad)}" if bad else ""))
    print("\nfitted:", sf.stored(cat)["params"])

    prm = sf.fitted(cat)
    hw, m = hardware(cat, "dgx_h100"), wl.model(cat, "llama3_1_70b")
    op = OperatingPoint(1000, 1000, "fp8")
    frontier(hw, m, op, prm)
    t0 = time.perf_counter()
    for _ in range(10):
        frontier(hw, m, op, prm)
    print(f"\nfrontier (DGX H100, Llama 3.1 70B): {(time.perf_counter() - t0) / 10 * 1e3:.1f} ms (target <= 50 ms)")
    t0 = time.perf_counter()
    n_cfg = 0
    for sid in ("h100_sxm", "dgx_h100", "dgx_h200", "dgx_b200", "gb200_nvl72", "cs3"):
        h = hardware(cat, sid)
        for mid in ("llama3_1_8b", "llama3_1_70b", "llama4_maverick"):
            for prec in ("bf16", "fp8"):
                try:
                    frontier(h, wl.model(cat, mid), OperatingPoint(1000, 1000, prec), prm)
                except ValueError:
                    pass
    dt = time.perf_counter() - t0
    print(f"36 frontiers over 6 systems x 3 models x 2 precisions: {dt:.2f} s")
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "waferscale", "serve", "--system", "dgx_h100", "--model",
                        "llama3_1_70b", "--precision", "fp8", "--users", "16", "--json"], capture_output=True)
    print(f"one `serve` call (a fresh process, catalog load included): {time.perf_counter() - t0:.2f} s "
          f"(target <= 1 s), exit {r.returncode}")


if __name__ == "__main__":
    main()
