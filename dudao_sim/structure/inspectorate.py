"""Staff the initial inspectorate and draw badged responsibility zones from a few arguments.

The inspectorate is the set of inspectors (督学) employed by the supervision offices of the
province, the cities (市州) and the counties (县市区), and the responsibility zones (督学责任区)
that tie each primary/secondary school and kindergarten to one badged inspector.

Rules and the clauses they come from (Hunan implementing opinions):

* (十七) inspectors are staffed in proportion to schools, 1 : 5 (督学按与学校数1:5的比例配备);
  at county level the full-time share is at least 30 % and in principle at most 1/3.
* (六) the province office supervises higher education; county offices supervise the other
  school types, each of which gets a badged responsibility-zone inspector (挂牌督导全覆盖).
* 教督〔2012〕7号 (national rule on responsibility zones): a zone covers at most about 20
  schools [@moe_2012_zone_inspectors].

A thin inspectorate limits coverage: a county covers at most ``n_inspectors ×
max_zone_schools`` schools, so coverage is an outcome of staffing rather than an assumption.

Example:
    >>> import dudao_sim as ds
    >>> from dudao_sim.structure.inspectorate import InspectorateSpec, staff_inspectorate
    >>> toy = ds.synthetic_province(n_counties=3)
    >>> staff = staff_inspectorate(toy, InspectorateSpec(schools_per_inspector=5))
    >>> sorted(staff["level"].unique())
    ['city', 'county', 'province']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dudao_sim.data.province import Province
from dudao_sim.data.vocab import BADGED_TYPES, PROVINCE_SUPERVISED, Level
from dudao_sim.policy.targets import (
    BADGED_COVERAGE,
    FULL_TIME_BAND,
    MAX_ZONE_SCHOOLS,
    SCHOOLS_PER_INSPECTOR,
)

#: Columns of the table returned by :func:`staff_inspectorate`.
INSPECTOR_COLUMNS: tuple[str, ...] = ("inspector_id", "office_code", "level", "is_full_time")
#: Columns of the table returned by :func:`assign_badged_zones`.
ZONE_COLUMNS: tuple[str, ...] = ("school_id", "inspector_id")

_BADGED = sorted(t.value for t in BADGED_TYPES)
_PROVINCE_SUPERVISED = sorted(t.value for t in PROVINCE_SUPERVISED)


def _allowed_text(annotation: Any, metadata: list[Any]) -> str:
    """Describe the allowed values of a numeric field from its constraints."""
    kind = "a whole number" if annotation is int else "a number"
    low = high = None
    low_open = high_open = False
    for item in metadata:
        if isinstance(item, Gt):
            low, low_open = item.gt, True
        elif isinstance(item, Ge):
            low = item.ge
        elif isinstance(item, Lt):
            high, high_open = item.lt, True
        elif isinstance(item, Le):
            high = item.le
    if low is not None and high is not None:
        return f"{kind} in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"{kind} {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"{kind} {'<' if high_open else '<='} {high:g}"
    return kind


class InspectorateSpec(BaseModel):
    """How the initial inspectorate is staffed and zoned (clauses 六, 十七).

    Constructing it with a bad value raises :class:`ValueError` naming the field, the value
    and the allowed range (for example ``full_time_share: 2.0 is not allowed; must be a
    number in [0, 1]``).

    Attributes:
        schools_per_inspector: Schools per inspector the offices staff for (clause 十七, 1:5).
        full_time_share: Share of each office's inspectors who are full-time (clause 十七).
        badged_coverage: Target share of badged-type schools with a badged inspector (六).
        max_zone_schools: Largest number of schools in one responsibility zone (教督〔2012〕7号).
        city_inspectors_per_county: Inspectors a city office keeps per county it evaluates
            (assumption).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    schools_per_inspector: float = Field(
        SCHOOLS_PER_INSPECTOR,
        gt=0,
        le=1000,
        description="Clause 十七: 督学按与学校数1:5的比例配备 — schools per inspector (default 5).",
    )
    full_time_share: float = Field(
        FULL_TIME_BAND[0],
        ge=0,
        le=1,
        description="Clause 十七: county full-time inspectors ≥30 %, in principle ≤1/3 "
        "(default 0.30); applied to every office.",
    )
    badged_coverage: float = Field(
        BADGED_COVERAGE,
        ge=0,
        le=1,
        description="Clause 六: 中小学校、幼儿园责任督学挂牌督导全覆盖 — target share of "
        "badged-type schools in a responsibility zone (default 1.0).",
    )
    max_zone_schools: int = Field(
        MAX_ZONE_SCHOOLS,
        ge=1,
        description="教督〔2012〕7号: a responsibility zone covers at most about 20 schools.",
    )
    city_inspectors_per_county: float = Field(
        1.0,
        ge=0,
        le=1000,
        description="Assumption: a city office (and the province office for province-managed "
        "counties) keeps this many inspectors per county it evaluates (市级为主督导, clause 五); "
        "the upper bound 1000 is a sanity limit.",
    )

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise ValueError(self.error_message(error)) from None

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans(cls, value: Any) -> Any:
        if isinstance(value, bool | np.bool_):
            raise ValueError("a boolean is not a number")
        return value

    @classmethod
    def error_message(cls, error: ValidationError) -> str:
        """Turn a pydantic validation error into one line naming field, value and range.

        Args:
            error: The error raised while validating the fields.

        Returns:
            ``"field: value is not allowed; must be ..."`` for the first failing field, with
            the other failing fields appended.
        """
        parts = []
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else "spec"
            if item["type"] == "extra_forbidden":
                allowed = ", ".join(cls.model_fields)
                parts.append(f"{name}: unknown setting; allowed settings: {allowed}")
                continue
            field = cls.model_fields[name]
            allowed = _allowed_text(field.annotation, field.metadata)
            parts.append(f"{name}: {item['input']!r} is not allowed; must be {allowed}")
        return "; ".join(parts)

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> InspectorateSpec:
        """Build a spec from keyword arguments, ignoring those that are ``None``.

        Args:
            **kwargs: Field values; ``None`` means "use the default".

        Returns:
            The validated spec.

        Raises:
            ValueError: Naming the field, the value and the allowed range.
        """
        return cls(**{k: v for k, v in kwargs.items() if v is not None})


