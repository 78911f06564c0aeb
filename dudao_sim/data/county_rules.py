"""Deterministic rules that synthesize the county figures no public table gives.

Used twice, so that the bundled province and synthetic provinces are made the same way:
:mod:`dudao_sim.data.hunan` applies them to Hunan's real divisions and published province totals,
:mod:`dudao_sim.data.synthetic` to a generated province of any size.

Every rule distributes a known province total over counties by weights that depend on the
county's division type (district / county-level city / county / autonomous county), times a
seeded county-size factor, with largest-remainder rounding so the totals are met exactly. The
weights are assumptions, listed with their meaning in :data:`DEFAULT_RULES` and in
``docs/data.md``; a user with real county tables drops them in instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dudao_sim.data.vocab import DivisionType, Ownership, SchoolType, TownshipType

_D = DivisionType


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split a whole number into whole shares proportional to weights (largest remainder).

    Args:
        total: The whole number to split (>= 0).
        weights: Non-negative weights, at least one positive when ``total > 0``.

    Returns:
        Integer shares summing exactly to ``total``; ties go to the earlier position.

    Raises:
        ValueError: If ``total`` is negative, a weight is negative, or all weights are zero
            while ``total > 0``.
    """
    weights = np.asarray(weights, dtype=float)
    if total < 0:
        raise ValueError(f"total: {total} is not allowed; must be >= 0")
    if (weights < 0).any() or not np.isfinite(weights).all():
        raise ValueError("weights: must be finite and >= 0")
    if total == 0 or len(weights) == 0:
        return np.zeros(len(weights), dtype=np.int64)
    if weights.sum() <= 0:
        raise ValueError(f"weights: all zero, cannot apportion a total of {total}")
    quota = weights / weights.sum() * total
    shares = np.floor(quota).astype(np.int64)
    remainder = int(total - shares.sum())
    if remainder:
        order = np.lexsort((np.arange(len(quota)), -(quota - shares)))
        shares[order[:remainder]] += 1
    return shares


@dataclass(frozen=True)
class SynthesisRules:
    """Weights and spreads used to spread province totals over counties (all assumptions).

    Attributes:
        township_weights: Township-level units of each type per county, relative, by county
            division type (districts are mostly 街道; counties mostly 镇 and 乡).
        school_weights: Schools of each type per county, relative, by county division type
            (rural counties keep many small primary schools; urban districts more kindergartens,
            senior and vocational schools).
        capital_he_factor: Extra weight of the capital city's districts for higher education.
        size_factors: Enrolment per school, relative, by county division type.
        private_weights: Chance, relative, that a school in such a county is private (民办).
        county_size_sigma: Spread (log-SD) of a seeded county-size factor multiplying the
            school and township weights, so counties of one type differ.
        school_size_sigma: Spread (log-SD) of enrolment between schools of one county.
    """

    township_weights: Mapping[TownshipType, Mapping[DivisionType, float]] = field(
        default_factory=lambda: {
            TownshipType.SUBDISTRICT: {
                _D.DISTRICT: 1.0,
                _D.COUNTY_CITY: 0.45,
                _D.COUNTY: 0.12,
                _D.AUTONOMOUS_COUNTY: 0.1,
            },
            TownshipType.TOWN: {
                _D.DISTRICT: 0.25,
                _D.COUNTY_CITY: 1.0,
                _D.COUNTY: 1.0,
                _D.AUTONOMOUS_COUNTY: 0.8,
            },
            TownshipType.XIANG: {
                _D.DISTRICT: 0.03,
                _D.COUNTY_CITY: 0.3,
                _D.COUNTY: 1.0,
                _D.AUTONOMOUS_COUNTY: 1.4,
            },
        }
    )
    school_weights: Mapping[SchoolType, Mapping[DivisionType, float]] = field(
        default_factory=lambda: {
            SchoolType.KINDERGARTEN: {
                _D.DISTRICT: 1.2,
                _D.COUNTY_CITY: 1.1,
                _D.COUNTY: 1.0,
                _D.AUTONOMOUS_COUNTY: 0.8,
            },
            SchoolType.PRIMARY: {
                _D.DISTRICT: 0.6,
                _D.COUNTY_CITY: 1.1,
                _D.COUNTY: 1.2,
                _D.AUTONOMOUS_COUNTY: 1.2,
            },
            SchoolType.JUNIOR_SECONDARY: {
                _D.DISTRICT: 0.7,
                _D.COUNTY_CITY: 1.1,
                _D.COUNTY: 1.1,
                _D.AUTONOMOUS_COUNTY: 1.0,
            },
            SchoolType.SENIOR_SECONDARY: {
                _D.DISTRICT: 1.0,
                _D.COUNTY_CITY: 1.0,
                _D.COUNTY: 0.8,
                _D.AUTONOMOUS_COUNTY: 0.7,
            },
            SchoolType.SECONDARY_VOCATIONAL: {
                _D.DISTRICT: 1.2,
                _D.COUNTY_CITY: 1.0,
                _D.COUNTY: 0.8,
                _D.AUTONOMOUS_COUNTY: 0.7,
            },
            SchoolType.HIGHER_EDUCATION: {
                _D.DISTRICT: 1.0,
                _D.COUNTY_CITY: 0.1,
                _D.COUNTY: 0.02,
                _D.AUTONOMOUS_COUNTY: 0.02,
            },
        }
    )
    capital_he_factor: float = 8.0
    size_factors: Mapping[DivisionType, float] = field(
        default_factory=lambda: {
            _D.DISTRICT: 1.6,
            _D.COUNTY_CITY: 1.1,
            _D.COUNTY: 0.9,
            _D.AUTONOMOUS_COUNTY: 0.7,
        }
    )
    private_weights: Mapping[DivisionType, float] = field(
        default_factory=lambda: {
            _D.DISTRICT: 1.5,
            _D.COUNTY_CITY: 1.0,
            _D.COUNTY: 0.8,
            _D.AUTONOMOUS_COUNTY: 0.6,
        }
    )
    county_size_sigma: float = 0.3
    school_size_sigma: float = 0.5


