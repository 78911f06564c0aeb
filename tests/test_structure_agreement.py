"""The networkx graph and the model's state describe one supervision structure (issue 11).

Both are built from the tables of :func:`dudao_sim.structure.tables.build_structure`; these
tests build them through their own public entry points (``build_hierarchy`` and
``build_state`` / ``SupervisionModel``) and check that they agree: counts per level, township
codes, who administers whom, the office of each school, inspectors per office, badged zones,
and the evaluation, oversight and spot-check edges — for the synthetic province and Hunan,
under ``pre_reform`` and ``reform_2021`` staffing. Province-managed counties (省直管县) and
extra spot-check or evaluation edges change the model too: who evaluates, who confirms.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import pytest

import dudao_sim as ds
from dudao_sim.model.initial_state import build_state
from dudao_sim.model.mechanisms.base import Purpose, UnitKind
from dudao_sim.model.state import LevelCode, State
from dudao_sim.model.streams import Streams
from dudao_sim.policy.assumptions import check_assumptions
from dudao_sim.policy.scenarios import load_scenario
from dudao_sim.structure.hierarchy import build_hierarchy
from dudao_sim.structure.inspectorate import InspectorateSpec

LEVEL_NAMES = {int(code): code.name.lower() for code in LevelCode}
SEED = 11


@pytest.fixture(scope="module")
def toy() -> ds.Province:
    return ds.synthetic_province(n_counties=6, n_cities=2, seed=3)


@pytest.fixture(scope="module")
def hunan() -> ds.Province:
    return ds.load_province("hunan")


# ---- what each side says -------------------------------------------------------------------
def _graph_edges(graph: nx.DiGraph, relation: str) -> set[tuple[str, str]]:
    code = dict(graph.nodes(data="code"))
    return {(code[u], code[v]) for u, v, r in graph.edges(data="relation") if r == relation}


def _state_edges(state: State, relation: str) -> set[tuple[str, str]]:
    codes = state.governments.codes
    office_code = codes[state.offices.gov]
    g = state.governments
    if relation == "administers":
        below = np.flatnonzero(g.parent >= 0)
        return set(zip(codes[g.parent[below]], codes[below], strict=True))
    if relation == "oversees":
        below = np.flatnonzero(state.offices.parent >= 0)
        return set(zip(office_code[state.offices.parent[below]], office_code[below], strict=True))
    edges = state.evaluations if relation == "evaluates" else state.confirmations
    return set(zip(office_code[edges.office], codes[edges.government], strict=True))


def _assert_light_agreement(graph: nx.DiGraph, state: State) -> None:
    """Governments, offices, staff per office and the edges between them agree."""
    g, offices = state.governments, state.offices
    govs = {n: d for n, d in graph.nodes(data=True) if d["kind"] == "government"}
    office_nodes = {n: d for n, d in graph.nodes(data=True) if d["kind"] == "office"}
    # counts per level
    assert Counter(d["level"] for d in govs.values()) == Counter(LEVEL_NAMES[lv] for lv in g.level)
    assert Counter(d["level"] for d in office_nodes.values()) == Counter(
        LEVEL_NAMES[lv] for lv in offices.level
    )
    # codes (townships included) and names, level by level
    for level, name in LEVEL_NAMES.items():
        in_graph = {(d["code"], d["name"]) for d in govs.values() if d["level"] == name}
        rows = np.flatnonzero(g.level == level)
        assert in_graph == set(zip(g.codes[rows], g.names[rows], strict=True)), name
    # inspectors per office, full-time among them
    ins = state.inspectors
    office_code = g.codes[offices.gov]
    staff = np.bincount(ins.office[ins.active], minlength=offices.n)
    full = np.bincount(ins.office[ins.active & ins.full_time], minlength=offices.n)
    in_graph = {d["code"]: (d["n_inspectors"], d["n_full_time"]) for d in office_nodes.values()}
    assert in_graph == {
        c: (int(n), int(f)) for c, n, f in zip(office_code, staff, full, strict=True)
    }
    # edges: administration, oversight (四), evaluation and spot-check confirmation (五)
    for relation in ("administers", "oversees", "evaluates", "spot_checks"):
        assert _graph_edges(graph, relation) == _state_edges(state, relation), relation
    # a government's own evaluator is the office of the government administering it
    primary = {(office_code[g.office[r]], g.codes[r]) for r in np.flatnonzero(g.office >= 0)}
    assert primary <= _state_edges(state, "evaluates")


def _assert_full_agreement(graph: nx.DiGraph, state: State) -> None:
    """Also the office of each school, and each school's badged inspector."""
    _assert_light_agreement(graph, state)
    g, s, ins = state.governments, state.schools, state.inspectors
    office_code = g.codes[state.offices.gov]
    supervises = {v: u for u, v in _graph_edges(graph, "supervises")}
    assert supervises == dict(zip(s.ids, office_code[s.office], strict=True))
    # Inspector k of an office in the graph is the k-th slot of that office in the state.
    first_slot = np.searchsorted(ins.office, np.arange(state.offices.n))
    in_state = {
        sid: (office_code[ins.office[row]], int(row - first_slot[ins.office[row]]))
        for sid, row in zip(s.ids, s.badged, strict=True)
        if row >= 0
    }
    node = dict(graph.nodes(data=True))
    in_graph = {}
    for u, v, r in graph.edges(data="relation"):
        if r == "badged":
            number = int(node[u]["code"].rsplit("-", 1)[1]) - 1
            in_graph[node[v]["code"]] = (node[u]["office_code"], number)
    assert in_graph == in_state
    assert not (ins.active[s.badged[s.badged >= 0]] == 0).any()


