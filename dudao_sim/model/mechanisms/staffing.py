"""Step 9 — the inspectorate is simulated, not set (ODD 7.9).

Clauses 六, 十七, 十八, 十九, 二十一 and 二十五.

- Each January every county office recruits toward its targets — ⌈badged-type schools ÷
  schools-per-inspector⌉ inspectors, the full-time share at least the target (十七) — closing a
  share of the gap that grows with the province's supervision of implementation (二十五),
  limited by the local candidate pool (retired cadres, principals, teachers: 十七), by
  establishment posts for full-time inspectors, and by the budget for part-time inspectors'
  costs (二十一).
- Every month inspectors leave (attrition, part-timers more often), misconduct is found and the
  inspector made to exit (十九: discipline and the exit mechanism; complaints through published
  contacts expose some), and training hours raise skill (十八).
- Every month schools whose badged inspector left get another (六): an inspector takes the
  schools their time allows at the planned zone-visit rate, and offices below the coverage
  target stretch zones up to the national cap of 20 schools; a thin inspectorate leaves
  schools uncovered or thinly visited.

The staffing targets (:func:`~dudao_sim.structure.inspectorate.inspector_targets`,
:func:`~dudao_sim.structure.inspectorate.full_time_targets`), the coverage goal and the
zone-dealing rule (:mod:`dudao_sim.structure.zones`) are the ones the initial inspectorate is
built with; the zone limit is the structure's ``max_zone_schools`` (``policy/targets.toml``).
Targets are computed for every office; only county offices recruit so far.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Mechanism
from dudao_sim.model.mechanisms.common import group_ranks, inspector_capacity
from dudao_sim.model.state import NEVER, LevelCode
from dudao_sim.structure.inspectorate import full_time_targets, inspector_targets
from dudao_sim.structure.zones import deal_zones, schools_to_cover

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel


class Staffing(Mechanism):
    """Recruitment, attrition, misconduct exits, training and badged zones.

    Reads: ``carry.misconduct_reported`` (cleared); state — inspectors, schools (badged,
    badged_type, active, office), offices (level).

    Writes: state — inspectors (active, full_time, hired, skill, integrity, misconduct,
    training_hours), schools' badged inspector. No flows.
    """

    name = "staffing"
    clauses = ("六", "十七", "十八", "十九", "二十一", "二十五")
    odd_section = "7.9"

    def step(self, model: SupervisionModel) -> None:
        """Monthly exits and training; January recruitment and zone assignment."""
        self._exits(model)
        self._training(model)
        if model.calendar.is_january(model.t):
            self._recruit(model)
        self._assign_zones(model)

    def _exits(self, model: SupervisionModel) -> None:
        a, lv, t = model.assumptions, model.levers, model.t
        ins = model.state.inspectors
        u = model.streams.uniform("inspector_exits", t, (ins.n, 2))
        p_leave = (
            np.where(ins.full_time, a["attrition_full_time"], a["attrition_part_time"])
            / MONTHS_PER_YEAR
        )
        leave = ins.active & (u[:, 0] < p_leave)
        caught = (
            ins.active
            & (ins.misconduct > 0)
            & (
                (u[:, 1] < a["misconduct_detection"] * float(lv["integrity_enforcement"]))
                | model.carry.misconduct_reported
            )
        )
        model.carry.misconduct_reported[:] = False
        for mask, event in ((leave, "inspectors_left"), (caught & ~leave, "misconduct_exits")):
            ins.active[mask] = False
            model.record(event, mask)
        gone = leave | caught
        if gone.any():
            schools = model.state.schools
            orphan = (schools.badged >= 0) & gone[np.maximum(schools.badged, 0)]
            schools.badged[orphan] = NEVER
            ins.misconduct[gone] = 0

    def _training(self, model: SupervisionModel) -> None:
        a, lv = model.assumptions, model.levers
        ins = model.state.inspectors
        hours = float(lv["training_hours_per_year"]) / MONTHS_PER_YEAR
        ins.training_hours[ins.active] += hours
        gain = a["training_skill_gain"] * hours * (1.0 - ins.skill)
        ins.skill = np.where(
            ins.active,
            np.clip(ins.skill + gain - a["skill_decay"] / MONTHS_PER_YEAR * ins.skill, 0.0, 1.0),
            ins.skill,
        )

    def _recruit(self, model: SupervisionModel) -> None:
        a, lv, t = model.assumptions, model.levers, model.t
        ins, offices, schools = model.state.inspectors, model.state.offices, model.state.schools
        ins.training_hours[:] = 0.0
        county_office = offices.level == LevelCode.COUNTY
        badged = np.bincount(
            schools.office[schools.badged_type & schools.active], minlength=offices.n
        )
        # Every office's target by the one staffing rule (十七), a little above the ratio to
        # cover the year's expected departures; only county offices recruit toward it so far.
        govs = model.state.governments
        target = inspector_targets(
            supervised=np.bincount(schools.office[schools.active], minlength=offices.n),
            counties_evaluated=np.bincount(
                govs.office[govs.level == LevelCode.COUNTY], minlength=offices.n
            ),
            schools_per_inspector=float(lv["schools_per_inspector_target"]),
            inspectors_per_county=model.structure.spec.city_inspectors_per_county,
            buffer=a["recruitment_buffer"],
        )
        target_ft = full_time_targets(target, float(lv["full_time_share_target"]))
        have = np.bincount(ins.office[ins.active], minlength=offices.n)
        have_ft = np.bincount(ins.office[ins.active & ins.full_time], minlength=offices.n)
        push = a["gap_closed_base"] + (1.0 - a["gap_closed_base"]) * float(
            lv["implementation_supervision"]
        )
        pool = np.ceil(a["candidate_pool_share"] * badged)
        want_ft = np.clip(np.round(push * (target_ft - have_ft)), 0, a["full_time_posts_per_year"])
        part_budget = a["part_time_budget_share"] * float(lv["budget_per_school_yuan"]) * badged
        have_pt = have - have_ft
        affordable_pt = np.floor(part_budget / a["part_time_cost_yuan"]) - have_pt
        want_pt = np.round(push * (target - target_ft - have_pt))
        want_pt = np.clip(np.minimum(want_pt, affordable_pt), 0, None)
        hires_ft = np.where(county_office, np.minimum(want_ft, pool), 0).astype(int)
        hires_pt = np.where(county_office, np.minimum(want_pt, pool - hires_ft), 0).astype(int)
        model.record("recruited_full_time", hires_ft)
        model.record("recruited_part_time", hires_pt)
        u = model.streams.uniform("recruits", t, (ins.n, 2))
        vacant = ~ins.active
        # Fill the first vacant slots of each office: full-time first, then part-time.
        order = np.flatnonzero(vacant)
        office_of = ins.office[order]
        _, rank = group_ranks(office_of)
        hire_ft = rank < hires_ft[office_of]
        hire_pt = ~hire_ft & (rank < (hires_ft + hires_pt)[office_of])
        rows = order[hire_ft | hire_pt]
        ins.active[rows] = True
        ins.full_time[rows] = hire_ft[hire_ft | hire_pt]
        ins.hired[rows] = t
        ins.misconduct[rows] = 0
        ins.skill[rows] = np.clip(
            a["recruit_skill"] + a["recruit_skill_span"] * u[rows, 0], 0.0, 1.0
        )
        screening = a["integrity_screening"] * float(lv["integrity_enforcement"])
        integrity = a["recruit_integrity_min"] + a["recruit_integrity_span"] * u[rows, 1]
        ins.integrity[rows] = np.clip(integrity + screening, 0.0, 1.0)

    def _assign_zones(self, model: SupervisionModel) -> None:
        """Give uncovered schools a badged inspector (六).

        An office first gives each inspector only the schools their time allows at the planned
        zone-visit rate; where that leaves its coverage below the target, it stretches zones up
        to the zone limit (20 schools), so coverage on paper rises while visits thin out. Both
        passes deal schools by :func:`~dudao_sim.structure.zones.deal_zones`.
        """
        lv, t = model.levers, model.t
        ins, schools = model.state.inspectors, model.state.schools
        offices = model.state.offices
        max_zone = model.structure.spec.max_zone_schools
        eligible = schools.badged_type & schools.active
        u = model.streams.uniform("zone_assignment", t, schools.n)
        per_year = max(float(lv["zone_visits_per_year"]), 1.0)
        time_allows = np.floor(
            inspector_capacity(ins, model.assumptions) * MONTHS_PER_YEAR / per_year + 1e-9
        )
        comfortable = np.minimum(time_allows, max_zone)
        n_eligible = np.bincount(schools.office[eligible], minlength=offices.n)
        goal = schools_to_cover(n_eligible, float(lv["badged_coverage_target"]))
        assigned = 0
        for room, target in ((comfortable, n_eligible), (max_zone, goal)):
            covered = eligible & (schools.badged >= 0)
            n_covered = np.bincount(schools.office[covered], minlength=offices.n)
            load = np.bincount(schools.badged[schools.badged >= 0], minlength=ins.n)
            chosen, holder = deal_zones(
                school_office=schools.office,
                uncovered=eligible & ~covered,
                to_cover=np.maximum(target - n_covered, 0),
                inspector_office=ins.office,
                room=np.where(ins.active, np.maximum(room - load, 0), 0),
                order_key=u,
            )
            schools.badged[chosen] = holder
            assigned += len(chosen)
        if assigned:
            model.record("zones_assigned", assigned)
