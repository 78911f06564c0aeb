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

The graph is drawn from the tables of :func:`dudao_sim.structure.tables.build_structure`,
the same tables the model's state is laid out from (``SupervisionModel.hierarchy`` is
:func:`hierarchy_graph` of the model's own structure), so the two agree: the same township
codes, offices, staff, zones and evaluation and spot-check edges.

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
from dudao_sim.data.vocab import Level, label
from dudao_sim.errors import ArgumentError
from dudao_sim.structure.inspectorate import InspectorateSpec
from dudao_sim.structure.tables import (
    LIGHT_RELATIONS,
    RELATIONS,
    SupervisionStructure,
    build_structure,
    full_edges,
    gov_node,
    inspector_node,
    office_node,
    school_node,
    township_node,
)

__all__ = [
    "GRANULARITIES",
    "LIGHT_RELATIONS",
    "RELATIONS",
    "build_hierarchy",
    "gov_node",
    "hierarchy_graph",
    "inspector_node",
    "office_node",
    "read_graphml",
    "school_node",
    "township_node",
    "write_graphml",
]

GRANULARITIES: tuple[str, ...] = ("light", "full")

_GRAPHML_DEFAULTS = ("node_default", "edge_default")
_DIVISION = ["kind", "level", "code", "name", "division_type", "longitude", "latitude"]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (GraphML-writable); faster than ``to_dict``."""
    columns = [str(c) for c in frame.columns]
    values = [frame[c].tolist() for c in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _add_nodes(graph: nx.DiGraph, frame: pd.DataFrame, nodes: pd.Series) -> None:
    graph.add_nodes_from(zip(nodes.tolist(), _records(frame), strict=True))


def _add_edges(graph: nx.DiGraph, edges: pd.DataFrame) -> None:
    for relation_clause, group in edges.groupby(["relation", "clause"], sort=False):
        relation, clause = relation_clause
        pairs = zip(group["source"].tolist(), group["target"].tolist(), strict=True)
        graph.add_edges_from(pairs, relation=relation, clause=clause)


def _add_governments_and_offices(graph: nx.DiGraph, structure: SupervisionStructure) -> None:
    govs = structure.governments.assign(kind="government")
    province = structure.province
    n_schools = province.school_counts.sum(axis=1).astype(np.int64)
    counties = govs[govs["level"] == Level.COUNTY.value].set_index("code")
    per_county = pd.DataFrame(
        {
            "n_schools": n_schools.reindex(counties.index).to_numpy(),
            "n_townships": province.county_table["n_townships"]
            .reindex(counties.index)
            .to_numpy(np.int64),
        },
        index=counties.index,
    )
    by_parent = per_county.groupby(counties["parent_code"]).sum()
    n_counties = counties["parent_code"].value_counts()

    top = govs[govs["level"] == Level.PROVINCE.value]
    frame = top[_DIVISION].assign(
        n_schools=int(per_county["n_schools"].sum()),
        n_townships=int(per_county["n_townships"].sum()),
        n_cities=int((govs["level"] == Level.CITY.value).sum()),
        n_counties=len(counties),
    )
    _add_nodes(graph, frame, top["node"])
    cities = govs[govs["level"] == Level.CITY.value]
    code = cities["code"]
    frame = cities[_DIVISION].assign(
        n_schools=code.map(by_parent["n_schools"]).fillna(0).astype(np.int64),
        n_townships=code.map(by_parent["n_townships"]).fillna(0).astype(np.int64),
        n_counties=code.map(n_counties).fillna(0).astype(np.int64),
    )
    _add_nodes(graph, frame, cities["node"])
    county_rows = govs[govs["level"] == Level.COUNTY.value]
    frame = county_rows[_DIVISION].assign(
        n_schools=per_county["n_schools"].to_numpy(np.int64),
        n_townships=per_county["n_townships"].to_numpy(np.int64),
        parent_code=county_rows["parent_code"],
    )
    _add_nodes(graph, frame, county_rows["node"])

    offices = structure.offices
    columns = ["kind", "level", "code", "name", "n_inspectors", "n_full_time"]
    frame = offices.assign(kind="office")[columns].assign(
        n_schools_supervised=offices["n_schools_supervised"]
    )
    _add_nodes(graph, frame, offices["node"])

    towns = govs[govs["level"] == Level.TOWNSHIP.value]
    columns = ["kind", "level", "code", "name", "township_type", "county_code"]
    _add_nodes(graph, towns[columns], towns["node"])


def _add_schools_and_inspectors(graph: nx.DiGraph, structure: SupervisionStructure) -> None:
    province = structure.province
    schools = structure.schools
    county_name = province.county_table["name"].astype(str)
    types = schools["school_type"].astype(str)
    type_zh = types.map({t: label(t, "zh") for t in types.unique()})
    ids = schools["school_id"].astype(str)
    frame = pd.DataFrame(
        {
            "kind": "school",
            "level": "school",
            "code": ids,
            "name": schools["county_code"].map(county_name).astype(str)
            + type_zh
            + "（"
            + ids
            + "）",
            "school_type": types,
            "ownership": schools["ownership"].astype(str),
            "enrolment": schools["enrolment"].astype(np.int64),
            "county_code": schools["county_code"].astype(str),
        }
    )
    _add_nodes(graph, frame, schools["node"])

    inspectors = structure.inspectors
    office_name = structure.governments.set_index("code")["name"]
    office_codes = inspectors["office_code"].astype(str)
    full = inspectors["is_full_time"].astype(bool)
    inspector_ids = inspectors["inspector_id"].astype(str)
    frame = pd.DataFrame(
        {
            "kind": "inspector",
            "level": inspectors["level"].astype(str),
            "code": inspector_ids,
            "name": office_codes.map(office_name)
            + np.where(full, "专职督学", "兼职督学")
            + "（"
            + inspector_ids
            + "）",
            "is_full_time": full,
            "office_code": office_codes,
        }
    )
    _add_nodes(graph, frame, "inspector:" + inspector_ids)


def hierarchy_graph(structure: SupervisionStructure, granularity: str = "light") -> nx.DiGraph:
    """Draw a supervision structure as a networkx DAG.

    Args:
        structure: From :func:`~dudao_sim.structure.tables.build_structure`, or the model's
            own (``SupervisionModel.structure``).
        granularity: ``"light"``: governments (province, cities, counties, townships) and
            offices only, with ``administers`` / ``hosts`` / ``oversees`` / ``evaluates`` /
            ``spot_checks`` edges — what the model carries. ``"full"``: also schools,
            inspectors and badged responsibility zones (``supervises`` / ``employs`` /
            ``badged``).

    Returns:
        The DAG (see :func:`build_hierarchy`).

    Raises:
        ArgumentError: For an unknown granularity, or a light graph asked to carry an extra
            edge that touches a school or an inspector.
    """
    if granularity not in GRANULARITIES:
        raise ArgumentError(
            f"granularity: {granularity!r} is not allowed; must be one of "
            f"{', '.join(GRANULARITIES)}"
        )
    province = structure.province
    graph = nx.DiGraph(
        province_code=province.code,
        province_name=province.name,
        granularity=granularity,
        inspectorate_spec=structure.spec.model_dump(),
        province_managed_counties=",".join(structure.province_managed_counties),
        seed=int(structure.seed),
    )
    _add_governments_and_offices(graph, structure)
    edges = structure.edges
    given = edges[edges["extra"]]
    _add_edges(graph, edges[~edges["extra"]])
    if granularity == "full":
        _add_schools_and_inspectors(graph, structure)
        _add_edges(graph, full_edges(structure))
    missing = [n for n in (*given["source"], *given["target"]) if n not in graph]
    if missing:
        raise ArgumentError(
            f"extra_edges: node {missing[0]!r} is not a node of the {granularity} graph; "
            "schools and inspectors are nodes of a full graph only"
        )
    _add_edges(graph, given)
    return graph


def build_hierarchy(
    province: Province,
    granularity: str = "light",
    spec: InspectorateSpec | Mapping[str, Any] | None = None,
    seed: int = 0,
    inspectors: pd.DataFrame | None = None,
    zones: pd.DataFrame | None = None,
    province_managed_counties: Iterable[str] = (),
    cross_level_spot_checks: bool = True,
    extra_edges: Iterable[tuple[str, ...]] = (),
) -> nx.DiGraph:
    """Build the supervision hierarchy of a province (clauses 一, 四, 五, 六, 十七).

    ``hierarchy_graph(build_structure(province, ...), granularity)``: the tables the model's
    state is built from, drawn as a graph.

    Args:
        province: The province (:class:`~dudao_sim.data.province.Province`).
        granularity: ``"light"`` (governments and offices) or ``"full"`` (also schools,
            inspectors and badged zones); see :func:`hierarchy_graph`.
        spec: Inspectorate rules (:class:`~dudao_sim.structure.inspectorate.InspectorateSpec` or a
            mapping of its fields); defaults to 1:5, 30 % full-time, full coverage.
        seed: Seed of the badged-zone draw.
        inspectors: Inspectors to use instead of
            :func:`~dudao_sim.structure.inspectorate.staff_inspectorate` ``(province, spec, seed)``.
        zones: Badged zones to use instead of
            :func:`~dudao_sim.structure.inspectorate.assign_badged_zones`.
        province_managed_counties: County codes administered directly by the province
            (省直管县): the province government administers the county, the province office
            oversees its office and evaluates its government.
        cross_level_spot_checks: Add ``spot_checks`` edges from the province office to every
            city-led county government (省级抽查认定, clause 五).
        extra_edges: ``(source_node, target_node, relation)`` triples (optionally with a 4th
            item, the clause) added as given, e.g. extra cross-level spot checks. The model
            acts on extra ``evaluates`` and ``spot_checks`` edges from an office to a
            government (``SupervisionModel(..., extra_edges=...)``).

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
        raise ArgumentError(
            f"granularity: {granularity!r} is not allowed; must be one of "
            f"{', '.join(GRANULARITIES)}"
        )
    structure = build_structure(
        province,
        spec=spec,
        seed=seed,
        inspectors=inspectors,
        zones=zones,
        province_managed_counties=province_managed_counties,
        cross_level_spot_checks=cross_level_spot_checks,
        extra_edges=extra_edges,
    )
    return hierarchy_graph(structure, granularity)


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
