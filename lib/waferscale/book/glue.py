"""The book's ``glue``: myst-nb's, with every float cut to the digits any CPU reproduces.

Notebooks write ``from waferscale.book.glue import glue`` instead of importing myst-nb's directly, so
that a glued number is stored with :data:`waferscale.core.digits.SIG_DIGITS` significant digits (the
prose formats it further with ``{glue:text}`name:.1f```). See :mod:`waferscale.core.digits` for why.

Examples
--------
>>> from waferscale.core.digits import round_floats
>>> round_floats(8.215383501464252)   # what glue("c01", 8.215383501464252) stores
8.21538
"""

from __future__ import annotations

from typing import Any

from ..core.digits import round_floats

__all__ = ["glue"]


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Store ``variable`` (floats rounded by :func:`waferscale.core.digits.round_floats`) under ``name``
    for ``{glue:text}`` and friends; ``display`` as in :func:`myst_nb.glue`."""
    from myst_nb import glue as _glue

    _glue(name, round_floats(variable), display=display)
