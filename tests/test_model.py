"""The Mesa model: public surface, reproducibility, invariants, bad input, extension."""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from mesa.batchrunner import batch_run

import dudao_sim as ds
from dudao_sim.model.mechanisms import DEFAULT_MECHANISMS, Mechanism
from dudao_sim.model.state import NEVER, ProblemState


@pytest.fixture(scope="module")
def toy() -> ds.Province:
    return ds.synthetic_province(n_counties=3, seed=1)


@pytest.fixture(scope="module")
def ran(toy) -> ds.SupervisionModel:
    model = ds.SupervisionModel(toy, scenario="reform_2021", months=24, warmup_months=12, rng=5)
    model.run()
    return model


def test_is_a_mesa_model_with_agents_reachable_through_mesa(ran, toy):
    assert isinstance(ran, mesa.Model)
    schools = ran.agents_by_type[ds.School]
    assert len(schools) == len(toy.schools)
    assert len(ran.agents_by_type[ds.Government]) == ran.state.governments.n
    assert len(ran.agents_by_type[ds.SupervisionOffice]) == 1 + 1 + 3
    inspectors = ran.agents_by_type[ds.Inspector]
    assert len(inspectors) == int(ran.state.inspectors.active.sum())
    private = schools.select(lambda s: s.private)
    assert len(private) == int(toy.schools["ownership"].eq("private").sum())
    by_type = schools.groupby("school_type").count()
    assert by_type == toy.schools["school_type"].value_counts().to_dict()
    assert schools.agg("n_problems", sum) == int(ran.state.schools.problems.present.sum())


def test_hierarchy_is_a_networkx_digraph(ran):
    assert isinstance(ran.hierarchy, nx.DiGraph)
    assert nx.is_directed_acyclic_graph(ran.hierarchy)


def test_metrics_are_a_tidy_monthly_frame_from_the_switch(ran):
    frame = ran.metrics()
    assert list(frame["month"]) == list(range(24))
    assert set(frame["phase"]) == {"scenario"}
    full = ran.metrics(include_warmup=True)
    assert full["month"].min() == -12 and len(full) == 36
    assert not ran.running


