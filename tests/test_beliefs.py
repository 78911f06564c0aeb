"""Beliefs learned from what units observe, and reporting as a choice (issue 12, parts 1 and 4).

Fast tests check each rule on a tiny province; the ensembles (``slow``) check that the
responses hold over paired seeds. Tolerance of the ensembles: a response holds when the mean
paired difference (same seeds, common random numbers) is at least twice its standard error —
a paired t of 2 — on a 12-county synthetic province, 5 seeds, a 24-month warm-up and 48 months,
outcome = mean of the last 12 months.

Units never read a lever: :func:`test_units_read_no_lever_when_they_learn_and_choose` runs a
model whose levers raise when read inside the decisions of schools, governments, counties and
cities, and :func:`test_unit_decision_code_names_no_lever` checks the source of those
decisions.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

import model_at
import numpy as np
import pytest

import dudao_sim as ds
from dudao_sim.model.mechanisms import (
    Behaviour,
    Consequences,
    Purpose,
    Reporting,
    UnitKind,
    Visits,
)
from dudao_sim.model.state import LevelCode, ProblemState

P = ProblemState

#: The decisions of supervised units (schools, governments; counties and cities reporting):
#: they may read only what the unit observes, never a lever.
UNIT_DECISIONS = {
    Behaviour: ("_learn", "_learn_sanction", "_choose"),
    Reporting: ("_learn_sanction", "_learn_exposure", "_target", "_shares"),
}


@pytest.fixture(scope="module")
def toy() -> ds.Province:
    return ds.synthetic_province(n_counties=4, seed=3)


reform_model = model_at.reform_model


def visits_to(units: np.ndarray, office: np.ndarray, kind: UnitKind, purpose: Purpose) -> Visits:
    n = len(units)
    return Visits(
        kind=np.full(n, kind, np.int8),
        unit=units.astype(np.int64),
        office=office.astype(np.int64),
        level=np.full(n, LevelCode.COUNTY, np.int8),
        inspector=np.full(n, -1, np.int64),
        purpose=np.full(n, purpose, np.int8),
        announced=np.ones(n, bool),
        online=np.zeros(n, bool),
        familiar=np.zeros(n, bool),
    )


def one_problem_each(model, state: P, area: str = "teaching") -> int:
    p = model.state.schools.problems
    col = model.state.schools.areas.index(area)
    p.state[:] = P.NONE
    p.state[:, col] = state
    p.severity[:, col] = np.where(state == P.NONE, 0.0, 0.8)
    return col


# ---- beliefs of schools (behaviour, 7.8) ---------------------------------------------------
def test_known_problems_are_not_misses_of_a_visit(toy):
    """A visit to a school whose only problem is already on the ledger teaches nothing."""
    model = reform_model(toy)
    s = model.state.schools
    one_problem_each(model, P.OPEN)
    model.flows.visits = visits_to(np.arange(s.n), s.office, UnitKind.SCHOOL, Purpose.ROUTINE)
    model.flows.found["school"] = np.zeros(s.problems.state.shape, bool)
    behaviour = Behaviour()
    behaviour.setup(model)
    before = s.belief_per_visit.copy()
    behaviour._learn(model, s, UnitKind.SCHOOL, "school")
    assert np.array_equal(s.belief_per_visit, before)


def test_believed_detection_is_found_over_hidden_at_visited_units(toy):
    model = reform_model(toy)
    s = model.state.schools
    col = one_problem_each(model, P.HIDDEN)
    model.flows.visits = visits_to(np.arange(s.n), s.office, UnitKind.SCHOOL, Purpose.ROUTINE)
    found = np.zeros(s.problems.state.shape, bool)
    found[::2, col] = True  # every other school's hidden problem is found (now on the ledger)
    s.problems.state[found] = P.OPEN
    model.flows.found["school"] = found
    s.belief_per_visit[:] = 0.3
    behaviour = Behaviour()
    behaviour.setup(model)
    behaviour._learn(model, s, UnitKind.SCHOOL, "school")
    rate = model.assumptions["learning_rate"]
    assert np.allclose(s.belief_per_visit[::2], 0.3 + rate * (1.0 - 0.3))
    assert np.allclose(s.belief_per_visit[1::2], 0.3 - rate * 0.3)


def test_peers_teach_the_sanction_that_follows_a_finding(toy):
    """Published peers nobody found are no evidence of leniency; found, unsanctioned ones are."""
    beliefs = {}
    for case in ("private", "published", "found_unsanctioned"):
        model = reform_model(toy)
        s = model.state.schools
        county = s.county == s.county[0]
        first = np.flatnonzero(county)[0]
        found = np.zeros(s.problems.state.shape, bool)
        found[first, 0] = True
        if case == "found_unsanctioned":
            found[county, 0] = True
        felt = np.zeros(s.n)
        felt[first] = 0.8
        model.flows.found["school"] = found
        model.flows.sanction_value["school"] = felt
        model.flows.published = case != "private"
        behaviour = Behaviour()
        behaviour.setup(model)
        behaviour._learn(model, s, UnitKind.SCHOOL, "school")
        beliefs[case] = s.belief_sanction.copy()
        others = county.copy()
        others[first] = False
    # The sanctioned school's belief is not pulled down by peers nobody found ...
    assert beliefs["published"][first] == pytest.approx(beliefs["private"][first])
    # ... its unfound peers learn from it ...
    assert (beliefs["published"][others] > beliefs["private"][others]).all()
    # ... and peers found but not sanctioned do lower the believed sanction.
    assert beliefs["found_unsanctioned"][first] < beliefs["published"][first]


def test_a_school_pressed_by_its_jointly_liable_county_feels_it(toy):
    model = reform_model(toy)
    s = model.state.schools
    pressed = np.arange(s.n) % 2 == 0
    model.flows.pressed["school"] = pressed
    model.flows.found["school"] = np.zeros(s.problems.state.shape, bool)
    behaviour = Behaviour()
    behaviour.setup(model)
    before = s.belief_sanction.copy()
    behaviour._learn(model, s, UnitKind.SCHOOL, "school")
    assert (s.belief_sanction[pressed] > before[pressed]).all()
    assert np.allclose(s.belief_sanction[~pressed], before[~pressed])


@pytest.mark.parametrize("committed", [True, False])
def test_offices_publish_the_spot_check_rate_they_kept(toy, committed):
    model = reform_model(toy, committed_sampling=committed)
    offices, s = model.state.offices, model.state.schools
    model.flows.visits = visits_to(np.arange(s.n), s.office, UnitKind.SCHOOL, Purpose.SPOT_CHECK)
    behaviour = Behaviour()
    behaviour.setup(model)
    behaviour._office_publication(model)
    rate = model.assumptions["learning_rate"]
    expected = rate * 12 * np.bincount(s.office, minlength=offices.n) / offices.n_schools.clip(1)
    if committed:
        assert np.allclose(behaviour.published_rate, expected)
    else:
        assert np.isnan(behaviour.published_rate).all()


# ---- reporting as a choice (7.7) and the misreport sanction (7.6) -------------------------
def test_an_observation_that_sees_an_omitted_item_exposes_the_misreport(toy):
    exposed = {}
    for omission in (0.0, 1.0):
        model = reform_model(toy, smart_supervision=0.0)
        s = model.state.schools
        one_problem_each(model, P.OPEN)
        model.flows.visits = visits_to(
            np.arange(s.n), s.office, UnitKind.SCHOOL, Purpose.CONFIRMATION
        )
        reporting = Reporting()
        reporting.setup(model)
        reporting.omission[reporting.reporters] = omission
        under, _, city_under = reporting._shares(model)
        exposed[omission] = reporting._observe(model, under, city_under)
        assert model.events["misreports_exposed"] == exposed[omission].sum()
    govs = model.state.governments
    counties = govs.level == LevelCode.COUNTY
    assert not exposed[0.0].any()
    assert exposed[1.0][counties].all()  # every county left out items the province saw


@pytest.mark.parametrize("strength", [0.0, 1.0])
def test_an_exposed_misreport_is_sanctioned_the_next_month_by_the_levers(toy, strength):
    criticism = None
    for weight in (0.0, 0.6):
        model = reform_model(toy, misreport_sanction=weight, accountability_strength=strength)
        criticism = model.assumptions["criticism_weight"]
        govs = model.state.governments
        exposed = govs.level == LevelCode.COUNTY
        model.carry.pending["government"] = exposed
        Consequences().step(model)
        felt = weight if strength else criticism
        expected = np.where(exposed, felt, 0.0) if weight else np.zeros(govs.n)
        assert np.allclose(model.flows.misreport_sanction, expected)
        held = exposed.sum() if weight and strength else 0
        assert model.events["misreport_sanctions"] == held
        assert model.carry.pending.get("government") is None


def test_counties_learn_the_misreport_sanction_from_their_own_and_their_peers_exposures(toy):
    model = reform_model(toy)
    govs = model.state.governments
    reporting = Reporting()
    reporting.setup(model)
    counties = np.flatnonzero(govs.level == LevelCode.COUNTY)
    first = counties[0]
    peers = counties[govs.parent[counties] == govs.parent[first]]
    strangers = counties[govs.parent[counties] != govs.parent[first]]
    reporting.exposed[first] = True
    model.flows.misreport_sanction = np.where(np.arange(govs.n) == first, 0.6, 0.0)
    before = reporting.believed_misreport_sanction.copy()
    reporting._learn_sanction(model)
    after = reporting.believed_misreport_sanction
    assert (after[peers] > before[peers]).all()
    assert np.allclose(after[strangers], before[strangers])
    assert after[first] >= after[peers].max()


def test_units_read_no_lever_when_they_learn_and_choose(toy, monkeypatch):
    """Levers that raise when read inside a unit's decision: a run goes through."""

    class Forbidden(dict):
        def __getitem__(self, key):
            raise AssertionError(f"a supervised unit read the lever {key!r}")

        get = __getitem__

    def forbid(method):
        def wrapped(self, model, *args, **kwargs):
            real, model.levers = model.levers, Forbidden(model.levers)
            try:
                return method(self, model, *args, **kwargs)
            finally:
                model.levers = real

        return wrapped

    for mechanism, names in UNIT_DECISIONS.items():
        for name in names:
            monkeypatch.setattr(mechanism, name, forbid(getattr(mechanism, name)))
    model = ds.SupervisionModel(
        toy, scenario="reform_2021", months=14, warmup_months=12, rng=4, create_agents=False
    )
    model.run()
    assert model.metrics()["report_distortion"].notna().all()


