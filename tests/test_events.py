"""The event registry: every recorded event is declared once, and reported or internal."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import dudao_sim as ds
from dudao_sim.metrics.events import (
    EVENTS,
    EVENTS_FILE,
    REPORTED_EVENTS,
    EventLog,
    EventRegistryError,
    UndeclaredEventError,
    declared_events,
    parse_events,
)
from dudao_sim.model.mechanisms import DEFAULT_MECHANISMS, Mechanism
from dudao_sim.policy.scenarios import scenario_names

MECHANISMS_DIR = Path(ds.__file__).parent / "model" / "mechanisms"


@pytest.fixture(scope="module")
def province() -> ds.Province:
    return ds.synthetic_province(n_counties=4, seed=7)


@pytest.fixture(scope="module")
def recorded(province) -> dict[str, set[str]]:
    """Events recorded in any month of short seeded runs of every shipped scenario."""
    out: dict[str, set[str]] = {}
    for scenario in scenario_names():  # pre_reform, reform_2021 and the variants
        model = ds.SupervisionModel(
            province, scenario=scenario, months=24, warmup_months=12, rng=3, create_agents=False
        )
        names: set[str] = set()
        while model.running:
            model.step()
            names |= set(model.events)
        out[scenario] = names
    return out


@pytest.fixture(scope="module")
def short_run(province) -> ds.SupervisionModel:
    model = ds.SupervisionModel(province, months=3, warmup_months=12, rng=1, create_agents=False)
    model.run()
    return model


@pytest.mark.slow  # eight short runs, one per shipped scenario
def test_the_runs_cover_the_baseline_the_reform_and_the_variants(recorded):
    assert {"pre_reform", "reform_2021"} < set(recorded)
    assert len(recorded) >= 4


@pytest.mark.slow  # eight short runs, one per shipped scenario
def test_every_declared_event_is_recorded_in_some_short_run(recorded):
    seen = set().union(*recorded.values())
    never = [name for name, event in EVENTS.items() if name not in seen and not event.rare]
    assert never == [], f"declared but never recorded (record it, or declare rare = ...): {never}"


@pytest.mark.slow  # eight short runs, one per shipped scenario
def test_no_event_is_recorded_that_is_neither_reported_nor_internal(recorded):
    seen = set().union(*recorded.values())
    loose = sorted(
        name
        for name in seen
        if name not in EVENTS or not (EVENTS[name].reported or EVENTS[name].internal)
    )
    assert loose == [], f"recorded but neither reported nor declared internal: {loose}"


def test_every_reported_event_is_a_metric_column_and_no_other_event_is(short_run):
    columns = set(short_run.metrics().columns)
    missing = [e for e in REPORTED_EVENTS if f"n_{e}" not in columns]
    assert missing == []
    counted = {c[2:] for c in columns if c.startswith("n_") and c[2:] in EVENTS}
    assert counted == set(REPORTED_EVENTS)
    assert all(EVENTS[name].internal for name in set(EVENTS) - counted)


def test_the_registry_reports_most_events_and_says_why_for_the_rest():
    internal = {n: e.internal for n, e in EVENTS.items() if not e.reported}
    assert len(REPORTED_EVENTS) + len(internal) == len(EVENTS)
    assert all(len(reason) > 20 for reason in internal.values())
    assert len(REPORTED_EVENTS) > 3 * len(internal)


def test_recording_an_undeclared_event_raises_naming_it_and_the_registry(short_run):
    with pytest.raises(UndeclaredEventError, match=r"'orders_schol'.*events\.toml") as error:
        short_run.record("orders_schol", 1.0)
    assert "orders_school" in str(error.value)  # suggests the declared name
    assert isinstance(error.value, ValueError)


def test_item_access_on_an_undeclared_event_raises_too(short_run):
    events = short_run.events
    with pytest.raises(UndeclaredEventError, match="rumours"):
        events["rumours"] += 1.0
    with pytest.raises(UndeclaredEventError, match="rumours"):
        events["rumours"] = 1.0
    with pytest.raises(UndeclaredEventError, match="rumours"):
        events.get("rumours", 0.0)


def test_the_event_log_adds_like_the_dict_it_replaces():
    log = EventLog()
    assert log["orders_school"] == 0.0 and "orders_school" not in log
    assert log.get("orders_school", 7.0) == 7.0
    log.record("orders_school", np.array([[True, False], [True, True]]))
    log.record("orders_school", np.array([1.5, 2.0]))
    log.record("orders_school", 2)
    log["orders_school"] += 0.5
    assert log["orders_school"] == 3 + 3.5 + 2 + 0.5
    assert dict(log.items()) == {"orders_school": 9.0} and len(log) == 1
    assert list(log) == ["orders_school"]


def test_mechanisms_write_events_only_through_model_record():
    for path in sorted(MECHANISMS_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "events"
                and isinstance(node.ctx, ast.Store)
            ):
                raise AssertionError(f"{path.name}:{node.lineno} writes model.events[...]")


class _Hotline(Mechanism):
    """A researcher's own mechanism with its own event."""

    name = "hotline"
    clauses = ("十九",)
    declares_events = {"hotline_calls": "Calls to a parents' hotline this month."}  # noqa: RUF012

    def step(self, model):
        model.record("hotline_calls", 2.0)