def as_spec(spec: InspectorateSpec | Mapping[str, Any] | None) -> InspectorateSpec:
    """Return ``spec`` as an :class:`InspectorateSpec` (``None`` gives the defaults).

    Args:
        spec: A spec, a mapping of field values, or ``None``.

    Returns:
        The validated spec.

    Raises:
        ValueError: If ``spec`` is of another type or a value is out of range.
    """
    if spec is None:
        return InspectorateSpec()
    if isinstance(spec, InspectorateSpec):
        return spec
    if isinstance(spec, Mapping):
        return InspectorateSpec(**dict(spec))
    raise ValueError(
        f"spec: {spec!r} is not allowed; use an InspectorateSpec, a mapping of its fields or None"
    )


def round_half_up(values: Any) -> np.ndarray:
    """Round to the nearest whole number, halves upward (unlike Python's banker's rounding).

    Args:
        values: Number or array of non-negative numbers.

    Returns:
        Integer array of the same shape.
    """
    return np.floor(np.asarray(values, dtype=float) + 0.5 + 1e-9).astype(np.int64)


def county_parents(province: Province, province_managed_counties: Iterable[str] = ()) -> pd.Series:
    """The government that administers each county: its city, or the province (省直管县).

    Args:
        province: The province.
        province_managed_counties: County codes administered directly by the province, in
            addition to those whose parent in ``divisions.csv`` already is the province.

    Returns:
        Parent division code per county code (in ``county_table`` order).

    Raises:
        ValueError: Naming any code that is not a county of the province.
    """
    parents = province.county_table["city_code"].astype(str).copy()
    managed = [str(c) for c in province_managed_counties]
    unknown = sorted(set(managed) - set(parents.index))
    if unknown:
        raise ValueError(
            f"province_managed_counties: {', '.join(unknown)} not allowed; "
            f"must be county codes of {province.name} ({province.code})"
        )
    parents.loc[managed] = province.code
    return parents


