"""The sections of the HTML report after its first page: tables and figures, one function each.

Every section function takes the report's :class:`ReportInputs` (what :func:`write_report
<dudao_sim.report.html.write_report>` computed) and returns the ``<section>`` HTML, built
from the pieces of :mod:`dudao_sim.report.cells` (numbers carrying their data, units, tables
split by metric group to fit a 1,200-pixel page). The first page — key findings, caveats and
the table of contents — is :mod:`dudao_sim.report.opening`. Text comes from table ``report``
of the text catalogue (:mod:`dudao_sim.i18n`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from dudao_sim.i18n import text
from dudao_sim.metrics.catalogue import CATALOGUE
from dudao_sim.metrics.reporters import REGIONAL_RATIOS
from dudao_sim.report.cells import (
    METRIC_COLUMNS,
    chunks,
    data_value,
    diff_cell,
    diff_class,
    esc,
    figure,
    group_label,
    mean_cell,
    metric_header,
    metric_parts,
    note,
    number,
    part_id,
    section,
    table,
)
from dudao_sim.report.figures import CITY_METRICS, INDICES, KEY_OUTCOMES
from dudao_sim.report.findings import (
    COST_KINDS,
    Finding,
    findings_by_scenario,
)
from dudao_sim.report.labels import (
    DIGITS,
    metric_definition,
    metric_display,
    metric_label,
    metric_unit,
    report_value,
    scenario_base,
    scenario_description,
    scenario_label,
)
from dudao_sim.report.levers import (
    lever_changes,
    lever_value_text,
    scenario_levers,
)
from dudao_sim.report.targets import (
    TARGETS,
    reason_values,
    status_label,
    target_reason,
    unmet_targets,
)

if TYPE_CHECKING:
    from dudao_sim.data.province import Province

#: Table of the text catalogue holding the page's text (:meth:`ReportInputs.t`).
TEXT_TABLE = "report"

#: The metric whose paired difference is the cost of an improvement.
COST_METRIC = "cost_yuan_year"


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report page shows, computed once by ``write_report``.

    Attributes:
        lang: Page language, ``"zh"`` or ``"en"``.
        manifest: The report manifest (see ``check_manifest``).
        names: Scenarios in display order: the baseline, ``reform_2021``, the rest.
        baseline: The baseline scenario.
        last_months: Months averaged at the end of each run.
        level: Confidence level of the intervals.
        summary: Output of ``summarize``.
        paired: Output of ``paired_differences``.
        by_city: Output of ``by_region_summary`` (``None`` without results by 市州).
        targets: Output of ``target_checks``.
        figures: PNG bytes by figure id.
        figures_lang: Language of the figures' labels (English without a CJK font).
        first_year: Calendar year of the first month after the switch.
        main: The scenario of the county view (``reform_2021`` if present), or ``None``.
        by_county: Per-county paired differences of ``main`` against the baseline (columns
            ``code``, ``name``, ``city``, ``metric``, ``diff_mean``, ``ci_low``, ``ci_high``,
            ``within_noise``), or ``None`` without county results.
        province: The province (names and coordinates), or ``None``.
    """

    lang: str
    manifest: Mapping[str, object]
    names: list[str]
    baseline: str
    last_months: int
    level: float
    summary: pd.DataFrame
    paired: pd.DataFrame
    by_city: pd.DataFrame | None
    targets: pd.DataFrame
    figures: Mapping[str, bytes] = field(default_factory=dict)
    figures_lang: str = "en"
    first_year: int = 2021
    main: str | None = None
    by_county: pd.DataFrame | None = None
    province: Province | None = None

    @property
    def lever_overrides(self) -> Mapping[str, object]:
        """Lever values set on top of every scenario (the manifest's optional ``levers``)."""
        return self.manifest.get("levers") or {}  # type: ignore[return-value]

    @cached_property
    def labels(self) -> dict[str, str]:
        """Scenario labels in the page language."""
        return {n: scenario_label(n, self.lang) for n in self.names}

    @property
    def others(self) -> list[str]:
        """Scenarios other than the baseline, in display order."""
        return [n for n in self.names if n != self.baseline]

    @cached_property
    def _summary_rows(self) -> pd.DataFrame:
        return self.summary.set_index(["scenario", "metric"])

    @cached_property
    def _paired_rows(self) -> pd.DataFrame:
        return self.paired.set_index(["scenario", "metric"])

    def srow(self, name: str, metric: str) -> pd.Series | None:
        """The summary row of a scenario and metric (``None`` if absent)."""
        s = self._summary_rows
        return s.loc[(name, metric)] if (name, metric) in s.index else None

    def prow(self, name: str, metric: str) -> pd.Series | None:
        """The paired-difference row of a scenario and metric (``None`` if absent)."""
        p = self._paired_rows
        return p.loc[(name, metric)] if (name, metric) in p.index else None

    @property
    def outcomes(self) -> list[str]:
        """Key outcomes present in the summary."""
        present = set(self.summary["metric"])
        return [m for m in KEY_OUTCOMES if m in present]

    @cached_property
    def findings(self) -> dict[str, list[Finding]]:
        """Key findings of each scenario against the baseline, in display order."""
        return findings_by_scenario(self.paired, self.others, level=self.level)

    def t(self, key: str, **values: object) -> str:
        """Text ``report.<key>`` in the page language."""
        return text(f"{TEXT_TABLE}.{key}", self.lang, **values)


