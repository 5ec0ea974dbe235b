"""Time the serving model with its layout search over a grid of configurations; the issue's target is 10^5
configurations in <= 1 s.

Each configuration (system x model x precision x chips x users) is one `serve(..., users=U)` call: every
parallel layout of the chips is evaluated and the fastest for U users kept. The script times a seeded sample of
the grid and prints the rate and what 10^5 configurations take at that rate.
"""
from __future__ import annotations

import itertools
import random
import time

from waferscale.data import catalog
from waferscale.fit import servefit
from waferscale.models import serving as sv
from waferscale.models import workloads as wl


def main(sample: int = 2000) -> None:
    cat = catalog.load()
    prm = servefit.fitted(cat)
    systems = ["h100_sxm", "dgx_h100", "dgx_b200", "gb200_nvl72", "cs3"]
    models = ["llama3_1_8b", "llama3_1_70b", "llama3_1_405b", "llama4_maverick"]
    grid = list(itertools.product(systems, models, ["bf16", "fp8"], [8, 16, 32, 64, 72], [1, 4, 16, 64, 256, 1024]))
    rows = random.Random(0).sample(grid * (sample // len(grid) + 1), sample)
    hw = {s: sv.hardware(cat, s) for s in systems}
    ms = {m: wl.model(cat, m) for m in models}
    ops = {p: sv.OperatingPoint(1000, 1000, p) for p in ("bf16", "fp8")}
    sv.serve(hw["dgx_h100"], ms["llama3_1_8b"], ops["bf16"], prm, users=1)   # warm caches
    ok = 0
    t0 = time.perf_counter()
    for s, m, p, c, u in rows:
        try:
            sv.serve(hw[s], ms[m], ops[p], prm, chips=c, users=u)
            ok += 1
        except ValueError:        # does not fit: answered (and timed) too
            pass
    dt = time.perf_counter() - t0
    per = dt / len(rows)
    print(f"serve sweep with layout search: {len(rows):,} configurations in {dt:.2f} s ({per * 1e3:.2f} ms each, "
          f"{ok:,} fit); 10^5 configurations would take {per * 1e5:.0f} s (target 1 s)")


if __name__ == "__main__":
    main()
