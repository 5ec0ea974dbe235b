"""One claim's call path through the package: which modules a verdict enters, how often, and whether a call ever
climbs back to a higher layer, or lets a cost function see the catalog.

Issue 14 measured the C02 verdict of the old flat package: following one parameter entered 7 files 27 times with
12 climbs back to higher layers. This script traces the same verdict (or any claim given as an argument) with
``sys.setprofile`` (``tests/callpath.py``) and prints the modules entered from another module in first-call order,
the layer of each, the number of entries per module, the climbs (a call from a module into one of a *higher*
layer) and the models functions handed the catalog, each of which must be a reader declared in
``tests/test_records.py``. Exit status 1 if there is a climb or an undeclared reader.

    .venv/bin/python benchmarks/call_path.py            # C02
    .venv/bin/python benchmarks/call_path.py C16
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import waferscale as ws  # noqa: E402
from callpath import LAYERS, layer, trace  # noqa: E402
from test_records import READERS  # noqa: E402  (the declared catalog readers)
from waferscale.claims import registry  # noqa: E402


def main(argv: list[str]) -> int:
    claim_id = argv[1] if len(argv) > 1 else "C02"
    claim = next(c for c in registry.CLAIMS if c.id == claim_id)
    r = trace(claim.verdict, ws.load())
    per = collections.Counter(r["entries"])
    v = r["verdict"]
    print(f"{claim_id}: {v.status.value}, {v.figure:.4g}{v.unit}" if v.figure is not None else f"{claim_id}: {v.status.value}")
    print(f"modules entered: {len(per)}; entries from another module: {len(r['entries'])}; "
          f"climbs to a higher layer: {len(r['climbs'])}")
    print("\nmodule (layer): entries, in first-call order")
    for m in dict.fromkeys(r["entries"]):
        print(f"  {m:34} {LAYERS[layer(m)] if layer(m) < len(LAYERS) else '?':7} {per[m]:6d}")
    for c in r["climbs"][:20]:
        print("  climb:", c)
    print("\nmodels functions handed the catalog (each must be a declared reader):")
    bad = []
    for k, n in sorted(r["catalog"].items()):
        kind = READERS.get(k)
        bad += [k] if kind is None else []
        print(f"  {k:44} {kind or 'NOT A DECLARED READER':10} {n:6d}")
    return 1 if r["climbs"] or bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
