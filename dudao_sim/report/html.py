"""A self-contained HTML report comparing reform scenarios, in Chinese or English.

:func:`write_report` writes one HTML file (figures embedded as base64 PNG, inline CSS, no
scripts or external resources) and, beside it, the tidy data it was made from:
``runs.csv``, ``summary.csv``, ``paired.csv``, ``by_city.csv``, ``targets.csv`` and
``report_manifest.json`` (the results folder's own ``manifest.json`` is left alone).

Every table and figure has a stable ``id`` (:data:`TABLE_IDS`, :data:`FIGURE_IDS`), and every
number shown sits in an element carrying ``data-value`` (the full-precision number),
``data-field`` (``mean``, ``ci_low``, ``ci_high``, ``diff_mean``), ``data-metric`` and
``data-scenario`` (and ``data-code`` by 市州), so the page can be checked against the CSVs.

Example:
    >>> from dudao_sim.report import write_report
    >>> manifest = {"province": "示例省", "scenarios": ["pre_reform", "reform_2021"],
    ...             "seeds": [1, 2, 3], "baseline": "pre_reform", "months": 24,
    ...             "synthesized": {"schools": ["enrolment"]}, "version": "0.1.0",
    ...             "created": "2025-01-01T00:00:00"}
    >>> write_report(runs, regional, manifest, "out", lang="zh")  # doctest: +SKIP
    PosixPath('out/report_zh.html')
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dudao_sim.experiments.statistics import check_runs, paired_differences, summarize
from dudao_sim.metrics.reporters import REGIONAL_RATIOS
from dudao_sim.policy.targets import (
    BADGED_COVERAGE,
    END_OF_TERM_REVIEW,
    FULL_TIME_BAND,
    SCHOOLS_PER_INSPECTOR,
)
from dudao_sim.report.figures import (
    INDICES,
    KEY_OUTCOMES,
    check_lang,
    city_summary,
    fig_by_city,
    fig_indices,
    fig_paired,
    fig_trajectories,
    figure_png,
    format_value,
    metric_better,
    metric_definition,
    metric_label,
    scenario_description,
    scenario_label,
    scenario_order,
)
from dudao_sim.report.fonts import embed_web_font, use_cjk_fonts

#: Keys a manifest must have.
MANIFEST_KEYS: tuple[str, ...] = (
    "province",
    "scenarios",
    "seeds",
    "baseline",
    "months",
    "synthesized",
    "version",
    "created",
)

#: ids of the report's tables.
TABLE_IDS: tuple[str, ...] = (
    "table-scenarios",
    "table-indices",
    "table-outcomes",
    "table-paired",
    "table-targets",
    "table-costs",
    "table-by-city",
    "table-synthesized",
    "table-definitions",
)

#: ids of the report's figures.
FIGURE_IDS: tuple[str, ...] = ("fig-indices", "fig-paired", "fig-trajectories", "fig-by-city")

_EPS = 1e-9

_T: dict[str, dict[str, str]] = {
    "title": {
        "zh": "教育督导体制机制改革：情景比较报告",
        "en": "Education supervision reform: scenario comparison",
    },
    "province": {"zh": "省份", "en": "Province"},
    "method": {
        "zh": "数值为每次运行最后 {n} 个月的均值，再对 {k} 个随机种子取平均；方括号内为 "
        "{level}% Student-t 置信区间。配对差异逐种子比较各情景与基准情景"
        "（{base}，共同随机数），区间包含 0 的差异标为“不显著”。",
        "en": "Values are each run's mean over its last {n} months, averaged over {k} seeds; "
        "brackets give {level}% Student-t intervals. Paired differences compare each scenario "
        "with the baseline ({base}) seed by seed (common random numbers); a difference whose "
        "interval contains 0 is flagged “within noise”.",
    },
    "sec-scenarios": {"zh": "情景说明", "en": "Scenarios"},
    "sec-indices": {
        "zh": "条款（二十四）四项指数：全面覆盖、运转高效、结果权威、问责有力",
        "en": "Clause 24 indices: coverage, efficiency, authority, accountability",
    },
    "sec-outcomes": {"zh": "各情景主要结果", "en": "Outcomes by scenario"},
    "sec-paired": {"zh": "与基准情景的配对差异", "en": "Paired differences from the baseline"},
    "sec-trajectories": {"zh": "逐月轨迹", "en": "Monthly trajectories"},
    "sec-targets": {"zh": "目标核查", "en": "Target checks"},
    "sec-costs": {"zh": "成本", "en": "Costs"},
    "sec-by-city": {"zh": "分市州结果", "en": "Results by 市州 (city)"},
    "sec-synthesized": {"zh": "合成数据说明", "en": "Synthesized input figures"},
    "sec-definitions": {"zh": "指标定义", "en": "Definitions"},
    "scenario": {"zh": "情景", "en": "Scenario"},
    "name": {"zh": "代码", "en": "Name"},
    "label": {"zh": "名称", "en": "Label"},
    "base": {"zh": "基于", "en": "Based on"},
    "description": {"zh": "说明", "en": "Description"},
    "metric": {"zh": "指标", "en": "Metric"},
    "target": {"zh": "目标", "en": "Target"},
    "clause": {"zh": "条款", "en": "Clause"},
    "city": {"zh": "市州", "en": "City"},
    "table": {"zh": "数据表", "en": "Table"},
    "columns": {"zh": "合成的列", "en": "Synthesized columns"},
    "definition": {"zh": "定义", "en": "Definition"},
    "baseline": {"zh": "基准", "en": "baseline"},
    "noise": {"zh": "不显著", "en": "within noise"},
    "diff_vs": {"zh": "与基准之差", "en": "vs baseline"},
    "cost": {"zh": "年督导成本（元）", "en": "Cost (yuan/year)"},
    "days": {"zh": "年督学工作日", "en": "Inspector-days/year"},
    "targets-note": {
        "zh": "按各情景均值判断是否达标；减负三项比较与基准的配对差异。",
        "en": "Met or not is judged on each scenario's mean; the three burden checks use the "
        "paired difference from the baseline.",
    },
    "costs-note": {
        "zh": "成本为最近 12 个月督导活动费用加兼职督学年度补贴（条款二十一），不含专职督学工资；"
        "督学工作日中网络督导按 1/4 计。",
        "en": "Cost: visits in the last 12 months plus part-time inspectors' yearly allowances "
        "(clause 21); full-time salaries are not counted. Inspector-days count online visits "
        "as 1/4.",
    },
    "by-city-note": {
        "zh": "表中为各市州最后 {n} 个月、各种子的均值；置信区间见 by_city.csv。",
        "en": "Means over the last {n} months and over seeds; intervals are in by_city.csv.",
    },
    "no-regional": {"zh": "未提供分市州结果。", "en": "No results by 市州 were given."},
    "synth-intro": {
        "zh": "以下输入数据的列为合成（非实测）数据，可替换为真实的县级数据表：",
        "en": "These input columns are synthesized rather than observed; real county tables "
        "can be dropped in to replace them:",
    },
    "synth-none": {
        "zh": "输入数据均为实测数据，无合成列。",
        "en": "No input figure is synthesized.",
    },
    "fig-en": {
        "zh": "（未找到中文字体，图中标签为英文）",
        "en": "",
    },
    "footer": {"zh": "生成信息", "en": "About this report"},
    "m-version": {"zh": "dudao_sim 版本", "en": "dudao_sim version"},
    "m-created": {"zh": "生成时间", "en": "Created"},
    "m-scenarios": {"zh": "情景", "en": "Scenarios"},
    "m-seeds": {"zh": "随机种子", "en": "Seeds"},
    "m-months": {"zh": "模拟月数", "en": "Months simulated"},
    "m-baseline": {"zh": "基准情景", "en": "Baseline"},
    "m-last": {"zh": "汇总的最后月数", "en": "Months averaged"},
    "m-province": {"zh": "省份", "en": "Province"},
    "cap-indices": {
        "zh": "四项指数（0–1），误差线为置信区间。",
        "en": "The four indices (0–1); error bars are confidence intervals.",
    },
    "cap-paired": {
        "zh": "各情景减基准情景，逐种子配对；空心灰点为不显著（区间含 0）。",
        "en": "Each scenario minus the baseline, paired by seed; hollow grey points are within "
        "noise (the interval contains 0).",
    },
    "cap-trajectories": {
        "zh": "改革后逐月的种子均值，阴影为置信区间。",
        "en": "Monthly mean over seeds after the switch; the band is the confidence interval.",
    },
    "cap-by-city": {
        "zh": "各市州最后 {n} 个月均值。",
        "en": "Mean of the last {n} months by 市州.",
    },
}

_STATUS: dict[str, dict[str, str]] = {
    "met": {"zh": "✓ 达标", "en": "✓ met"},
    "not_met": {"zh": "✗ 未达标", "en": "✗ not met"},
    "lower": {"zh": "✓ 低于基准", "en": "✓ lower than baseline"},
    "higher": {"zh": "✗ 高于基准", "en": "✗ higher than baseline"},
    "within_noise": {"zh": "不显著", "en": "within noise"},
    "baseline": {"zh": "基准", "en": "baseline"},
    "no_data": {"zh": "无数据", "en": "no data"},
}


@dataclass(frozen=True)
class Target:
    """A target of the opinions checked per scenario.

    Attributes:
        metric: Metric checked.
        rule: ``le`` (mean ≤ bound), ``ge`` (mean ≥ bound), ``band`` (low ≤ mean ≤ high) or
            ``below_baseline`` (paired difference from the baseline below 0).
        bound: The bound(s) (``None`` for ``below_baseline``).
        clause: Clause of the opinions.
        zh: Chinese wording.
        en: English wording.
    """

    metric: str
    rule: str
    bound: float | tuple[float, float] | None
    clause: str
    zh: str
    en: str


#: Targets of the opinions checked in the report.
TARGETS: tuple[Target, ...] = (
    Target(
        "inspectorate_schools_per_inspector",
        "le",
        SCHOOLS_PER_INSPECTOR,
        "十七",
        "县级督学与学校比不低于 1:5（每名督学 ≤ 5 所）",
        "Inspectors : schools at least 1:5 (≤ 5 schools per inspector)",
    ),
    Target(
        "inspectorate_counties_meeting_ratio",
        "ge",
        1.0,
        "十七",
        "所有县达到 1:5",
        "Every county meets 1:5",
    ),
    Target(
        "inspectorate_full_time_share",
        "band",
        FULL_TIME_BAND,
        "十七",
        "县级专职督学比例在 30% 至 1/3 之间",
        "County full-time share between 30% and 1/3",
    ),
    Target(
        "inspectorate_counties_full_time_in_band",
        "ge",
        1.0,
        "十七",
        "所有县专职比例在 30%–1/3",
        "Every county's full-time share in 30%–1/3",
    ),
    Target(
        "coverage_badged",
        "ge",
        BADGED_COVERAGE,
        "六",
        "责任督学挂牌督导覆盖 100% 中小学校和幼儿园",
        "Badged inspectors cover 100% of schools and kindergartens",
    ),
    Target(
        "end_of_term_review_share",
        "ge",
        END_OF_TERM_REVIEW,
        "六",
        "校（园）长任期结束均接受一次综合督导（100%）",
        "Every principal gets an end-of-term review (100%)",
    ),
    Target(
        "visits_per_school_year",
        "below_baseline",
        None,
        "八",
        "控制督导频次：每校年均督导次数低于基准",
        "Fewer visits per school per year than the baseline",
    ),
    Target(
        "teacher_hours_per_school_year",
        "below_baseline",
        None,
        "八",
        "减轻教师负担：每校年均迎检工时低于基准",
        "Fewer teacher hours per school per year than the baseline",
    ),
    Target(
        "duplicate_share",
        "below_baseline",
        None,
        "八",
        "避免重复督导：重复督导比例低于基准",
        "Smaller duplicate-visit share than the baseline",
    ),
)

_CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei","WenQuanYi Zen Hei",
"Helvetica Neue",Arial,"dudao_sim CJK",sans-serif;margin:2em auto;max-width:1200px;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid
#ddd;padding-bottom:.2em}
.scroll{overflow-x:auto}table{border-collapse:collapse;margin:.8em 0;font-size:.88em}
th,td{border:1px solid #ddd;padding:.3em .55em;vertical-align:top}
th{background:#f4f4f4;text-align:left}td.n{text-align:right;white-space:nowrap}
.ci{color:#666;font-size:.9em}.note{color:#555;font-size:.9em}
.flag{display:inline-block;margin-left:.3em;padding:0 .35em;border-radius:3px;font-size:.85em}
.noise{color:#888}.noise .flag{background:#eee;color:#666}
.good{color:#1a7f37}.bad{color:#b3261e}
.st-met,.st-lower{color:#1a7f37}.st-not_met,.st-higher{color:#b3261e}
.st-within_noise,.st-baseline,.st-no_data{color:#777}
figure{margin:1em 0}figure img{max-width:100%;height:auto}figcaption{color:#555;font-size:.9em}
footer{margin-top:3em;border-top:1px solid #ddd;font-size:.85em;color:#555}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _t(key: str, lang: str, **kwargs: object) -> str:
    return _T[key][lang].format(**kwargs)


def _dv(value: object) -> str:
    """Full-precision text of a number for ``data-value`` (``nan`` when missing)."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "nan"
    return repr(x) if math.isfinite(x) else "nan"


