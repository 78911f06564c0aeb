"""What carries the month's visits: inspectors' hours and offices' money (十七, 二十一).

A part of the visits mechanism (:mod:`~dudao_sim.model.mechanisms.visits`, ODD 7.3).
:class:`VisitResources` holds, for one month, the field hours each inspector has left (十七:
part-timers have little time; a visit takes its time on site plus the road trip there and
back, longer in large and mountainous counties — 地理因素、交通条件) and the money each office
may spend (二十一: travel, part-timers' fees, evaluation teams). In January an office sets aside
what November's evaluations and December's confirmations will cost (the reserve); each month it
may spend this month's share of the rest of what is left of its budget (what is left ÷ months
left in the year), so no office spends more than its budget. An inspector starts a visit while
time is left this month; an office pays for visits, in a random order, while its money lasts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import EVALUATION_MONTH, MONTHS_PER_YEAR
from dudao_sim.model.mechanisms.base import Purpose, UnitKind, Visits
from dudao_sim.model.mechanisms.common import (
    Travel,
    group_ranks,
    inspector_hours,
    visit_cost_yuan,
)
from dudao_sim.model.state import LevelCode

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

#: Purposes whose visit is comprehensive: ``comprehensive_visit_factor`` times the time on site.
_COMPREHENSIVE = np.array([Purpose.END_OF_TERM, Purpose.EVALUATION])


def fit(
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


class VisitResources:
    """Inspectors' hours and offices' money for the month's visits, and what a visit takes.

    Attributes:
        travel: Road distances and travel times from offices to units (十七).
        own_km: Per unit kind, the round trip in km from each unit's own office (0 without one).
        reserve: ``(november, december)``: what each office set aside in January for its
            evaluations and confirmations (二十一).
        free: Field hours each inspector slot has left this month.
        money: Yuan each office may still spend this month on ordinary visits.
        scheduled: Yuan each office may still spend this month on scheduled evaluations and
            confirmations (November and December).
        unfunded: Visits this month that had an inspector's time but not the office's money.
    """

    def __init__(self, model: SupervisionModel) -> None:
        """Where offices and units are: road distances and travel times (十七), and the reserve."""
        self.travel = Travel.build(model)
        # Trips of a unit's own office (most visits): fixed, computed once.
        self.own_km: dict[UnitKind, np.ndarray] = {}
        for kind, table in (
            (UnitKind.SCHOOL, model.state.schools),
            (UnitKind.GOVERNMENT, model.state.governments),
        ):
            rows = np.flatnonzero(table.office >= 0)
            km = np.zeros(table.n)
            km[rows] = self.travel.round_trip_km(kind, rows, table.office[rows])
            self.own_km[kind] = km
        self.reserve = self.scheduled_costs(model)

    def open_month(self, model: SupervisionModel) -> None:
        """This month's hours of each inspector and money of each office.

        Hours: what each inspector slot gives this month (十七). Money: in January an office
        sets aside what November's evaluations and December's confirmations will cost it; the
        rest of what is left of its budget is spread evenly over the months left. In November
        and December the evaluations and confirmations may use what is left beyond the month's
        ordinary share (and, in November, December's reserve). The two never add up to more
        than what is left, so that no office spends more than its budget (二十一).
        """
        t, offices = model.t, model.state.offices
        self.free = inspector_hours(model.state.inspectors, offices, model.assumptions)
        month = model.calendar.month_of_year(t)
        if model.calendar.is_january(t):
            self.reserve = self.scheduled_costs(model)
        november, december = self.reserve
        ahead = np.where(month <= EVALUATION_MONTH, november, 0.0) + december
        left = np.maximum(offices.budget - offices.spent, 0.0)
        months_left = MONTHS_PER_YEAR - month + 1
        self.money = np.maximum(left - ahead, 0.0) / months_left
        # In November and December the scheduled work may use what is left beyond this month's
        # ordinary share and December's reserve (more than set aside when samples run large).
        later = december if month < MONTHS_PER_YEAR else 0.0
        due = month >= EVALUATION_MONTH
        self.scheduled = np.where(due, np.maximum(left - later - self.money, 0.0), 0.0)
        self.unfunded = 0

    def scheduled_costs(self, model: SupervisionModel) -> tuple[np.ndarray, np.ndarray]:
        """What each office's November evaluations and December confirmations will cost (五).

        Along the structure's ``evaluates`` and ``spot_checks`` edges (``state.evaluations``,
        ``state.confirmations``): every evaluation, the school sample of each county by its
        own evaluator, and each spot-check edge at the chance it is drawn.

        Returns:
            ``(november, december)``: yuan per office row.
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

    def hours_and_cost(
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
            trip = self.own_km[kind][units]
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

    def comprehensive_hours(
        self, model: SupervisionModel, kind: UnitKind, rows: np.ndarray
    ) -> np.ndarray:
        """Hours of a comprehensive visit (review, township evaluation) by the unit's office."""
        a = model.assumptions
        km = self.own_km[kind][rows]
        return a["visit_hours_on_site"] * a["comprehensive_visit_factor"] + self.travel.hours(
            kind, rows, km
        )

    def expected(
        self, model: SupervisionModel, rows: np.ndarray, part_time: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Expected hours and yuan of a routine visit or spot check by the schools' own office.

        Online with ``online_share``.
        """
        a = model.assumptions
        online = float(model.levers["online_share"])
        km = self.own_km[UnitKind.SCHOOL][rows]
        site_h = a["visit_hours_on_site"] + self.travel.hours(UnitKind.SCHOOL, rows, km)
        web_h = a["visit_hours_on_site"] * a["online_inspector_days"]
        no = np.zeros(len(rows), bool)
        site_c = visit_cost_yuan(km, part_time, no, no, a)
        web_c = visit_cost_yuan(km, part_time, no, ~no, a)
        return (1.0 - online) * site_h + online * web_h, (1.0 - online) * site_c + online * web_c

    def pooled_free(self, model: SupervisionModel) -> np.ndarray:
        """Field hours the inspectors of each office have left this month, together."""
        ins = model.state.inspectors
        return np.bincount(
            ins.office, weights=np.maximum(self.free, 0), minlength=model.state.offices.n
        )

    def carried_rate(
        self,
        rate: np.ndarray,
        hours: np.ndarray,
        cost: np.ndarray,
        holder: np.ndarray,
        free: np.ndarray,
        office: np.ndarray,
    ) -> np.ndarray:
        """Visit rates scaled to what the hours, then the offices' money, can carry this month.

        Where the expected hours of the requests on one holder of time exceed its free hours,
        every request's rate is scaled down by the same share, and then again where their
        expected bill exceeds the office's money, so that shortfalls are spread over the
        schools.

        Args:
            rate: Chance of each request this month.
            hours: Expected hours of each request.
            cost: Expected yuan of each request.
            holder: Row of ``free`` whose time each request takes (inspector or office).
            free: Free hours of each holder.
            office: Office row paying for each request.

        Returns:
            The chance of each request within the hours and money.
        """
        demand = np.bincount(holder, weights=rate * hours, minlength=len(free))
        by_time = np.minimum(
            1.0, np.divide(free, demand, out=np.zeros(len(free)), where=demand > 0)
        )[holder]
        n_offices = len(self.money)
        bill = np.bincount(office, weights=rate * by_time * cost, minlength=n_offices)
        by_money = np.minimum(
            1.0, np.divide(self.money, bill, out=np.zeros(n_offices), where=bill > 0)
        )[office]
        return rate * by_time * by_money

    def take_hours(
        self, model: SupervisionModel, offices: np.ndarray, hours: np.ndarray, u: np.ndarray
    ) -> np.ndarray:
        """Which of these requests the offices' inspectors still have time for (pooled).

        Requests of an office are served in a random order (``u``) while its inspectors'
        remaining hours this month last; what is served is taken from those hours, from every
        inspector of the office in proportion.
        """
        ins = model.state.inspectors
        n_offices = model.state.offices.n
        free = self.pooled_free(model)
        served = fit(offices, hours, free, u, False)
        used = np.bincount(offices[served], weights=hours[served], minlength=n_offices)
        left = np.clip(1.0 - np.divide(used, free, out=np.zeros(n_offices), where=free > 0), 0, 1)
        self.free = np.where(self.free > 0, self.free * left[ins.office], self.free)
        return served

    def pay(
        self,
        model: SupervisionModel,
        visits: Visits,
        u: np.ndarray,
        *,
        hours_taken: bool,
        scheduled: bool,
    ) -> np.ndarray:
        """Which visits the inspectors' hours, then the offices' money, allow; take them.

        Args:
            model: The model.
            visits: Requested visits, their method fixed.
            u: Uniform draws that order the requests.
            hours_taken: The office's pooled hours were already taken for these visits.
            scheduled: Paid from the money set aside for evaluations and confirmations.

        Returns:
            Boolean mask of the visits served; their hours and yuan are taken from this
            month's resources.
        """
        hours, cost = self.hours_and_cost(model, visits)
        money = self.scheduled if scheduled else self.money
        keep = np.ones(len(visits), bool)
        by_ins = (visits.inspector >= 0) & (not hours_taken)
        keep[by_ins] = fit(visits.inspector[by_ins], hours[by_ins], self.free, u[by_ins], False)
        funded = keep.copy()
        funded[keep] = fit(visits.office[keep], cost[keep], money, u[keep], True)
        self.unfunded += int((keep & ~funded).sum())
        n_ins = len(self.free)
        self.free -= np.bincount(
            visits.inspector[funded & by_ins], weights=hours[funded & by_ins], minlength=n_ins
        )
        money -= np.bincount(visits.office[funded], weights=cost[funded], minlength=len(money))
        return funded