def _fig(r: ReportInputs, fig_id: str, cap_key: str, **values: object) -> str:
    if fig_id not in r.figures:
        return ""
    cap = r.t(cap_key, **values)
    if r.figures_lang != r.lang:
        cap += r.t("fig-en")
    return figure(fig_id, r.figures[fig_id], cap, cap)


# ---- cost per unit of improvement ------------------------------------------------------------
def cost_per_unit(r: ReportInputs, name: str, metric: str) -> str:
    """What an improvement of ``metric`` in scenario ``name`` costs a year, as a short note.

    Shown for an outcome that improved (its interval excludes 0, the catalogue's better
    direction; not a burden or cost itself): the paired cost difference divided by the
    improvement, per step of the outcome's display unit (1 pp for shares, 0.01 SD …), or
    "no extra cost detectable" / "at lower cost" when the cost difference is within noise or
    negative. ``""`` otherwise.
    """
    row, cost = r.prow(name, metric), r.prow(name, COST_METRIC)
    spec = CATALOGUE.get(metric)
    if row is None or cost is None or spec is None or spec.kind in COST_KINDS:
        return ""
    if diff_class(row, metric) != "good":
        return ""
    attrs = f'class="cpu" data-metric="{esc(metric)}" data-scenario="{esc(name)}"'
    if bool(cost["within_noise"]):
        return f'<span {attrs} data-kind="no_extra_cost">{esc(r.t("cpu-free"))}</span>'
    if cost["diff_mean"] < 0:
        return f'<span {attrs} data-kind="saves">{esc(r.t("cpu-saves"))}</span>'
    shown = metric_display(metric, r.lang, human=True)
    gain = abs(float(row["diff_mean"])) * shown.scale  # in display units
    step = 1.0 if shown.axis == "percent" else 10.0 ** math.floor(math.log10(gain))
    per_step = float(cost["diff_mean"]) / (gain / step)
    step_text = f"{step:g}{shown.diff_suffix}"
    value = report_value(per_step, COST_METRIC, r.lang)
    return (
        f'<span {attrs} data-kind="ratio" data-value="{data_value(per_step)}" '
        f'data-step="{step:g}">{esc(r.t("cpu", cost=value, step=step_text))}</span>'
    )


