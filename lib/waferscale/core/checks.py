"""Input checks shared by every model module: one message format, one set of rules.

Every public model function checks its numeric inputs with these helpers. A bad value raises
``ValueError`` (never another exception type) whose message names the parameter, its value and
the allowed range, in one format across the package::

    defects_per_cm2=-1.0 is out of range; allowed: [0, 1e+03]
    ranks=2.5 is out of range; allowed: an integer in [1, 1.049e+06]
    ranks=True is not a number; allowed: an integer in [1, 1.049e+06]

Rules: booleans, strings, ``None`` and other non-numbers are rejected (a bool is not a count);
NaN and ±inf are rejected; a Python int of any size is compared exactly before it is converted,
so a 400-digit integer gets the same clean message. Bounds are finite wherever a larger value
could overflow a result or make a call slow: each function states its ranges in its docstring.

>>> check_real("defects_per_cm2", 0.1, 0, 1e3)
0.1
>>> check_real("defects_per_cm2", -1.0, 0, 1e3)
Traceback (most recent call last):
...
ValueError: defects_per_cm2=-1.0 is out of range; allowed: [0, 1000]
>>> check_int("ranks", 8, 1, 2**20)
8
>>> check_choice("bound", "max", ("value", "low", "high"))
Traceback (most recent call last):
...
ValueError: bound='max' is not allowed; allowed: 'value', 'low', 'high'
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Iterable

import numpy as np
from numpy.typing import NDArray

__all__ = ["BIG", "MAX_COUNT", "show", "describe", "check_real", "check_int", "check_choice", "check_array",
           "check_positive_finite"]

#: Default upper bound of a real input (areas, prices, bytes, rates): far beyond any physical
#: value, small enough that sums and products of a few such inputs stay finite.
BIG = 1e18
#: Default upper bound of an integer input: every integer up to it is exact as a float.
MAX_COUNT = 2**53


def show(value: Any) -> str:
    """The value as the message shows it: shortest repr, a huge int abbreviated, arrays by first element."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return repr(value)
    if isinstance(value, numbers.Integral):
        s = str(int(value))
        return s if len(s) <= 24 else f"{s[:6]}…({len(s.lstrip('-'))} digits)"
    if isinstance(value, numbers.Real):
        return repr(float(value))
    s = repr(value)
    return s if len(s) <= 60 else s[:57] + "..."


def _g(x: float) -> str:
    return f"{x:.4g}"


def describe(lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False, integer: bool = False) -> str:
    """The allowed range as messages write it: ``[0, 1e+03]``, ``(0, inf)``, ``an integer in [1, 64]``."""
    left, right = ("(" if lo_open else "["), (")" if hi_open else "]")
    rng = f"{left}{_g(lo)}, {_g(hi)}{right}"
    return f"an integer in {rng}" if integer else rng


def _fail(name: str, value: Any, problem: str, allowed: str) -> ValueError:
    return ValueError(f"{name}={show(value)} {problem}; allowed: {allowed}")


def _in(x: float, lo: float, hi: float, lo_open: bool, hi_open: bool) -> bool:
    return (x > lo if lo_open else x >= lo) and (x < hi if hi_open else x <= hi)


def check_real(name: str, value: Any, lo: float = 0.0, hi: float = BIG, *, lo_open: bool = False,
               hi_open: bool = False) -> float:
    """``value`` as a float if it is a real number (not a bool) within the range, else ValueError.

    The range is ``[lo, hi]``; ``lo_open`` / ``hi_open`` exclude an end.
    """
    if type(value) is float and math.isfinite(value) and _in(value, lo, hi, lo_open, hi_open):
        return value                      # the common case, answered before any message is built
    allowed = describe(lo, hi, lo_open=lo_open, hi_open=hi_open)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            return check_real(name, value.item(), lo, hi, lo_open=lo_open, hi_open=hi_open)
        raise _fail(name, value, "is not a number", allowed)
    if isinstance(value, numbers.Integral):  # exact comparison first: a 400-digit int must not overflow
        v = int(value)
        if not (lo - 1 <= v <= hi + 1):
            raise _fail(name, value, "is out of range", allowed)
    x = float(value)
    if not math.isfinite(x) or not _in(x, lo, hi, lo_open, hi_open):
        raise _fail(name, value, "is out of range", allowed)
    return x


def check_positive_finite(name: str, value: Any, hi: float = BIG) -> float:
    """Shorthand for ``check_real(name, value, 0, hi, lo_open=True)``."""
    return check_real(name, value, 0.0, hi, lo_open=True)


def check_int(name: str, value: Any, lo: int = 0, hi: int = MAX_COUNT) -> int:
    """``value`` as an int if it is a whole number (an int, or a float with no fraction) in ``[lo, hi]``."""
    if type(value) is int and lo <= value <= hi:
        return value                      # the common case, answered before any message is built
    allowed = describe(lo, hi, integer=True)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            return check_int(name, value.item(), lo, hi)
        raise _fail(name, value, "is not a number", allowed)
    if isinstance(value, numbers.Integral):
        v = int(value)
    else:
        x = float(value)
        if not math.isfinite(x) or not x.is_integer():
            raise _fail(name, value, "is out of range", allowed)
        v = int(x)
    if not lo <= v <= hi:
        raise _fail(name, value, "is out of range", allowed)
    return v


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """``value`` if it is one of ``choices`` (compared by equality, types must match), else ValueError."""
    options = list(choices)
    if not any(type(value) is type(c) and value == c for c in options):
        raise _fail(name, value, "is not allowed", ", ".join(repr(c) for c in options))
    return value


def check_array(name: str, value: Any, lo: float = 0.0, hi: float = BIG, *, lo_open: bool = False,
                hi_open: bool = False, integer: bool = False) -> NDArray[np.float64]:
    """``value`` (a number or array-like) as a float array, every element a real number in range.

    Booleans, strings and objects are rejected whole; the message shows the first bad element.
    """
    allowed = describe(lo, hi, lo_open=lo_open, hi_open=hi_open, integer=integer)
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        check_int(name, value, math.ceil(lo) if math.isfinite(lo) else -MAX_COUNT,
                  math.floor(hi) if math.isfinite(hi) else MAX_COUNT) if integer else check_real(
            name, value, lo, hi, lo_open=lo_open, hi_open=hi_open)
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raise _fail(name, value, "is not a number", allowed) from None
    if raw.dtype.kind not in "iuf":
        if raw.dtype.kind == "O":  # e.g. a list holding a huge int: check element by element
            for v in raw.flat:
                if integer:
                    check_int(name, v, math.ceil(lo), math.floor(hi) if math.isfinite(hi) else MAX_COUNT)
                else:
                    check_real(name, v, lo, hi, lo_open=lo_open, hi_open=hi_open)
        raise _fail(name, value if raw.ndim == 0 else raw.flat[0] if raw.size else value, "is not a number", allowed)
    arr = raw.astype(float)
    bad = ~np.isfinite(arr) | (arr <= lo if lo_open else arr < lo) | (arr >= hi if hi_open else arr > hi)
    if integer:
        bad |= arr != np.round(arr)
    if np.any(bad):
        first = arr[bad].flat[0] if arr.ndim else arr.item()
        if raw.dtype.kind in "iu":
            first = int(raw[bad].flat[0]) if raw.ndim else int(raw)
        raise _fail(name, first, "is out of range", allowed)
    return arr
