"""The month's requests for visits to schools, and re-checks (五, 六, 七, 八, 十二).

A part of the visits mechanism (:mod:`~dudao_sim.model.mechanisms.visits`, ODD 7.3). Each
function builds one kind of request and claims it at once
(:meth:`~dudao_sim.model.mechanisms.visit_claims.Claims.claim`), so that what comes first is
served first:

- re-checks of closed items that fall due (十二), by an inspector of the unit's office drawn at
  random;
- special supervision of counties with an incident (五), by the city office;
- badged responsibility-zone visits (六), scaled to what the inspectors' hours and the office's
  money can carry;
- spot checks (八): the pre-existing regular inspections plus the double-random share, aimed by
  the targeting lever (random / risk-based / a published rotation), scaled by the office's
  effort; under random targeting the inspector is drawn at random too (双随机), otherwise the
  school's own badged inspector goes;
- end-of-term comprehensive reviews of principals (六), as far as the office's inspectors have
  time left;
- third-party monitoring (七).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Purpose, UnitKind, Visits
from dudao_sim.model.mechanisms.visit_claims import Claims, request, team_request
from dudao_sim.model.state import ProblemState, Rating

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel


def random_inspector(model: SupervisionModel, offices: np.ndarray, u: np.ndarray) -> np.ndarray:
    """An active inspector of each office drawn with ``u`` (-1 where the office has none)."""
    ins = model.state.inspectors
    rows = np.flatnonzero(ins.active)
    office_of_row = ins.office[rows]
    start = np.searchsorted(office_of_row, offices, side="left")
    stop = np.searchsorted(office_of_row, offices, side="right")
    count = stop - start
    pick = start + np.minimum((u * count).astype(np.int64), np.maximum(count - 1, 0))
    return np.where(count > 0, rows[np.minimum(pick, len(rows) - 1)] if len(rows) else -1, -1)


def private_weight(model: SupervisionModel) -> np.ndarray:
    """Relative rate of zone visits and spot checks at each school (六).

    Without the full supervision of private schools, private schools are visited less.
    """
    schools = model.state.schools
    if model.levers["private_school_full_supervision"]:
        return np.ones(schools.n)
    return np.where(schools.private, model.assumptions["private_coverage_before_reform"], 1.0)


def rechecks(model: SupervisionModel, claims: Claims, kind: UnitKind) -> Visits | None:
    """Re-checks of units with a closed item due this month (十二)."""
    table = model.state.schools if kind is UnitKind.SCHOOL else model.state.governments
    due = np.flatnonzero((table.problems.recheck == model.t).any(axis=1) & table.active)
    if not len(due):
        return None
    office = table.office[due]
    u_ins = model.streams.uniform_at(f"recheck_inspector_{kind.name}", model.t, due)
    inspector = random_inspector(model, office, u_ins)
    visits = request(
        kind, due, office, model.state.offices.level[office], inspector, Purpose.RECHECK
    )
    return claims.claim(model, visits, u_ins)


def special(model: SupervisionModel, claims: Claims, u: np.ndarray) -> Visits | None:
    """Special supervision of counties with an incident, by the city office (五)."""
    if not model.levers["special_supervision"]:
        return None
    schools, govs = model.state.schools, model.state.governments
    incidents = model.flows.incidents.get("school")
    if incidents is None or not incidents.any():
        return None
    hot = np.zeros(govs.n, bool)
    hot[schools.county[incidents]] = True
    chosen = np.flatnonzero(
        hot[schools.county] & schools.active & (u < model.assumptions["special_supervision_share"])
    )
    city = govs.parent[schools.county[chosen]]
    office = model.state.office_of_gov[city]
    model.record("special_supervisions", hot)
    visits = team_request(model, UnitKind.SCHOOL, chosen, office, Purpose.SPECIAL)
    return claims.claim(model, visits, u[chosen])


def zone_visits(model: SupervisionModel, claims: Claims, u: np.ndarray) -> Visits:
    """Badged inspectors' visits to the schools of their zones (六)."""
    schools, ins = model.state.schools, model.state.inspectors
    resources = claims.resources
    rate = float(model.levers["zone_visits_per_year"]) / MONTHS_PER_YEAR
    badged = (schools.badged >= 0) & schools.active & claims.under_cap(model)
    badged[badged] = ins.active[schools.badged[badged]]
    rows = np.flatnonzero(badged)
    inspector = schools.badged[rows]
    rate = rate * private_weight(model)[rows]
    hours, cost = resources.expected(model, rows, ~ins.full_time[inspector])
    # What the inspector's hours, then the office's money, can carry this month.
    office = schools.office[rows]
    free = np.maximum(resources.free, 0)
    chosen = u[rows] < resources.carried_rate(rate, hours, cost, inspector, free, office)
    rows, inspector, office = rows[chosen], inspector[chosen], office[chosen]
    visits = request(
        UnitKind.SCHOOL,
        rows,
        office,
        model.state.offices.level[office],
        inspector,
        Purpose.ROUTINE,
        np.ones(len(rows), bool),
    )
    return claims.claim(model, visits, u[rows])