def _num(
    value: object,
    metric: str,
    lang: str,
    field: str,
    scenario: str | None = None,
    diff: bool = False,
    unit: bool = True,
    **attrs: str,
) -> str:
    extra = {"scenario": scenario, **attrs} if scenario is not None else dict(attrs)
    data = "".join(f' data-{k.replace("_", "-")}="{_e(v)}"' for k, v in extra.items())
    text = format_value(value, metric, lang, diff=diff, unit=unit)  # type: ignore[arg-type]
    return (
        f'<span class="num" data-value="{_dv(value)}" data-field="{field}" '
        f'data-metric="{_e(metric)}"{data}>{_e(text)}</span>'
    )


def _ci(low: object, high: object, metric: str, lang: str, scenario: str, diff: bool) -> str:
    lo = _num(low, metric, lang, "ci_low", scenario, diff=diff, unit=not diff)
    hi = _num(high, metric, lang, "ci_high", scenario, diff=diff, unit=not diff)
    return f'<span class="ci">[{lo}, {hi}]</span>'


def _mean_cell(row: pd.Series | None, metric: str, scenario: str, lang: str) -> str:
    if row is None:
        return '<td class="n">—</td>'
    mean = _num(row["mean"], metric, lang, "mean", scenario)
    ci = _ci(row["ci_low"], row["ci_high"], metric, lang, scenario, diff=False)
    return f'<td class="n">{mean} {ci}</td>'


