"""The environment of the test command's reduced-SIMD leg: a stand-in for a machine with another CPU.

numpy chooses SIMD kernels at run time (``__cpu_dispatch__``: the targets this build can dispatch to;
``__cpu_features__``: what this CPU has). Naming every target this machine enables in
``NPY_DISABLE_CPU_FEATURES`` makes numpy fall back to its baseline kernels, whose transcendental
functions round differently in the last bit; one BLAS thread changes the order of BLAS reductions.
Stored outputs must come out byte-identical under this environment and under the default one.
"""
from __future__ import annotations

import os
import subprocess
import sys

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def enabled_dispatch_targets(python: str = sys.executable) -> list[str]:
    """The dispatch targets of ``python``'s numpy that this CPU enables (read at run time, in a child
    process, so that the caller's own numpy, possibly already restricted, does not answer)."""
    code = ("from numpy._core._multiarray_umath import __cpu_dispatch__ as d, __cpu_features__ as f;"
            "print(' '.join(t for t in d if f.get(t)))")
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    out = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


def reduced_simd_env(python: str = sys.executable) -> dict[str, str]:
    """``os.environ`` plus the baseline-only numpy dispatch and one BLAS thread."""
    env = dict(os.environ)
    env["NPY_DISABLE_CPU_FEATURES"] = " ".join(enabled_dispatch_targets(python))
    env.update({k: "1" for k in BLAS_THREADS})
    return env
