"""Step 3 — supervision visits (ODD 7.3; clauses 五, 六, 七, 八, 十二).

Builds the month's visits, one row per visit (:class:`~dudao_sim.model.mechanisms.base.Visits`):

- badged responsibility-zone visits (六), limited by each inspector's monthly capacity;
- spot checks (八): the pre-existing regular inspections plus the double-random share, aimed
  by the targeting lever (random / risk-based / a published rotation), scaled by the office's
  effort and what its inspectors and budget can still do this month; under random targeting the
  inspector is drawn at random too (双随机), otherwise the school's own badged inspector goes;
- end-of-term comprehensive reviews of principals (六);
- special supervision of counties with an incident (五), by the city office;
- third-party monitoring (七);
- government evaluations each November along the structure's ``evaluates`` edges
  (``state.evaluations``): province → cities, city → counties (市级为主, with a sample of
  schools; the province for a province-managed county), county → townships, plus any extra
  edges; spot-check confirmation (省级抽查认定) each December along its ``spot_checks`` edges
  (``state.confirmations``: by default the province office → every city-led county), each
  edge drawn at the spot-check share, with its own school sample (五);
- re-checks of closed items that fall due (十二).

Each visit is announced or not (明察暗访) and on site or online (八). A cap on visits per school
per year drops the least important visits first, and with de-duplication a school visited by one
level in a month is not visited by another (八). Costs and teachers' hours are booked here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Mechanism, Purpose, UnitKind, Visits
from dudao_sim.model.mechanisms.common import group_ranks, inspector_capacity, visit_key
from dudao_sim.model.state import LevelCode, ProblemState, Rating

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


def _visits(
    kind: UnitKind,
    units: np.ndarray,
    offices: np.ndarray,
    level: np.ndarray,
    inspector: np.ndarray,
    purpose: Purpose,
    familiar: np.ndarray | None = None,
) -> Visits:
    n = len(units)
    return Visits(
        kind=np.full(n, kind, np.int8),
        unit=units.astype(np.int64),
        office=offices.astype(np.int64),
        level=np.asarray(level, np.int8).reshape(-1)
        if np.ndim(level)
        else np.full(n, level, np.int8),
        inspector=inspector.astype(np.int64),
        purpose=np.full(n, purpose, np.int8),
        announced=np.ones(n, bool),
        online=np.zeros(n, bool),
        familiar=np.zeros(n, bool) if familiar is None else familiar.astype(bool),
    )


class SupervisionVisits(Mechanism):
    """Who is visited this month, by whom, and how.

    Reads: ``flows.incidents`` (schools: special supervision); state — schools (badged,
    office, plan_month, principal_term_end, rating, orders_year, fakes_caught_year, dressing,
    problems.recheck), governments (level, office, problems.recheck), offices (effort, level),
    inspectors (active, full_time, office), evaluations and confirmations (the structure's
    ``evaluates`` and ``spot_checks`` edges).

    Writes: ``flows.visits``, ``flows.confirmed_counties`` (December); state — visits_year,
    last_visit, visited_by, evaluated_year, schools' principal_term_end, offices' spent.
    """

    name = "visits"
    clauses = ("五", "六", "七", "八", "十二")
    odd_section = "7.3"

    def step(self, model: SupervisionModel) -> None:
        """Build ``flows.visits`` for the month and book its costs and burden."""
        t = model.t
        schools, govs = model.state.schools, model.state.governments
        if model.calendar.is_january(t):
            for table in (schools, govs):
                table.visits_year[:] = 0
                table.evaluated_year[:] = False
        for table in (schools, govs):
            table.visited_by[:] = 0
        u = model.streams.uniform("visits_school", t, (schools.n, _N_PURPOSES))
        self._free = inspector_capacity(model.state.inspectors, model.assumptions)
        parts = [
            self._routine(model, u[:, Purpose.ROUTINE]),
            self._spot_checks(model, u[:, Purpose.SPOT_CHECK]),
            self._end_of_term(model),
            self._special(model, u[:, Purpose.SPECIAL]),
            self._monitoring(model, u[:, Purpose.MONITORING]),
            self._rechecks(model, UnitKind.SCHOOL),
            *self._evaluations(model, u[:, Purpose.EVALUATION], u[:, Purpose.CONFIRMATION]),
            self._rechecks(model, UnitKind.GOVERNMENT),
        ]
        visits = Visits.concat([p for p in parts if p is not None and len(p)])
        visits = self._methods(model, visits)
        model.record("duplicate_school_visits", self._duplicates(visits))
        visits = self._cap_and_deduplicate(model, visits)
        self._book(model, visits)
        model.flows.visits = visits

    def _random_inspector(
        self, model: SupervisionModel, offices: np.ndarray, u: np.ndarray
    ) -> np.ndarray:
        ins = model.state.inspectors
        rows = np.flatnonzero(ins.active)
        office_of_row = ins.office[rows]
        start = np.searchsorted(office_of_row, offices, side="left")
        stop = np.searchsorted(office_of_row, offices, side="right")
        count = stop - start
        pick = start + np.minimum((u * count).astype(np.int64), np.maximum(count - 1, 0))
        return np.where(count > 0, rows[np.minimum(pick, len(rows) - 1)] if len(rows) else -1, -1)

    def _take_capacity(
        self, model: SupervisionModel, offices: np.ndarray, u: np.ndarray
    ) -> np.ndarray:
        """Which of these one-visit requests the offices' inspectors still have time for.

        Requests of an office are served in a random order (``u``) while its inspectors'
        remaining capacity this month lasts; what is served is taken from that capacity.
        """
        ins = model.state.inspectors
        n_offices = model.state.offices.n
        free = np.bincount(ins.office, weights=np.maximum(self._free, 0), minlength=n_offices)
        order = np.lexsort((u, offices))
        _, rank = group_ranks(offices[order])
        served = np.zeros(len(offices), bool)
        served[order] = rank < np.floor(free[offices[order]] + 1e-9)
        used = np.bincount(offices[served], minlength=n_offices)
        left = 1.0 - np.divide(used, free, out=np.zeros(n_offices), where=free > 0)
        self._free = np.where(self._free > 0, self._free * left[ins.office], self._free)
        return served

    # ---- school visits ---------------------------------------------------------------------
    def _routine(self, model: SupervisionModel, u: np.ndarray) -> Visits:
        schools, ins = model.state.schools, model.state.inspectors
        rate = float(model.levers["zone_visits_per_year"]) / MONTHS_PER_YEAR
        badged = (schools.badged >= 0) & schools.active
        badged[badged] = ins.active[schools.badged[badged]]
        zone = np.bincount(schools.badged[badged], minlength=ins.n).astype(float)
        demand = zone * rate
        scale = np.divide(self._free, demand, out=np.zeros(ins.n), where=demand > 0)
        scale = np.minimum(scale, 1.0)
        p = np.zeros(schools.n)
        p[badged] = rate * scale[schools.badged[badged]]
        chosen = np.flatnonzero(u < p)
        inspector = schools.badged[chosen]
        self._free -= np.bincount(inspector, minlength=ins.n)
        office = schools.office[chosen]
        return _visits(
            UnitKind.SCHOOL,
            chosen,
            office,
            model.state.offices.level[office],
            inspector,
            Purpose.ROUTINE,
            np.ones(len(chosen), bool),
        )

    def _risk(self, model: SupervisionModel) -> np.ndarray:
        a, schools = model.assumptions, model.state.schools
        open_known = schools.problems.count(ProblemState.OPEN)
        return (
            a["spot_risk_base"]
            + open_known
            + a["spot_risk_fail_weight"] * (schools.rating == Rating.FAIL)
            + schools.orders_year
            + a["spot_risk_fake_weight"] * schools.fakes_caught_year
        )

    def _spot_checks(self, model: SupervisionModel, u: np.ndarray) -> Visits:
        a, lv, t = model.assumptions, model.levers, model.t
        schools, offices, ins = model.state.schools, model.state.offices, model.state.inspectors
        share = a["base_inspection_share"] + float(lv["double_random_share"])
        effort = np.ones(offices.n) if lv["committed_sampling"] else offices.effort
        if lv["targeting"] == "rotation":
            chosen = np.flatnonzero((schools.plan_month == t) & schools.active)
        else:
            p = share / MONTHS_PER_YEAR * effort[schools.office]
            if not lv["private_school_full_supervision"]:
                p = p * np.where(schools.private, a["private_coverage_before_reform"], 1.0)
            if lv["targeting"] == "risk_based":
                risk = self._risk(model)
                mean = np.bincount(schools.office, weights=risk, minlength=offices.n) / np.maximum(
                    np.bincount(schools.office, minlength=offices.n), 1
                )
                p = p * risk / np.maximum(mean[schools.office], 1e-9)
            # What inspectors can still do this month limits the office's spot checks.
            free = np.bincount(ins.office, weights=np.maximum(self._free, 0), minlength=offices.n)
            demand = np.bincount(schools.office, weights=p * schools.active, minlength=offices.n)
            scale = np.minimum(
                1.0, np.divide(free, demand, out=np.zeros(offices.n), where=demand > 0)
            )
            p = np.minimum(1.0, p * scale[schools.office])
            chosen = np.flatnonzero((u < p) & schools.active)
        office = schools.office[chosen]
        u_ins = model.streams.uniform_at("spot_check_inspector", t, chosen)
        if lv["targeting"] == "random":
            inspector = self._random_inspector(model, office, u_ins)  # 双随机: random inspectors
        else:
            own = schools.badged[chosen]
            fallback = self._random_inspector(model, office, u_ins)
            inspector = np.where(own >= 0, own, fallback)
        familiar = (inspector >= 0) & (inspector == schools.badged[chosen])
        valid = inspector >= 0
        self._free -= np.bincount(inspector[valid], minlength=ins.n)
        return _visits(
            UnitKind.SCHOOL,
            chosen,
            office,
            offices.level[office],
            inspector,
            Purpose.SPOT_CHECK,
            familiar,
        )

    def _end_of_term(self, model: SupervisionModel) -> Visits | None:
        a, t = model.assumptions, model.t
        schools, offices = model.state.schools, model.state.offices
        due = np.flatnonzero((schools.principal_term_end == t) & schools.active)
        schools.principal_term_end[due] += int(a["principal_term_months"])
        model.record("principal_terms_ended", len(due))
        if not model.levers["end_of_term_review"] or not len(due):
            return None
        # A review takes place only if the office's inspectors have time left this month.
        office = schools.office[due]
        done = self._take_capacity(model, office, model.streams.uniform_at("review_order", t, due))
        model.record("reviews_dropped", ~done)
        due, office = due[done], office[done]
        u_ins = model.streams.uniform_at("review_inspector", t, due)
        inspector = self._random_inspector(model, office, u_ins)
        return _visits(
            UnitKind.SCHOOL, due, office, offices.level[office], inspector, Purpose.END_OF_TERM
        )

    def _special(self, model: SupervisionModel, u: np.ndarray) -> Visits | None:
        if not model.levers["special_supervision"]:
            return None
        schools, govs = model.state.schools, model.state.governments
        incidents = model.flows.incidents.get("school")
        if incidents is None or not incidents.any():
            return None
        hot = np.zeros(govs.n, bool)
        hot[schools.county[incidents]] = True
        chosen = np.flatnonzero(
            hot[schools.county]
            & schools.active
            & (u < model.assumptions["special_supervision_share"])
        )
        city = govs.parent[schools.county[chosen]]
        office = model.state.office_of_gov[city]
        model.record("special_supervisions", hot)
        return _visits(
            UnitKind.SCHOOL,
            chosen,
            office,
            model.state.offices.level[office],
            np.full(len(chosen), -1),
            Purpose.SPECIAL,
        )

    def _monitoring(self, model: SupervisionModel, u: np.ndarray) -> Visits | None:
        schools = model.state.schools
        p = float(model.levers["third_party_monitoring_share"]) / MONTHS_PER_YEAR
        chosen = np.flatnonzero((u < p) & schools.active)
        office = schools.office[chosen]
        visits = _visits(
            UnitKind.SCHOOL,
            chosen,
            office,
            model.state.offices.level[office],
            np.full(len(chosen), -1),
            Purpose.MONITORING,
        )
        return visits

    def _rechecks(self, model: SupervisionModel, kind: UnitKind) -> Visits | None:
        table = model.state.schools if kind is UnitKind.SCHOOL else model.state.governments
        due = np.flatnonzero((table.problems.recheck == model.t).any(axis=1) & table.active)
        if not len(due):
            return None
        office = table.office[due]
        u_ins = model.streams.uniform_at(f"recheck_inspector_{kind.name}", model.t, due)
        inspector = self._random_inspector(model, office, u_ins)
        return _visits(
            kind, due, office, model.state.offices.level[office], inspector, Purpose.RECHECK
        )

    # ---- governments -----------------------------------------------------------------------
    def _evaluations(
        self, model: SupervisionModel, u_eval: np.ndarray, u_conf: np.ndarray
    ) -> list[Visits]:
        a, lv, t = model.assumptions, model.levers, model.t
        schools, govs, offices = model.state.schools, model.state.governments, model.state.offices
        out: list[Visits] = []
        n_per_county = np.bincount(schools.county, minlength=govs.n).astype(float)
        if model.calendar.is_evaluation_month(t):
            levels = [LevelCode.CITY, LevelCode.COUNTY] + (
                [LevelCode.TOWNSHIP] if lv["township_evaluation"] else []
            )
            # Who evaluates whom: the structure's ``evaluates`` edges (五).
            evaluations = model.state.evaluations
            pick = np.isin(govs.level[evaluations.government], levels)
            chosen, office = evaluations.government[pick], evaluations.office[pick]
            # County offices evaluate townships with their own inspectors' remaining time.
            town = govs.level[chosen] == LevelCode.TOWNSHIP
            u_town = model.streams.uniform_at("township_evaluation_order", t, chosen[town])
            done = np.ones(len(chosen), bool)
            done[town] = self._take_capacity(model, office[town], u_town)
            model.record("township_evaluations_dropped", ~done)
            chosen, office = chosen[done], office[done]
            out.append(
                _visits(
                    UnitKind.GOVERNMENT,
                    chosen,
                    office,
                    offices.level[office],
                    np.full(len(chosen), -1),
                    Purpose.EVALUATION,
                )
            )
            model.record("governments_evaluated", len(chosen))
            # City-led evaluation of county education work visits a sample of schools (五).
            p = a["evaluation_school_sample"] / np.maximum(n_per_county[schools.county], 1.0)
            sample = np.flatnonzero((u_eval < p) & schools.active)
            office = govs.office[schools.county[sample]]
            out.append(
                _visits(
                    UnitKind.SCHOOL,
                    sample,
                    office,
                    offices.level[office],
                    np.full(len(sample), -1),
                    Purpose.EVALUATION,
                )
            )
        if model.calendar.is_december(t):
            out.extend(self._confirmations(model, u_conf, n_per_county))
        return out

    def _confirmations(
        self, model: SupervisionModel, u_conf: np.ndarray, n_per_county: np.ndarray
    ) -> list[Visits]:
        """December spot-check confirmations (省级抽查认定, 五) along ``spot_checks`` edges.

        Each edge office → government is drawn at ``provincial_spot_check_share``; a drawn
        office visits the government and, for a county, a sample of its schools.
        """
        a, t = model.assumptions, model.t
        schools, govs, offices = model.state.schools, model.state.governments, model.state.offices
        edges = model.state.confirmations
        # Each edge is drawn on its own (keyed by government and office: common random
        # numbers across scenarios), so two offices spot-checking a county draw independently.
        key = edges.government.astype(np.int64) * offices.n + edges.office
        drawn = model.streams.uniform_at("confirmation_county", t, key) < float(
            model.levers["provincial_spot_check_share"]
        )
        office, government = edges.office[drawn], edges.government[drawn]
        confirmed = np.zeros(govs.n, bool)
        confirmed[government] = True
        model.record("counties_confirmed", confirmed)
        model.flows.confirmed_counties = confirmed
        # Each office confirming a county visits the same sample of its schools.
        county = govs.level[government] == LevelCode.COUNTY
        n_edges = np.bincount(government[county], minlength=govs.n)
        first_edge = np.cumsum(n_edges) - n_edges  # edges are sorted by government
        p = a["confirmation_school_sample"] / np.maximum(n_per_county[schools.county], 1.0)
        sample = np.flatnonzero((n_edges[schools.county] > 0) & (u_conf < p) & schools.active)
        repeats = n_edges[schools.county[sample]]
        _, k = group_ranks(np.repeat(np.arange(len(sample)), repeats))
        by = office[county][np.repeat(first_edge[schools.county[sample]], repeats) + k]
        return [
            _visits(
                UnitKind.GOVERNMENT,
                government,
                office,
                offices.level[office],
                np.full(len(government), -1),
                Purpose.CONFIRMATION,
            ),
            _visits(
                UnitKind.SCHOOL,
                np.repeat(sample, repeats),
                by,
                offices.level[by],
                np.full(len(by), -1),
                Purpose.CONFIRMATION,
            ),
        ]

    # ---- method, cap, de-duplication, booking ------------------------------------------------
    def _methods(self, model: SupervisionModel, visits: Visits) -> Visits:
        lv, t = model.levers, model.t
        if not len(visits):
            return visits
        key = visit_key(visits)
        announced = model.streams.uniform_at("visit_announced", t, key)
        online = model.streams.uniform_at("visit_online", t, key)
        visits.announced = announced >= float(lv["unannounced_share"])
        online_ok = np.isin(visits.purpose, [Purpose.ROUTINE, Purpose.SPOT_CHECK])
        visits.online = online_ok & (online < float(lv["online_share"]))
        monitoring = visits.purpose == Purpose.MONITORING
        visits.announced[monitoring] = False  # tests and data, not a visit to prepare for
        visits.online[monitoring] = True
        evaluation = visits.purpose == Purpose.EVALUATION
        visits.announced[evaluation] = True  # evaluations are scheduled
        return visits

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
        ins, offices = model.state.inspectors, model.state.offices
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
        has_ins = visits.inspector >= 0
        full_time = np.zeros(len(visits), bool)
        full_time[has_ins] = ins.full_time[visits.inspector[has_ins]]
        cost = np.where(full_time, a["cost_visit_full_time_yuan"], a["cost_visit_part_time_yuan"])
        cost = np.where(~has_ins, a["cost_visit_team_yuan"], cost)
        cost = np.where(visits.online, a["cost_visit_online_yuan"], cost)
        offices.spent += np.bincount(visits.office, weights=cost, minlength=offices.n)
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
