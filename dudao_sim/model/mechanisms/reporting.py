"""Step 7 — reporting up the hierarchy (ODD 7.7; clauses 四, 五, 二十二).

Each month every county office reports upward the open problems it knows of in its schools
and townships; each city passes its counties' reports on to the province. Reports arrive after
the reporting delay (四: 及时报告). A county under-reports by a share that shrinks with the
chance it believes it has of being cross-checked — the province's spot-check confirmation of
counties (五: 省级抽查认定), and independent data from smart supervision (二十二), as automated
monitoring ended under-reporting of air quality (Greenstone et al. 2022 [@greenstone_2022]).
Townships' problems pass through the county, which can collude with them (Zhou Xueguang 2008
[@zhou_2008]); cross-level checks
break the collusion. A December confirmation that finds far more than the county reported
exposes the misreport, which the consequence ladder takes up the next month.

The reporting chain follows the hierarchy's ``oversees`` edges (county office → city office →
province office); ``flows.reports`` keeps the province totals and ``flows.report_flows`` the
per-government arrays that :meth:`SupervisionModel.reporting_graph` puts on those edges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.model.flows import ReportFlows, ReportTotals
from dudao_sim.model.mechanisms.base import Mechanism
from dudao_sim.model.state import LevelCode, ProblemState, row_count

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

_P = ProblemState


class Reporting(Mechanism):
    """Upward reports with delay, under-reporting and collusion.

    Reads: ``flows.confirmed_counties`` (December); state — problems of schools and
    governments, governments' level and parent. Keeps its own memory (``history`` of reports
    for the delay, ``believed_check`` of counties).

    Writes: ``flows.reports``, ``flows.report_flows``; ``carry.pending`` (misreports exposed
    in December, sanctioned the next month).
    """

    name = "reporting"
    clauses = ("四", "五", "二十二")
    odd_section = "7.7"

    def setup(self, model: SupervisionModel) -> None:
        """Keep a year of monthly reports for the delay, and county beliefs of cross-checks."""
        govs = model.state.governments
        self.history = np.zeros((MONTHS_PER_YEAR + 1, govs.n))
        self.believed_check = np.full(govs.n, model.assumptions["initial_believed_check"])

    def step(self, model: SupervisionModel) -> None:
        """Report this month's known open problems upward and compare with the truth."""
        a, lv, t = model.assumptions, model.levers, model.t
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

        # Belief of being cross-checked: learned from confirmations, plus independent data.
        confirmed = model.flows.confirmed_counties
        if model.calendar.is_december(t) and confirmed is not None:
            self.believed_check += a["check_learning_rate"] * (confirmed - self.believed_check)
        check = np.clip(
            self.believed_check + a["data_transparency"] * float(lv["smart_supervision"]), 0.0, 1.0
        )
        under = np.clip(a["under_reporting_base"] * (1.0 - check), 0.0, 1.0)
        collusion = np.clip(a["collusion_base"] * (1.0 - check), 0.0, 1.0)
        reported = np.where(
            counties, (known + own_known) * (1.0 - under) + town_known * (1.0 - collusion), 0.0
        )

        delay = int(lv["reporting_delay_months"])
        self.history = np.roll(self.history, 1, axis=0)
        self.history[0] = reported
        arrived = self.history[min(delay, MONTHS_PER_YEAR)]
        truth = np.where(counties, present + own_present + town_present, 0.0)
        known_all = np.where(counties, known + own_known + town_known, 0.0)
        # Each city passes its counties' reports on, leaving out a further share (control loss).
        city = np.where(counties, govs.parent, 0)
        city_under = np.bincount(city, weights=under * counties, minlength=n) / np.maximum(
            np.bincount(city, weights=counties.astype(float), minlength=n), 1.0
        )
        to_city = np.bincount(city, weights=arrived * counties, minlength=n)
        passed_on = to_city * (1.0 - a["city_under_reporting_share"] * city_under)
        to_province = passed_on.sum()
        model.flows.report_flows = ReportFlows(
            reported=reported, arrived=arrived, known=known_all, truth=truth, passed_on=passed_on
        )
        model.flows.reports = ReportTotals(
            truth=float(truth.sum()),
            known_by_counties=float(known_all.sum()),
            reported_by_counties=float(reported.sum()),
            arrived_at_cities=float(to_city.sum()),
            arrived_at_province=float(to_province),
        )
        # December confirmations compare the province's own findings with the reports.
        if model.calendar.is_december(t) and confirmed is not None and confirmed.any():
            ratio = np.divide(reported, known_all, out=np.ones(n), where=known_all > 0)
            exposed = confirmed & (ratio < 1.0 - a["misreport_tolerance"])
            model.carry.pending["government"] = exposed
            model.record("misreports_exposed", exposed)
