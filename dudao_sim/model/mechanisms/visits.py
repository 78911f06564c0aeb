"""Step 3 — supervision visits (ODD 7.3; clauses 五, 六, 七, 八, 十二, 十七, 二十一).

Builds the month's visits, one row per visit (:class:`~dudao_sim.model.mechanisms.base.Visits`):

- badged responsibility-zone visits (六);
- spot checks (八): the pre-existing regular inspections plus the double-random share, aimed
  by the targeting lever (random / risk-based / a published rotation), scaled by the office's
  effort; under random targeting the inspector is drawn at random too (双随机), otherwise the
  school's own badged inspector goes;
- end-of-term comprehensive reviews of principals (六);
- government evaluations each November along the structure's ``evaluates`` edges
  (``state.evaluations``): province → cities, city → counties (市级为主, with a sample of
  schools; the province for a province-managed county), county → townships, plus any extra
  edges; spot-check confirmation (省级抽查认定) each December along its ``spot_checks`` edges
  (``state.confirmations``: by default the province office → every city-led county), each
  edge drawn at the spot-check share, with its own school sample (五);
- third-party monitoring (七);
- re-checks of closed items that fall due (十二); special supervision of counties with an
  incident (五), by the city office.

Every visit draws on two resources: the **hours** of the inspector who goes (十七: part-timers
have little time; a visit takes its time on site plus the road trip there and back, longer in
large and mountainous counties — 地理因素、交通条件) and the **money** of the visiting office
(二十一: travel, part-timers' fees, evaluation teams). Re-checks and special supervision (the
ledger's follow-up and hot issues) claim them first, then the list above in its order — spot
checks before zone visits where their rate is a published commitment (八); reviews and
township evaluations get what the inspectors' time leaves; teams' evaluations and
confirmations are paid from money set aside in January. An inspector starts a visit while
time is left this month; an office pays for visits, in a random order, while this month's
share of what is left of its annual budget lasts (what is left ÷ months left in the year), so
no office spends more than its budget. Zone visits and spot checks are scaled beforehand to
what the inspectors' hours and the office's money can carry, so that shortfalls are spread
over the schools.

Each visit is announced or not (明察暗访) and on site or online (八). A school at the yearly cap
is not asked for another visit, and with de-duplication a school another level visits this
month is not asked by a second level, so the time and money go elsewhere; what still collides
(visits requested in the same month) is dropped afterwards, least important first (八).
Costs, inspectors' hours and teachers' hours are booked here, and each office's visits toward
its plan (四).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import EVALUATION_MONTH, MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Mechanism, Purpose, UnitKind, Visits
from dudao_sim.model.mechanisms.common import (
    Travel,
    group_ranks,
    inspector_hours,
    visit_cost_yuan,
    visit_key,
)
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
#: Purposes whose visit is comprehensive: ``comprehensive_visit_factor`` times the time on site.
_COMPREHENSIVE = np.array([Purpose.END_OF_TERM, Purpose.EVALUATION])
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


def _fit(
    group: np.ndarray, need: np.ndarray, free: np.ndarray, u: np.ndarray, strict: bool
) -> np.ndarray:
    """Which requests fit their group's resource, served in a random order (``u``).

    Args:
        group: Group (inspector or office row) of each request.
        need: What each request takes.
        free: What each group has.
        u: Uniform draws ordering the requests within a group.
        strict: ``True``: a request is served if it fits whole (money); ``False``: if some of
            the resource is left when it starts (an inspector's time: a visit started is
            finished).

    Returns:
        Boolean mask of the requests served.
    """
    keep = np.zeros(len(group), bool)
    if not len(group):
        return keep
    order = np.lexsort((u, group))
    g, c = group[order], need[order]
    cum = np.cumsum(c)
    start, _ = group_ranks(g)
    before = cum - c - (cum[start] - c[start])
    limit = free[g]
    keep[order] = (before + c <= limit + 1e-9) if strict else (before < limit - 1e-9)
    return keep


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
    """

    name = "visits"
    clauses = ("五", "六", "七", "八", "十二", "十七", "二十一")
    odd_section = "7.3"

    def setup(self, model: SupervisionModel) -> None:
        """Where offices and units are: road distances and travel times (十七)."""
        self.travel = Travel.build(model)
        # Trips of a unit's own office (most visits): fixed, computed once.
        self._own_km = {}
        for kind, table in (
            (UnitKind.SCHOOL, model.state.schools),
            (UnitKind.GOVERNMENT, model.state.governments),
        ):
            rows = np.flatnonzero(table.office >= 0)
            km = np.zeros(table.n)
            km[rows] = self.travel.round_trip_km(kind, rows, table.office[rows])
            self._own_km[kind] = km
        self._reserve = self._scheduled_costs(model)

    def step(self, model: SupervisionModel) -> None:
        """Build ``flows.visits`` for the month and book its costs and burden."""
        if not hasattr(self, "travel"):  # used without set-up (a test, a notebook)
            self.setup(model)
        t = model.t
        schools, govs = model.state.schools, model.state.governments
        offices = model.state.offices
        if model.calendar.is_january(t):
            for table in (schools, govs):
                table.visits_year[:] = 0
                table.evaluated_year[:] = False
        for table in (schools, govs):
            table.visited_by[:] = 0
        u = model.streams.uniform("visits_school", t, (schools.n, _N_PURPOSES))
        self._free = inspector_hours(model.state.inspectors, offices, model.assumptions)
        self._fund(model)
        # What comes first is served first: re-checks of the ledger (十二) and special
        # supervision, then the inspectors' regular work — zone visits and spot checks, the
        # spot checks first where their rate is a published commitment (八) — and what their
        # remaining time allows: end-of-term reviews and township evaluations; teams'
        # evaluations and confirmations are paid from money set aside; monitoring last.
        committed = bool(model.levers["committed_sampling"])
        parts = [
            self._rechecks(model, UnitKind.SCHOOL),
            self._rechecks(model, UnitKind.GOVERNMENT),
            self._special(model, u[:, Purpose.SPECIAL]),
        ]
        for spot_first in (True, False):
            if spot_first == committed:
                parts.append(self._spot_checks(model, u[:, Purpose.SPOT_CHECK]))
            else:
                parts.append(self._routine(model, u[:, Purpose.ROUTINE]))
        parts += [
            self._end_of_term(model),
            *self._evaluations(model, u[:, Purpose.EVALUATION], u[:, Purpose.CONFIRMATION]),
            self._monitoring(model, u[:, Purpose.MONITORING]),
        ]
        model.record("visits_unfunded", self._unfunded)
        visits = Visits.concat([p for p in parts if p is not None and len(p)])
        model.record("duplicate_school_visits", self._duplicates(visits))
        visits = self._cap_and_deduplicate(model, visits)
        self._book(model, visits)
        model.flows.visits = visits

    # ---- hours and money ---------------------------------------------------------------------
    def _fund(self, model: SupervisionModel) -> None:
        """This month's money of each office: ordinary work, and the scheduled evaluations.

        In January an office sets aside what November's evaluations and December's
        confirmations will cost it; the rest of what is left of its budget is spread evenly
        over the months left. In November and December the evaluations and confirmations may
        use what is left beyond the month's ordinary share (and, in November, December's
        reserve). The two never add up to more than what is left, so that no office spends
        more than its budget (二十一).
        """
        t, offices = model.t, model.state.offices
        month = model.calendar.month_of_year(t)
        if model.calendar.is_january(t):
            self._reserve = self._scheduled_costs(model)
        november, december = self._reserve
        ahead = np.where(month <= EVALUATION_MONTH, november, 0.0) + december
        left = np.maximum(offices.budget - offices.spent, 0.0)
        months_left = MONTHS_PER_YEAR - month + 1
        self._money = np.maximum(left - ahead, 0.0) / months_left
        # In November and December the scheduled work may use what is left beyond this month's
        # ordinary share and December's reserve (more than set aside when samples run large).
        later = december if month < MONTHS_PER_YEAR else 0.0
        due = month >= EVALUATION_MONTH
        self._scheduled = np.where(due, np.maximum(left - later - self._money, 0.0), 0.0)
        self._unfunded = 0
        self._claimed = np.zeros(model.state.schools.n, np.int64)
        self._levels = np.zeros(model.state.schools.n, np.int8)  # levels coming this month

    def _scheduled_costs(self, model: SupervisionModel) -> tuple[np.ndarray, np.ndarray]:
        """What each office's November evaluations and December confirmations will cost (五).

        Along the structure's ``evaluates`` and ``spot_checks`` edges (``state.evaluations``,
        ``state.confirmations``): every evaluation, the school sample of each county by its
        own evaluator, and each spot-check edge at the chance it is drawn.
        """
        a, lv = model.assumptions, model.levers
        govs, schools, offices = model.state.governments, model.state.schools, model.state.offices
        levels = [LevelCode.CITY, LevelCode.COUNTY] + (
            [LevelCode.TOWNSHIP] if lv["township_evaluation"] else []
        )
        edges = model.state.evaluations
        pick = np.isin(govs.level[edges.government], levels)
        rows, office = edges.government[pick], edges.office[pick]
        km = self.travel.round_trip_km(UnitKind.GOVERNMENT, rows, office)
        no = np.zeros(len(rows), bool)
        town = govs.level[rows] == LevelCode.TOWNSHIP
        cost = visit_cost_yuan(km, no, ~town, no, a)
        november = np.bincount(office, weights=cost, minlength=offices.n)
        # School samples by teams: the trip to the county seat plus the schools' spread.
        n_schools = np.bincount(schools.county, minlength=govs.n)
        spread = np.bincount(
            schools.county, weights=self.travel.spread_km[UnitKind.SCHOOL], minlength=govs.n
        ) / np.maximum(n_schools, 1)

        def sample_cost(counties: np.ndarray, by: np.ndarray, size: float) -> np.ndarray:
            no = np.zeros(len(counties), bool)
            km = self.travel.round_trip_km(UnitKind.GOVERNMENT, counties, by, spread[counties])
            return np.minimum(size, n_schools[counties]) * visit_cost_yuan(km, no, ~no, no, a)

        counties = np.flatnonzero((govs.level == LevelCode.COUNTY) & (govs.office >= 0))
        city = govs.office[counties]
        november += np.bincount(
            city,
            weights=sample_cost(counties, city, a["evaluation_school_sample"]),
            minlength=offices.n,
        )
        edges = model.state.confirmations
        rows, office = edges.government, edges.office
        no = np.zeros(len(rows), bool)
        km = self.travel.round_trip_km(UnitKind.GOVERNMENT, rows, office)
        confirm = visit_cost_yuan(km, no, ~no, no, a)
        county = govs.level[rows] == LevelCode.COUNTY
        confirm[county] += sample_cost(
            rows[county], office[county], a["confirmation_school_sample"]
        )
        confirm *= float(lv["provincial_spot_check_share"])
        december = np.bincount(office, weights=confirm, minlength=offices.n)
        return november, december

    def _hours_and_cost(
        self, model: SupervisionModel, visits: Visits
    ) -> tuple[np.ndarray, np.ndarray]:
        """Inspector hours and yuan of each visit: time on site plus the trip (十七, 二十一)."""
        a = model.assumptions
        km = np.zeros(len(visits))
        travel_h = np.zeros(len(visits))
        tables = {
            UnitKind.SCHOOL: model.state.schools,
            UnitKind.GOVERNMENT: model.state.governments,
        }
        for kind, table in tables.items():
            sel = visits.kind == kind
            if not sel.any():
                continue
            units, office = visits.unit[sel], visits.office[sel]
            trip = self._own_km[kind][units]
            other = office != table.office[units]
            if other.any():
                trip[other] = self.travel.round_trip_km(kind, units[other], office[other])
            km[sel] = trip
            travel_h[sel] = self.travel.hours(kind, units, trip)
        thorough = np.isin(visits.purpose, _COMPREHENSIVE)
        on_site = a["visit_hours_on_site"] * np.where(
            thorough, a["comprehensive_visit_factor"], 1.0
        )
        hours = np.where(
            visits.online, a["visit_hours_on_site"] * a["online_inspector_days"], on_site + travel_h
        )
        has_ins = visits.inspector >= 0
        part_time = np.zeros(len(visits), bool)
        part_time[has_ins] = ~model.state.inspectors.full_time[visits.inspector[has_ins]]
        # Townships are evaluated by the county office's own inspectors: travel only.
        govs = model.state.governments
        own_staff = (visits.kind == UnitKind.GOVERNMENT) & (visits.purpose == Purpose.EVALUATION)
        own_staff[own_staff] = govs.level[visits.unit[own_staff]] == LevelCode.TOWNSHIP
        cost = visit_cost_yuan(km, part_time, ~has_ins & ~own_staff, visits.online, a)
        return hours, cost

    def _claim(
        self,
        model: SupervisionModel,
        visits: Visits,
        u: np.ndarray,
        hours_taken: bool = False,
        scheduled: bool = False,
    ) -> Visits:
        """Fix each visit's method, then keep what inspectors' hours and offices' money allow.

        Args:
            model: The model.
            visits: Requested visits of one purpose.
            u: Uniform draws that order the requests.
            hours_taken: The office's pooled hours were already taken for these visits.
            scheduled: Paid from the money set aside for evaluations and confirmations.

        Returns:
            The visits served; their hours and yuan are taken from this month's resources.
        """
        if not len(visits):
            return visits
        # A school at the yearly cap is not asked for another visit, and with de-duplication
        # a school another level visits this month is not asked by this one (八): the time and
        # money go to other schools.
        school = visits.kind == UnitKind.SCHOOL
        row = np.where(school, visits.unit, 0)
        at_cap = school & ~self._under_cap(model)[row]
        if at_cap.any():
            model.record("visits_capped", at_cap)
        taken = school & ~at_cap & self._other_level(model, row, visits.level)
        if taken.any():
            model.record("duplicates_avoided", taken)
        if (at_cap | taken).any():
            visits, u = visits.select(~(at_cap | taken)), u[~(at_cap | taken)]
            if not len(visits):
                return visits
        visits = self._methods(model, visits)
        hours, cost = self._hours_and_cost(model, visits)
        money = self._scheduled if scheduled else self._money
        keep = np.ones(len(visits), bool)
        by_ins = (visits.inspector >= 0) & (not hours_taken)
        keep[by_ins] = _fit(visits.inspector[by_ins], hours[by_ins], self._free, u[by_ins], False)
        funded = keep.copy()
        funded[keep] = _fit(visits.office[keep], cost[keep], money, u[keep], True)
        self._unfunded += int((keep & ~funded).sum())
        n_ins = len(self._free)
        self._free -= np.bincount(
            visits.inspector[funded & by_ins], weights=hours[funded & by_ins], minlength=n_ins
        )
        money -= np.bincount(visits.office[funded], weights=cost[funded], minlength=len(money))
        school = funded & (visits.kind == UnitKind.SCHOOL)
        self._claimed += np.bincount(visits.unit[school], minlength=len(self._claimed))
        self._levels[visits.unit[school]] |= (1 << visits.level[school]).astype(np.int8)
        return visits.select(funded)

    def _other_level(
        self, model: SupervisionModel, rows: np.ndarray, level: np.ndarray
    ) -> np.ndarray:
        """With ``deduplicate_levels``, whether another level already comes to these schools."""
        if not bool(model.levers["deduplicate_levels"]):
            return np.zeros(len(rows), bool)
        mine = (1 << level.astype(np.int64)).astype(np.int8)
        return (self._levels[rows] & ~mine) != 0

    @staticmethod
    def _private_weight(model: SupervisionModel) -> np.ndarray:
        """Relative rate of zone visits and spot checks at each school (六).

        Without the full supervision of private schools, private schools are visited less.
        """
        schools = model.state.schools
        if model.levers["private_school_full_supervision"]:
            return np.ones(schools.n)
        return np.where(schools.private, model.assumptions["private_coverage_before_reform"], 1.0)

    def _under_cap(self, model: SupervisionModel) -> np.ndarray:
        """Schools that may still be visited this year under ``visit_cap_per_year`` (八)."""
        cap = int(model.levers["visit_cap_per_year"])
        schools = model.state.schools
        if cap <= 0:
            return np.ones(schools.n, bool)
        return schools.visits_year + self._claimed < cap

    def _expected(
        self, model: SupervisionModel, rows: np.ndarray, part_time: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Expected hours and yuan of a routine visit or spot check by the schools' own office.

        Online with ``online_share``.
        """
        a = model.assumptions
        online = float(model.levers["online_share"])
        km = self._own_km[UnitKind.SCHOOL][rows]
        site_h = a["visit_hours_on_site"] + self.travel.hours(UnitKind.SCHOOL, rows, km)
        web_h = a["visit_hours_on_site"] * a["online_inspector_days"]
        no = np.zeros(len(rows), bool)
        site_c = visit_cost_yuan(km, part_time, no, no, a)
        web_c = visit_cost_yuan(km, part_time, no, ~no, a)
        return (1.0 - online) * site_h + online * web_h, (1.0 - online) * site_c + online * web_c

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

    def _take_hours(
        self, model: SupervisionModel, offices: np.ndarray, hours: np.ndarray, u: np.ndarray
    ) -> np.ndarray:
        """Which of these requests the offices' inspectors still have time for (pooled).

        Requests of an office are served in a random order (``u``) while its inspectors'
        remaining hours this month last; what is served is taken from those hours, from every
        inspector of the office in proportion.
        """
        ins = model.state.inspectors
        n_offices = model.state.offices.n
        free = np.bincount(ins.office, weights=np.maximum(self._free, 0), minlength=n_offices)
        served = _fit(offices, hours, free, u, False)
        used = np.bincount(offices[served], weights=hours[served], minlength=n_offices)
        left = np.clip(1.0 - np.divide(used, free, out=np.zeros(n_offices), where=free > 0), 0, 1)
        self._free = np.where(self._free > 0, self._free * left[ins.office], self._free)
        return served

    # ---- school visits ---------------------------------------------------------------------
    def _routine(self, model: SupervisionModel, u: np.ndarray) -> Visits:
        schools, ins = model.state.schools, model.state.inspectors
        n_offices = model.state.offices.n
        rate = float(model.levers["zone_visits_per_year"]) / MONTHS_PER_YEAR
        badged = (schools.badged >= 0) & schools.active & self._under_cap(model)
        badged[badged] = ins.active[schools.badged[badged]]
        rows = np.flatnonzero(badged)
        inspector = schools.badged[rows]
        rate = rate * self._private_weight(model)[rows]
        hours, cost = self._expected(model, rows, ~ins.full_time[inspector])
        # What the inspector's hours, then the office's money, can carry this month.
        demand = np.bincount(inspector, weights=rate * hours, minlength=ins.n)
        by_time = np.minimum(
            1.0, np.divide(np.maximum(self._free, 0), demand, out=np.zeros(ins.n), where=demand > 0)
        )[inspector]
        office = schools.office[rows]
        bill = np.bincount(office, weights=rate * by_time * cost, minlength=n_offices)
        by_money = np.minimum(
            1.0, np.divide(self._money, bill, out=np.zeros(n_offices), where=bill > 0)
        )[office]
        chosen = u[rows] < rate * by_time * by_money
        rows, inspector, office = rows[chosen], inspector[chosen], office[chosen]
        visits = _visits(
            UnitKind.SCHOOL,
            rows,
            office,
            model.state.offices.level[office],
            inspector,
            Purpose.ROUTINE,
            np.ones(len(rows), bool),
        )
        return self._claim(model, visits, u[rows])

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
        committed = bool(lv["committed_sampling"])
        effort = np.ones(offices.n) if committed else offices.effort
        if lv["targeting"] == "rotation":
            chosen = np.flatnonzero((schools.plan_month == t) & schools.active)
        else:
            p = share / MONTHS_PER_YEAR * effort[schools.office]
            p = p * self._private_weight(model)
            if lv["targeting"] == "risk_based":
                risk = self._risk(model)
                mean = np.bincount(schools.office, weights=risk, minlength=offices.n) / np.maximum(
                    np.bincount(schools.office, minlength=offices.n), 1
                )
                p = p * risk / np.maximum(mean[schools.office], 1e-9)
            rows = np.flatnonzero(schools.active & self._under_cap(model))
            chosen = rows[u[rows] < np.minimum(1.0, p[rows])]
        if lv["targeting"] != "rotation" and not committed:
            # What the inspectors' hours, then the office's money, can carry this month (a
            # committed rate is kept: those spot checks come before zone visits instead).
            own = schools.badged[rows]
            part_time = (own >= 0) & ~ins.full_time[np.maximum(own, 0)]
            hours, cost = self._expected(model, rows, part_time)
            office = schools.office[rows]
            free = np.bincount(ins.office, weights=np.maximum(self._free, 0), minlength=offices.n)
            demand = np.bincount(office, weights=p[rows] * hours, minlength=offices.n)
            by_time = np.minimum(
                1.0, np.divide(free, demand, out=np.zeros(offices.n), where=demand > 0)
            )[office]
            bill = np.bincount(office, weights=p[rows] * by_time * cost, minlength=offices.n)
            by_money = np.minimum(
                1.0, np.divide(self._money, bill, out=np.zeros(offices.n), where=bill > 0)
            )[office]
            chosen = rows[u[rows] < np.minimum(1.0, p[rows] * by_time * by_money)]
        office = schools.office[chosen]
        u_ins = model.streams.uniform_at("spot_check_inspector", t, chosen)
        if lv["targeting"] == "random":
            inspector = self._random_inspector(model, office, u_ins)  # 双随机: random inspectors
        else:
            own = schools.badged[chosen]
            fallback = self._random_inspector(model, office, u_ins)
            inspector = np.where(own >= 0, own, fallback)
        familiar = (inspector >= 0) & (inspector == schools.badged[chosen])
        visits = _visits(
            UnitKind.SCHOOL,
            chosen,
            office,
            offices.level[office],
            inspector,
            Purpose.SPOT_CHECK,
            familiar,
        )
        return self._claim(model, visits, u[chosen])

    def _end_of_term(self, model: SupervisionModel) -> Visits | None:
        a, t = model.assumptions, model.t
        schools, offices = model.state.schools, model.state.offices
        due = np.flatnonzero((schools.principal_term_end == t) & schools.active)
        schools.principal_term_end[due] += int(a["principal_term_months"])
        model.record("principal_terms_ended", len(due))
        if not model.levers["end_of_term_review"] or not len(due):
            return None
        # A review takes place only if the office's inspectors have time left this month and
        # the office can pay for it.
        office = schools.office[due]
        order = model.streams.uniform_at("review_order", t, due)
        km = self._own_km[UnitKind.SCHOOL][due]
        hours = a["visit_hours_on_site"] * a["comprehensive_visit_factor"] + self.travel.hours(
            UnitKind.SCHOOL, due, km
        )
        done = self._take_hours(model, office, hours, order)
        due, office, order = due[done], office[done], order[done]
        u_ins = model.streams.uniform_at("review_inspector", t, due)
        inspector = self._random_inspector(model, office, u_ins)
        visits = _visits(
            UnitKind.SCHOOL, due, office, offices.level[office], inspector, Purpose.END_OF_TERM
        )
        visits = self._claim(model, visits, order, hours_taken=True)
        model.record("reviews_dropped", len(done) - len(visits))
        return visits

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
        visits = _visits(
            UnitKind.SCHOOL,
            chosen,
            office,
            model.state.offices.level[office],
            np.full(len(chosen), -1),
            Purpose.SPECIAL,
        )
        return self._claim(model, visits, u[chosen])

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
        return self._claim(model, visits, u[chosen])

    def _rechecks(self, model: SupervisionModel, kind: UnitKind) -> Visits | None:
        table = model.state.schools if kind is UnitKind.SCHOOL else model.state.governments
        due = np.flatnonzero((table.problems.recheck == model.t).any(axis=1) & table.active)
        if not len(due):
            return None
        office = table.office[due]
        u_ins = model.streams.uniform_at(f"recheck_inspector_{kind.name}", model.t, due)
        inspector = self._random_inspector(model, office, u_ins)
        visits = _visits(
            kind, due, office, model.state.offices.level[office], inspector, Purpose.RECHECK
        )
        return self._claim(model, visits, u_ins)

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
            edges = model.state.evaluations
            pick = np.isin(govs.level[edges.government], levels)
            chosen, office = edges.government[pick], edges.office[pick]
            order = model.streams.uniform_at("township_evaluation_order", t, chosen)
            evaluations = _visits(
                UnitKind.GOVERNMENT,
                chosen,
                office,
                offices.level[office],
                np.full(len(chosen), -1),
                Purpose.EVALUATION,
            )
            # County offices evaluate townships with their own inspectors' remaining hours.
            town = govs.level[chosen] == LevelCode.TOWNSHIP
            km = self._own_km[UnitKind.GOVERNMENT][chosen[town]]
            hours = a["visit_hours_on_site"] * a["comprehensive_visit_factor"] + self.travel.hours(
                UnitKind.GOVERNMENT, chosen[town], km
            )
            done = np.ones(len(chosen), bool)
            done[town] = self._take_hours(model, office[town], hours, order[town])
            evaluations = self._claim(
                model, evaluations.select(done), order[done], hours_taken=True, scheduled=True
            )
            township = govs.level[evaluations.unit] == LevelCode.TOWNSHIP
            model.record("township_evaluations_dropped", int(town.sum() - township.sum()))
            model.record("governments_evaluated", len(evaluations))
            out.append(evaluations)
            # City-led evaluation of county education work visits a sample of schools (五).
            p = a["evaluation_school_sample"] / np.maximum(n_per_county[schools.county], 1.0)
            sample = np.flatnonzero((u_eval < p) & schools.active)
            office = govs.office[schools.county[sample]]
            sampled = _visits(
                UnitKind.SCHOOL,
                sample,
                office,
                offices.level[office],
                np.full(len(sample), -1),
                Purpose.EVALUATION,
            )
            out.append(self._claim(model, sampled, u_eval[sample], scheduled=True))
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
        u_conf_edge = model.streams.uniform_at("confirmation_county", t, key)
        drawn = u_conf_edge < float(model.levers["provincial_spot_check_share"])
        office, government = edges.office[drawn], edges.government[drawn]
        # A drawn office confirms as far as the money it set aside allows (二十一).
        visits = _visits(
            UnitKind.GOVERNMENT,
            government,
            office,
            offices.level[office],
            np.full(len(government), -1),
            Purpose.CONFIRMATION,
        )
        visits = self._claim(model, visits, u_conf_edge[drawn], scheduled=True)
        office, government = visits.office, visits.unit
        confirmed = np.zeros(govs.n, bool)
        confirmed[government] = True
        model.record("counties_confirmed", confirmed)
        model.flows.confirmed_counties = confirmed
        # Each office confirming a county visits the same sample of its schools.
        county = govs.level[government] == LevelCode.COUNTY
        order = np.argsort(government[county], kind="stable")
        by_county, by_office = government[county][order], office[county][order]
        n_edges = np.bincount(by_county, minlength=govs.n)
        first_edge = np.cumsum(n_edges) - n_edges
        p = a["confirmation_school_sample"] / np.maximum(n_per_county[schools.county], 1.0)
        sample = np.flatnonzero((n_edges[schools.county] > 0) & (u_conf < p) & schools.active)
        repeats = n_edges[schools.county[sample]]
        _, k = group_ranks(np.repeat(np.arange(len(sample)), repeats))
        by = by_office[np.repeat(first_edge[schools.county[sample]], repeats) + k]
        sampled = _visits(
            UnitKind.SCHOOL,
            np.repeat(sample, repeats),
            by,
            offices.level[by],
            np.full(len(by), -1),
            Purpose.CONFIRMATION,
        )
        return [
            visits,
            self._claim(model, sampled, np.repeat(u_conf[sample], repeats), scheduled=True),
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
        _, cost = self._hours_and_cost(model, visits)
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
