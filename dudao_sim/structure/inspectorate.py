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

The staffing rule (:func:`inspector_targets`, :func:`full_time_targets`) and the zone rule
(:mod:`dudao_sim.structure.zones`) are written once: the initial inspectorate here and the
model's staffing mechanism (recruitment targets, monthly zone assignment) both call them.

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

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dudao_sim.data.province import Province
from dudao_sim.data.vocab import BADGED_TYPES, PROVINCE_SUPERVISED, Level
from dudao_sim.errors import ArgumentError
from dudao_sim.policy.targets import (
    BADGED_COVERAGE,
    FULL_TIME_BAND,
    MAX_ZONE_SCHOOLS,
    SCHOOLS_PER_INSPECTOR,
)
from dudao_sim.structure.zones import deal_zones, schools_to_cover

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

    Constructing it with a bad value raises :class:`~dudao_sim.errors.ArgumentError` (a
    ``ValueError``) naming the field, the value and the allowed range (for example
    ``full_time_share: 2.0 is not allowed; must be a number in [0, 1]``).

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
            raise ArgumentError(self.error_message(error)) from None

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
            ArgumentError (a ValueError): Naming the field, the value and the allowed range.
        """
        return cls(**{k: v for k, v in kwargs.items() if v is not None})

    @classmethod
    def from_levers(cls, levers: Mapping[str, Any], **kwargs: Any) -> InspectorateSpec:
        """The staffing a scenario's levers set (clauses 六, 十七), e.g. ``pre_reform``'s 1:8.

        Args:
            levers: Lever values with ``schools_per_inspector_target``,
                ``full_time_share_target`` and ``badged_coverage_target``.
            **kwargs: Other fields of the spec (``None`` means the default).

        Returns:
            The validated spec.

        Raises:
            ArgumentError (a ValueError): Naming the field, the value and the allowed range.
        """
        return cls.from_kwargs(
            schools_per_inspector=float(levers["schools_per_inspector_target"]),
            full_time_share=float(levers["full_time_share_target"]),
            badged_coverage=float(levers["badged_coverage_target"]),
            **kwargs,
        )


def as_spec(spec: InspectorateSpec | Mapping[str, Any] | None) -> InspectorateSpec:
    """Return ``spec`` as an :class:`InspectorateSpec` (``None`` gives the defaults).

    Args:
        spec: A spec, a mapping of field values, or ``None``.

    Returns:
        The validated spec.

    Raises:
        ArgumentError: If ``spec`` is of another type or a value is out of range.
    """
    if spec is None:
        return InspectorateSpec()
    if isinstance(spec, InspectorateSpec):
        return spec
    if isinstance(spec, Mapping):
        return InspectorateSpec(**dict(spec))
    raise ArgumentError(
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
        ArgumentError: Naming any code that is not a county of the province.
    """
    parents = province.county_table["city_code"].astype(str).copy()
    managed = [str(c) for c in province_managed_counties]
    unknown = sorted(set(managed) - set(parents.index))
    if unknown:
        raise ArgumentError(
            f"province_managed_counties: {', '.join(unknown)} not allowed; "
            f"must be county codes of {province.name} ({province.code})"
        )
    parents.loc[managed] = province.code
    return parents


def inspector_targets(
    supervised: np.ndarray,
    counties_evaluated: np.ndarray,
    schools_per_inspector: float,
    inspectors_per_county: float,
    buffer: float = 0.0,
) -> np.ndarray:
    """Inspectors each office staffs for (clause 十七): the one staffing rule.

    ``ceil(supervised / schools_per_inspector × (1 + buffer))`` for the schools an office
    supervises (badged-type schools at a county office, higher education at the province
    office), plus ``round(inspectors_per_county × counties it evaluates × (1 + buffer))``
    (halves upward) for a city office, or the province office for the counties it evaluates
    directly (省直管县). The initial inspectorate uses ``buffer = 0``; the model's recruitment
    hires a little above the ratio to cover the year's departures.

    Args:
        supervised: Schools each office supervises.
        counties_evaluated: County governments each office evaluates (its administered ones).
        schools_per_inspector: Schools per inspector (clause 十七: 5).
        inspectors_per_county: Inspectors an office keeps per county it evaluates.
        buffer: Extra share hired above the ratio.

    Returns:
        The target per office, as integers.
    """
    scale = 1.0 + buffer
    schools = np.asarray(supervised, dtype=float) / schools_per_inspector * scale
    counties = inspectors_per_county * np.asarray(counties_evaluated, dtype=float) * scale
    return (np.ceil(schools - 1e-9).astype(np.int64) + round_half_up(counties)).astype(np.int64)


def full_time_targets(targets: np.ndarray, full_time_share: float) -> np.ndarray:
    """Full-time inspectors among each office's ``targets``: at least the share (十七: ≥30 %).

    Args:
        targets: Inspectors per office.
        full_time_share: Target full-time share in [0, 1].

    Returns:
        ``ceil(full_time_share × targets)`` as integers, so rounding never drops an office
        below the share.
    """
    return np.ceil(full_time_share * np.asarray(targets, dtype=float) - 1e-9).astype(np.int64)


