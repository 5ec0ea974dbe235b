"""The what-if command line, ``python -m waferscale`` (the top layer: it may import every other).

* :mod:`waferscale.cli.app`: the typer app, the list/claims/yield/collective/train commands and :func:`main`;
* :mod:`waferscale.cli.serving`: ``serve`` and its batch-1 shortcut ``decode`` (registered on import);
* :mod:`waferscale.cli.checks`: the input contract (allowed range of every option, one error format).
"""

from .app import app, main
from . import serving  # noqa: F401  (registers serve and decode on app)

__all__ = ["app", "main"]
