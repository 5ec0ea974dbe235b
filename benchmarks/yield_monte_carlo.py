"""Throughput of the defect-map Monte Carlo: 10^5 WSE-3-sized wafers on one core (target ≤ 2 s).

Run: ``.venv/bin/python benchmarks/yield_monte_carlo.py``. Prints the best of three timings for the
unclustered (Poisson) and clustered (gamma-mixed, α = 2) processes at the catalog's present-day
defect density, with the wafers per second and the yield each run found.
"""
from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says

import waferscale as ws  # noqa: E402
from waferscale.models import montecarlo, redundancy  # noqa: E402

N_WAFERS = 100_000


def main() -> None:
    cat = ws.load()
    arr = redundancy.from_catalog(cat, "wse3")
    d = float(cat.defect_densities.sort_values("year").iloc[-1]["value"])
    print(f"array: {arr.physical_cores:,} cores of {arr.core_area_mm2} mm², 1 spare per {arr.segment_cores}, "
          f"D = {d} /cm², {N_WAFERS:,} wafers")
    for label, alpha in (("Poisson", None), ("clustered, alpha=2", 2.0)):
        times = []
        for rep in range(3):
            t0 = time.perf_counter()
            r = montecarlo.simulate(arr, d, N_WAFERS, alpha=alpha, seed=rep)
            times.append(time.perf_counter() - t0)
        best = min(times)
        print(f"{label:>20}: {best:6.2f} s  ({N_WAFERS / best:,.0f} wafers/s)  yield {r.full_array_yield:.4f}  "
              f"target ≤ 2 s: {'met' if best <= 2 else 'MISSED'}")


if __name__ == "__main__":
    main()