def _state_for(province: ds.Province, scenario: str) -> tuple[nx.DiGraph, State]:
    levers = load_scenario(scenario).levers
    graph = build_hierarchy(
        province, granularity="full", spec=InspectorateSpec.from_levers(levers), seed=SEED
    )
    state = build_state(province, levers, check_assumptions({}), Streams(SEED))
    return graph, state


# ---- the default structure -----------------------------------------------------------------
@pytest.mark.parametrize("scenario", ["pre_reform", "reform_2021"])
def test_graph_and_state_agree_on_the_synthetic_province(toy, scenario):
    graph, state = _state_for(toy, scenario)
    _assert_full_agreement(graph, state)


@pytest.mark.hunan
@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["pre_reform", "reform_2021"])
def test_graph_and_state_agree_on_hunan(hunan, scenario):
    graph, state = _state_for(hunan, scenario)
    _assert_full_agreement(graph, state)
    townships = state.governments.codes[state.governments.level == LevelCode.TOWNSHIP]
    assert "430102001" in set(townships)  # 芙蓉区's first township, as in the graph


def test_the_staffing_differs_between_the_two_scenarios(toy):
    """The agreement above is not vacuous: the two staffings give different inspectorates."""
    _, before = _state_for(toy, "pre_reform")
    _, after = _state_for(toy, "reform_2021")
    assert before.inspectors.active.sum() < after.inspectors.active.sum()


def test_the_models_hierarchy_is_the_state_it_runs(toy):
    model = ds.SupervisionModel(toy, scenario="reform_2021", months=0, warmup_months=0, rng=SEED)
    spec = model.hierarchy.graph["inspectorate_spec"]
    assert (
        spec["schools_per_inspector"]
        == load_scenario("pre_reform").levers["schools_per_inspector_target"]
    )
    _assert_light_agreement(model.hierarchy, model.state)


# ---- alternative structures change the model ------------------------------------------------
@pytest.fixture(scope="module")
def rewired(toy) -> dict:
    counties = toy.county_table
    city_a, city_b = toy.cities.index[:2]
    managed = str(counties.index[counties["parent_code"] == city_a][0])
    in_a = [str(c) for c in counties.index[counties["parent_code"] == city_a] if c != managed]
    in_b = [str(c) for c in counties.index[counties["parent_code"] == city_b]]
    return {
        "managed": managed,
        "spot_checked": in_a[0],  # city B's office spot-checks a county of city A
        "checker": str(city_b),
        "co_evaluated": in_b[0],  # city A's office evaluates a county of city B too
        "co_evaluator": str(city_a),
        "extra_edges": [
            (f"office:{city_b}", f"gov:{in_a[0]}", "spot_checks"),
            (f"office:{city_a}", f"gov:{in_b[0]}", "evaluates"),
        ],
    }


def _december_visits(model: ds.SupervisionModel) -> tuple[dict, dict]:
    """Run to the end of the first December: November's and December's visits."""
    months = {}
    while model.running:
        model.step()
        months[model.calendar.month_of_year(model.t - 1)] = model.flows.visits
    return months[11], months[12]


def _by(visits, purpose: Purpose, kind: UnitKind = UnitKind.GOVERNMENT) -> set[tuple[int, int]]:
    sel = (visits.purpose == purpose) & (visits.kind == kind)
    return set(zip(visits.office[sel].tolist(), visits.unit[sel].tolist(), strict=True))


