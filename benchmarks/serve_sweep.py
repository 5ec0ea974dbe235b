"""Time the serving model with its layout search over 10^5 configurations (system x model x precision x chips x
users); the issue's target is <= 1 s.

Every configuration is answered as `serve(..., users=U)` answers it: the best of every parallel layout of the
chips for U users. `best_speed` evaluates each layout once for all user counts of a (system, model, precision,
chips) combination, which is how a sweep should call the model; the script also times single `serve` calls.
"""
from __future__ import annotations

import itertools
import time

import numpy as np

from waferscale.data import catalog
from waferscale.fit import servefit
from waferscale.models import serving as sv
from waferscale.models import workloads as wl


def main() -> None:
    cat = catalog.load()
    prm = servefit.fitted(cat)
    systems = ["h100_sxm", "dgx_h100", "dgx_b200", "gb200_nvl72", "cs3"]
    models = ["llama3_1_8b", "llama3_1_70b", "llama3_1_405b", "llama4_maverick"]
    combos = list(itertools.product(systems, models, ["bf16", "fp8"], [8, 16, 32, 64, 72]))
    users = np.unique(np.geomspace(1, 4096, 100_000 // len(combos)).round())
    users = np.concatenate([users, np.arange(1, 100_000 // len(combos) - len(users) + 1) + 4096.0])
    hw = {s: sv.hardware(cat, s) for s in systems}
    ms = {m: wl.model(cat, m) for m in models}
    ops = {p: sv.OperatingPoint(1000, 1000, p) for p in ("bf16", "fp8")}
    sv.best_speed(hw["dgx_h100"], ms["llama3_1_8b"], ops["bf16"], prm, [1])      # warm caches
    t0 = time.perf_counter()
    n = ok = 0
    for s, m, p, c in combos:
        try:
            v = sv.best_speed(hw[s], ms[m], ops[p], prm, users, chips=c)
        except ValueError:
            v = np.full(len(users), np.nan)
        n += len(v)
        ok += int(np.isfinite(v).sum())
    dt = time.perf_counter() - t0
    print(f"serve sweep with layout search: {n:,} configurations in {dt:.2f} s ({ok:,} fit; target 1 s)")
    t0 = time.perf_counter()
    for u in (1, 8, 64, 512):
        sv.serve(hw["dgx_b200"], ms["llama3_1_70b"], ops["fp8"], prm, users=u)
    print(f"one serve call (DGX B200, 70B, FP8): {(time.perf_counter() - t0) / 4 * 1e3:.1f} ms in process")


if __name__ == "__main__":
    main()