def _diff_cell(row: pd.Series | None, metric: str, scenario: str, lang: str) -> str:
    if row is None:
        return '<td class="n">—</td>'
    noise = bool(row["within_noise"])
    better = metric_better(metric)
    if noise:
        cls = "n noise"
    elif better and row["diff_mean"] * better > 0:
        cls = "n good"
    elif better and row["diff_mean"] * better < 0:
        cls = "n bad"
    else:
        cls = "n"
    mean = _num(row["diff_mean"], metric, lang, "diff_mean", scenario, diff=True)
    ci = _ci(row["ci_low"], row["ci_high"], metric, lang, scenario, diff=True)
    flag = f'<span class="flag">{_e(_t("noise", lang))}</span>' if noise else ""
    return f'<td class="{cls}" data-within-noise="{str(noise).lower()}">{mean} {ci}{flag}</td>'


def _table(table_id: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table; header cells are escaped text, row cells are HTML (``<td>``/``<th>``)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return (
        f'<div class="scroll"><table id="{table_id}">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table></div>"
    )


def _figure(fig_id: str, png: bytes, caption: str, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="{fig_id}"><img alt="{_e(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _section(sec_id: str, title: str, body: str) -> str:
    return f'<section id="{sec_id}">\n<h2>{_e(title)}</h2>\n{body}\n</section>'


def check_manifest(manifest: Mapping[str, object]) -> None:
    """Raise ``ValueError`` naming the missing or malformed keys of a report manifest.

    Args:
        manifest: ``{"province": str, "scenarios": [names], "seeds": [ints], "baseline": str,
            "months": int, "synthesized": {table: [cols]}, "version": str, "created": str}``.

    Raises:
        ValueError: If a key is missing or has the wrong type.
    """
    if not isinstance(manifest, Mapping):
        raise ValueError(f"manifest: must be a dict with keys {list(MANIFEST_KEYS)}")
    missing = [k for k in MANIFEST_KEYS if k not in manifest]
    if missing:
        raise ValueError(f"manifest: missing key(s) {missing}; required: {list(MANIFEST_KEYS)}")
    for key in ("scenarios", "seeds"):
        if isinstance(manifest[key], str | bytes) or not isinstance(manifest[key], Sequence):
            raise ValueError(f"manifest[{key!r}]: must be a list, got {manifest[key]!r}")
    if not isinstance(manifest["synthesized"], Mapping):
        raise ValueError(
            f"manifest['synthesized']: must be a dict {{table: [columns]}}, "
            f"got {type(manifest['synthesized']).__name__}"
        )


def target_checks(
    summary: pd.DataFrame, paired: pd.DataFrame, baseline: str, scenarios: Sequence[str]
) -> pd.DataFrame:
    """Check the targets of :data:`TARGETS` for each scenario.

    Args:
        summary: Output of :func:`~dudao_sim.experiments.statistics.summarize`.
        paired: Output of :func:`~dudao_sim.experiments.statistics.paired_differences`.
        baseline: The baseline scenario.
        scenarios: Scenarios to check, in order.

    Returns:
        Columns ``scenario``, ``metric``, ``rule``, ``bound``, ``clause``, ``mean``,
        ``diff_mean`` and ``status`` (``met``, ``not_met``, ``lower``, ``higher``,
        ``within_noise``, ``baseline`` or ``no_data``).
    """
    means = summary.set_index(["scenario", "metric"])["mean"]
    diffs = paired.set_index(["scenario", "metric"])
    rows = []
    for target in TARGETS:
        for name in scenarios:
            mean = means.get((name, target.metric), math.nan)
            diff = math.nan
            if (name, target.metric) in diffs.index:
                diff = float(diffs.loc[(name, target.metric), "diff_mean"])
            if target.rule == "below_baseline":
                if name == baseline:
                    status = "baseline"
                elif (name, target.metric) not in diffs.index or math.isnan(diff):
                    status = "no_data"
                else:
                    row = diffs.loc[(name, target.metric)]
                    status = (
                        "within_noise"
                        if bool(row["within_noise"])
                        else ("lower" if row["diff_mean"] < 0 else "higher")
                    )
            elif math.isnan(mean):
                status = "no_data"
            else:
                if target.rule == "le":
                    ok = mean <= float(target.bound) + _EPS  # type: ignore[arg-type]
                elif target.rule == "ge":
                    ok = mean >= float(target.bound) - _EPS  # type: ignore[arg-type]
                else:
                    low, high = target.bound  # type: ignore[misc]
                    ok = low - _EPS <= mean <= high + _EPS
                status = "met" if ok else "not_met"
            rows.append(
                {
                    "scenario": name,
                    "metric": target.metric,
                    "rule": target.rule,
                    "bound": "" if target.bound is None else json.dumps(target.bound),
                    "clause": target.clause,
                    "mean": mean,
                    "diff_mean": diff,
                    "status": status,
                }
            )
    return pd.DataFrame(rows)


def _html_page(
    lang: str,
    manifest: Mapping[str, object],
    names: list[str],
    baseline: str,
    last_months: int,
    level: float,
    summary: pd.DataFrame,
    paired: pd.DataFrame,
    by_city: pd.DataFrame | None,
    targets: pd.DataFrame,
    figures: dict[str, bytes],
    figures_lang: str,
) -> str:
    s = summary.set_index(["scenario", "metric"])
    p = paired.set_index(["scenario", "metric"])
    others = [n for n in names if n != baseline]
    present = set(summary["metric"])

    def srow(name: str, metric: str) -> pd.Series | None:
        return s.loc[(name, metric)] if (name, metric) in s.index else None

    def prow(name: str, metric: str) -> pd.Series | None:
        return p.loc[(name, metric)] if (name, metric) in p.index else None

    def fig(fig_id: str, cap_key: str, **kwargs: object) -> str:
        cap = _t(cap_key, lang, **kwargs)
        if figures_lang != lang:
            cap += _t("fig-en", lang)
        return _figure(fig_id, figures[fig_id], cap, cap)

    sc_label = {n: scenario_label(n, lang) for n in names}
    parts: list[str] = []

    # scenarios
    rows = []
    for n in names:
        base_name = _scenario_base(n)
        mark = f" ({_t('baseline', lang)})" if n == baseline else ""
        rows.append(
            [
                f"<td><code>{_e(n)}</code></td>",
                f"<td>{_e(sc_label[n] + mark)}</td>",
                f"<td>{_e(scenario_label(base_name, lang) if base_name else '—')}</td>",
                f"<td>{_e(scenario_description(n, lang) or '—')}</td>",
            ]
        )
    header = [_t(k, lang) for k in ("name", "label", "base", "description")]
    method = _t(
        "method",
        lang,
        n=last_months,
        k=len(manifest["seeds"]),  # type: ignore[arg-type]
        level=f"{100 * level:g}",
        base=sc_label.get(baseline, baseline),
    )
    parts.append(
        _section(
            "section-scenarios",
            _t("sec-scenarios", lang),
            f'<p class="note">{_e(method)}</p>\n' + _table("table-scenarios", header, rows),
        )
    )

    # indices
    rows = [
        [f"<th>{_e(sc_label[n])}</th>"] + [_mean_cell(srow(n, m), m, n, lang) for m in INDICES]
        for n in names
    ]
    header = [_t("scenario", lang)] + [metric_label(m, lang) for m in INDICES]
    parts.append(
        _section(
            "section-indices",
            _t("sec-indices", lang),
            _table("table-indices", header, rows) + "\n" + fig("fig-indices", "cap-indices"),
        )
    )

    # outcomes
    outcomes = [m for m in KEY_OUTCOMES if m in present]
    rows = [
        [f"<th>{_e(metric_label(m, lang))}</th>"]
        + [_mean_cell(srow(n, m), m, n, lang) for n in names]
        for m in outcomes
    ]
    header = [_t("metric", lang)] + [sc_label[n] for n in names]
    parts.append(
        _section(
            "section-outcomes", _t("sec-outcomes", lang), _table("table-outcomes", header, rows)
        )
    )

    # paired differences
    metrics = [m for m in (*INDICES, *KEY_OUTCOMES) if m in set(paired["metric"])]
    rows = [
        [f"<th>{_e(metric_label(m, lang))}</th>"]
        + [_diff_cell(prow(n, m), m, n, lang) for n in others]
        for m in metrics
    ]
    header = [_t("metric", lang)] + [f"{sc_label[n]} − {sc_label[baseline]}" for n in others]
    parts.append(
        _section(
            "section-paired",
            _t("sec-paired", lang),
            _table("table-paired", header, rows) + "\n" + fig("fig-paired", "cap-paired"),
        )
    )

    # trajectories
    parts.append(
        _section(
            "section-trajectories",
            _t("sec-trajectories", lang),
            fig("fig-trajectories", "cap-trajectories"),
        )
    )

    # targets
    t = targets.set_index(["metric", "scenario"])
    rows = []
    for target in TARGETS:
        cells = [f"<th>{_e(getattr(target, lang))}</th>", f"<td>{_e(target.clause)}</td>"]
        for n in names:
            if (target.metric, n) not in t.index:
                cells.append("<td>—</td>")
                continue
            row = t.loc[(target.metric, n)]
            value = _num(row["mean"], target.metric, lang, "mean", n)
            if target.rule == "below_baseline" and n != baseline:
                value += (
                    " ("
                    + _num(row["diff_mean"], target.metric, lang, "diff_mean", n, diff=True)
                    + ")"
                )
            status = row["status"]
            cells.append(
                f'<td class="n" data-status="{status}">{value} '
                f'<span class="st-{status}">{_e(_STATUS[status][lang])}</span></td>'
            )
        rows.append(cells)
    header = [_t("target", lang), _t("clause", lang)] + [sc_label[n] for n in names]
    parts.append(
        _section(
            "section-targets",
            _t("sec-targets", lang),
            f'<p class="note">{_e(_t("targets-note", lang))}</p>\n'
            + _table("table-targets", header, rows),
        )
    )

    # costs
    rows = []
    for n in names:
        cells = [f"<th>{_e(sc_label[n])}</th>"]
        for m in ("cost_yuan_year", "inspector_days_year"):
            cells.append(_mean_cell(srow(n, m), m, n, lang))
            cells.append(
                '<td class="n">—</td>' if n == baseline else _diff_cell(prow(n, m), m, n, lang)
            )
        rows.append(cells)
    header = [
        _t("scenario", lang),
        _t("cost", lang),
        _t("diff_vs", lang),
        _t("days", lang),
        _t("diff_vs", lang),
    ]
    parts.append(
        _section(
            "section-costs",
            _t("sec-costs", lang),
            f'<p class="note">{_e(_t("costs-note", lang))}</p>\n'
            + _table("table-costs", header, rows),
        )
    )

    # by 市州
    if by_city is not None and not by_city.empty:
        c = by_city.astype({"code": str}).set_index(["code", "scenario", "metric"])["mean"]
        cities = (
            by_city[["code", "name"]]
            .astype({"code": str})
            .drop_duplicates("code")
            .sort_values("code")
        )
        regional = [m for m in REGIONAL_RATIOS if m in set(by_city["metric"])]
        rows = []
        for code, city in cities.itertuples(index=False):
            for n in names:
                cells = [f"<th>{_e(city)}</th>", f"<td>{_e(sc_label[n])}</td>"]
                for m in regional:
                    value = c.get((code, n, m), math.nan)
                    cells.append(f'<td class="n">{_num(value, m, lang, "mean", n, code=code)}</td>')
                rows.append(cells)
        header = [_t("city", lang), _t("scenario", lang)] + [
            metric_label(m, lang) for m in regional
        ]
        body = (
            f'<p class="note">{_e(_t("by-city-note", lang, n=last_months))}</p>\n'
            + _table("table-by-city", header, rows)
            + "\n"
            + fig("fig-by-city", "cap-by-city", n=last_months)
        )
    else:
        body = f'<p class="note">{_e(_t("no-regional", lang))}</p>'
    parts.append(_section("section-by-city", _t("sec-by-city", lang), body))

    # synthesized inputs
    synthesized: Mapping[str, Sequence[str]] = manifest["synthesized"]  # type: ignore[assignment]
    intro = _t("synth-intro", lang) if synthesized else _t("synth-none", lang)
    rows = [
        [f"<td><code>{_e(table)}</code></td>", f"<td>{_e(', '.join(map(str, cols)))}</td>"]
        for table, cols in synthesized.items()
    ]
    body = (
        f"<p>{_e(_t('province', lang))}: <strong>{_e(manifest['province'])}</strong>. "
        f"{_e(intro)}</p>\n"
        + _table("table-synthesized", [_t("table", lang), _t("columns", lang)], rows)
    )
    parts.append(_section("section-synthesized", _t("sec-synthesized", lang), body))

    # definitions
    shown = [*INDICES, *outcomes]
    rows = [
        [
            f"<th>{_e(metric_label(m, lang))}</th>",
            f"<td><code>{_e(m)}</code></td>",
            f"<td>{_e(metric_definition(m, lang))}</td>",
        ]
        for m in shown
    ]
    header = [_t("metric", lang), _t("name", lang), _t("definition", lang)]
    parts.append(
        _section(
            "section-definitions",
            _t("sec-definitions", lang),
            _table("table-definitions", header, rows),
        )
    )

    # footer
    meta = [
        ("m-province", manifest["province"]),
        ("m-version", manifest["version"]),
        ("m-created", manifest["created"]),
        ("m-scenarios", ", ".join(map(str, manifest["scenarios"]))),  # type: ignore[call-overload]
        ("m-seeds", ", ".join(map(str, manifest["seeds"]))),  # type: ignore[call-overload]
        ("m-months", manifest["months"]),
        ("m-baseline", manifest["baseline"]),
        ("m-last", last_months),
    ]
    items = "".join(f"<dt>{_e(_t(k, lang))}</dt><dd>{_e(v)}</dd>" for k, v in meta)
    footer = (
        f'<footer id="footer"><h2>{_e(_t("footer", lang))}</h2>'
        f'<dl id="manifest">{items}</dl></footer>'
    )

    title = f"{_t('title', lang)} — {manifest['province']}"
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<h1 id="title">{_e(title)}</h1>\n' + "\n".join(parts) + f"\n{footer}\n</body>\n</html>\n"
    )


def _scenario_base(name: str) -> str | None:
    from dudao_sim.policy.scenarios import load_scenario

    try:
        return load_scenario(name).base
    except (ValueError, OSError):
        return None


def write_report(
    runs: pd.DataFrame,
    regional: pd.DataFrame | None,
    manifest: Mapping[str, object],
    out_dir: str | Path,
    lang: str = "en",
    baseline: str = "pre_reform",
    last_months: int = 12,
    level: float = 0.95,
) -> Path:
    """Write the reform-comparison report and the tidy data it was made from.

    Args:
        runs: Tidy run frame (``scenario``, ``seed``, ``month``, ``metric``, ``value``).
        regional: Results by 市州 (``metrics_by("city")`` frames with ``scenario`` and
            ``seed`` columns), or ``None``.
        manifest: Metadata, see :func:`check_manifest`; its ``scenarios`` must be those in
            ``runs`` and its ``baseline`` must equal ``baseline``.
        out_dir: Folder to write to (created if missing).
        lang: ``"zh"`` or ``"en"``.
        baseline: Scenario the others are compared with.
        last_months: Months at the end of each run to average.
        level: Confidence level of the intervals.

    Returns:
        Path of the HTML file, ``out_dir/report_<lang>.html``. Beside it: ``runs.csv``,
        ``summary.csv``, ``paired.csv``, ``by_city.csv`` (if ``regional`` is given),
        ``targets.csv`` and ``report_manifest.json`` (the results folder's own
        ``manifest.json`` is left alone).

    Raises:
        ValueError: For a bad ``lang``, a manifest with missing keys, a malformed run frame,
            or scenarios / baseline that disagree between ``runs`` and the manifest.
    """
    check_lang(lang)
    check_manifest(manifest)
    check_runs(runs)
    if manifest["baseline"] != baseline:
        raise ValueError(
            f"baseline: {baseline!r} differs from manifest['baseline'] {manifest['baseline']!r}"
        )
    in_runs = set(runs["scenario"].unique())
    listed = [str(n) for n in manifest["scenarios"]]  # type: ignore[union-attr]
    if in_runs != set(listed):
        raise ValueError(
            f"manifest['scenarios']: {sorted(listed)} differ from the scenarios in runs "
            f"({sorted(in_runs)})"
        )
    names = scenario_order(listed, first=[baseline, *listed])
    summary = summarize(runs, last_months=last_months, level=level)
    paired = paired_differences(runs, baseline, last_months=last_months, level=level)
    by_city = (
        city_summary(regional, last_months=last_months, level=level)
        if regional is not None and len(regional)
        else None
    )
    targets = target_checks(summary, paired, baseline, names)

    figures_lang = lang if lang == "en" or use_cjk_fonts() else "en"
    figures = {
        "fig-indices": figure_png(fig_indices(summary, figures_lang, names)),
        "fig-paired": figure_png(
            fig_paired(paired, figures_lang, scenarios=names, baseline=baseline)
        ),
        "fig-trajectories": figure_png(
            fig_trajectories(runs, figures_lang, scenarios=names, level=level)
        ),
    }
    if by_city is not None:
        figures["fig-by-city"] = figure_png(
            fig_by_city(by_city, figures_lang, scenarios=names, last_months=last_months)
        )

    page = _html_page(
        lang,
        manifest,
        names,
        baseline,
        last_months,
        level,
        summary,
        paired,
        by_city,
        targets,
        figures,
        figures_lang,
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    runs.to_csv(out / "runs.csv", index=False)
    summary.to_csv(out / "summary.csv", index=False)
    paired.to_csv(out / "paired.csv", index=False)
    targets.to_csv(out / "targets.csv", index=False)
    if by_city is not None:
        by_city.to_csv(out / "by_city.csv", index=False)
    else:  # do not leave another report's results beside this one
        (out / "by_city.csv").unlink(missing_ok=True)
    (out / "report_manifest.json").write_text(
        json.dumps(dict(manifest), ensure_ascii=False, indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    path = out / f"report_{lang}.html"
    path.write_text(embed_web_font(page), encoding="utf-8")
    return path
