"""Tests of dudao_sim.structure.hierarchy: the supervision hierarchy as a DAG.

Clauses 一, 四, 五, 六, 十七.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import dudao_sim as ds
from dudao_sim.structure.hierarchy import (
    LIGHT_RELATIONS,
    RELATIONS,
    build_hierarchy,
    read_graphml,
    write_graphml,
)
from dudao_sim.structure.inspectorate import (
    InspectorateSpec,
    assign_badged_zones,
    staff_inspectorate,
)


@pytest.fixture(scope="module")
def hunan() -> ds.Province:
    return ds.load_province("hunan")


@pytest.fixture(scope="module")
def hunan_full(hunan: ds.Province) -> nx.DiGraph:
    return build_hierarchy(hunan, granularity="full")


@pytest.fixture(scope="module")
def prov() -> ds.Province:
    return ds.synthetic_province(n_counties=12, n_cities=3, seed=4)


def parents(g: nx.DiGraph, node: str, relation: str) -> list[str]:
    return [u for u, _, r in g.in_edges(node, data="relation") if r == relation]


def children(g: nx.DiGraph, node: str, relation: str) -> list[str]:
    return [v for _, v, r in g.out_edges(node, data="relation") if r == relation]


def nodes_of(g: nx.DiGraph, kind: str, level: str | None = None) -> list[str]:
    return [
        n
        for n, d in g.nodes(data=True)
        if d["kind"] == kind and (level is None or d["level"] == level)
    ]


# ---- light graph ---------------------------------------------------------------------------
def test_light_graph_holds_governments_and_offices_only(prov: ds.Province) -> None:
    g = build_hierarchy(prov, granularity="light")
    assert nx.is_directed_acyclic_graph(g)
    kinds = Counter(d["kind"] for _, d in g.nodes(data=True))
    assert set(kinds) == {"government", "office"}
    n_townships = int(prov.county_table["n_townships"].sum())
    n_units = 1 + len(prov.cities) + len(prov.county_table)
    assert kinds["government"] == n_units + n_townships
    assert kinds["office"] == n_units
    assert {r for *_, r in g.edges(data="relation")} == set(LIGHT_RELATIONS)
    assert g.graph["granularity"] == "light"
    assert g.graph["province_code"] == prov.code
    assert g.graph["province_name"] == prov.name
    # the only root is the province government
    roots = [n for n in g if g.in_degree(n) == 0]
    assert roots == [f"gov:{prov.code}"]


@pytest.mark.hunan
def test_every_edge_carries_relation_and_clause(hunan_full: nx.DiGraph) -> None:
    for _, _, data in hunan_full.edges(data=True):
        assert data["clause"] == RELATIONS[data["relation"]]


@pytest.mark.hunan
def test_all_attributes_are_graphml_scalars(hunan_full: nx.DiGraph) -> None:
    for node, data in hunan_full.nodes(data=True):
        for key in ("kind", "level", "code", "name"):
            assert isinstance(data[key], str) and data[key], (node, key)
        for key, value in data.items():
            assert type(value) in (str, int, float, bool), (node, key, type(value))
    for *_, data in hunan_full.edges(data=True):
        assert all(type(v) is str for v in data.values())


@pytest.mark.hunan
def test_administration_chain(hunan: ds.Province, hunan_full: nx.DiGraph) -> None:
    g = hunan_full
    pgov = f"gov:{hunan.code}"
    assert sorted(children(g, pgov, "administers")) == sorted(
        f"gov:{c}" for c in hunan.cities.index
    )
    for code, row in hunan.county_table.iterrows():
        node = f"gov:{code}"
        assert parents(g, node, "administers") == [f"gov:{row['parent_code']}"]
        towns = children(g, node, "administers")
        assert len(towns) == row["n_townships"]
        types = Counter(g.nodes[t]["township_type"] for t in towns)
        assert types["subdistrict"] == row["n_subdistricts"]
        assert types["town"] == row["n_towns"]
        assert types["xiang"] == row["n_xiang"]
        for t in towns:
            assert t.startswith(f"township:{code}:")
            assert g.nodes[t]["name"].startswith(row["name"] + "第")
            assert parents(g, t, "administers") == [node]
            assert parents(g, t, "evaluates") == [f"office:{code}"]


@pytest.mark.hunan
def test_offices_hosting_oversight_and_evaluation(
    hunan: ds.Province, hunan_full: nx.DiGraph
) -> None:
    g = hunan_full
    p = hunan.code
    for node in nodes_of(g, "government"):
        offices = children(g, node, "hosts")
        if g.nodes[node]["level"] == "township":
            assert offices == []  # townships have no supervision office
        else:
            assert offices == [node.replace("gov:", "office:")]
    for city in hunan.cities.index:
        assert parents(g, f"office:{city}", "oversees") == [f"office:{p}"]
        assert parents(g, f"gov:{city}", "evaluates") == [f"office:{p}"]
    for code, row in hunan.county_table.iterrows():
        city = row["parent_code"]
        assert parents(g, f"office:{code}", "oversees") == [f"office:{city}"]
        assert parents(g, f"gov:{code}", "evaluates") == [f"office:{city}"]
        assert parents(g, f"gov:{code}", "spot_checks") == [f"office:{p}"]
    assert len(children(g, f"office:{p}", "spot_checks")) == 122


def test_spot_checks_can_be_switched_off(prov: ds.Province) -> None:
    g = build_hierarchy(prov, cross_level_spot_checks=False)
    assert "spot_checks" not in {r for *_, r in g.edges(data="relation")}


# ---- full graph ----------------------------------------------------------------------------
@pytest.mark.hunan
def test_every_school_is_supervised_by_exactly_one_office(
    hunan: ds.Province, hunan_full: nx.DiGraph
) -> None:
    g = hunan_full
    schools = nodes_of(g, "school")
    assert len(schools) == len(hunan.schools) == 25_000
    by_id = hunan.schools.set_index("school_id")
    for node in schools:
        sid = node.removeprefix("school:")
        sup = parents(g, node, "supervises")
        if by_id.at[sid, "school_type"] == "higher_education":
            assert sup == [f"office:{hunan.code}"]
        else:
            assert sup == [f"office:{by_id.at[sid, 'county_code']}"]


@pytest.mark.hunan
def test_badged_zones_in_the_graph(hunan: ds.Province, hunan_full: nx.DiGraph) -> None:
    g = hunan_full
    spec = InspectorateSpec()
    for node in nodes_of(g, "school"):
        badged = parents(g, node, "badged")
        if g.nodes[node]["school_type"] == "higher_education":
            assert badged == []
        else:
            # coverage 1 and staff at 1:5 suffice: exactly one badged inspector
            assert len(badged) == 1
            inspector = g.nodes[badged[0]]
            assert inspector["office_code"] == g.nodes[node]["county_code"]
    for node in nodes_of(g, "inspector"):
        assert len(children(g, node, "badged")) <= spec.max_zone_schools
        assert parents(g, node, "employs") == [f"office:{g.nodes[node]['office_code']}"]


@pytest.mark.hunan
def test_office_counts_match_the_edges(hunan_full: nx.DiGraph) -> None:
    g = hunan_full
    for node in nodes_of(g, "office"):
        data = g.nodes[node]
        staff = children(g, node, "employs")
        assert data["n_inspectors"] == len(staff)
        assert data["n_full_time"] == sum(g.nodes[i]["is_full_time"] for i in staff)
        assert data["n_schools_supervised"] == len(children(g, node, "supervises"))
    for node in nodes_of(g, "government", "city"):
        counties = children(g, node, "administers")
        assert g.nodes[node]["n_schools"] == sum(g.nodes[c]["n_schools"] for c in counties)
        assert g.nodes[node]["n_counties"] == len(counties)
    assert g.nodes["gov:430000"]["n_schools"] == 25_000
    assert g.nodes["gov:430000"]["n_townships"] == 1_947


def test_thin_inspectorate_leaves_schools_uncovered(prov: ds.Province) -> None:
    spec = {"schools_per_inspector": 50, "max_zone_schools": 20}
    g = build_hierarchy(prov, granularity="full", spec=spec)
    counts = Counter()
    for node in nodes_of(g, "school"):
        if g.nodes[node]["school_type"] != "higher_education":
            counts[len(parents(g, node, "badged"))] += 1
    assert set(counts) == {0, 1}
    assert counts[0] > 0
    for node in nodes_of(g, "inspector", "county"):
        assert len(children(g, node, "badged")) <= 20
    assert g.graph["inspectorate_spec"]["schools_per_inspector"] == 50


def test_given_inspectors_and_zones_are_used(prov: ds.Province) -> None:
    staff = staff_inspectorate(prov).iloc[::2].reset_index(drop=True)
    zones = assign_badged_zones(prov, staff, seed=3)
    g = build_hierarchy(prov, granularity="full", inspectors=staff, zones=zones)
    assert len(nodes_of(g, "inspector")) == len(staff)
    badged = {(u, v) for u, v, r in g.edges(data="relation") if r == "badged"}
    expected = {
        (f"inspector:{i}", f"school:{s}")
        for s, i in zip(zones["school_id"], zones["inspector_id"], strict=True)
        if isinstance(i, str)
    }
    assert badged == expected
    bad = zones.assign(inspector_id="I000000-0001")
    with pytest.raises(ValueError, match="zones: inspector_id 'I000000-0001'"):
        build_hierarchy(prov, granularity="full", inspectors=staff, zones=bad)
    with pytest.raises(ValueError, match="has more than one badged inspector"):
        build_hierarchy(
            prov, granularity="full", inspectors=staff, zones=pd.concat([zones, zones.iloc[:1]])
        )


# ---- alternative structures ----------------------------------------------------------------
def test_province_managed_counties_rewire_all_three_relations(prov: ds.Province) -> None:
    managed = list(prov.county_table.index[[0, 5]])
    g = build_hierarchy(prov, granularity="full", province_managed_counties=managed)
    assert nx.is_directed_acyclic_graph(g)
    p = prov.code
    for code in managed:
        assert parents(g, f"gov:{code}", "administers") == [f"gov:{p}"]
        assert parents(g, f"office:{code}", "oversees") == [f"office:{p}"]
        assert parents(g, f"gov:{code}", "evaluates") == [f"office:{p}"]
        assert parents(g, f"gov:{code}", "spot_checks") == []
    others = [c for c in prov.county_table.index if c not in managed]
    for code in others:
        city = prov.county_table.at[code, "parent_code"]
        assert parents(g, f"gov:{code}", "administers") == [f"gov:{city}"]
        assert parents(g, f"gov:{code}", "spot_checks") == [f"office:{p}"]
    for city in prov.cities.index:
        counties = children(g, f"gov:{city}", "administers")
        assert not set(counties) & {f"gov:{c}" for c in managed}
        assert g.nodes[f"gov:{city}"]["n_counties"] == len(counties)
    assert g.graph["province_managed_counties"] == ",".join(managed)


def test_unknown_province_managed_code_is_rejected(prov: ds.Province) -> None:
    with pytest.raises(ValueError, match=r"province_managed_counties: 430102.*not allowed"):
        build_hierarchy(prov, province_managed_counties=["430102"])


def test_extra_edges(prov: ds.Province) -> None:
    p = prov.code
    county = prov.county_table.index[0]
    city_office = f"office:{prov.cities.index[1]}"
    g = build_hierarchy(prov, extra_edges=[(city_office, f"gov:{county}", "spot_checks")])
    assert g.edges[city_office, f"gov:{county}"] == {"relation": "spot_checks", "clause": "五"}
    assert nx.is_directed_acyclic_graph(g)

    with pytest.raises(ValueError, match="cycle"):
        build_hierarchy(prov, extra_edges=[(f"office:{county}", f"gov:{p}", "evaluates")])
    with pytest.raises(ValueError, match="cycle"):
        build_hierarchy(prov, extra_edges=[(f"gov:{county}", f"gov:{county}", "administers")])
    with pytest.raises(ValueError, match="node 'gov:000000' is not a node"):
        build_hierarchy(prov, extra_edges=[(f"office:{p}", "gov:000000", "spot_checks")])
    with pytest.raises(ValueError, match="relation 'spot_check' is not allowed"):
        build_hierarchy(prov, extra_edges=[(city_office, f"gov:{county}", "spot_check")])
    with pytest.raises(ValueError, match="already exists"):
        build_hierarchy(prov, extra_edges=[(f"office:{p}", f"gov:{county}", "evaluates")])
    with pytest.raises(ValueError, match="extra_edges"):
        build_hierarchy(prov, extra_edges=[("a", "b")])


def test_bad_granularity_is_rejected(prov: ds.Province) -> None:
    with pytest.raises(ValueError, match=r"granularity: 'medium' is not allowed.*light, full"):
        build_hierarchy(prov, granularity="medium")


# ---- reproducibility and export ------------------------------------------------------------
def _edge_list(g: nx.DiGraph) -> list[tuple]:
    return sorted((u, v, tuple(sorted(d.items()))) for u, v, d in g.edges(data=True))


def test_same_seed_same_graph_different_seed_different_zones(prov: ds.Province) -> None:
    spec = {"badged_coverage": 0.7}
    a = build_hierarchy(prov, granularity="full", spec=spec, seed=5)
    b = build_hierarchy(prov, granularity="full", spec=spec, seed=5)
    c = build_hierarchy(prov, granularity="full", spec=spec, seed=6)
    assert _edge_list(a) == _edge_list(b)
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    badged = [{(u, v) for u, v, r in g.edges(data="relation") if r == "badged"} for g in (a, c)]
    assert badged[0] != badged[1]
    assert len(badged[0]) == len(badged[1])


def test_graphml_round_trip(prov: ds.Province, tmp_path) -> None:
    g = build_hierarchy(prov, granularity="full", seed=2)
    path = write_graphml(g, tmp_path / "h.graphml")
    assert isinstance(g.graph["inspectorate_spec"], dict)  # the original is left as it was
    back = read_graphml(path)
    assert back.number_of_nodes() == g.number_of_nodes()
    assert back.number_of_edges() == g.number_of_edges()
    assert dict(back.nodes(data=True)) == dict(g.nodes(data=True))
    assert _edge_list(back) == _edge_list(g)
    assert back.graph["inspectorate_spec"] == g.graph["inspectorate_spec"]
    assert back.graph["province_code"] == prov.code
    # plain networkx reads the file too
    plain = nx.read_graphml(path)
    assert plain.number_of_edges() == g.number_of_edges()


@pytest.mark.hunan
def test_node_ids_and_codes(hunan_full: nx.DiGraph) -> None:
    g = hunan_full
    assert g.nodes["gov:430100"]["name"] == "长沙市"
    assert g.nodes["office:430100"]["level"] == "city"
    town = g.nodes["township:430102:001"]
    assert town["code"] == "430102001" and town["level"] == "township"
    inspectors = nodes_of(g, "inspector")
    assert all(g.nodes[i]["code"] == i.removeprefix("inspector:") for i in inspectors)
    levels = Counter(g.nodes[i]["level"] for i in inspectors)
    assert levels["province"] == int(np.ceil(128 / 5))
    assert levels["city"] == 122
