"""Unit parsing for the catalog, on one shared pint registry.

Units are converted once, when the catalog loads, into the canonical unit of each field
(bytes, bytes/s, J/bit, W, s, ...). Everything downstream works in plain floats of those
canonical units, with the unit in the variable name (``hbm_bytes_per_s``).

Two classic slips are made impossible rather than merely unlikely:

* ``GB`` (10^9 bytes) and ``GiB`` (2^30 bytes) are different units and convert differently;
* ``b`` is *not* accepted for bits (pint reads it as the barn, an area), so ``Tb/s`` fails to
  parse as a bandwidth; data must say ``Tbit/s``. ``TB/s`` is terabytes per second.

Examples
--------
>>> to_canonical(1.0, "Tbit/s", "byte/s")
125000000000.0
>>> to_canonical(1.0, "GiB", "byte")
1073741824.0
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pint itself loads on the first parse: a catalog read from the disk cache never needs it
    import pint

__all__ = ["UnitError", "registry", "parse_unit", "to_canonical"]


class UnitError(ValueError):
    """A unit string that does not parse, or has the wrong dimension for its field."""


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The package's unit registry: pint's defaults plus FLOP, token, USD and count."""
    import pint

    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.define("flop = [computation] = FLOP")
    ureg.define("token = [token]")
    ureg.define("USD = [currency] = usd")
    ureg.define("count = [] = chips = units")
    # "percent" exists in recent pint; define it if missing so "percent" always parses.
    if "percent" not in ureg:
        ureg.define("percent = 0.01 = %")
    return ureg


def parse_unit(unit: str) -> pint.Unit:
    """Parse ``unit`` with the package registry, refusing the ambiguous ``b``.

    Raises
    ------
    UnitError
        If the string is empty, uses ``b`` for bits, or does not parse.
    """
    if not isinstance(unit, str) or not unit.strip():
        raise UnitError("unit is empty; expected a unit such as 'GB' or 'TB/s'")
    return _parse(unit.strip())


@lru_cache(maxsize=1024)
def _parse(text: str) -> pint.Unit:
    """:func:`parse_unit` of a stripped string, cached: the catalog parses the same few units hundreds of times."""
    ureg = registry()
    try:
        parsed = ureg.parse_units(text)
    except Exception as exc:  # pint raises several error types
        raise UnitError(f"unit {text!r} does not parse ({exc.__class__.__name__})") from None
    if "barn" in str(parsed):
        raise UnitError(f"unit {text!r} reads 'b' as barn (an area); write 'bit' for bits, 'B' for bytes")
    return parsed


def to_canonical(value: float, unit: str, canonical: str) -> float:
    """Convert ``value`` in ``unit`` to the ``canonical`` unit and return a float.

    Raises
    ------
    UnitError
        If ``unit`` does not parse or has a different dimension from ``canonical``.
    """
    parse_unit(unit)  # the errors of an empty or unparsable unit
    factor = _factor(unit.strip(), canonical)
    if factor is not None:  # a multiplicative unit: pint itself multiplies by this same factor
        return float(value) * factor
    ureg = registry()
    return float(ureg.Quantity(float(value), _parse(unit.strip())).to(_parse(canonical)).magnitude)


@lru_cache(maxsize=1024)
def _factor(unit: str, canonical: str) -> float | None:
    """The factor from ``unit`` to ``canonical`` (cached), or None for an offset unit such as degC."""
    ureg = registry()
    src, dst = _parse(unit), _parse(canonical)
    q = ureg.Quantity(1.0, src)
    if q.dimensionality != ureg.Quantity(1.0, dst).dimensionality:
        raise UnitError(
            f"unit {unit!r} has dimension {q.dimensionality}, but the field needs {canonical!r} "
            f"({ureg.Quantity(1.0, dst).dimensionality})"
        )
    factor = float(q.to(dst).magnitude)
    linear = float(ureg.Quantity(0.0, src).to(dst).magnitude) == 0.0
    return factor if linear else None
