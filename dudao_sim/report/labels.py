"""What the report, its figures and the dashboard show for a metric or a scenario.

Metric labels, definitions, display formats and directions come from the metric catalogue
(:mod:`dudao_sim.metrics.catalogue`), scenario labels and descriptions from the shipped
scenario files (:mod:`dudao_sim.policy.scenarios`); names outside them are shown as they are.
Interface text is in the text catalogue (:mod:`dudao_sim.i18n`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from dudao_sim.i18n import LANGS, check_lang
from dudao_sim.metrics.catalogue import CATALOGUE, Display

_PLAIN = Display()  # a metric outside the catalogue (e.g. a custom reporter): two decimals


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


def metric_display(metric: str, lang: str = "en") -> Display:
    """How a metric's values are shown in ``lang`` (scale, decimals, unit; from the catalogue)."""
    check_lang(lang)
    spec = CATALOGUE.get(metric)
    return spec.display(lang) if spec else _PLAIN


def metric_better(metric: str) -> int:
    """+1 if higher is better, -1 if lower is better, 0 if neither (or not catalogued)."""
    spec = CATALOGUE.get(metric)
    return spec.better if spec else 0


def format_value(
    value: float, metric: str, lang: str = "en", diff: bool = False, unit: bool = True
) -> str:
    """Format a metric's value (or a difference) for display.

    Args:
        value: The number.
        metric: Metric name (decides the format).
        lang: ``"zh"`` or ``"en"``.
        diff: Format as a signed difference (shares in percentage points).
        unit: Append the display unit (``%`` / ``pp`` for shares).

    Returns:
        The text; ``"—"`` for a missing value. Scale, decimals and unit come from the
        metric's unit in ``dudao_sim/metrics/catalogue.toml``.
    """
    return metric_display(metric, lang).format(value, diff=diff, unit=unit)


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
    "LANGS",
    "check_lang",
    "format_value",
    "metric_better",
    "metric_definition",
    "metric_display",
    "metric_label",
    "scenario_base",
    "scenario_description",
    "scenario_label",
    "scenario_order",
]
