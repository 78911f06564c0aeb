"""Invariants of the model, on random valid levers, assumptions and small provinces (hypothesis).

Each example draws a small synthetic province (2-4 counties), a shipped scenario (or a stack
with ``high_stakes``), a random subset of the levers of :data:`LEVERS` and of the assumptions
of :data:`ASSUMPTIONS` with values from their declared ranges, runs a 12-month warm-up and some
scenario months, and checks after every month:

- no negative counts; probabilities, shares and propensities in [0, 1];
- every problem slot in exactly one state, severities consistent with it (present > 0,
  none or closed = 0; the upper bound 1 is a strict ``xfail`` until the initial state clamps
  it — the slow profile found severities above 1 at the assumptions' upper bounds);
- the ledger: the change in open items equals the items fed back, fakes caught and newly
  revealed by incidents, less those closed (genuinely or on paper) and forgotten — from the
  month's recorded events;
- every metric of ``metrics()`` within the catalogue's valid range;
- the county sums of results by county equal the province totals, and ``metrics_by``'s
  province level agrees with ``metrics()``.

Inactive units (schools whose licence was revoked) receive nothing: no visit, order,
sanction, incentive or new problem.

Profiles: the normal run draws 25 examples, derandomized (the same examples every run); set
``HYPOTHESIS_PROFILE=slow`` for 1,000 random examples (about 7 minutes on 2 cores)::

    HYPOTHESIS_PROFILE=slow .venv/bin/pytest -q tests/test_properties.py
"""

from __future__ import annotations

import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dudao_sim as ds
from dudao_sim.metrics.catalogue import CATALOGUE
from dudao_sim.metrics.reporters import REGIONAL_SUMS
from dudao_sim.model.state import ProblemState
from dudao_sim.policy.assumptions import ASSUMPTIONS
from dudao_sim.policy.levers import LEVERS
from dudao_sim.policy.scenarios import scenario_names

_P = ProblemState

