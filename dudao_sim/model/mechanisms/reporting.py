"""Step 7 — reporting up the hierarchy (ODD 7.7; clauses 四, 五, 七, 十六, 二十二).

Each month every county office reports upward the open problems it knows of in its schools,
its townships and its own duties; each city passes its counties' reports on to the province.
Reports arrive after the reporting delay (四: 及时报告).

What to leave out is each county's and each city's **choice**, a bounded-rational (logistic)
response like the choices of schools (7.8). A cleaner report gains what the government
believes a poor record costs it — the consequences it has learned follow once its problems are
found (its believed sanction, 十六) and the incentive it holds (十三) — and risks the believed
yearly chance of exposure times the misreport sanction it believes follows an exposure. Poorer
counties leave out more, as under-reporting of air quality was worst in poorer cities
(Greenstone et al. 2022 [@greenstone_2022]). The same disposition hides township problems
(county–township collusion, Zhou Xueguang 2008 [@zhou_2008]) and, in a city, part of its
counties' reports.

The province sees part of the counties' ledgers independently of the reports: its December
confirmation of the county and a sample of its schools (省级抽查认定, 五), third-party
monitoring of schools' monitored areas (七), and, with smart supervision (二十二), schools'
ledgers in its information system, as automated monitoring ended the under-reporting of air
quality (Greenstone et al. 2022). Each known item seen was left out with the chosen share;
once the province has seen ``misreport_evidence`` omitted items in a year, the misreport is
**exposed** (so exposure grows with what is left out and with how much the province sees) and
sanctioned the next month by the misreport sanction (consequences, 十六: 不配合教育督导).
Counties and cities learn their yearly chance of exposure, and the sanction
that follows an exposure, from the exposures of their own and of their peers (the other
counties of their city; the other cities) by exponential smoothing. They never read a lever:
the spot-check share, monitoring and smart supervision reach them only through the exposures
they cause, the misreport sanction only through the sanctions that follow.

The reporting chain follows the hierarchy's ``oversees`` edges (county office → city office →
province office); ``flows.reports`` keeps the province totals and ``flows.report_flows`` the
per-government arrays that :meth:`SupervisionModel.reporting_graph` puts on those edges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.flows import ReportFlows, ReportTotals
from dudao_sim.model.mechanisms.base import Mechanism, Purpose, UnitKind
from dudao_sim.model.mechanisms.common import MONITORED_AREAS, logistic, resources
from dudao_sim.model.state import NEVER, LevelCode, ProblemState, row_count

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

_P = ProblemState


def _group_mean(values: np.ndarray, group: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Mean of ``values`` over the members of each unit's group (0 where a group has none)."""
    n = len(values)
    total = np.bincount(group[members], weights=values[members], minlength=n)
    count = np.bincount(group[members], minlength=n)
    mean = np.divide(total, count, out=np.zeros(n), where=count > 0)
    return mean[group]


