"""Format a readable summary of a supervision hierarchy, in English or Chinese.

It reports the units per level (clause 一: offices at province, city and county level), the
depth of the hierarchy (clause 四), the staffing the graph was built with (which may be any
ratio a user chose, e.g. ``--schools-per-inspector 12``), and per city (市州) whether the
county inspectorates meet the document's own targets — clause 十七's 1 : 5 and full-time
share 30 %–1/3, and clause 六's full badged coverage — saying that it judges against those,
then which input figures are synthesized.

Example:
    >>> import dudao_sim as ds
    >>> from dudao_sim.structure.hierarchy import build_hierarchy
    >>> from dudao_sim.structure.describe import hierarchy_summary
    >>> toy = ds.synthetic_province(n_counties=3)
    >>> text = hierarchy_summary(toy, build_hierarchy(toy, granularity="full"))
    >>> text.splitlines()[0].startswith("Supervision hierarchy of 示例省")
    True
"""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx
import pandas as pd

from dudao_sim import i18n
from dudao_sim.data.province import TABLE_FILES, Province
from dudao_sim.data.vocab import Level, SchoolType, label
from dudao_sim.i18n import check_lang
from dudao_sim.i18n.layout import MAX_WIDTH, Column, display_width, render, wrap
from dudao_sim.policy.targets import BADGED_COVERAGE, FULL_TIME_BAND, SCHOOLS_PER_INSPECTOR
from dudao_sim.structure.analysis import depth, inspectorate_by_city

#: Table of the text catalogue (:mod:`dudao_sim.i18n`) holding the summary's labels.
TEXT_TABLE = "hierarchy"


def text(key: str, lang: str = "en", **values: object) -> str:
    """Return a summary label in ``lang``, formatted with ``values``.

    Args:
        key: A key of table ``hierarchy`` of the text catalogue (:mod:`dudao_sim.i18n`).
        lang: ``"zh"`` or ``"en"``.
        **values: Values for the placeholders.

    Returns:
        The label.

    Raises:
        ValueError: If ``lang`` is not ``"zh"`` or ``"en"``.
    """
    return i18n.text(f"{TEXT_TABLE}.{key}", check_lang(lang), **values)


def _int(n: float) -> str:
    return f"{int(n):,}"


def _pct(x: float, digits: int = 1) -> str:
    return "–" if x is None or math.isnan(x) else f"{100 * x:.{digits}f}%"


def _ratio(x: float) -> str:
    if x is None or math.isnan(x):
        return "–"
    return "∞" if math.isinf(x) else f"{x:.2f}"


def _level_name(level: str, lang: str) -> str:
    key = f"{TEXT_TABLE}.level.{level}"
    return i18n.text(key, lang) if i18n.has_text(key) else level


def _synth_note(province: Province, lang: str) -> str:
    synthesized = province.synthesized_columns()
    if not synthesized:
        return text("synth_none", lang)
    tables = {
        "divisions": list(province.divisions.columns),
        "counties": list(province.counties.columns),
        "schools": list(province.schools.columns),
    }
    items = []
    for table, columns in synthesized.items():
        file = TABLE_FILES.get(table, table)
        if set(tables.get(table, [])) <= set(columns):
            items.append(f"{file}: {text('all_columns', lang)}")
        else:
            items.append(f"{file}: {', '.join(columns)}")
    return text("synth_note", lang, items="; ".join(items))


