"""Data layer: province tables, schema and loader, synthesis rules and synthetic provinces.

Hunan's published totals live here too.

Nothing here knows about policy or the model; every other layer reads provinces through
:func:`load_province` or :func:`synthetic_province`.
"""

from dudao_sim.data.province import (
    TABLE_FILES,
    DataError,
    Province,
    bundled_provinces,
    datasets_dir,
    load_province,
    validate_table,
)
from dudao_sim.data.synthetic import synthetic_province, write_synthetic_province

__all__ = [
    "TABLE_FILES",
    "DataError",
    "Province",
    "bundled_provinces",
    "datasets_dir",
    "load_province",
    "synthetic_province",
    "validate_table",
    "write_synthetic_province",
]
