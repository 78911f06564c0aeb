"""Answer a researcher's questions about a supervision hierarchy built by ``build_hierarchy``.

Span of control of governments, depth of the reporting chains (clause 四), the chain from any
unit up to the province, and whether each county's inspectorate meets the staffing rules of
clause 十七 (1 : 5, full-time share 30 %–1/3) and the badged coverage of clause 六
(责任督学挂牌督导全覆盖), per county and per city (市州).

Example:
    >>> import dudao_sim as ds
    >>> from dudao_sim.structure.hierarchy import build_hierarchy
    >>> from dudao_sim.structure.analysis import depth, path_to_province
    >>> g = build_hierarchy(ds.synthetic_province(n_counties=3), granularity="light")
    >>> depth(g, relations=["administers"])
    3
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd

from dudao_sim.data.vocab import BADGED_TYPES, Level
from dudao_sim.policy.targets import FULL_TIME_BAND, SCHOOLS_PER_INSPECTOR
from dudao_sim.structure.hierarchy import RELATIONS, gov_node

#: Schools per inspector a county office is judged against: the document's 1:5 (clause 十七),
#: whatever staffing the graph was built with (its ``inspectorate_spec``).
DEFAULT_RATIO_TARGET = SCHOOLS_PER_INSPECTOR
#: Name of the group of province-managed counties (省直管县) in :func:`inspectorate_by_city`.
PROVINCE_MANAGED_NAME = "省直管县"

_SPAN_LEVELS = (Level.PROVINCE.value, Level.CITY.value, Level.COUNTY.value)
_BADGED = frozenset(t.value for t in BADGED_TYPES)
# Edge followed upward from each kind of node, in order of preference.
_UPWARD = ("supervises", "employs", "hosts", "administers")


def subordinate_counts(graph: nx.DiGraph) -> pd.DataFrame:
    """Number of governments each province, city and county government administers.

    Args:
        graph: A hierarchy from :func:`~dudao_sim.structure.hierarchy.build_hierarchy`.

    Returns:
        One row per government of level province, city or county (graph order), indexed by
        node id, with ``code``, ``name``, ``level`` and ``n_subordinates`` (``administers``
        out-edges).
    """
    rows = []
    for node, data in graph.nodes(data=True):
        if data.get("kind") == "government" and data.get("level") in _SPAN_LEVELS:
            n = sum(1 for _, _, r in graph.out_edges(node, data="relation") if r == "administers")
            rows.append((node, data.get("code"), data.get("name"), data["level"], n))
    frame = pd.DataFrame(rows, columns=["node", "code", "name", "level", "n_subordinates"])
    return frame.set_index("node")


def span_of_control(graph: nx.DiGraph) -> pd.DataFrame:
    """Span of control per government level (via ``administers`` edges).

    Args:
        graph: A hierarchy from :func:`~dudao_sim.structure.hierarchy.build_hierarchy`.

    Returns:
        Indexed by level (``province``, ``city``, ``county``): ``n_governments`` and
        ``min_subordinates`` / ``mean_subordinates`` / ``max_subordinates``.
    """
    counts = subordinate_counts(graph)
    table = counts.groupby("level")["n_subordinates"].agg(
        n_governments="size",
        min_subordinates="min",
        mean_subordinates="mean",
        max_subordinates="max",
    )
    table = table.reindex([lv for lv in _SPAN_LEVELS if lv in table.index])
    table["mean_subordinates"] = table["mean_subordinates"].astype(float)
    return table


def _check_relations(relations: Iterable[str] | None) -> set[str] | None:
    if relations is None:
        return None
    if isinstance(relations, str):
        relations = [relations]
    chosen = set(relations)
    unknown = sorted(chosen - set(RELATIONS))
    if unknown:
        raise ValueError(
            f"relations: {', '.join(map(repr, unknown))} not allowed; "
            f"must be among {', '.join(RELATIONS)}"
        )
    return chosen


def depth(graph: nx.DiGraph, relations: Iterable[str] | None = None) -> int:
    """Length (in edges) of the longest path using only the given relations.

    Args:
        graph: A hierarchy from :func:`~dudao_sim.structure.hierarchy.build_hierarchy`.
        relations: Edge relations to keep (default: all), e.g. ``["administers"]`` for the
            government chain or ``["oversees"]`` for the office chain of clause 四.

    Returns:
        The number of edges on the longest path (0 for a graph without such edges).

    Raises:
        ValueError: For an unknown relation or a graph with a cycle.
    """
    chosen = _check_relations(relations)
    if chosen is None:
        sub = graph
    else:
        sub = nx.DiGraph()
        sub.add_edges_from((u, v) for u, v, r in graph.edges(data="relation") if r in chosen)
    try:
        return int(nx.dag_longest_path_length(sub))
    except nx.NetworkXUnfeasible:
        raise ValueError("graph: has a cycle; depth is defined for a DAG only") from None


def path_to_province(graph: nx.DiGraph, node: str) -> list[str]:
    """The chain from a unit up to the province government.

    A school goes to the office that supervises it, an inspector to the office that employs
    them, an office to the government that hosts it, and a government to the one that
    administers it, until the province government.

    Args:
        graph: A hierarchy from :func:`~dudao_sim.structure.hierarchy.build_hierarchy`.
        node: Node id, e.g. ``"school:S430102-00013"`` or ``"township:430102:001"``.

    Returns:
        Node ids from ``node`` to ``"gov:{province_code}"``, both included.

    Raises:
        ValueError: If ``node`` is not in the graph or has no chain to the province.
    """
    if node not in graph:
        raise ValueError(f"node: {node!r} is not a node of the graph")
    top = gov_node(graph.graph.get("province_code", ""))
    path = [node]
    current = node
    while current != top:
        ups = {r: u for u, _, r in graph.in_edges(current, data="relation")}
        step = next((ups[r] for r in _UPWARD if r in ups), None)
        if step is None or step in path:
            raise ValueError(f"node: {node!r} has no chain up to the province government {top!r}")
        path.append(step)
        current = step
    return path


def _edge_frame(graph: nx.DiGraph, relations: set[str]) -> pd.DataFrame:
    rows = [(u, v, r) for u, v, r in graph.edges(data="relation") if r in relations]
    return pd.DataFrame(rows, columns=["source", "target", "relation"], dtype=str)


def _staffing_ratio(graph: nx.DiGraph) -> float:
    """Schools per inspector the graph's offices were staffed for (its spec; default 1:5)."""
    spec = graph.graph.get("inspectorate_spec") or {}
    return float(spec.get("schools_per_inspector", DEFAULT_RATIO_TARGET))


