"""The supervision structure of a province as tables: the one source of the graph and the model.

:func:`build_structure` lays out, once, everything that makes up the supervision system at
the start of a run: governments (province, 市州, 县市区, 乡镇), their supervision offices
(clause 一), schools and the office that supervises each (六), the inspectors of every office
(十七), the badged responsibility zones (六) and the edges between them — who administers,
hosts, oversees, evaluates and spot-checks whom (一, 四, 五). Both faces of the structure are
built from these tables:

* the networkx graph, :func:`dudao_sim.structure.hierarchy.hierarchy_graph`;
* the model's columnar state, :func:`dudao_sim.model.initial_state.build_state`, which also
  reads the ``evaluates`` and ``spot_checks`` edges: who evaluates whom each November and who
  confirms whose evaluation each December (省级抽查认定).

So province-managed counties (省直管县) and extra cross-level spot checks change the model as
well as the drawing, and township codes, offices, staff and zones agree by construction
(``tests/test_structure_agreement.py``).

Example:
    >>> import dudao_sim as ds
    >>> from dudao_sim.structure.tables import build_structure
    >>> toy = ds.synthetic_province(n_counties=3, seed=1)
    >>> s = build_structure(toy, province_managed_counties=[toy.county_table.index[0]])
    >>> s.relation("evaluates").query("target == 'gov:990010001'")["source"].tolist()
    ['office:990000000']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from dudao_sim.data.province import Province
from dudao_sim.data.vocab import BADGED_TYPES, PROVINCE_SUPERVISED, Level, TownshipType
from dudao_sim.errors import ArgumentError
from dudao_sim.structure.inspectorate import (
    ZONE_COLUMNS,
    InspectorateSpec,
    as_spec,
    assign_badged_zones,
    check_frame,
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
#: Relations between governments and offices (a light graph: what the model carries).
LIGHT_RELATIONS: tuple[str, ...] = ("administers", "hosts", "oversees", "evaluates", "spot_checks")
#: Relations of extra edges the model acts on (office → government): evaluations in November,
#: confirmations in December (clause 五).
MODEL_RELATIONS: tuple[str, ...] = ("evaluates", "spot_checks")
#: Columns of :attr:`SupervisionStructure.edges`.
EDGE_COLUMNS: tuple[str, ...] = ("source", "target", "relation", "clause", "extra")

#: Order of government levels in the tables (and rows of the model's state).
LEVEL_ORDER: dict[str, int] = {lv.value: i for i, lv in enumerate(Level)}
_OFFICE_LEVELS = (Level.PROVINCE.value, Level.CITY.value, Level.COUNTY.value)
_TOWNSHIP_SUFFIX = {
    TownshipType.SUBDISTRICT.value: "街道",
    TownshipType.TOWN.value: "镇",
    TownshipType.XIANG.value: "乡",
}
_BADGED = sorted(t.value for t in BADGED_TYPES)
_PROVINCE_SUPERVISED = sorted(t.value for t in PROVINCE_SUPERVISED)
#: Name of a supervision office: its government's name and this suffix (clause 一).
OFFICE_SUFFIX = "政府教育督导办"


def gov_node(code: str) -> str:
    """Node id of the government of division ``code`` (``"gov:{code}"``)."""
    return f"gov:{code}"


def office_node(code: str) -> str:
    """Node id of the supervision office of division ``code`` (``"office:{code}"``)."""
    return f"office:{code}"


def township_node(county_code: str, k: int) -> str:
    """Node id of the ``k``-th township (1-based) of a county; its code is ``{county}{k:03d}``."""
    return f"township:{county_code}:{k:03d}"


def school_node(school_id: str) -> str:
    """Node id of a school (``"school:{school_id}"``)."""
    return f"school:{school_id}"


def inspector_node(inspector_id: str) -> str:
    """Node id of an inspector (``"inspector:{inspector_id}"``)."""
    return f"inspector:{inspector_id}"


@dataclass(frozen=True)
class SupervisionStructure:
    """The supervision system of a province at the start of a run, as tables.

    Every table has a ``node`` column (the graph's node id) where it holds nodes.

    Attributes:
        province: The province.
        spec: Staffing and zone rules the inspectorate was built with.
        seed: Seed of the badged-zone draw.
        province_managed_counties: Counties the province administers directly (省直管县).
        governments: One row per government, province first, then cities and counties by code,
            then townships by county: ``node``, ``code`` (townships ``{county}{k:03d}``),
            ``name``, ``level``, ``parent_code`` (the administering government: the province
            for a province-managed county), ``county_code`` (own code for a county, the
            county of a township, empty above), ``division_type``, ``longitude``,
            ``latitude``, ``township_type`` (townships only).
        offices: One row per supervision office (province, cities, counties, in government
            order): ``node``, ``code``, ``name``, ``level``, ``parent_code`` (the office it
            reports to), ``n_schools_supervised``, ``n_counties_evaluated``,
            ``n_inspectors``, ``n_full_time``.
        schools: ``province.schools`` with ``office_code`` (the supervising office: the
            province for higher education, else the county) and ``node``.
        inspectors: As returned by :func:`~dudao_sim.structure.inspectorate.staff_inspectorate`.
        zones: Covered schools only: ``school_id``, ``inspector_id``.
        edges: Edges between governments and offices, source → target with ``relation``,
            ``clause`` and ``extra`` (set by the user), in the order the graph adds them;
            ``extra`` edges may also touch schools and inspectors.
    """

    province: Province
    spec: InspectorateSpec
    seed: int
    province_managed_counties: tuple[str, ...]
    governments: pd.DataFrame
    offices: pd.DataFrame
    schools: pd.DataFrame
    inspectors: pd.DataFrame
    zones: pd.DataFrame
    edges: pd.DataFrame

    def relation(self, relation: str) -> pd.DataFrame:
        """Edges of one relation, given ones included (``source``, ``target``, ...).

        Args:
            relation: One of :data:`RELATIONS`.

        Returns:
            Those rows of :attr:`edges`.

        Raises:
            ArgumentError: For an unknown relation.
        """
        if relation not in RELATIONS:
            raise ArgumentError(
                f"relation: {relation!r} is not allowed; must be one of {', '.join(RELATIONS)}"
            )
        return self.edges[self.edges["relation"] == relation].reset_index(drop=True)

    @property
    def extra_edges(self) -> pd.DataFrame:
        """The edges a user added (``extra_edges`` of :func:`build_structure`)."""
        return self.edges[self.edges["extra"]].reset_index(drop=True)


def _upper_governments(province: Province, parents: pd.Series) -> pd.DataFrame:
    divisions = province.divisions
    upper = divisions.assign(_order=divisions["level"].astype(str).map(LEVEL_ORDER))
    upper = upper.sort_values(["_order", "code"], kind="stable").reset_index(drop=True)
    code = upper["code"].astype(str)
    level = upper["level"].astype(str)
    parent = upper["parent_code"].fillna("").astype(str)
    is_county = (level == Level.COUNTY.value).to_numpy()
    parent[is_county] = code[is_county].map(parents).to_numpy()
    return pd.DataFrame(
        {
            "node": "gov:" + code,
            "code": code,
            "name": upper["name"].astype(str),
            "level": level,
            "parent_code": parent,
            "county_code": code.where(is_county, ""),
            "division_type": upper["division_type"].astype(str),
            "longitude": upper["longitude"].astype(float),
            "latitude": upper["latitude"].astype(float),
            "township_type": "",
        }
    )


def _townships(province: Province, county_codes: pd.Series) -> pd.DataFrame:
    counties = province.county_table.reindex(county_codes)
    n_town = counties["n_townships"].to_numpy(np.int64)
    codes = pd.Series(np.repeat(county_codes.to_numpy(str), n_town), dtype=str)
    starts = np.repeat(np.cumsum(n_town) - n_town, n_town)
    k = np.arange(int(n_town.sum()), dtype=np.int64) - starts + 1
    n_sub = np.repeat(counties["n_subdistricts"].to_numpy(np.int64), n_town)
    n_towns = np.repeat(counties["n_towns"].to_numpy(np.int64), n_town)
    kind = pd.Series(
        np.where(
            k <= n_sub,
            TownshipType.SUBDISTRICT.value,
            np.where(k <= n_sub + n_towns, TownshipType.TOWN.value, TownshipType.XIANG.value),
        ),
        dtype=str,
    )
    k3 = pd.Series(k).astype(str).str.zfill(3)
    names = pd.Series(np.repeat(counties["name"].to_numpy(str), n_town), dtype=str)
    return pd.DataFrame(
        {
            "node": "township:" + codes + ":" + k3,
            "code": codes + k3,
            "name": names + "第" + pd.Series(k).astype(str) + kind.map(_TOWNSHIP_SUFFIX),
            "level": Level.TOWNSHIP.value,
            "parent_code": codes,
            "county_code": codes,
            "division_type": "",
            "longitude": np.nan,
            "latitude": np.nan,
            "township_type": kind,
        }
    )


def _schools(province: Province) -> pd.DataFrame:
    schools = province.schools.reset_index(drop=True).copy()
    ids = schools["school_id"].astype(str)
    higher = schools["school_type"].astype(str).isin(_PROVINCE_SUPERVISED)
    county = schools["county_code"].astype(str)
    schools["office_code"] = county.where(~higher, province.code)
    schools["node"] = "school:" + ids
    return schools


def _offices(
    governments: pd.DataFrame, schools: pd.DataFrame, inspectors: pd.DataFrame
) -> pd.DataFrame:
    hosts = governments[governments["level"].isin(_OFFICE_LEVELS)]
    code = hosts["code"].reset_index(drop=True)
    known = set(code)
    staff_office = inspectors["office_code"].astype(str)
    unknown = sorted(set(staff_office) - known)
    if unknown:
        raise ArgumentError(
            f"inspectors: office_code {', '.join(unknown[:5])} is not allowed; "
            "must be the code of the province, a city or a county of the province"
        )
    staff = inspectors.assign(office_code=staff_office).groupby("office_code")["is_full_time"]
    counties = governments[governments["level"] == Level.COUNTY.value]
    table = pd.DataFrame(
        {
            "node": "office:" + code,
            "code": code,
            "name": hosts["name"].astype(str).to_numpy() + OFFICE_SUFFIX,
            "level": hosts["level"].to_numpy(),
            "parent_code": hosts["parent_code"].to_numpy(),
            "n_schools_supervised": code.map(schools["office_code"].value_counts()),
            "n_counties_evaluated": code.map(counties["parent_code"].value_counts()),
            "n_inspectors": code.map(staff.size()),
            "n_full_time": code.map(staff.sum()),
        }
    )
    counts = ["n_schools_supervised", "n_counties_evaluated", "n_inspectors", "n_full_time"]
    table[counts] = table[counts].fillna(0).astype(np.int64)
    return table


def _edge_frame(sources: Iterable[str], targets: Iterable[str], relation: str) -> pd.DataFrame:
    frame = pd.DataFrame({"source": list(sources), "target": list(targets)}, dtype=str)
    return frame.assign(relation=relation, clause=RELATIONS[relation], extra=False)


def _governance_edges(
    governments: pd.DataFrame, offices: pd.DataFrame, province_code: str, spot_checks: bool
) -> pd.DataFrame:
    upper = governments[governments["level"] != Level.TOWNSHIP.value]
    node = dict(zip(upper["code"], upper["node"], strict=True))  # parents are never townships
    below = governments[governments["parent_code"] != ""]
    upper_below = below[below["level"] != Level.TOWNSHIP.value]
    city_led = below[
        (below["level"] == Level.COUNTY.value) & (below["parent_code"] != province_code)
    ]
    parts = [
        _edge_frame(below["parent_code"].map(node), below["node"], "administers"),
        _edge_frame("gov:" + offices["code"], offices["node"], "hosts"),
        _edge_frame(
            "office:" + upper_below["parent_code"], "office:" + upper_below["code"], "oversees"
        ),
        _edge_frame("office:" + below["parent_code"], below["node"], "evaluates"),
    ]
    if spot_checks:  # 省级抽查认定 of the city-led evaluation of counties (五)
        parts.append(
            _edge_frame(
                [office_node(province_code)] * len(city_led), city_led["node"], "spot_checks"
            )
        )
    return pd.concat(parts, ignore_index=True)


def full_edges(structure: SupervisionStructure) -> pd.DataFrame:
    """Edges to schools and inspectors: ``supervises``, ``employs`` and ``badged`` (六, 十七).

    Args:
        structure: A structure from :func:`build_structure`.

    Returns:
        Columns of :data:`EDGE_COLUMNS`, in that order of relations.
    """
    return _full_edges(structure.schools, structure.inspectors, structure.zones)


def _full_edges(
    schools: pd.DataFrame, inspectors: pd.DataFrame, zones: pd.DataFrame
) -> pd.DataFrame:
    inspector = "inspector:" + inspectors["inspector_id"].astype(str)
    return pd.concat(
        [
            _edge_frame("office:" + schools["office_code"], schools["node"], "supervises"),
            _edge_frame("office:" + inspectors["office_code"].astype(str), inspector, "employs"),
            _edge_frame(
                "inspector:" + zones["inspector_id"], "school:" + zones["school_id"], "badged"
            ),
        ],
        ignore_index=True,
    )


def _extra_edges(
    extra_edges: Iterable[Any],
    edges: pd.DataFrame,
    nodes: set[str],
    full: pd.DataFrame,
) -> pd.DataFrame:
    """Validate user-given edges: known relation and nodes, a new pair, no cycle."""
    items = list(extra_edges)
    if not items:
        return pd.DataFrame(columns=list(EDGE_COLUMNS)).astype({"extra": bool})
    graph = nx.DiGraph()
    touches = (
        str(n).startswith(("school:", "inspector:"))
        for i in items
        if isinstance(i, list | tuple)
        for n in i[:2]
    )
    # Only an edge touching a school or an inspector can meet their edges in a cycle or pair.
    for frame in (edges, full) if any(touches) else (edges,):
        triples = zip(frame["source"], frame["target"], frame["relation"], strict=True)
        graph.add_edges_from((s, t, {"relation": r}) for s, t, r in triples)
    rows = []
    for item in items:
        if not isinstance(item, list | tuple) or len(item) not in (3, 4):
            raise ArgumentError(
                f"extra_edges: {item!r} is not allowed; "
                "each must be (source_node, target_node, relation) or (..., clause)"
            )
        source, target, relation = (str(x) for x in item[:3])
        if relation not in RELATIONS:
            raise ArgumentError(
                f"extra_edges: relation {relation!r} is not allowed; "
                f"must be one of {', '.join(RELATIONS)}"
            )
        for node in (source, target):
            if node not in nodes:
                raise ArgumentError(f"extra_edges: node {node!r} is not a node of the graph")
        if graph.has_edge(source, target):
            existing = graph.edges[source, target].get("relation")
            raise ArgumentError(
                f"extra_edges: edge {source!r} -> {target!r} already exists "
                f"(relation {existing!r}); a pair of nodes carries one relation"
            )
        linked = target in graph and source in graph and nx.has_path(graph, target, source)
        if source == target or linked:
            raise ArgumentError(
                f"extra_edges: edge {source!r} -> {target!r} ({relation}) is not allowed: "
                "it would create a cycle (edges must point from superior to subordinate)"
            )
        clause = str(item[3]) if len(item) == 4 else RELATIONS[relation]
        graph.add_edge(source, target, relation=relation)
        rows.append((source, target, relation, clause, True))
    return pd.DataFrame(rows, columns=list(EDGE_COLUMNS))


def check_zones(zones: pd.DataFrame, schools: pd.Series, inspector_ids: pd.Series) -> pd.DataFrame:
    """Check given badged zones and keep the covered schools.

    Args:
        zones: As returned by :func:`~dudao_sim.structure.inspectorate.assign_badged_zones`.
        schools: Ids of the badged-type schools of the province.
        inspector_ids: Ids of the inspectors.

    Returns:
        ``school_id`` and ``inspector_id`` of the covered schools, as strings.

    Raises:
        ArgumentError: For a table of another type, missing columns, an unknown school or
            inspector, or a school in two zones.
    """
    check_frame(zones, "zones", ZONE_COLUMNS, "assign_badged_zones")
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
            raise ArgumentError(f"zones: {column} {value!r} is not allowed: {message}")
    return zones.reset_index(drop=True)


def build_structure(
    province: Province,
    spec: InspectorateSpec | Mapping[str, Any] | None = None,
    seed: int = 0,
    inspectors: pd.DataFrame | None = None,
    zones: pd.DataFrame | None = None,
    province_managed_counties: Iterable[str] = (),
    cross_level_spot_checks: bool = True,
    extra_edges: Iterable[tuple[str, ...]] = (),
) -> SupervisionStructure:
    """Lay out the supervision structure of a province (clauses 一, 四, 五, 六, 十七).

    Args:
        province: The province.
        spec: Inspectorate rules (:class:`~dudao_sim.structure.inspectorate.InspectorateSpec`
            or a mapping of its fields); defaults to 1:5, 30 % full-time, full coverage. The
            model passes its ``pre_reform`` levers (:meth:`InspectorateSpec.from_levers`).
        seed: Seed of the badged-zone draw.
        inspectors: Inspectors to use instead of
            :func:`~dudao_sim.structure.inspectorate.staff_inspectorate`.
        zones: Badged zones to use instead of
            :func:`~dudao_sim.structure.inspectorate.assign_badged_zones`.
        province_managed_counties: County codes the province administers directly (省直管县):
            the province government administers the county, the province office oversees its
            office and evaluates its government, and no spot check confirms that evaluation.
        cross_level_spot_checks: Spot-check edges from the province office to every city-led
            county (省级抽查认定, clause 五): the counties the model's December confirmations
            draw from.
        extra_edges: ``(source_node, target_node, relation)`` triples (optionally with a 4th
            item, the clause), e.g. a city office spot-checking a county of another city.

    Returns:
        The structure.

    Raises:
        ValueError: (an :class:`~dudao_sim.errors.ArgumentError` or the spec's error) for
            an unknown province-managed county, a bad spec, inspectors or zones, or an extra
            edge with an unknown node or relation, a duplicate pair or a cycle.
    """
    spec = as_spec(spec)
    managed = tuple(str(c) for c in province_managed_counties)
    parents = county_parents(province, managed)
    upper = _upper_governments(province, parents)
    counties = upper.loc[upper["level"] == Level.COUNTY.value, "code"]
    governments = pd.concat([upper, _townships(province, counties)], ignore_index=True)
    schools = _schools(province)

    if inspectors is None:
        inspectors = staff_inspectorate(province, spec, seed, managed)
    else:
        check_inspectors(inspectors)
    offices = _offices(governments, schools, inspectors)
    inspectors = inspectors.reset_index(drop=True)
    if zones is None:
        zones = assign_badged_zones(province, inspectors, spec, seed)
    badged_ids = schools.loc[schools["school_type"].isin(_BADGED), "school_id"].astype(str)
    zones = check_zones(zones, badged_ids, inspectors["inspector_id"].astype(str))

    edges = _governance_edges(governments, offices, province.code, bool(cross_level_spot_checks))
    nodes = {
        *governments["node"],
        *offices["node"],
        *schools["node"],
        *("inspector:" + inspectors["inspector_id"].astype(str)),
    }
    full = _full_edges(schools, inspectors, zones)
    extra = _extra_edges(extra_edges, edges, nodes, full)
    edges = pd.concat([edges, extra], ignore_index=True) if len(extra) else edges
    return SupervisionStructure(
        province=province,
        spec=spec,
        seed=int(seed),
        province_managed_counties=managed,
        governments=governments,
        offices=offices,
        schools=schools,
        inspectors=inspectors,
        zones=zones,
        edges=edges,
    )
