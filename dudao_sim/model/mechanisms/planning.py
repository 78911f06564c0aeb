"""Step 2 — oversight of offices, budgets, annual plans (ODD 7.2; 四, 八, 二十一, 二十五).

Every January:

1. **Oversight of offices** (四, 二十五), from the second year on. Where plans were reported
   upward (四), the office above compares each office's delivery with its plan and presses an
   office that delivered less than ``plan_shortfall_threshold`` of it. The province checks the
   implementation of the opinions (二十五) in a random share ``implementation_supervision`` of
   city and county offices: a checked office short of its staffing target (十七: in number or
   in full-timers) — or of its reported plan — is held accountable. Each office learns what a
   shortfall costs, from its own case when it was short and otherwise from the offices of its
   level that were (the results are circulated), and chooses how much of its inspectors'
   contracted field hours to deploy (``diligence``, a logistic response to that belief).
   Recruitment (7.9) reads the same belief. No office reads a lever: what it knows is what
   happened to offices that fell short.
2. **Budgets** (二十一): yuan per school supervised, for the offices' own schools (cities: a
   share of their counties' schools; the province: its institutions plus a share of all
   schools, for 督政), times the jurisdiction's fiscal capacity to the power
   ``budget_fiscal_elasticity`` (二十一: 纳入本级财政预算 — richer governments fund more).
3. **Plans** (四): the visits the rules ask of the office's inspectors (zone visits and spot
   checks) as far as their contracted hours and the budget allow; filed upward where
   ``plan_reporting``. Under rotation targeting the plan names the month each school is due,
   and the plan is known to the schools (what makes rotation predictable).

At set-up each office gets its fiscal capacity and the geography of its visits: the mean
round trip to the units it supervises and the hours of a routine visit (十七: 地理因素、交通条件).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Mechanism, UnitKind
from dudao_sim.model.mechanisms.common import (
    Travel,
    contract_hours,
    staffing_target,
    visit_cost_yuan,
)
from dudao_sim.model.state import NEVER, LevelCode

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

#: Rotation plans put school ``k`` in month ``7k mod 12``: a stride prime to 12 spreads
#: neighbouring schools over the year (structural, not behavioural).
_ROTATION_STRIDE = 7


def _mean_by(group: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Mean of ``values`` by ``group`` (0 where a group is empty)."""
    total = np.bincount(group, weights=values, minlength=n)
    count = np.bincount(group, minlength=n)
    return np.divide(total, count, out=np.zeros(n), where=count > 0)


