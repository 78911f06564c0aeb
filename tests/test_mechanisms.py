"""One test (or a few) per mechanism, on tiny seeded provinces, asserting its effect."""

from __future__ import annotations

import model_at
import numpy as np
import pytest

import dudao_sim as ds
from dudao_sim.model.mechanisms import (
    Behaviour,
    Conditions,
    Consequences,
    Detection,
    Planning,
    Purpose,
    Reporting,
    Results,
    Staffing,
    SupervisionVisits,
    UnitKind,
    Visits,
)
from dudao_sim.model.state import NEVER, ProblemState, Rating, Sanction

P = ProblemState


@pytest.fixture(scope="module")
def toy() -> ds.Province:
    return ds.synthetic_province(n_counties=4, seed=3)


def reform_model(toy, month: int = 24, **overrides) -> ds.SupervisionModel:
    """A reform model at ``month`` with this year's budgets and plans made."""
    model = model_at.reform_model(toy, month, **overrides)
    planning = next(m for m in model.mechanisms if isinstance(m, Planning))
    planning.step(model)  # January: this year's budgets (二十一) and plans
    return model


def visit_all(
    model, purpose: Purpose, announced: bool, level: int = 2, inspector: int = -1
) -> Visits:
    s = model.state.schools
    n = s.n
    return Visits(
        kind=np.zeros(n, np.int8),
        unit=np.arange(n),
        office=s.office.astype(np.int64),
        level=np.full(n, level, np.int8),
        inspector=np.full(n, inspector, np.int64),
        purpose=np.full(n, purpose, np.int8),
        announced=np.full(n, announced),
        online=np.zeros(n, bool),
        familiar=np.zeros(n, bool),
    )


def only_hidden_problem(model, area: str = "teaching", state: P = P.HIDDEN) -> int:
    """Give every school exactly one problem, of severity 0.8, in ``area``."""
    p = model.state.schools.problems
    col = model.state.schools.areas.index(area)
    p.state[:] = P.NONE
    p.severity[:] = 0.0
    p.state[:, col] = state
    p.severity[:, col] = 0.8
    p.closed[:, col] = model.t - 3 if state == P.FAKE else NEVER
    return col


# ---- 1. conditions -------------------------------------------------------------------------
def test_problems_arise_more_where_resources_are_short(toy):
    model = reform_model(toy)
    s = model.state.schools
    s.problems.state[:] = P.NONE
    s.fiscal[:] = np.where(np.arange(s.n) % 2 == 0, 0.5, 1.5)
    for month in range(24, 36):
        model.t = month
        Conditions().step(model)
    poor = s.problems.present[::2].sum() / (s.n / 2)
    rich = s.problems.present[1::2].sum() / (s.n / 2)
    assert poor > 1.3 * rich


def test_a_safety_incident_triggers_special_supervision_by_the_city(toy):
    model = reform_model(toy, p_incident=0.03)
    col = only_hidden_problem(model, "safety")
    model.state.schools.problems.severity[:, col] = 1.0
    Conditions().step(model)
    incidents = model.flows.incidents["school"]
    assert incidents.any()
    # the incident reveals the problem
    assert (model.state.schools.problems.state[incidents, col] == P.OPEN).all()
    SupervisionVisits().step(model)
    special = model.visits.purpose == Purpose.SPECIAL
    assert special.any()
    hot = set(model.state.schools.county[incidents])
    assert set(model.state.schools.county[model.visits.unit[special]]) <= hot
    assert (model.visits.level[special] == 1).all()  # 专项督导 by the city office

    off = reform_model(toy, p_incident=0.03, special_supervision=False)
    only_hidden_problem(off, "safety")
    off.state.schools.problems.severity[:, col] = 1.0
    Conditions().step(off)
    SupervisionVisits().step(off)
    assert not (off.visits.purpose == Purpose.SPECIAL).any()


