"""Paired differences and intervals on constructed cases with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dudao_sim.experiments import paired_differences, per_run, summarize


def _runs(values: dict[str, list[float]], months: int = 3) -> pd.DataFrame:
    rows = []
    for scenario, per_seed in values.items():
        for seed, v in enumerate(per_seed):
            for month in range(months):
                # the last month carries the value; earlier months are noise to be ignored
                value = v if month == months - 1 else 1000.0
                rows.append((scenario, seed, month, "m", value))
    return pd.DataFrame(rows, columns=["scenario", "seed", "month", "metric", "value"])


def test_per_run_averages_only_the_last_months():
    runs = _runs({"a": [1.0, 2.0]})
    out = per_run(runs, last_months=1)
    assert out["value"].tolist() == [1.0, 2.0]
    assert per_run(runs, last_months=2)["value"].tolist() == [500.5, 501.0]


def test_summary_mean_and_t_interval():
    x = [1.0, 2.0, 4.0, 5.0]
    out = summarize(_runs({"a": x}), last_months=1).iloc[0]
    half = stats.t.ppf(0.975, 3) * np.std(x, ddof=1) / 2
    assert out["mean"] == pytest.approx(3.0)
    assert out["ci_low"] == pytest.approx(3.0 - half) and out["ci_high"] == pytest.approx(3 + half)
    assert out["n_seeds"] == 4


def test_paired_difference_removes_shared_noise():
    base = [10.0, 20.0, 30.0, 40.0]  # large seed-to-seed spread
    reform = [11.0, 21.1, 30.9, 41.0]  # about +1 on every seed
    out = paired_differences(_runs({"base": base, "reform": reform}), "base", last_months=1)
    row = out.iloc[0]
    assert row["scenario"] == "reform" and row["diff_mean"] == pytest.approx(1.0)
    assert 0 < row["ci_low"] < 1 < row["ci_high"] < 2  # tight, thanks to pairing
    assert not row["within_noise"]
    unpaired = summarize(_runs({"reform": reform}), last_months=1).iloc[0]
    assert unpaired["ci_high"] - unpaired["ci_low"] > 10 * (row["ci_high"] - row["ci_low"])


def test_difference_within_noise_is_flagged():
    out = paired_differences(
        _runs({"b": [1.0, 2.0, 3.0], "r": [1.5, 1.5, 3.2]}), "b", last_months=1
    )
    assert out.iloc[0]["within_noise"]


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"missing column\(s\) \['seed'\]"):
        summarize(pd.DataFrame({"scenario": [], "month": [], "metric": [], "value": []}))
    with pytest.raises(ValueError, match="baseline: 'x' is not among the scenarios"):
        paired_differences(_runs({"a": [1.0]}), "x")
    with pytest.raises(ValueError, match="last_months: 0"):
        per_run(_runs({"a": [1.0]}), last_months=0)
