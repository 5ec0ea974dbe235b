"""Base layer: small helpers every other layer may use; imports nothing else from waferscale.

* :mod:`waferscale.core.units` — parse and convert units once (pint), canonical unit per quantity.
* :mod:`waferscale.core.checks` — named ``ValueError`` checks for numeric and choice arguments.
* :mod:`waferscale.core.digits` — the six-significant-digit rule for stored outputs.
"""