def test_same_seed_identical_other_seed_differs(toy):
    def run(seed):
        model = ds.SupervisionModel(toy, months=12, warmup_months=12, rng=seed)
        model.run()
        return model.metrics(include_warmup=True)

    a, b, c = run(3), run(3), run(4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["n_detections_school"].equals(c["n_detections_school"])


def test_mesa_rng_is_never_drawn_from(toy):
    model = ds.SupervisionModel(toy, months=6, warmup_months=12, rng=7)
    before = model.rng.bit_generator.state
    model.run()
    assert model.rng.bit_generator.state == before
    assert model.random.getstate() == ds.SupervisionModel(toy, rng=7).random.getstate()


def test_invariants_hold_after_a_run(ran):
    s, g, ins = ran.state.schools, ran.state.governments, ran.state.inspectors
    for table in (s, g):
        p = table.problems
        assert set(np.unique(p.state)) <= {int(x) for x in ProblemState}
        assert ((p.severity >= 0) & (p.severity <= 1)).all()
        assert (p.severity[p.present] > 0).all()
        assert (p.severity[p.state == ProblemState.CLOSED] == 0).all()
        for name in (
            "effort",
            "dressing",
            "fake",
            "belief_detect",
            "belief_sanction",
            "belief_announced",
            "belief_recheck",
            "incentive",
        ):
            values = getattr(table, name)
            assert ((values >= 0) & (values <= 1)).all(), name
        assert (table.visits_year >= 0).all() and (p.n_orders >= 0).all()
    assert ((ins.skill >= 0) & (ins.skill <= 1)).all()
    assert ((ins.integrity >= 0) & (ins.integrity <= 1)).all()
    badged = s.badged[s.badged != NEVER]
    assert ins.active[badged].all()  # nobody's badged inspector has left
    zone = np.bincount(badged, minlength=ins.n)
    assert zone.max() <= 20
    frame = ran.metrics()
    for column in (
        "coverage_assigned",
        "flow_detection_visit",
        "fake_share",
        "serious_failings_sanctioned",
    ):
        values = frame[column].dropna()
        assert ((values >= 0) & (values <= 1)).all(), column


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"unannouncd_share": 0.5}, "unannouncd_share: unknown lever or assumption"),
        ({"unannounced_share": 1.5}, r"unannounced_share: 1.5 is not allowed"),
        ({"p_rebound": 0.9}, r"p_rebound: 0.9 is not allowed"),
        ({"warmup_months": 18}, "warmup_months: 18 is not allowed"),
        ({"months": -1}, "months: -1 is not allowed"),
        ({"rng": -3}, "rng: -3 is not allowed"),
        ({"scenario": "reform_2099"}, "no such file or shipped scenario"),
    ],
)
def test_bad_arguments_name_the_key_and_what_is_allowed(toy, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ds.SupervisionModel(toy, **kwargs)


def test_keyword_levers_and_stacked_scenarios(toy):
    model = ds.SupervisionModel(
        toy, scenario=["reform_2021", "high_stakes"], unannounced_share=0.9, p_rebound=0.05, rng=1
    )
    assert model.scenario.levers["unannounced_share"] == 0.9
    assert model.scenario.levers["accountability_strength"] == 1.0
    assert model.assumptions["p_rebound"] == 0.05
    assert model.levers == ds.load_scenario("pre_reform").levers  # warm-up first


def test_levers_switch_to_the_scenario_after_the_warmup(toy):
    model = ds.SupervisionModel(toy, months=2, warmup_months=12, rng=1)
    model.run(12)
    assert not model.levers["problem_ledger"]
    model.step()
    assert model.levers["problem_ledger"]


def test_mesa_batch_run_takes_plain_keywords(toy):
    results = batch_run(
        ds.SupervisionModel,
        parameters={
            "province": [toy],
            "unannounced_share": [0.0, 0.8],
            "months": [6],
            "warmup_months": [12],
            "rng": [1],
        },
        iterations=1,
        max_steps=100,
        number_processes=1,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    assert sorted(frame["unannounced_share"].unique()) == [0.0, 0.8]
    # 12 + 6 months run; Mesa labels the last collected month 17 (counting from 0).
    assert frame.groupby("unannounced_share")["Step"].max().tolist() == [17, 17]
    last = frame[frame["Step"] == 17].set_index("unannounced_share")
    assert last.loc[0.8, "n_unannounced_visits"] > last.loc[0.0, "n_unannounced_visits"]


class _Tally(Mechanism):
    """A researcher's own submodel: counts re-check visits each month."""

    name = "tally"
    declares_events = {"tally": "Re-check visits counted so far."}  # noqa: RUF012

    def setup(self, model):
        self.rechecks = 0

    def step(self, model):
        from dudao_sim.model.mechanisms import Purpose

        self.rechecks += int((model.visits.purpose == Purpose.RECHECK).sum())
        model.record("tally", self.rechecks)


def test_a_custom_mechanism_plugs_in_without_editing_the_package(toy):
    tally = _Tally()
    mechanisms = [m() for m in DEFAULT_MECHANISMS]
    mechanisms.insert(4, tally)  # after detection
    model = ds.SupervisionModel(toy, months=24, warmup_months=12, rng=2, mechanisms=mechanisms)
    model.run()
    assert tally.rechecks == model.metrics(include_warmup=True)["n_visits_recheck"].sum() > 0


def test_results_by_city_and_county_add_up_to_the_province(toy):
    province = ds.synthetic_province(n_counties=12, seed=4)
    model = ds.SupervisionModel(province, months=6, warmup_months=12, rng=3, create_agents=False)
    model.run()
    overall = model.metrics().set_index("month")
    whole = model.metrics_by("province").pivot(index="month", columns="metric", values="value")
    for metric in (
        "coverage_assigned",
        "coverage_visited",
        "visited_12m",
        "problems_per_school",
        "followed_share",
        "known_stock_share",
        "quality_mean",
    ):
        assert np.allclose(whole[metric], overall[metric]), metric
    by_city = model.metrics_by("city")
    assert set(by_city["code"]) == set(province.cities.index)
    by_county = model.metrics_by("county")
    assert by_county["code"].nunique() == 12
    assert set(by_county["metric"]) == set(by_city["metric"])
    with pytest.raises(ValueError, match="level: 'town' is not allowed"):
        model.metrics_by("town")


def test_report_flows_travel_up_the_networkx_hierarchy(ran):
    graph = ran.reporting_graph()
    edges = [(u, v, d) for u, v, d in graph.edges(data=True) if d["relation"] == "oversees"]
    county_edges = [d for u, v, d in edges if "reported" in d]
    city_edges = [d for u, v, d in edges if "passed_on" in d]
    assert len(county_edges) == 3 and len(city_edges) == 1
    for d in county_edges:
        assert 0 <= d["reported"] <= d["known"] <= d["truth"]
    total = sum(d["reported"] for d in county_edges)
    assert total == pytest.approx(ran.flows.reports.reported_by_counties)
    assert city_edges[0]["passed_on"] <= city_edges[0]["arrived"]
    assert city_edges[0]["passed_on"] == pytest.approx(ran.flows.reports.arrived_at_province)


def test_severity_is_zero_exactly_where_no_problem_is_present(ran):
    """The quality rule sums severity over all slots; that relies on this invariant."""
    for table in (ran.state.schools, ran.state.governments):
        p = table.problems
        assert ((p.severity > 0) == p.present).all()
