"""Step 9 — the inspectorate is simulated, not set (ODD 7.9).

Clauses 六, 十七, 十八, 十九, 二十一 and 二十五.

- Each January every office — province, cities and counties — recruits toward its target
  (county offices: ⌈badged-type schools ÷ schools-per-inspector⌉; the province: its
  institutions ÷ the same ratio; cities, and the province for the counties it administers:
  evaluators per county, 十七), closing a share of the gap that grows with what the office
  believes a shortfall costs — learned from the oversight of offices (四) and the province's
  checks on implementation (二十五) — limited by the candidate pool of its jurisdiction
  (retired cadres, principals, teachers: 十七). Whom it hires is a choice: a full-timer's field
  hours would otherwise cost part-timers' fees; a full-timer costs the salary of an
  establishment post (编制), which weighs more where fiscal capacity is low; below its
  full-time target (十七) the office adds what it believes the shortfall costs. Posts follow
  fiscal capacity, and part-timers' fees must fit a share of the budget (二十一).
- Every month inspectors leave (attrition, part-timers more often), misconduct is found and the
  inspector made to exit (十九: discipline and the exit mechanism; complaints through published
  contacts expose some) within the cases the office can conclude, inspectors learn from those
  removals how likely exposure is (which weighs on collusion, detection), and skill follows
  what inspectors do (十八): it grows with the visits they made (learning by doing, with
  diminishing returns) and with the training the office scheduled, and fades. Offices then
  schedule next month's training (the training requirement, as far as this month's money
  allows); its hours come out of the inspectors' field hours and its cost out of the budget,
  so training competes with visits for time and money.
- Every month schools whose badged inspector left get another (六): an inspector takes the
  schools their time allows at the planned zone-visit rate, and offices below the coverage
  target stretch zones up to the national cap of 20 schools; a thin inspectorate leaves
  schools uncovered or thinly visited.

The staffing targets (:func:`~dudao_sim.structure.inspectorate.inspector_targets`,
:func:`~dudao_sim.structure.inspectorate.full_time_targets`), the coverage goal and the
zone-dealing rule (:mod:`dudao_sim.structure.zones`) are the ones the initial inspectorate is
built with (through :func:`~dudao_sim.model.mechanisms.common.staffing_target`); the zone
limit is the structure's ``max_zone_schools`` (``policy/targets.toml``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Mechanism
from dudao_sim.model.mechanisms.common import (
    group_ranks,
    inspector_capacity,
    logistic,
    staffing_target,
    visit_cost_yuan,
)
from dudao_sim.model.state import NEVER, LevelCode
from dudao_sim.structure.zones import deal_zones, schools_to_cover

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel


class Staffing(Mechanism):
    """Recruitment, attrition, misconduct exits, training and badged zones.

    Reads: ``carry.misconduct_reported`` (cleared), ``flows.visits`` (who made visits);
    state — inspectors, schools (badged, badged_type, active, office, county), governments
    (parent), offices (level, fiscal, budget, spent, trip_km, visit_hours, diligence,
    belief_short_staff).

    Writes: state — inspectors (active, full_time, hired, skill, integrity, misconduct,
    training_hours, training_month), offices' exposure_belief and spent (training), schools'
    badged inspector. No flows.
    """

    name = "staffing"
    clauses = ("六", "十七", "十八", "十九", "二十一", "二十五")
    odd_section = "7.9"

    def setup(self, model: SupervisionModel) -> None:
        """Each office's misconduct cases concluded this year (its discipline capacity, 十九)."""
        self.cases_this_year = np.zeros(model.state.offices.n)

    def step(self, model: SupervisionModel) -> None:
        """Monthly exits, learning, zones and training; January recruitment."""
        self._exits(model)
        self._learning(model)
        if model.calendar.is_january(model.t):
            self._recruit(model)
        self._assign_zones(model)
        self._schedule_training(model)

    def _exits(self, model: SupervisionModel) -> None:
        """Attrition and misconduct exits; inspectors learn from the removals they see (十九).

        An inspector with misconduct on record comes under suspicion with
        ``misconduct_detection`` × the office's integrity enforcement a month, or at once when a
        complaint exposed them. An office concludes at most ``misconduct_cases_per_year`` cases
        a year per active inspector (its discipline work; suspects beyond it stay in post), so a
        stock of misconduct from before a stricter regime is worked off over years rather than
        purged at once. Each office's inspectors then update their belief of how often a
        rule-bending colleague is removed (``offices.exposure_belief``) by ``learning_rate``
        toward this month's removals ÷ colleagues with misconduct on record.
        """
        a, lv, t = model.assumptions, model.levers, model.t
        ins, offices = model.state.inspectors, model.state.offices
        u = model.streams.uniform("inspector_exits", t, (ins.n, 2))
        p_leave = (
            np.where(ins.full_time, a["attrition_full_time"], a["attrition_part_time"])
            / MONTHS_PER_YEAR
        )
        leave = ins.active & (u[:, 0] < p_leave)
        holders = ins.active & (ins.misconduct > 0)
        suspected = holders & (
            (u[:, 1] < a["misconduct_detection"] * float(lv["integrity_enforcement"]))
            | model.carry.misconduct_reported
        )
        model.carry.misconduct_reported[:] = False
        # An office concludes suspected cases, in random order, while its year's capacity lasts.
        if model.calendar.is_january(t):
            self.cases_this_year[:] = 0.0
        size = np.bincount(ins.office[ins.active], minlength=offices.n)
        left = np.maximum(a["misconduct_cases_per_year"] * size - self.cases_this_year, 0.0)
        room = np.floor(left + model.streams.uniform("misconduct_room", t, offices.n))
        rows = np.flatnonzero(suspected)
        rows = rows[np.lexsort((u[rows, 1], ins.office[rows]))]
        _, rank = group_ranks(ins.office[rows])
        caught = np.zeros(ins.n, bool)
        caught[rows[rank < room[ins.office[rows]]]] = True
        self.cases_this_year += np.bincount(ins.office[caught], minlength=offices.n)
        for mask, event in ((leave, "inspectors_left"), (caught & ~leave, "misconduct_exits")):
            ins.active[mask] = False
            model.record(event, mask)
        n_holders = np.bincount(ins.office[holders], minlength=offices.n)
        removed = np.bincount(ins.office[caught & ~leave], minlength=offices.n)
        seen = n_holders > 0
        offices.exposure_belief[seen] += a["learning_rate"] * (
            removed[seen] / n_holders[seen] - offices.exposure_belief[seen]
        )
        gone = leave | caught
        if gone.any():
            schools = model.state.schools
            orphan = (schools.badged >= 0) & gone[np.maximum(schools.badged, 0)]
            schools.badged[orphan] = NEVER
            ins.misconduct[gone] = 0
            ins.training_month[gone] = 0.0

    def _learning(self, model: SupervisionModel) -> None:
        """Skill from practice and training, less what fades (十八).

        Learning by doing: an inspector gains ``practice_skill_gain`` × the gap to full skill ×
        v ÷ (v + ``practice_half_visits``) from the v visits they made this month
        (``flows.visits``), with diminishing returns; one who made none learns nothing from
        practice. Training: the hours the office scheduled for this month (``training_month``,
        already taken from this month's field hours) add ``training_skill_gain`` per hour × the
        gap. Skill fades by ``skill_decay`` a year.
        """
        a = model.assumptions
        ins = model.state.inspectors
        visits = model.flows.visits
        made = np.bincount(visits.inspector[visits.inspector >= 0], minlength=ins.n)
        practice = a["practice_skill_gain"] * made / (made + a["practice_half_visits"])
        trained = a["training_skill_gain"] * ins.training_month
        if model.calendar.is_january(model.t):
            ins.training_hours[:] = 0.0
        ins.training_hours += ins.training_month
        gap = 1.0 - ins.skill
        decay = a["skill_decay"] / MONTHS_PER_YEAR * ins.skill
        ins.skill = np.where(
            ins.active, np.clip(ins.skill + (practice + trained) * gap - decay, 0.0, 1.0), ins.skill
        )

    def _schedule_training(self, model: SupervisionModel) -> None:
        """The training each office gives its inspectors next month, within its money (十八).

        The office implements the training requirement (``training_hours_per_year`` ÷ 12 a
        month, at most ``training_field_share_max`` of an inspector's contracted field hours:
        the office does not take more from field work) as far as this month's share of
        what is left of its budget pays for it (``training_cost_yuan_per_hour``; what is left ÷
        the months left, December's spending paying for January's course), so that training
        and visits compete for the same money (二十一) and, next month, for the same hours.
        """
        a, lv = model.assumptions, model.levers
        ins, offices = model.state.inspectors, model.state.offices
        contract = np.where(ins.full_time, a["field_hours_full_time"], a["field_hours_part_time"])
        spare = a["training_field_share_max"] * contract
        wanted = np.minimum(float(lv["training_hours_per_year"]) / MONTHS_PER_YEAR, spare)
        wanted = wanted * ins.active
        cost = np.bincount(ins.office, weights=wanted, minlength=offices.n)
        cost *= a["training_cost_yuan_per_hour"]
        months_left = MONTHS_PER_YEAR - model.calendar.month_of_year(model.t) + 1
        money = np.maximum(offices.budget - offices.spent, 0.0) / months_left
        funded = np.divide(money, cost, out=np.ones(offices.n), where=cost > 0)
        funded = np.minimum(funded, 1.0)
        ins.training_month = wanted * funded[ins.office]
        paid = cost * funded
        offices.spent += paid
        model.record("training_cost_yuan", float(paid.sum()))

    def _recruit(self, model: SupervisionModel) -> None:
        """January: every office closes part of its staffing gap and chooses whom to hire (十七).

        How many: the share of the gap an office closes grows with what it believes a staffing
        shortfall costs (``belief_short_staff``, learned from the province's checks, 二十五),
        limited by the jurisdiction's candidates. Whom: each hire is a full-timer with the
        chance of a logistic choice on what the office weighs in yuan a year —
        the part-timers' fees a full-timer's field hours would otherwise cost, less the
        salary of a post (``full_time_salary_yuan``, weighing more where fiscal capacity is
        low, 二十一), plus, while the office is below its full-time target, the believed cost
        of that shortfall (``belief_short_staff`` × ``full_time_shortfall_cost_yuan``) — over
        ``full_time_choice_scale_yuan``. Full-timers need establishment posts (编制), which
        follow fiscal capacity; part-timers' fees need room in the budget (二十一). A hire the
        posts refuse is offered part-time. The target pulls the full-time share only as far
        as an office believes missing it costs.
        """
        a = model.assumptions
        ins, offices, schools = model.state.inspectors, model.state.offices, model.state.schools
        # Every level recruits toward its target by the one staffing rule (十七), a little
        # above it to cover the year's expected departures.
        target, target_ft = staffing_target(model, buffer=a["recruitment_buffer"])
        have = np.bincount(ins.office[ins.active], minlength=offices.n)
        have_ft = np.bincount(ins.office[ins.active & ins.full_time], minlength=offices.n)
        # How much of its gap an office closes grows with what it believes a staffing shortfall
        # costs: what it learned from the province's checks on implementation (二十五; 7.2).
        push = a["gap_closed_base"] + (1.0 - a["gap_closed_base"]) * offices.belief_short_staff
        # Candidates (十七: recently retired cadres, principals, teachers) of the jurisdiction.
        upper = model.state.office_of_gov[model.state.governments.parent[schools.county]]
        county_pool = np.bincount(
            schools.office[schools.badged_type & schools.active], minlength=offices.n
        )
        pool = np.where(
            offices.level == LevelCode.COUNTY,
            county_pool,
            np.bincount(upper[schools.active], minlength=offices.n),
        )
        pool[offices.level == LevelCode.PROVINCE] = schools.active.sum()
        pool = np.ceil(a["candidate_pool_share"] * pool)
        # A share of a gap: a whole number of hires, rounded at random (its mean is the share),
        # so that small offices with a gap of one still hire some years.
        u_gap = model.streams.uniform("recruitment_gap", model.t, (offices.n, 2))
        wanted = np.floor(push * np.maximum(target - have, 0.0) + u_gap[:, 0])
        # Whom: full-time or part-time, from what each costs the office (二十一, 十七).
        no = np.zeros(offices.n, bool)
        part_timer = visit_cost_yuan(offices.trip_km, ~no, no, no, a)  # travel and fee
        fee = part_timer - visit_cost_yuan(offices.trip_km, no, no, no, a)
        visits_per_hour_year = MONTHS_PER_YEAR / offices.visit_hours
        extra_hours = a["field_hours_full_time"] - a["field_hours_part_time"]
        fees_saved = extra_hours * visits_per_hour_year * fee
        salary = a["full_time_salary_yuan"] / offices.fiscal ** a["budget_fiscal_elasticity"]
        shortfall = offices.belief_short_staff * a["full_time_shortfall_cost_yuan"]
        scale = a["full_time_choice_scale_yuan"]
        p_above = logistic((fees_saved - salary) / scale)
        p_below = logistic((fees_saved - salary + shortfall) / scale)
        below = push * np.maximum(target_ft - have_ft, 0.0)
        # Establishment posts (编制) follow the jurisdiction's fiscal capacity.
        posts = np.round(
            a["full_time_posts_per_year"] * offices.fiscal ** a["budget_fiscal_elasticity"]
        )
        above = np.maximum(wanted - below, 0.0)
        want_ft = np.floor(p_below * below + p_above * above + u_gap[:, 1])
        hires_ft = np.clip(np.minimum(want_ft, posts), 0, pool).astype(int)
        # Part-timers: the rest of the hires, as far as a share of the budget pays their fees.
        yearly = a["field_hours_part_time"] * visits_per_hour_year * part_timer
        affordable_pt = np.floor(
            a["part_time_budget_share"] * offices.budget / np.maximum(yearly, 1e-9)
        ) - (have - have_ft)
        hires_pt = np.minimum(wanted - hires_ft, affordable_pt)
        hires_pt = np.clip(np.minimum(hires_pt, pool - hires_ft), 0, None).astype(int)
        model.record("recruited_full_time", hires_ft)
        model.record("recruited_part_time", hires_pt)
        self._fill(model, hires_ft, hires_pt)

    def _fill(self, model: SupervisionModel, hires_ft: np.ndarray, hires_pt: np.ndarray) -> None:
        """Fill the first vacant slots of each office: full-time first, then part-time."""
        a, lv, t = model.assumptions, model.levers, model.t
        ins = model.state.inspectors
        u = model.streams.uniform("recruits", t, (ins.n, 2))
        vacant = ~ins.active
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
            inspector_capacity(ins, offices, model.assumptions) * MONTHS_PER_YEAR / per_year + 1e-9
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