# ---- sections ------------------------------------------------------------------------------
def scenarios_section(r: ReportInputs) -> str:
    """Scenario names, labels, bases and descriptions, the lever values behind each, the method."""
    lang, sc_label = r.lang, r.labels
    rows = []
    for n in r.names:
        base_name = scenario_base(n)
        mark = f" ({status_label('baseline', lang)})" if n == r.baseline else ""
        rows.append(
            [
                f"<td><code>{esc(n)}</code></td>",
                f"<td>{esc(sc_label[n] + mark)}</td>",
                f"<td>{esc(scenario_label(base_name, lang) if base_name else '—')}</td>",
                f"<td>{esc(scenario_description(n, lang) or '—')}</td>",
            ]
        )
    header = [r.t(k) for k in ("name", "label", "base", "description")]
    method = r.t(
        "method",
        n=r.last_months,
        k=len(r.manifest["seeds"]),  # type: ignore[arg-type]
        level=f"{100 * r.level:g}",
        base=sc_label.get(r.baseline, r.baseline),
    )
    return section(
        "section-scenarios",
        r.t("sec-scenarios"),
        note(method) + "\n" + table("table-scenarios", header, rows) + "\n" + levers_html(r),
    )


def _lever_cell(name: str, value: object, lang: str, field: str, scenario: str) -> str:
    return (
        f'<td class="n" data-lever="{esc(name)}" data-scenario="{esc(scenario)}" '
        f'data-field="{field}">{esc(lever_value_text(name, value, lang))}</td>'  # type: ignore[arg-type]
    )


def levers_html(r: ReportInputs) -> str:
    """The lever values behind the scenarios.

    The main reform against the baseline, then what each other scenario changes from the main
    reform (with the baseline's value beside).
    """
    from dudao_sim.policy.levers import LEVERS

    lang, labels = r.lang, r.labels
    if r.main is None:
        return note(r.t("levers-none"))
    base_values = scenario_levers(r.baseline, r.lever_overrides) or {}
    main_rows = [
        [
            f"<td>{esc(LEVERS[row.lever].label(lang))}</td>",
            f"<td>{esc(row.clauses)}</td>",
            _lever_cell(row.lever, row.reference_value, lang, "baseline_value", r.baseline),
            _lever_cell(row.lever, row.value, lang, "value", row.scenario),
        ]
        for row in lever_changes([r.main], r.baseline, r.lever_overrides).itertuples(index=False)
    ]
    out = [f"<h3>{esc(r.t('levers-title', scenario=labels[r.main], base=labels[r.baseline]))}</h3>"]
    header = [r.t("lever"), r.t("clause"), labels[r.baseline], labels[r.main]]
    out.append(table("table-levers", header, main_rows) if main_rows else note(r.t("levers-none")))
    others = [n for n in r.others if n != r.main]
    changes = lever_changes(others, r.main, r.lever_overrides)
    rows = []
    for name, part in changes.groupby("scenario", sort=False):
        for i, row in enumerate(part.itertuples(index=False)):
            cells = [f'<th rowspan="{len(part)}">{esc(labels[name])}</th>'] if i == 0 else []
            cells += [
                f"<td>{esc(LEVERS[row.lever].label(lang))}</td>",
                f"<td>{esc(row.clauses)}</td>",
                _lever_cell(
                    row.lever, base_values.get(row.lever, "—"), lang, "baseline_value", r.baseline
                )
                if row.lever in base_values
                else "<td>—</td>",
                _lever_cell(row.lever, row.reference_value, lang, "reference_value", r.main),
                _lever_cell(row.lever, row.value, lang, "value", name),
            ]
            rows.append(cells)
    if rows:
        out.append(f"<h3>{esc(r.t('levers-others', scenario=labels[r.main]))}</h3>")
        header = [
            r.t("scenario"),
            r.t("lever"),
            r.t("clause"),
            labels[r.baseline],
            labels[r.main],
            r.t("value"),
        ]
        out.append(table("table-levers-2", header, rows))
    return "\n".join(out)


def indices_section(r: ReportInputs) -> str:
    """The four clause-二十四 indices by scenario, with their figure."""
    rows = [
        [f"<th>{esc(r.labels[n])}</th>"] + [mean_cell(r.srow(n, m), m, n, r.lang) for m in INDICES]
        for n in r.names
    ]
    header = [r.t("scenario")] + [metric_header(m, r.lang) for m in INDICES]
    return section(
        "section-indices",
        r.t("sec-indices"),
        table("table-indices", header, rows) + "\n" + _fig(r, "fig-indices", "cap-indices"),
    )


