"""Common random numbers: a reform changes only the draws it touches."""

from __future__ import annotations

import numpy as np
import pytest

import dudao_sim as ds
from dudao_sim.model.mechanisms import DEFAULT_MECHANISMS, Mechanism, Purpose, UnitKind
from dudao_sim.model.streams import Streams


def test_streams_are_keyed_by_seed_process_and_month():
    s = Streams(11)
    a = s.uniform("emergence", 4, 100)
    assert np.array_equal(a, Streams(11).uniform("emergence", 4, 100))
    assert not np.array_equal(a, s.uniform("emergence", 5, 100))
    assert not np.array_equal(a, s.uniform("detection", 4, 100))
    assert not np.array_equal(a, Streams(12).uniform("emergence", 4, 100))
    # one draw per unit: the first units' draws do not depend on how many units there are
    assert np.array_equal(a[:10], s.uniform("emergence", 4, 10))


def test_counter_based_draws_do_not_depend_on_which_other_units_draw():
    s = Streams(3)
    everyone = s.uniform_at("visit", 7, np.arange(1000))
    some = s.uniform_at("visit", 7, np.array([5, 999, 17]))
    assert np.array_equal(some, everyone[[5, 999, 17]])
    assert everyone.min() >= 0.0 and everyone.max() < 1.0
    assert abs(everyone.mean() - 0.5) < 0.05  # 1000 draws: SE about 0.009
    assert not np.array_equal(everyone, s.uniform_at("visit", 8, np.arange(1000)))


def test_seed_must_be_a_whole_number():
    with pytest.raises(ValueError, match="seed: -1 is not allowed"):
        Streams(-1)


class _Rechecked(Mechanism):
    """Remembers which schools ever had a re-check visit."""

    name = "rechecked"

    def setup(self, model):
        self.ever = np.zeros(model.state.schools.n, bool)

    def step(self, model):
        v = model.visits
        sel = (v.kind == UnitKind.SCHOOL) & (v.purpose == Purpose.RECHECK)
        self.ever[v.unit[sel]] = True


# Everything that couples one school to another is switched off, so re-checks can touch only
# the schools they visit: no publication (九), no joint liability (十一), committed sampling (八),
# no special supervision (五), no provincial confirmations (五, which feed county sanctions),
# no county spill-over, no collusion (whose exits would re-draw zones), no licence revocation,
# no learning by doing.
DECOUPLED = {
    "publish_reports": False,
    "joint_liability": False,
    "committed_sampling": True,
    "special_supervision": False,
    "provincial_spot_check_share": 0.0,
    "private_school_sanctions": False,
    "county_spillover": 0.0,
    "collusion_scale": 0.0,
    # Re-checks draw on inspectors' hours and offices' money (十七, 二十一), so where those bind a
    # re-check takes a visit from another school: ample money and hours, and no zone visits
    # (zones are sized to fill inspectors' time).
    "budget_per_school_yuan": 20000.0,
    "field_hours_full_time": 100.0,
    "field_hours_part_time": 24.0,
    "zone_visits_per_year": 0,
    # Inspectors learn on visits (十八): a re-check's practice would make its inspector more
    # skilled at other schools.
    "practice_skill_gain": 0.0,
}


def _run(province, recheck_share, seed=4):
    tracker = _Rechecked()
    mechanisms = [*(m() for m in DEFAULT_MECHANISMS), tracker]
    model = ds.SupervisionModel(
        province,
        scenario="reform_2021",
        months=24,
        warmup_months=12,
        rng=seed,
        mechanisms=mechanisms,
        recheck_share=recheck_share,
        **DECOUPLED,
    )
    model.run()
    return model, tracker.ever


def test_a_reform_of_rechecks_leaves_never_rechecked_schools_identical():
    province = ds.synthetic_province(n_counties=3, seed=2)
    base, ever_base = _run(province, 0.02)
    reform, ever_reform = _run(province, 0.1)
    untouched = ~(ever_base | ever_reform)
    touched = ~untouched
    assert untouched.sum() > 100 and touched.sum() > 20
    a, b = base.state.schools, reform.state.schools
    for name in ("quality", "effort", "dressing", "fake", "belief_sanction", "visits_year"):
        assert np.array_equal(getattr(a, name)[untouched], getattr(b, name)[untouched]), name
    assert np.array_equal(a.problems.state[untouched], b.problems.state[untouched])
    # ... while the re-checked schools do differ
    assert not np.array_equal(a.problems.state[touched], b.problems.state[touched])


@pytest.mark.slow
def test_paired_differences_spread_far_less_than_unpaired():
    province = ds.synthetic_province(n_counties=3, seed=5)

    def outcome(scenario, seed):
        model = ds.SupervisionModel(
            province, scenario=scenario, months=24, warmup_months=12, rng=seed
        )
        model.run()
        return model.metrics()["problems_per_school"].iloc[-6:].mean()

    seeds = range(1, 7)
    base = {s: outcome("reform_2021", s) for s in seeds}
    reform = {s: outcome("no_recheck", s) for s in seeds}
    paired = [reform[s] - base[s] for s in seeds]
    unpaired = [reform[s] - base[s % 6 + 1] for s in seeds]  # baseline of another seed
    assert np.std(paired) < 0.5 * np.std(unpaired)
