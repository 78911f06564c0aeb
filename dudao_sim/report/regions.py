"""Results county by county for the report: paired differences with their 市州.

The statistics are those of :mod:`dudao_sim.experiments.statistics`
(:func:`~dudao_sim.experiments.statistics.paired_differences`), applied to each county's
runs; this module only selects the runs and attaches names.

Example:
    >>> import pandas as pd
    >>> county = pd.DataFrame({"scenario": ["a", "a", "b", "b"], "seed": [1, 2, 1, 2],
    ...     "month": 0, "code": "430102", "name": "芙蓉区", "metric": "quality_mean",
    ...     "value": [0.0, 0.1, 0.2, 0.3]})
    >>> county_paired(county, "a", "b")[["code", "metric", "diff_mean"]]
         code        metric  diff_mean
    0  430102  quality_mean        0.2
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from dudao_sim.experiments.statistics import RUN_COLUMNS, paired_differences

if TYPE_CHECKING:
    from dudao_sim.data.province import Province

#: Columns of :func:`county_paired`.
COUNTY_COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "city",
    "metric",
    "diff_mean",
    "ci_low",
    "ci_high",
    "n_seeds",
    "within_noise",
)


def county_cities(
    codes: pd.Series, province: Province | None, cities: Mapping[str, str] | None = None
) -> pd.Series:
    """The 市州 name of each county code.

    From the province's county table when given (a province-managed county, 省直管县, gets
    the province's name); otherwise from ``cities`` (``{city code: name}``, e.g. the report's
    results by 市州) by the GB/T 2260 rule (a county's city shares its first four digits);
    ``"—"`` where neither tells.
    """
    codes = codes.astype(str)
    if province is not None:
        table = province.county_table
        names = dict(zip(province.cities.index.astype(str), province.cities["name"], strict=True))
        names[str(province.code)] = province.name
        parent = dict(zip(table.index.astype(str), table["city_code"].astype(str), strict=True))
        return codes.map(lambda c: names.get(parent.get(c, ""), "—"))
    lookup = {str(k): v for k, v in (cities or {}).items()}
    return codes.map(lambda c: lookup.get(c[:4] + "00", "—"))


def county_paired(
    county: pd.DataFrame,
    baseline: str,
    scenario: str,
    last_months: int = 12,
    level: float = 0.95,
    province: Province | None = None,
    cities: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Paired differences ``scenario − baseline`` of every regional metric, county by county.

    Args:
        county: Tidy ``metrics_by("county")`` results with ``scenario`` and ``seed`` columns
            (``scenario``, ``seed``, ``month``, ``code``, ``name``, ``metric``, ``value``).
        baseline: The baseline scenario.
        scenario: The scenario compared.
        last_months: Months at the end of each run to average.
        level: Confidence level of the intervals.
        province: The province (for 市州 names), if known.
        cities: ``{city code: name}`` when the province is not given.

    Returns:
        Columns :data:`COUNTY_COLUMNS`, one row per county and metric (counties in code
        order).

    Raises:
        ValueError: Naming missing columns.
    """
    need = [*RUN_COLUMNS, "code", "name"]
    missing = [c for c in need if c not in county.columns]
    if missing:
        raise ValueError(f"county: missing column(s) {missing}; expected {need}")
    runs = county[county["scenario"].isin([baseline, scenario])].astype({"code": str})
    frames = []
    for (code, name), part in runs.groupby(["code", "name"], sort=True):
        if set(part["scenario"]) != {baseline, scenario}:
            continue
        diff = paired_differences(part[list(RUN_COLUMNS)], baseline, last_months, level)
        diff = diff[diff["scenario"] == scenario].drop(columns="scenario")
        frames.append(diff.assign(code=code, name=name))
    if not frames:
        return pd.DataFrame(columns=list(COUNTY_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    out["city"] = county_cities(out["code"], province, cities).to_numpy()
    return out[list(COUNTY_COLUMNS)]


__all__ = ["COUNTY_COLUMNS", "county_cities", "county_paired"]
