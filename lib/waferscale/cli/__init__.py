"""The what-if command line, ``python -m waferscale`` (the top layer: it may import every other).

* :mod:`waferscale.cli.app`: the typer commands and :func:`main`;
* :mod:`waferscale.cli.checks`: the input contract (allowed range of every option, one error format).
"""

from .app import app, main

__all__ = ["app", "main"]