def _group_tables(
    r: ReportInputs,
    base_id: str,
    metrics: Sequence[str],
    names: Sequence[str],
    cell: Callable[[str, str], str],
    diff: bool,
) -> str:
    """One table per metric group (and chunk): scenarios as rows, metrics as columns."""
    out = []
    previous = None
    for i, (group, ms) in enumerate(metric_parts(metrics)):
        rows = [[f"<th>{esc(r.labels[n])}</th>"] + [cell(n, m) for m in ms] for n in names]
        header = [r.t("scenario")] + [metric_header(m, r.lang, diff=diff) for m in ms]
        title = group_label(group, r.lang)
        if group == previous:
            title = r.t("continued", title=title)
        previous = group
        out.append(
            f"<h3>{esc(title)}</h3>\n" + table(part_id(base_id, i), header, rows, group=group)
        )
    return "\n".join(out)


def outcomes_section(r: ReportInputs) -> str:
    """Key outcomes by scenario, one table per metric group."""
    body = _group_tables(
        r,
        "table-outcomes",
        r.outcomes,
        r.names,
        lambda n, m: mean_cell(r.srow(n, m), m, n, r.lang),
        diff=False,
    )
    return section(
        "section-outcomes", r.t("sec-outcomes"), note(r.t("outcomes-note")) + "\n" + body
    )


def paired_section(r: ReportInputs) -> str:
    """Paired differences from the baseline by metric group, each improvement with its cost."""
    metrics = [m for m in (*INDICES, *KEY_OUTCOMES) if m in set(r.paired["metric"])]
    body = _group_tables(
        r,
        "table-paired",
        metrics,
        r.others,
        lambda n, m: diff_cell(r.prow(n, m), m, n, r.lang, cost_per_unit(r, n, m)),
        diff=True,
    )
    intro = r.t("paired-note", base=r.labels[r.baseline])
    return section(
        "section-paired",
        r.t("sec-paired"),
        note(intro) + "\n" + body + "\n" + _fig(r, "fig-paired", "cap-paired"),
    )


def trajectories_section(r: ReportInputs) -> str:
    """The monthly trajectories figure (calendar years)."""
    return section(
        "section-trajectories",
        r.t("sec-trajectories"),
        _fig(r, "fig-trajectories", "cap-trajectories", year=r.first_year),
    )


def _target_cell(r: ReportInputs, t: pd.DataFrame, metric: str, rule: str, n: str) -> str:
    if (metric, n) not in t.index:
        return "<td>—</td>"
    row = t.loc[(metric, n)]
    value = number(row["mean"], metric, r.lang, "mean", n)
    if rule == "below_baseline" and n != r.baseline:
        diff = number(row["diff_mean"], metric, r.lang, "diff_mean", n, diff=True)
        value += f"<br>({diff})"
    status = row["status"]
    return (
        f'<td class="n" data-status="{status}">{value}<br>'
        f'<span class="st-{status}">{esc(status_label(status, r.lang))}</span></td>'
    )


def targets_section(r: ReportInputs) -> str:
    """Each target checked per scenario (grouped by clause), then why unmet targets are unmet."""
    lang = r.lang
    t = r.targets.set_index(["metric", "scenario"])
    clauses = list(dict.fromkeys(target.clause for target in TARGETS))
    parts = []
    index = 0
    for clause in clauses:
        group = [x for x in TARGETS if x.clause == clause]
        for start in range(0, len(group), METRIC_COLUMNS):
            chunk = group[start : start + METRIC_COLUMNS]
            rows = [
                [f"<th>{esc(r.labels[n])}</th>"]
                + [_target_cell(r, t, x.metric, x.rule, n) for x in chunk]
                for n in r.names
            ]
            header = [r.t("scenario")] + [x.label(lang) for x in chunk]
            parts.append(
                f"<h3>{esc(r.t('targets-clause', clause=clause))}</h3>\n"
                + table(part_id("table-targets", index), header, rows, clause=clause)
            )
            index += 1
    unmet = unmet_targets(r.targets, r.names)
    values = reason_values(r.baseline, r.main, lang, r.lever_overrides)
    if unmet:
        reasons = "".join(
            f'<li data-target="{esc(x.metric)}"><b>{esc(x.label(lang))}</b>'
            f"{'：' if lang == 'zh' else ': '}{esc(target_reason(x, lang, values))}</li>"
            for x in unmet
        )
        parts.append(
            f'<h3 id="unmet">{esc(r.t("unmet-title"))}</h3>\n<ul id="unmet-targets">{reasons}</ul>'
        )
    return section(
        "section-targets",
        r.t("sec-targets"),
        note(r.t("targets-note")) + "\n" + "\n".join(parts),
    )


