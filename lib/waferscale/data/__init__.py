"""Data layer: the sourced catalog (CSV tables and one BibTeX file in this folder), its schema, the loader.

Imports only :mod:`waferscale.core`. See ``SCHEMA.md`` here for the tables and their columns.
"""

from .catalog import DATA_ENV, FIELDS, GRADES, ROLES, TABLES, Catalog, CatalogError, Fact, data_dir, load

__all__ = ["DATA_ENV", "FIELDS", "GRADES", "ROLES", "TABLES", "Catalog", "CatalogError", "Fact", "data_dir", "load"]
