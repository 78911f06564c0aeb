"""What the report, its figures and the dashboard show for a metric or a scenario.

Metric labels, definitions, display formats and directions come from the metric catalogue
(:mod:`dudao_sim.metrics.catalogue`), scenario labels and descriptions from the shipped
scenario files (:mod:`dudao_sim.policy.scenarios`); names outside them are shown as they are.
Interface text is in the text catalogue (:mod:`dudao_sim.i18n`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache

from dudao_sim.i18n import LANGS, check_lang, has_text, text
from dudao_sim.metrics.catalogue import CATALOGUE, Display

_PLAIN = Display()  # a metric outside the catalogue (e.g. a custom reporter): two decimals

#: Significant digits of the numbers in the report's tables and sentences (the readable form).
DIGITS = 3

#: Catalogue units of scores without a unit word in sentences (0–1 indices and propensities).
UNITLESS: tuple[str, ...] = ("index", "score")

#: The scenario shown right after the baseline in every table and legend.
MAIN_REFORM = "reform_2021"


def metric_label(metric: str, lang: str = "en") -> str:
    """The Chinese or English label of a metric from the catalogue (its name if not there)."""
    check_lang(lang)
    spec = CATALOGUE.get(metric)
    return spec.label(lang) if spec else metric


def metric_definition(metric: str, lang: str = "en") -> str:
    """The catalogue's definition of a metric in ``lang`` (``"—"`` if not catalogued)."""
    check_lang(lang)
    spec = CATALOGUE.get(metric)
    return spec.describe(lang) if spec else "—"


def metric_display(metric: str, lang: str = "en", human: bool = False) -> Display:
    """How a metric's values are shown in ``lang`` (scale, decimals, unit; from the catalogue).

    Args:
        metric: Metric name.
        lang: ``"zh"`` or ``"en"``.
        human: The readable form of tables a person reads (yuan in 万元, quality in SD; see
            :meth:`~dudao_sim.metrics.catalogue.Display.human`).
    """
    check_lang(lang)
    spec = CATALOGUE.get(metric)
    shown = spec.display(lang) if spec else _PLAIN
    return shown.human() if human else shown


def metric_unit(metric: str, lang: str = "en", diff: bool = False) -> str:
    """The unit a report table or axis names for a metric, in ``lang``.

    The readable form's suffix from the catalogue (``%``, ``pp`` for a difference of shares,
    ``万元``, ``SD``); for units shown without a suffix (counts, visits per school, indices)
    the unit's name from table ``report.units`` of the text catalogue; ``""`` for a metric
    outside the catalogue.
    """
    shown = metric_display(metric, lang, human=True)
    unit = shown.diff_suffix.strip() if diff else shown.suffix.strip()
    if unit:
        return unit
    spec = CATALOGUE.get(metric)
    if spec is not None and has_text(f"report.units.{spec.unit}"):
        return text(f"report.units.{spec.unit}", lang)
    return ""


def metric_better(metric: str) -> int:
    """+1 if higher is better, -1 if lower is better, 0 if neither (or not catalogued)."""
    spec = CATALOGUE.get(metric)
    return spec.better if spec else 0


def format_value(
    value: float,
    metric: str,
    lang: str = "en",
    diff: bool = False,
    unit: bool = True,
    digits: int | None = None,
    human: bool = False,
) -> str:
    """Format a metric's value (or a difference) for display.

    Args:
        value: The number.
        metric: Metric name (decides the format).
        lang: ``"zh"`` or ``"en"``.
        diff: Format as a signed difference (shares in percentage points).
        unit: Append the display unit (``%`` / ``pp`` for shares).
        digits: At most this many significant digits (``None``: the unit's decimals).
        human: The readable form (yuan in 万元, quality in SD).

    Returns:
        The text; ``"—"`` for a missing value. Scale, decimals and unit come from the
        metric's unit in ``dudao_sim/metrics/catalogue.toml``.
    """
    shown = metric_display(metric, lang, human=human)
    return shown.format(value, diff=diff, unit=unit, digits=digits)


def report_value(
    value: float, metric: str, lang: str = "en", diff: bool = False, unit: bool = True
) -> str:
    """A number as the report shows it: the readable form with :data:`DIGITS` digits.

    Differences are signed with a true minus sign (``−``).
    """
    shown = format_value(value, metric, lang, diff=diff, unit=unit, digits=DIGITS, human=True)
    return _signed_zero(shown).replace("-", "−", 1)


