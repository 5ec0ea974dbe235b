"""``python -m waferscale``: the what-if command line (see :mod:`waferscale.cli`)."""
import sys

from .cli import main

sys.exit(main())
