"""Time a sweep of 10^5 decode configurations (model x system x precision x chips x users); target <= 1 s."""
from __future__ import annotations

import itertools
import time

import numpy as np

from waferscale.data import catalog
from waferscale.fit import perffit
from waferscale.models import performance as pf


def main() -> None:
    cat = catalog.load()
    prm = perffit.fitted(cat)
    systems = ["h100_sxm", "dgx_h100", "dgx_b200", "gb200_nvl72", "cs3"]
    models = ["llama3_1_8b", "llama3_1_70b", "llama3_1_405b", "llama4_maverick"]
    precisions = ["bf16", "fp8"]
    chips = [8, 16, 32, 64, 72]
    grid = list(itertools.product(systems, models, precisions, chips))
    users = np.unique(np.geomspace(1, 4096, 100_000 // len(grid) + 1).astype(int))
    rep = int(np.ceil(100_000 / (len(grid) * len(users))))
    cfg_rows = [(s, m, p, c, u) for (s, m, p, c) in grid for u in users] * rep
    cfg_rows = cfg_rows[:100_000]
    cols = list(zip(*cfg_rows))
    cfg = {"system": np.array(cols[0]), "model": np.array(cols[1]), "precision": np.array(cols[2]),
           "chips": np.array(cols[3], float), "users": np.array(cols[4], float)}
    pf.sweep(cat, {k: v[:10] for k, v in cfg.items()}, prm)   # warm caches
    t0 = time.perf_counter()
    out = pf.sweep(cat, cfg, prm)
    dt = time.perf_counter() - t0
    print(f"decode sweep: {len(cfg['system']):,} configurations in {dt:.3f} s "
          f"({np.isfinite(out['time_per_token_s']).sum():,} fit in memory)")


if __name__ == "__main__":
    main()