def test_unit_decision_code_names_no_lever():
    for mechanism, names in UNIT_DECISIONS.items():
        for name in names:
            tree = ast.parse(textwrap.dedent(inspect.getsource(getattr(mechanism, name))))
            for node in ast.walk(tree):
                assert not (isinstance(node, ast.Attribute) and node.attr == "levers"), name
                assert not (isinstance(node, ast.Name) and node.id == "lv"), name


# ---- ensembles -----------------------------------------------------------------------------
SEEDS = (11, 12, 13, 14, 15)
OUTCOMES = (
    "report_distortion",
    "believed_detection_median",
    "effort_mean",
    "n_items_seen_independently",
)
VARIANTS = {
    "reform": {},
    "weak_accountability": {"accountability_strength": 0.2},
    "no_misreport_sanction": {"misreport_sanction": 0.0},
    "few_zone_visits": {"zone_visits_per_year": 2},
    "unpublished": {"publish_reports": False},
    "smart": {"smart_supervision": 1.0},
}


@pytest.fixture(scope="module")
def ensemble() -> dict[str, dict[int, object]]:
    province = ds.synthetic_province(n_counties=12, seed=21)
    out: dict[str, dict[int, object]] = {}
    for variant, levers in VARIANTS.items():
        out[variant] = {}
        for seed in SEEDS:
            model = ds.SupervisionModel(
                province,
                scenario="reform_2021",
                months=48,
                warmup_months=24,
                rng=seed,
                create_agents=False,
                **levers,
            )
            model.run()
            out[variant][seed] = model.metrics()[list(OUTCOMES)].iloc[-12:].mean()
    return out