def _add_rates(table: pd.DataFrame, staffing: float) -> pd.DataFrame:
    schools = table["n_schools"].to_numpy(float)
    staff = table["n_inspectors"].to_numpy(float)
    target = DEFAULT_RATIO_TARGET
    with np.errstate(divide="ignore", invalid="ignore"):
        table["schools_per_inspector"] = schools / staff  # inf without staff, NaN for 0/0
        table["ratio_target"] = target
        table["staffing_ratio"] = staffing
        table["meets_ratio"] = schools <= target * staff + 1e-9
        table["full_time_share"] = np.where(
            staff > 0, table["n_full_time"].to_numpy(float) / staff, np.nan
        )
        share = table["full_time_share"]
        table["full_time_in_band"] = (share >= FULL_TIME_BAND[0] - 1e-9) & (
            share <= FULL_TIME_BAND[1] + 1e-9
        )
        table["badged_coverage"] = np.where(
            schools > 0, table["n_badged"].to_numpy(float) / schools, np.nan
        )
    return table


def inspectorate_by_county(graph: nx.DiGraph) -> pd.DataFrame:
    """Staffing and badged coverage of each county office (clauses 六, 十七).

    Args:
        graph: A full hierarchy (``granularity="full"``).

    Returns:
        One row per county office (graph order): ``code``, ``name`` (the county's),
        ``city_code`` (administering government: the city, or the province for a
        province-managed county), ``n_schools`` (badged-type schools it supervises),
        ``n_inspectors``, ``n_full_time``, ``schools_per_inspector`` (``inf`` without
        inspectors, NaN for 0/0), ``ratio_target`` (the document's 5 of clause 十七, the
        target every county is judged against), ``staffing_ratio`` (the ratio the graph
        was staffed for, its spec), ``meets_ratio`` (at most ``ratio_target`` schools per
        inspector), ``full_time_share`` (NaN without inspectors), ``full_time_in_band``
        (30 %–1/3), ``n_badged`` (its badged-type schools that have a badged inspector) and
        ``badged_coverage`` (NaN without schools).

    Raises:
        ValueError: If the graph has no schools and inspectors (a light graph).
    """
    if graph.graph.get("granularity") != "full":
        raise ValueError(
            f"graph: granularity {graph.graph.get('granularity')!r} is not allowed; "
            "inspectorate_by_county needs a full graph (build_hierarchy(..., granularity='full'))"
        )
    offices = [
        (n, d["code"])
        for n, d in graph.nodes(data=True)
        if d.get("kind") == "office" and d.get("level") == Level.COUNTY.value
    ]
    table = pd.DataFrame(offices, columns=["office", "code"], dtype=str)
    names, parents = [], []
    for code in table["code"]:
        gov = gov_node(code)
        names.append(graph.nodes[gov].get("name", code) if gov in graph else code)
        up = [u for u, _, r in graph.in_edges(gov, data="relation") if r == "administers"]
        parents.append(graph.nodes[up[0]]["code"] if up else "")
    table["name"] = names
    table["city_code"] = parents

    edges = _edge_frame(graph, {"supervises", "employs", "badged"})
    school_type = dict(graph.nodes(data="school_type"))
    full_time = dict(graph.nodes(data="is_full_time"))

    sup = edges[edges["relation"] == "supervises"]
    sup = sup[sup["target"].map(school_type).isin(_BADGED)]
    badged_schools = set(edges.loc[edges["relation"] == "badged", "target"])
    sup = sup.assign(has_badge=sup["target"].isin(badged_schools))
    emp = edges[edges["relation"] == "employs"]
    emp = emp.assign(full=emp["target"].map(full_time).fillna(False).astype(bool))

    by_office = table["office"]
    table["n_schools"] = by_office.map(sup.groupby("source").size()).fillna(0).astype(np.int64)
    table["n_inspectors"] = by_office.map(emp.groupby("source").size()).fillna(0).astype(np.int64)
    table["n_full_time"] = (
        by_office.map(emp.groupby("source")["full"].sum()).fillna(0).astype(np.int64)
    )
    table["n_badged"] = (
        by_office.map(sup.groupby("source")["has_badge"].sum()).fillna(0).astype(np.int64)
    )
    table = _add_rates(table, _staffing_ratio(graph))
    columns = [
        "code",
        "name",
        "city_code",
        "n_schools",
        "n_inspectors",
        "n_full_time",
        "schools_per_inspector",
        "ratio_target",
        "staffing_ratio",
        "meets_ratio",
        "full_time_share",
        "full_time_in_band",
        "n_badged",
        "badged_coverage",
    ]
    return table[columns]


