"""Drawings of the hierarchy: positions by level, the layered drawing and the county map."""

from __future__ import annotations

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection

import dudao_sim as ds
from dudao_sim.structure.drawing import (
    OFFICE_OFFSET,
    county_map,
    draw_hierarchy,
    hierarchy_positions,
)


@pytest.fixture(scope="module")
def toy():
    return ds.synthetic_province(n_counties=7, n_cities=2, seed=3)


@pytest.fixture(scope="module")
def graph(toy):
    return ds.build_hierarchy(toy, granularity="light")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_positions_one_row_per_level_and_offices_below(toy, graph):
    pos = hierarchy_positions(graph)
    counties = toy.county_table.index.astype(str)
    cities = toy.cities.index.astype(str)
    assert pos[f"gov:{toy.code}"][1] == 0.0
    assert {pos[f"gov:{c}"][1] for c in cities} == {-1.0}
    assert {pos[f"gov:{c}"][1] for c in counties} == {-2.0}
    for code in [toy.code, *cities, *counties]:
        gx, gy = pos[f"gov:{code}"]
        assert pos[f"office:{code}"] == (gx, gy - OFFICE_OFFSET)
    assert not any(n.startswith("township:") for n in pos)
    assert len(pos) == 2 * (1 + len(cities) + len(counties))


def test_counties_grouped_under_their_city(toy, graph):
    pos = hierarchy_positions(graph)
    table = toy.county_table
    xs = sorted((pos[f"gov:{c}"][0], str(table.loc[c, "city_code"])) for c in table.index)
    order = [city for _, city in xs]
    # each city's counties are contiguous, and the city sits over their mean
    assert order == sorted(order, key=order.index)
    for city in toy.cities.index.astype(str):
        mine = [x for x, c in xs if c == city]
        assert pos[f"gov:{city}"][0] == pytest.approx(sum(mine) / len(mine))
    assert all(0 < x < 1 for x, _ in xs)


def test_province_managed_counties_come_last(toy):
    managed = str(toy.county_table.index[0])
    graph = ds.build_hierarchy(toy, province_managed_counties=[managed])
    pos = hierarchy_positions(graph)
    xs = [pos[f"gov:{c}"][0] for c in toy.county_table.index.astype(str)]
    assert pos[f"gov:{managed}"][0] == max(xs)


def test_positions_of_chosen_levels(toy, graph):
    pos = hierarchy_positions(graph, levels=["county", "city"])
    assert {y for _, y in pos.values()} == {0.0, -OFFICE_OFFSET, -1.0, -1.0 - OFFICE_OFFSET}
    assert f"gov:{toy.code}" not in pos
    with pytest.raises(ValueError, match="levels"):
        hierarchy_positions(graph, levels=["region"])
    with pytest.raises(ValueError, match="levels"):
        hierarchy_positions(graph, levels=[])


def test_draw_hierarchy_draws_the_chosen_relations(toy, graph):
    ax = draw_hierarchy(graph, relations=["oversees", "evaluates"], lang="zh")
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    n_cities, n_counties = len(toy.cities), len(toy.county_table)
    # oversees and evaluates: province → each city, city → each of its counties
    assert sorted(len(c.get_segments()) for c in lines) == [n_cities + n_counties] * 2
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in points) == 2 * (1 + n_cities + n_counties)
    names = {t.get_text() for t in ax.texts}
    assert names == {toy.name, *toy.cities["name"]}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["指导下级督导办（四）", "督政（五）"]


def test_draw_hierarchy_rejects_unknown_names(graph):
    with pytest.raises(ValueError, match="relations"):
        draw_hierarchy(graph, relations=["commands"])
    with pytest.raises(ValueError, match="lang"):
        draw_hierarchy(graph, lang="fr")


def test_county_map_places_counties_and_names_cities(toy):
    counties = toy.county_table
    values = pd.DataFrame({"code": counties.index.astype(str), "v": range(len(counties))})
    ax = county_map(toy, values, "v", size="v", label="Value")
    (points,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    offsets = points.get_offsets()
    assert offsets[:, 0].tolist() == pytest.approx(counties["longitude"].tolist())
    assert offsets[:, 1].tolist() == pytest.approx(counties["latitude"].tolist())
    assert points.get_array().tolist() == list(range(len(counties)))
    assert sorted(t.get_text() for t in ax.texts) == sorted(toy.cities["name"])
    assert ax.figure.axes[-1].get_ylabel() == "Value"  # the colour bar


def test_county_map_names_missing_columns_and_unknown_codes(toy):
    values = pd.DataFrame({"code": ["000000"], "v": [1.0]})
    with pytest.raises(ValueError, match="missing column"):
        county_map(toy, values, "w")
    with pytest.raises(ValueError, match="000000"):
        county_map(toy, values, "v")
