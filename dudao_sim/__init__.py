"""dudao_sim — simulate education supervision reform (教育督导体制机制改革).

Public names::

    import dudao_sim as ds
    hunan = ds.load_province("hunan")            # bundled data, validated
    toy = ds.synthetic_province(n_counties=3, seed=1)
    graph = ds.build_hierarchy(hunan, granularity="full")
"""

from importlib.metadata import PackageNotFoundError, version

from dudao_sim.data import DataError, Province, bundled_provinces, load_province
from dudao_sim.synthetic import synthetic_province, write_synthetic_province

try:
    __version__ = version("dudao_sim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = [
    "DataError",
    "Province",
    "__version__",
    "bundled_provinces",
    "load_province",
    "synthetic_province",
    "write_synthetic_province",
]
