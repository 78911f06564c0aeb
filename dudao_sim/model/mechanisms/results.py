"""Step 5 — use of results (ODD 7.5; clauses 九, 十, 十一, 十二).

- Feedback (十): with item-by-item feedback every problem found is fed back with a requirement
  to rectify; without it only part is conveyed and the rest stays hidden.
- Ledger (十一): with a problem ledger each item gets a deadline and stays open until closed
  (销号); without one, nobody follows up and items left open are forgotten after a while.
- Rectification: each month the unit fixes an open item genuinely, closes it on paper only
  (fake rectification, 虚假整改), or leaves it open — by its effort, resources, its propensity to
  fake, and member departments' help on cross-department items (三).
- Supervision orders (督办单, 十一) for items past their deadline, with a new deadline; with joint
  liability the county government is pressed too.
- Re-checks (回头看, 十二) are scheduled for closed items: at a fixed interval, at random, or by
  risk; a re-check that catches a fake closure reopens the item.
- Ratings each December from what supervisors know (open items, orders, fakes caught); a
  school rated FAIL carries the month of that failing verdict, which starts its improvement
  plan (quality, ODD 7.1).
- Burden: the teachers' hours each school spent on this month's visits and their preparation
  join its burden of about the last 12 months, which costs quality (ODD 7.1).
- Publication (九): a county's supervision results become visible to its units' peers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Mechanism, UnitKind
from dudao_sim.model.mechanisms.common import resources, teacher_hours
from dudao_sim.model.state import (
    CROSS_DEPARTMENT,
    NEVER,
    ProblemState,
    Rating,
    UnitTable,
    row_count,
)

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

_P = ProblemState


class Results(Mechanism):
    """Feedback, ledger, rectification, supervision orders, re-checks and ratings.

    Reads: ``flows.found``, ``flows.fake_caught``, ``flows.visits``; state — problems,
    effort, fake, fiscal, incentive, orders_year, fakes_caught_year, rating, evaluated_year,
    active; schools' dressing.

    Writes: ``flows.laggards``, ``flows.pressed`` (joint liability), ``flows.published``;
    state — problems (state, detected, deadline, closed, recheck, n_orders, n_detections,
    severity), orders_year, fakes_caught_year, rating, schools' failed_month and visit_hours.
    """

    name = "results"
    clauses = ("九", "十", "十一", "十二")
    odd_section = "7.5"

    def step(self, model: SupervisionModel) -> None:
        """Apply the use of results to schools and governments."""
        if model.calendar.is_january(model.t):
            for table in (model.state.schools, model.state.governments):
                table.orders_year[:] = 0
                table.fakes_caught_year[:] = 0
        for key, table in (
            ("school", model.state.schools),
            ("government", model.state.governments),
        ):
            self._feedback(model, table, key)
            self._rectify(model, table, key)
            self._orders(model, table, key)
            if model.calendar.is_december(model.t):
                self._rate(model, table, key)
        self._burden(model)
        self._publish(model)

    def _feedback(self, model: SupervisionModel, table: UnitTable, key: str) -> None:
        a, lv, t = model.assumptions, model.levers, model.t
        prob = table.problems
        found = model.flows.found.get(key)
        caught = model.flows.fake_caught.get(key)
        if found is None:
            return
        if not lv["itemized_feedback"]:
            u = model.streams.uniform(f"feedback_{key}", t, found.shape)
            told = u < a["p_feedback_without_itemized"]
            # Found but not conveyed: supervisors know it, nobody follows it up.
            unfollowed = found & ~told
            prob.state[unfollowed] = _P.UNFOLLOWED
            prob.detected[unfollowed] = t
            prob.n_detections[unfollowed] += 1
            found = found & told
        deadline = t + int(lv["rectification_deadline_months"]) if lv["problem_ledger"] else NEVER
        for mask in (found, caught):
            prob.state[mask] = _P.OPEN
            prob.detected[mask] = t
            prob.deadline[mask] = deadline
            prob.n_detections[mask] += 1
        table.fakes_caught_year += row_count(caught)
        prob.recheck[prob.recheck == t] = NEVER  # this month's re-checks are done
        model.record(f"fed_back_{key}", found)

    def _rectify(self, model: SupervisionModel, table: UnitTable, key: str) -> None:
        a, lv, t = model.assumptions, model.levers, model.t
        prob = table.problems
        n, n_areas = prob.state.shape
        open_ = (prob.state == _P.OPEN) & table.active[:, None]
        if not lv["problem_ledger"]:
            forgotten = open_ & (t - prob.detected > a["months_to_forget_without_ledger"])
            prob.state[forgotten] = _P.UNFOLLOWED  # known, but no ledger keeps it open
            model.record(f"forgotten_{key}", forgotten)
            open_ &= ~forgotten
        cross = np.array([area in CROSS_DEPARTMENT for area in table.areas])
        help_ = 1.0 + cross * a["member_rectification_boost"] * float(lv["member_unit_engagement"])
        res = resources(table, a["incentive_weight"])
        p_fix = (
            a["p_fix"]
            * (a["fix_effort_offset"] + table.effort)
            * np.sqrt(np.maximum(res, a["fix_resource_floor"]))
        )[:, None]
        p_fix = p_fix * help_[None, :] * np.where(prob.n_orders > 0, a["order_push"], 1.0)
        p_fake = (a["p_fake"] * table.fake)[:, None] * np.ones(n_areas)
        # A deadline falling due this month: the unit rushes to close the item, the more the
        # heavier the consequences it believes a missed deadline brings (十一: 限期整改).
        rush = 1.0 + a["deadline_response"] * table.belief_sanction
        due = prob.deadline == t
        p_fix = np.where(due, p_fix * rush[:, None], p_fix)
        p_fake = np.where(due, p_fake * rush[:, None], p_fake)
        u = model.streams.uniform(f"rectify_{key}", t, (n, n_areas))
        genuine = open_ & (u < p_fix)
        fake = open_ & ~genuine & (u < p_fix + p_fake)
        on_time = genuine & ((prob.deadline == NEVER) | (t <= prob.deadline))
        model.record(f"closed_genuine_{key}", genuine)
        model.record(f"closed_on_time_{key}", on_time)
        model.record(f"closed_fake_{key}", fake)
        model.record(f"months_to_close_{key}", (t - prob.detected)[genuine | fake])
        model.record(f"resolved_known_{key}", genuine)
        model.record(f"months_to_resolve_{key}", (t - prob.detected)[genuine])
        prob.state[genuine] = _P.CLOSED
        prob.severity[genuine] = 0.0
        prob.state[fake] = _P.FAKE
        closing = genuine | fake
        prob.closed[closing] = t
        prob.deadline[closing] = NEVER
        self._schedule_rechecks(model, table, key, closing)

    def _schedule_rechecks(
        self, model: SupervisionModel, table: UnitTable, key: str, closing: np.ndarray
    ) -> None:
        a, lv, t = model.assumptions, model.levers, model.t
        timing = lv["recheck_timing"]
        if timing == "none" or not closing.any():
            return
        prob = table.problems
        share = float(lv["recheck_share"])
        delay = int(lv["recheck_delay_months"])
        unit, area = np.nonzero(closing)
        p = np.full(len(unit), share)
        if timing == "risk_based":
            risk = (
                1.0
                + table.orders_year
                + a["recheck_risk_fake_weight"] * table.fakes_caught_year
                + (table.rating == Rating.FAIL)
            )
            p = np.minimum(1.0, share * risk[unit] / risk[unit].mean())
        # Counter-based draws per closed slot: only closures draw, keyed by (unit, area).
        slot = unit * prob.state.shape[1] + area
        chosen = model.streams.uniform_at(f"recheck_{key}", t, slot) < p
        if timing == "fixed":
            when = np.full(len(unit), t + delay)
        elif timing == "random":
            u = model.streams.uniform_at(f"recheck_when_{key}", t, slot)
            span = a["random_recheck_span"] * delay - 1  # months 1 .. span, mean = delay
            when = t + 1 + np.floor(u * span).astype(np.int64)
        else:  # risk_based: sooner for the riskiest
            sooner = max(1, int(delay * a["risk_recheck_delay_share"]))
            when = np.full(len(unit), t + sooner)
        prob.recheck[unit[chosen], area[chosen]] = when[chosen]
        model.record(f"rechecks_scheduled_{key}", chosen)

    def _orders(self, model: SupervisionModel, table: UnitTable, key: str) -> None:
        a, lv, t = model.assumptions, model.levers, model.t
        if not (lv["problem_ledger"] and lv["supervision_orders"]):
            return
        prob = table.problems
        late = (
            (prob.state == _P.OPEN)
            & (prob.deadline != NEVER)
            & (t > prob.deadline)
            & table.active[:, None]
        )
        prob.n_orders[late] += 1
        prob.deadline[late] = t + int(a["order_extension_months"])
        table.orders_year += row_count(late)
        model.record(f"orders_{key}", late)
        laggard = late.any(axis=1)
        # Still open at the deadline of a supervision order (整改不力): a trigger of the ladder.
        model.flows.laggards[key] = (late & (prob.n_orders >= a["orders_to_sanction"])).any(axis=1)
        if lv["joint_liability"] and key == "school":
            # The superior department is jointly liable (十一): the county presses its schools.
            govs = model.state.governments
            counties = np.unique(table.county[laggard])
            govs.orders_year[counties] += 1
            model.flows.pressed[key] = laggard  # felt by the schools (behaviour)
            model.record("joint_liability_cases", len(counties))

    def _rate(self, model: SupervisionModel, table: UnitTable, key: str) -> None:
        prob = table.problems
        a = model.assumptions
        open_ = prob.state == _P.OPEN
        # What the ledger shows in December: open items, items past a deadline (under a
        # supervision order), and fake rectifications caught during the year.
        overdue = open_ & (prob.n_orders > 0)
        score = (
            row_count(open_)
            + a["rating_order_weight"] * row_count(overdue)
            + a["rating_fake_weight"] * table.fakes_caught_year
        )
        rating = np.where(
            score >= a["rating_fail_score"],
            Rating.FAIL,
            np.where(score >= a["rating_basic_pass_score"], Rating.BASIC_PASS, Rating.PASS),
        )
        table.rating = np.where(table.evaluated_year & table.active, rating, Rating.UNRATED).astype(
            np.int8
        )
        for r in (Rating.PASS, Rating.BASIC_PASS, Rating.FAIL):
            model.record(f"rated_{r.name.lower()}_{key}", table.rating == r)
        if key == "school":
            # A failing verdict the school carries: it starts an improvement plan (ODD 7.1).
            schools = model.state.schools
            failed = schools.rating == Rating.FAIL
            schools.failed_month = np.where(failed, model.t, schools.failed_month).astype(np.int32)

    def _burden(self, model: SupervisionModel) -> None:
        """Book the teachers' hours of this month's visits as each school's burden."""
        schools, visits = model.state.schools, model.flows.visits
        school = visits.kind == UnitKind.SCHOOL
        hours = teacher_hours(visits, schools.dressing, model.assumptions)
        month = np.bincount(visits.unit[school], weights=hours[school], minlength=schools.n)
        # An exponential average with a 12-month memory: about the hours of the last year.
        schools.visit_hours += month - schools.visit_hours / MONTHS_PER_YEAR

    def _publish(self, model: SupervisionModel) -> None:
        """Published reports (九) let units see their county peers' supervision outcomes."""
        model.flows.published = bool(model.levers["publish_reports"])
