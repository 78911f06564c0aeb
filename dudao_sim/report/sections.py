"""The sections of the HTML report: tables, notes and figures, one function per section.

Every section function takes the report's :class:`ReportInputs` (what :func:`write_report
<dudao_sim.report.html.write_report>` computed) and returns the ``<section>`` HTML. Every
number sits in an element carrying ``data-value``, ``data-field``, ``data-metric`` and
``data-scenario`` (and ``data-code`` by 市州) so the page can be checked against the CSVs. Text
comes from table ``report`` of the text catalogue (:mod:`dudao_sim.i18n`).
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from dudao_sim.i18n import text
from dudao_sim.metrics.reporters import REGIONAL_RATIOS
from dudao_sim.report.figures import INDICES, KEY_OUTCOMES
from dudao_sim.report.labels import (
    format_value,
    metric_better,
    metric_definition,
    metric_label,
    scenario_base,
    scenario_description,
    scenario_label,
)
from dudao_sim.report.targets import TARGETS, status_label

#: Table of the text catalogue holding the page's text (:meth:`ReportInputs.t`).
TEXT_TABLE = "report"


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report page shows, computed once by ``write_report``.

    Attributes:
        lang: Page language, ``"zh"`` or ``"en"``.
        manifest: The report manifest (see ``check_manifest``).
        names: Scenarios in display order, the baseline first.
        baseline: The baseline scenario.
        last_months: Months averaged at the end of each run.
        level: Confidence level of the intervals.
        summary: Output of ``summarize``.
        paired: Output of ``paired_differences``.
        by_city: Output of ``by_region_summary`` (``None`` without results by 市州).
        targets: Output of ``target_checks``.
        figures: PNG bytes by figure id.
        figures_lang: Language of the figures' labels (English without a CJK font).
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

    @cached_property
    def labels(self) -> dict[str, str]:
        """Scenario labels in the page language."""
        return {n: scenario_label(n, self.lang) for n in self.names}

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

    def t(self, key: str, **values: object) -> str:
        """Text ``report.<key>`` in the page language."""
        return text(f"{TEXT_TABLE}.{key}", self.lang, **values)


# ---- HTML pieces ---------------------------------------------------------------------------
def esc(value: object) -> str:
    """HTML-escaped text (quotes too)."""
    return html.escape(str(value), quote=True)


def data_value(value: object) -> str:
    """Full-precision text of a number for ``data-value`` (``nan`` when missing)."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "nan"
    return repr(x) if math.isfinite(x) else "nan"


def number(
    value: object,
    metric: str,
    lang: str,
    field: str,
    scenario: str | None = None,
    diff: bool = False,
    unit: bool = True,
    **attrs: str,
) -> str:
    """A formatted number in a ``<span>`` carrying its full value and what it is."""
    extra = {"scenario": scenario, **attrs} if scenario is not None else dict(attrs)
    data = "".join(f' data-{k.replace("_", "-")}="{esc(v)}"' for k, v in extra.items())
    shown = format_value(value, metric, lang, diff=diff, unit=unit)  # type: ignore[arg-type]
    return (
        f'<span class="num" data-value="{data_value(value)}" data-field="{field}" '
        f'data-metric="{esc(metric)}"{data}>{esc(shown)}</span>'
    )


def _ci(low: object, high: object, metric: str, lang: str, scenario: str, diff: bool) -> str:
    lo = number(low, metric, lang, "ci_low", scenario, diff=diff, unit=not diff)
    hi = number(high, metric, lang, "ci_high", scenario, diff=diff, unit=not diff)
    return f'<span class="ci">[{lo}, {hi}]</span>'


def mean_cell(row: pd.Series | None, metric: str, scenario: str, lang: str) -> str:
    """A ``<td>`` with a mean and its interval (``—`` without a row)."""
    if row is None:
        return '<td class="n">—</td>'
    mean = number(row["mean"], metric, lang, "mean", scenario)
    ci = _ci(row["ci_low"], row["ci_high"], metric, lang, scenario, diff=False)
    return f'<td class="n">{mean} {ci}</td>'