def _badged_per_county(province: Province) -> pd.Series:
    return province.school_counts[_BADGED].sum(axis=1).astype(np.int64)


def staff_inspectorate(
    province: Province,
    spec: InspectorateSpec | Mapping[str, Any] | None = None,
    seed: int = 0,
    province_managed_counties: Iterable[str] = (),
) -> pd.DataFrame:
    """Staff every supervision office of the province with inspectors (clauses 六, 十七).

    * County office: ``ceil(badged-type schools of the county / schools_per_inspector)``.
    * Province office: ``ceil(higher-education schools / schools_per_inspector)``, plus
      ``round(city_inspectors_per_county × province-managed counties)`` (it evaluates them in
      place of a city).
    * City office: ``round(city_inspectors_per_county × counties it administers)``.

    In every office the first ``ceil(full_time_share × n)`` inspectors are full-time (at least
    the share, as clause 十七 sets a floor); other counts round halves upward. Staffing
    involves no random draws, so ``seed`` does not change the result; it is accepted so that
    every builder has the same signature.

    Args:
        province: The province.
        spec: Staffing rules (defaults: 1:5, 30 % full-time).
        seed: Unused (staffing is deterministic).
        province_managed_counties: County codes administered directly by the province (省直管县).

    Returns:
        One row per inspector: ``inspector_id`` (``"I{office_code}-{k:04d}"``), ``office_code``,
        ``level`` (``province`` / ``city`` / ``county``) and ``is_full_time``; province office
        first, then cities and counties in ``divisions.csv`` order.

    Raises:
        ValueError: If ``spec`` or ``province_managed_counties`` is not allowed.
    """
    spec = as_spec(spec)
    del seed
    parents = county_parents(province, province_managed_counties)
    ratio = spec.schools_per_inspector

    n_higher = int(province.school_counts[_PROVINCE_SUPERVISED].to_numpy().sum())
    n_managed = int((parents == province.code).sum())
    counties_per_city = parents.value_counts().reindex(province.cities.index, fill_value=0)

    codes = np.concatenate(
        [[province.code], province.cities.index.to_numpy(str), parents.index.to_numpy(str)]
    )
    levels = np.repeat(
        [Level.PROVINCE.value, Level.CITY.value, Level.COUNTY.value],
        [1, len(counties_per_city), len(parents)],
    )
    counts = np.concatenate(
        [
            [
                math.ceil(n_higher / ratio - 1e-9)
                + int(round_half_up(spec.city_inspectors_per_county * n_managed))
            ],
            round_half_up(spec.city_inspectors_per_county * counties_per_city.to_numpy()),
            np.ceil(_badged_per_county(province).to_numpy() / ratio - 1e-9).astype(np.int64),
        ]
    ).astype(np.int64)
    # At least the share (clause 十七: 不低于30%), so rounding never drops an office below it.
    n_full = np.ceil(spec.full_time_share * counts - 1e-9).astype(np.int64)

    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.arange(total, dtype=np.int64) - starts  # 0-based position within the office
    office = pd.Series(np.repeat(codes, counts), dtype=str)
    number = pd.Series(k + 1).astype(str).str.zfill(4)
    return pd.DataFrame(
        {
            "inspector_id": ("I" + office + "-" + number).astype(str),
            "office_code": office,
            "level": pd.Series(np.repeat(levels, counts), dtype=str),
            "is_full_time": k < np.repeat(n_full, counts),
        }
    )


