"""Gaming and collusion with costs (issue 12, part 5).

- Fake closures (虚假整改) are what a re-check (十二) looks at, but ordinary visits,
  evaluations and complaints come across some of them too, at a lower rate
  (``fake_visibility``): fakes caught outside re-checks are a catalogue metric, above 0 in
  every reform scenario.
- Collusion (十九) is a choice: the visited unit's gain (its believed sanction) against the
  inspector's believed chance of exposure (learned from colleagues' removals) × the cost of
  removal. Integrity enforcement reaches it only through removals inspectors see.
- Misconduct exits are phased by each office's discipline capacity
  (``misconduct_cases_per_year``): no purge of a fifth of the inspectorate in the reform's
  first year.

Rule tests act on one mechanism for one month on a 4-county toy province. Ensemble tests run
a seeded 6-county synthetic province for 36 months after a 24-month warm-up and compare the
mean of the last 12 months seed by seed (4 paired seeds: the paired t statistic must exceed 2).
"""

from __future__ import annotations

import model_at
import numpy as np
import pytest

import dudao_sim as ds
from dudao_sim.model.mechanisms import Detection, Purpose, Staffing, Visits
from dudao_sim.model.state import NEVER, ProblemState
from dudao_sim.policy.scenarios import SCENARIO_DIR

P = ProblemState
SEEDS = (1, 2, 3, 4)
#: Scenarios of the reform: reform_2021 and its one-mechanism variants.
REFORM_SCENARIOS = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml") if p.stem != "pre_reform")


@pytest.fixture(scope="module")
def toy() -> ds.Province:
    return ds.synthetic_province(n_counties=4, seed=3)


def reform_model(toy: ds.Province, month: int = 30, **overrides: object) -> ds.SupervisionModel:
    """A reform model at ``month`` (default 30) with its levers in force, before any step."""
    return model_at.reform_model(toy, month, **overrides)


def one_fake_each(model: ds.SupervisionModel) -> int:
    """Give every school one problem closed on paper only (severity 0.8) in teaching."""
    p = model.state.schools.problems
    col = model.state.schools.areas.index("teaching")
    p.state[:] = P.NONE
    p.severity[:] = 0.0
    p.state[:, col] = P.FAKE
    p.severity[:, col] = 0.8
    p.closed[:, col] = model.t - 3
    p.recheck[:] = NEVER
    return col


def visits_to_all(model: ds.SupervisionModel, purpose: Purpose, inspector: int = -1) -> Visits:
    s = model.state.schools
    n = s.n
    return Visits(
        kind=np.zeros(n, np.int8),
        unit=np.arange(n),
        office=s.office.astype(np.int64),
        level=np.full(n, 2, np.int8),
        inspector=np.full(n, inspector, np.int64),
        purpose=np.full(n, purpose, np.int8),
        announced=np.zeros(n, bool),
        online=np.zeros(n, bool),
        familiar=np.ones(n, bool),
    )


# ---- (a) fakes caught outside re-checks, at a lower rate --------------------------------------
def test_ordinary_visits_catch_fakes_at_a_lower_rate_than_rechecks(toy):
    caught = {}
    for purpose in (Purpose.ROUTINE, Purpose.RECHECK):
        model = reform_model(toy, public_contact_details=False)
        col = one_fake_each(model)
        if purpose is Purpose.RECHECK:
            model.state.schools.problems.recheck[:, col] = model.t
        model.visits = visits_to_all(model, purpose)
        Detection().step(model)
        caught[purpose] = model.flows.fake_caught["school"][:, col].mean()
        outside = model.events.get("fakes_caught_outside_rechecks_school", 0)
        total = model.events["fakes_caught_school"]
        assert outside == (total if purpose is Purpose.ROUTINE else 0)
    assert 0 < caught[Purpose.ROUTINE] < caught[Purpose.RECHECK] / 2, caught


def test_without_fake_visibility_only_rechecks_catch_fakes(toy):
    model = reform_model(toy, public_contact_details=False, fake_visibility=0.0)
    col = one_fake_each(model)
    model.visits = visits_to_all(model, Purpose.SPOT_CHECK)
    Detection().step(model)
    assert model.flows.fake_caught["school"][:, col].sum() == 0


def test_a_complaint_about_a_fake_closure_exposes_it(toy):
    model = reform_model(toy, p_complaint=0.05)
    col = one_fake_each(model)
    model.state.schools.badged[:] = 0  # every school has a badged inspector
    model.visits = Visits()
    Detection().step(model)
    caught = model.flows.fake_caught["school"][:, col]
    assert caught.mean() == pytest.approx(0.05 * 0.8, abs=0.02)  # p_complaint × severity
    assert model.events["fakes_caught_outside_rechecks_school"] == caught.sum()
    assert not model.flows.found["school"][:, col].any()  # a fake caught, not a new find


@pytest.fixture(scope="module")
def outside_by_scenario() -> dict[str, float]:
    province = ds.synthetic_province(n_counties=6, seed=21)
    out = {}
    for scenario in REFORM_SCENARIOS:
        model = ds.SupervisionModel(
            province, scenario=scenario, months=24, warmup_months=24, rng=1, create_agents=False
        )
        model.run()
        out[scenario] = float(model.metrics()["n_fakes_caught_outside_rechecks_school"].sum())
    return out