def diff_cell(row: pd.Series | None, metric: str, scenario: str, lang: str) -> str:
    """A ``<td>`` with a paired difference, coloured by direction, flagged when noise."""
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
    mean = number(row["diff_mean"], metric, lang, "diff_mean", scenario, diff=True)
    ci = _ci(row["ci_low"], row["ci_high"], metric, lang, scenario, diff=True)
    flag = f'<span class="flag">{esc(status_label("within_noise", lang))}</span>' if noise else ""
    return f'<td class="{cls}" data-within-noise="{str(noise).lower()}">{mean} {ci}{flag}</td>'


def table(table_id: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table; header cells are escaped text, row cells are HTML (``<td>``/``<th>``)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return (
        f'<div class="scroll"><table id="{table_id}">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table></div>"
    )


def figure(fig_id: str, png: bytes, caption: str, alt: str) -> str:
    """A ``<figure>`` with the PNG embedded as base64."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="{fig_id}"><img alt="{esc(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def section(sec_id: str, title: str, body: str) -> str:
    """A ``<section>`` with its ``<h2>`` title."""
    return f'<section id="{sec_id}">\n<h2>{esc(title)}</h2>\n{body}\n</section>'


def note(message: str) -> str:
    """A ``<p class="note">``."""
    return f'<p class="note">{esc(message)}</p>'


def _fig(r: ReportInputs, fig_id: str, cap_key: str, **values: object) -> str:
    cap = r.t(cap_key, **values)
    if r.figures_lang != r.lang:
        cap += r.t("fig-en")
    return figure(fig_id, r.figures[fig_id], cap, cap)


# ---- sections ------------------------------------------------------------------------------
def scenarios_section(r: ReportInputs) -> str:
    """Scenario names, labels, bases and descriptions, with the method note."""
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
        note(method) + "\n" + table("table-scenarios", header, rows),
    )


def indices_section(r: ReportInputs) -> str:
    """The four clause-二十四 indices by scenario, with their figure."""
    rows = [
        [f"<th>{esc(r.labels[n])}</th>"] + [mean_cell(r.srow(n, m), m, n, r.lang) for m in INDICES]
        for n in r.names
    ]
    header = [r.t("scenario")] + [metric_label(m, r.lang) for m in INDICES]
    return section(
        "section-indices",
        r.t("sec-indices"),
        table("table-indices", header, rows) + "\n" + _fig(r, "fig-indices", "cap-indices"),
    )


def outcomes_section(r: ReportInputs) -> str:
    """Key outcomes (rows) by scenario (columns)."""
    rows = [
        [f"<th>{esc(metric_label(m, r.lang))}</th>"]
        + [mean_cell(r.srow(n, m), m, n, r.lang) for n in r.names]
        for m in r.outcomes
    ]
    header = [r.t("metric")] + [r.labels[n] for n in r.names]
    return section("section-outcomes", r.t("sec-outcomes"), table("table-outcomes", header, rows))


def paired_section(r: ReportInputs) -> str:
    """Paired differences from the baseline, with their figure."""
    others = [n for n in r.names if n != r.baseline]
    metrics = [m for m in (*INDICES, *KEY_OUTCOMES) if m in set(r.paired["metric"])]
    rows = [
        [f"<th>{esc(metric_label(m, r.lang))}</th>"]
        + [diff_cell(r.prow(n, m), m, n, r.lang) for n in others]
        for m in metrics
    ]
    base = r.labels[r.baseline]
    header = [r.t("metric")] + [f"{r.labels[n]} − {base}" for n in others]
    return section(
        "section-paired",
        r.t("sec-paired"),
        table("table-paired", header, rows) + "\n" + _fig(r, "fig-paired", "cap-paired"),
    )


def trajectories_section(r: ReportInputs) -> str:
    """The monthly trajectories figure."""
    return section(
        "section-trajectories",
        r.t("sec-trajectories"),
        _fig(r, "fig-trajectories", "cap-trajectories"),
    )


def targets_section(r: ReportInputs) -> str:
    """Each target of :data:`~dudao_sim.report.targets.TARGETS`, checked per scenario."""
    lang = r.lang
    t = r.targets.set_index(["metric", "scenario"])
    rows = []
    for target in TARGETS:
        cells = [f"<th>{esc(target.label(lang))}</th>", f"<td>{esc(target.clause)}</td>"]
        for n in r.names:
            if (target.metric, n) not in t.index:
                cells.append("<td>—</td>")
                continue
            row = t.loc[(target.metric, n)]
            value = number(row["mean"], target.metric, lang, "mean", n)
            if target.rule == "below_baseline" and n != r.baseline:
                diff = number(row["diff_mean"], target.metric, lang, "diff_mean", n, diff=True)
                value += f" ({diff})"
            status = row["status"]
            cells.append(
                f'<td class="n" data-status="{status}">{value} '
                f'<span class="st-{status}">{esc(status_label(status, lang))}</span></td>'
            )
        rows.append(cells)
    header = [r.t("target"), r.t("clause")] + [r.labels[n] for n in r.names]
    return section(
        "section-targets",
        r.t("sec-targets"),
        note(r.t("targets-note")) + "\n" + table("table-targets", header, rows),
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
    header = [r.t("scenario"), r.t("cost"), r.t("diff_vs"), r.t("days"), r.t("diff_vs")]
    return section(
        "section-costs",
        r.t("sec-costs"),
        note(r.t("costs-note")) + "\n" + table("table-costs", header, rows),
    )


def by_city_section(r: ReportInputs) -> str:
    """Regional ratios by 市州 and scenario, with their figure (a note without them)."""
    by_city = r.by_city
    if by_city is None or by_city.empty:
        return section("section-by-city", r.t("sec-by-city"), note(r.t("no-regional")))
    c = by_city.astype({"code": str}).set_index(["code", "scenario", "metric"])["mean"]
    cities = (
        by_city[["code", "name"]].astype({"code": str}).drop_duplicates("code").sort_values("code")
    )
    regional = [m for m in REGIONAL_RATIOS if m in set(by_city["metric"])]
    rows = []
    for code, city in cities.itertuples(index=False):
        for n in r.names:
            cells = [f"<th>{esc(city)}</th>", f"<td>{esc(r.labels[n])}</td>"]
            for m in regional:
                value = c.get((code, n, m), math.nan)
                cells.append(f'<td class="n">{number(value, m, r.lang, "mean", n, code=code)}</td>')
            rows.append(cells)
    header = [r.t("city"), r.t("scenario")] + [metric_label(m, r.lang) for m in regional]
    body = (
        note(r.t("by-city-note", n=r.last_months))
        + "\n"
        + table("table-by-city", header, rows)
        + "\n"
        + _fig(r, "fig-by-city", "cap-by-city", n=r.last_months)
    )
    return section("section-by-city", r.t("sec-by-city"), body)


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
            f"<td>{esc(metric_definition(m, r.lang))}</td>",
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
        ("m-baseline", m["baseline"]),
        ("m-last", r.last_months),
    ]
    items = "".join(f"<dt>{esc(r.t(k))}</dt><dd>{esc(v)}</dd>" for k, v in meta)
    return (
        f'<footer id="footer"><h2>{esc(r.t("footer"))}</h2><dl id="manifest">{items}</dl></footer>'
    )


#: The page's sections, in order.
SECTIONS: tuple[Callable[[ReportInputs], str], ...] = (
    scenarios_section,
    indices_section,
    outcomes_section,
    paired_section,
    trajectories_section,
    targets_section,
    costs_section,
    by_city_section,
    synthesized_section,
    definitions_section,
)