# ---- 3. visits -----------------------------------------------------------------------------
def test_the_frequency_cap_holds_over_a_year(toy):
    model = ds.SupervisionModel(
        toy,
        scenario="reform_2021",
        visit_cap_per_year=2,
        months=12,
        warmup_months=12,
        rng=1,
        create_agents=False,
    )
    model.run()
    assert model.state.schools.visits_year.max() <= 2
    assert model.metrics()["n_visits_capped"].sum() > 0


def test_deduplication_keeps_one_level_per_school_and_month(toy):
    for dedup in (True, False):
        model = reform_model(toy, deduplicate_levels=dedup, provincial_spot_check_share=1.0)
        levels_seen = 0
        for month in (34, 35):  # November evaluations, December confirmations
            model.t = month
            model._reset_month()
            SupervisionVisits().step(model)
            v = model.visits
            school = v.kind == UnitKind.SCHOOL
            pairs = np.unique(v.unit[school] * 8 + v.level[school])
            levels_seen = max(levels_seen, len(pairs) - len(np.unique(pairs // 8)))
        assert (levels_seen == 0) == dedup


def test_double_random_draws_inspectors_at_random(toy):
    model = reform_model(toy, double_random_share=1.0)
    SupervisionVisits().step(model)
    v = model.visits
    spot = v.purpose == Purpose.SPOT_CHECK
    assert spot.sum() > 20
    assert v.familiar[spot].mean() < 0.2  # a stranger, not the school's own badged inspector
    rotation = reform_model(toy, targeting="rotation", double_random_share=1.0)
    Planning().step(rotation)  # January: the rotation plan names each school's month
    SupervisionVisits().step(rotation)
    w = rotation.visits
    spot = w.purpose == Purpose.SPOT_CHECK
    assert w.familiar[spot].mean() > 0.8


# ---- 4. detection --------------------------------------------------------------------------
def test_an_unannounced_visit_sees_through_window_dressing(toy):
    found = {}
    for announced in (True, False):
        model = reform_model(toy)
        only_hidden_problem(model)
        model.state.schools.dressing[:] = 1.0
        model.visits = visit_all(model, Purpose.SPOT_CHECK, announced)
        Detection().step(model)
        found[announced] = model.found["school"].sum()
    assert found[False] > 2 * found[True]


def test_a_fake_rectification_is_caught_mostly_by_a_recheck(toy):
    model = reform_model(toy, public_contact_details=False)
    col = only_hidden_problem(model, state=P.FAKE)
    model.visits = visit_all(model, Purpose.END_OF_TERM, announced=False)
    Detection().step(model)
    by_review = model.flows.fake_caught["school"][:, col].mean()
    assert 0 < by_review < 0.5 and model.found["school"].sum() == 0

    model = reform_model(toy)
    only_hidden_problem(model, state=P.FAKE)
    model.state.schools.problems.recheck[:, col] = model.t
    model.visits = visit_all(model, Purpose.RECHECK, announced=False)
    Detection().step(model)
    assert model.flows.fake_caught["school"][:, col].mean() > 0.5
    Results().step(model)
    caught = model.flows.fake_caught["school"][:, col]
    assert (model.state.schools.problems.state[caught, col] != P.FAKE).all()
    assert (model.state.schools.fakes_caught_year[caught] >= 1).all()


def test_low_integrity_familiar_inspectors_hide_what_they_see(toy):
    model = reform_model(
        toy, collusion_scale=1.0, integrity_enforcement=0.0, public_contact_details=False
    )
    only_hidden_problem(model)
    model.state.inspectors.integrity[:] = 0.0
    visits = visit_all(model, Purpose.ROUTINE, announced=False, inspector=0)
    visits.familiar[:] = True
    model.visits = visits
    Detection().step(model)
    assert model.found["school"].sum() == 0
    assert model.state.inspectors.misconduct[0] > 0


def test_public_contacts_open_a_complaint_channel(toy):
    for public in (True, False):
        model = reform_model(toy, public_contact_details=public, p_complaint=0.05)
        only_hidden_problem(model)
        model.state.schools.problems.severity[:] *= 1.25
        model.visits = Visits()
        Detection().step(model)
        assert (model.events["complaints"] > 0) == public


# ---- 5. results ----------------------------------------------------------------------------
def test_a_ledger_item_past_its_deadline_gets_a_supervision_order(toy):
    model = reform_model(toy)
    col = only_hidden_problem(model, state=P.OPEN)
    p = model.state.schools.problems
    p.detected[:, col] = model.t - 5
    p.deadline[:, col] = model.t - 1
    Results()._orders(model, model.state.schools, "school")
    assert (p.n_orders[:, col] == 1).all()
    assert (p.deadline[:, col] == model.t + int(model.assumptions["order_extension_months"])).all()
    assert (model.state.schools.orders_year >= 1).all()

    without = reform_model(toy, supervision_orders=False)
    col = only_hidden_problem(without, state=P.OPEN)
    without.state.schools.problems.deadline[:, col] = without.t - 1
    Results()._orders(without, without.state.schools, "school")
    assert (without.state.schools.problems.n_orders == 0).all()


def test_without_a_ledger_open_items_are_forgotten(toy):
    model = reform_model(toy, problem_ledger=False, p_fix=0.04, p_fake=0.02)
    col = only_hidden_problem(model, state=P.OPEN)
    model.state.schools.problems.detected[:, col] = model.t - 12
    model.state.schools.effort[:] = 0.0
    Results()._rectify(model, model.state.schools, "school")
    # Forgotten items stay known to supervisors, but nobody follows them up.
    assert (model.state.schools.problems.state[:, col] == P.UNFOLLOWED).mean() > 0.9


@pytest.mark.parametrize("timing", ["fixed", "random", "none"])
def test_rechecks_are_scheduled_by_the_timing_lever(toy, timing):
    model = reform_model(toy, recheck_timing=timing, recheck_share=1.0, recheck_delay_months=6)
    col = only_hidden_problem(model, state=P.OPEN)
    p = model.state.schools.problems
    closing = np.zeros_like(p.state, dtype=bool)
    closing[:, col] = True
    Results()._schedule_rechecks(model, model.state.schools, "school", closing)
    due = p.recheck[:, col]
    if timing == "none":
        assert (due == NEVER).all()
    elif timing == "fixed":
        assert (due == model.t + 6).all()
    else:
        assert due.min() >= model.t + 1 and due.max() <= model.t + 11 and len(set(due)) > 5


# ---- 6. consequences ------------------------------------------------------------------------
def test_the_ladder_escalates_on_repeat_failures_within_a_year(toy):
    model = reform_model(toy, month=35)
    s = model.state.schools
    s.rating[:] = Rating.FAIL
    Consequences().step(model)
    assert (s.sanction == Sanction.INTERVIEW).all()
    first = model.flows.sanction_value["school"].copy()
    model.t = 47  # the next December, within 12 months of the interview
    model._reset_month()
    Consequences().step(model)
    assert (s.sanction == Sanction.CIRCULAR).all()
    assert (model.flows.sanction_value["school"] > first).all()


def test_a_rung_whose_lever_is_off_is_skipped(toy):
    model = reform_model(toy, month=35, interviews=False)
    model.state.schools.rating[:] = Rating.FAIL
    Consequences().step(model)
    assert np.allclose(model.flows.sanction_value["school"], model.assumptions["weight_circular"])


def test_an_accountability_rung_that_does_not_bite_is_a_criticism_and_not_remembered(toy):
    model = reform_model(
        toy, month=35, interviews=False, circulars=False, accountability_strength=0.0
    )
    model.state.schools.rating[:] = Rating.FAIL
    Consequences().step(model)
    assert np.allclose(model.flows.sanction_value["school"], model.assumptions["criticism_weight"])
    assert (model.state.schools.sanction == 0).all()


def test_incentives_follow_ratings(toy):
    model = reform_model(toy, month=35, incentive_strength=0.6)
    s = model.state.schools
    s.rating[:] = np.where(np.arange(s.n) % 2 == 0, Rating.PASS, Rating.FAIL)
    Consequences().step(model)
    assert np.allclose(s.incentive[::2], 0.6) and np.allclose(s.incentive[1::2], 0.0)


# ---- 7. reporting ---------------------------------------------------------------------------
def test_counties_report_what_they_know_less_what_they_choose_to_leave_out(toy):
    # The choice itself, its exposure and the misreport sanction: tests/test_beliefs.py.
    distortion = {}
    for omission in (0.0, 0.5):
        model = reform_model(toy, reporting_delay_months=0)
        only_hidden_problem(model, state=P.OPEN)
        reporting = Reporting()
        reporting.setup(model)
        reporting.omission[reporting.reporters] = omission
        reporting._report(model, *reporting._shares(model))
        r = model.flows.reports
        distortion[omission] = 1 - r.reported_by_counties / r.known_by_counties
        assert r.arrived_at_province <= r.arrived_at_cities
    assert distortion[0.0] == pytest.approx(0.0)
    assert distortion[0.5] == pytest.approx(0.5 * model.assumptions["under_reporting_max"])


# ---- 8. behaviour ---------------------------------------------------------------------------
def test_stakes_raise_effort_and_rechecks_deter_faking(toy):
    model = reform_model(toy)
    s = model.state.schools
    s.belief_visits[:] = 6.0
    s.belief_per_visit[:] = 0.5
    s.belief_sanction[:] = np.where(np.arange(s.n) % 2 == 0, 0.8, 0.05)
    s.belief_recheck[:] = 0.0
    before = s.effort.copy()
    behaviour = Behaviour()
    behaviour.setup(model)
    behaviour._choose(model, s)
    high, low = slice(0, None, 2), slice(1, None, 2)
    assert (s.effort[high] - before[high]).mean() > (s.effort[low] - before[low]).mean()
    fake_without = s.fake[high].mean()
    s.fake[:] = 0.0
    s.belief_recheck[:] = 0.5
    behaviour._choose(model, s)
    assert s.fake[high].mean() < fake_without


def test_committed_sampling_fixes_office_effort(toy):
    for committed in (True, False):
        model = ds.SupervisionModel(
            toy,
            scenario="reform_2021",
            committed_sampling=committed,
            months=12,
            warmup_months=12,
            rng=2,
            create_agents=False,
        )
        model.run()
        efforts = model.state.offices.effort
        assert np.allclose(efforts, 1.0) == committed


# ---- 9. staffing ----------------------------------------------------------------------------
def test_the_inspectorate_grows_toward_the_target_under_supervision_of_implementation(toy):
    counts = {}
    for push in (0.0, 1.0):
        model = ds.SupervisionModel(
            toy,
            scenario="reform_2021",
            implementation_supervision=push,
            months=36,
            warmup_months=12,
            rng=3,
            create_agents=False,
        )
        model.run()
        counts[push] = model.metrics()["inspectorate_schools_per_inspector"].iloc[-1]
    assert counts[1.0] < counts[0.0]


def test_zones_are_redrawn_when_an_inspector_leaves(toy):
    model = reform_model(toy)
    s, ins = model.state.schools, model.state.inspectors
    leaver = s.badged[s.badged >= 0][0]
    ins.active[leaver] = False
    s.badged[s.badged == leaver] = NEVER
    orphans = (s.badged < 0) & s.badged_type
    Staffing()._assign_zones(model)
    assert (s.badged[orphans] >= 0).mean() > 0.9
    assert np.bincount(s.badged[s.badged >= 0]).max() <= 20