def test_a_custom_mechanism_declares_and_records_its_own_event(province):
    mechanisms = [m() for m in DEFAULT_MECHANISMS]
    mechanisms.insert(4, _Hotline())
    model = ds.SupervisionModel(
        province, months=2, warmup_months=12, rng=1, mechanisms=mechanisms, create_agents=False
    )
    model.step()
    assert model.events["hotline_calls"] == 2.0
    event = model.events.declared["hotline_calls"]
    assert event.clause == ("十九",) and not event.reported and "_Hotline" in event.internal
    # the declaration belongs to models that run the mechanism, not to every model
    assert "hotline_calls" not in declared_events(m() for m in DEFAULT_MECHANISMS)
    with pytest.raises(UndeclaredEventError):
        EventLog().record("hotline_calls", 1.0)


def test_a_custom_mechanism_cannot_redeclare_a_package_event_or_a_bad_name():
    class Again(Mechanism):
        declares_events = {"orders_school": "Orders."}  # noqa: RUF012

    class Bad(Mechanism):
        declares_events = {"Hotline Calls": "Calls."}  # noqa: RUF012

    with pytest.raises(EventRegistryError, match=r"'orders_school'.*already declared"):
        declared_events([Again()])
    with pytest.raises(EventRegistryError, match=r"'Hotline Calls', field 'name'"):
        declared_events([Bad()])


_GOOD = {"description": "Things that happened.", "clause": ["八"], "reported": True}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": None}, "description"),
        ({"description": ""}, "description"),
        ({"clause": None}, "clause"),
        ({"clause": []}, "clause"),
        ({"clause": ["二十六"]}, "clause"),
        ({"reported": None}, "reported"),
        ({"reported": "yes"}, "reported"),
        ({"internal": "bookkeeping only"}, "internal"),
        ({"rare": ""}, "rare"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_an_invalid_declaration_is_rejected_naming_event_and_field(change, field):
    spec = {k: v for k, v in {**_GOOD, **change}.items() if v is not None}
    with pytest.raises(EventRegistryError, match=rf"event 'things', field '{field}'"):
        parse_events({"things": spec})


def test_a_good_declaration_parses_and_the_shipped_file_is_valid():
    events = parse_events({"things": _GOOD, "other": {**_GOOD, "reported": False, "internal": "x"}})
    assert events["things"].metric == "n_things" and events["other"].metric is None
    assert EVENTS_FILE.is_file() and len(EVENTS) == len(set(EVENTS))
