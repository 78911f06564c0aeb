"""Distances, county sizes and terrain from the divisions table (clause 十七: 地理因素、交通条件).

Clause 十七 asks governments to staff the inspectorate with the number of schools *and* the
geography and transport conditions in mind. A province folder holds the coordinates of every
seat of government but no county areas or terrain, so the model uses two documented proxies:

- **County radius.** Neighbouring county seats lie about two county radii apart, so a county's
  radius is taken as half the mean great-circle distance from its seat to its ``neighbours``
  nearest other county seats, times ``scale`` and clipped to ``[low, high]`` km. On the bundled
  Hunan data, with 3 neighbours and a scale of 1.35, the areas ``π r²`` add up to about the
  province's 211,800 km²; districts of one city come out small (their seats are close
  together), large rural counties such as 安化 near their real size (4,950 km² → radius 40 km).
- **Mountain counties.** Autonomous counties and the counties of an autonomous prefecture are
  taken as mountainous: in Hunan all of them lie in the 武陵山, 雪峰山 and 南岭 ranges (湘西州 and
  the seven autonomous counties). Other mountain counties are not flagged: it is a lower bound.

Example:
    >>> import dudao_sim as ds
    >>> from dudao_sim.data.geography import county_radius_km, mountain_counties
    >>> hunan = ds.load_province("hunan")
    >>> r = county_radius_km(hunan, neighbours=3, scale=1.35, low=2.0, high=40.0)
    >>> bool(r["430181"] > r["430102"])  # 浏阳市 is larger than 芙蓉区
    True
    >>> int(mountain_counties(hunan).sum())  # 7 autonomous counties + 8 units of 湘西州
    15
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dudao_sim.data.province import Province
from dudao_sim.data.vocab import DivisionType

#: Mean radius of the Earth in km (IUGG).
EARTH_RADIUS_KM = 6371.0088


def great_circle_km(
    lon1: np.ndarray | float,
    lat1: np.ndarray | float,
    lon2: np.ndarray | float,
    lat2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (broadcasting, haversine).

    Args:
        lon1: Longitudes of the first points, degrees east.
        lat1: Latitudes of the first points, degrees north.
        lon2: Longitudes of the second points.
        lat2: Latitudes of the second points.

    Returns:
        Distances in km, of the broadcast shape.
    """
    lam1, phi1, lam2, phi2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    )
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def seats(province: Province) -> pd.DataFrame:
    """Coordinates of every seat of government, by division code.

    Returns:
        Columns ``longitude`` and ``latitude`` indexed by ``code``.
    """
    return province.divisions.set_index("code")[["longitude", "latitude"]].astype(float)


def county_radius_km(
    province: Province, neighbours: int, scale: float, low: float, high: float
) -> pd.Series:
    """Radius of each county in km, from the spacing of county seats (see the module notes).

    Args:
        province: The province.
        neighbours: Nearest other county seats averaged (at least 1).
        scale: Multiplier on half the mean distance.
        low: Smallest radius returned, km.
        high: Largest radius returned, km (also the radius of a province's only county).

    Returns:
        Radius in km indexed by county code, in ``county_table`` order.

    Raises:
        ValueError: If ``neighbours`` < 1 or ``low`` > ``high``.
    """
    if neighbours < 1 or low > high:
        raise ValueError(
            f"neighbours={neighbours!r}, low={low!r}, high={high!r}: not allowed; "
            "need neighbours >= 1 and low <= high"
        )
    codes = province.county_table.index.astype(str)
    xy = seats(province).reindex(codes)
    lon, lat = xy["longitude"].to_numpy(), xy["latitude"].to_numpy()
    dist = great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    np.fill_diagonal(dist, np.inf)
    k = min(int(neighbours), max(len(codes) - 1, 1))
    nearest = np.sort(dist, axis=1)[:, :k]
    half = np.where(np.isfinite(nearest).all(axis=1), nearest.mean(axis=1) / 2.0, high)
    return pd.Series(np.clip(scale * half, low, high), index=codes, name="radius_km")


def mountain_counties(province: Province) -> pd.Series:
    """Counties taken as mountainous: autonomous counties and those of autonomous prefectures.

    Returns:
        Boolean indexed by county code, in ``county_table`` order.
    """
    divisions = province.divisions.set_index("code")
    codes = province.county_table.index.astype(str)
    kind = divisions["division_type"].reindex(codes).astype(str)
    parent = divisions["parent_code"].reindex(codes).astype(str)
    parent_kind = divisions["division_type"].reindex(parent).astype(str).to_numpy()
    flag = (kind.to_numpy() == DivisionType.AUTONOMOUS_COUNTY.value) | (
        parent_kind == DivisionType.AUTONOMOUS_PREFECTURE.value
    )
    return pd.Series(flag, index=codes, name="mountain")


__all__ = [
    "EARTH_RADIUS_KM",
    "county_radius_km",
    "great_circle_km",
    "mountain_counties",
    "seats",
]
