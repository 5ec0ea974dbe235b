"""Models layer: physics and economics as pure cost functions of frozen records and plain numbers.

Each record (``Tier``, ``FatTree``, ``Cluster``, ``Hardware``, ``Transformer``, ``Profile``, ...) has a resolver next
to it that reads it from the catalog once; only those readers take the catalog (``tests/test_records.py``).
Imports :mod:`waferscale.data` and :mod:`waferscale.core` only: never a fit, a claim or a chart. Fitted
parameters are an argument, never imported.
"""
