"""Draw a supervision hierarchy: the tree of governments and offices, and counties on a map.

:func:`draw_hierarchy` draws the governments and supervision offices of a graph from
:func:`~dudao_sim.structure.hierarchy.build_hierarchy` one row per level (province, 市州,
县市区), coloured by level, with the edges of chosen relations — by default the office chain of
clause 四 (``oversees``) and the evaluation of governments of clause 五 (``evaluates``,
``spot_checks``). :func:`county_map` places the counties at their coordinates, coloured by any
per-county value (e.g. from :func:`~dudao_sim.structure.analysis.inspectorate_by_county` or
``model.metrics_by("county")``), with the 市州 names at the centroids of their counties.
Call :func:`dudao_sim.report.use_cjk_fonts` first so that Chinese names render.

Example:
    >>> import dudao_sim as ds
    >>> from dudao_sim.structure.drawing import hierarchy_positions
    >>> g = ds.build_hierarchy(ds.synthetic_province(n_counties=3), granularity="light")
    >>> pos = hierarchy_positions(g)
    >>> pos["gov:990000000"][1], pos["office:990000000"][1]
    (0.0, -0.35)
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from dudao_sim.data.province import Province
from dudao_sim.data.vocab import Level
from dudao_sim.structure.hierarchy import RELATIONS, office_node

#: Levels of governments, top to bottom.
LEVELS: tuple[str, ...] = tuple(lv.value for lv in Level)
#: Levels :func:`draw_hierarchy` draws by default.
DRAWN_LEVELS: tuple[str, ...] = (Level.PROVINCE.value, Level.CITY.value, Level.COUNTY.value)
#: Relations :func:`draw_hierarchy` draws by default (clauses 四 and 五).
DRAWN_RELATIONS: tuple[str, ...] = ("oversees", "evaluates", "spot_checks")

#: Legend texts in English and Chinese.
LEGEND: dict[str, dict[str, str]] = {
    "province": {"en": "province government", "zh": "省政府"},
    "city": {"en": "city (市州) government", "zh": "市州政府"},
    "county": {"en": "county (县市区) government", "zh": "县市区政府"},
    "township": {"en": "township (乡镇) government", "zh": "乡镇政府"},
    "office": {"en": "supervision office (督导办)", "zh": "政府教育督导办"},
    "administers": {"en": "administers (一)", "zh": "行政隶属（一）"},
    "hosts": {"en": "hosts its office (一)", "zh": "设督导办（一）"},
    "oversees": {"en": "oversees office below (四)", "zh": "指导下级督导办（四）"},
    "evaluates": {"en": "evaluates government below (五)", "zh": "督政（五）"},
    "spot_checks": {"en": "province spot checks (五)", "zh": "省级抽查认定（五）"},
    "supervises": {"en": "supervises school (六)", "zh": "督学（六）"},
    "employs": {"en": "employs inspector (十七)", "zh": "聘任督学（十七）"},
    "badged": {"en": "badged zone (六, 十七)", "zh": "挂牌督导（六、十七）"},
}

#: How far below its government an office is drawn (levels are 1 apart).
OFFICE_OFFSET = 0.35

_NODE_SIZE = {"province": 160.0, "city": 60.0, "county": 10.0, "township": 2.0}
_EDGE_WIDTH = {"province": 1.0, "city": 0.6, "county": 0.3, "township": 0.2}


def _check_levels(levels: Sequence[str]) -> list[str]:
    if isinstance(levels, str):
        levels = [levels]
    bad = [lv for lv in levels if lv not in LEVELS]
    if not levels or bad:
        raise ValueError(
            f"levels: {list(bad or levels)!r} is not allowed; give one or more of "
            f"{', '.join(LEVELS)}"
        )
    return sorted(set(levels), key=LEVELS.index)


def hierarchy_positions(
    graph: nx.DiGraph, levels: Sequence[str] = DRAWN_LEVELS
) -> dict[str, tuple[float, float]]:
    """Positions of governments and offices for a drawing with one row per level.

    Rows are levels, top to bottom (``y = 0``, ``-1``, ...). The lowest level's governments
    are spread evenly over ``x`` in (0, 1), grouped under the governments administering them
    (in graph order; units administered from further up, such as 省直管县, come after their
    level's groups); every higher government sits over the mean ``x`` of its subordinates
    (0.5 if it has none). A government's supervision office sits straight below it, at
    ``y - OFFICE_OFFSET``, so that edges to the governments and to the offices of a level stay
    apart.

    Args:
        graph: A hierarchy from :func:`~dudao_sim.structure.hierarchy.build_hierarchy` (light
            or full: only governments and offices are placed).
        levels: Levels to place (any of ``province``, ``city``, ``county``, ``township``).

    Returns:
        ``{node: (x, y)}`` for the governments of those levels and their offices.

    Raises:
        ValueError: For an unknown level or no levels.
    """
    levels = _check_levels(levels)
    govs = {lv: [] for lv in levels}
    for node, data in graph.nodes(data=True):
        if data.get("kind") == "government" and data.get("level") in govs:
            govs[data["level"]].append(node)
    parent = {v: u for u, v, r in graph.edges(data="relation") if r == "administers"}
    rank = {node: i for lv in levels for i, node in enumerate(govs[lv])}

    def ancestry(node: str) -> tuple[float, ...]:
        """Rank of the node's ancestor on each drawn level, top down (inf where none)."""
        chain = {graph.nodes[node]["level"]: rank[node]}
        up = parent.get(node)
        while up is not None:
            if up in rank:
                chain[graph.nodes[up]["level"]] = rank[up]
            up = parent.get(up)
        return tuple(float(chain.get(lv, np.inf)) for lv in levels)

    bottom = sorted(govs[levels[-1]], key=ancestry)
    step = 1.0 / max(len(bottom), 1)
    x = {node: (i + 0.5) * step for i, node in enumerate(bottom)}
    children: dict[str, list[str]] = {}
    for child, up in parent.items():
        children.setdefault(up, []).append(child)
    for lv in reversed(levels[:-1]):
        for node in govs[lv]:
            below = [x[c] for c in children.get(node, []) if c in x]
            x[node] = float(np.mean(below)) if below else 0.5

    positions: dict[str, tuple[float, float]] = {}
    for row, lv in enumerate(levels):
        for node in govs[lv]:
            positions[node] = (x[node], float(-row))
            office = office_node(str(graph.nodes[node].get("code", "")))
            if office in graph:
                positions[office] = (x[node], float(-row) - OFFICE_OFFSET)
    return positions


def draw_hierarchy(
    graph: nx.DiGraph,
    ax: Axes | None = None,
    levels: Sequence[str] = DRAWN_LEVELS,
    relations: Sequence[str] = DRAWN_RELATIONS,
    label_levels: Sequence[str] = (Level.PROVINCE.value, Level.CITY.value),
    lang: str = "en",
) -> Axes:
    """Draw governments and supervision offices by level with the edges of some relations.

    Nodes are placed by :func:`hierarchy_positions`, coloured by level; governments are
    circles, their offices squares just below them. Edges of each relation get one colour,
    drawn without arrows (they all point down, from superior to subordinate); the first
    relation given is drawn on top, ``spot_checks`` faint. The names of the governments
    of ``label_levels`` are written above them.

    Args:
        graph: A hierarchy from :func:`~dudao_sim.structure.hierarchy.build_hierarchy`.
        ax: Axes to draw on (default: a new 14 × 5 inch figure).
        levels: Levels to draw.
        relations: Edge relations to draw, among
            :data:`~dudao_sim.structure.hierarchy.RELATIONS`.
        label_levels: Levels whose government names are written.
        lang: ``"en"`` or ``"zh"`` for the legend.

    Returns:
        The axes, with a legend of levels, offices and relations right of the drawing.

    Raises:
        ValueError: For an unknown level, relation or language.
    """
    if lang not in ("en", "zh"):
        raise ValueError(f"lang: {lang!r} is not allowed; must be 'en' or 'zh'")
    levels = _check_levels(levels)
    if isinstance(relations, str):
        relations = [relations]
    bad = [r for r in relations if r not in RELATIONS]
    if bad:
        raise ValueError(f"relations: {bad!r} is not allowed; must be among {', '.join(RELATIONS)}")
    pos = hierarchy_positions(graph, levels)
    if ax is None:
        _, ax = plt.subplots(figsize=(14, 5))
    level_colour = dict(zip(LEVELS, sns.color_palette("deep", len(LEVELS)), strict=True))
    relation_colour = dict(
        zip(RELATIONS, sns.color_palette("colorblind", len(RELATIONS)), strict=True)
    )

    relation_handles = {}
    for relation in reversed(relations):  # the first relation ends up on top
        edges = [
            (u, v)
            for u, v, r in graph.edges(data="relation")
            if r == relation and u in pos and v in pos
        ]
        nx.draw_networkx_edges(
            graph,
            pos,
            edgelist=edges,
            ax=ax,
            edge_color=[relation_colour[relation]],
            width=[_EDGE_WIDTH[graph.nodes[u]["level"]] for u, _ in edges] or 1.0,
            alpha=0.3 if relation == "spot_checks" else 0.8,
            arrows=False,
        )
        relation_handles[relation] = Line2D(
            [], [], color=relation_colour[relation], label=LEGEND[relation][lang]
        )
    handles = [relation_handles[r] for r in relations]
    for level in levels:
        for kind, shape in (("government", "o"), ("office", "s")):
            nodes = [
                n
                for n in pos
                if graph.nodes[n]["kind"] == kind and graph.nodes[n]["level"] == level
            ]
            nx.draw_networkx_nodes(
                graph,
                pos,
                nodelist=nodes,
                ax=ax,
                node_color=[level_colour[level]],
                node_shape=shape,
                node_size=_NODE_SIZE[level],
                linewidths=0,
            )
        handles.append(
            Line2D([], [], marker="o", ls="", color=level_colour[level], label=LEGEND[level][lang])
        )
    handles.append(Line2D([], [], marker="s", ls="", color="grey", label=LEGEND["office"][lang]))
    for node, (x, y) in pos.items():
        data = graph.nodes[node]
        if data["kind"] == "government" and data["level"] in label_levels:
            ax.annotate(
                str(data.get("name", node)),
                (x, y),
                xytext=(0, 6),
                textcoords="offset points",
                rotation=35,
                ha="left",
                va="bottom",
                fontsize=8,
            )
    ax.set_axis_off()
    ax.margins(x=0.02, y=0.2)
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8
    )
    return ax


