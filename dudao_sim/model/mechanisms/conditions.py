"""Step 1 — conditions evolve (ODD 7.1; clauses 五, 六, 十六).

Problems arise in schools (seven areas of clause 六) and in governments' five duty areas
(clause 五), more often where resources are short and effort is low; a county's funding and
staffing problems spill over into its schools' resources and ethics areas. Unrectified problems
grow more severe; internal self-supervision (六) finds and fixes some; genuinely closed problems
can rebound within a window; a fake closure that no re-check caught within that window becomes
an ordinary hidden problem again (the ledger no longer marks it). A present safety problem
can turn into an incident, which reveals it and flags the county for special supervision (五)
and the severe accountability path (十六).
School quality (pupil-level SD units) responds to being failed, not to being inspected: a
failing verdict — a FAIL rating, or being held to account — starts an improvement plan, during
which the school's improvement moves toward a gain set by its genuine effort; after the plan
the gain fades. Schools rated well get nothing from inspection itself (Allen & Burgess 2012
[@allen_2012]; Hussain 2015 [@hussain_2015]). The teachers' hours that visits and their
preparation take (the burden booked by results) cost quality in proportion to the share of
teachers' time they take (Ehren, Jones & Perryman 2016 [@ehren_2016]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.mechanisms.base import Mechanism
from dudao_sim.model.mechanisms.common import burden_toll, drawn_severity, improving, resources
from dudao_sim.model.state import NEVER, ProblemState, UnitTable

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

_P = ProblemState


class Conditions(Mechanism):
    """Emergence, growth, self-fixing, rebound, incidents and school quality.

    Reads: state — problems, effort, fiscal, incentive, active of schools and governments;
    schools' self_capacity, failed_month, visit_hours, enrolment; lever
    ``self_supervision_support``.

    Writes: ``flows.incidents``, ``flows.incidents_known``; state — problems (state, severity,
    arisen, detected, closed, counters), schools' improvement, quality and self_capacity.
    """

    name = "conditions"
    clauses = ("五", "六", "十六")
    odd_section = "7.1"

    def step(self, model: SupervisionModel) -> None:
        """Evolve the true condition of every school and government for one month."""
        a, state = model.assumptions, model.state
        schools, govs = state.schools, state.governments
        county_trouble = np.zeros(govs.n)
        for area in ("funding", "teachers"):
            col = govs.areas.index(area)
            county_trouble += govs.problems.present[:, col]
        spill = np.zeros((schools.n, len(schools.areas)))
        for area in ("resources", "ethics"):
            spill[:, schools.areas.index(area)] = a["county_spillover"] * np.minimum(
                county_trouble[schools.county], 1.0
            )
        self._evolve(model, schools, a["p_arise_school"], spill, "school")
        evaluated = (govs.level > 0)[:, None].astype(float)  # the province is not evaluated here
        self._evolve(model, govs, a["p_arise_government"], 0.0, "government", mask=evaluated)
        self._quality(model)
        self._self_capacity(model)

    def _evolve(
        self,
        model: SupervisionModel,
        table: UnitTable,
        p_arise: float,
        spill: np.ndarray | float,
        kind: str,
        mask: np.ndarray | None = None,
    ) -> None:
        a, t = model.assumptions, model.t
        prob = table.problems
        n, n_areas = prob.state.shape
        u = model.streams.uniform(f"conditions_{kind}", t, (n, n_areas, 4))
        res = resources(table, a["incentive_weight"])
        hazard = (
            p_arise
            * np.exp(-a["resource_elasticity"] * (res - 1.0))
            * (1.0 - a["effort_protection"] * table.effort)
        )[:, None] * (1.0 + spill)
        if mask is not None:
            hazard = hazard * mask
        active = table.active[:, None]

        # Rebound of genuinely closed problems, and the end of the rebound window.
        closed = prob.state == _P.CLOSED
        in_window = closed & (t - prob.closed <= a["rebound_window_months"])
        p_rebound = a["p_rebound"] * (1.0 - a["effort_rebound_protection"] * table.effort)
        rebound = in_window & active & (u[..., 2] < p_rebound[:, None])
        prob.state[closed & ~in_window] = _P.NONE
        # A fake closure nobody re-checked becomes an ordinary hidden problem again.
        stale_fake = (prob.state == _P.FAKE) & (t - prob.closed > a["rebound_window_months"])
        prob.state[stale_fake] = _P.HIDDEN
        model.record(f"fakes_lapsed_{kind}", stale_fake)
        prob.state[rebound] = _P.HIDDEN
        prob.severity[rebound] = drawn_severity(
            a["rebound_severity_min"], a["rebound_severity_span"], u[..., 1][rebound]
        )
        prob.arisen[rebound] = t
        model.record(f"rebounds_{kind}", rebound)

        # New problems.
        arise = (prob.state == _P.NONE) & active & (u[..., 0] < hazard)
        prob.state[arise] = _P.HIDDEN
        prob.severity[arise] = drawn_severity(
            a["new_severity_min"], a["new_severity_span"], u[..., 1][arise]
        )
        prob.arisen[arise] = t
        prob.detected[arise] = NEVER
        prob.closed[arise] = NEVER
        prob.n_orders[arise] = 0
        prob.n_detections[arise] = 0
        model.record(f"new_problems_{kind}", arise)

        # Growth of unrectified problems.
        np.add(prob.severity, a["severity_growth"], out=prob.severity, where=prob.present)
        np.minimum(prob.severity, 1.0, out=prob.severity)

        # Self-supervision finds and fixes hidden problems (六); governments at base capacity.
        capacity = getattr(table, "self_capacity", None)
        if capacity is None or len(capacity) != n:
            capacity = np.full(n, a["government_self_capacity"])
        p_fix = a["p_self_fix"] * capacity * (a["self_fix_effort_offset"] + table.effort)
        fixed = prob.findable & active & (u[..., 3] < p_fix[:, None])
        # Known but unfollowed problems the unit fixes itself are resolved found problems.
        known = fixed & (prob.state == _P.UNFOLLOWED)
        model.record(f"resolved_known_{kind}", known)
        model.record(f"months_to_resolve_{kind}", (t - prob.detected)[known])
        prob.state[fixed] = _P.CLOSED
        prob.severity[fixed] = 0.0
        prob.closed[fixed] = t
        model.record(f"self_fixed_{kind}", fixed)

        # Incidents: a present safety problem turns into an incident (十六), which reveals it.
        safety = table.areas.index("safety")
        present_safety = prob.present[:, safety] & table.active
        incident = present_safety & (
            u[:, safety, 3] > 1.0 - a["p_incident"] * prob.severity[:, safety]
        )
        # Known and left unresolved: open, closed on paper, or known but unfollowed.
        known_before = incident & (prob.state[:, safety] != _P.HIDDEN)
        prob.state[incident, safety] = _P.OPEN
        prob.detected[incident, safety] = t
        model.flows.incidents[kind] = incident
        model.flows.incidents_known[kind] = known_before
        model.record(f"incidents_{kind}", incident)

    def _quality(self, model: SupervisionModel) -> None:
        """Improvement plans after failing verdicts build quality; the visit burden costs it."""
        a, t = model.assumptions, model.t
        schools = model.state.schools
        in_plan = improving(schools, t, a)
        goal = a["effort_quality_gain"] * schools.effort
        building = schools.improvement + a["quality_adjustment"] * (goal - schools.improvement)
        fading = (1.0 - a["improvement_decay"]) * schools.improvement
        schools.improvement = np.where(in_plan, np.maximum(building, fading), fading)
        schools.quality = schools.improvement - burden_toll(schools, a)

    def _self_capacity(self, model: SupervisionModel) -> None:
        a = model.assumptions
        schools = model.state.schools
        goal = np.clip(
            a["self_capacity_base"]
            + a["self_capacity_gain"] * float(model.levers["self_supervision_support"]),
            0.0,
            1.0,
        )
        schools.self_capacity += a["self_capacity_adjustment"] * (goal - schools.self_capacity)
