"""Exports: the edited policy as a scenario file ``dudao-sim`` accepts, and results as CSV.

The scenario file is a diff from the scenario the user started from, each value citing its
lever's clause, in the format of the shipped scenarios (see
:mod:`dudao_sim.policy.scenarios`), so ``dudao-sim run --scenario edited.toml`` runs it and
:func:`dudao_sim.policy.scenarios.load_scenario` reads it back to the same lever values.

Example:
    >>> import tomllib
    >>> toml = scenario_toml({"unannounced_share": 1.0}, start="reform_2021")
    >>> tomllib.loads(toml)["levers"]["unannounced_share"]
    {'value': 1.0, 'clause': '八', 'note': '暗访比例'}
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping

import pandas as pd
import tomli_w

from dudao_sim.dashboard.session import Results
from dudao_sim.metrics.catalogue import CATALOGUE, label
from dudao_sim.policy.levers import LEVERS, LeverValue
from dudao_sim.policy.scenarios import load_scenario


def scenario_toml(
    changes: Mapping[str, LeverValue],
    start: str = "reform_2021",
    name: str = "dashboard_policy",
    label_zh: str = "看板调整的政策",
    label_en: str = "Policy edited in the dashboard",
) -> str:
    """The edited policy as scenario TOML: a diff from ``start`` citing each lever's clause.

    Args:
        changes: Levers changed from ``start`` (checked against the lever metadata).
        start: The shipped scenario the policy starts from.
        name: Scenario name.
        label_zh: Chinese label.
        label_en: English label.

    Returns:
        The TOML text.

    Raises:
        ScenarioError: For an unknown starting scenario.
        LeverError: For an unknown lever or a value out of range.
    """
    base = load_scenario(start)
    checked = base.apply(changes).changes
    data = {
        "name": name,
        "label_zh": label_zh,
        "label_en": label_en,
        "base": base.name,
        "description_zh": f"由政策模拟看板从“{base.label_zh}”调整而来。",
        "description_en": f"Edited in the policy dashboard from “{base.label_en}”.",
        "levers": {
            key: {"value": value, "clause": LEVERS[key].clauses[0], "note": LEVERS[key].label_zh}
            for key, value in checked.items()
        },
    }
    return "# Exported from the dudao_sim policy dashboard.\n" + tomli_w.dumps(data)


def results_table(results: Results, lang: str = "en") -> pd.DataFrame:
    """Province-wide results: means and intervals per scenario, and paired differences.

    Args:
        results: The dashboard's results.
        lang: Language of the ``label`` column.

    Returns:
        Columns ``table`` (``summary`` or ``paired_vs_<baseline>``), ``scenario``, ``metric``,
        ``label``, ``value``, ``ci_low``, ``ci_high``, ``n_seeds``, ``within_noise``.
    """
    summary = results.summary().rename(columns={"mean": "value"}).assign(table="summary")
    frames = [summary]
    for base in ("reform_2021", "pre_reform"):
        paired = results.paired(base).rename(columns={"diff_mean": "value"})
        frames.append(paired.assign(table=f"paired_vs_{base}"))
    out = pd.concat(frames, ignore_index=True)
    out["label"] = out["metric"].map(lambda m: label(m, lang) if m in CATALOGUE else m)
    columns = ["table", "scenario", "metric", "label", "value", "ci_low", "ci_high", "n_seeds"]
    return out.reindex(columns=[*columns, "within_noise"])


def regional_table(results: Results, lang: str = "en") -> pd.DataFrame:
    """Results by 市州 and by county (mean over seeds of the last 12 months).

    Returns:
        Columns ``level``, ``scenario``, ``code``, ``name``, ``metric``, ``label``, ``mean``.
    """
    frames = [results.regional_summary(level).assign(level=level) for level in ("city", "county")]
    out = pd.concat(frames, ignore_index=True)
    out["label"] = out["metric"].map(lambda m: label(m, lang) if m in CATALOGUE else m)
    return out[["level", "scenario", "code", "name", "metric", "label", "mean"]]


def download_link(content: str, filename: str, caption: str, mime: str = "text/plain") -> str:
    """An HTML link that saves ``content`` as ``filename`` (a data URI: works offline)."""
    data = base64.b64encode(content.encode("utf-8")).decode("ascii")
    return (
        f'<a class="dd-download" download="{html.escape(filename)}" '
        f'href="data:{mime};charset=utf-8;base64,{data}">{html.escape(caption)}</a>'
    )
