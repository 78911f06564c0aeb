"""The targets of the opinions the report checks, and the check itself.

Each :class:`Target` names a metric, a rule and its bound (the bounds are the numeric targets
of :mod:`dudao_sim.policy.targets`); its wording is in table ``target`` of the text catalogue
(:mod:`dudao_sim.i18n`). :func:`target_checks` judges every scenario against every target.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dudao_sim.i18n import text
from dudao_sim.policy.targets import (
    BADGED_COVERAGE,
    END_OF_TERM_REVIEW,
    FULL_TIME_BAND,
    SCHOOLS_PER_INSPECTOR,
)

_EPS = 1e-9

#: Results of a check, in the order of :func:`target_checks`' docstring.
STATUSES: tuple[str, ...] = (
    "met",
    "not_met",
    "lower",
    "higher",
    "within_noise",
    "baseline",
    "no_data",
)


@dataclass(frozen=True)
class Target:
    """A target of the opinions checked per scenario.

    Attributes:
        metric: Metric checked.
        rule: ``le`` (mean ≤ bound), ``ge`` (mean ≥ bound), ``band`` (low ≤ mean ≤ high) or
            ``below_baseline`` (paired difference from the baseline below 0).
        bound: The bound(s) (``None`` for ``below_baseline``).
        clause: Clause of the opinions.
    """

    metric: str
    rule: str
    bound: float | tuple[float, float] | None
    clause: str

    def label(self, lang: str = "en") -> str:
        """The target's wording in ``lang`` (text ``target.<metric>``)."""
        return text(f"target.{self.metric}", lang)


#: Targets of the opinions checked in the report.
TARGETS: tuple[Target, ...] = (
    Target("inspectorate_schools_per_inspector", "le", SCHOOLS_PER_INSPECTOR, "十七"),
    Target("inspectorate_counties_meeting_ratio", "ge", 1.0, "十七"),
    Target("inspectorate_full_time_share", "band", FULL_TIME_BAND, "十七"),
    Target("inspectorate_counties_full_time_in_band", "ge", 1.0, "十七"),
    Target("coverage_assigned", "ge", BADGED_COVERAGE, "六"),
    Target("coverage_visited", "ge", BADGED_COVERAGE, "六"),
    Target("end_of_term_review_share", "ge", END_OF_TERM_REVIEW, "六"),
    Target("visits_per_school_year", "below_baseline", None, "八"),
    Target("teacher_hours_per_school_year", "below_baseline", None, "八"),
    Target("duplicate_share", "below_baseline", None, "八"),
)


def status_label(status: str, lang: str = "en") -> str:
    """The shown text of a check's status, e.g. ``"✓ met"`` (text ``status.<status>``)."""
    return text(f"status.{status}", lang)


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