def county_map(
    province: Province,
    values: pd.DataFrame,
    column: str,
    ax: Axes | None = None,
    label: str | None = None,
    size: str | None = None,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Axes:
    """Counties at their coordinates, coloured by a value, with 市州 names at their centroids.

    A map-like scatter (points, no boundaries): every county in ``values`` at its longitude and
    latitude, coloured by ``values[column]``; every city's name is written at the mean position
    of its counties (not for counties administered by the province directly). The aspect ratio
    shortens longitude by the cosine of the mean latitude.

    Args:
        province: The province (its county table gives coordinates, its cities the names).
        values: One row per county with a ``code`` column (as
            :func:`~dudao_sim.structure.analysis.inspectorate_by_county` returns) and ``column``.
        column: Column to colour by, drawn as it is (scale it first, e.g. shares to %).
        ax: Axes to draw on (default: a new 7 × 6 inch figure).
        label: Colour-bar label (default ``column``).
        size: Optional column of ``values`` setting marker areas (e.g. ``n_schools``).
        cmap: Matplotlib colour map.
        vmin: Lower end of the colour scale (default: the smallest value).
        vmax: Upper end of the colour scale (default: the largest value).

    Returns:
        The axes, with a colour bar.

    Raises:
        ValueError: If ``values`` lacks ``code``, ``column`` or ``size``, or holds a code that
            is not a county of the province.
    """
    needed = ["code", column, *([size] if size else [])]
    missing = [c for c in needed if c not in values.columns]
    if missing:
        raise ValueError(f"values: missing column(s) {', '.join(missing)}")
    counties = province.county_table
    codes = values["code"].astype(str)
    unknown = sorted(set(codes) - set(counties.index.astype(str)))
    if unknown:
        raise ValueError(
            f"values: code {', '.join(unknown[:5])} is not allowed; must be a county of "
            f"{province.name} ({province.code})"
        )
    frame = values.assign(code=codes).join(counties[["longitude", "latitude"]], on="code")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6))
    areas: float | pd.Series = 24.0
    if size:
        weight = frame[size].astype(float)
        top = float(weight.max())
        areas = 8.0 + 92.0 * weight / top if top > 0 else 24.0
    points = ax.scatter(
        frame["longitude"],
        frame["latitude"],
        c=frame[column].astype(float),
        s=areas,
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        edgecolors="white",
        linewidths=0.4,
    )
    ax.figure.colorbar(points, ax=ax, label=column if label is None else label, shrink=0.75)
    centroids = counties.groupby("city_code")[["longitude", "latitude"]].mean()
    for code, row in centroids.iterrows():
        if code in province.cities.index:
            ax.annotate(
                str(province.cities.loc[code, "name"]),
                (row["longitude"], row["latitude"]),
                ha="center",
                va="center",
                fontsize=9,
                path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
            )
    ax.set_aspect(1.0 / np.cos(np.radians(float(counties["latitude"].mean()))))
    ax.set_xlabel("Longitude (°E)")
    ax.set_ylabel("Latitude (°N)")
    return ax
