"""The staffing and zone rules written once (structure/zones.py, structure/inspectorate.py).

The initial inspectorate and the model's staffing mechanism both call these functions; the
tests pin what the rules do on small hand-made inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

from dudao_sim.policy.scenarios import load_scenario
from dudao_sim.policy.targets import MAX_ZONE_SCHOOLS
from dudao_sim.structure.inspectorate import (
    InspectorateSpec,
    full_time_targets,
    inspector_targets,
)
from dudao_sim.structure.zones import deal_zones, schools_to_cover


def test_schools_to_cover_is_at_least_the_share() -> None:
    n = np.array([0, 1, 10, 25, 258])
    assert schools_to_cover(n, 1.0).tolist() == n.tolist()
    assert schools_to_cover(n, 0.0).tolist() == [0] * 5
    assert schools_to_cover(n, 0.9).tolist() == [0, 1, 9, 23, 233]  # 0.9 × 258 = 232.2 → 233
    assert schools_to_cover(np.array([10]), 0.3).tolist() == [3]  # no float-rounding overshoot


def _deal(school_office, to_cover, inspector_office, room, key, uncovered=None):
    school_office = np.asarray(school_office)
    uncovered = np.ones(len(school_office), bool) if uncovered is None else uncovered
    return deal_zones(
        school_office=school_office,
        uncovered=np.asarray(uncovered),
        to_cover=np.asarray(to_cover),
        inspector_office=np.asarray(inspector_office),
        room=np.asarray(room),
        order_key=np.asarray(key, dtype=float),
    )


def test_deal_zones_round_robin_in_key_order() -> None:
    # one office, 5 schools, two inspectors with room 3 each
    schools, inspectors = _deal([0] * 5, [5], [0, 0], [3, 3], [0.5, 0.1, 0.4, 0.2, 0.3])
    assert schools.tolist() == [1, 3, 4, 2, 0]  # increasing key
    assert inspectors.tolist() == [0, 1, 0, 1, 0]  # dealt in turn


def test_deal_zones_respects_goal_room_and_offices() -> None:
    rng = np.random.default_rng(1)
    office = rng.integers(0, 3, 200)
    inspector_office = np.repeat([0, 1, 2], [4, 2, 0])  # office 2 has nobody
    room = np.array([20, 20, 5, 0, 20, 20])
    uncovered = rng.random(200) < 0.8
    to_cover = np.array([50, 100, 10])
    schools, holders = _deal(office, to_cover, inspector_office, room, rng.random(200), uncovered)
    assert uncovered[schools].all()
    assert (inspector_office[holders] == office[schools]).all()  # own office only
    load = np.bincount(holders, minlength=len(room))
    assert (load <= room).all()
    got = np.bincount(office[schools], minlength=3)
    free = np.bincount(inspector_office, weights=room, minlength=3)
    available = np.bincount(office[uncovered], minlength=3)
    assert got.tolist() == np.minimum(np.minimum(to_cover, free), available).astype(int).tolist()


def test_deal_zones_with_nothing_to_do() -> None:
    for args in (
        ([0, 0], [0], [0], [5], [0.1, 0.2]),  # no goal
        ([0, 0], [2], [0], [0], [0.1, 0.2]),  # no room
    ):
        schools, inspectors = _deal(*args)
        assert len(schools) == len(inspectors) == 0


def test_inspector_targets_one_rule_for_every_level() -> None:
    supervised = np.array([128, 0, 0, 41, 40, 0])  # province, 2 cities, 3 counties
    counties = np.array([2, 3, 1, 0, 0, 0])
    targets = inspector_targets(supervised, counties, 5.0, 1.0)
    assert targets.tolist() == [26 + 2, 3, 1, 9, 8, 0]
    assert full_time_targets(targets, 0.3).tolist() == [9, 1, 1, 3, 3, 0]
    # the recruitment buffer scales both parts; halves of per-county staff round up
    assert inspector_targets(np.array([40]), np.array([0]), 5.0, 1.0, buffer=0.1).tolist() == [9]
    assert inspector_targets(np.array([0]), np.array([3]), 5.0, 0.5).tolist() == [2]


def test_spec_from_levers_is_the_scenarios_staffing() -> None:
    levers = load_scenario("pre_reform").levers
    spec = InspectorateSpec.from_levers(levers)
    assert spec.schools_per_inspector == levers["schools_per_inspector_target"]
    assert spec.full_time_share == levers["full_time_share_target"]
    assert spec.badged_coverage == levers["badged_coverage_target"]
    assert spec.max_zone_schools == MAX_ZONE_SCHOOLS
    with pytest.raises(ValueError, match="schools_per_inspector"):
        InspectorateSpec.from_levers({**levers, "schools_per_inspector_target": 0.0})
