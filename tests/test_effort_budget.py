"""Gaming has costs and shares one budget of time with genuine effort (issue 12, part 5).

A school's or government's staff and leaders split their discretionary time (multinomial
logit) among genuine improvement, window dressing, fake rectification and ordinary work (the
outside option); gaming pays its own cost (``dressing_cost``, ``fake_cost``). So a unit that
games more has less time for genuine effort, and what makes faking unattractive frees time
for effort (substitution).

- Budget: over random beliefs and random assumption values within their ranges, the target
  shares are in [0, 1] and add up to at most 1; a month of ``Behaviour._choose`` from choices
  inside the budget keeps them inside (hypothesis, derandomized).
- Substitution (unit level, deterministic): with every other belief held fixed, a higher
  believed re-check chance lowers fake rectification and raises genuine effort; a higher cost
  of faking does the same.
- Ensemble: on a 6-county synthetic province (4 paired seeds, 24-month warm-up, 36 months,
  mean of the last 12 months), re-checking every closed item (``recheck_share`` = 1) against
  none raises mean effort and lowers the fake propensity, each with a paired t above 2. The
  part of the effort gain that comes through faking is measured by recomputing the targets at
  the end of each re-checked run with only the believed re-check chance swapped for the one
  learned without re-checks: that part is positive (paired t above 2).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dudao_sim as ds
from dudao_sim.model.mechanisms import Behaviour
from dudao_sim.model.mechanisms.behaviour import choice_targets, time_split
from dudao_sim.model.mechanisms.common import resources
from dudao_sim.policy.assumptions import ASSUMPTIONS

SEEDS = (1, 2, 3, 4)
#: Assumptions of the choice of time.
CHOICE_ASSUMPTIONS = (
    "effort_intercept",
    "effort_stake_weight",
    "effort_incentive_weight",
    "effort_resource_weight",
    "dressing_stake_weight",
    "dressing_cost",
    "fake_stake_weight",
    "fake_cost",
    "fake_caught_penalty_ratio",
    "gaming_resource_weight",
)


def defaults() -> dict[str, float]:
    return {name: float(a.value) for name, a in ASSUMPTIONS.items()}


def beliefs(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random beliefs and holdings of ``n`` units, each within its range."""
    return {
        "detect": rng.uniform(0.0, 1.0, n),
        "sanction": rng.uniform(0.0, 1.0, n),
        "reward": rng.uniform(-1.0, 1.0, n),
        "announced": rng.uniform(0.0, 1.0, n),
        "recheck": rng.uniform(0.0, 1.0, n),
        "res": rng.uniform(0.2, 3.0, n),
    }


@st.composite
def assumption_values(draw: st.DrawFn) -> dict[str, float]:
    """Default assumptions with the choice's own drawn within their low-high ranges."""
    values = defaults()
    for name in CHOICE_ASSUMPTIONS:
        a = ASSUMPTIONS[name]
        values[name] = draw(st.floats(float(a.low), float(a.high), allow_nan=False))
    return values


