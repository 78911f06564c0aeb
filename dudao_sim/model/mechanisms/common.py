"""Rules and array helpers that several mechanisms share, defined once.

A mechanism module imports :mod:`~dudao_sim.model.mechanisms.base` and this module, never
another mechanism (``tests/test_layering.py`` checks it), so each concept here has one
definition: the resources index of a unit; the geography of visits (:class:`Travel`: road
distance and travel time from an office to a unit, clause 十七's 地理因素、交通条件); an
inspector's monthly field hours and visit capacity; the cost of a visit (二十一); each office's
staffing target (十七); the teachers' hours a visit takes, the quality schools lose to that
burden and which schools are under an improvement plan; the key of a visit for counter-based
draws; the rank of an element within its group of a sorted array; the areas third-party
monitoring measures and the logistic response of bounded-rational choices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.data.geography import county_radius_km, great_circle_km, mountain_counties, seats
from dudao_sim.model.mechanisms.base import Purpose, UnitKind, Visits
from dudao_sim.model.state import (
    NEVER,
    InspectorTable,
    LevelCode,
    OfficeTable,
    SchoolTable,
    UnitTable,
)
from dudao_sim.structure.inspectorate import full_time_targets, inspector_targets
from dudao_sim.structure.zones import group_ranks as group_ranks  # one definition, re-exported

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

_N_PURPOSES = len(Purpose)
_N_KINDS = len(UnitKind)

#: Areas third-party monitoring (七) measures, from tests and data: teaching and resources of
#: schools, standards and funding of governments. Detection (what it finds) and reporting (what
#: it sees of the ledger, exposing omitted items) both use them.
MONITORED_AREAS: frozenset[str] = frozenset({"teaching", "resources", "standards", "funding"})


def resources(table: UnitTable, incentive_weight: float) -> np.ndarray:
    """Resources index of each unit: county fiscal capacity tilted by incentives (十三).

    Read by emergence (conditions), rectification (results) and choices (behaviour).
    """
    return table.fiscal * (1.0 + incentive_weight * table.incentive)


def drawn_severity(low: float, span: float, u: np.ndarray) -> np.ndarray:
    """Severity of new or rebounding problems: uniform on [low, low + span], within [0, 1].

    Severity is a share of the worst harm, so a draw beyond 1 (possible where the assumptions
    ``*_severity_min`` + ``*_severity_span`` exceed 1 within their ranges) counts as 1. Used
    at set-up (initial problems) and by conditions (new problems and rebounds).
    """
    return np.clip(low + span * u, 0.0, 1.0)


def teacher_hours(
    visits: Visits, dressing: np.ndarray, assumptions: Mapping[str, float]
) -> np.ndarray:
    """Teachers' hours each visit takes: on site or online, plus preparing an announced visit.

    Preparation grows with the visited school's window dressing (``dressing``, by school row);
    visits to governments take no teachers' hours. Results book them as each school's burden,
    which costs quality (conditions); the same rule as the ``teacher_hours`` event of visits.
    """
    school = visits.kind == UnitKind.SCHOOL
    dressed = dressing[np.where(school, visits.unit, 0)]
    hours = np.where(
        visits.online, assumptions["teacher_hours_online"], assumptions["teacher_hours_on_site"]
    )
    return (hours + visits.announced * assumptions["teacher_hours_preparation"] * dressed) * school


def burden_toll(schools: SchoolTable, assumptions: Mapping[str, float]) -> np.ndarray:
    """Quality (SD) each school loses to the supervision burden of about the last 12 months.

    The teachers' hours spent on visits and their preparation (``visit_hours``, booked by
    results), as a share of the teachers' working hours the school has (enrolment × hours per
    pupil a year), times the quality lost per unit share of teachers' time. Read by conditions
    (quality) and by the metrics.
    """
    available = np.maximum(schools.enrolment, 1) * assumptions["teacher_hours_per_pupil_year"]
    return assumptions["burden_quality_elasticity"] * schools.visit_hours / available


def improving(schools: SchoolTable, t: int, assumptions: Mapping[str, float]) -> np.ndarray:
    """Open schools under an improvement plan in month ``t``.

    A plan starts at a failing verdict (``failed_month``) — a FAIL rating (set by results) or
    being held to account, accountability or the severe rung (set by consequences) — and
    lasts ``improvement_plan_months``; a new verdict starts a new plan. Interviews and
    circulars act on effort through beliefs, not as a verdict on the whole school. Read by
    conditions (quality) and by the metrics.
    """
    failed = schools.failed_month
    recent = t - failed < assumptions["improvement_plan_months"]
    return schools.active & (failed != NEVER) & recent


def contract_hours(inspectors: InspectorTable, assumptions: Mapping[str, float]) -> np.ndarray:
    """Field hours a month each inspector slot is contracted for: by type, zero when vacant.

    Part-timers (serving or recently retired principals, teachers and cadres, 十七) have far
    less time than full-timers. The training hours the office scheduled for this month
    (``training_month``, set by staffing, 十八) come out of them.
    """
    contract = np.where(
        inspectors.full_time,
        assumptions["field_hours_full_time"],
        assumptions["field_hours_part_time"],
    )
    return np.maximum(contract - inspectors.training_month, 0.0) * inspectors.active


def inspector_hours(
    inspectors: InspectorTable, offices: OfficeTable, assumptions: Mapping[str, float]
) -> np.ndarray:
    """Field hours a month each inspector slot gives.

    The office deploys the share ``diligence`` of its inspectors' contracted hours (it rises
    under the oversight of offices, 四 and 二十五).
    """
    return contract_hours(inspectors, assumptions) * offices.diligence[inspectors.office]


def inspector_capacity(
    inspectors: InspectorTable, offices: OfficeTable, assumptions: Mapping[str, float]
) -> np.ndarray:
    """Routine on-site visits a month each inspector slot can make, travel included.

    Field hours (:func:`inspector_hours`) ÷ the hours of a routine visit by the office
    (``offices.visit_hours``: time on site plus the mean round trip to its schools). Planning
    sums it by office for the annual plan; staffing sizes zones with it.
    """
    hours = inspector_hours(inspectors, offices, assumptions)
    return hours / np.maximum(offices.visit_hours[inspectors.office], 1e-9)


def visit_cost_yuan(
    round_trip_km: np.ndarray,
    part_time: np.ndarray,
    team: np.ndarray,
    online: np.ndarray,
    assumptions: Mapping[str, float],
) -> np.ndarray:
    """Cost of visits to the office's budget in yuan (二十一).

    An on-site visit costs its travel (``travel_cost_yuan_per_km`` × road km); a part-time
    inspector is also paid a fee for the visit (劳务、食宿); an evaluation team or third party
    costs ``cost_visit_team_yuan`` plus its travel; an online check ``cost_visit_online_yuan``.
    Full-time inspectors' salaries are not paid from the supervision budget.
    """
    a = assumptions
    travel = a["travel_cost_yuan_per_km"] * round_trip_km
    cost = travel + np.where(part_time, a["part_time_fee_yuan"], 0.0)
    cost = np.where(team, a["cost_visit_team_yuan"] + travel, cost)
    return np.where(online, a["cost_visit_online_yuan"], cost)


@dataclass(frozen=True)
class Travel:
    """Where units and offices are, for road distances and travel times (十七).

    A school or township lies, on average, ``school_distance_share`` of its county's radius
    from the county seat (:mod:`dudao_sim.data.geography`: radius from the spacing of county
    seats); counties, cities and the province sit at their seats. A trip is the great-circle
    distance from the office's seat plus that spread, times ``road_detour_factor``, there and
    back; travel time is its length ÷ ``travel_speed_kmh``, times ``mountain_travel_slowdown``
    in mountain counties.

    Attributes:
        office_xy: Longitude and latitude of each office's seat, shape (offices, 2).
        unit_xy: Per unit kind, the seat its units are measured from, shape (units, 2).
        spread_km: Per unit kind, mean straight-line km from that seat to the unit.
        slowdown: Per unit kind, travel-time multiplier of the unit's terrain.
    """

    office_xy: np.ndarray
    unit_xy: dict[UnitKind, np.ndarray]
    spread_km: dict[UnitKind, np.ndarray]
    slowdown: dict[UnitKind, np.ndarray]
    detour: float
    speed_kmh: float

    @classmethod
    def build(cls, model: SupervisionModel) -> Travel:
        """The geography of a model's province and state (computed once, at set-up)."""
        a, state, province = model.assumptions, model.state, model.province
        govs = state.governments
        xy = seats(province)
        own = np.column_stack(
            [
                xy["longitude"].reindex(govs.codes).to_numpy(),
                xy["latitude"].reindex(govs.codes).to_numpy(),
            ]
        )
        county = govs.county
        in_county = county >= 0
        radius_by_code = county_radius_km(
            province,
            neighbours=int(a["county_radius_neighbours"]),
            scale=a["county_radius_scale"],
            low=a["county_radius_min_km"],
            high=a["county_radius_max_km"],
        )
        mountain_by_code = mountain_counties(province)
        radius = np.zeros(govs.n)
        mountain = np.zeros(govs.n, bool)
        radius[in_county] = radius_by_code.reindex(govs.codes[county[in_county]]).to_numpy()
        mountain[in_county] = mountain_by_code.reindex(govs.codes[county[in_county]]).to_numpy()
        township = govs.level == LevelCode.TOWNSHIP
        gov_xy = np.where(township[:, None], own[np.maximum(county, 0)], own)
        share = a["school_distance_share"]
        slow = np.where(mountain, a["mountain_travel_slowdown"], 1.0)
        school_county = state.schools.county
        return cls(
            office_xy=own[state.offices.gov],
            unit_xy={UnitKind.SCHOOL: own[school_county], UnitKind.GOVERNMENT: gov_xy},
            spread_km={
                UnitKind.SCHOOL: share * radius[school_county],
                UnitKind.GOVERNMENT: np.where(township, share * radius, 0.0),
            },
            slowdown={UnitKind.SCHOOL: slow[school_county], UnitKind.GOVERNMENT: slow},
            detour=float(a["road_detour_factor"]),
            speed_kmh=float(a["travel_speed_kmh"]),
        )

    def round_trip_km(
        self,
        kind: UnitKind,
        units: np.ndarray,
        offices: np.ndarray,
        beyond_km: np.ndarray | float = 0.0,
    ) -> np.ndarray:
        """Road km from each office's seat to each unit (and ``beyond_km`` further) and back."""
        o, u = self.office_xy[offices], self.unit_xy[kind][units]
        straight = great_circle_km(o[:, 0], o[:, 1], u[:, 0], u[:, 1])
        one_way = self.detour * (straight + self.spread_km[kind][units] + beyond_km)
        return one_way + one_way

    def hours(self, kind: UnitKind, units: np.ndarray, round_trip_km: np.ndarray) -> np.ndarray:
        """Travel time in hours of those round trips, by the units' terrain."""
        return round_trip_km / self.speed_kmh * self.slowdown[kind][units]