def inspectorate_by_city(graph: nx.DiGraph) -> pd.DataFrame:
    """County inspectorates aggregated per city (市州), plus a province-total row.

    Counties administered directly by the province (省直管县) form one group named
    ``"省直管县"``. Rates are recomputed from the summed counts.

    Args:
        graph: A full hierarchy (``granularity="full"``).

    Returns:
        One row per city (graph order), then the province-managed group if any, then the
        province total, with ``code``, ``name``, ``scope`` (``city`` / ``province_managed`` /
        ``province``), ``n_counties``, the count and rate columns of
        :func:`inspectorate_by_county`, ``n_counties_meeting_ratio``,
        ``n_counties_ft_in_band``, ``n_counties_fully_covered`` (every badged-type school has
        a badged inspector) and ``n_office_inspectors`` (inspectors of the city's own office;
        on the province-total row, of the province office).

    Raises:
        ValueError: If the graph is not a full graph.
    """
    counties = inspectorate_by_county(graph)
    pcode = str(graph.graph.get("province_code", ""))
    sums = ["n_schools", "n_inspectors", "n_full_time", "n_badged"]
    counties = counties.assign(
        n_counties=1,
        n_counties_meeting_ratio=counties["meets_ratio"].astype(np.int64),
        n_counties_ft_in_band=counties["full_time_in_band"].astype(np.int64),
        n_counties_fully_covered=(counties["n_badged"] == counties["n_schools"]).astype(np.int64),
    )
    tallies = ["n_counties_meeting_ratio", "n_counties_ft_in_band", "n_counties_fully_covered"]
    counted = ["n_counties", *sums, *tallies]
    grouped = counties.groupby("city_code")[counted].sum()

    groups = []
    for _, data in graph.nodes(data=True):
        if data.get("kind") == "government" and data.get("level") == Level.CITY.value:
            groups.append((data["code"], data.get("name", data["code"]), "city"))
    if pcode in grouped.index:
        groups.append((pcode, PROVINCE_MANAGED_NAME, "province_managed"))
    table = pd.DataFrame(groups, columns=["code", "name", "scope"])
    table = table.join(grouped, on="code").fillna({c: 0 for c in counted})
    total = {"code": pcode, "name": graph.graph.get("province_name", pcode), "scope": "province"}
    total.update({c: counties[c].sum() for c in counted})
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table[counted] = table[counted].astype(np.int64)

    office_staff = dict(graph.nodes(data="n_inspectors"))
    table["n_office_inspectors"] = [
        int(office_staff.get(f"office:{code}", 0) or 0) if scope != "province_managed" else 0
        for code, scope in zip(table["code"], table["scope"], strict=True)
    ]
    table = _add_rates(table, _staffing_ratio(graph))
    columns = [
        "code",
        "name",
        "scope",
        "n_counties",
        "n_schools",
        "n_inspectors",
        "n_full_time",
        "schools_per_inspector",
        "ratio_target",
        "staffing_ratio",
        "meets_ratio",
        "full_time_share",
        "full_time_in_band",
        "n_badged",
        "badged_coverage",
        "n_counties_meeting_ratio",
        "n_counties_ft_in_band",
        "n_counties_fully_covered",
        "n_office_inspectors",
    ]
    return table[columns]
