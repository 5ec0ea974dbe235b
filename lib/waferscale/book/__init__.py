"""Book layer: chart theme and renderer, one figures module per chapter, the data appendix, the Sphinx and
myst-nb glue, and the numbers lint. May import every layer below it (claims, fit, models, data, core).
"""
