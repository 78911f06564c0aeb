"""The targets of the opinions the report checks, and the check itself.

Each :class:`Target` names a metric, a rule and its bound (the bounds are the numeric targets
of :mod:`dudao_sim.policy.targets`); its wording is in table ``target`` of the text catalogue
(:mod:`dudao_sim.i18n`). :func:`target_checks` judges every scenario against every target;
:func:`unmet_targets` finds the targets no scenario meets and :func:`target_reason` says why,
in the model's terms: the text is in table ``report.why`` of the text catalogue, filled with
the assumption and lever values the model runs with (:func:`reason_values`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from dudao_sim.i18n import text
from dudao_sim.policy.assumptions import ASSUMPTIONS
from dudao_sim.policy.levers import LeverValue, check_levers
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


#: Statuses that count as a target reached (``lower``: a burden check below the baseline).
REACHED: tuple[str, ...] = ("met", "lower")
#: Statuses that say nothing about reaching a target.
UNJUDGED: tuple[str, ...] = ("baseline", "no_data")
#: Largest county inspectorate for which :func:`reason_values` lists the sizes that cannot
#: reach the full-time band.
BAND_SIZES = 12


def unmet_targets(targets: pd.DataFrame, scenarios: Sequence[str]) -> list[Target]:
    """Targets of :data:`TARGETS` that no scenario of ``scenarios`` reaches.

    Args:
        targets: Output of :func:`target_checks`.
        scenarios: Scenarios to consider.

    Returns:
        Targets judged for at least one scenario and reached (``met`` / ``lower``) by none,
        in the order of :data:`TARGETS`.
    """
    t = targets[targets["scenario"].isin(list(scenarios))]
    out = []
    for target in TARGETS:
        statuses = set(t.loc[t["metric"] == target.metric, "status"])
        judged = statuses - set(UNJUDGED)
        if judged and not judged & set(REACHED):
            out.append(target)
    return out


def _pct(x: float) -> str:
    return f"{100 * float(x):.3g}%"


def _num(x: float) -> str:
    return f"{float(x):.3g}"


def sizes_outside_band(
    band: tuple[float, float] = FULL_TIME_BAND, largest: int = BAND_SIZES
) -> list[int]:
    """Inspectorate sizes up to ``largest`` for which no full-time count lies in ``band``.

    Example:
        >>> sizes_outside_band((0.3, 1 / 3), 11)
        [1, 2, 4, 5, 7, 8, 11]
    """
    low, high = band
    return [
        n
        for n in range(1, largest + 1)
        if not any(low - _EPS <= k / n <= high + _EPS for k in range(n + 1))
    ]


def reason_values(
    baseline: str,
    main: str | None,
    lang: str = "en",
    overrides: Mapping[str, object] | None = None,
) -> dict[str, str]:
    """The values the reasons of :func:`target_reason` quote, as text.

    Assumption values are the defaults of ``policy/assumptions``; lever values those of the
    baseline and of the main scenario (``reform_2021`` where present), resolved from the
    scenario files (the levers' pre-reform defaults for a name that cannot be resolved).

    Args:
        baseline: The baseline scenario.
        main: The main reform scenario (``None``: the baseline's values).
        lang: Language of the worded values (the visit cap).
        overrides: Lever values set on top of every scenario.

    Returns:
        ``{placeholder: text}`` for every field of the ``report.why`` texts.
    """
    from dudao_sim.report.levers import scenario_levers

    a = {name: x.value for name, x in ASSUMPTIONS.items()}
    base: dict[str, LeverValue] = scenario_levers(baseline, overrides) or check_levers(
        overrides or {}
    )
    reform: dict[str, LeverValue] = (scenario_levers(main, overrides) if main else None) or base
    cap = int(reform["visit_cap_per_year"])  # type: ignore[arg-type]
    return {
        "buffer": _pct(a["recruitment_buffer"]),
        "gap": _pct(a["gap_closed_base"]),
        "posts": _num(a["full_time_posts_per_year"]),
        "pool": _num(100 * a["candidate_pool_share"]),
        "attrition_part": _pct(a["attrition_part_time"]),
        "attrition_full": _pct(a["attrition_full_time"]),
        "sizes": ", ".join(map(str, sizes_outside_band())),
        "hours_part": _num(a["field_hours_part_time"]),
        "hours_full": _num(a["field_hours_full_time"]),
        "hours_visit": _num(a["visit_hours_on_site"]),
        "p_max": _pct(a["p_detect_max"]),
        "p_on_site": _pct(a["p_detect_on_site"]),
        "hours_on_site": _num(a["teacher_hours_on_site"]),
        "hours_online": _num(a["teacher_hours_online"]),
        "hours_prep": _num(a["teacher_hours_preparation"]),
        "zone_base": _num(base["zone_visits_per_year"]),  # type: ignore[arg-type]
        "zone_main": _num(reform["zone_visits_per_year"]),  # type: ignore[arg-type]
        "recheck_main": _pct(reform["recheck_share"]),  # type: ignore[arg-type]
        "spot_base": _pct(base["provincial_spot_check_share"]),  # type: ignore[arg-type]
        "spot_main": _pct(reform["provincial_spot_check_share"]),  # type: ignore[arg-type]
        "cap": text("report.why.cap", lang, n=cap) if cap > 0 else text("report.why.no-cap", lang),
    }


def target_reason(target: Target, lang: str, values: dict[str, str]) -> str:
    """Why the model does not reach ``target``: text ``report.why.<metric>`` filled in.

    Args:
        target: A target of :data:`TARGETS`.
        lang: ``"zh"`` or ``"en"``.
        values: Output of :func:`reason_values` (in ``lang``).

    Returns:
        The reason in plain words.
    """
    return text(f"report.why.{target.metric}", lang, **values)