class Reporting(Mechanism):
    """Upward reports: what counties and cities choose to leave out, and its exposure.

    Reads: ``flows.visits`` (confirmation and monitoring visits), ``flows.misreport_sanction``;
    state — problems of schools and governments, governments' level, parent, fiscal,
    incentive and believed sanction. Keeps its own memory: ``history`` of reports (for the
    delay), and per county and city the chosen ``omission`` disposition, the
    ``believed_exposure`` (exposures a year) and the ``believed_misreport_sanction``.

    Writes: ``flows.reports``, ``flows.report_flows``; ``carry.pending`` (misreports exposed
    this month, sanctioned the next).
    """

    name = "reporting"
    clauses = ("四", "五", "七", "十六", "二十二")
    odd_section = "7.7"

    def setup(self, model: SupervisionModel) -> None:
        """A year of monthly reports for the delay; beliefs and the initial disposition."""
        a = model.assumptions
        govs = model.state.governments
        self.history = np.zeros((MONTHS_PER_YEAR + 1, govs.n))
        self.reporters = (govs.level == LevelCode.COUNTY) | (govs.level == LevelCode.CITY)
        # Peers: the other counties of a county's city; the other cities of the province.
        self.group = np.where(self.reporters, govs.parent, np.arange(govs.n))
        self.believed_exposure = np.where(self.reporters, a["initial_believed_exposure"], 0.0)
        self.believed_misreport_sanction = np.where(
            self.reporters, a["initial_believed_misreport_sanction"], 0.0
        )
        self.exposed = np.zeros(govs.n, bool)  # exposed last month: sanctioned this month
        self.last_exposed = np.full(govs.n, NEVER, np.int64)
        self.evidence = np.zeros(govs.n)  # omitted items the province saw this year
        self.omission = self._target(model)

    def step(self, model: SupervisionModel) -> None:
        """Learn, choose what to leave out, report upward; the province's observations."""
        self._learn_sanction(model)
        self.omission += model.assumptions["adaptation_rate"] * (
            self._target(model) - self.omission
        )
        under, collusion, city_under = self._shares(model)
        self._report(model, under, collusion, city_under)
        exposed = self._observe(model, under, city_under)
        self._learn_exposure(model, exposed)
        self.exposed = exposed

    # ---- what counties and cities believe and choose (they read no lever) -----------------
    def _learn_sanction(self, model: SupervisionModel) -> None:
        """Believed misreport sanction: what followed last month's exposures, own and peers'."""
        a = model.assumptions
        felt = model.flows.misreport_sanction
        if felt is None:
            felt = np.zeros(len(self.exposed))
        seen = self.exposed & self.reporters
        peer = _group_mean(felt, self.group, seen)
        peer_seen = np.bincount(self.group[seen], minlength=len(seen))[self.group] > 0
        weight = a["peer_weight"]
        observed = np.where(seen, (1.0 - weight) * felt + weight * peer, peer)
        learn = (seen | peer_seen) & self.reporters
        self.believed_misreport_sanction[learn] += a["learning_rate"] * (
            observed[learn] - self.believed_misreport_sanction[learn]
        )

    def _learn_exposure(self, model: SupervisionModel, exposed: np.ndarray) -> None:
        """Believed exposures a year: this month's exposures of the unit and its peers."""
        a = model.assumptions
        own = exposed.astype(float)
        peer = _group_mean(own, self.group, self.reporters)
        weight = a["peer_weight"]
        observed = MONTHS_PER_YEAR * ((1.0 - weight) * own + weight * peer)
        rate = a["exposure_learning_rate"]
        self.believed_exposure = np.where(
            self.reporters,
            self.believed_exposure + rate * (observed - self.believed_exposure),
            0.0,
        )

    def _target(self, model: SupervisionModel) -> np.ndarray:
        """The disposition to leave known problems out of the report (0–1), by its logit.

        Gain of a cleaner report: believed sanction once problems are found plus the
        incentive held; risk: believed exposures a year × believed misreport sanction.
        """
        a = model.assumptions
        govs = model.state.governments
        gain = govs.belief_sanction + govs.incentive
        risk = self.believed_exposure * self.believed_misreport_sanction
        res = resources(govs, a["incentive_weight"])
        target = logistic(
            a["misreport_intercept"]
            + a["misreport_gain_weight"] * gain
            - a["misreport_risk_weight"] * risk
            - a["gaming_resource_weight"] * (res - 1.0)
        )
        return np.where(self.reporters, target, 0.0)

    def _shares(self, model: SupervisionModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Shares left out: a county's own and schools' items, townships', a city's."""
        a = model.assumptions
        govs = model.state.governments
        counties = govs.level == LevelCode.COUNTY
        cities = govs.level == LevelCode.CITY
        under = np.where(counties, a["under_reporting_max"] * self.omission, 0.0)
        collusion = np.where(counties, a["collusion_max"] * self.omission, 0.0)
        city_under = np.where(
            cities,
            a["city_under_reporting_share"] * a["under_reporting_max"] * self.omission,
            0.0,
        )
        return under, collusion, city_under

    # ---- the reports (transmission: delay) -------------------------------------------------
    def _report(
        self,
        model: SupervisionModel,
        under: np.ndarray,
        collusion: np.ndarray,
        city_under: np.ndarray,
    ) -> None:
        """Report this month's known open problems upward and compare with the truth."""
        schools, govs = model.state.schools, model.state.governments
        counties = govs.level == LevelCode.COUNTY
        n = govs.n
        known = np.bincount(
            schools.county, weights=row_count(schools.problems.state == _P.OPEN), minlength=n
        )
        present = np.bincount(
            schools.county, weights=row_count(schools.problems.present), minlength=n
        )
        townships = govs.level == LevelCode.TOWNSHIP
        town_known = np.bincount(
            govs.parent[townships],
            weights=row_count(govs.problems.state[townships] == _P.OPEN),
            minlength=n,
        )
        town_present = np.bincount(
            govs.parent[townships],
            weights=row_count(govs.problems.present[townships]),
            minlength=n,
        )
        own_known = row_count(govs.problems.state == _P.OPEN)
        own_present = row_count(govs.problems.present)
        reported = np.where(
            counties, (known + own_known) * (1.0 - under) + town_known * (1.0 - collusion), 0.0
        )
        delay = int(model.levers["reporting_delay_months"])
        self.history = np.roll(self.history, 1, axis=0)
        self.history[0] = reported
        arrived = self.history[min(delay, MONTHS_PER_YEAR)]
        truth = np.where(counties, present + own_present + town_present, 0.0)
        known_all = np.where(counties, known + own_known + town_known, 0.0)
        # Each city passes its counties' reports on, leaving out the share it chose.
        city = np.where(counties, govs.parent, 0)
        to_city = np.bincount(city, weights=arrived * counties, minlength=n)
        passed_on = to_city * (1.0 - city_under)
        model.flows.report_flows = ReportFlows(
            reported=reported, arrived=arrived, known=known_all, truth=truth, passed_on=passed_on
        )
        model.flows.reports = ReportTotals(
            truth=float(truth.sum()),
            known_by_counties=float(known_all.sum()),
            reported_by_counties=float(reported.sum()),
            arrived_at_cities=float(to_city.sum()),
            arrived_at_province=float(passed_on.sum()),
        )

    # ---- the province's independent observations (the supervision system acts) ------------
    def _observe(
        self, model: SupervisionModel, under: np.ndarray, city_under: np.ndarray
    ) -> np.ndarray:
        """Counties and cities whose misreport an independent observation exposed this month.

        Seen known items: all open items of schools and counties the provincial confirmation
        visited, of schools whose ledger the information system holds this month (smart
        supervision), and open items in the monitored areas of schools third-party monitoring
        visited. Each was left out by the county with its share, or dropped by the city; once
        ``misreport_evidence`` omitted items are seen in a year, the misreport is established.
        """
        a, t = model.assumptions, model.t
        schools, govs = model.state.schools, model.state.governments
        visits = model.flows.visits
        counties = govs.level == LevelCode.COUNTY
        cities = govs.level == LevelCode.CITY

        def visited(kind: UnitKind, purpose: Purpose, n: int) -> np.ndarray:
            sel = (visits.kind == kind) & (visits.purpose == purpose)
            return np.bincount(visits.unit[sel], minlength=n) > 0

        reach = a["smart_data_reach"] * float(model.levers["smart_supervision"])
        in_data = model.streams.uniform("smart_supervision_data", t, schools.n) < reach
        whole = visited(UnitKind.SCHOOL, Purpose.CONFIRMATION, schools.n) | in_data
        monitored = visited(UnitKind.SCHOOL, Purpose.MONITORING, schools.n)
        areas = np.array([area in MONITORED_AREAS for area in schools.areas])
        seen = (
            (schools.problems.state == _P.OPEN)
            & schools.active[:, None]
            & (whole[:, None] | (monitored[:, None] & areas[None, :]))
        )
        items = np.bincount(schools.county, weights=row_count(seen), minlength=govs.n)
        confirmed = model.flows.confirmed_counties
        if confirmed is None:
            confirmed = np.zeros(govs.n, bool)
        items += np.where(confirmed, row_count(govs.problems.state == _P.OPEN), 0)
        items = np.where(counties, items, 0.0).astype(np.int64)
        # Of the items seen, those the county left out; of the rest, those its city dropped.
        draws = model.streams.generator("misreport_evidence", t)
        omitted = draws.binomial(items, np.clip(under, 0.0, 1.0))
        city = np.where(counties, govs.parent, 0)
        passed = np.bincount(city, weights=(items - omitted) * counties, minlength=govs.n)
        dropped = draws.binomial(passed.astype(np.int64), np.clip(city_under, 0.0, 1.0))
        # Evidence accumulates over the year; a misreport is established once enough omitted
        # items have been seen, at most once a year per unit (one case a year).
        if model.calendar.is_january(t):
            self.evidence[:] = 0.0
        self.evidence += np.where(counties, omitted, np.where(cities, dropped, 0))
        open_case = (self.last_exposed != NEVER) & (t - self.last_exposed < MONTHS_PER_YEAR)
        exposed = (
            (self.evidence >= a["misreport_evidence"]) & self.reporters & govs.active & ~open_case
        )
        self.evidence[exposed] = 0.0
        self.last_exposed[exposed] = t
        model.carry.pending["government"] = exposed
        model.record("misreports_exposed", exposed)
        model.record("items_seen_independently", items)
        return exposed
