"""Every text of the dashboard in Chinese and English, in one place.

Lever, group, metric and scenario labels come from their own metadata (``levers.toml``, the
metric catalogue, the scenario files); this module holds only the dashboard's own words.

Example:
    >>> text("run", "zh")
    '运行'
    >>> text("progress", "en", done=3, total=12)
    'Runs done: 3 of 12'
"""

from __future__ import annotations

LANGS: tuple[str, ...] = ("zh", "en")

#: Language toggle options: (shown text, language code).
LANG_OPTIONS: tuple[tuple[str, str], ...] = (("中文", "zh"), ("English", "en"))

TEXTS: dict[str, dict[str, str]] = {
    "title": {
        "zh": "教育督导体制机制改革 · 政策模拟看板",
        "en": "Education supervision reform · policy dashboard",
    },
    "intro": {
        "zh": "从一个情景出发，调整下面的政策杠杆，点击“运行”。结果与“按实施意见改革”和"
        "“改革前”比较，使用相同的随机种子。",
        "en": "Start from a scenario, adjust the policy levers below and press Run. Results are "
        "compared with “the 2021 reform as written” and “before the reform” on the same seeds.",
    },
    "province": {"zh": "省份", "en": "Province"},
    "province_folder": {"zh": "自有数据文件夹", "en": "Your own province folder"},
    "province_placeholder": {
        "zh": "含 divisions.csv、counties.csv、schools.csv 的文件夹",
        "en": "folder with divisions.csv, counties.csv, schools.csv",
    },
    "load_province": {"zh": "载入", "en": "Load"},
    "province_loaded": {
        "zh": "已载入：{name}（{counties} 个县市区，{schools} 所学校）",
        "en": "Loaded: {name} ({counties} counties, {schools} schools)",
    },
    "start_from": {"zh": "起始情景", "en": "Start from"},
    "levers": {"zh": "政策杠杆", "en": "Policy levers"},
    "run": {"zh": "运行", "en": "Run"},
    "running": {"zh": "运行中…", "en": "Running…"},
    "clear_cache": {"zh": "清除缓存", "en": "Clear cache"},
    "cache_cleared": {"zh": "缓存已清除。", "en": "Cache cleared."},
    "reset": {"zh": "恢复起始情景", "en": "Reset to scenario"},
    "settings": {
        "zh": "{province}：{years} 年（共同预热 {warmup} 个月之后），{seeds} 个随机种子，"
        "{workers} 个进程",
        "en": "{province}: {years} years after a shared {warmup}-month warm-up, {seeds} seeds, "
        "{workers} process(es)",
    },
    "progress": {"zh": "已完成 {done}/{total} 次运行", "en": "Runs done: {done} of {total}"},
    "done": {
        "zh": "完成：{n} 次运行（{cached} 次来自缓存），用时 {seconds:.1f} 秒。",
        "en": "Done: {n} runs ({cached} from the cache) in {seconds:.1f} s.",
    },
    "error": {"zh": "出错：", "en": "Error: "},
    "no_results": {
        "zh": "尚无结果。调整政策杠杆后点击“运行”。",
        "en": "No results yet. Adjust the levers and press Run.",
    },
    "edited": {"zh": "调整后的政策", "en": "Edited policy"},
    "key_findings": {"zh": "主要发现", "en": "Key findings"},
    "versus": {"zh": "与“{base}”相比", "en": "Against “{base}”"},
    "improves": {"zh": "改善", "en": "What improves"},
    "costs": {"zh": "代价", "en": "What it costs"},
    "worse": {"zh": "变差", "en": "What gets worse"},
    "noise": {"zh": "在随机波动范围内", "en": "Within noise"},
    "nothing": {"zh": "无", "en": "nothing"},
    "noise_note": {
        "zh": "差异为逐种子配对差异的均值，括号内为 95% 置信区间；"
        "区间包含 0 即视为在随机波动范围内。",
        "en": "Differences are means of seed-by-seed paired differences, with 95 % intervals in "
        "brackets; an interval containing 0 is within noise.",
    },
    "headline": {
        "zh": "关键指标（最后 12 个月均值）",
        "en": "Key metrics (mean of the last 12 months)",
    },
    "metric": {"zh": "指标", "en": "Metric"},
    "better": {"zh": "越高越好", "en": "higher is better"},
    "lower_better": {"zh": "越低越好", "en": "lower is better"},
    "plots": {"zh": "逐年变化", "en": "Over the years"},
    "year": {"zh": "年份", "en": "Year"},
    "regional": {"zh": "分市州与县市区结果", "en": "Results by 市州 and county"},
    "regional_metric": {"zh": "地区指标", "en": "Regional metric"},
    "city": {"zh": "市州", "en": "City (市州)"},
    "county": {"zh": "县市区", "en": "County"},
    "map_title": {
        "zh": "各县市区：调整后的政策 − 按实施意见改革",
        "en": "By county: edited policy − the 2021 reform",
    },
    "longitude": {"zh": "经度", "en": "Longitude"},
    "latitude": {"zh": "纬度", "en": "Latitude"},
    "difference": {"zh": "差值", "en": "Difference"},
    "lever_values": {
        "zh": "杠杆取值与对应条款",
        "en": "Lever values and the clauses they implement",
    },
    "lever": {"zh": "杠杆", "en": "Lever"},
    "value": {"zh": "取值", "en": "Value"},
    "unit": {"zh": "单位", "en": "Unit"},
    "clause": {"zh": "条款", "en": "Clause"},
    "changed": {"zh": "相对起始情景的改动", "en": "Changed from the starting scenario"},
    "no_changes": {
        "zh": "未改动任何杠杆（与起始情景相同）。",
        "en": "No lever changed (same as the starting scenario).",
    },
    "export": {"zh": "导出", "en": "Export"},
    "export_toml": {
        "zh": "下载情景文件（TOML，可用 dudao-sim --scenario 运行）",
        "en": "Download the scenario (TOML, runs with dudao-sim --scenario)",
    },
    "export_csv": {"zh": "下载结果（CSV）", "en": "Download the results (CSV)"},
    "export_regional_csv": {
        "zh": "下载分地区结果（CSV）",
        "en": "Download the results by region (CSV)",
    },
    "on": {"zh": "开", "en": "on"},
    "off": {"zh": "关", "en": "off"},
    "clause_of": {"zh": "第（{clause}）条", "en": "clause ({clause})"},
}


def text(key: str, lang: str, **kwargs: object) -> str:
    """The dashboard text ``key`` in ``lang``, formatted with ``kwargs``.

    Args:
        key: A key of :data:`TEXTS`.
        lang: ``"zh"`` or ``"en"``.
        **kwargs: Values for the text's placeholders.

    Returns:
        The text.

    Raises:
        ValueError: For an unknown language.
        KeyError: For an unknown key.
    """
    if lang not in LANGS:
        raise ValueError(f"lang: {lang!r} is not allowed; use 'zh' or 'en'")
    template = TEXTS[key][lang]
    return template.format(**kwargs) if kwargs else template


def all_text(lang: str) -> str:
    """Every dashboard text in ``lang``, joined (for subsetting the web font)."""
    return "".join(v[lang] for v in TEXTS.values())