class Planning(Mechanism):
    """Oversight of offices, budgets, the annual plan and its upward reporting.

    Reads: state — offices (plan_visits, visits_made, plan_reported, level, n_schools),
    inspectors (contract type, active), schools (county, office, fiscal, active, badged),
    governments (parent), ``state.office_of_gov``.

    Writes: state — offices' fiscal, trip_km and visit_hours (set-up), belief_short_plan,
    belief_short_staff, diligence, budget, spent, plan_visits, visits_made and plan_reported;
    schools' plan_month (rotation). No flows.
    """

    name = "planning"
    clauses = ("四", "八", "二十一", "二十五")
    odd_section = "7.2"

    def setup(self, model: SupervisionModel) -> None:
        """Each office's fiscal capacity and the geography of its visits; initial diligence."""
        a, state = model.assumptions, model.state
        offices, schools, govs = state.offices, state.schools, state.governments
        n = offices.n
        office_of_gov = state.office_of_gov
        county_office = office_of_gov[schools.county]
        upper_office = office_of_gov[govs.parent[schools.county]]
        fiscal = _mean_by(county_office, schools.fiscal, n)
        above = _mean_by(upper_office, schools.fiscal, n)
        fiscal = np.where(offices.level == LevelCode.COUNTY, fiscal, above)
        fiscal[offices.level == LevelCode.PROVINCE] = schools.fiscal.mean()
        offices.fiscal = np.where(fiscal > 0, fiscal, 1.0)

        travel = Travel.build(model)
        rows = np.arange(schools.n)
        km_school = travel.round_trip_km(UnitKind.SCHOOL, rows, schools.office)
        h_school = travel.hours(UnitKind.SCHOOL, rows, km_school)
        evaluated = np.flatnonzero(govs.office >= 0)
        km_gov = travel.round_trip_km(UnitKind.GOVERNMENT, evaluated, govs.office[evaluated])
        h_gov = travel.hours(UnitKind.GOVERNMENT, evaluated, km_gov)
        has_schools = np.bincount(schools.office, minlength=n) > 0
        offices.trip_km = np.where(
            has_schools,
            _mean_by(schools.office, km_school, n),
            _mean_by(govs.office[evaluated], km_gov, n),
        )
        travel_hours = np.where(
            has_schools,
            _mean_by(schools.office, h_school, n),
            _mean_by(govs.office[evaluated], h_gov, n),
        )
        offices.visit_hours = a["visit_hours_on_site"] + travel_hours
        offices.diligence[:] = _diligence(offices.belief_short_plan, a)

    def step(self, model: SupervisionModel) -> None:
        """Oversight, budgets and plans in January; otherwise nothing."""
        if not model.calendar.is_january(model.t):
            return
        if model.t >= MONTHS_PER_YEAR and hasattr(self, "_target"):
            self._oversee(model)
        self._budget(model)
        self._plan(model)

    def _oversee(self, model: SupervisionModel) -> None:
        """Last year's delivery and staffing: pressed, checked, held accountable; beliefs."""
        a, lv, t = model.assumptions, model.levers, model.t
        offices, ins = model.state.offices, model.state.inspectors
        have = np.bincount(ins.office[ins.active], minlength=offices.n)
        have_ft = np.bincount(ins.office[ins.active & ins.full_time], minlength=offices.n)
        # Short of last year's target in number or in full-timers (十七: both are checked).
        threshold = a["staffing_shortfall_threshold"]
        short_staff = (have < threshold * self._target) | (
            have_ft < threshold * self._target_full_time
        )
        delivered = np.divide(
            offices.visits_made,
            offices.plan_visits,
            out=np.ones(offices.n),
            where=offices.plan_visits > 0,
        )
        short_plan = delivered < a["plan_shortfall_threshold"]
        below = offices.level != LevelCode.PROVINCE  # offices with an office above them
        # 四: the office above sees delivery only against a plan that was reported to it.
        known = short_plan & offices.plan_reported
        pressed = known & below
        model.record("plans_short", pressed)
        # 二十五: the province checks a share of the offices below it; staffing is visible in
        # the statistics, delivery only against a reported plan.
        u = model.streams.uniform("implementation_checks", t, offices.n)
        checked = below & (u < float(lv["implementation_supervision"]))
        held_staff, held_plan = checked & short_staff, checked & known
        model.record("implementation_checks", checked)
        model.record("offices_held_accountable", held_staff | held_plan)
        on_plan = np.maximum(a["plan_press_weight"] * pressed, held_plan.astype(float))
        rate = a["office_learning_rate"]
        _learn(offices.belief_short_plan, short_plan, on_plan, offices.level, rate)
        _learn(
            offices.belief_short_staff, short_staff, held_staff.astype(float), offices.level, rate
        )
        offices.diligence[:] = _diligence(offices.belief_short_plan, a)

    def _budget(self, model: SupervisionModel) -> None:
        """The year's supervision budget of every office (二十一), scaled by fiscal capacity."""
        a, lv = model.assumptions, model.levers
        offices, schools = model.state.offices, model.state.schools
        city_of_school = model.state.governments.parent[schools.county]
        schools_in_city = np.bincount(
            model.state.office_of_gov[city_of_school], minlength=offices.n
        )
        base = np.where(
            offices.level == LevelCode.CITY,
            a["city_budget_share"] * schools_in_city,
            offices.n_schools,
        ) + np.where(
            offices.level == LevelCode.PROVINCE, a["province_budget_share"] * schools.n, 0.0
        )
        offices.budget = (
            float(lv["budget_per_school_yuan"])
            * base
            * offices.fiscal ** a["budget_fiscal_elasticity"]
        )
        offices.spent[:] = 0.0

    def _plan(self, model: SupervisionModel) -> None:
        """Visits the rules ask of each office's inspectors, as far as hours and money allow."""
        a, lv, t = model.assumptions, model.levers, model.t
        offices, schools, ins = model.state.offices, model.state.schools, model.state.inspectors
        hours = contract_hours(ins, a)
        capacity = (
            np.bincount(ins.office, weights=hours, minlength=offices.n)
            / offices.visit_hours
            * MONTHS_PER_YEAR
        )
        part_time = np.bincount(ins.office[ins.active & ~ins.full_time], minlength=offices.n)
        staff = np.maximum(np.bincount(ins.office[ins.active], minlength=offices.n), 1)
        fee = visit_cost_yuan(
            offices.trip_km,
            np.ones(offices.n, bool),
            np.zeros(offices.n, bool),
            np.zeros(offices.n, bool),
            a,
        )
        travel_only = visit_cost_yuan(
            offices.trip_km,
            np.zeros(offices.n, bool),
            np.zeros(offices.n, bool),
            np.zeros(offices.n, bool),
            a,
        )
        mean_cost = travel_only + (fee - travel_only) * part_time / staff
        affordable = offices.budget / np.maximum(mean_cost, 1e-9)
        share = a["base_inspection_share"] + float(lv["double_random_share"])
        zone = schools.active & (schools.badged >= 0)
        required = float(lv["zone_visits_per_year"]) * np.bincount(
            schools.office[zone], minlength=offices.n
        ) + share * np.bincount(schools.office[schools.active], minlength=offices.n)
        offices.plan_visits = np.minimum(np.minimum(capacity, affordable), required)
        # Checked against next January (二十五).
        self._target, self._target_full_time = staffing_target(model)
        offices.visits_made[:] = 0.0
        offices.plan_reported[:] = bool(lv["plan_reporting"])
        model.record("plans_reported", offices.plan_reported)

        # Rotation plans name each school's month; schools read the published plan.
        schools.plan_month[:] = NEVER
        if lv["targeting"] == "rotation":
            share = min(1.0, share)
            period = max(1, round(1.0 / max(share, 1e-9)))
            due = (np.arange(schools.n) + model.calendar.year(t)) % period == 0
            month = t + (np.arange(schools.n) * _ROTATION_STRIDE) % MONTHS_PER_YEAR
            schools.plan_month[due] = month[due]