_ZERO = re.compile(r"^[+-](0(?:\.0+)?)(?![\d.])")


def _signed_zero(shown: str) -> str:
    """``"+0.0 pp"`` / ``"-0.0"`` as ``"0.0 pp"`` / ``"0.0"``: a rounded zero has no sign."""
    return _ZERO.sub(r"\1", shown)


def report_interval(
    mean: float, low: float, high: float, metric: str, lang: str = "en", diff: bool = False
) -> tuple[str, str]:
    """A mean and its interval as the report shows them: ``("+1.2 pp", "[+0.8, +1.6]")``.

    The mean and both bounds share one rounding (:data:`DIGITS` significant digits of the
    largest, the catalogue's :meth:`~dudao_sim.metrics.catalogue.Display.decimals_for`); the
    unit follows the mean.

    Returns:
        ``(mean text with unit, bracketed interval)``; the interval is ``""`` without bounds.
    """
    shown = metric_display(metric, lang, human=True)
    decimals = shown.decimals_for([mean, low, high], DIGITS)

    def num(x: float) -> str:
        try:
            return _signed_zero(shown.number(x, decimals, diff)).replace("-", "−")
        except (TypeError, ValueError):
            return "—"

    head = num(mean)
    if head != "—":
        head += shown.diff_suffix if diff else shown.suffix
    try:
        bounded = math.isfinite(float(low)) and math.isfinite(float(high))
    except (TypeError, ValueError):
        bounded = False
    return head, f"[{num(low)}, {num(high)}]" if bounded else ""


@cache
def _scenario(name: str) -> tuple[str, str, str, str] | None:
    from dudao_sim.policy.scenarios import load_scenario

    try:
        sc = load_scenario(name)
    except (ValueError, OSError):  # ScenarioError is a ValueError; not a shipped scenario
        return None
    return sc.label("zh"), sc.label("en"), sc.description_zh, sc.description_en


def scenario_label(name: str, lang: str = "en") -> str:
    """The label of a shipped scenario, or the name itself for any other scenario."""
    check_lang(lang)
    info = _scenario(name)
    if info is None:
        return name
    return info[0] if lang == "zh" else info[1]


def scenario_description(name: str, lang: str = "en") -> str:
    """The description of a shipped scenario, or ``""``."""
    check_lang(lang)
    info = _scenario(name)
    if info is None:
        return ""
    return info[2] if lang == "zh" else info[3]


def scenario_base(name: str) -> str | None:
    """The scenario a shipped scenario builds on (``None`` if none or not shipped)."""
    from dudao_sim.policy.scenarios import load_scenario

    try:
        return load_scenario(name).base
    except (ValueError, OSError):
        return None


def report_order(scenarios: Sequence[str], baseline: str) -> list[str]:
    """The report's order: the baseline, then :data:`MAIN_REFORM`, then shipped order, the rest.

    Args:
        scenarios: Names to order.
        baseline: The baseline scenario.

    Returns:
        The ordered names (each once).
    """
    return scenario_order(scenarios, first=[baseline, MAIN_REFORM])


def main_scenario(scenarios: Sequence[str], baseline: str) -> str | None:
    """The scenario the report looks at most closely: :data:`MAIN_REFORM`, else the first other.

    Returns:
        A name of ``scenarios`` other than ``baseline``, or ``None`` if there is none.
    """
    others = [n for n in report_order(scenarios, baseline) if n != baseline]
    return others[0] if others else None


def scenario_order(scenarios: Sequence[str], first: Sequence[str] = ()) -> list[str]:
    """Order scenario names: ``first`` (if present), shipped ones in shipped order, the rest.

    Args:
        scenarios: Names to order (duplicates are dropped).
        first: Names to put first, e.g. the baseline.

    Returns:
        The ordered names.
    """
    from dudao_sim.policy.scenarios import scenario_names

    present = list(dict.fromkeys(scenarios))
    shipped = [n for n in scenario_names() if n in present]
    head = [n for n in first if n in present]
    rest = sorted(n for n in present if n not in shipped)
    return list(dict.fromkeys([*head, *shipped, *rest]))


__all__ = [
    "DIGITS",
    "LANGS",
    "MAIN_REFORM",
    "UNITLESS",
    "check_lang",
    "format_value",
    "main_scenario",
    "metric_better",
    "metric_definition",
    "metric_display",
    "metric_label",
    "metric_unit",
    "report_interval",
    "report_order",
    "report_value",
    "scenario_base",
    "scenario_description",
    "scenario_label",
    "scenario_order",
]
