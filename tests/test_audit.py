"""The lever audit (dudao_sim/experiments/audit.py): it finds echoes, it finds dead levers.

The quick audit (a 4-county synthetic province, 6 paired seeds, a 72-point Latin hypercube;
about a minute and a half of CPU on 2 cores) runs once for the module. It fails on a new echo,
an undeclared dead lever or a stale bookkeeping declaration, and it writes nothing into
``docs/`` (``make audit`` writes docs/lever_effects.md). Known echoes and known dead levers,
left for a later issue, are strict xfails: the day one is fixed, its test says so.

The echo check itself is tested on planted echoes: a metric equal to one lever, one equal to
a formula of two booleans (both must be flagged), and noise (must not be).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dudao_sim.experiments import audit
from dudao_sim.metrics.catalogue import CatalogueError, parse_catalogue
from dudao_sim.policy.levers import LEVERS

DOCS_PAGE = audit.Path(__file__).resolve().parents[1] / "docs" / "lever_effects.md"

#: Metrics the reform's validity fixes made echo-free (coverage, accountability, reviews,
#: the four clause-二十四 indices, flow detection; report distortion once counties choose what
#: to report, mean effort once beliefs are learned from what units observe; inspectors' skill
#: once it is learned on visits and training takes field time, the full-time share once offices
#: choose whom to hire): the audit must not flag them.
FIXED_METRICS = (
    "report_distortion",
    "coverage_assigned",
    "coverage_visited",
    "serious_failings_sanctioned",
    "sanctions_unfounded",
    "end_of_term_review_share",
    "counties_evaluated_12m",
    "townships_evaluated_12m",
    "flow_detection",
    "flow_detection_visit",
    "index_coverage",
    "index_efficiency",
    "index_accountability",
    "effort_mean",
    "inspector_skill",
    "inspectorate_full_time_share",
)


# ---- the echo check on planted data (fast) ----------------------------------------------------
@pytest.fixture(scope="module")
def design() -> pd.DataFrame:
    return audit.echo_design(80, seed=3)


def test_planted_echoes_are_flagged_and_noise_is_not(design):
    planted = audit.planted_echoes(design)
    rng = np.random.default_rng(0)
    planted["noise"] = rng.normal(size=len(design))
    scores = audit.echo_scores(planted, design).set_index("metric")
    assert scores.loc["planted_one_lever", "flagged"]
    assert scores.loc["planted_one_lever", "lever"] == "unannounced_share"
    assert scores.loc["planted_one_lever", "r2_single"] == pytest.approx(1.0)
    two = scores.loc["planted_two_booleans"]
    assert two["flagged"] and two["r2_pair"] == pytest.approx(1.0)
    assert two["pair"] == "interviews × circulars"
    assert two["r2_single"] < audit.R2_ECHO  # one lever alone does not explain it
    formula = scores.loc["planted_report_formula"]
    assert formula["flagged"] and formula["r2_single"] < audit.R2_ECHO <= formula["r2_pair"]
    assert not scores.loc["noise", "flagged"]


def test_a_constant_metric_is_not_judged(design):
    values = pd.DataFrame({"point": design["point"], "same": 1.0})
    row = audit.echo_scores(values, design).iloc[0]
    assert row["constant"] and not row["flagged"]


def test_levers_of_clauses_4_17_21_25_and_committed_sampling_may_not_be_declared():
    forbidden = audit.forbidden_bookkeeping()
    assert {"plan_reporting", "committed_sampling", "implementation_supervision"} <= set(forbidden)
    assert {"schools_per_inspector_target", "budget_per_school_yuan"} <= set(forbidden)
    assert not set(forbidden) & set(audit.declared_bookkeeping())


def test_declared_bookkeeping_levers_give_a_reason():
    for name, reason in audit.declared_bookkeeping().items():
        assert name in LEVERS and len(reason) > 20, name


def test_only_burden_and_cost_metrics_may_be_echo_exempt():
    units = {"share": {"description": "a share"}}
    entry = {
        "label_zh": "指标",
        "label_en": "A metric",
        "definition": "What it is.",
        "unit": "share",
        "range": [0, 1],
        "direction": "up",
        "group": "burden",
        "clause": ["八"],
        "echo_exempt": "a count of visits",
    }
    _, metrics = parse_catalogue({"units": units, "metrics": {"m": {**entry, "kind": "burden"}}})
    assert metrics["m"].echo_exempt == "a count of visits"
    with pytest.raises(CatalogueError, match="echo_exempt"):
        parse_catalogue({"units": units, "metrics": {"m": {**entry, "kind": "truth"}}})


def test_every_oat_point_changes_exactly_one_lever():
    design = audit.oat_design()
    base = design.iloc[0]
    assert base["lever"] == audit.REFORM and len(design) == len(LEVERS) + 1
    for _, row in design.iloc[1:].iterrows():
        changed = [n for n in LEVERS if row[n] != base[n]]
        assert changed == [row["lever"]], row["lever"]


# ---- the quick audit on the model --------------------------------------------------------------
@pytest.fixture(scope="module")
def result() -> audit.AuditResult:
    before = DOCS_PAGE.stat().st_mtime_ns if DOCS_PAGE.exists() else None
    found = audit.audit(audit.QUICK)
    after = DOCS_PAGE.stat().st_mtime_ns if DOCS_PAGE.exists() else None
    assert before == after, "the quick audit wrote into docs/"
    return found


@pytest.mark.slow
def test_no_new_echo(result):
    flagged = result.echoes[result.echoes["status"] == "ECHO"]
    assert result.new_echoes() == [], flagged[["metric", "lever", "r2_single", "pair", "r2_pair"]]


@pytest.mark.slow
def test_no_undeclared_dead_lever(result):
    assert result.undeclared_dead() == []


@pytest.mark.slow
def test_no_stale_bookkeeping_declaration(result):
    assert result.stale_declarations() == []


@pytest.mark.slow
def test_the_audit_flags_its_planted_echoes(result):
    assert result.planted["flagged"].all()


@pytest.mark.slow
@pytest.mark.parametrize("metric", FIXED_METRICS)
def test_the_validity_fixes_leave_no_echo(result, metric):
    row = result.echoes.set_index("metric").loc[metric]
    assert not row["flagged"], (metric, row["lever"], row["r2_single"], row["pair"], row["r2_pair"])


@pytest.mark.slow
def test_the_misreport_sanction_and_the_spot_check_share_act_through_behaviour(result):
    assert result.live("misreport_sanction") and result.live("provincial_spot_check_share")
    moved = result.effects[result.effects["moved"]]
    assert "report_distortion" in set(moved.loc[moved["lever"] == "misreport_sanction", "outcome"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "lever",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=known.reason))
        for name, known in audit.KNOWN_DEAD_LEVERS.items()
        if known.quick
    ],
)
def test_known_dead_lever_acts(result, lever):
    assert result.live(lever)


@pytest.mark.slow
@pytest.mark.parametrize(
    "metric",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=known.reason))
        for name, known in audit.KNOWN_ECHOES.items()
        if known.quick
    ],
)
def test_known_echo_is_gone(result, metric):
    assert not result.flagged(metric)


@pytest.mark.slow
def test_markdown_page_lists_verdict_tables_and_exemptions(result, tmp_path):
    page = audit.write_markdown(result, tmp_path / "lever_effects.md").read_text(encoding="utf-8")
    assert "## Verdict" in page and "## Lever effects" in page and "## Echo check" in page
    assert "planted_two_booleans" in page and "Declared exemptions" in page
    for name in LEVERS:
        assert f"| {name} |" in page, name