def hierarchy_summary(province: Province, graph: nx.DiGraph, lang: str = "en") -> str:
    """Summarize a hierarchy built from ``province`` as readable text.

    Args:
        province: The province the graph was built from.
        graph: A graph from :func:`~dudao_sim.structure.hierarchy.build_hierarchy`.
        lang: ``"en"`` or ``"zh"`` (labels; place names stay Chinese).

    Returns:
        Several lines: counts per level, graph depth, the table of county inspectorates by
        city (full graphs) with the province line, and a note on synthesized input figures.

    Raises:
        ValueError: If ``lang`` is not ``"zh"`` or ``"en"``.
    """
    check_lang(lang)
    granularity = str(graph.graph.get("granularity", "light"))
    spec = graph.graph.get("inspectorate_spec") or {}
    staffing = float(spec.get("schools_per_inspector", SCHOOLS_PER_INSPECTOR))
    ratio_text = f"{SCHOOLS_PER_INSPECTOR:g}"  # counties are judged against the document's
    kinds = Counter((d.get("kind"), d.get("level")) for _, d in graph.nodes(data=True))
    lines = [
        text(
            "title",
            lang,
            name=province.name,
            code=province.code,
            granularity=(
                text(granularity, lang)
                if i18n.has_text(f"{TEXT_TABLE}.{granularity}")
                else granularity
            ),
            seed=graph.graph.get("seed", 0),
        )
    ]
    gov_levels = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP]
    govs = " · ".join(
        f"{_level_name(lv.value, lang)} {_int(kinds[('government', lv.value)])}"
        for lv in gov_levels
    )
    colon, comma = text("colon", lang), text("comma", lang)
    lines.append(f"  {text('governments', lang)}{colon}{govs}")
    office_levels = [Level.PROVINCE, Level.CITY, Level.COUNTY]
    n_offices = sum(kinds[("office", lv.value)] for lv in office_levels)
    offices = comma.join(
        f"{_level_name(lv.value, lang)} {_int(kinds[('office', lv.value)])}" for lv in office_levels
    )
    offices = text("paren", lang, inner=offices)
    lines.append(f"  {text('offices', lang)}{colon}{_int(n_offices)}{offices}")

    if granularity == "full":
        types = Counter(
            d.get("school_type") for _, d in graph.nodes(data=True) if d.get("kind") == "school"
        )
        note = ""
    else:
        types = Counter(province.schools["school_type"].astype(str))
        note = text("schools_from_tables", lang)
    by_type = " · ".join(f"{label(t.value, lang)} {_int(types[t.value])}" for t in SchoolType)
    lines.append(f"  {text('schools', lang)}{colon}{_int(sum(types.values()))} — {by_type}{note}")

    staff: Counter[str] = Counter()
    full: Counter[str] = Counter()
    for _, d in graph.nodes(data=True):
        if d.get("kind") == "office":
            staff[d["level"]] += int(d.get("n_inspectors", 0))
            full[d["level"]] += int(d.get("n_full_time", 0))
    per_office = comma.join(
        f"{text(f'office_{lv.value}', lang)} {_int(staff[lv.value])}" for lv in office_levels
    )
    n_full = text("paren", lang, inner=f"{text('full_time', lang)} {_int(sum(full.values()))}")
    lines.append(
        f"  {text('inspectors', lang)}{colon}{_int(sum(staff.values()))}{n_full}{colon}{per_office}"
    )
    lines.append(
        "  "
        + text(
            "graph",
            lang,
            nodes=_int(graph.number_of_nodes()),
            edges=_int(graph.number_of_edges()),
            depth=depth(graph),
        )
    )
    lines.append(
        "  "
        + text(
            "staffing",
            lang,
            ratio=f"{staffing:g}",
            full_time=f"{100 * float(spec.get('full_time_share', FULL_TIME_BAND[0])):g}%",
            coverage=f"{100 * float(spec.get('badged_coverage', BADGED_COVERAGE)):g}%",
        )
    )
    lines.append("  " + text("rules", lang, ratio=ratio_text, low=f"{100 * FULL_TIME_BAND[0]:g}%"))
    lines.append("")

    if granularity == "full":
        lines.extend(_city_table(graph, lang, ratio_text))
    else:
        lines.append(text("no_table", lang))
    lines.append("")
    lines.append(_synth_note(province, lang))
    return "\n".join(out for line in lines for out in _fit(line))


def _fit(line: str, width: int = MAX_WIDTH) -> list[str]:
    """A line wrapped to ``width`` display columns, continuations indented under its text."""
    text_start = len(line) - len(line.lstrip(" "))
    lines = wrap(line[text_start:], width - text_start - 2)
    if len(lines) == 1 and display_width(line) <= width:
        return [line]
    indent = " " * text_start
    return [indent + lines[0], *(indent + "  " + rest for rest in lines[1:])]


def _city_table(graph: nx.DiGraph, lang: str, ratio_text: str) -> list[str]:
    table: pd.DataFrame = inspectorate_by_city(graph)
    header = [
        text("col_city", lang),
        text("col_counties", lang),
        text("col_schools", lang),
        text("col_inspectors", lang),
        text("col_ratio", lang),
        text("col_meets", lang, ratio=ratio_text),
        text("col_ft", lang),
        text("col_band", lang),
        text("col_coverage", lang),
    ]
    rows = []
    yes, no = text("yes", lang), text("no", lang)
    total = None
    for row in table.itertuples(index=False):
        if row.scope == "province":
            name = text("province_row", lang, name=row.name)
            total = row
        elif row.scope == "province_managed":
            name = text("province_managed", lang)
        else:
            name = str(row.name)
        rows.append(
            [
                name,
                _int(row.n_counties),
                _int(row.n_schools),
                _int(row.n_inspectors),
                _ratio(row.schools_per_inspector),
                yes if row.meets_ratio else no,
                _pct(row.full_time_share, 2),  # 2 digits: the band edge 30 % is sharp
                yes if row.full_time_in_band else no,
                _pct(row.badged_coverage),
            ]
        )
    right = {1, 2, 3, 4, 6, 8}
    columns = [
        Column(title, "right" if i in right else "left", flex=i == 0)
        for i, title in enumerate(header)
    ]
    lines = [text("table_title", lang), *render(columns, rows)]
    if total is not None:
        lines.append(
            "  "
            + text(
                "county_tally",
                lang,
                ratio=ratio_text,
                meet=total.n_counties_meeting_ratio,
                band=total.n_counties_ft_in_band,
                covered=total.n_counties_fully_covered,
                n=total.n_counties,
            )
        )
    return lines