BUDGET_SETTINGS = settings(
    max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@BUDGET_SETTINGS
@given(values=assumption_values(), seed=st.integers(0, 2**16))
def test_effort_dressing_and_fake_never_exceed_the_budget(values, seed):
    rng = np.random.default_rng(seed)
    effort, dressing, fake = choice_targets(values, **beliefs(500, rng))
    total = effort + dressing + fake
    for share in (effort, dressing, fake):
        assert np.all((share >= 0.0) & (share <= 1.0))
    assert np.all(total <= 1.0), total.max()


@pytest.fixture(scope="module")
def toy() -> ds.Province:
    return ds.synthetic_province(n_counties=4, seed=3)


@pytest.fixture(scope="module")
def month_model(toy) -> ds.SupervisionModel:
    """A model at month 30 before its step; each example overwrites beliefs and choices."""
    model = ds.SupervisionModel(toy, rng=1, create_agents=False)
    model.t = 30
    model._reset_month()
    return model


@BUDGET_SETTINGS
@given(seed=st.integers(0, 2**16))
def test_a_month_of_choices_from_inside_the_budget_stays_inside(month_model, seed):
    rng = np.random.default_rng(seed)
    model = month_model
    behaviour = next(m for m in model.mechanisms if isinstance(m, Behaviour))
    for table in (model.state.schools, model.state.governments):
        b = beliefs(table.n, rng)
        table.belief_sanction[:] = b["sanction"]
        table.belief_announced[:] = b["announced"]
        table.belief_recheck[:] = b["recheck"]
        table.belief_visits[:] = rng.uniform(0.0, 12.0, table.n)
        table.belief_per_visit[:] = rng.uniform(0.0, 1.0, table.n)
        split = rng.dirichlet(np.ones(4), table.n)  # effort, dressing, fake, ordinary work
        table.effort[:], table.dressing[:], table.fake[:] = split[:, 0], split[:, 1], split[:, 2]
        behaviour._choose(model, table)
        assert np.all(table.effort + table.dressing + table.fake <= 1.0)
        assert np.all(np.minimum(table.effort, np.minimum(table.dressing, table.fake)) >= 0.0)


def test_the_time_split_adds_up_to_one_with_ordinary_work():
    u = [np.array([-800.0, 0.0, 3.0, 800.0]), np.array([2.0, 0.0, -1.0, 0.0])]
    first, second = time_split(*u)
    ordinary = 1.0 - first - second
    assert np.all(np.isfinite(first)) and np.all(np.isfinite(second))
    np.testing.assert_allclose(ordinary[1], 1 / 3)
    assert first[3] == pytest.approx(1.0) and ordinary[3] == pytest.approx(0.0)
    np.testing.assert_allclose(np.log(second[:3] / ordinary[:3]), u[1][:3], atol=1e-12)


# ---- substitution, unit by unit ------------------------------------------------------------------
def one_unit_over(name: str, grid: np.ndarray) -> dict[str, np.ndarray]:
    """A school with stakes (sanction 0.6, announced half, average resources), ``name`` varied."""
    n = len(grid)
    held = {
        "detect": np.full(n, 1.0 / 3.0),
        "sanction": np.full(n, 0.6),
        "reward": np.zeros(n),
        "announced": np.full(n, 0.5),
        "recheck": np.full(n, 0.1),
        "res": np.ones(n),
    }
    held[name] = grid
    return held


def test_a_higher_believed_recheck_chance_moves_time_from_faking_to_effort():
    # Up to the chance at which a fake's net gain reaches its floor of -1 (2/3 at the default
    # penalty ratio of 2): beyond it faking is as unattractive as it gets.
    grid = np.linspace(0.0, 0.6, 7)
    effort, dressing, fake = choice_targets(defaults(), **one_unit_over("recheck", grid))
    assert np.all(np.diff(fake) < 0), fake
    assert np.all(np.diff(effort) > 0), effort
    assert np.all(np.diff(dressing) > 0), dressing  # the time freed goes to every other use
    assert effort[-1] - effort[0] > 0.02, effort


def test_a_costlier_fake_frees_time_for_effort():
    a, cheap = defaults(), defaults()
    cheap["fake_cost"] = a["fake_cost"] - 1.0
    held = one_unit_over("recheck", np.array([0.1]))
    effort, _, fake = choice_targets(a, **held)
    effort_cheap, _, fake_cheap = choice_targets(cheap, **held)
    assert fake_cheap[0] > fake[0]
    assert effort_cheap[0] < effort[0]


def test_independent_responses_would_not_substitute():
    """Effort's own utility does not read the re-check chance: the gain is the budget's."""
    grid = np.array([0.0, 1.0])
    a = defaults()
    effort, dressing, fake = choice_targets(a, **one_unit_over("recheck", grid))
    ordinary = 1.0 - effort - dressing - fake
    odds = effort / ordinary  # exp(effort's utility): the same at either re-check chance
    assert odds[0] == pytest.approx(odds[1])
    assert effort[1] > effort[0]


def test_a_reward_moves_effort_only_as_far_as_findings_put_it_at_risk():
    """A good rating's reward (十三) is at stake only where problems are believed to be found."""
    a = defaults()
    for detect in (0.0, 0.5, 1.0):
        held = one_unit_over("reward", np.array([0.0, 0.8]))
        held["detect"] = np.full(2, detect)
        effort, _, _ = choice_targets(a, **held)
        gain = effort[1] - effort[0]
        if detect == 0.0:
            assert gain == pytest.approx(0.0, abs=1e-12)  # never found: the reward is safe
        else:
            assert gain > 0.0, (detect, effort)
    low, high = (one_unit_over("reward", np.array([0.0, 0.8])) for _ in range(2))
    low["detect"], high["detect"] = np.full(2, 0.3), np.full(2, 0.9)
    e_low, _, _ = choice_targets(a, **low)
    e_high, _, _ = choice_targets(a, **high)
    assert e_high[1] - e_high[0] > e_low[1] - e_low[0]


# ---- ensemble ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def province() -> ds.Province:
    return ds.synthetic_province(n_counties=6, seed=21)


def _run(province: ds.Province, seed: int, share: float) -> ds.SupervisionModel:
    model = ds.SupervisionModel(
        province, months=36, warmup_months=24, rng=seed, create_agents=False, recheck_share=share
    )
    model.run()
    return model


def _targets(model: ds.SupervisionModel, recheck: np.ndarray) -> np.ndarray:
    """Schools' effort targets from their end-of-run beliefs, with ``recheck`` swapped in."""
    s, a = model.state.schools, model.assumptions
    effort, _, _ = choice_targets(
        a,
        detect=s.belief_detect,
        sanction=s.belief_sanction,
        reward=s.incentive,
        announced=s.belief_announced,
        recheck=recheck,
        res=resources(s, a["incentive_weight"]),
    )
    return float(effort[s.active].mean())


@pytest.fixture(scope="module")
def recheck_pairs(province) -> dict[str, np.ndarray]:
    out: dict[str, list[float]] = {"effort": [], "fake": [], "through_fake": []}
    for seed in SEEDS:
        full, none = _run(province, seed, 1.0), _run(province, seed, 0.0)
        mf, mn = full.metrics().iloc[-12:], none.metrics().iloc[-12:]
        out["effort"].append(mf["effort_mean"].mean() - mn["effort_mean"].mean())
        out["fake"].append(mf["fake_propensity_mean"].mean() - mn["fake_propensity_mean"].mean())
        s = full.state.schools
        swapped = _targets(full, none.state.schools.belief_recheck)
        out["through_fake"].append(_targets(full, s.belief_recheck) - swapped)
    return {k: np.array(v) for k, v in out.items()}


def paired_t(diff: np.ndarray) -> float:
    return float(diff.mean() / (diff.std(ddof=1) / np.sqrt(len(diff))))


@pytest.mark.slow
def test_rechecks_lower_faking_and_raise_genuine_effort(recheck_pairs):
    assert paired_t(recheck_pairs["fake"]) < -2, recheck_pairs["fake"]
    assert paired_t(recheck_pairs["effort"]) > 2, recheck_pairs["effort"]


@pytest.mark.slow
def test_the_effort_gain_of_rechecks_comes_through_faking(recheck_pairs):
    assert paired_t(recheck_pairs["through_fake"]) > 2, recheck_pairs["through_fake"]