def _rewired_model(toy, rewired, **kwargs) -> ds.SupervisionModel:
    return ds.SupervisionModel(
        toy,
        scenario="reform_2021",
        months=12,
        warmup_months=0,
        rng=SEED,
        provincial_spot_check_share=1.0,  # every spot-check edge is drawn
        # money enough for all of it: here the structure, not the budget (二十一), is on test
        budget_per_school_yuan=20000,
        province_managed_counties=[rewired["managed"]],
        extra_edges=rewired["extra_edges"],
        **kwargs,
    )


def test_rewired_graph_and_state_agree(toy, rewired):
    model = _rewired_model(toy, rewired)
    _assert_light_agreement(model.hierarchy, model.state)
    graph = build_hierarchy(
        toy,
        granularity="full",
        spec=InspectorateSpec.from_levers(load_scenario("pre_reform").levers),
        seed=SEED,
        province_managed_counties=[rewired["managed"]],
        extra_edges=rewired["extra_edges"],
    )
    _assert_full_agreement(graph, model.state)


def test_province_managed_county_and_extra_edges_change_who_evaluates_and_confirms(toy, rewired):
    # without de-duplication (八) the second confirming office keeps its school visits
    model = _rewired_model(toy, rewired, deduplicate_levels=False)
    g, offices = model.state.governments, model.state.offices
    row = {code: r for r, code in enumerate(g.codes)}
    office_of = {g.codes[offices.gov[o]]: o for o in range(offices.n)}
    province = office_of[toy.code]
    managed, checked = row[rewired["managed"]], row[rewired["spot_checked"]]
    co_evaluated = row[rewired["co_evaluated"]]
    city_a = office_of[str(toy.county_table.at[rewired["spot_checked"], "parent_code"])]
    city_b = office_of[rewired["checker"]]

    november, december = _december_visits(model)
    evaluations = _by(november, Purpose.EVALUATION)
    confirmations = _by(december, Purpose.CONFIRMATION)
    # 省直管县: the province evaluates it, reports go straight up, no spot check confirms it
    assert g.parent[managed] == row[toy.code]
    assert (province, managed) in evaluations
    assert not any(unit == managed for _, unit in confirmations)
    assert offices.parent[office_of[rewired["managed"]]] == province
    # an extra evaluation: the county of city B is evaluated by its own city and by city A
    assert {o for o, u in evaluations if u == co_evaluated} == {city_b, city_a}
    assert g.office[co_evaluated] == city_b  # its own evaluator stays its city
    # an extra spot check: city B's office confirms a county of city A, as does the province
    assert {o for o, u in confirmations if u == checked} == {province, city_b}
    assert (city_a, checked) in evaluations
    # and its school sample: city B's office visits schools of that county
    school_checks = _by(december, Purpose.CONFIRMATION, UnitKind.SCHOOL)
    schools_of_checked = set(np.flatnonzero(model.state.schools.county == checked).tolist())
    assert {u for o, u in school_checks if o == city_b} <= schools_of_checked
    assert any(o == city_b for o, _ in school_checks)
    # every city-led county is confirmed (share 1), the managed one never
    city_led = set(np.flatnonzero((g.level == LevelCode.COUNTY) & (g.parent != 0)).tolist())
    assert {u for o, u in confirmations if o == province} == city_led


def test_without_cross_level_spot_checks_nobody_confirms(toy, rewired):
    model = ds.SupervisionModel(
        toy,
        scenario="reform_2021",
        months=12,
        warmup_months=0,
        rng=SEED,
        provincial_spot_check_share=1.0,
        cross_level_spot_checks=False,
    )
    assert len(model.state.confirmations.office) == 0
    _, december = _december_visits(model)
    assert not (december.purpose == Purpose.CONFIRMATION).any()
    assert model.metrics()["n_counties_confirmed"].sum() == 0


def test_the_model_refuses_extra_edges_it_cannot_act_on(toy):
    county = toy.county_table.index[0]
    city = toy.county_table.at[county, "parent_code"]
    other = next(c for c in toy.cities.index if c != city)
    with pytest.raises(ds.DudaoError, match="the model acts on evaluates and spot_checks"):
        ds.SupervisionModel(toy, extra_edges=[(f"gov:{other}", f"gov:{county}", "administers")])
    with pytest.raises(ds.DudaoError, match="province_managed_counties: 123"):
        ds.SupervisionModel(toy, province_managed_counties=["123"])
    with pytest.raises(ds.DudaoError, match="would create a cycle"):
        ds.SupervisionModel(toy, extra_edges=[(f"office:{county}", f"gov:{toy.code}", "evaluates")])
