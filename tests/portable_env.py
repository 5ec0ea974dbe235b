"""The environment of the test command's reduced-SIMD leg: a stand-in for a machine with another CPU.

numpy chooses SIMD kernels at run time (``__cpu_dispatch__``: the targets this build can dispatch to;
``__cpu_features__``: what this CPU has). :func:`baseline_env` names, in ``NPY_DISABLE_CPU_FEATURES``,
every dispatch target that this machine would enable, so a child process runs numpy's baseline kernels
only, and it pins BLAS and OpenMP to one thread (a reduction's order then does not depend on the thread
count). A stored output that this leg reproduces does not depend on the CPU that made it.

Examples
--------
>>> env = baseline_env({})
>>> env["OPENBLAS_NUM_THREADS"], env["OMP_NUM_THREADS"], env["MKL_NUM_THREADS"]
('1', '1', '1')
"""
from __future__ import annotations

import os
from typing import Mapping

__all__ = ["disabled_features", "baseline_env"]


def disabled_features() -> str:
    """Every numpy dispatch target that this CPU enables, space-separated (empty if none)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return " ".join(f for f in __cpu_dispatch__ if __cpu_features__.get(f))


def baseline_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of ``base`` (default: ``os.environ``) with numpy's dispatch limited to the baseline and one
    BLAS / OpenMP thread."""
    env = dict(os.environ if base is None else base)
    env["NPY_DISABLE_CPU_FEATURES"] = disabled_features()
    env.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    return env