def staff_inspectorate(
    province: Province,
    spec: InspectorateSpec | Mapping[str, Any] | None = None,
    seed: int = 0,
    province_managed_counties: Iterable[str] = (),
) -> pd.DataFrame:
    """Staff every supervision office of the province with inspectors (clauses 六, 十七).

    Each office gets its :func:`inspector_targets` (buffer 0):

    * County office: ``ceil(badged-type schools of the county / schools_per_inspector)``.
    * Province office: ``ceil(higher-education schools / schools_per_inspector)``, plus
      ``round(city_inspectors_per_county × province-managed counties)`` (it evaluates them in
      place of a city).
    * City office: ``round(city_inspectors_per_county × counties it administers)``.

    In every office the first :func:`full_time_targets` inspectors are full-time (at least
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
        ArgumentError: If ``spec`` or ``province_managed_counties`` is not allowed.
    """
    spec = as_spec(spec)
    del seed
    parents = county_parents(province, province_managed_counties)
    counties = parents.index.to_numpy(str)
    codes = np.concatenate([[province.code], province.cities.index.to_numpy(str), counties])
    levels = np.repeat(
        [Level.PROVINCE.value, Level.CITY.value, Level.COUNTY.value],
        [1, len(province.cities), len(counties)],
    )
    n_higher = int(province.school_counts[_PROVINCE_SUPERVISED].to_numpy().sum())
    badged = province.school_counts[_BADGED].sum(axis=1).reindex(counties).to_numpy()
    supervised = np.concatenate([[n_higher], np.zeros(len(province.cities)), badged])
    # Counties each office evaluates: those it administers (a county office: none).
    evaluated = parents.value_counts().reindex(codes, fill_value=0).to_numpy()
    counts = inspector_targets(
        supervised, evaluated, spec.schools_per_inspector, spec.city_inspectors_per_county
    )
    n_full = full_time_targets(counts, spec.full_time_share)

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


def check_frame(table: Any, name: str, columns: Sequence[str], made_by: str) -> None:
    """Check that a user-given table is a DataFrame with the columns required.

    Args:
        table: The value given.
        name: Its argument name, for the message.
        columns: Columns it must have.
        made_by: The function whose output it should look like.

    Raises:
        ArgumentError: Naming the argument, what was given and what is required.
    """
    if not isinstance(table, pd.DataFrame):
        raise ArgumentError(
            f"{name}: {type(table).__name__} is not allowed; "
            f"must be a DataFrame as returned by {made_by}"
        )
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ArgumentError(
            f"{name}: missing column(s) {', '.join(missing)}; required: {', '.join(columns)}"
        )


def check_inspectors(inspectors: pd.DataFrame) -> None:
    """Check that ``inspectors`` looks like the output of :func:`staff_inspectorate`.

    Args:
        inspectors: The inspector table.

    Raises:
        ArgumentError: If it is not a DataFrame, lacks columns or repeats an inspector id.
    """
    check_frame(inspectors, "inspectors", INSPECTOR_COLUMNS, "staff_inspectorate")
    if inspectors["inspector_id"].duplicated().any():
        dup = inspectors.loc[inspectors["inspector_id"].duplicated(), "inspector_id"].iloc[0]
        raise ArgumentError(
            f"inspectors: inspector_id {dup!r} occurs more than once; must be unique"
        )


def assign_badged_zones(
    province: Province,
    inspectors: pd.DataFrame,
    spec: InspectorateSpec | Mapping[str, Any] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Put badged-type schools into the responsibility zones of county inspectors (六, 十七).

    The zone rule of :func:`~dudao_sim.structure.zones.deal_zones`, the one the model's
    staffing mechanism applies each month: per county, ``n_covered = min(ceil(badged_coverage
    × n_schools), n_inspectors × max_zone_schools)``; which schools are covered is a seeded
    draw; the covered schools are dealt in turn to the county's inspectors, so zone sizes
    differ by at most one and none exceeds ``max_zone_schools``.

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
        ArgumentError: If ``inspectors`` lacks columns or ``spec`` is not allowed.
    """
    spec = as_spec(spec)
    check_inspectors(inspectors)
    schools = province.schools
    badged = schools.loc[schools["school_type"].isin(_BADGED), ["school_id", "county_code"]]
    badged = badged.reset_index(drop=True)
    counties = pd.Index(sorted(province.county_table.index.astype(str)))
    school_office = counties.get_indexer(badged["county_code"].astype(str))

    county = inspectors.loc[inspectors["level"].astype(str) == Level.COUNTY.value]
    inspector_office = counties.get_indexer(county["office_code"].astype(str))
    staffed = inspector_office >= 0  # a county inspector of another province holds no zone
    n_schools = np.bincount(school_office, minlength=len(counties))

    key = np.random.default_rng(np.random.SeedSequence(seed)).random(len(badged))
    chosen, holder = deal_zones(
        school_office=school_office,
        uncovered=np.ones(len(badged), bool),
        to_cover=schools_to_cover(n_schools, spec.badged_coverage),
        inspector_office=np.where(staffed, inspector_office, 0),
        room=np.where(staffed, spec.max_zone_schools, 0),
        order_key=key,
    )
    inspector = pd.Series(pd.NA, index=badged.index, dtype=object)
    inspector.iloc[chosen] = county["inspector_id"].astype(str).to_numpy()[holder]
    return pd.DataFrame({"school_id": badged["school_id"].astype(str), "inspector_id": inspector})