def costs_section(r: ReportInputs) -> str:
    """Cost and inspector-days by scenario, with the difference from the baseline."""
    rows = []
    for n in r.names:
        cells = [f"<th>{esc(r.labels[n])}</th>"]
        for m in ("cost_yuan_year", "inspector_days_year"):
            cells.append(mean_cell(r.srow(n, m), m, n, r.lang))
            cells.append(
                '<td class="n">—</td>' if n == r.baseline else diff_cell(r.prow(n, m), m, n, r.lang)
            )
        rows.append(cells)
    header = [
        r.t("scenario"),
        metric_header("cost_yuan_year", r.lang),
        r.t("diff_vs"),
        metric_header("inspector_days_year", r.lang),
        r.t("diff_vs"),
    ]
    return section(
        "section-costs",
        r.t("sec-costs"),
        note(r.t("costs-note")) + "\n" + table("table-costs", header, rows),
    )


def by_city_section(r: ReportInputs) -> str:
    """Regional ratios by 市州 and scenario (split by metric group), with their figure."""
    by_city = r.by_city
    if by_city is None or by_city.empty:
        return section("section-by-city", r.t("sec-by-city"), note(r.t("no-regional")))
    c = by_city.astype({"code": str}).set_index(["code", "scenario", "metric"])["mean"]
    cities = (
        by_city[["code", "name"]].astype({"code": str}).drop_duplicates("code").sort_values("code")
    )
    regional = [m for m in REGIONAL_RATIOS if m in set(by_city["metric"])]
    tables = []
    ordered = [m for _, ms in metric_parts(regional, len(regional) or 1) for m in ms]
    for i, ms in enumerate(chunks(ordered)):
        rows = []
        for code, city in cities.itertuples(index=False):
            for j, n in enumerate(r.names):
                cells = [
                    f'<th rowspan="{len(r.names)}">{esc(city)}</th>' if j == 0 else "",
                    f"<td>{esc(r.labels[n])}</td>",
                ]
                for m in ms:
                    value = c.get((code, n, m), math.nan)
                    cells.append(
                        f'<td class="n">{number(value, m, r.lang, "mean", n, code=code)}</td>'
                    )
                rows.append([x for x in cells if x])
        header = [r.t("city"), r.t("scenario")] + [metric_header(m, r.lang) for m in ms]
        tables.append(table(part_id("table-by-city", i), header, rows))
    body = (
        note(r.t("by-city-note", n=r.last_months))
        + "\n"
        + "\n".join(tables)
        + "\n"
        + _fig(r, "fig-by-city", "cap-by-city", n=r.last_months)
    )
    return section("section-by-city", r.t("sec-by-city"), body)