def paired(ensemble, variant: str, base: str, outcome: str) -> tuple[float, float]:
    diff = np.array([ensemble[variant][s][outcome] - ensemble[base][s][outcome] for s in SEEDS])
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(len(diff)))


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["weak_accountability", "no_misreport_sanction"])
def test_distortion_responds_to_stakes_with_spot_checks_and_smart_supervision_fixed(
    ensemble, variant
):
    # Spot-check share and smart supervision stay at reform_2021's values in both arms.
    mean, se = paired(ensemble, variant, "reform", "report_distortion")
    assert abs(mean) > 2 * se, (variant, mean, se)


@pytest.mark.slow
def test_without_a_misreport_sanction_counties_leave_out_more(ensemble):
    mean, se = paired(ensemble, "no_misreport_sanction", "reform", "report_distortion")
    assert mean > 2 * se, (mean, se)


@pytest.mark.slow
def test_smart_supervision_cuts_distortion_through_what_the_province_sees(ensemble):
    seen, seen_se = paired(ensemble, "smart", "reform", "n_items_seen_independently")
    assert seen > 2 * seen_se, (seen, seen_se)
    mean, se = paired(ensemble, "smart", "reform", "report_distortion")
    assert mean < -2 * se, (mean, se)


@pytest.mark.slow
def test_believed_detection_rises_with_zone_visits(ensemble):
    mean, se = paired(ensemble, "reform", "few_zone_visits", "believed_detection_median")
    assert mean > 2 * se, (mean, se)


@pytest.mark.slow
def test_publishing_reports_raises_or_leaves_mean_effort(ensemble):
    mean, se = paired(ensemble, "reform", "unpublished", "effort_mean")
    assert mean > -2 * se, (mean, se)
