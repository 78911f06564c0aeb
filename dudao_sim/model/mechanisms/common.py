"""Rules and array helpers that several mechanisms share, defined once.

A mechanism module imports :mod:`~dudao_sim.model.mechanisms.base` and this module, never
another mechanism (``tests/test_layering.py`` checks it), so each concept here has one
definition: the resources index of a unit, an inspector's monthly visit capacity, the teachers'
hours a visit takes, the quality schools lose to that burden, which schools are under an
improvement plan, the key of a visit for counter-based draws, and the rank of an element
within its group of a sorted array.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dudao_sim.model.mechanisms.base import Purpose, UnitKind, Visits
from dudao_sim.model.state import NEVER, InspectorTable, SchoolTable, UnitTable

_N_PURPOSES = len(Purpose)
_N_KINDS = len(UnitKind)


def resources(table: UnitTable, incentive_weight: float) -> np.ndarray:
    """Resources index of each unit: county fiscal capacity tilted by incentives (十三).

    Read by emergence (conditions), rectification (results) and choices (behaviour).
    """
    return table.fiscal * (1.0 + incentive_weight * table.incentive)


def teacher_hours(
    visits: Visits, dressing: np.ndarray, assumptions: Mapping[str, float]
) -> np.ndarray:
    """Teachers' hours each visit takes: on site or online, plus preparing an announced visit.

    Preparation grows with the visited school's window dressing (``dressing``, by school row);
    visits to governments take no teachers' hours. Results book them as each school's burden,
    which costs quality (conditions); the same rule as the ``teacher_hours`` event of visits.
    """
    school = visits.kind == UnitKind.SCHOOL
    dressed = dressing[np.where(school, visits.unit, 0)]
    hours = np.where(
        visits.online, assumptions["teacher_hours_online"], assumptions["teacher_hours_on_site"]
    )
    return (hours + visits.announced * assumptions["teacher_hours_preparation"] * dressed) * school


def burden_toll(schools: SchoolTable, assumptions: Mapping[str, float]) -> np.ndarray:
    """Quality (SD) each school loses to the supervision burden of about the last 12 months.

    The teachers' hours spent on visits and their preparation (``visit_hours``, booked by
    results), as a share of the teachers' working hours the school has (enrolment × hours per
    pupil a year), times the quality lost per unit share of teachers' time. Read by conditions
    (quality) and by the metrics.
    """
    available = np.maximum(schools.enrolment, 1) * assumptions["teacher_hours_per_pupil_year"]
    return assumptions["burden_quality_elasticity"] * schools.visit_hours / available


def improving(schools: SchoolTable, t: int, assumptions: Mapping[str, float]) -> np.ndarray:
    """Open schools under an improvement plan in month ``t``.

    A plan starts at a failing verdict (``failed_month``) — a FAIL rating (set by results) or
    being held to account, accountability or the severe rung (set by consequences) — and
    lasts ``improvement_plan_months``; a new verdict starts a new plan. Interviews and
    circulars act on effort through beliefs, not as a verdict on the whole school. Read by
    conditions (quality) and by the metrics.
    """
    failed = schools.failed_month
    recent = t - failed < assumptions["improvement_plan_months"]
    return schools.active & (failed != NEVER) & recent


def inspector_capacity(inspectors: InspectorTable, assumptions: Mapping[str, float]) -> np.ndarray:
    """Visits a month each inspector slot can make: by contract type, zero when vacant.

    Planning sums it by office for the annual plan; visits spends it month by month.
    """
    return (
        np.where(
            inspectors.full_time,
            assumptions["visits_per_month_full_time"],
            assumptions["visits_per_month_part_time"],
        )
        * inspectors.active
    )


def visit_key(visits: Visits) -> np.ndarray:
    """A key per visit for counter-based draws: (kind, unit, purpose) packed in an integer."""
    return (visits.unit * _N_KINDS + visits.kind) * _N_PURPOSES + visits.purpose


def group_ranks(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each element's group starts, and its rank within the group.

    Args:
        keys: Group keys, sorted so that each group's elements are contiguous.

    Returns:
        ``(start, rank)``: the position of the first element of each element's group, and
        ``position - start`` (0 for the first of a group, 1 for the next, ...).
    """
    position = np.arange(len(keys))
    if not len(keys):
        return position, position
    first = np.r_[True, keys[1:] != keys[:-1]]
    start = np.maximum.accumulate(np.where(first, position, 0))
    return start, position - start
