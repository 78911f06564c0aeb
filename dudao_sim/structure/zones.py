"""The rule that draws badged responsibility zones (督学责任区, clause 六), written once.

Two places put schools into inspectors' zones: the initial inspectorate
(:func:`~dudao_sim.structure.inspectorate.assign_badged_zones`, also what the model starts
from) and the model's staffing mechanism, which each month gives schools whose inspector left a
new one. Both call :func:`deal_zones` with the same meaning of every argument, and both turn a
coverage target into a number of schools with :func:`schools_to_cover`:

* an office covers at most ``to_cover`` more of its uncovered schools, chosen in the order of
  a random key (a seeded draw);
* the chosen schools are dealt in turn to the office's inspectors that have room, so zone
  sizes differ by at most one where rooms are equal, and no inspector takes more schools than
  their room (at most the zone limit of 教督〔2012〕7号, ``max_zone_schools`` in
  ``policy/targets.toml``).

Example:
    >>> import numpy as np
    >>> from dudao_sim.structure.zones import deal_zones
    >>> schools, inspectors = deal_zones(
    ...     school_office=np.array([0, 0, 0, 1]), uncovered=np.ones(4, bool),
    ...     to_cover=np.array([3, 1]), inspector_office=np.array([0, 0, 1]),
    ...     room=np.array([2, 2, 0]), order_key=np.array([0.3, 0.1, 0.2, 0.5]))
    >>> schools.tolist(), inspectors.tolist()
    ([1, 2, 0], [0, 1, 0])
"""

from __future__ import annotations

import numpy as np

#: Below a whole number by this much still counts as that number (float rounding of a share).
_TOLERANCE = 1e-9


def schools_to_cover(n_schools: np.ndarray | float, share: float) -> np.ndarray:
    """Schools an office must cover to reach a coverage target: at least the share (六).

    Args:
        n_schools: Schools that need a badged inspector, per office.
        share: Target share in [0, 1] (clause 六: 1, full coverage).

    Returns:
        ``ceil(share × n_schools)`` as integers (the target is a floor, like the full-time
        share of clause 十七).
    """
    return np.ceil(share * np.asarray(n_schools, dtype=float) - _TOLERANCE).astype(np.int64)


def group_ranks(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each element's group starts, and its rank within the group.

    The one definition, shared with the model's mechanisms
    (:mod:`dudao_sim.model.mechanisms.common` re-exports it).

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


def deal_zones(
    school_office: np.ndarray,
    uncovered: np.ndarray,
    to_cover: np.ndarray,
    inspector_office: np.ndarray,
    room: np.ndarray,
    order_key: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Deal uncovered schools into the free zone places of their office's inspectors (六).

    Args:
        school_office: Office (row) of each school.
        uncovered: Schools that need a badged inspector and have none.
        to_cover: Per office, how many more schools it covers at most.
        inspector_office: Office (row) of each inspector.
        room: Per inspector, free places in their zone (0 for a vacant post).
        order_key: Per school, a random key: an office covers its uncovered schools in
            increasing key order.

    Returns:
        ``(schools, inspectors)``: rows of the schools that get a zone and of the inspector
        each goes to. Within an office, places are taken round-robin: every inspector's first
        free place, then every second place, and so on, in inspector row order.
    """
    none = np.zeros(0, np.int64)
    room = np.maximum(np.asarray(room, dtype=np.int64), 0)
    to_cover = np.asarray(to_cover, dtype=np.int64)
    candidates = np.flatnonzero(uncovered)
    if not len(candidates) or not to_cover.any() or not room.any():
        return none, none
    # Schools in random order within each office; the first ``to_cover`` of each are taken.
    office = np.asarray(school_office)[candidates]
    order = np.lexsort((np.asarray(order_key)[candidates], office))
    candidates, office = candidates[order], office[order]
    _, rank = group_ranks(office)
    # Free places as a flat list of inspector rows, dealt round-robin within each office.
    places = np.repeat(np.arange(len(room)), room)
    place_office = np.asarray(inspector_office)[places]
    _, depth = group_ranks(places)  # 0 for an inspector's first free place, 1 for the next, ...
    dealt = np.lexsort((places, depth, place_office))
    places, place_office = places[dealt], place_office[dealt]
    n_offices = len(to_cover)
    n_places = np.bincount(place_office, minlength=n_offices)
    first_place = np.searchsorted(place_office, np.arange(n_offices))
    take = (rank < to_cover[office]) & (rank < n_places[office])
    chosen, chosen_office = candidates[take], office[take]
    return chosen.astype(np.int64), places[first_place[chosen_office] + rank[take]]