def _risk(model: SupervisionModel) -> np.ndarray:
    a, schools = model.assumptions, model.state.schools
    open_known = schools.problems.count(ProblemState.OPEN)
    return (
        a["spot_risk_base"]
        + open_known
        + a["spot_risk_fail_weight"] * (schools.rating == Rating.FAIL)
        + schools.orders_year
        + a["spot_risk_fake_weight"] * schools.fakes_caught_year
    )


def spot_checks(model: SupervisionModel, claims: Claims, u: np.ndarray) -> Visits:
    """Regular and double-random spot checks, aimed by ``targeting`` (八)."""
    a, lv, t = model.assumptions, model.levers, model.t
    schools, offices, ins = model.state.schools, model.state.offices, model.state.inspectors
    resources = claims.resources
    share = a["base_inspection_share"] + float(lv["double_random_share"])
    committed = bool(lv["committed_sampling"])
    effort = np.ones(offices.n) if committed else offices.effort
    if lv["targeting"] == "rotation":
        chosen = np.flatnonzero((schools.plan_month == t) & schools.active)
    else:
        p = share / MONTHS_PER_YEAR * effort[schools.office]
        p = p * private_weight(model)
        if lv["targeting"] == "risk_based":
            risk = _risk(model)
            mean = np.bincount(schools.office, weights=risk, minlength=offices.n) / np.maximum(
                np.bincount(schools.office, minlength=offices.n), 1
            )
            p = p * risk / np.maximum(mean[schools.office], 1e-9)
        rows = np.flatnonzero(schools.active & claims.under_cap(model))
        chosen = rows[u[rows] < np.minimum(1.0, p[rows])]
    if lv["targeting"] != "rotation" and not committed:
        # What the inspectors' hours, then the office's money, can carry this month (a
        # committed rate is kept: those spot checks come before zone visits instead).
        own = schools.badged[rows]
        part_time = (own >= 0) & ~ins.full_time[np.maximum(own, 0)]
        hours, cost = resources.expected(model, rows, part_time)
        office = schools.office[rows]
        free = resources.pooled_free(model)
        carried = resources.carried_rate(p[rows], hours, cost, office, free, office)
        chosen = rows[u[rows] < np.minimum(1.0, carried)]
    office = schools.office[chosen]
    u_ins = model.streams.uniform_at("spot_check_inspector", t, chosen)
    if lv["targeting"] == "random":
        inspector = random_inspector(model, office, u_ins)  # 双随机: random inspectors
    else:
        own = schools.badged[chosen]
        fallback = random_inspector(model, office, u_ins)
        inspector = np.where(own >= 0, own, fallback)
    familiar = (inspector >= 0) & (inspector == schools.badged[chosen])
    visits = request(
        UnitKind.SCHOOL,
        chosen,
        office,
        offices.level[office],
        inspector,
        Purpose.SPOT_CHECK,
        familiar,
    )
    return claims.claim(model, visits, u[chosen])


def end_of_term_reviews(model: SupervisionModel, claims: Claims) -> Visits | None:
    """Comprehensive reviews of principals whose term ends this month (六).

    A review takes place only if the office's inspectors have time left this month (pooled)
    and the office can pay for it; the rest are dropped.
    """
    a, t = model.assumptions, model.t
    schools, offices = model.state.schools, model.state.offices
    due = np.flatnonzero((schools.principal_term_end == t) & schools.active)
    schools.principal_term_end[due] += int(a["principal_term_months"])
    model.record("principal_terms_ended", len(due))
    if not model.levers["end_of_term_review"] or not len(due):
        return None
    office = schools.office[due]
    order = model.streams.uniform_at("review_order", t, due)
    hours = claims.resources.comprehensive_hours(model, UnitKind.SCHOOL, due)
    done = claims.resources.take_hours(model, office, hours, order)
    due, office, order = due[done], office[done], order[done]
    u_ins = model.streams.uniform_at("review_inspector", t, due)
    inspector = random_inspector(model, office, u_ins)
    visits = request(
        UnitKind.SCHOOL, due, office, offices.level[office], inspector, Purpose.END_OF_TERM
    )
    visits = claims.claim(model, visits, order, hours_taken=True)
    model.record("reviews_dropped", len(done) - len(visits))
    return visits


def monitoring(model: SupervisionModel, claims: Claims, u: np.ndarray) -> Visits | None:
    """Third-party monitoring of ``third_party_monitoring_share`` of schools a year (七)."""
    schools = model.state.schools
    p = float(model.levers["third_party_monitoring_share"]) / MONTHS_PER_YEAR
    chosen = np.flatnonzero((u < p) & schools.active)
    office = schools.office[chosen]
    visits = team_request(model, UnitKind.SCHOOL, chosen, office, Purpose.MONITORING)
    return claims.claim(model, visits, u[chosen])
