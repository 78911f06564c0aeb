"""Step 8 — beliefs and behaviour (ODD 7.8; clauses 八, 九, 十一; inspection games).

Schools and governments, as the units supervised, never read a lever: a lever reaches them
only through what happens to them and to their peers, or through information published to
them. Each learns, by exponential smoothing or with a decaying memory,

- how often it is visited (visits a year) and the share of its hidden problems a visit finds:
  the problems found at a visit ÷ the problems it had that no supervisor was following before
  the visit (hidden, or known but unfollowed), per visit — problems already on the ledger are
  not there to be found, so they do not count as misses. Its believed yearly detection chance
  is ``1 − exp(−visits × per-visit share)``;
- the consequences that follow once it is found: consequences felt (sanctions, and being
  pressed by its jointly liable superior department, 十一) per month in which something of
  its was found, over a decaying memory, weighted against the initial belief;
- how often visits are announced, and how often its closed items get re-checked.

Where reports are published (九) a school also sees its county peers' visits, findings,
consequences and re-checks, weighted by ``peer_weight``: peers teach the consequences that
follow a finding (a peer that nobody found is not evidence of leniency). Where the sampling
rate is committed (八) each office publishes the spot-check rate it kept over the past year,
a floor on the visits its schools expect; a published rotation plan tells a school whether its
spot check is still due this year.

Units then move their choices a step toward bounded-rational targets that share one budget:
a multinomial logit splits the discretionary time of staff and leaders among genuine
improvement, window dressing, fake rectification and ordinary work (the outside option).
Improvement gains with what a finding puts at risk — the consequences, and the reward of a
good rating (十三) — times the believed detection; window dressing with the same stakes at
the visits believed announced; fake rectification with the consequences, turning unattractive
once the believed re-check chance times the heavier penalty for being caught outweighs the
sanction it avoids. Gaming pays its own cost
in staff time and is cheaper for poorer units; a unit that games more has less time for
genuine improvement, and what makes faking unattractive frees time for it (Jacob & Levitt
2003; Greenstone et al. 2022; Jones et al. 2017) [@jacob_2003; @greenstone_2022;
@jones_2017]. Offices — the supervisors, who implement levers — adjust their inspection
effort to the violations they observe, as in an inspection game, unless the sampling rate
is committed (Avenhaus, von Stengel & Zamir 2002 [@avenhaus_2002]; the
有限督导、无限威慑 commitment).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Mechanism, Purpose, UnitKind
from dudao_sim.model.mechanisms.common import resources
from dudao_sim.model.state import NEVER, UnitTable, row_count

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

#: The unit tables, as (kind of visit, key of flows) — the order units learn and choose in.
_UNITS = ((UnitKind.SCHOOL, "school"), (UnitKind.GOVERNMENT, "government"))


def _county_sum(
    values: np.ndarray, county: np.ndarray, n_govs: int, active: np.ndarray
) -> np.ndarray:
    """Sum of ``values`` over each unit's open county peers (its own value where it has none)."""
    valid = (county >= 0) & active
    total = np.bincount(county[valid], weights=values[valid], minlength=n_govs)
    return np.where(valid, total[np.maximum(county, 0)], values)


def _county_mean(
    values: np.ndarray, county: np.ndarray, n_govs: int, active: np.ndarray
) -> np.ndarray:
    """Mean of ``values`` over each unit's open county peers (closed units are no peers)."""
    valid = (county >= 0) & active
    count = np.bincount(county[valid], minlength=n_govs).astype(float)
    total = _county_sum(values, county, n_govs, active)
    return np.where(valid, total / np.maximum(count[np.maximum(county, 0)], 1.0), values)


def _with_published_peers(
    model: SupervisionModel, table: UnitTable, values: np.ndarray
) -> np.ndarray:
    """``values`` blended by ``peer_weight`` with the county peers' mean, for schools.

    Only where reports are published (九): publication is what shows a school its peers'
    results; otherwise ``values`` is returned as it is.
    """
    if not (model.flows.published and table is model.state.schools):
        return values
    n_govs = model.state.governments.n
    peer = _county_mean(values, table.county, n_govs, table.active)
    w = model.assumptions["peer_weight"]
    return (1.0 - w) * values + w * peer


def time_split(*utilities: np.ndarray) -> tuple[np.ndarray, ...]:
    """Multinomial-logit shares of a unit's discretionary time among options.

    Ordinary work is the outside option, with utility 0; each option's share is
    ``exp(u) / (1 + Σ exp(u'))``, so the shares of all options and ordinary work add up to 1
    and time one option gains is time the others lose.

    Args:
        utilities: One utility array (logits against ordinary work) per option, same shape.

    Returns:
        The share of time of each option, in the order given.
    """
    top = np.maximum(np.max(utilities, axis=0), 0.0)  # shift for numerical safety
    weights = [np.exp(u - top) for u in utilities]
    total = np.exp(-top) + np.sum(weights, axis=0)
    return tuple(w / total for w in weights)


