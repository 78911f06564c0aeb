"""Format a readable summary of a supervision hierarchy, in English or Chinese.

It reports the units per level (clause 一: offices at province, city and county level), the
depth of the hierarchy (clause 四), and per city (市州) whether the county inspectorates meet
the staffing rules of clause 十七 (1 : 5; full-time share 30 %–1/3) and the badged coverage
of clause 六, then says which input figures are synthesized.

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
import unicodedata
from collections import Counter

import networkx as nx
import pandas as pd

from dudao_sim.data.province import TABLE_FILES, Province
from dudao_sim.data.vocab import Level, SchoolType, label
from dudao_sim.policy.targets import FULL_TIME_BAND, SCHOOLS_PER_INSPECTOR
from dudao_sim.structure.analysis import depth, inspectorate_by_city

#: Labels used only by the summary, in English and Chinese.
TEXT: dict[str, dict[str, str]] = {
    "title": {
        "en": "Supervision hierarchy of {name} ({code}) — {granularity} graph, seed {seed}",
        "zh": "{name}（{code}）教育督导体系 — {granularity}，随机种子 {seed}",
    },
    "light": {"en": "light", "zh": "简明图"},
    "full": {"en": "full", "zh": "完整图"},
    "governments": {"en": "Governments", "zh": "政府"},
    "offices": {"en": "Supervision offices", "zh": "政府教育督导办"},
    "schools": {"en": "Schools", "zh": "学校"},
    "schools_from_tables": {
        "en": " (from the tables; a light graph has no school nodes)",
        "zh": "（取自数据表；简明图不含学校节点）",
    },
    "inspectors": {"en": "Inspectors", "zh": "督学"},
    "full_time": {"en": "full-time", "zh": "专职"},
    "office_province": {"en": "province office", "zh": "省督导办"},
    "office_city": {"en": "city offices", "zh": "市州督导办"},
    "office_county": {"en": "county offices", "zh": "县市区督导办"},
    "colon": {"en": ": ", "zh": "："},
    "paren": {"en": " ({inner})", "zh": "（{inner}）"},
    "comma": {"en": ", ", "zh": "，"},
    "graph": {
        "en": "Graph: {nodes} nodes, {edges} edges, depth {depth} (longest top-down chain)",
        "zh": "图：{nodes} 个节点，{edges} 条边，深度 {depth}（自上而下最长链）",
    },
    "rules": {
        "en": "Rules: 1 inspector per {ratio} schools (十七); county full-time share "
        "{low}–1/3 (十七); badged coverage target {coverage} (六)",
        "zh": "标准：督学与学校数 1:{ratio}（十七）；县级专职督学比例 {low}–1/3（十七）；"
        "挂牌督导覆盖目标 {coverage}（六）",
    },
    "table_title": {
        "en": "County inspectorates by city (市州):",
        "zh": "各市州县级督学队伍：",
    },
    "no_table": {
        "en": "(the table by city needs a full graph: --granularity full)",
        "zh": "（分市州统计需要完整图：--granularity full）",
    },
    "col_city": {"en": "City", "zh": "市州"},
    "col_counties": {"en": "Counties", "zh": "县市区"},
    "col_schools": {"en": "Schools", "zh": "学校"},
    "col_inspectors": {"en": "Inspectors", "zh": "督学"},
    "col_ratio": {"en": "Schools/insp.", "zh": "校/督学"},
    "col_meets": {"en": "≤{ratio}?", "zh": "≤{ratio}?"},
    "col_ft": {"en": "Full-time", "zh": "专职比例"},
    "col_band": {"en": "In band?", "zh": "达标?"},
    "col_coverage": {"en": "Badged coverage", "zh": "挂牌覆盖率"},
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    "province_row": {"en": "{name} (province)", "zh": "{name}（全省）"},
    "province_managed": {"en": "Province-managed counties", "zh": "省直管县"},
    "county_tally": {
        "en": "Counties meeting 1:{ratio}: {meet}/{n}; counties with full-time share in band: "
        "{band}/{n}; counties fully covered: {covered}/{n}",
        "zh": "达到 1:{ratio} 的县市区：{meet}/{n}；专职比例达标的县市区：{band}/{n}；"
        "挂牌督导全覆盖的县市区：{covered}/{n}",
    },
    "synth_note": {
        "en": "Note: synthesized input figures (not observed): {items}. See provenance.toml.",
        "zh": "注：以下输入数据为合成数据（非实测）：{items}。详见 provenance.toml。",
    },
    "synth_none": {
        "en": "Note: the provenance record marks no input figure as synthesized.",
        "zh": "注：来源记录未标注合成数据。",
    },
    "all_columns": {"en": "all columns", "zh": "全部字段"},
}

_LEVEL_PLURAL = {
    Level.PROVINCE.value: "province",
    Level.CITY.value: "cities",
    Level.COUNTY.value: "counties",
    Level.TOWNSHIP.value: "townships",
}


def text(key: str, lang: str = "en", **values: object) -> str:
    """Return a summary label in ``lang``, formatted with ``values``.

    Args:
        key: A key of :data:`TEXT`.
        lang: ``"zh"`` or ``"en"``.
        **values: Values for the placeholders.

    Returns:
        The label.

    Raises:
        ValueError: If ``lang`` is not ``"zh"`` or ``"en"``.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang: {lang!r} is not allowed; use 'zh' or 'en'")
    return TEXT[key][lang].format(**values)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _ljust(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


def _rjust(s: str, width: int) -> str:
    return " " * max(0, width - _width(s)) + s


def _int(n: float) -> str:
    return f"{int(n):,}"


def _pct(x: float, digits: int = 1) -> str:
    return "–" if x is None or math.isnan(x) else f"{100 * x:.{digits}f}%"


def _ratio(x: float) -> str:
    if x is None or math.isnan(x):
        return "–"
    return "∞" if math.isinf(x) else f"{x:.2f}"


def _level_name(level: str, lang: str) -> str:
    return label(level, lang) if lang == "zh" else _LEVEL_PLURAL.get(level, level)


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [
            _rjust(cell, widths[i]) if i in right else _ljust(cell, widths[i])
            for i, cell in enumerate(row)
        ]
        out.append("  ".join(cells).rstrip())
    return out


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
    if lang not in ("zh", "en"):
        raise ValueError(f"lang: {lang!r} is not allowed; use 'zh' or 'en'")
    granularity = str(graph.graph.get("granularity", "light"))
    spec = graph.graph.get("inspectorate_spec") or {}
    ratio = float(spec.get("schools_per_inspector", SCHOOLS_PER_INSPECTOR))
    ratio_text = f"{ratio:g}"
    kinds = Counter((d.get("kind"), d.get("level")) for _, d in graph.nodes(data=True))
    lines = [
        text(
            "title",
            lang,
            name=province.name,
            code=province.code,
            granularity=text(granularity, lang) if granularity in TEXT else granularity,
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
        f"{text('office_' + lv.value, lang)} {_int(staff[lv.value])}" for lv in office_levels
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
            "rules",
            lang,
            ratio=ratio_text,
            low=f"{100 * FULL_TIME_BAND[0]:g}%",
            coverage=f"{100 * float(spec.get('badged_coverage', 1.0)):g}%",
        )
    )
    lines.append("")

    if granularity == "full":
        lines.extend(_city_table(graph, lang, ratio_text))
    else:
        lines.append(text("no_table", lang))
    lines.append("")
    lines.append(_synth_note(province, lang))
    return "\n".join(lines)


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
    rows = [header]
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
    lines = [text("table_title", lang), *_table(rows, right={1, 2, 3, 4, 6, 8})]
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
