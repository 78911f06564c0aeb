"""Step 6 — consequences (ODD 7.6; clauses 十三, 十四, 十五, 十六).

A ladder with memory, as in the 2021 accountability rules (国教督〔2021〕2号): a unit that fails
its annual evaluation, is caught faking rectification, or keeps missing deadlines climbs one
rung above the highest it reached in the last 12 months — interview (约谈, 十四), circular
(通报, 十五), accountability (问责, 十六), severe accountability (十六). A rung whose lever is off
gives only a written criticism. Accountability bites with the probability set by its strength.
A private school at the severe rung has its leader replaced, and if it reaches it again within
a year loses its licence (十六). A safety incident where the problem was already known goes
straight to the severe path (十六). Illegal acts found (grave ethics or governance problems)
are referred to the authorities (十六). Well-rated units earn a resource tilt (十三).

``flows.sanction_value`` holds the felt weight (0–1) of what each unit received this month;
behaviour learns from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Mechanism
from dudao_sim.model.state import NEVER, Rating, Sanction, UnitTable

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

#: Rungs that a lever switches on, with the assumption giving their felt weight.
_RUNGS = {
    Sanction.INTERVIEW: ("interviews", "weight_interview"),
    Sanction.CIRCULAR: ("circulars", "weight_circular"),
}


class Consequences(Mechanism):
    """The consequence ladder and incentives.

    Reads: ``flows.fake_caught``, ``flows.laggards``, ``flows.incidents_known``,
    ``flows.found`` (referrals); ``carry.pending`` (cleared); state — rating, orders_year,
    sanction, last_sanction, problems' severity.

    Writes: ``flows.sanction_value``; state — sanction, last_sanction, n_sanctions_12m,
    incentive; private schools' active, badged, effort and fake (licence, new leader).
    """

    name = "consequences"
    clauses = ("十三", "十四", "十五", "十六")
    odd_section = "7.6"

    def step(self, model: SupervisionModel) -> None:
        """Sanction and reward schools and governments for this month's results."""
        for key, table in (
            ("school", model.state.schools),
            ("government", model.state.governments),
        ):
            value = np.zeros(table.n)
            trigger = np.zeros(table.n, bool)
            caught = model.flows.fake_caught.get(key)
            if caught is not None:
                trigger |= caught.any(axis=1)
            laggard = model.flows.laggards.get(key)
            if laggard is not None:
                trigger |= laggard & (table.orders_year >= model.assumptions["orders_to_sanction"])
            if model.calendar.is_december(model.t):
                trigger |= table.rating == Rating.FAIL
            pending = model.carry.pending.pop(key)  # e.g. misreports exposed last month
            if pending is not None:
                trigger |= pending
            severe = model.flows.incidents_known.get(key, np.zeros(table.n, bool))
            self._ladder(model, table, key, trigger & ~severe, value, jump=False)
            self._ladder(model, table, key, severe, value, jump=True)
            if model.calendar.is_december(model.t):
                self._incentives(model, table)
            model.flows.sanction_value[key] = value
            self._refer(model, table, key)

    def _ladder(
        self,
        model: SupervisionModel,
        table: UnitTable,
        key: str,
        trigger: np.ndarray,
        value: np.ndarray,
        jump: bool,
    ) -> None:
        a, lv, t = model.assumptions, model.levers, model.t
        if not trigger.any():
            return
        recent = (table.last_sanction != NEVER) & (t - table.last_sanction <= MONTHS_PER_YEAR)
        current = np.where(recent, table.sanction, Sanction.NONE)
        rung = np.where(jump, Sanction.SEVERE, np.minimum(current + 1, Sanction.SEVERE))
        rung = np.where(trigger, rung, Sanction.NONE).astype(np.int8)
        u = model.streams.uniform(f"accountability_{key}", t, table.n)
        strength = float(lv["accountability_strength"])
        felt = np.where(trigger, a["criticism_weight"], 0.0)
        for r, (lever, weight) in _RUNGS.items():
            applied = (rung == r) & bool(lv[lever])
            felt = np.where(applied, a[weight], felt)
            model.record(f"sanction_{Sanction(r).name.lower()}_{key}", applied)
        held = (rung >= Sanction.ACCOUNTABILITY) & (u < strength)
        floor = a["accountability_weight_floor"]
        felt = np.where(held, a["weight_accountability"] * (floor + (1.0 - floor) * strength), felt)
        model.record(f"sanction_accountability_{key}", held)
        severe = held & (rung == Sanction.SEVERE)
        felt = np.where(severe, 1.0, felt)
        if key == "school" and lv["private_school_sanctions"]:
            schools = model.state.schools
            private_severe = severe & schools.private
            revoke = private_severe & recent & (table.sanction == Sanction.SEVERE)
            replace = private_severe & ~revoke
            schools.active[revoke] = False
            schools.badged[revoke] = NEVER  # a closed school leaves its zone
            schools.effort[replace] = np.maximum(schools.effort[replace], a["new_leader_effort"])
            schools.fake[replace] = 0.0
            model.record("licences_revoked", revoke)
            model.record("leaders_replaced", replace)
        table.sanction = np.where(trigger, rung, table.sanction).astype(np.int8)
        table.last_sanction = np.where(trigger, t, table.last_sanction).astype(np.int32)
        table.n_sanctions_12m = np.where(
            trigger, np.where(recent, table.n_sanctions_12m + 1, 1), table.n_sanctions_12m
        ).astype(np.int16)
        value[:] = np.maximum(value, felt)
        model.record(f"sanctioned_{key}", trigger & (felt > a["criticism_weight"]))
        model.record(f"sanction_triggers_{key}", trigger)

    def _incentives(self, model: SupervisionModel, table: UnitTable) -> None:
        """Results steer resources and commendation (十三)."""
        strength = float(model.levers["incentive_strength"])
        tilt = np.select(
            [table.rating == Rating.PASS, table.rating == Rating.BASIC_PASS],
            [1.0, model.assumptions["incentive_basic_pass_share"]],
            0.0,
        )
        table.incentive = strength * tilt
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