def staffing_target(model: SupervisionModel, buffer: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Inspectors and full-time inspectors each office is to have (十七), by the one rule.

    The rule the initial inspectorate is built with
    (:func:`~dudao_sim.structure.inspectorate.inspector_targets` and
    :func:`~dudao_sim.structure.inspectorate.full_time_targets`), applied to the model's
    state: county offices staff for their open badged-type schools, the province office for
    its institutions, each ÷ ``schools_per_inspector_target``; city offices (and the province
    for province-managed counties) keep the structure's ``city_inspectors_per_county`` per
    county they evaluate (五). At least ``full_time_share_target`` of each office full-time.

    Args:
        model: The model (state, levers and structure).
        buffer: Extra share above the ratio (recruitment covers the year's departures).

    Returns:
        ``(inspectors, full_time)`` per office row, as floats.
    """
    lv, state = model.levers, model.state
    schools, offices, govs = state.schools, state.offices, state.governments
    by_province = offices.level[schools.office] == LevelCode.PROVINCE
    supervised = schools.active & (schools.badged_type | by_province)
    county_govs = (govs.level == LevelCode.COUNTY) & (govs.office >= 0)
    target = inspector_targets(
        supervised=np.bincount(schools.office[supervised], minlength=offices.n),
        counties_evaluated=np.bincount(govs.office[county_govs], minlength=offices.n),
        schools_per_inspector=float(lv["schools_per_inspector_target"]),
        inspectors_per_county=model.structure.spec.city_inspectors_per_county,
        buffer=buffer,
    )
    full_time = full_time_targets(target, float(lv["full_time_share_target"]))
    return target.astype(float), full_time.astype(float)


def visit_key(visits: Visits) -> np.ndarray:
    """A key per visit for counter-based draws: (kind, unit, purpose) packed in an integer."""
    return (visits.unit * _N_KINDS + visits.kind) * _N_PURPOSES + visits.purpose


def logistic(x: np.ndarray) -> np.ndarray:
    """The logistic response of a bounded-rational choice to its logit (behaviour, reporting)."""
    return 1.0 / (1.0 + np.exp(-x))
