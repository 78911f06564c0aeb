"""Key findings in plain words, from the catalogue's directions and the paired intervals.

Each metric of :data:`FINDING_METRICS` is put in one of four bins by its paired difference
(edited policy − a baseline, seed by seed, 95 % interval):

- ``noise``: the interval contains 0 (or too few seeds);
- ``costs``: a burden or cost metric (catalogue kind ``burden`` / ``cost``) that rose;
- ``improves``: moved the way the catalogue calls better (or a burden or cost that fell);
- ``worse``: moved the other way.

Other metrics the catalogue calls ``neutral`` are left out.

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
from dataclasses import dataclass

import pandas as pd

from dudao_sim.dashboard.texts import text
from dudao_sim.metrics.catalogue import CATALOGUE, metric

#: Outcomes the findings panel speaks about, in order of importance.
FINDING_METRICS: tuple[str, ...] = (
    "flow_detection",
    "fake_share",
    "dressing_mean",
    "rectified_in_time",
    "rebound_rate",
    "report_distortion",
    "quality_mean",
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

_COST_KINDS = ("burden", "cost")


@dataclass(frozen=True)
class Finding:
    """One metric's paired difference and what it means.

    Attributes:
        metric: Catalogue name.
        bin: ``improves``, ``costs``, ``worse`` or ``noise``.
        diff: Mean paired difference.
        ci_low: Lower end of the 95 % interval.
        ci_high: Upper end of the 95 % interval.
    """

    metric: str
    bin: str
    diff: float
    ci_low: float
    ci_high: float

    def sentence(self, lang: str = "en") -> str:
        """E.g. ``Detection rate +4.2 pp (95 % interval +1.0 to +7.4 pp)``."""
        m = metric(self.metric)
        d = m.display(lang)
        value = _minus(d.format(self.diff, diff=True))
        if pd.isna(self.ci_low) or pd.isna(self.ci_high):
            return f"{m.label(lang)} {value}"
        low = _minus(d.format(self.ci_low, diff=True, unit=False))
        high = _minus(d.format(self.ci_high, diff=True))
        if lang == "zh":
            return f"{m.label(lang)} {value}（95% 区间 {low} 至 {high}）"
        return f"{m.label(lang)} {value} (95 % interval {low} to {high})"


def _minus(s: str) -> str:
    return s.replace("-", "−")


def classify(name: str, diff: float, within_noise: bool) -> str:
    """The bin of one metric's paired difference (see the module docstring)."""
    m = metric(name)
    if within_noise or pd.isna(diff) or diff == 0:
        return "noise"
    if m.kind in _COST_KINDS:
        return "costs" if diff > 0 else "improves"
    return "improves" if diff * m.better > 0 else "worse"


def key_findings(paired: pd.DataFrame, metrics: tuple[str, ...] = FINDING_METRICS) -> list[Finding]:
    """Findings for the metrics of ``metrics`` found in ``paired``.

    Args:
        paired: Paired differences of one scenario against a baseline (columns ``metric``,
            ``diff_mean``, ``ci_low``, ``ci_high``, ``within_noise``).
        metrics: Metrics to consider, in order; ``neutral`` ones are skipped.

    Returns:
        One :class:`Finding` per metric present, in the order of ``metrics``.
    """
    rows = paired.set_index("metric")
    out = []
    for name in metrics:
        if name not in rows.index or name not in CATALOGUE:
            continue
        if metric(name).direction == "neutral" and metric(name).kind not in _COST_KINDS:
            continue
        r = rows.loc[name]
        out.append(
            Finding(
                name,
                classify(name, float(r["diff_mean"]), bool(r["within_noise"])),
                float(r["diff_mean"]),
                float(r["ci_low"]),
                float(r["ci_high"]),
            )
        )
    return out


def findings_html(findings: list[Finding], baseline_label: str, lang: str = "en") -> str:
    """The findings against one baseline as an HTML block in plain words.

    Args:
        findings: Output of :func:`key_findings`.
        baseline_label: The baseline's label in ``lang``.
        lang: ``"zh"`` or ``"en"``.

    Returns:
        An HTML fragment: a heading and one line per bin.
    """
    parts = [f"<h4>{html.escape(text('versus', lang, base=baseline_label))}</h4><ul>"]
    for b in BINS:
        items = [f for f in findings if f.bin == b]
        if b == "noise":
            body = "、".join if lang == "zh" else ", ".join
            listed = body(html.escape(metric(f.metric).label(lang)) for f in items)
        else:
            sep = "；" if lang == "zh" else "; "
            listed = sep.join(
                f'<span data-finding="{f.metric}">{html.escape(f.sentence(lang))}</span>'
                for f in items
            )
        colon = "：" if lang == "zh" else ": "
        parts.append(
            f'<li class="dd-{b}"><b>{html.escape(text(b, lang))}</b>{colon}'
            f"{listed or html.escape(text('nothing', lang))}</li>"
        )
    parts.append("</ul>")
    return "".join(parts)
