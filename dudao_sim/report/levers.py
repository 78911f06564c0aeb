"""The lever values behind each scenario of a report: what differs from the baseline.

Scenario names are resolved as the ensemble resolves them (shipped names and ``+``-stacked
names through :func:`~dudao_sim.policy.scenarios.compose`); labels, units and clauses come
from ``policy/levers.toml`` (:mod:`dudao_sim.policy.levers`), unit words in Chinese from table
``report.lever_units`` of the text catalogue.

Example:
    >>> changes = lever_changes(["pre_reform", "reform_2021"], "pre_reform")
    >>> row = changes[changes["lever"] == "zone_visits_per_year"].iloc[0]
    >>> row["reference_value"], row["value"]
    (4, 8)
    >>> lever_value_text("unannounced_share", 0.4, "zh")
    '40%'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

import pandas as pd

from dudao_sim.i18n import has_text, text
from dudao_sim.policy.levers import LEVERS, LeverValue, check_levers

#: Table of the text catalogue holding the report's lever words.
TEXT_TABLE = "report.lever_units"


@cache
def _resolved(name: str) -> tuple[tuple[str, LeverValue], ...] | None:
    from dudao_sim.policy.scenarios import compose

    try:
        levers = compose(*[p for p in name.split("+") if p]).levers
    except (ValueError, OSError):  # not a shipped scenario nor a readable file
        return None
    return tuple(levers.items())


def scenario_levers(
    name: str, overrides: Mapping[str, object] | None = None
) -> dict[str, LeverValue] | None:
    """Every lever's value in a scenario (``None`` if the name cannot be resolved).

    Args:
        name: A shipped scenario, a scenario file, or ``+``-stacked names.
        overrides: Lever values set on top of every scenario (``--set`` on the command
            line, the manifest's ``levers``).

    Raises:
        LeverError: For an override that is not a lever or not an allowed value.
    """
    found = _resolved(name)
    if found is None:
        return None
    return check_levers(overrides or {}, base=dict(found))


def lever_changes(
    scenarios: Sequence[str], reference: str, overrides: Mapping[str, object] | None = None
) -> pd.DataFrame:
    """Levers whose value differs from a reference scenario's, scenario by scenario.

    Args:
        scenarios: Scenario names in display order (the reference is skipped).
        reference: The scenario compared with, e.g. the baseline (the levers' pre-reform
            defaults if it cannot be resolved).
        overrides: Lever values set on top of every scenario.

    Returns:
        Columns ``scenario``, ``lever``, ``group``, ``clauses``, ``reference_value`` and
        ``value``, in scenario order, then the order of ``levers.toml``. A scenario that
        cannot be resolved gets no rows (:func:`unresolved` names them).
    """
    base: Mapping[str, LeverValue] = scenario_levers(reference, overrides) or check_levers(
        overrides or {}
    )
    rows = []
    for name in scenarios:
        if name == reference:
            continue
        levers = scenario_levers(name, overrides)
        if levers is None:
            continue
        for key, lever in LEVERS.items():
            if levers[key] != base[key]:
                rows.append(
                    {
                        "scenario": name,
                        "lever": key,
                        "group": lever.group,
                        "clauses": "、".join(lever.clauses),
                        "reference_value": base[key],
                        "value": levers[key],
                    }
                )
    columns = ["scenario", "lever", "group", "clauses", "reference_value", "value"]
    return pd.DataFrame(rows, columns=columns)


def unresolved(scenarios: Sequence[str]) -> list[str]:
    """Scenarios whose lever values cannot be read (not shipped, not a readable file)."""
    return [n for n in scenarios if scenario_levers(n) is None]


def lever_unit_text(name: str, lang: str = "en") -> str:
    """A lever's unit in ``lang`` (``levers.toml``'s English unit, translated if listed)."""
    unit = LEVERS[name].unit
    key = f"{TEXT_TABLE}.{unit}"
    return text(key, lang) if has_text(key) else unit


def lever_value_text(name: str, value: LeverValue, lang: str = "en") -> str:
    """A lever value as a policy officer reads it: on/off, a share in %, a number with its unit.

    Args:
        name: Lever name.
        value: Its value.
        lang: ``"zh"`` or ``"en"``.

    Returns:
        E.g. ``"on"`` / ``"开"``, ``"40%"``, ``"8 visits per school per year"``, ``"random"``.
    """
    lever = LEVERS[name]
    zero = f"report.lever_zero.{name}"
    if lever.kind in ("int", "float") and float(value) == 0 and has_text(zero):  # type: ignore[arg-type]
        return text(zero, lang)
    if lever.kind == "bool":
        return text(f"report.lever-{'on' if value else 'off'}", lang)
    if lever.kind == "choice":
        key = f"report.lever_choices.{value}"
        return text(key, lang) if has_text(key) else str(value)
    number = float(value)  # type: ignore[arg-type]
    if lever.unit.startswith("share"):
        return f"{100 * number:.3g}%"
    shown = f"{number:,.0f}" if number.is_integer() else f"{number:.3g}"
    unit = lever_unit_text(name, lang)
    return f"{shown} {unit}" if unit else shown


__all__ = [
    "lever_changes",
    "lever_unit_text",
    "lever_value_text",
    "scenario_levers",
    "unresolved",
]
