"""Seeded synthetic provinces of any size, in exactly the bundled format.

Tests, quick modes and scaling benchmarks use them: a 3-county toy, a Hunan-sized province,
or 20× Hunan (country scale). They are made by the same rules as the bundled Hunan tables
(:mod:`dudao_sim.data.county_rules`), with Hunan's mix of county types and Hunan's per-county
averages, and they pass through the same validation as a loaded folder
(:meth:`dudao_sim.data.province.Province.from_tables`). ``write_synthetic_province`` writes
them as CSV files that :func:`dudao_sim.data.province.load_province` reads back.

Example:
    >>> import dudao_sim as ds
    >>> toy = ds.synthetic_province(n_counties=3, seed=1)
    >>> len(toy.county_table)
    3
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dudao_sim.data import hunan
from dudao_sim.data.county_rules import (
    apportion,
    synthesize_fiscal_capacity,
    synthesize_schools,
    synthesize_townships,
)
from dudao_sim.data.province import Province
from dudao_sim.data.vocab import COUNTY_TYPES, DivisionType, Level, SchoolType

#: Hunan's counts of counties and 市州 and its mix of county-level division types
#: (36 districts, 19 cities, 60 counties, 7 autonomous), from ``datasets/hunan/published.toml``.
HUNAN_N_COUNTIES = hunan.N_COUNTIES
HUNAN_N_CITIES = hunan.N_CITIES
HUNAN_COUNTY_MIX = hunan.COUNTY_MIX
PROVINCE_CODE = "990000000"
MAX_COUNTIES = 50_000


def _check_count(name: str, value: int, low: int, high: int) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or not low <= value <= high
    ):
        raise ValueError(
            f"{name}: {value!r} is not allowed; must be a whole number in [{low}, {high}]"
        )


def synthetic_province(
    n_counties: int | None = None,
    n_cities: int | None = None,
    seed: int = 0,
    scale: float | None = None,
    schools_per_county: float | None = None,
) -> Province:
    """Generate a seeded synthetic province shaped like Hunan.

    Give either ``n_counties`` (default 3) or ``scale`` (``1.0`` = Hunan's 122 counties and
    25,000 schools; ``20`` = country scale). Province totals of townships, schools, private
    schools and enrolment are Hunan's scaled by the number of counties (or by
    ``schools_per_county``), then spread by the bundled rules.

    Args:
        n_counties: Number of county-level units.
        n_cities: Number of cities (市州); defaults to Hunan's ratio (about 9 counties each).
        seed: Seed; the same seed gives identical tables.
        scale: Size relative to Hunan, instead of ``n_counties``.
        schools_per_county: Average schools per county (Hunan: about 205).

    Returns:
        A validated :class:`~dudao_sim.data.province.Province`.

    Raises:
        ValueError: Naming the argument and the allowed range when a size is out of range.
    """
    if scale is not None:
        if n_counties is not None:
            raise ValueError("n_counties and scale: give one of them, not both")
        if not 0 < float(scale) <= MAX_COUNTIES / HUNAN_N_COUNTIES:
            raise ValueError(
                f"scale: {scale!r} is not allowed; must be in "
                f"(0, {MAX_COUNTIES / HUNAN_N_COUNTIES:.0f}]"
            )
        n_counties = max(1, round(HUNAN_N_COUNTIES * float(scale)))
    n_counties = 3 if n_counties is None else n_counties
    _check_count("n_counties", n_counties, 1, MAX_COUNTIES)
    if n_cities is None:
        n_cities = max(1, round(n_counties * HUNAN_N_CITIES / HUNAN_N_COUNTIES))
    _check_count("n_cities", n_cities, 1, min(n_counties, 999))
    if schools_per_county is not None and not 1 <= schools_per_county <= 100_000:
        raise ValueError(
            f"schools_per_county: {schools_per_county!r} is not allowed; must be in [1, 100000]"
        )
    seq = np.random.SeedSequence(seed)
    rng_layout, rng_coords, rng_cities = (np.random.default_rng(s) for s in seq.spawn(3))

    county_city = np.repeat(
        np.arange(n_cities), apportion(n_counties - n_cities, np.ones(n_cities)) + 1
    )
    mix = np.array(list(HUNAN_COUNTY_MIX.values()), dtype=float)
    county_types = rng_layout.choice(list(COUNTY_TYPES), size=n_counties, p=mix / mix.sum())

    city_codes = [f"99{c + 1:03d}0000" for c in range(n_cities)]
    centre = np.array([112.0, 27.5])
    city_xy = centre + rng_coords.uniform(-2.5, 2.5, size=(n_cities, 2))
    rows = [
        {
            "code": PROVINCE_CODE,
            "name": "示例省",
            "level": Level.PROVINCE.value,
            "division_type": DivisionType.PROVINCE.value,
            "parent_code": "",
            "longitude": centre[0],
            "latitude": centre[1],
        }
    ]
    for c, code in enumerate(city_codes):
        rows.append(
            {
                "code": code,
                "name": f"示例{c + 1}市",
                "level": Level.CITY.value,
                "division_type": DivisionType.PREFECTURE_CITY.value,
                "parent_code": PROVINCE_CODE,
                "longitude": city_xy[c, 0],
                "latitude": city_xy[c, 1],
            }
        )
    within = np.zeros(n_cities, dtype=int)
    suffix = {
        DivisionType.DISTRICT: "区",
        DivisionType.COUNTY_CITY: "市",
        DivisionType.COUNTY: "县",
        DivisionType.AUTONOMOUS_COUNTY: "自治县",
    }
    offsets = rng_coords.normal(0.0, 0.3, size=(n_counties, 2))
    for k in range(n_counties):
        c = county_city[k]
        within[c] += 1
        kind = DivisionType(county_types[k])
        rows.append(
            {
                "code": f"99{c + 1:03d}{within[c]:04d}",
                "name": f"示例{c + 1}市{within[c]}{suffix[kind]}",
                "level": Level.COUNTY.value,
                "division_type": kind.value,
                "parent_code": city_codes[c],
                "longitude": float(np.clip(city_xy[c, 0] + offsets[k, 0], -180, 180)),
                "latitude": float(np.clip(city_xy[c, 1] + offsets[k, 1], -90, 90)),
            }
        )
    divisions = pd.DataFrame(rows)
    counties = divisions[divisions["level"] == Level.COUNTY.value].reset_index(drop=True)

    ratio = n_counties / HUNAN_N_COUNTIES
    hunan_schools = hunan.school_totals()
    school_scale = ratio
    if schools_per_county is not None:
        school_scale = schools_per_county * n_counties / sum(hunan_schools.values())

    def scaled(totals: dict, factor: float) -> dict:
        return {k: round(v * factor) for k, v in totals.items()}

    schools_n = scaled(hunan_schools, school_scale)
    private_n = {
        t: min(n, schools_n[t]) for t, n in scaled(hunan.private_totals(), school_scale).items()
    }
    enrol = {
        t: round(hunan.ENROLMENT_2024[t] * schools_n[t] / max(hunan_schools[t], 1))
        for t in SchoolType
    }
    county_table = synthesize_townships(counties, scaled(hunan.TOWNSHIP_TOTALS, ratio), seed)
    city_factors = dict(zip(city_codes, np.exp(rng_cities.normal(0, 0.35, n_cities)), strict=True))
    county_table["fiscal_capacity"] = synthesize_fiscal_capacity(
        counties, city_factors, seed=seed
    ).to_numpy()
    schools = synthesize_schools(
        counties, schools_n, private_n, enrol, seed, capital_code=city_codes[0]
    )
    provenance = {
        "province": "示例省",
        "description": "Synthetic province generated by dudao_sim.data.synthetic (all figures "
        "synthesized).",
        "seed": int(seed),
        "built_by": "dudao_sim.synthetic_province",
        "parameters": {
            "n_counties": int(n_counties),
            "n_cities": int(n_cities),
            "schools_per_county": float(schools_per_county or 0.0),
        },
        "tables": {
            name: {
                "source": "synthetic",
                "columns": {c: {"synthesized": True} for c in frame.columns},
            }
            for name, frame in (
                ("divisions", divisions),
                ("counties", county_table),
                ("schools", schools),
            )
        },
    }
    return Province.from_tables(divisions, county_table, schools, provenance)


def write_synthetic_province(folder: str | Path, **kwargs: object) -> Path:
    """Generate a synthetic province and write it as CSV files in the bundled format.

    Args:
        folder: Destination folder (created if missing).
        **kwargs: Arguments of :func:`synthetic_province`.

    Returns:
        The folder, ready for :func:`dudao_sim.data.province.load_province`.
    """
    return synthetic_province(**kwargs).write(folder)  # type: ignore[arg-type]
