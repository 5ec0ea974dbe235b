"""Models layer: physics and economics as functions of catalog facts and plain numbers.

Imports :mod:`waferscale.data` and :mod:`waferscale.core` only: never a fit, a claim or a chart. Fitted
parameters are an argument (or the default installed by :mod:`waferscale.fit`), never imported.
"""
