"""Step 6 — consequences (ODD 7.6; clauses 十三, 十四, 十五, 十六).

A ladder with memory, as in the 2021 accountability rules (国教督〔2021〕2号
[@supervision_committee_2021_accountability]). Triggers are
assessed at the moments a supervision cycle ends — at a deadline (an item still open when its
supervision order runs out, 整改不力), at a re-check (a fake rectification caught), in December
(a failing rating) — and once per cycle per unit: after an assessment, a unit is assessed again
only on new evidence (a new finding or a fake caught) or at the next December rating. An
ordinary trigger climbs to the next rung above the highest that bit in the last 12 months:
interview (约谈, 十四), circular (通报, 十五), accountability (问责, 十六). A rung whose lever is
off does not exist and is skipped; accountability bites with the probability set by its
strength, and a rung that did not bite gives only a written criticism and is not recorded.
A private school held accountable has its leader replaced (十六: 撤换相关负责人).

Severe triggers (十六: 严肃追究) — an incident where the problem was already known and left
unresolved, refusal to rectify (拒不执行整改决定: still lagging after a supervision order on a
new cycle, having been held accountable within the year), or fake rectification caught twice
within a year — go straight to the severe rung; a private school
there loses its licence (吊销办学许可证) and closes: it leaves its zone and holds no problems,
items or deadlines. Missed deadlines alone never close a school. Illegal acts found (grave
ethics or governance problems) are referred to the authorities (十六). Well-rated units earn a
resource tilt (十三).

A misreport that an independent observation exposed (7.7) is sanctioned the next month
apart from the ladder: held accountable (十六: 阻挠、干扰和不配合教育督导工作) with the strength
of accountability and the felt weight of the misreport sanction (none before the reform).

``flows.sanction_value`` holds the felt weight (0–1) of what each unit received this month;
behaviour learns from it; reporting learns from ``flows.misreport_sanction``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Mechanism
from dudao_sim.model.state import NEVER, LevelCode, ProblemState, Rating, Sanction, UnitTable

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

#: Rungs that a lever switches on, with the assumption giving their felt weight.
_RUNGS = {
    Sanction.INTERVIEW: ("interviews", "weight_interview"),
    Sanction.CIRCULAR: ("circulars", "weight_circular"),
}


def close_schools(model: SupervisionModel, closing: np.ndarray) -> None:
    """Close schools (licence revoked): they leave their zone and hold nothing open.

    A closed school holds no problems, open items, deadlines, re-checks or orders, and earns no
    incentive; no mechanism visits, rates or sanctions it again.
    """
    schools = model.state.schools
    prob = schools.problems
    schools.active[closing] = False
    schools.badged[closing] = NEVER  # a closed school leaves its zone
    schools.plan_month[closing] = NEVER
    schools.incentive[closing] = 0.0
    schools.rating[closing] = Rating.UNRATED
    schools.orders_year[closing] = 0
    schools.fakes_caught_year[closing] = 0
    prob.state[closing] = ProblemState.NONE
    prob.severity[closing] = 0.0
    for column in (prob.arisen, prob.detected, prob.deadline, prob.closed, prob.recheck):
        column[closing] = NEVER
    prob.n_orders[closing] = 0
    prob.n_detections[closing] = 0


class Consequences(Mechanism):
    """The consequence ladder, its severe path, and incentives.

    Reads: ``flows.fake_caught``, ``flows.laggards``, ``flows.incidents_known``,
    ``flows.found`` (referrals); ``carry.pending`` (exposed misreports, cleared); state —
    active, rating, sanction, last_sanction, last_assessed, last_fake_caught, problems'
    detected and severity.

    Writes: ``flows.sanction_value``, ``flows.misreport_sanction``; state — sanction,
    last_sanction, n_sanctions_12m, last_assessed, last_fake_caught, incentive; schools'
    failed_month (held to account); private schools' effort and fake (new leader); closed
    schools (licence revoked,
    :func:`close_schools`).
    """

    name = "consequences"
    clauses = ("十三", "十四", "十五", "十六")
    odd_section = "7.6"

    def step(self, model: SupervisionModel) -> None:
        """Sanction and reward schools and governments for this month's results."""
        a, t = model.assumptions, model.t
        december = model.calendar.is_december(t)
        for key, table in (
            ("school", model.state.schools),
            ("government", model.state.governments),
        ):
            none = np.zeros(table.n, bool)
            active = table.active
            caught = model.flows.fake_caught.get(key)
            caught = caught.any(axis=1) & active if caught is not None else none
            again = (
                caught
                & (table.last_fake_caught != NEVER)
                & (t - table.last_fake_caught <= a["repeat_window_months"])
            )
            table.last_fake_caught = np.where(caught, t, table.last_fake_caught).astype(np.int32)
            late = model.flows.laggards.get(key, none) & active
            pending = model.carry.pending.pop(key)  # misreports exposed last month
            pending = pending & active if pending is not None else none
            if key == "government":
                self._misreport_sanction(model, pending)
            # Once per cycle: a unit's ordinary triggers are assessed at the first moment of
            # the supervision year (a deadline, a re-check or December) at which it has one.
            year_start = t - model.calendar.month_of_year(t) + 1
            fresh = table.last_assessed < year_start
            recent = (table.last_sanction != NEVER) & (t - table.last_sanction <= MONTHS_PER_YEAR)
            # Held accountable within the last 12 months and, in the next supervision year,
            # still lagging when a supervision order runs out: refusal to carry out the
            # rectification decision (拒不执行整改决定, 十六).
            refusal = late & fresh & recent & (table.sanction >= Sanction.ACCOUNTABILITY)
            model.record(f"refusals_{key}", refusal)
            ordinary = late | caught
            if december:
                ordinary |= (table.rating == Rating.FAIL) & active
            ordinary &= fresh
            severe = (model.flows.incidents_known.get(key, none) | refusal | again) & active
            ordinary &= ~severe
            model.record(f"sanction_triggers_{key}", ordinary | severe)
            model.record(f"severe_triggers_{key}", severe)
            value = np.zeros(table.n)
            self._ladder(model, table, key, ordinary, severe, value)
            table.last_assessed = np.where(ordinary | severe, t, table.last_assessed).astype(
                np.int32
            )
            if december:
                self._incentives(model, table)
            model.flows.sanction_value[key] = value
            self._refer(model, table, key)

    def _misreport_sanction(self, model: SupervisionModel, exposed: np.ndarray) -> None:
        """Sanction a misreport exposed last month (十六: 不配合教育督导 is held accountable).

        Like the ladder's accountability rung it bites with ``accountability_strength``, with
        the felt weight of the ``misreport_sanction`` lever; one that does not bite is a written
        criticism. At zero an exposure goes unsanctioned. Counties and cities learn it from the
        sanctions that follow exposures.
        """
        lv, t = model.levers, model.t
        weight = float(lv["misreport_sanction"])
        u = model.streams.uniform("misreport_accountability", t, len(exposed))
        bit = exposed & (weight > 0) & (u < float(lv["accountability_strength"]))
        criticised = exposed & (weight > 0) & ~bit
        model.record("misreport_sanctions", bit)
        model.flows.misreport_sanction = np.where(
            bit, weight, np.where(criticised, model.assumptions["criticism_weight"], 0.0)
        )

    def _ladder(
        self,
        model: SupervisionModel,
        table: UnitTable,
        key: str,
        ordinary: np.ndarray,
        severe: np.ndarray,
        value: np.ndarray,
    ) -> None:
        a, lv, t = model.assumptions, model.levers, model.t
        trigger = ordinary | severe
        if not trigger.any():
            return
        recent = (table.last_sanction != NEVER) & (t - table.last_sanction <= MONTHS_PER_YEAR)
        current = np.where(recent, table.sanction, Sanction.NONE)
        # The next rung that exists above the highest that bit; ordinary triggers stop at
        # accountability, severe ones go to the severe rung.
        rung = np.full(table.n, Sanction.ACCOUNTABILITY, np.int8)
        for r in (Sanction.CIRCULAR, Sanction.INTERVIEW):
            lever, _ = _RUNGS[r]
            if bool(lv[lever]):
                rung = np.where(current < r, r, rung).astype(np.int8)
        rung = np.where(severe, Sanction.SEVERE, rung)
        rung = np.where(trigger, rung, Sanction.NONE).astype(np.int8)
        u = model.streams.uniform(f"accountability_{key}", t, table.n)
        strength = float(lv["accountability_strength"])
        felt = np.where(trigger, a["criticism_weight"], 0.0)
        bit = np.zeros(table.n, bool)
        for r, (_, weight) in _RUNGS.items():
            applied = rung == r  # a rung exists only when its lever is on
            felt = np.where(applied, a[weight], felt)
            bit |= applied
            model.record(f"sanction_{Sanction(r).name.lower()}_{key}", applied)
        held = (rung >= Sanction.ACCOUNTABILITY) & (u < strength)
        bit |= held
        floor = a["accountability_weight_floor"]
        felt = np.where(held, a["weight_accountability"] * (floor + (1.0 - floor) * strength), felt)
        model.record(f"sanction_accountability_{key}", held)
        hard = held & (rung == Sanction.SEVERE)
        if key == "school":  # held to account: a failing verdict, an improvement plan (7.1)
            failed = model.state.schools.failed_month
            failed[held] = t
        felt = np.where(hard, 1.0, felt)
        if key == "government":
            county = table.level == LevelCode.COUNTY  # type: ignore[attr-defined]
            model.record("county_heads_interviewed", (rung == Sanction.INTERVIEW) & county)
        if key == "school" and lv["private_school_sanctions"]:
            schools = model.state.schools
            revoke = hard & schools.private
            replace = held & (rung == Sanction.ACCOUNTABILITY) & schools.private
            schools.effort[replace] = np.maximum(schools.effort[replace], a["new_leader_effort"])
            schools.fake[replace] = 0.0
            close_schools(model, revoke)
            model.record("licences_revoked", revoke)
            model.record("leaders_replaced", replace)
        # Only a rung that bit is remembered (the ladder climbs on sanctions given).
        table.sanction = np.where(bit, rung, table.sanction).astype(np.int8)
        table.last_sanction = np.where(bit, t, table.last_sanction).astype(np.int32)
        table.n_sanctions_12m = np.where(
            bit, np.where(recent, table.n_sanctions_12m + 1, 1), table.n_sanctions_12m
        ).astype(np.int16)
        value[:] = np.maximum(value, felt)
        model.record(f"sanctioned_{key}", bit)

    def _incentives(self, model: SupervisionModel, table: UnitTable) -> None:
        """Results steer resources and commendation (十三); closed units earn nothing."""
        strength = float(model.levers["incentive_strength"])
        tilt = np.select(
            [table.rating == Rating.PASS, table.rating == Rating.BASIC_PASS],
            [1.0, model.assumptions["incentive_basic_pass_share"]],
            0.0,
        )
        table.incentive = np.where(table.active, strength * tilt, table.incentive)
        model.record("commended", float((table.rating == Rating.PASS).sum() * (strength > 0)))

    def _refer(self, model: SupervisionModel, table: UnitTable, key: str) -> None:
        """Grave illegal acts found by inspectors are referred (十六)."""
        found = model.flows.found.get(key)
        if found is None or key != "school":
            return
        prob = table.problems
        grave = found & (prob.severity > model.assumptions["referral_severity"])
        cols = [table.areas.index(a) for a in ("ethics", "governance")]
        model.record("referrals", grave[:, cols])
