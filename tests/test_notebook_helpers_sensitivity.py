"""Notebook helpers for sweeps and sensitivity: outcome tables, the evaluator, factor tables."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import dudao_sim as ds
from dudao_sim.experiments import sensitivity
from dudao_sim.policy.assumptions import ASSUMPTIONS
from dudao_sim.policy.levers import LEVERS
from dudao_sim.report.notebook import (
    axis_label,
    factor_table,
    notebook_settings,
    sweep_evaluator,
    sweep_outcomes,
)


def _sweep_runs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two design points, two seeds, months 0-3, two metrics with known values."""
    design = pd.DataFrame({"point": [0, 1], "unannounced_share": [0.0, 0.5]})
    rows = []
    for point in (0, 1):
        for seed in (7, 8):
            for month in range(4):
                base = point + seed / 100
                rows.append((point, seed, month, "fake_share", base + month / 10))
                rows.append((point, seed, month, "quality_mean", -base))
    runs = pd.DataFrame(rows, columns=["point", "seed", "month", "metric", "value"])
    return runs.assign(scenario="reform_2021", run_id="r"), design


def _tiny_settings():
    """Quick settings shortened to 3 months after a 12-month warm-up: a run takes a moment."""
    return dataclasses.replace(notebook_settings(quick=True), months=3, warmup_months=12)


# ---------------------------------------------------------------- sweep_outcomes()


def test_sweep_outcomes_tail_means_on_display_scale():
    runs, design = _sweep_runs()
    out = sweep_outcomes(runs, design, ["fake_share", "quality_mean"], last_months=2)
    assert list(out.columns) == [
        "point",
        "unannounced_share",
        "seed",
        "metric",
        "label",
        "value",
    ]
    assert len(out) == 2 * 2 * 2
    row = out[(out["point"] == 1) & (out["seed"] == 8) & (out["metric"] == "fake_share")]
    # months 2 and 3: mean of 1.08 + 0.2 and 1.08 + 0.3, shown in per cent
    assert row["value"].item() == pytest.approx(100 * (1.08 + 0.25))
    assert row["unannounced_share"].item() == 0.5
    assert row["label"].item() == axis_label("fake_share")
    quality = out[(out["point"] == 0) & (out["seed"] == 7) & (out["metric"] == "quality_mean")]
    assert quality["value"].item() == pytest.approx(-0.07)  # SD: no display scaling


def test_sweep_outcomes_errors():
    runs, design = _sweep_runs()
    with pytest.raises(KeyError, match="fake_shar"):
        sweep_outcomes(runs, design, ["fake_shar"])
    with pytest.raises(ValueError, match=r"\['index_authority'\] are not in the runs"):
        sweep_outcomes(runs, design, ["index_authority"])
    with pytest.raises(ValueError, match="point"):
        sweep_outcomes(runs.drop(columns="point"), design, ["fake_share"])
    with pytest.raises(ValueError, match="last_months"):
        sweep_outcomes(runs, design, ["fake_share"], last_months=0)


# ---------------------------------------------------------------- sweep_evaluator()


@pytest.mark.slow
def test_sweep_evaluator_means_over_seeds_in_design_order():
    settings = _tiny_settings()
    outcomes = ["index_authority", "fake_share"]
    evaluate = sweep_evaluator(settings, outcomes, last_months=2)
    design = pd.DataFrame({"point": [5, 3], "recheck_share": [1.0, 0.0], "p_fake": [0.4, 0.02]})
    got = evaluate(design)
    assert list(got.columns) == outcomes and len(got) == 2
    sweep = ds.run_sweep(
        settings.province,
        design,
        settings.seeds,
        workers=1,
        progress=False,
        **settings.run_kwargs(),
    )
    runs = sweep.runs[sweep.runs["month"] >= settings.months - 2]
    expected = runs.groupby(["point", "metric"])["value"].mean().unstack()
    for i, point in enumerate(design["point"]):
        for name in outcomes:
            assert got.loc[i, name] == pytest.approx(expected.loc[point, name])


@pytest.mark.slow
def test_sweep_evaluator_drives_morris():
    settings = dataclasses.replace(_tiny_settings(), seeds=(11,))
    evaluate = sweep_evaluator(settings, ["index_authority"], last_months=1)
    out = sensitivity.morris([ds.factor("recheck_share")], evaluate, n_trajectories=2, seed=0)
    assert out[["outcome", "factor"]].values.tolist() == [["index_authority", "recheck_share"]]
    assert np.isfinite(out["mu_star"]).all()


def test_sweep_evaluator_rejects_unknown_outcome_before_running():
    with pytest.raises(KeyError, match="index_autority"):
        sweep_evaluator(_tiny_settings(), ["index_autority"])


# ---------------------------------------------------------------- factor_table()


def test_factor_table_levers_and_assumptions():
    table = factor_table(["unannounced_share", "p_fake"])
    assert list(table.index) == ["unannounced_share", "p_fake"]
    assert list(table.columns) == ["kind", "label", "low", "high", "unit", "basis"]
    lever = table.loc["unannounced_share"]
    assert lever["kind"] == "lever"
    assert lever["label"] == LEVERS["unannounced_share"].label("en")
    assert lever["basis"] == "clause 八"
    assert (lever["low"], lever["high"]) == (0.0, 1.0)
    assumption = table.loc["p_fake"]
    assert assumption["kind"] == "assumption" and assumption["label"] == "p_fake"
    assert assumption["basis"] == ASSUMPTIONS["p_fake"].source
    assert (assumption["low"], assumption["high"]) == (
        ASSUMPTIONS["p_fake"].low,
        ASSUMPTIONS["p_fake"].high,
    )


def test_factor_table_in_chinese():
    table = factor_table(["recheck_share"], lang="zh")
    assert table.loc["recheck_share", "label"] == LEVERS["recheck_share"].label("zh")
    assert table.loc["recheck_share", "basis"] == "条款 十二"


def test_factor_table_unknown_name_suggests():
    with pytest.raises(ValueError, match=r"p_fak.*p_fake"):
        factor_table(["p_fak"])