def choice_targets(
    a: Mapping[str, float],
    *,
    detect: np.ndarray,
    sanction: np.ndarray,
    reward: np.ndarray,
    announced: np.ndarray,
    recheck: np.ndarray,
    res: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Target shares of time for genuine effort, window dressing and fake rectification.

    One budget of staff's and leaders' discretionary time is split (multinomial logit) among
    genuine improvement, window dressing, fake rectification and ordinary work. Each option's
    utility reads only the unit's beliefs and what it holds:

    - improvement: what being found puts at risk, times the believed yearly detection —
      the sanction that follows a finding, and the reward of a good rating (十三) that a
      finding puts in doubt — and resources. A reward is an incentive to improve only as far
      as problems left unfixed are believed to be found: a unit that believes it is never
      found keeps its reward whatever it does;
    - window dressing: what a finding at an announced visit would put at risk — believed
      detection × the believed share of announced visits × (sanction + reward) — less its
      cost (``dressing_cost``: preparing showcases and paperwork takes staff time);
    - fake rectification: the believed sanction × its net gain, ``1 − re-check chance × (1 +
      fake_caught_penalty_ratio)`` (no less than −1), less its cost (``fake_cost``: the
      records fabricated for a closure on paper);
    - gaming is cheaper for poorer units (``gaming_resource_weight``).

    Args:
        a: Assumptions.
        detect: Believed yearly detection chance.
        sanction: Believed consequence once found.
        reward: Believed reward of a good rating at risk (十三): the incentive it holds, or
            with published reports its county peers' too.
        announced: Believed share of visits announced.
        recheck: Believed chance that a closed item is re-checked.
        res: Resources index (:func:`~dudao_sim.model.mechanisms.common.resources`).

    Returns:
        ``(effort, dressing, fake)``, each in [0, 1], adding up to less than 1.
    """
    poorer = -(res - 1.0)
    u_effort = (
        a["effort_intercept"]
        + a["effort_stake_weight"] * detect * sanction
        + a["effort_incentive_weight"] * detect * reward
        - a["effort_resource_weight"] * poorer
    )
    u_dressing = (
        a["dressing_stake_weight"] * detect * announced * (sanction + reward)
        - a["dressing_cost"]
        + a["gaming_resource_weight"] * poorer
    )
    # Faking spares the sanction for an open item unless a re-check catches it, and being
    # caught costs more than the original failing (aggravating, 2021 accountability rules).
    net = np.maximum(1.0 - recheck * (1.0 + a["fake_caught_penalty_ratio"]), -1.0)
    u_fake = (
        a["fake_stake_weight"] * sanction * net
        - a["fake_cost"]
        + a["gaming_resource_weight"] * poorer
    )
    effort, dressing, fake = time_split(u_effort, u_dressing, u_fake)
    return effort, dressing, fake


class Behaviour(Mechanism):
    """Belief updating and the choice of effort, window dressing and fake rectification.

    Reads: ``flows.visits``, ``flows.found``, ``flows.fake_caught``,
    ``flows.sanction_value``, ``flows.pressed``, ``flows.published``; state — problems,
    plan_month, beliefs, incentive, fiscal; offices' observed_violation and effort. Keeps its
    own memory: items closed and re-checked, months found and consequences felt, and each
    office's spot checks a year and the rate it publishes.

    Writes: state — belief_per_visit, belief_visits, belief_announced, belief_recheck,
    belief_sanction, belief_detect, effort, dressing, fake; offices' observed_violation and
    effort.
    """

    name = "behaviour"
    clauses = ("八", "九", "十一")
    odd_section = "7.8"

    def setup(self, model: SupervisionModel) -> None:
        """Per-unit memories (re-checks, findings and consequences) and offices' spot checks."""
        tables = {"school": model.state.schools, "government": model.state.governments}
        self.closed_memory = {k: np.zeros(t.n) for k, t in tables.items()}
        self.rechecked_memory = {k: np.zeros(t.n) for k, t in tables.items()}
        self.found_memory = {k: np.zeros(t.n) for k, t in tables.items()}
        self.felt_memory = {k: np.zeros(t.n) for k, t in tables.items()}
        self.prior_sanction = {k: t.belief_sanction.copy() for k, t in tables.items()}
        offices = model.state.offices
        self.spot_checks_year = np.zeros(offices.n)
        self.published_rate = np.full(offices.n, np.nan)  # nothing published

    def step(self, model: SupervisionModel) -> None:
        """Offices publish; units update beliefs, then choices; then offices' effort."""
        self._office_publication(model)
        for kind, key in _UNITS:
            table = model.state.schools if key == "school" else model.state.governments
            self._learn(model, table, kind, key)
            self._choose(model, table)
        self._office_effort(model)

    # ---- units: what they learn and choose (they read no lever) -----------------------------
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
        found = model.flows.found.get(key, np.zeros(prob.state.shape, bool))
        caught = model.flows.fake_caught.get(key, np.zeros(prob.state.shape, bool))
        seen = n_visits > 0
        # Per-visit detection: found ÷ what was there to find before the visit (hidden, or
        # known but unfollowed); a month of several visits counts as several chances.
        hidden = row_count(prob.findable | found)
        hits = row_count(found)
        informative = seen & (hidden > 0) & table.active
        share = np.divide(hits, hidden, out=np.zeros(table.n), where=informative)
        per_visit = 1.0 - (1.0 - share) ** (1.0 / np.maximum(n_visits, 1.0))
        table.belief_per_visit[informative] += rate * (
            per_visit[informative] - table.belief_per_visit[informative]
        )
        table.belief_visits += rate * (MONTHS_PER_YEAR * n_visits - table.belief_visits)
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
        table.belief_recheck[:] = _with_published_peers(model, table, ratio)
        self._learn_sanction(model, table, key, found.any(axis=1) | caught.any(axis=1))

    def _learn_sanction(
        self, model: SupervisionModel, table: UnitTable, key: str, found: np.ndarray
    ) -> None:
        """Believed consequences once found: consequences felt ÷ months found (with a prior).

        Published reports (九) show county peers' findings and the consequences that followed
        them: the peers' ratio is blended in by ``peer_weight``.
        """
        a = model.assumptions
        felt = model.flows.sanction_value.get(key, np.zeros(table.n))
        pressed = model.flows.pressed.get(key, np.zeros(table.n, bool))
        felt = np.maximum(felt, a["joint_liability_push"] * pressed)
        keep = 1.0 - a["consequence_memory_decay"]
        self.found_memory[key] = keep * self.found_memory[key] + found * table.active
        self.felt_memory[key] = keep * self.felt_memory[key] + felt * table.active
        prior = a["sanction_prior_weight"]
        belief = (self.felt_memory[key] + prior * self.prior_sanction[key]) / (
            self.found_memory[key] + prior
        )
        if model.flows.published and key == "school":
            n_govs = model.state.governments.n
            peer_felt = _county_sum(self.felt_memory[key], table.county, n_govs, table.active)
            peer_found = _county_sum(self.found_memory[key], table.county, n_govs, table.active)
            peer = (peer_felt + prior * self.prior_sanction[key]) / (peer_found + prior)
            belief = (1.0 - a["peer_weight"]) * belief + a["peer_weight"] * peer
        table.belief_sanction[:] = np.minimum(belief, 1.0)

    def _choose(self, model: SupervisionModel, table: UnitTable) -> None:
        a, t = model.assumptions, model.t
        visits = _with_published_peers(model, table, table.belief_visits)
        if table is model.state.schools:
            # A spot-check rate its office published and kept (八): a floor on expected visits.
            floor = self.published_rate[table.office]
            visits = np.where(np.isnan(floor), visits, np.fmax(visits, floor))
        detect = 1.0 - np.exp(-visits * table.belief_per_visit)
        plan = table.plan_month
        done = (plan != NEVER) & (plan < t)
        detect = np.where(done, detect * a["rotation_dip"], detect)  # the visit is behind it
        table.belief_detect[:] = detect  # kept on the table for agents, metrics and analysis
        # Published results (九, 十三) show what well-rated peers earn.
        reward = _with_published_peers(model, table, table.incentive)
        effort, dressing, fake = choice_targets(
            a,
            detect=detect,
            sanction=table.belief_sanction,
            reward=reward,
            announced=table.belief_announced,
            recheck=table.belief_recheck,
            res=resources(table, a["incentive_weight"]),
        )
        step = a["adaptation_rate"]
        table.effort += step * (effort - table.effort)
        table.dressing += step * (dressing - table.dressing)
        table.fake += step * (fake - table.fake)

    # ---- offices: the supervisors, who implement levers ------------------------------------
    def _office_publication(self, model: SupervisionModel) -> None:
        """Offices count their spot checks; under a committed rate (八) they publish it.

        The rate published is the spot checks an office made per school over about the past
        year (smoothed by ``learning_rate``), so a rate inspectors' time could not keep is
        not what schools are told.
        """
        offices = model.state.offices
        visits = model.flows.visits
        spot = (visits.kind == UnitKind.SCHOOL) & (visits.purpose == Purpose.SPOT_CHECK)
        made = np.bincount(visits.office[spot], minlength=offices.n)
        per_school = MONTHS_PER_YEAR * made / np.maximum(offices.n_schools, 1)
        self.spot_checks_year += model.assumptions["learning_rate"] * (
            per_school - self.spot_checks_year
        )
        committed = bool(model.levers["committed_sampling"])
        self.published_rate = np.where(committed, self.spot_checks_year, np.nan)

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
