"""Step 8 — beliefs and behaviour (ODD 7.8; clauses 八, 九; inspection games).

Units never see lever values. Each school and government learns, by exponential smoothing,

- how often it is visited (visits a year) and what share of its present problems a visit finds
  (it knows its own true problems), so its believed yearly detection chance is
  ``1 − exp(−visits × per-visit share)``; under a committed, published sampling rate (八) the
  published spot-check rate is a floor on believed visits, and a published rotation plan tells a
  school whether a spot check is still due this year;
- how heavy the consequences are once found, from what it received;
- how often visits are announced, and how often its closed items get re-checked.

Where reports are published (九) a unit also learns from its county peers' outcomes (their
visits and sanctions), weighted by ``peer_weight``.

It then moves its choices a step toward bounded-rational targets (logistic responses):
genuine improvement effort rises with expected penalty (detection × sanction) and incentives;
window dressing rises with the stakes and the believed share of announced visits; fake
rectification rises with the stakes but turns unattractive once the believed re-check chance
times the heavier penalty for being caught outweighs the sanction it avoids; poorer units
game more (Greenstone et al. 2022; Jones et al. 2017) [@greenstone_2022; @jones_2017]. Offices
adjust their inspection effort to the violations they observe, as in an inspection game, unless
the sampling rate is committed (Avenhaus, von Stengel & Zamir 2002 [@avenhaus_2002]; the
有限督导、无限威慑 commitment).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Mechanism, Purpose, UnitKind
from dudao_sim.model.mechanisms.common import resources
from dudao_sim.model.state import NEVER, UnitTable, row_count

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _county_mean(
    values: np.ndarray, county: np.ndarray, n_govs: int, active: np.ndarray
) -> np.ndarray:
    """Mean of ``values`` over each unit's open county peers (closed units are no peers)."""
    valid = (county >= 0) & active
    total = np.bincount(county[valid], weights=values[valid], minlength=n_govs)
    count = np.bincount(county[valid], minlength=n_govs)
    mean = np.divide(total, count, out=np.zeros(n_govs), where=count > 0)
    return np.where(valid, mean[np.maximum(county, 0)], values)


