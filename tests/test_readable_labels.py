"""Headline outcomes and labels a policy officer reads: pupil-weighted quality, unit-free labels.

The key-outcome lists of the command line, the report and the dashboard name quality by its
pupil-weighted form (``quality_pupils``), not the unweighted mean over units (about two in
three of them kindergartens); a metric shown in a readable unit of its own (yuan as 万元)
carries no unit in its label, since tables and figures add the unit from the catalogue.
"""

from __future__ import annotations

import pytest

from dudao_sim.cli.labels import KEY_OUTCOMES as CLI_OUTCOMES
from dudao_sim.dashboard.app import HEADLINE_METRICS, REGIONAL_METRICS
from dudao_sim.dashboard.plots import TRAJECTORY_METRICS as DASHBOARD_TRAJECTORIES
from dudao_sim.metrics.catalogue import CATALOGUE, UNITS, format_value, metric
from dudao_sim.metrics.reporters import REGIONAL_RATIOS
from dudao_sim.report.figures import (
    CITY_METRICS,
    KEY_OUTCOMES,
    PAIRED_METRICS,
    TRAJECTORY_METRICS,
)
from dudao_sim.report.findings import FINDING_METRICS

HEADLINES = {
    "cli": CLI_OUTCOMES,
    "report": KEY_OUTCOMES,
    "report paired": PAIRED_METRICS,
    "report trajectories": TRAJECTORY_METRICS,
    "report by city": CITY_METRICS,
    "findings": FINDING_METRICS,
    "dashboard": HEADLINE_METRICS,
    "dashboard trajectories": DASHBOARD_TRAJECTORIES,
    "dashboard regions": REGIONAL_METRICS,
}


@pytest.mark.parametrize("where", sorted(HEADLINES))
def test_headline_quality_is_pupil_weighted(where):
    names = HEADLINES[where]
    assert "quality_pupils" in names and "quality_mean" not in names, where
    assert all(n in CATALOGUE for n in names)


def test_regional_headlines_exist_by_city_and_county():
    assert set(CITY_METRICS) <= set(REGIONAL_RATIOS)
    assert set(REGIONAL_METRICS) <= set(REGIONAL_RATIOS)


def test_labels_of_metrics_in_a_readable_unit_carry_no_unit():
    readable = [n for n, m in CATALOGUE.items() if UNITS[m.unit].display_en.human_scale is not None]
    assert {"cost_yuan_year", "n_visit_cost_yuan"} <= set(readable)
    for name in readable:
        for lang, words in (("en", ("yuan", "10k")), ("zh", ("元",))):
            label = metric(name).label(lang)
            assert not any(w in label for w in words), (name, lang, label)
    cost = format_value("cost_yuan_year", 24686498.6, "zh", digits=3, human=True)
    assert f"{metric('cost_yuan_year').label('zh')} {cost}" == "年督导成本 2,470 万元"