def check_inspectors(inspectors: pd.DataFrame) -> None:
    """Check that ``inspectors`` looks like the output of :func:`staff_inspectorate`.

    Args:
        inspectors: The inspector table.

    Raises:
        ValueError: If it is not a DataFrame, lacks columns or repeats an inspector id.
    """
    if not isinstance(inspectors, pd.DataFrame):
        raise ValueError(
            f"inspectors: {type(inspectors).__name__} is not allowed; "
            "must be a DataFrame as returned by staff_inspectorate"
        )
    missing = [c for c in INSPECTOR_COLUMNS if c not in inspectors.columns]
    if missing:
        raise ValueError(
            f"inspectors: missing column(s) {', '.join(missing)}; "
            f"required: {', '.join(INSPECTOR_COLUMNS)}"
        )
    if inspectors["inspector_id"].duplicated().any():
        dup = inspectors.loc[inspectors["inspector_id"].duplicated(), "inspector_id"].iloc[0]
        raise ValueError(f"inspectors: inspector_id {dup!r} occurs more than once; must be unique")


def assign_badged_zones(
    province: Province,
    inspectors: pd.DataFrame,
    spec: InspectorateSpec | Mapping[str, Any] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Put badged-type schools into the responsibility zones of county inspectors (六, 十七).

    Per county, ``n_covered = min(round(badged_coverage × n_schools), n_inspectors ×
    max_zone_schools)``. Which schools are covered is a seeded draw; the covered schools are
    dealt in turn to the county's inspectors, so zone sizes differ by at most one and none
    exceeds ``max_zone_schools``.

    Args:
        province: The province.
        inspectors: Inspectors as returned by :func:`staff_inspectorate`; the rows with level
            ``county`` hold zones in the county whose code is their ``office_code``.
        spec: Coverage and zone-size rules.
        seed: Seed of the draw (``numpy.random.SeedSequence(seed)``).

    Returns:
        One row per badged-type school (higher education excluded), in ``schools.csv`` order:
        ``school_id`` and ``inspector_id`` (missing, ``pd.isna``, when not covered).

    Raises:
        ValueError: If ``inspectors`` lacks columns or ``spec`` is not allowed.
    """
    spec = as_spec(spec)
    check_inspectors(inspectors)
    schools = province.schools
    badged = schools.loc[schools["school_type"].isin(_BADGED), ["school_id", "county_code"]]
    badged = badged.reset_index(drop=True)
    n = len(badged)

    county = inspectors.loc[inspectors["level"].astype(str) == Level.COUNTY.value]
    county = county[["inspector_id", "office_code"]].astype(str).reset_index(drop=True)
    county["slot"] = county.groupby("office_code", sort=False).cumcount()
    staff = county.groupby("office_code", sort=False).size()

    n_schools = badged.groupby("county_code", sort=False).size()
    n_staff = staff.reindex(n_schools.index, fill_value=0).to_numpy()
    n_covered = np.minimum(
        round_half_up(spec.badged_coverage * n_schools.to_numpy()),
        n_staff * spec.max_zone_schools,
    )
    covered_of = pd.Series(n_covered, index=n_schools.index)
    staff_of = pd.Series(n_staff, index=n_schools.index)

    rng = np.random.default_rng(np.random.SeedSequence(seed))
    key = rng.random(n)
    county_codes = badged["county_code"].to_numpy(str)
    order = np.lexsort((key, county_codes))  # by county, then by random key
    sorted_codes = county_codes[order]
    first = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]] if n else np.zeros(0, bool)
    group_start = np.maximum.accumulate(np.where(first, np.arange(n), 0)) if n else first
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - group_start

    covered = rank < covered_of.reindex(county_codes).to_numpy()
    slot = np.where(covered, rank % np.maximum(staff_of.reindex(county_codes).to_numpy(), 1), -1)
    keys = pd.DataFrame({"office_code": county_codes, "slot": slot})
    merged = keys.merge(county, on=["office_code", "slot"], how="left", sort=False)
    inspector = merged["inspector_id"].astype(str).where(covered)
    return pd.DataFrame({"school_id": badged["school_id"].astype(str), "inspector_id": inspector})