def by_county_section(r: ReportInputs) -> str:
    """Per-county paired differences of the main scenario, a table and a map-like scatter."""
    frame = r.by_county
    if frame is None or frame.empty or r.main is None:
        return section("section-by-county", r.t("sec-by-county"), note(r.t("no-county")))
    metrics = [m for m in CITY_METRICS if m in set(frame["metric"])]
    rows_by = frame.astype({"code": str}).set_index(["code", "metric"])
    counties = (
        frame[["city", "code", "name"]]
        .astype({"code": str})
        .drop_duplicates("code")
        .sort_values(["city", "code"])
    )
    rows = []
    for city, code, name in counties.itertuples(index=False):
        cells = [f"<td>{esc(city)}</td>", f"<th>{esc(name)}</th>"]
        for m in metrics:
            row = rows_by.loc[(code, m)] if (code, m) in rows_by.index else None
            cells.append(diff_cell(row, m, r.main, r.lang, code=code))
        rows.append(cells)
    header = [r.t("city"), r.t("county")] + [metric_header(m, r.lang, diff=True) for m in metrics]
    intro = r.t(
        "by-county-note",
        scenario=r.labels[r.main],
        base=r.labels[r.baseline],
        n=r.last_months,
    )
    body = (
        note(intro)
        + "\n"
        + _fig(r, "fig-county-map", "cap-county-map")
        + "\n"
        + table("table-by-county", header, rows)
    )
    return section("section-by-county", r.t("sec-by-county"), body)


def synthesized_section(r: ReportInputs) -> str:
    """Which input columns are synthesized."""
    synthesized: Mapping[str, Sequence[str]] = r.manifest["synthesized"]  # type: ignore[assignment]
    intro = r.t("synth-intro") if synthesized else r.t("synth-none")
    rows = [
        [f"<td><code>{esc(name)}</code></td>", f"<td>{esc(', '.join(map(str, cols)))}</td>"]
        for name, cols in synthesized.items()
    ]
    body = (
        f"<p>{esc(r.t('province'))}: <strong>{esc(r.manifest['province'])}</strong>. "
        f"{esc(intro)}</p>\n" + table("table-synthesized", [r.t("table"), r.t("columns")], rows)
    )
    return section("section-synthesized", r.t("sec-synthesized"), body)


def definitions_section(r: ReportInputs) -> str:
    """The catalogue's definition of every metric shown."""
    rows = [
        [
            f"<th>{esc(metric_label(m, r.lang))}</th>",
            f"<td><code>{esc(m)}</code></td>",
            f"<td>{esc(metric_definition(m, r.lang))} "
            f'<span class="unit">({esc(metric_unit(m, r.lang) or "—")})</span></td>',
        ]
        for m in (*INDICES, *r.outcomes)
    ]
    header = [r.t("metric"), r.t("name"), r.t("definition")]
    return section(
        "section-definitions", r.t("sec-definitions"), table("table-definitions", header, rows)
    )


def footer(r: ReportInputs) -> str:
    """The footer: the manifest's facts."""
    m = r.manifest
    meta = [
        ("m-province", m["province"]),
        ("m-version", m["version"]),
        ("m-created", m["created"]),
        ("m-scenarios", ", ".join(map(str, m["scenarios"]))),  # type: ignore[call-overload]
        ("m-seeds", ", ".join(map(str, m["seeds"]))),  # type: ignore[call-overload]
        ("m-months", m["months"]),
        ("m-first-year", r.first_year),
        ("m-baseline", m["baseline"]),
        ("m-last", r.last_months),
        ("m-digits", DIGITS),
    ]
    items = "".join(f"<dt>{esc(r.t(k))}</dt><dd>{esc(v)}</dd>" for k, v in meta)
    return (
        f'<footer id="footer"><h2>{esc(r.t("footer"))}</h2><dl id="manifest">{items}</dl></footer>'
    )


#: The page's other sections, in order, after the table of contents.
SECTIONS: tuple[tuple[str, str, Callable[[ReportInputs], str]], ...] = (
    ("section-scenarios", "sec-scenarios", scenarios_section),
    ("section-indices", "sec-indices", indices_section),
    ("section-outcomes", "sec-outcomes", outcomes_section),
    ("section-paired", "sec-paired", paired_section),
    ("section-trajectories", "sec-trajectories", trajectories_section),
    ("section-targets", "sec-targets", targets_section),
    ("section-costs", "sec-costs", costs_section),
    ("section-by-city", "sec-by-city", by_city_section),
    ("section-by-county", "sec-by-county", by_county_section),
    ("section-synthesized", "sec-synthesized", synthesized_section),
    ("section-definitions", "sec-definitions", definitions_section),
)
