"""Build the reporting hierarchy of education supervision as a ``networkx.DiGraph``.

Governments, their supervision offices (政府教育督导办, clause 一) and, in a full graph,
schools and inspectors are nodes; edges point from superior to subordinate, so the graph is
a DAG rooted at the province government and reports flow against the edges. Each edge
carries its ``relation`` and the ``clause`` it comes from:

================  ==========================================  ================
relation          from → to                                   clause
================  ==========================================  ================
``administers``   government → government of the level below  一, 五
``hosts``         government → its own supervision office     一
``oversees``      office → office of the level below          四
``evaluates``     office → government of the level below      五 (督政)
``spot_checks``   province office → county governments        五 (省级抽查认定)
``supervises``    office → school                             六 (督学)
``employs``       office → inspector                          十七
``badged``        inspector → school (responsibility zone)    六, 十七
================  ==========================================  ================

County education work is evaluated by the city office (市级为主督导) with spot checks by the
province office (省级抽查认定); counties under the province's direct administration
(省直管县) are administered, overseen and evaluated by the province instead.

Example:
    >>> import dudao_sim as ds
    >>> from dudao_sim.structure.hierarchy import build_hierarchy
    >>> g = build_hierarchy(ds.synthetic_province(n_counties=3), granularity="light")
    >>> g.graph["granularity"], g.nodes["gov:990000000"]["level"]
    ('light', 'province')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from dudao_sim.data.province import Province
from dudao_sim.data.vocab import BADGED_TYPES, PROVINCE_SUPERVISED, Level, TownshipType, label
from dudao_sim.structure.inspectorate import (
    ZONE_COLUMNS,
    InspectorateSpec,
    as_spec,
    assign_badged_zones,
    check_inspectors,
    county_parents,
    staff_inspectorate,
)

#: Edge relations and the clause each comes from.
RELATIONS: dict[str, str] = {
    "administers": "一,五",
    "hosts": "一",
    "oversees": "四",
    "evaluates": "五",
    "spot_checks": "五",
    "supervises": "六",
    "employs": "十七",
    "badged": "六,十七",
}

#: Relations of a light graph (what the model carries).
LIGHT_RELATIONS: tuple[str, ...] = ("administers", "hosts", "oversees", "evaluates", "spot_checks")

GRANULARITIES: tuple[str, ...] = ("light", "full")

_TOWNSHIP_SUFFIX = {
    TownshipType.SUBDISTRICT.value: "街道",
    TownshipType.TOWN.value: "镇",
    TownshipType.XIANG.value: "乡",
}
_GRAPHML_DEFAULTS = ("node_default", "edge_default")
_BADGED = sorted(t.value for t in BADGED_TYPES)
_PROVINCE_SUPERVISED = sorted(t.value for t in PROVINCE_SUPERVISED)


def gov_node(code: str) -> str:
    """Node id of the government of division ``code`` (``"gov:{code}"``)."""
    return f"gov:{code}"


def office_node(code: str) -> str:
    """Node id of the supervision office of division ``code`` (``"office:{code}"``)."""
    return f"office:{code}"


def township_node(county_code: str, k: int) -> str:
    """Node id of the ``k``-th township (1-based) of a county."""
    return f"township:{county_code}:{k:03d}"


def school_node(school_id: str) -> str:
    """Node id of a school (``"school:{school_id}"``)."""
    return f"school:{school_id}"


def inspector_node(inspector_id: str) -> str:
    """Node id of an inspector (``"inspector:{inspector_id}"``)."""
    return f"inspector:{inspector_id}"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (GraphML-writable); faster than ``to_dict``."""
    columns = [str(c) for c in frame.columns]
    values = [frame[c].tolist() for c in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _edges(
    graph: nx.DiGraph, sources: Iterable[str], targets: Iterable[str], relation: str
) -> None:
    graph.add_edges_from(
        zip(sources, targets, strict=True), relation=relation, clause=RELATIONS[relation]
    )


def _office_stats(
    province: Province, inspectors: pd.DataFrame, office_codes: list[str]
) -> pd.DataFrame:
    ids = inspectors["office_code"].astype(str)
    unknown = sorted(set(ids) - set(office_codes))
    if unknown:
        raise ValueError(
            f"inspectors: office_code {', '.join(unknown[:5])} is not allowed; "
            "must be the code of the province, a city or a county of the province"
        )
    grouped = inspectors.assign(office_code=ids).groupby("office_code")["is_full_time"]
    stats = pd.DataFrame(
        {"n_inspectors": grouped.size(), "n_full_time": grouped.sum().astype(np.int64)}
    )
    stats = stats.reindex(office_codes, fill_value=0).astype(np.int64)
    supervised = pd.Series(0, index=office_codes, dtype=np.int64)
    supervised[province.code] = int(province.school_counts[_PROVINCE_SUPERVISED].to_numpy().sum())
    per_county = province.school_counts[_BADGED].sum(axis=1).astype(np.int64)
    supervised[per_county.index] = per_county.to_numpy()
    stats["n_schools_supervised"] = supervised
    return stats


def _add_governments_and_offices(
    graph: nx.DiGraph,
    province: Province,
    parents: pd.Series,
    stats: pd.DataFrame,
    cross_level_spot_checks: bool,
) -> None:
    counties = province.county_table
    per_county = pd.DataFrame(
        {
            "n_schools": province.school_counts.sum(axis=1).astype(np.int64),
            "n_townships": counties["n_townships"].astype(np.int64),
            "parent": parents,
        }
    )
    by_parent = per_county.groupby("parent")[["n_schools", "n_townships"]].sum()
    n_counties = parents.value_counts()

    def division_attrs(code: str, row: Mapping[str, Any], level: str) -> dict[str, Any]:
        return {
            "kind": "government",
            "level": level,
            "code": code,
            "name": str(row["name"]),
            "division_type": str(row["division_type"]),
            "longitude": float(row["longitude"]),
            "latitude": float(row["latitude"]),
        }

    # governments: province, cities, counties
    pcode = province.code
    prow = province.divisions.set_index("code").loc[pcode]
    attrs = division_attrs(pcode, prow, Level.PROVINCE.value)
    attrs.update(
        n_schools=int(per_county["n_schools"].sum()),
        n_townships=int(per_county["n_townships"].sum()),
        n_cities=len(province.cities),
        n_counties=len(counties),
    )
    graph.add_node(gov_node(pcode), **attrs)
    for code, row in province.cities.iterrows():
        attrs = division_attrs(str(code), row, Level.CITY.value)
        attrs.update(
            n_schools=int(by_parent["n_schools"].get(code, 0)),
            n_townships=int(by_parent["n_townships"].get(code, 0)),
            n_counties=int(n_counties.get(code, 0)),
        )
        graph.add_node(gov_node(str(code)), **attrs)
    county_frame = pd.DataFrame(
        {
            "kind": "government",
            "level": Level.COUNTY.value,
            "code": counties.index.astype(str),
            "name": counties["name"].astype(str),
            "division_type": counties["division_type"].astype(str),
            "longitude": counties["longitude"].astype(float),
            "latitude": counties["latitude"].astype(float),
            "n_schools": per_county["n_schools"],
            "n_townships": per_county["n_townships"],
            "parent_code": parents,
        }
    )
    county_ids = ("gov:" + county_frame["code"]).tolist()
    graph.add_nodes_from(zip(county_ids, _records(county_frame), strict=True))

    # offices (clause 一): province, cities, counties
    names = pd.concat([pd.Series({pcode: prow["name"]}), province.cities["name"], counties["name"]])
    levels = [Level.PROVINCE.value] + [Level.CITY.value] * len(province.cities)
    levels += [Level.COUNTY.value] * len(counties)
    office_frame = pd.DataFrame(
        {
            "kind": "office",
            "level": levels,
            "code": names.index.astype(str),
            "name": names.astype(str).to_numpy() + "政府教育督导办",
        }
    ).join(stats, on="code")
    office_ids = ("office:" + office_frame["code"]).tolist()
    graph.add_nodes_from(zip(office_ids, _records(office_frame), strict=True))

    # townships (clause 五: county offices evaluate township governments)
    n_town = counties["n_townships"].to_numpy(np.int64)
    codes = np.repeat(counties.index.to_numpy(str), n_town)
    starts = np.repeat(np.cumsum(n_town) - n_town, n_town)
    k = np.arange(int(n_town.sum()), dtype=np.int64) - starts + 1
    n_sub = np.repeat(counties["n_subdistricts"].to_numpy(np.int64), n_town)
    n_towns = np.repeat(counties["n_towns"].to_numpy(np.int64), n_town)
    ttype = np.where(
        k <= n_sub,
        TownshipType.SUBDISTRICT.value,
        np.where(k <= n_sub + n_towns, TownshipType.TOWN.value, TownshipType.XIANG.value),
    )
    k3 = pd.Series(k).astype(str).str.zfill(3)
    code_s = pd.Series(codes, dtype=str)
    town_frame = pd.DataFrame(
        {
            "kind": "government",
            "level": Level.TOWNSHIP.value,
            "code": code_s + k3,
            "name": pd.Series(np.repeat(counties["name"].to_numpy(str), n_town), dtype=str)
            + "第"
            + pd.Series(k).astype(str)
            + pd.Series(ttype, dtype=str).map(_TOWNSHIP_SUFFIX),
            "township_type": pd.Series(ttype, dtype=str),
            "county_code": code_s,
        }
    )
    town_ids = ("township:" + code_s + ":" + k3).tolist()
    graph.add_nodes_from(zip(town_ids, _records(town_frame), strict=True))

    # edges
    city_codes = province.cities.index.astype(str).tolist()
    county_codes = counties.index.astype(str).tolist()
    parent_list = parents.astype(str).tolist()
    _edges(graph, [gov_node(pcode)] * len(city_codes), map(gov_node, city_codes), "administers")
    _edges(graph, map(gov_node, parent_list), county_ids, "administers")
    _edges(graph, ["gov:" + c for c in codes], town_ids, "administers")
    all_codes = [pcode, *city_codes, *county_codes]
    _edges(graph, map(gov_node, all_codes), map(office_node, all_codes), "hosts")
    _edges(graph, [office_node(pcode)] * len(city_codes), map(office_node, city_codes), "oversees")
    _edges(graph, map(office_node, parent_list), map(office_node, county_codes), "oversees")
    _edges(graph, [office_node(pcode)] * len(city_codes), map(gov_node, city_codes), "evaluates")
    _edges(graph, map(office_node, parent_list), county_ids, "evaluates")
    _edges(graph, ["office:" + c for c in codes], town_ids, "evaluates")
    if cross_level_spot_checks:
        city_led = [
            gov_node(c) for c, p in zip(county_codes, parent_list, strict=True) if p != pcode
        ]
        _edges(graph, [office_node(pcode)] * len(city_led), city_led, "spot_checks")


def _check_zones(zones: pd.DataFrame, schools: pd.Series, inspector_ids: pd.Series) -> pd.DataFrame:
    if not isinstance(zones, pd.DataFrame):
        raise ValueError(
            f"zones: {type(zones).__name__} is not allowed; "
            "must be a DataFrame as returned by assign_badged_zones"
        )
    missing = [c for c in ZONE_COLUMNS if c not in zones.columns]
    if missing:
        raise ValueError(
            f"zones: missing column(s) {', '.join(missing)}; required: {', '.join(ZONE_COLUMNS)}"
        )
    zones = zones.loc[zones["inspector_id"].notna(), list(ZONE_COLUMNS)].astype(str)
    checks = (
        (
            ~zones["school_id"].isin(schools),
            "school_id",
            "not a badged-type school of the province",
        ),
        (~zones["inspector_id"].isin(inspector_ids), "inspector_id", "not an inspector given"),
        (zones["school_id"].duplicated(), "school_id", "has more than one badged inspector"),
    )
    for bad, column, message in checks:
        if bad.any():
            value = zones.loc[bad, column].iloc[0]
            raise ValueError(f"zones: {column} {value!r} is not allowed: {message}")
    return zones


def _add_schools_and_inspectors(
    graph: nx.DiGraph,
    province: Province,
    inspectors: pd.DataFrame,
    zones: pd.DataFrame,
) -> None:
    pcode = province.code
    schools = province.schools
    county_name = province.county_table["name"].astype(str)
    types = schools["school_type"].astype(str)
    type_zh = types.map({t: label(t, "zh") for t in types.unique()})
    school_frame = pd.DataFrame(
        {
            "kind": "school",
            "level": "school",
            "code": schools["school_id"].astype(str),
            "name": schools["county_code"].map(county_name).astype(str)
            + type_zh
            + "（"
            + schools["school_id"].astype(str)
            + "）",
            "school_type": types,
            "ownership": schools["ownership"].astype(str),
            "enrolment": schools["enrolment"].astype(np.int64),
            "county_code": schools["county_code"].astype(str),
        }
    )
    school_ids = ("school:" + school_frame["code"]).tolist()
    graph.add_nodes_from(zip(school_ids, _records(school_frame), strict=True))
    higher = types.isin(_PROVINCE_SUPERVISED).to_numpy()
    supervisor = np.where(
        higher, "office:" + pcode, "office:" + school_frame["county_code"]
    ).tolist()
    _edges(graph, supervisor, school_ids, "supervises")

    office_names = pd.concat(
        [
            pd.Series({pcode: province.name}),
            province.cities["name"],
            province.county_table["name"],
        ]
    ).astype(str)
    office_codes = inspectors["office_code"].astype(str)
    full = inspectors["is_full_time"].astype(bool)
    inspector_frame = pd.DataFrame(
        {
            "kind": "inspector",
            "level": inspectors["level"].astype(str),
            "code": inspectors["inspector_id"].astype(str),
            "name": office_codes.map(office_names)
            + np.where(full, "专职督学", "兼职督学")
            + "（"
            + inspectors["inspector_id"].astype(str)
            + "）",
            "is_full_time": full,
            "office_code": office_codes,
        }
    )
    inspector_ids = ("inspector:" + inspector_frame["code"]).tolist()
    graph.add_nodes_from(zip(inspector_ids, _records(inspector_frame), strict=True))
    _edges(graph, "office:" + office_codes, inspector_ids, "employs")
    _edges(graph, "inspector:" + zones["inspector_id"], "school:" + zones["school_id"], "badged")


def _add_extra_edges(graph: nx.DiGraph, extra_edges: Iterable[Any]) -> None:
    for item in extra_edges:
        if not isinstance(item, list | tuple) or len(item) not in (3, 4):
            raise ValueError(
                f"extra_edges: {item!r} is not allowed; "
                "each must be (source_node, target_node, relation) or (..., clause)"
            )
        source, target, relation = item[:3]
        if relation not in RELATIONS:
            raise ValueError(
                f"extra_edges: relation {relation!r} is not allowed; "
                f"must be one of {', '.join(RELATIONS)}"
            )
        for node in (source, target):
            if node not in graph:
                raise ValueError(f"extra_edges: node {node!r} is not a node of the graph")
        if graph.has_edge(source, target):
            existing = graph.edges[source, target]["relation"]
            raise ValueError(
                f"extra_edges: edge {source!r} -> {target!r} already exists "
                f"(relation {existing!r}); a pair of nodes carries one relation"
            )
        if source == target or nx.has_path(graph, target, source):
            raise ValueError(
                f"extra_edges: edge {source!r} -> {target!r} ({relation}) is not allowed: "
                "it would create a cycle (edges must point from superior to subordinate)"
            )
        clause = str(item[3]) if len(item) == 4 else RELATIONS[relation]
        graph.add_edge(source, target, relation=relation, clause=clause)


def build_hierarchy(
    province: Province,
    granularity: str = "light",
    spec: InspectorateSpec | Mapping[str, Any] | None = None,
    seed: int = 0,
    inspectors: pd.DataFrame | None = None,
    zones: pd.DataFrame | None = None,
    province_managed_counties: Iterable[str] = (),
    cross_level_spot_checks: bool = True,
    extra_edges: Iterable[tuple[str, str, str]] = (),
) -> nx.DiGraph:
    """Build the supervision hierarchy of a province (clauses 一, 四, 五, 六, 十七).

    Args:
        province: The province.
        granularity: ``"light"``: governments (province, cities, counties, townships) and
            offices only, with ``administers`` / ``hosts`` / ``oversees`` / ``evaluates`` /
            ``spot_checks`` edges — what the model carries. ``"full"``: also schools,
            inspectors and badged responsibility zones (``supervises`` / ``employs`` /
            ``badged``).
        spec: Inspectorate rules (:class:`~dudao_sim.structure.inspectorate.InspectorateSpec` or a
            mapping of its fields); defaults to 1:5, 30 % full-time, full coverage.
        seed: Seed of the badged-zone draw.
        inspectors: Inspectors to use instead of
            :func:`~dudao_sim.structure.inspectorate.staff_inspectorate` ``(province, spec, seed)``.
        zones: Badged zones to use instead of
            :func:`~dudao_sim.structure.inspectorate.assign_badged_zones` (full graphs only).
        province_managed_counties: County codes administered directly by the province
            (省直管县): the province government administers the county, the province office
            oversees its office and evaluates its government.
        cross_level_spot_checks: Add ``spot_checks`` edges from the province office to every
            city-led county government (省级抽查认定, clause 五).
        extra_edges: ``(source_node, target_node, relation)`` triples (optionally with a 4th
            item, the clause) added as given, e.g. extra cross-level spot checks.

    Returns:
        The DAG. Node attributes: ``kind``, ``level``, ``code``, ``name`` and counts (see the
        module docstring); graph attributes ``province_code``, ``province_name``,
        ``granularity``, ``inspectorate_spec`` (dict), ``province_managed_counties``
        (comma-separated codes) and ``seed``.

    Raises:
        ValueError: For an unknown granularity, an unknown province-managed county code, a
            bad spec, inspectors or zones, or an extra edge with an unknown node or relation,
            a duplicate pair or a cycle.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(
            f"granularity: {granularity!r} is not allowed; must be one of "
            f"{', '.join(GRANULARITIES)}"
        )
    spec = as_spec(spec)
    managed = [str(c) for c in province_managed_counties]
    parents = county_parents(province, managed)
    if inspectors is None:
        inspectors = staff_inspectorate(province, spec, seed, managed)
    else:
        check_inspectors(inspectors)
    office_codes = [province.code, *province.cities.index.astype(str)]
    office_codes += province.county_table.index.astype(str).tolist()
    stats = _office_stats(province, inspectors, office_codes)

    graph = nx.DiGraph(
        province_code=province.code,
        province_name=province.name,
        granularity=granularity,
        inspectorate_spec=spec.model_dump(),
        province_managed_counties=",".join(managed),
        seed=int(seed),
    )
    _add_governments_and_offices(graph, province, parents, stats, cross_level_spot_checks)
    if granularity == "full":
        if zones is None:
            zones = assign_badged_zones(province, inspectors, spec, seed)
        badged_schools = province.schools.loc[
            province.schools["school_type"].isin(_BADGED), "school_id"
        ].astype(str)
        zones = _check_zones(zones, badged_schools, inspectors["inspector_id"].astype(str))
        _add_schools_and_inspectors(graph, province, inspectors, zones)
    _add_extra_edges(graph, extra_edges)
    return graph


def write_graphml(graph: nx.DiGraph, path: str | Path) -> Path:
    """Write a hierarchy with ``networkx.write_graphml``, encoding dict graph attributes as JSON.

    GraphML holds only scalar values; ``inspectorate_spec`` (a dict) is written as a JSON
    string and decoded again by :func:`read_graphml`.

    Args:
        graph: A graph from :func:`build_hierarchy`.
        path: Destination file.

    Returns:
        The path written.

    Raises:
        OSError: If the file cannot be written.
    """
    path = Path(path)
    original = graph.graph
    encoded = {
        k: json.dumps(v, ensure_ascii=False)
        if isinstance(v, dict | list | tuple) and k not in _GRAPHML_DEFAULTS
        else v
        for k, v in original.items()
    }
    graph.graph = encoded
    try:
        nx.write_graphml(graph, path)
    finally:
        graph.graph = original
    return path


def read_graphml(path: str | Path) -> nx.DiGraph:
    """Read a hierarchy written by :func:`write_graphml` (decoding ``inspectorate_spec``).

    Args:
        path: GraphML file.

    Returns:
        The graph, with node ids as strings.
    """
    graph = nx.read_graphml(path)
    for key in _GRAPHML_DEFAULTS:
        if not graph.graph.get(key):
            graph.graph.pop(key, None)
    spec = graph.graph.get("inspectorate_spec")
    if isinstance(spec, str):
        graph.graph["inspectorate_spec"] = json.loads(spec)
    return graph