class Behaviour(Mechanism):
    """Belief updating and the choice of effort, window dressing and fake rectification.

    Reads: ``flows.visits``, ``flows.found``, ``flows.fake_caught``,
    ``flows.sanction_value``, ``flows.published``; state — problems, plan_month, beliefs,
    incentive, fiscal; offices' observed_violation and effort. Keeps its own memory of items
    closed and re-checked.

    Writes: state — belief_per_visit, belief_visits, belief_announced, belief_recheck,
    belief_sanction, belief_detect, effort, dressing, fake; offices' observed_violation and
    effort.
    """

    name = "behaviour"
    clauses = ("八", "九")
    odd_section = "7.8"

    def setup(self, model: SupervisionModel) -> None:
        """Per-unit memory of items closed and re-checked (for the believed re-check chance)."""
        self.closed_memory = {
            "school": np.zeros(model.state.schools.n),
            "government": np.zeros(model.state.governments.n),
        }
        self.rechecked_memory = {k: np.zeros_like(v) for k, v in self.closed_memory.items()}

    def step(self, model: SupervisionModel) -> None:
        """Update beliefs from this month's experience, then choices; then office effort."""
        for kind, key, table in (
            (UnitKind.SCHOOL, "school", model.state.schools),
            (UnitKind.GOVERNMENT, "government", model.state.governments),
        ):
            self._learn(model, table, kind, key)
            self._choose(model, table)
        self._office_effort(model)

    def _learn(self, model: SupervisionModel, table: UnitTable, kind: UnitKind, key: str) -> None:
        a, t = model.assumptions, model.t
        rate = a["learning_rate"]
        visits = model.flows.visits
        sel = visits.kind == kind
        n_visits = np.bincount(visits.unit[sel], minlength=table.n).astype(float)
        announced = np.bincount(visits.unit[sel], weights=visits.announced[sel], minlength=table.n)
        rechecks = np.bincount(
            visits.unit[sel & (visits.purpose == Purpose.RECHECK)], minlength=table.n
        )
        prob = table.problems
        found = model.flows.found.get(key)
        caught = model.flows.fake_caught.get(key)
        present = row_count(prob.present)
        if found is not None:
            hits = row_count(found) + row_count(caught)
            visited = n_visits > 0
            share = np.divide(
                hits, np.maximum(present + hits, 1), out=np.zeros(table.n), where=visited
            )
            table.belief_per_visit[visited] += rate * (
                share[visited] - table.belief_per_visit[visited]
            )
        table.belief_visits += rate * (MONTHS_PER_YEAR * n_visits - table.belief_visits)
        seen = n_visits > 0
        table.belief_announced[seen] += rate * (
            announced[seen] / n_visits[seen] - table.belief_announced[seen]
        )
        # Believed re-check chance: items re-checked / items closed, with a long memory.
        decay = a["recheck_memory_decay"]
        closed_now = row_count(prob.closed == t)
        self.closed_memory[key] = (1.0 - decay) * self.closed_memory[key] + closed_now
        self.rechecked_memory[key] = (1.0 - decay) * self.rechecked_memory[key] + rechecks
        ratio = np.minimum(
            1.0, self.rechecked_memory[key] / np.maximum(self.closed_memory[key], 1.0)
        )
        if model.flows.published and key == "school":
            peer = _county_mean(ratio, table.county, model.state.governments.n, table.active)
            ratio = (1.0 - a["peer_weight"]) * ratio + a["peer_weight"] * peer
        table.belief_recheck[:] = ratio
        felt = model.flows.sanction_value.get(key)
        if felt is not None:
            got = felt > 0
            table.belief_sanction[got] += rate * (felt[got] - table.belief_sanction[got])
            if model.flows.published and key == "school":
                # Published reports (九): peers' sanctions are seen too.
                peer = _county_mean(felt, table.county, model.state.governments.n, table.active)
                table.belief_sanction += (
                    a["peer_weight"] * rate * (peer - table.belief_sanction) * (peer > 0)
                )

    def _choose(self, model: SupervisionModel, table: UnitTable) -> None:
        a, lv, t = model.assumptions, model.levers, model.t
        visits = table.belief_visits
        if model.flows.published and table is model.state.schools:
            peer = _county_mean(visits, table.county, model.state.governments.n, table.active)
            visits = (1.0 - a["peer_weight"]) * visits + a["peer_weight"] * peer
        if lv["committed_sampling"]:
            published = a["base_inspection_share"] + float(lv["double_random_share"])
            visits = np.maximum(visits, published)
        detect = 1.0 - np.exp(-visits * table.belief_per_visit)
        plan = table.plan_month
        done = (plan != NEVER) & (plan < t)
        detect = np.where(done, detect * a["rotation_dip"], detect)  # the visit is behind it
        table.belief_detect[:] = detect  # kept on the table for agents, metrics and analysis
        stake = detect * table.belief_sanction
        res = resources(table, a["incentive_weight"])
        effort_star = _logistic(
            a["effort_intercept"]
            + a["effort_stake_weight"] * stake
            + a["effort_incentive_weight"] * table.incentive
            + a["effort_resource_weight"] * (res - 1.0)
        )
        dressing_star = _logistic(
            a["dressing_intercept"]
            + a["dressing_stake_weight"] * table.belief_sanction * table.belief_announced
            - a["gaming_resource_weight"] * (res - 1.0)
        )
        # Faking spares the sanction for an open item unless a re-check catches it, and being
        # caught costs more than the original failing (aggravating, 2021 accountability rules).
        net = 1.0 - table.belief_recheck * (1.0 + a["fake_caught_penalty_ratio"])
        fake_star = _logistic(
            a["fake_intercept"]
            + a["fake_stake_weight"] * table.belief_sanction * np.maximum(net, -1.0)
            - a["gaming_resource_weight"] * (res - 1.0)
        )
        step = a["adaptation_rate"]
        table.effort += step * (effort_star - table.effort)
        table.dressing += step * (dressing_star - table.dressing)
        table.fake += step * (fake_star - table.fake)

    def _office_effort(self, model: SupervisionModel) -> None:
        a, lv = model.assumptions, model.levers
        offices = model.state.offices
        visits = model.flows.visits
        schools = visits.kind == UnitKind.SCHOOL
        found = model.flows.found.get("school")
        if found is None:
            return
        hit_units = found.any(axis=1)
        hits = np.bincount(
            visits.office[schools], weights=hit_units[visits.unit[schools]], minlength=offices.n
        )
        made = np.bincount(visits.office[schools], minlength=offices.n)
        seen = made > 0
        offices.observed_violation[seen] += a["learning_rate"] * (
            hits[seen] / made[seen] - offices.observed_violation[seen]
        )
        if lv["committed_sampling"]:
            offices.effort[:] = 1.0
            return
        # Inspection game without commitment: inspect more where violations are seen.
        target = 1.0 + a["office_response"] * (offices.observed_violation - a["violation_norm"])
        target = np.clip(target, a["office_effort_min"], a["office_effort_max"])
        offices.effort += a["adaptation_rate"] * (target - offices.effort)
