"""``python -m waferscale.book.diagrams chapters/figures``: redraw the book's diagrams."""

import sys

from . import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