@pytest.mark.slow
@pytest.mark.parametrize("scenario", REFORM_SCENARIOS)
def test_fakes_are_caught_outside_rechecks_in_every_reform_scenario(outside_by_scenario, scenario):
    assert outside_by_scenario[scenario] > 0


# ---- (b) collusion trades the unit's stakes against the inspector's exposure -------------------
def collusion_chance(model: ds.SupervisionModel) -> np.ndarray:
    visits = visits_to_all(model, Purpose.ROUTINE, inspector=0)
    integrity = np.full(len(visits), 0.2)
    return Detection()._collusion_chance(model, visits, integrity)


def test_collusion_rises_with_the_units_stakes_and_falls_with_believed_exposure(toy):
    model = reform_model(toy)
    schools, offices = model.state.schools, model.state.offices
    offices.exposure_belief[:] = 0.05
    schools.belief_sanction[:] = np.linspace(0.0, 1.0, schools.n)
    chance = collusion_chance(model)
    assert chance[0] == 0  # nothing to lose, nothing to gain from collusion
    assert (np.diff(chance) > 0).all()
    offices.exposure_belief[:] = 0.3
    assert (collusion_chance(model)[1:] < chance[1:]).all()


def test_the_collusion_decision_reads_no_lever(toy):
    chances = []
    for enforcement in (0.0, 1.0):
        model = reform_model(toy, integrity_enforcement=enforcement)
        model.levers["integrity_enforcement"] = enforcement
        model.state.schools.belief_sanction[:] = 0.3
        model.state.offices.exposure_belief[:] = 0.1
        chances.append(collusion_chance(model))
    assert np.array_equal(*chances)


def exits_month(model: ds.SupervisionModel, staffing: Staffing) -> np.ndarray:
    before = model.state.inspectors.active.copy()
    staffing._exits(model)
    return before & ~model.state.inspectors.active


def test_inspectors_learn_exposure_from_colleagues_removed(toy):
    model = reform_model(toy, integrity_enforcement=1.0, misconduct_detection=0.4)
    ins, offices = model.state.inspectors, model.state.offices
    ins.misconduct[ins.active] = 1
    staffing = Staffing()
    staffing.setup(model)
    left = exits_month(model, staffing)
    removed = np.bincount(ins.office[left], minlength=offices.n)
    assert removed.sum() > 0
    assert (offices.exposure_belief[removed > 0] > 0).all()
    staffed = np.bincount(ins.office, weights=ins.active | left, minlength=offices.n) > 0
    assert (offices.exposure_belief[~staffed] == 0).all()  # nobody there, nothing seen


def test_an_office_concludes_no_more_cases_a_year_than_its_capacity(toy):
    model = reform_model(toy, integrity_enforcement=1.0, misconduct_detection=0.4)
    a, ins, offices = model.assumptions, model.state.inspectors, model.state.offices
    size = np.bincount(ins.office[ins.active], minlength=offices.n)
    staffing = Staffing()
    staffing.setup(model)
    removed = 0
    for month in range(36, 48):  # one calendar year, everybody under suspicion every month
        model.t = month
        model._reset_month()
        ins.misconduct[ins.active] = 1
        staffing._exits(model)
        removed += model.events.get("misconduct_exits", 0)
    # At most each office's capacity for the year (its fraction rounded up), however many
    # are suspected: a tenth of the inspectorate, not the 40 % a month suspected.
    assert 0 < removed <= np.ceil(a["misconduct_cases_per_year"] * size).sum(), removed
    assert (staffing.cases_this_year <= np.ceil(a["misconduct_cases_per_year"] * size)).all()


# ---- ensembles ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def province() -> ds.Province:
    return ds.synthetic_province(n_counties=6, seed=21)


def last_year(province: ds.Province, seed: int, metric: str, **levers: object) -> float:
    model = ds.SupervisionModel(
        province, months=36, warmup_months=24, rng=seed, create_agents=False, **levers
    )
    model.run()
    return float(model.metrics()[metric].iloc[-12:].mean())


def paired_t(diff: np.ndarray) -> float:
    return float(diff.mean() / (diff.std(ddof=1) / np.sqrt(len(diff))))


@pytest.mark.slow
def test_integrity_enforcement_lowers_collusion(province):
    diff = np.array(
        [
            last_year(province, seed, "n_collusions", integrity_enforcement=1.0)
            - last_year(province, seed, "n_collusions", integrity_enforcement=0.2)
            for seed in SEEDS
        ]
    )
    assert paired_t(diff) < -2, diff


@pytest.mark.slow
def test_the_reform_phases_misconduct_exits(province):
    """No purge in year 1: exits stay within the offices' discipline capacity."""
    model = ds.SupervisionModel(province, months=36, warmup_months=24, rng=1, create_agents=False)
    model.run()
    m = model.metrics()
    start = m["n_inspectors"].iloc[0]
    year = [m["n_misconduct_exits"].iloc[12 * k : 12 * k + 12].sum() for k in range(3)]
    assert year[0] / start < 0.12, year
    assert year[1] + year[2] > 0, year  # the stock is worked off later, not forgotten
