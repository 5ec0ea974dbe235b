"""The book's rule for digits: what a stored output may carry so that every CPU reproduces it.

numpy picks SIMD kernels at run time (AVX2, AVX-512, ... : ``numpy._core._multiarray_umath.__cpu_dispatch__``),
and transcendental functions and reductions may then differ in the last bit or two of a float64. An
iterative fit amplifies such differences (one part in 10¹¹ was seen on an earlier decode fit). A
model built from physical inputs known to two or three digits cannot promise more than a handful
anyway, so everything the book *stores* is cut to :data:`SIG_DIGITS` significant digits, in one
place per channel:

* glued numbers: :func:`waferscale.book.glue.glue`;
* chart data and every other number in a chart's spec: :func:`waferscale.book.charts.render`;
* fitted parameters: the serving model's fit is committed (``fit/serve_params.json``, six significant digits)
  and read back, so all that is computed from them starts from the same bits everywhere;
* the CLI's JSON and tables: :mod:`waferscale.cli`.

Rounding goes through Python's correctly rounded decimal formatting (``format(x, '.6g')``), which
gives the same result on every platform. A value that lies within one part in 10¹¹ of a rounding
boundary could still round either way; the test command's reduced-SIMD leg would show it.

Examples
--------
>>> sig(8.215383501464252)
8.21538
>>> sig(6.578719468220087e-07)
6.57872e-07
>>> round_floats({"bytes": 5.623413251903491, "n": 3, "xs": [1.0000004, float("nan")]})
{'bytes': 5.62341, 'n': 3, 'xs': [1.0, nan]}
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

__all__ = ["SIG_DIGITS", "sig", "round_floats", "SUPERSCRIPTS", "superscript"]

#: Significant digits kept in every stored output (glue, charts, CLI output, fitted parameters).
SIG_DIGITS = 6


def sig(x: float, digits: int = SIG_DIGITS) -> float:
    """``x`` rounded to ``digits`` significant digits (NaN and ±inf pass through unchanged)."""
    x = float(x)
    if not math.isfinite(x) or x == 0.0:
        return x
    return float(format(x, f".{digits}g"))


def round_floats(obj: Any, digits: int = SIG_DIGITS) -> Any:
    """A copy of ``obj`` with every float (Python or numpy, in dicts, lists, tuples, arrays,
    pandas objects) rounded by :func:`sig`; ints, bools, strings and other objects unchanged."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, Integral):
        return obj
    if isinstance(obj, Real):
        return sig(obj, digits)
    if isinstance(obj, dict):
        return {k: round_floats(v, digits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(round_floats(v, digits) for v in obj)
    mod = type(obj).__module__
    if mod.startswith("numpy"):
        import numpy as np

        if isinstance(obj, np.ndarray):
            if obj.dtype.kind == "f":
                return np.vectorize(lambda v: sig(v, digits), otypes=[obj.dtype])(obj) if obj.size else obj.copy()
            if obj.dtype == object:
                return np.array([round_floats(v, digits) for v in obj.ravel()], dtype=object).reshape(obj.shape)
        return obj
    if mod.startswith("pandas"):
        import pandas as pd

        if isinstance(obj, pd.DataFrame):
            out = obj.copy()
            for c in out.columns:
                out[c] = round_floats(out[c], digits)
            return out
        if isinstance(obj, pd.Series):
            if obj.dtype.kind == "f":
                return obj.map(lambda v: sig(v, digits))
            if obj.dtype == object:
                return obj.map(lambda v: round_floats(v, digits))
            return obj.copy()
    return obj


#: Superscript forms of the characters an integer exponent is written with (for 10ⁿ in prose, tables and axes).
SUPERSCRIPTS = {"-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸",
                "9": "⁹"}


def superscript(n: int) -> str:
    """The integer ``n`` in superscript characters, as an exponent is printed.

    >>> "10" + superscript(-18), "10" + superscript(17)
    ('10⁻¹⁸', '10¹⁷')
    """
    return "".join(SUPERSCRIPTS[c] for c in str(int(n)))
