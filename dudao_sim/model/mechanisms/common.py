"""Rules and array helpers that several mechanisms share, defined once.

A mechanism module imports :mod:`~dudao_sim.model.mechanisms.base` and this module, never
another mechanism (``tests/test_layering.py`` checks it), so each concept here has one
definition: the resources index of a unit, an inspector's monthly visit capacity, the key of a
visit for counter-based draws, the rank of an element within its group of a sorted array, the
areas third-party monitoring measures and the logistic response of bounded-rational choices.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dudao_sim.model.mechanisms.base import Purpose, UnitKind, Visits
from dudao_sim.model.state import InspectorTable, UnitTable

_N_PURPOSES = len(Purpose)
_N_KINDS = len(UnitKind)

#: Areas third-party monitoring (七) measures, from tests and data: teaching and resources of
#: schools, standards and funding of governments. Detection (what it finds) and reporting (what
#: it sees of the ledger, exposing omitted items) both use them.
MONITORED_AREAS: frozenset[str] = frozenset({"teaching", "resources", "standards", "funding"})


def resources(table: UnitTable, incentive_weight: float) -> np.ndarray:
    """Resources index of each unit: county fiscal capacity tilted by incentives (十三).

    Read by emergence (conditions), rectification (results) and choices (behaviour).
    """
    return table.fiscal * (1.0 + incentive_weight * table.incentive)


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


def logistic(x: np.ndarray) -> np.ndarray:
    """The logistic response of a bounded-rational choice to its logit (behaviour, reporting)."""
    return 1.0 / (1.0 + np.exp(-x))


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