settings.register_profile(
    "dudao-default",
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "slow",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(
    "slow" if os.environ.get("HYPOTHESIS_PROFILE") == "slow" else "dudao-default"
)

TABLES = ("school", "government")


def _lever_value(name: str) -> st.SearchStrategy:
    lever = LEVERS[name]
    if lever.kind == "float":
        return st.floats(lever.low, lever.high, allow_nan=False)
    if lever.kind == "int":
        return st.integers(int(lever.low), int(lever.high))
    if lever.kind == "bool":
        return st.booleans()
    return st.sampled_from(lever.choices)


@st.composite
def worlds(draw: st.DrawFn, scenario: list[str] | None = None, months: int | None = None) -> dict:
    """A small province, a scenario, random lever and assumption values, and a seed."""
    lever_names = draw(st.sets(st.sampled_from(sorted(LEVERS)), max_size=8))
    assumption_names = draw(st.sets(st.sampled_from(sorted(ASSUMPTIONS)), max_size=12))
    if scenario is None:
        base = draw(st.sampled_from(scenario_names()))
        scenario = [base, "high_stakes"] if draw(st.booleans()) and base != "pre_reform" else [base]
    return {
        "counties": draw(st.integers(2, 4)),
        "province_seed": draw(st.integers(0, 10_000)),
        "scenario": scenario,
        "levers": {n: draw(_lever_value(n)) for n in sorted(lever_names)},
        "assumptions": {
            n: draw(st.floats(ASSUMPTIONS[n].low, ASSUMPTIONS[n].high, allow_nan=False))
            for n in sorted(assumption_names)
        },
        "months": months if months is not None else draw(st.integers(1, 12)),
        "rng": draw(st.integers(0, 2**32 - 1)),
    }


def _model(world: dict) -> ds.SupervisionModel:
    return ds.SupervisionModel(
        ds.synthetic_province(n_counties=world["counties"], seed=world["province_seed"]),
        scenario=world["scenario"],
        levers=world["levers"],
        assumptions=world["assumptions"],
        months=world["months"],
        warmup_months=12,
        rng=world["rng"],
        create_agents=False,
    )


def _tables(model: ds.SupervisionModel) -> dict:
    return {"school": model.state.schools, "government": model.state.governments}


def check_state(model: ds.SupervisionModel) -> None:
    """Counts, shares and problem states of the columnar state after a month."""
    for key, table in _tables(model).items():
        p = table.problems
        assert np.isin(p.state, [s.value for s in _P]).all(), f"{key}: a slot in no state"
        present = p.present
        assert (p.severity[present] > 0).all(), key
        assert (p.severity <= 1).all(), f"{key}: severity above 1"
        gone = (p.state == _P.NONE) | (p.state == _P.CLOSED)
        assert (p.severity[gone] == 0).all(), f"{key}: severity without a problem"
        for name in ("n_orders", "n_detections"):
            assert (getattr(p, name) >= 0).all(), f"{key}.problems.{name} < 0"
        for name in ("visits_year", "orders_year", "fakes_caught_year", "n_sanctions_12m"):
            assert (getattr(table, name) >= 0).all(), f"{key}.{name} < 0"
        for name in (
            "effort",
            "dressing",
            "fake",
            "belief_detect",
            "belief_sanction",
            "belief_per_visit",
            "belief_announced",
            "belief_recheck",
            "incentive",
        ):
            values = getattr(table, name)
            assert ((values >= 0) & (values <= 1)).all(), f"{key}.{name} outside [0, 1]"
        assert (table.belief_visits >= 0).all(), key
    ins = model.state.inspectors
    for name in ("skill", "integrity"):
        values = getattr(ins, name)
        assert ((values >= 0) & (values <= 1)).all(), f"inspectors.{name} outside [0, 1]"
    assert (ins.training_hours >= 0).all() and (ins.misconduct >= 0).all()
    offices = model.state.offices
    assert (offices.budget >= 0).all() and (offices.spent >= 0).all()
    assert (offices.spent <= offices.budget * (1 + 1e-9) + 1e-6).all(), "an office overspent"
    assert ((offices.diligence > 0) & (offices.diligence <= 1)).all()
    for belief in (offices.belief_short_plan, offices.belief_short_staff):
        assert ((belief >= 0) & (belief <= 1)).all()


def check_ledger(
    model: ds.SupervisionModel, before: dict[str, np.ndarray], active: dict[str, np.ndarray]
) -> None:
    """Open items now = before + fed back + fakes caught + revealed by incidents − closed.

    A unit closed this month (licence revoked) may drop its open items with it: then the
    change is lower by at most the slots of the closed units.
    """
    events = model.events
    for key, table in _tables(model).items():
        old, new = before[key], table.problems.state
        closed_units = int((active[key] & ~table.active).sum())
        dropped = closed_units * old.shape[1]
        safety = table.areas.index("safety")
        incidents = model.flows.incidents.get(key)
        revealed = 0 if incidents is None else int((incidents & (old[:, safety] != _P.OPEN)).sum())

        def n(event: str, key: str = key) -> int:
            return int(events.get(f"{event}_{key}", 0))

        opened = n("fed_back") + n("fakes_caught") + revealed
        closed = n("closed_genuine") + n("closed_fake") + n("forgotten")
        change = int((new == _P.OPEN).sum()) - int((old == _P.OPEN).sum())
        assert opened - closed - dropped <= change <= opened - closed, (
            f"{key} month {model.t - 1}: open items changed by {change}, the ledger's events "
            f"say {opened} - {closed} ({closed_units} units closed)"
        )
        newly_fake = int(((old != _P.FAKE) & (new == _P.FAKE)).sum())
        assert newly_fake <= n("closed_fake"), key
        newly_closed = int(((old != _P.CLOSED) & (new == _P.CLOSED)).sum())
        assert newly_closed <= n("closed_genuine") + n("self_fixed"), key


def check_regional(model: ds.SupervisionModel) -> None:
    """This month's county sums equal the province totals taken from the state."""
    s = model.state.schools
    sums = dict(zip(REGIONAL_SUMS, model.regional_history[-1].sum(axis=0), strict=True))
    active = s.active
    assert sums["schools"] == active.sum()
    assert sums["present"] == (s.problems.present & active[:, None]).sum()
    assert sums["known_open"] == ((s.problems.state == _P.OPEN) & active[:, None]).sum()
    assert np.isclose(sums["quality_sum"], s.quality[active].sum(), rtol=1e-12, atol=1e-9)
    assert sums["badged_eligible"] == (s.badged_type & active).sum()
    assert sums["visits"] == (model.flows.visits.kind == 0).sum()


def check_metrics(model: ds.SupervisionModel) -> None:
    """Every metric in its catalogue range; counts >= 0; metrics_by agrees with metrics()."""
    frame = model.metrics(include_warmup=True)
    for name in frame.columns.drop(["month", "phase"]):
        values = frame[name].to_numpy(float)
        bad = [v for v in values if not CATALOGUE[name].in_range(v)]
        assert not bad, f"{name}: {bad[:3]} outside {CATALOGUE[name].range}"
        if name.startswith("n_"):
            assert (values[~np.isnan(values)] >= 0).all(), name
    for level in ("county", "city", "province"):
        by = model.metrics_by(level, include_warmup=True)
        for name, group in by.groupby("metric"):
            bad = [v for v in group["value"] if not CATALOGUE[name].in_range(v)]
            assert not bad, f"metrics_by({level}) {name}: {bad[:3]}"
    province = model.metrics_by("province", include_warmup=True)
    wide = province.pivot(index="month", columns="metric", values="value")
    for name in (
        "coverage_assigned",
        "followed_share",
        "problems_per_school",
        "quality_mean",
        "visited_12m",
    ):
        np.testing.assert_allclose(
            wide[name].to_numpy(), frame[name].to_numpy(), rtol=1e-9, atol=1e-12, err_msg=name
        )
    county = model.metrics_by("county", include_warmup=True)
    totals = county[county["metric"] == "problems_per_school"]  # sums over counties, weighted
    last = totals[totals["month"] == totals["month"].max()]
    s = model.state.schools
    g = model.state.governments
    counties = np.flatnonzero(g.level == 2)
    schools = np.bincount(s.county[s.active], minlength=g.n)[counties]
    weighted = np.nansum(last["value"].to_numpy() * schools) / schools.sum()
    assert np.isclose(weighted, frame["problems_per_school"].iloc[-1], rtol=1e-9)


@settings(PROFILE)
@given(world=worlds())
def test_invariants_hold_every_month_for_random_levers_assumptions_and_provinces(world):
    model = _model(world)
    check_state(model)
    while model.running:
        before = {k: t.problems.state.copy() for k, t in _tables(model).items()}
        active = {k: t.active.copy() for k, t in _tables(model).items()}
        model.step()
        check_state(model)
        check_ledger(model, before, active)
        check_regional(model)
    check_metrics(model)


def test_severity_stays_within_0_1_at_the_assumption_bounds():
    """New and rebounding problems drawn at the assumptions' upper bounds stay within [0, 1]."""
    names = (
        "new_severity_min",
        "new_severity_span",
        "rebound_severity_min",
        "rebound_severity_span",
    )
    high = {n: ASSUMPTIONS[n].high for n in names}
    assert high["new_severity_min"] + high["new_severity_span"] > 1  # the bounds can overshoot
    model = _model(
        {
            "counties": 2,
            "province_seed": 0,
            "scenario": ["reform_2021"],
            "levers": {},
            "assumptions": high,
            "months": 12,
            "rng": 0,
        }
    )
    assert model.state.schools.problems.severity.max() <= 1
    model.run()
    assert model.state.schools.problems.severity.max() <= 1


@settings(PROFILE)
@given(world=worlds(scenario=["reform_2021", "high_stakes"], months=36))
def test_inactive_units_receive_nothing(world):
    world = {**world, "levers": {**world["levers"], "private_school_sanctions": True}}
    model = _model(world)
    s = model.state.schools
    while model.running:
        inactive = ~s.active
        was = {
            name: getattr(s, name)[inactive].copy()
            for name in ("last_visit", "last_sanction", "incentive")
        }
        orders = s.problems.n_orders[inactive].copy()
        detected = s.problems.detected[inactive].copy()
        states = s.problems.state[inactive].copy()
        model.step()
        for name, value in was.items():
            assert (getattr(s, name)[inactive] == value).all(), f"a closed school got {name}"
        assert (s.problems.n_orders[inactive] == orders).all(), "a closed school got an order"
        assert (s.problems.detected[inactive] == detected).all(), "a closed school was inspected"
        opened = (s.problems.state[inactive] == _P.OPEN) & (states != _P.OPEN)
        arose = (s.problems.state[inactive] == _P.HIDDEN) & (states == _P.NONE)
        assert not opened.any() and not arose.any(), "a closed school got new problems"
        visited = model.flows.visits.unit[model.flows.visits.kind == 0]
        assert not np.isin(visited, np.flatnonzero(inactive)).any(), "a closed school visited"
