"""A request for visits and its claim on the month's hours and money, within the cap (八).

A part of the visits mechanism (:mod:`~dudao_sim.model.mechanisms.visits`, ODD 7.3).
:func:`request` writes requested visits of one purpose as rows of
:class:`~dudao_sim.model.mechanisms.base.Visits` (:func:`team_request` where a team or a third
party goes rather than one inspector); :meth:`Claims.claim` fixes each visit's
method (announced or not, 明察暗访; on site or online, 八) and keeps what the inspectors' hours
and the offices' money allow (:class:`~dudao_sim.model.mechanisms.visit_resources.VisitResources`).
A school at the yearly cap is not asked for another visit, and with de-duplication a school
another level visits this month is not asked by a second level, so the time and money go
elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.mechanisms.base import Purpose, UnitKind, Visits
from dudao_sim.model.mechanisms.common import visit_key

if TYPE_CHECKING:
    from dudao_sim.model.mechanisms.visit_resources import VisitResources
    from dudao_sim.model.model import SupervisionModel


def request(
    kind: UnitKind,
    units: np.ndarray,
    offices: np.ndarray,
    level: np.ndarray,
    inspector: np.ndarray,
    purpose: Purpose,
    familiar: np.ndarray | None = None,
) -> Visits:
    """Requested visits of one purpose, announced and on site until their method is fixed.

    Args:
        kind: Which table the visited units are in.
        units: Row of each visited unit.
        offices: Row of each visiting office.
        level: Level of each visiting office (or one level for all).
        inspector: Row of the inspector who goes (-1: a team or third party).
        purpose: Why the visits happen.
        familiar: Whether the inspector is the unit's own badged inspector (default: none is).

    Returns:
        One row per requested visit.
    """
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


def team_request(
    model: SupervisionModel,
    kind: UnitKind,
    units: np.ndarray,
    offices: np.ndarray,
    purpose: Purpose,
) -> Visits:
    """Requested visits by a team of the office or a third party: no one inspector goes.

    Such a visit takes no inspector's hours and costs ``cost_visit_team_yuan`` plus its travel.
    """
    level = model.state.offices.level[offices]
    return request(kind, units, offices, level, np.full(len(units), -1), purpose)


def choose_methods(model: SupervisionModel, visits: Visits) -> Visits:
    """Each visit announced or not (``unannounced_share``) and on site or online (八).

    Only zone visits and spot checks go online (``online_share``); monitoring is unannounced
    and online (tests and data, not a visit to prepare for); evaluations are announced.
    """
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


class Claims:
    """The month's claims of visits on inspectors' hours and offices' money.

    Attributes:
        resources: The month's hours and money.
        claimed: School visits claimed so far this month, by school row (for the cap).
        levels: Bit mask of the office levels coming to each school this month.
    """

    def __init__(self, model: SupervisionModel, resources: VisitResources) -> None:
        """A month with nothing claimed yet."""
        self.resources = resources
        self.claimed = np.zeros(model.state.schools.n, np.int64)
        self.levels = np.zeros(model.state.schools.n, np.int8)

    def claim(
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
        at_cap = school & ~self.under_cap(model)[row]
        if at_cap.any():
            model.record("visits_capped", at_cap)
        taken = school & ~at_cap & self._other_level(model, row, visits.level)
        if taken.any():
            model.record("duplicates_avoided", taken)
        if (at_cap | taken).any():
            visits, u = visits.select(~(at_cap | taken)), u[~(at_cap | taken)]
            if not len(visits):
                return visits
        visits = choose_methods(model, visits)
        funded = self.resources.pay(model, visits, u, hours_taken=hours_taken, scheduled=scheduled)
        school = funded & (visits.kind == UnitKind.SCHOOL)
        self.claimed += np.bincount(visits.unit[school], minlength=len(self.claimed))
        self.levels[visits.unit[school]] |= (1 << visits.level[school]).astype(np.int8)
        return visits.select(funded)

    def under_cap(self, model: SupervisionModel) -> np.ndarray:
        """Schools that may still be visited this year under ``visit_cap_per_year`` (八)."""
        cap = int(model.levers["visit_cap_per_year"])
        schools = model.state.schools
        if cap <= 0:
            return np.ones(schools.n, bool)
        return schools.visits_year + self.claimed < cap

    def _other_level(
        self, model: SupervisionModel, rows: np.ndarray, level: np.ndarray
    ) -> np.ndarray:
        """With ``deduplicate_levels``, whether another level already comes to these schools."""
        if not bool(model.levers["deduplicate_levels"]):
            return np.zeros(len(rows), bool)
        mine = (1 << level.astype(np.int64)).astype(np.int8)
        return (self.levels[rows] & ~mine) != 0