def _learn(
    belief: np.ndarray,
    short: np.ndarray,
    consequence: np.ndarray,
    level: np.ndarray,
    rate: float,
) -> None:
    """Update, in place, what offices believe a shortfall costs.

    An office that fell short learns from its own case; the others from the offices of their
    level that fell short (the results of the oversight are circulated); where no office of a
    level fell short, its offices learn nothing this year.
    """
    n_levels = int(level.max()) + 1 if len(level) else 0
    n_short = np.bincount(level[short], minlength=n_levels)
    felt = np.bincount(level[short], weights=consequence[short], minlength=n_levels)
    peers = np.divide(felt, n_short, out=np.zeros(n_levels), where=n_short > 0)
    seen = short | (n_short[level] > 0)
    observed = np.where(short, consequence, peers[level])
    belief[seen] += rate * (observed[seen] - belief[seen])


def _diligence(belief: np.ndarray, assumptions: Mapping[str, float]) -> np.ndarray:
    """Share of contracted field hours an office deploys, from the believed cost of a shortfall.

    A logistic response to what falling short of its plan is believed to cost (selective
    implementation of soft targets without pressure from above: [@obrien_li_1999]).
    """
    a = assumptions
    x = a["diligence_intercept"] + a["diligence_pressure_weight"] * belief
    return 1.0 / (1.0 + np.exp(-x))
