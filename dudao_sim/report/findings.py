"""Key findings in plain words, from the catalogue's directions and the paired intervals.

The one place that turns paired differences into findings; the HTML report and the policy
dashboard (:mod:`dudao_sim.dashboard`) both use it. Each metric of :data:`FINDING_METRICS` is
put in one of four bins by its paired difference (a scenario − the baseline, seed by seed,
with its interval from :func:`~dudao_sim.experiments.statistics.paired_differences`):

- ``noise``: the interval contains 0 (or too few seeds);
- ``costs``: a burden or cost metric (catalogue kind ``burden`` / ``cost``) that rose;
- ``improves``: moved the way the catalogue calls better (or a burden or cost that fell);
- ``worse``: moved the other way.

Other metrics the catalogue calls ``neutral`` are left out. Words come from table
``report.findings`` of the text catalogue (:mod:`dudao_sim.i18n`), numbers are formatted by
the metric catalogue (:mod:`dudao_sim.metrics.catalogue`).

Example:
    >>> import pandas as pd
    >>> paired = pd.DataFrame({"metric": ["fake_share"], "diff_mean": [-0.05],
    ...     "ci_low": [-0.07], "ci_high": [-0.03], "within_noise": [False]})
    >>> [f.bin for f in key_findings(paired)]
    ['improves']
    >>> key_findings(paired)[0].sentence("en")
    'Fake rectification share −5.0 pp (95 % interval −7.0 to −3.0 pp)'
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dudao_sim.i18n import text
from dudao_sim.metrics.catalogue import CATALOGUE, metric
from dudao_sim.report.labels import UNITLESS, metric_display, metric_unit, report_interval

#: Table of the text catalogue holding the findings' words.
TEXT_TABLE = "report.findings"

#: Outcomes the findings speak about, in order of importance.
FINDING_METRICS: tuple[str, ...] = (
    "flow_detection",
    "fake_share",
    "dressing_mean",
    "rectified_in_time",
    "rebound_rate",
    "report_distortion",
    "quality_pupils",
    "effort_mean",
    "serious_failings_sanctioned",
    "coverage_visited",
    "index_coverage",
    "index_efficiency",
    "index_authority",
    "index_accountability",
    "visits_per_school_year",
    "teacher_hours_per_school_year",
    "cost_yuan_year",
    "inspector_days_year",
)

#: The four bins, in display order.
BINS: tuple[str, ...] = ("improves", "costs", "worse", "noise")

#: Catalogue kinds whose rise is a cost (burden on schools, money and inspector time).
COST_KINDS: tuple[str, ...] = ("burden", "cost")


def _text(key: str, lang: str, **values: object) -> str:
    return text(f"{TEXT_TABLE}.{key}", lang, **values)


@dataclass(frozen=True)
class Finding:
    """One metric's paired difference and what it means.

    Attributes:
        metric: Catalogue name.
        bin: ``improves``, ``costs``, ``worse`` or ``noise``.
        diff: Mean paired difference.
        ci_low: Lower end of the interval.
        ci_high: Upper end of the interval.
        level: Confidence level of the interval.
    """

    metric: str
    bin: str
    diff: float
    ci_low: float
    ci_high: float
    level: float = 0.95

    def sentence(self, lang: str = "en") -> str:
        """E.g. ``Detection rate +4.2 pp (95 % interval +1.0 to +7.4 pp)``.

        Numbers are in the catalogue's readable form (yuan in 万元), the difference and its
        bounds rounded alike to :data:`~dudao_sim.report.labels.DIGITS` significant digits.
        """
        label = metric(self.metric).label(lang)
        value, bracket = report_interval(
            self.diff, self.ci_low, self.ci_high, self.metric, lang, diff=True
        )
        unit = metric_display(self.metric, lang, human=True).diff_suffix
        if not unit and metric(self.metric).unit not in UNITLESS:
            unit = f" {metric_unit(self.metric, lang, diff=True)}".rstrip()
            value += unit
        if not bracket:
            return f"{label} {value}"
        low, high = bracket[1:-1].split(", ")
        return _text(
            "sentence",
            lang,
            label=label,
            value=value,
            level=f"{100 * self.level:g}",
            low=low,
            high=high + unit,
        )


def classify(name: str, diff: float, within_noise: bool) -> str:
    """The bin of one metric's paired difference (see the module docstring)."""
    m = metric(name)
    if within_noise or pd.isna(diff) or diff == 0:
        return "noise"
    if m.kind in COST_KINDS:
        return "costs" if diff > 0 else "improves"
    return "improves" if diff * m.better > 0 else "worse"


