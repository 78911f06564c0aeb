"""Step 2 — annual plans (ODD 7.2; clauses 四, 八, 二十一).

Every January each office sets its budget (二十一: budget per school supervised), works out how
many visits its inspectors can make and the budget can pay for, and files the plan. Where plans
are reported upward (四), the office above compares last year's delivery with the plan and
presses offices that fell short. Under rotation targeting the plan names the month each school
is due, and the plan is known to the schools (what makes rotation predictable).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Mechanism
from dudao_sim.model.mechanisms.common import inspector_capacity
from dudao_sim.model.state import NEVER, LevelCode

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

#: Rotation plans put school ``k`` in month ``7k mod 12``: a stride prime to 12 spreads
#: neighbouring schools over the year (structural, not behavioural).
_ROTATION_STRIDE = 7


class Planning(Mechanism):
    """Budgets, capacity, the annual plan and its upward reporting.

    Reads: state — offices (plan, budget, spent, level, n_schools), inspectors (capacity),
    schools (county, office), ``state.office_of_gov``.

    Writes: state — offices' budget, spent, plan_visits, plan_reported and effort (pressed
    when short of the plan); schools' plan_month (rotation). No flows.
    """

    name = "planning"
    clauses = ("四", "八", "二十一")
    odd_section = "7.2"

    def step(self, model: SupervisionModel) -> None:
        """File the year's plans in January; otherwise nothing."""
        if not model.calendar.is_january(model.t):
            return
        a, levers, t = model.assumptions, model.levers, model.t
        offices, schools = model.state.offices, model.state.schools
        # Oversight of delivery against last year's reported plan (四).
        if bool(levers["plan_reporting"]) and (offices.plan_visits > 0).any():
            delivered = offices.spent / np.maximum(offices.budget, 1.0)
            short = (offices.plan_visits > 0) & (delivered < a["plan_shortfall_threshold"])
            offices.effort[short] = np.minimum(
                a["office_effort_max"], offices.effort[short] + a["plan_shortfall_push"]
            )
            model.record("plans_short", short)
        per_school = float(levers["budget_per_school_yuan"])
        city_of_school = model.state.governments.parent[schools.county]
        office_of_gov = model.state.office_of_gov
        schools_in_city = np.bincount(office_of_gov[city_of_school], minlength=offices.n)
        offices.budget = per_school * np.where(
            offices.level == LevelCode.CITY,
            a["city_budget_share"] * schools_in_city,
            offices.n_schools,
        )
        offices.spent[:] = 0.0
        ins = model.state.inspectors
        per_inspector = inspector_capacity(ins, a)
        capacity = (
            np.bincount(ins.office, weights=per_inspector, minlength=offices.n) * MONTHS_PER_YEAR
        )
        affordable = offices.budget / a["cost_per_visit_yuan"]
        offices.plan_visits = np.minimum(capacity, affordable)
        offices.plan_reported[:] = bool(levers["plan_reporting"])
        model.record("plans_reported", offices.plan_reported)

        # Rotation plans name each school's month; schools read the published plan.
        schools.plan_month[:] = NEVER
        if levers["targeting"] == "rotation":
            share = min(1.0, a["base_inspection_share"] + float(levers["double_random_share"]))
            period = max(1, round(1.0 / max(share, 1e-9)))
            due = (np.arange(schools.n) + model.calendar.year(t)) % period == 0
            month = t + (np.arange(schools.n) * _ROTATION_STRIDE) % MONTHS_PER_YEAR
            schools.plan_month[due] = month[due]
