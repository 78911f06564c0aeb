"""Step 3 — supervision visits (ODD 7.3; clauses 五, 六, 七, 八, 十二, 十七, 二十一).

Builds the month's visits, one row per visit (:class:`~dudao_sim.model.mechanisms.base.Visits`),
from the requests of each kind (:mod:`~dudao_sim.model.mechanisms.visit_requests`: zone visits,
spot checks, end-of-term reviews, special supervision, monitoring, re-checks;
:mod:`~dudao_sim.model.mechanisms.evaluation_requests`: November's evaluations of governments
and December's spot-check confirmations), each claimed in turn
(:mod:`~dudao_sim.model.mechanisms.visit_claims`) on the month's inspectors' hours and offices'
money (:mod:`~dudao_sim.model.mechanisms.visit_resources`, 十七, 二十一).

What comes first is served first: re-checks and special supervision (the ledger's follow-up
and hot issues), then the inspectors' regular work — spot checks before zone visits where their
rate is a published commitment (八) —, reviews and township evaluations with what the
inspectors' time leaves, teams' evaluations and confirmations from the money set aside in
January, monitoring last. What still collides (visits requested in the same month) is dropped
afterwards, least important first (八). Costs, inspectors' hours and teachers' hours are booked
here, and each office's visits toward its plan (四).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.mechanisms.base import Mechanism, Purpose, UnitKind, Visits
from dudao_sim.model.mechanisms.common import group_ranks
from dudao_sim.model.mechanisms.evaluation_requests import evaluations
from dudao_sim.model.mechanisms.visit_claims import Claims
from dudao_sim.model.mechanisms.visit_requests import (
    end_of_term_reviews,
    monitoring,
    rechecks,
    special,
    spot_checks,
    zone_visits,
)
from dudao_sim.model.mechanisms.visit_resources import VisitResources
from dudao_sim.model.state import LevelCode

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

#: Priority when a cap or de-duplication drops visits (lower number = kept first).
PRIORITY = {
    purpose: rank
    for rank, purpose in enumerate(
        (
            Purpose.RECHECK,
            Purpose.SPECIAL,
            Purpose.END_OF_TERM,
            Purpose.CONFIRMATION,
            Purpose.EVALUATION,
            Purpose.SPOT_CHECK,
            Purpose.ROUTINE,
            Purpose.MONITORING,
        )
    )
}
_PRIORITY = np.array([PRIORITY[Purpose(p)] for p in range(len(Purpose))])
_N_PURPOSES = len(Purpose)
#: Packs (school, office level) into one integer: more than the number of office levels.
_LEVEL_PACK = 8
#: Packs (unit kind, unit row) into one integer: above any row number.
_KIND_SHIFT = 1 << 40


class SupervisionVisits(Mechanism):
    """Who is visited this month, by whom, and how — within inspectors' hours and budgets.

    Reads: ``flows.incidents`` (schools: special supervision); state — schools (badged,
    office, plan_month, principal_term_end, rating, orders_year, fakes_caught_year, dressing,
    problems.recheck), governments (level, office, problems.recheck), offices (effort, level,
    budget, spent, diligence), inspectors (active, full_time, office), evaluations and
    confirmations (the structure's ``evaluates`` and ``spot_checks`` edges).

    Writes: ``flows.visits``, ``flows.confirmed_counties`` (December); state — visits_year,
    last_visit, visited_by, evaluated_year, schools' principal_term_end, offices' spent and
    visits_made.

    Attributes:
        resources: Inspectors' hours and offices' money (and the geography of trips), set up
            once; opened each month.
    """

    name = "visits"
    clauses = ("五", "六", "七", "八", "十二", "十七", "二十一")
    odd_section = "7.3"

    def setup(self, model: SupervisionModel) -> None:
        """Where offices and units are (十七), and the money set aside for evaluations (二十一)."""
        self.resources = VisitResources(model)

    def step(self, model: SupervisionModel) -> None:
        """Build ``flows.visits`` for the month and book its costs and burden."""
        if not hasattr(self, "resources"):  # used without set-up (a test, a notebook)
            self.setup(model)
        t = model.t
        schools, govs = model.state.schools, model.state.governments
        if model.calendar.is_january(t):
            for table in (schools, govs):
                table.visits_year[:] = 0
                table.evaluated_year[:] = False
        for table in (schools, govs):
            table.visited_by[:] = 0
        u = model.streams.uniform("visits_school", t, (schools.n, _N_PURPOSES))
        self.resources.open_month(model)
        claims = Claims(model, self.resources)
        # What comes first is served first: re-checks of the ledger (十二) and special
        # supervision, then the inspectors' regular work — zone visits and spot checks, the
        # spot checks first where their rate is a published commitment (八) — and what their
        # remaining time allows: end-of-term reviews and township evaluations; teams'
        # evaluations and confirmations are paid from money set aside; monitoring last.
        committed = bool(model.levers["committed_sampling"])
        parts = [
            rechecks(model, claims, UnitKind.SCHOOL),
            rechecks(model, claims, UnitKind.GOVERNMENT),
            special(model, claims, u[:, Purpose.SPECIAL]),
        ]
        for spot_first in (True, False):
            if spot_first == committed:
                parts.append(spot_checks(model, claims, u[:, Purpose.SPOT_CHECK]))
            else:
                parts.append(zone_visits(model, claims, u[:, Purpose.ROUTINE]))
        parts += [
            end_of_term_reviews(model, claims),
            *evaluations(model, claims, u[:, Purpose.EVALUATION], u[:, Purpose.CONFIRMATION]),
            monitoring(model, claims, u[:, Purpose.MONITORING]),
        ]
        model.record("visits_unfunded", self.resources.unfunded)
        visits = Visits.concat([p for p in parts if p is not None and len(p)])
        model.record("duplicate_school_visits", self._duplicates(visits))
        visits = self._cap_and_deduplicate(model, visits)
        self._book(model, visits)
        model.flows.visits = visits

    # ---- collisions and booking --------------------------------------------------------------
    @staticmethod
    def _duplicates(visits: Visits) -> int:
        """School visits in a month by a level other than the first level that came."""
        school = visits.kind == UnitKind.SCHOOL
        if not school.any():
            return 0
        key = np.sort(visits.unit[school] * _LEVEL_PACK + visits.level[school])
        pairs = key[np.r_[True, key[1:] != key[:-1]]]  # distinct (school, level)
        units = pairs // _LEVEL_PACK
        return int(len(pairs) - np.count_nonzero(np.r_[True, units[1:] != units[:-1]]))

    def _cap_and_deduplicate(self, model: SupervisionModel, visits: Visits) -> Visits:
        lv = model.levers
        if not len(visits):
            return visits
        order = np.lexsort((_PRIORITY[visits.purpose], visits.unit, visits.kind))
        visits = visits.select(order)
        key = visits.kind.astype(np.int64) * _KIND_SHIFT + visits.unit
        group_start, _ = group_ranks(key)
        keep = np.ones(len(visits), bool)
        school = visits.kind == UnitKind.SCHOOL
        if bool(lv["deduplicate_levels"]):
            lead_level = visits.level[group_start]
            dropped = school & (visits.level != lead_level)
            keep &= ~dropped
            model.record("duplicates_avoided", dropped)
        cap = int(lv["visit_cap_per_year"])
        if cap > 0:
            kept_rank = np.cumsum(keep) - 1
            kept_rank = kept_rank - kept_rank[group_start] + keep[group_start] - 1
            already = model.state.schools.visits_year[np.where(school, visits.unit, 0)]
            over = school & keep & (already + np.maximum(kept_rank, 0) >= cap)
            keep &= ~over
            model.record("visits_capped", over)
        return visits.select(keep)

    def _book(self, model: SupervisionModel, visits: Visits) -> None:
        a, t = model.assumptions, model.t
        offices = model.state.offices
        for kind, table in (
            (UnitKind.SCHOOL, model.state.schools),
            (UnitKind.GOVERNMENT, model.state.governments),
        ):
            sel = visits.kind == kind
            units = visits.unit[sel]
            table.visits_year += np.bincount(units, minlength=table.n).astype(np.int16)
            table.last_visit[units] = t
            table.evaluated_year[units] = True
            for level in range(LevelCode.COUNTY + 1):  # the levels that have an office
                came = np.bincount(units[visits.level[sel] == level], minlength=table.n) > 0
                table.visited_by |= (came << level).astype(np.int8)
        _, cost = self.resources.hours_and_cost(model, visits)
        offices.spent += np.bincount(visits.office, weights=cost, minlength=offices.n)
        by_own = visits.inspector >= 0  # the office's own inspectors: delivery of its plan (四)
        offices.visits_made += np.bincount(visits.office[by_own], minlength=offices.n)
        school = visits.kind == UnitKind.SCHOOL
        dressing = model.state.schools.dressing[np.where(school, visits.unit, 0)]
        hours = np.where(visits.online, a["teacher_hours_online"], a["teacher_hours_on_site"])
        hours = hours + visits.announced * a["teacher_hours_preparation"] * dressing
        model.record("visit_cost_yuan", cost)
        model.record("inspector_days", np.where(visits.online, a["online_inspector_days"], 1.0))
        model.record("teacher_hours", hours * school)
        model.record("school_visits", school)
        model.record("government_visits", ~school)
        model.record("unannounced_visits", ~visits.announced & school)
        for purpose in Purpose:
            model.record(f"visits_{purpose.name.lower()}", visits.purpose == purpose)