def key_findings(
    paired: pd.DataFrame, metrics: Sequence[str] = FINDING_METRICS, level: float = 0.95
) -> list[Finding]:
    """Findings for the metrics of ``metrics`` found in ``paired``.

    Args:
        paired: Paired differences of one scenario against a baseline (columns ``metric``,
            ``diff_mean``, ``ci_low``, ``ci_high``, ``within_noise``; other columns ignored).
        metrics: Metrics to consider, in order; ``neutral`` ones that are neither a burden
            nor a cost are skipped.
        level: Confidence level of the intervals (for the sentences).

    Returns:
        One :class:`Finding` per metric present, in the order of ``metrics``.
    """
    rows = paired.set_index("metric")
    out = []
    for name in metrics:
        if name not in rows.index or name not in CATALOGUE:
            continue
        if metric(name).direction == "neutral" and metric(name).kind not in COST_KINDS:
            continue
        r = rows.loc[name]
        out.append(
            Finding(
                name,
                classify(name, float(r["diff_mean"]), bool(r["within_noise"])),
                float(r["diff_mean"]),
                float(r["ci_low"]),
                float(r["ci_high"]),
                level,
            )
        )
    return out


def findings_by_scenario(
    paired: pd.DataFrame,
    scenarios: Sequence[str],
    metrics: Sequence[str] = FINDING_METRICS,
    level: float = 0.95,
) -> dict[str, list[Finding]]:
    """:func:`key_findings` for each scenario of a multi-scenario paired frame.

    Args:
        paired: Output of :func:`~dudao_sim.experiments.statistics.paired_differences`
            (column ``scenario`` and the columns :func:`key_findings` reads).
        scenarios: Scenarios to report, in order (those absent from ``paired`` are skipped).
        metrics: Metrics to consider, in order.
        level: Confidence level of the intervals.

    Returns:
        ``{scenario: [Finding, ...]}`` in the order of ``scenarios``.
    """
    present = set(paired["scenario"])
    return {
        name: key_findings(paired[paired["scenario"] == name], metrics, level)
        for name in scenarios
        if name in present
    }


def bin_counts(findings: Sequence[Finding]) -> dict[str, int]:
    """How many findings fall in each bin of :data:`BINS`."""
    return {b: sum(f.bin == b for f in findings) for b in BINS}


def headline(findings: Sequence[Finding], lang: str = "en") -> str:
    """One plain sentence: how many outcomes improve, cost, get worse, stay within noise."""
    return _text("headline", lang, **bin_counts(findings))


def findings_html(
    findings: Sequence[Finding],
    baseline_label: str,
    lang: str = "en",
    title: str | None = None,
    heading: str = "h4",
    one_per_line: bool = False,
    summary: str = "",
) -> str:
    """The findings against one baseline as an HTML block in plain words.

    Args:
        findings: Output of :func:`key_findings`.
        baseline_label: The baseline's label in ``lang``.
        lang: ``"zh"`` or ``"en"``.
        title: Heading text (default: "Against “<baseline>”").
        heading: Heading element.
        one_per_line: List each finding of a bin on its own line (a nested list) rather
            than in one sentence.
        summary: A line shown under the heading (e.g. :func:`headline`).

    Returns:
        An HTML fragment: a heading and one line per bin. Each finding sits in a ``<span>``
        with ``data-finding`` (the metric) and ``data-bin``; each line is an ``<li>`` with
        ``class="dd-<bin>"`` and ``data-bin``.
    """
    title = title if title is not None else _text("versus", lang, base=baseline_label)
    parts = [f"<{heading}>{html.escape(title)}</{heading}>"]
    if summary:
        parts.append(f'<p class="headline">{html.escape(summary)}</p>')
    parts.append("<ul>")
    sep = "；" if lang == "zh" else "; "
    short_sep = "、" if lang == "zh" else ", "
    colon = "：" if lang == "zh" else ": "
    for b in BINS:
        items = [f for f in findings if f.bin == b]
        spans = [
            f'<span data-finding="{html.escape(f.metric)}" data-bin="{b}">'
            + html.escape(metric(f.metric).label(lang) if b == "noise" else f.sentence(lang))
            + "</span>"
            for f in items
        ]
        if one_per_line and b != "noise" and spans:
            listed = "<ul>" + "".join(f"<li>{x}</li>" for x in spans) + "</ul>"
        else:
            listed = (short_sep if b == "noise" else sep).join(spans)
        parts.append(
            f'<li class="dd-{b}" data-bin="{b}"><b>{html.escape(_text(b, lang))}</b>{colon}'
            f"{listed or html.escape(_text('nothing', lang))}</li>"
        )
    parts.append("</ul>")
    return "".join(parts)


__all__ = [
    "BINS",
    "COST_KINDS",
    "FINDING_METRICS",
    "Finding",
    "bin_counts",
    "classify",
    "findings_by_scenario",
    "findings_html",
    "headline",
    "key_findings",
]