DEFAULT_RULES = SynthesisRules()

#: Stream names for the seeded draws, so each rule has its own random stream.
_STREAMS = ("county_size", "private", "school_size", "fiscal")


def _streams(seed: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    return {name: np.random.default_rng(s) for name, s in zip(_STREAMS, children, strict=True)}


def county_size_factors(
    n_counties: int, seed: int, rules: SynthesisRules = DEFAULT_RULES
) -> np.ndarray:
    """Seeded log-normal county-size factors (mean about 1) shared by all county rules.

    Args:
        n_counties: Number of counties.
        seed: Seed of the synthesis.
        rules: Synthesis rules.

    Returns:
        One positive factor per county.
    """
    rng = _streams(seed)["county_size"]
    return np.exp(
        rng.normal(-(rules.county_size_sigma**2) / 2, rules.county_size_sigma, n_counties)
    )


def synthesize_townships(
    counties: pd.DataFrame,
    totals: Mapping[TownshipType, int],
    seed: int,
    rules: SynthesisRules = DEFAULT_RULES,
) -> pd.DataFrame:
    """Spread province totals of 街道 / 镇 / 乡 over counties.

    Args:
        counties: County divisions with columns ``code`` and ``division_type``.
        totals: Province totals by township type.
        seed: Seed of the synthesis (shared county-size factors).
        rules: Synthesis rules.

    Returns:
        Columns ``code``, ``n_subdistricts``, ``n_towns``, ``n_xiang``; every county gets at
        least one unit (a town where the shares would leave it none).
    """
    size = county_size_factors(len(counties), seed, rules)
    types = counties["division_type"].to_numpy()
    out = pd.DataFrame({"code": counties["code"].to_numpy()})
    columns = {
        TownshipType.SUBDISTRICT: "n_subdistricts",
        TownshipType.TOWN: "n_towns",
        TownshipType.XIANG: "n_xiang",
    }
    for kind, column in columns.items():
        weights = np.array([rules.township_weights[kind][DivisionType(t)] for t in types]) * size
        out[column] = apportion(int(totals.get(kind, 0)), weights)
    empty = out[list(columns.values())].sum(axis=1) == 0
    out.loc[empty, "n_towns"] = 1
    return out


def synthesize_fiscal_capacity(
    counties: pd.DataFrame,
    city_factors: Mapping[str, float],
    type_factors: Mapping[DivisionType, float] | None = None,
    seed: int = 0,
    sigma: float = 0.15,
) -> pd.Series:
    """Fiscal-capacity index per county: city factor × type factor × seeded noise, mean 1.

    Args:
        counties: County divisions with ``code``, ``division_type`` and ``parent_code``.
        city_factors: Relative economic weight of each city (by city code).
        type_factors: Relative fiscal capacity by county division type (urban districts
            higher); defaults to district 1.3, county-level city 1.1, county 0.9,
            autonomous county 0.75 (assumption).
        seed: Seed of the synthesis.
        sigma: Log-SD of the county-level noise.

    Returns:
        Index per county (aligned with ``counties``), normalized to a mean of 1.0.
    """
    type_factors = type_factors or {
        _D.DISTRICT: 1.3,
        _D.COUNTY_CITY: 1.1,
        _D.COUNTY: 0.9,
        _D.AUTONOMOUS_COUNTY: 0.75,
    }
    rng = _streams(seed)["fiscal"]
    city = counties["parent_code"].map(lambda c: city_factors.get(c, 1.0)).to_numpy(float)
    kind = counties["division_type"].map(lambda t: type_factors[DivisionType(t)]).to_numpy(float)
    index = city * kind * np.exp(rng.normal(0.0, sigma, len(counties)))
    return pd.Series(
        np.round(index / index.mean(), 4), index=counties.index, name="fiscal_capacity"
    )


def synthesize_schools(
    counties: pd.DataFrame,
    school_totals: Mapping[SchoolType, int],
    private_totals: Mapping[SchoolType, int],
    enrolment_totals: Mapping[SchoolType, int],
    seed: int,
    capital_code: str | None = None,
    rules: SynthesisRules = DEFAULT_RULES,
) -> pd.DataFrame:
    """Make one row per school from province totals by school type.

    Schools of a type are spread over counties by :attr:`SynthesisRules.school_weights` ×
    county-size factor (higher education: × :attr:`~SynthesisRules.capital_he_factor` in the
    capital's districts); the private ones are drawn without replacement with weights
    :attr:`~SynthesisRules.private_weights`; enrolment is split over schools by
    :attr:`~SynthesisRules.size_factors` × a seeded log-normal school factor (private 0.8×).
    Totals are met exactly.

    Args:
        counties: County divisions with ``code``, ``division_type`` and ``parent_code``.
        school_totals: Number of schools by type.
        private_totals: Number of private schools by type (each <= the type's total).
        enrolment_totals: Enrolment by type.
        seed: Seed of the synthesis.
        capital_code: Code of the capital city (parent of the counties that get the
            higher-education bonus), if any.
        rules: Synthesis rules.

    Returns:
        Columns ``school_id``, ``county_code``, ``school_type``, ``ownership``, ``enrolment``.

    Raises:
        ValueError: If a private total exceeds the type's school total.
    """
    streams = _streams(seed)
    size = county_size_factors(len(counties), seed, rules)
    codes = counties["code"].to_numpy()
    types = [DivisionType(t) for t in counties["division_type"]]
    is_capital = (counties["parent_code"] == capital_code).to_numpy() if capital_code else None
    frames = []
    for school_type in SchoolType:
        n_total = int(school_totals.get(school_type, 0))
        n_private = int(private_totals.get(school_type, 0))
        if n_private > n_total:
            raise ValueError(
                f"private_totals[{school_type}]: {n_private} exceeds the "
                f"{n_total} schools of that type"
            )
        weights = np.array([rules.school_weights[school_type][t] for t in types]) * size
        if school_type is SchoolType.HIGHER_EDUCATION and is_capital is not None:
            weights = weights * np.where(
                is_capital & (np.array(types) == _D.DISTRICT), rules.capital_he_factor, 1.0
            )
        per_county = apportion(n_total, weights)
        county_idx = np.repeat(np.arange(len(codes)), per_county)
        private = np.zeros(n_total, dtype=bool)
        if n_private:
            p = np.array([rules.private_weights[types[i]] for i in county_idx])
            chosen = streams["private"].choice(
                n_total, size=n_private, replace=False, p=p / p.sum()
            )
            private[chosen] = True
        school_size = np.array([rules.size_factors[types[i]] for i in county_idx])
        noise = np.exp(streams["school_size"].normal(0.0, rules.school_size_sigma, n_total))
        enrol = apportion(
            int(enrolment_totals.get(school_type, 0)),
            school_size * noise * np.where(private, 0.8, 1.0),
        )
        frames.append(
            pd.DataFrame(
                {
                    "county_code": codes[county_idx],
                    "school_type": school_type.value,
                    "ownership": np.where(private, Ownership.PRIVATE.value, Ownership.PUBLIC.value),
                    "enrolment": enrol,
                }
            )
        )
    schools = pd.concat(frames, ignore_index=True)
    schools = schools.sort_values(["county_code", "school_type"], kind="stable", ignore_index=True)
    running = schools.groupby("county_code").cumcount() + 1
    schools.insert(
        0, "school_id", "S" + schools["county_code"] + "-" + running.map("{:05d}".format)
    )
    return schools
