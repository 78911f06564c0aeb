"""Staffing outcomes that are choices, not formulas (十七, 十八, 二十一, 二十五; ODD 7.9).

Skill is what inspectors do and who they are: learning by doing on the visits they make,
training that the office pays for and that takes field hours, recruits of lower skill and
decay. The full-time share is offices' choice between a full-timer's post and part-timers'
fees, pulled toward the target only as far as they believe missing it costs. Seeded synthetic
provinces; statistical claims over paired seeds (t > 2).
"""

from __future__ import annotations

import model_at
import numpy as np
import pytest

import dudao_sim as ds
from dudao_sim.model.flows import Visits
from dudao_sim.model.mechanisms import Staffing
from dudao_sim.model.mechanisms.common import contract_hours

SEEDS = (1, 2, 3, 4, 5, 6)


@pytest.fixture(scope="module")
def toy() -> ds.Province:
    return ds.synthetic_province(n_counties=4, seed=3)


#: Runs already made, by (province, seed, fiscal capacity, levers): the paired tests share
#: their ``reform_2021`` arm, and one run gives all three metrics.
_RUNS: dict[tuple, dict[str, float]] = {}


def _tails(province: ds.Province, seed: int, fiscal: float = 1.0, **levers) -> dict[str, float]:
    """Mean of the last 12 months of three metrics, after 12 + 36 months of ``reform_2021``."""
    key = (id(province), seed, fiscal, tuple(sorted(levers.items())))
    if key not in _RUNS:
        _RUNS[key] = _run_tails(province, seed, fiscal, **levers)
    return _RUNS[key]


def _run_tails(province: ds.Province, seed: int, fiscal: float, **levers) -> dict[str, float]:
    model = ds.SupervisionModel(
        province,
        scenario="reform_2021",
        months=36,
        warmup_months=12,
        rng=seed,
        create_agents=False,
        **levers,
    )
    model.state.offices.fiscal *= fiscal  # the jurisdictions' fiscal capacity
    model.run()
    frame = model.metrics()
    names = ("inspectorate_full_time_share", "inspector_skill", "n_school_visits")
    return {name: float(frame[name].tail(12).mean()) for name in names}


def _paired_t(a: list[float], b: list[float]) -> float:
    d = np.asarray(a) - np.asarray(b)
    return float(d.mean() / (d.std(ddof=1) / np.sqrt(len(d))))


def _ensemble(province: ds.Province, metric: str, **change) -> tuple[list[float], list[float]]:
    """``metric`` under ``reform_2021`` and under the change, paired over :data:`SEEDS`."""
    base = [_tails(province, s)[metric] for s in SEEDS]
    changed = [_tails(province, s, **change)[metric] for s in SEEDS]
    return base, changed


# ---- skill (十八) ------------------------------------------------------------------------------
def test_inspectors_who_make_more_visits_learn_more_and_those_who_make_none_do_not(toy):
    model = model_at.reform_model(toy)
    ins = model.state.inspectors
    rows = np.flatnonzero(ins.active)[:30]
    ins.skill[rows] = 0.5
    ins.training_month[:] = 0.0
    made = np.repeat([0, 1, 4], 10)  # visits this month of three groups of ten
    who = np.repeat(rows, made)
    model.flows.visits = Visits(
        unit=np.zeros(len(who), np.int64),
        inspector=who.astype(np.int64),
        kind=np.zeros(len(who), np.int8),
        office=ins.office[who].astype(np.int64),
        level=np.zeros(len(who), np.int8),
        purpose=np.zeros(len(who), np.int8),
        announced=np.zeros(len(who), bool),
        online=np.zeros(len(who), bool),
        familiar=np.zeros(len(who), bool),
    )
    Staffing()._learning(model)
    gain = (ins.skill[rows] - 0.5).reshape(3, 10)
    assert (gain[0] < 0).all()  # no practice, no training: skill fades
    assert (gain[1] > gain[0]).all() and (gain[2] > gain[1]).all()
    # Diminishing returns: four visits teach less than four times what one does.
    assert (gain[2] - gain[0] < 4 * (gain[1] - gain[0])).all()


def test_scheduled_training_takes_field_hours_and_is_paid_from_the_budget(toy):
    model = model_at.reform_model(toy, month=25, training_hours_per_year=120)
    ins, offices = model.state.inspectors, model.state.offices
    offices.budget[:] = 1e9
    offices.spent[:] = 0.0
    before = contract_hours(ins, model.assumptions)
    Staffing()._schedule_training(model)
    month = 120 / 12
    assert np.allclose(ins.training_month[ins.active & ins.full_time], month)
    after = contract_hours(ins, model.assumptions)
    assert np.allclose(after[ins.active & ins.full_time], before[ins.active & ins.full_time] - 10)
    # Part-timers have little time: the office takes at most a share of it for training.
    spare = (
        model.assumptions["training_field_share_max"] * model.assumptions["field_hours_part_time"]
    )
    assert np.allclose(ins.training_month[ins.active & ~ins.full_time], min(month, spare))
    assert (after[ins.active & ~ins.full_time] > 0).all()
    assert offices.spent.sum() == pytest.approx(
        ins.training_month.sum() * model.assumptions["training_cost_yuan_per_hour"]
    )
    # Without money left, no training is scheduled and nothing is spent.
    offices.spent[:] = offices.budget
    Staffing()._schedule_training(model)
    assert ins.training_month.max() == 0.0


@pytest.mark.slow
def test_more_training_raises_skill_but_cuts_visits(toy):
    """Training hours (十八) come out of field time and the budget: a trade-off, not a gift."""
    base, trained = _ensemble(toy, "inspector_skill", training_hours_per_year=120)
    assert _paired_t(trained, base) > 2.0
    base, trained = _ensemble(toy, "n_school_visits", training_hours_per_year=120)
    assert _paired_t(base, trained) > 2.0


# ---- the full-time share (十七, 二十一, 二十五) ---------------------------------------------
@pytest.mark.slow
def test_lower_fiscal_capacity_lowers_the_full_time_share(toy):
    """Fewer establishment posts and a salary that weighs more: fewer full-time hires."""
    base, poorer = _ensemble(toy, "inspectorate_full_time_share", fiscal=0.5)
    assert _paired_t(base, poorer) > 2.0


@pytest.mark.slow
def test_a_tighter_budget_raises_the_full_time_share(toy):
    """The supervision budget pays part-timers' fees (二十一), not full-timers' salaries: with
    less of it, offices can keep fewer part-timers, so full-timers are a larger share."""
    base, tight = _ensemble(toy, "inspectorate_full_time_share", budget_per_school_yuan=1000.0)
    assert _paired_t(tight, base) > 2.0


@pytest.mark.slow
def test_implementation_supervision_pulls_the_full_time_share_toward_the_target(toy):
    """Without the province's checks (二十五) offices do not believe missing the target costs."""
    base, unchecked = _ensemble(toy, "inspectorate_full_time_share", implementation_supervision=0.0)
    assert _paired_t(base, unchecked) > 2.0
    target = 0.3  # reform_2021's full_time_share_target
    assert np.mean(unchecked) < np.mean(base) <= target + 0.05
