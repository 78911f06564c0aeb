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
  contacts expose some) within the cases the office can conclude, inspectors learn from those
  removals how likely exposure is (which weighs on collusion, detection), and training hours
  raise skill (十八).
- Every month schools whose badged inspector left get another (六): an inspector takes the
  schools their time allows at the planned zone-visit rate, and offices below the coverage
  target stretch zones up to the national cap of 20 schools; a thin inspectorate leaves
  schools uncovered or thinly visited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Mechanism
from dudao_sim.model.mechanisms.common import group_ranks, inspector_capacity
from dudao_sim.model.state import NEVER, InspectorTable, LevelCode, SchoolTable
from dudao_sim.policy.targets import MAX_ZONE_SCHOOLS

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel


class Staffing(Mechanism):
    """Recruitment, attrition, misconduct exits, training and badged zones.

    Reads: ``carry.misconduct_reported`` (cleared); state — inspectors, schools (badged,
    badged_type, active, office), offices (level).

    Writes: state — inspectors (active, full_time, hired, skill, integrity, misconduct,
    training_hours), offices' exposure_belief, schools' badged inspector. No flows.
    """

    name = "staffing"
    clauses = ("六", "十七", "十八", "十九", "二十一", "二十五")
    odd_section = "7.9"

    def setup(self, model: SupervisionModel) -> None:
        """Each office's misconduct cases concluded this year (its discipline capacity, 十九)."""
        self.cases_this_year = np.zeros(model.state.offices.n)

    def step(self, model: SupervisionModel) -> None:
        """Monthly exits and training; January recruitment and zone assignment."""
        self._exits(model)
        self._training(model)
        if model.calendar.is_january(model.t):
            self._recruit(model)
        self._assign_zones(model)

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
        # Offices hire a little above the ratio to cover the year's expected departures.
        needed = badged / float(lv["schools_per_inspector_target"])
        target = np.ceil(needed * (1.0 + a["recruitment_buffer"]) - 1e-9)
        target_ft = np.ceil(float(lv["full_time_share_target"]) * target - 1e-9)
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
        to the national cap of 20 schools, so coverage on paper rises while visits thin out.
        """
        lv, t = model.levers, model.t
        ins, schools = model.state.inspectors, model.state.schools
        offices = model.state.offices
        eligible = schools.badged_type & schools.active
        u = model.streams.uniform("zone_assignment", t, schools.n)
        per_year = max(float(lv["zone_visits_per_year"]), 1.0)
        time_allows = np.floor(
            inspector_capacity(ins, model.assumptions) * MONTHS_PER_YEAR / per_year + 1e-9
        )
        comfortable = np.minimum(time_allows, MAX_ZONE_SCHOOLS)
        n_eligible = np.bincount(schools.office[eligible], minlength=offices.n)
        goal = np.ceil(float(lv["badged_coverage_target"]) * n_eligible - 1e-9)
        assigned = 0
        for room, target in ((comfortable, n_eligible), (MAX_ZONE_SCHOOLS, goal)):
            covered = eligible & (schools.badged >= 0)
            n_covered = np.bincount(schools.office[covered], minlength=offices.n)
            to_cover = np.maximum(target - n_covered, 0).astype(int)
            load = np.bincount(schools.badged[schools.badged >= 0], minlength=ins.n)
            spare = np.where(ins.active, np.maximum(room - load, 0), 0).astype(int)
            assigned += self._fill(schools, ins, offices.n, eligible & ~covered, to_cover, spare, u)
        if assigned:
            model.record("zones_assigned", assigned)

    def _fill(
        self,
        schools: SchoolTable,
        ins: InspectorTable,
        n_offices: int,
        uncovered: np.ndarray,
        to_cover: np.ndarray,
        spare: np.ndarray,
        u: np.ndarray,
    ) -> int:
        """Assign up to ``to_cover`` uncovered schools per office to spare zone places."""
        candidates = np.flatnonzero(uncovered)
        if not len(candidates) or not to_cover.any() or not spare.any():
            return 0
        # Random order within each office, then the first ``to_cover`` of each office.
        cand_office = schools.office[candidates]
        order = np.lexsort((u[candidates], cand_office))
        candidates, cand_office = candidates[order], cand_office[order]
        _, rank = group_ranks(cand_office)
        # Spare places of each office's inspectors, as a flat list of inspector rows.
        slots = np.repeat(np.arange(ins.n), spare)
        slot_office = ins.office[slots]
        slot_first = np.r_[True, slot_office[1:] != slot_office[:-1]]
        slot_start_of_office = np.full(n_offices, -1)
        slot_count = np.bincount(slot_office, minlength=n_offices)
        idx = np.flatnonzero(slot_first)
        slot_start_of_office[slot_office[idx]] = idx
        # Spread schools over inspectors: take slots round-robin by interleaving.
        take = (rank < to_cover[cand_office]) & (rank < slot_count[cand_office])
        chosen, chosen_office, chosen_rank = candidates[take], cand_office[take], rank[take]
        if not len(chosen):
            return 0
        spread = self._interleave(slots, slot_office, spare, n_offices)
        schools.badged[chosen] = spread[slot_start_of_office[chosen_office] + chosen_rank]
        return len(chosen)

    @staticmethod
    def _interleave(
        slots: np.ndarray, slot_office: np.ndarray, spare: np.ndarray, n_offices: int
    ) -> np.ndarray:
        """Reorder each office's slots so consecutive places go to different inspectors."""
        if not len(slots):
            return slots
        _, depth = group_ranks(slots)  # 0 for an inspector's first spare place, ...
        order = np.lexsort((slots, depth, slot_office))
        return slots[order]
