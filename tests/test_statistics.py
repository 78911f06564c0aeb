"""The one statistics module: last-months means, Student-t intervals, per-region summaries.

Each expected number is computed by hand here (t quantiles from scipy), not by the code.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from dudao_sim.experiments.statistics import (
    by_region_summary,
    interval,
    last_months_mean,
    paired_differences,
    per_run,
    summarize,
)


def _runs() -> pd.DataFrame:
    """Two scenarios x two seeds x three months of one metric."""
    rows = []
    values = {
        ("a", 1): [9.0, 1.0, 2.0],
        ("a", 2): [9.0, 3.0, 5.0],
        ("b", 1): [0.0, 2.0, 2.0],
        ("b", 2): [0.0, 6.0, 8.0],
    }
    for (scenario, seed), series in values.items():
        for month, value in enumerate(series):
            rows.append((scenario, seed, month, "m", value))
    return pd.DataFrame(rows, columns=["scenario", "seed", "month", "metric", "value"])


def test_last_months_mean_by_hand():
    tidy = last_months_mean(_runs(), n=2, by=("scenario", "seed"))
    got = {(r.scenario, r.seed): r.value for r in tidy.itertuples()}
    assert got == {("a", 1): 1.5, ("a", 2): 4.0, ("b", 1): 2.0, ("b", 2): 7.0}
    assert per_run(_runs(), 2).equals(tidy)
    wide = pd.DataFrame({"month": [0, 1, 2], "x": [1.0, 2.0, 4.0], "y": [0.0, 0.0, 3.0]})
    assert last_months_mean(wide, n=2).to_dict() == {"x": 3.0, "y": 1.5}
    assert last_months_mean(wide, n=12).to_dict() == {"x": 7 / 3, "y": 1.0}  # all months
    with pytest.raises(ValueError, match="last_months: 0"):
        last_months_mean(wide, n=0)
    with pytest.raises(ValueError, match="by"):
        last_months_mean(wide, by=("seed",))


def test_interval_by_hand():
    x = [1.0, 2.0, 4.0, float("nan")]  # the nan is dropped
    mean = 7 / 3
    sd = math.sqrt(((1 - mean) ** 2 + (2 - mean) ** 2 + (4 - mean) ** 2) / 2)
    half = stats.t.ppf(0.975, 2) * sd / math.sqrt(3)
    got = interval(x, 0.95)
    assert got.n == 3
    assert got.mean == pytest.approx(mean, rel=1e-15)
    assert (got.low, got.high) == pytest.approx((mean - half, mean + half), rel=1e-12)
    one = interval([5.0], 0.95)
    assert one.mean == 5.0 and math.isnan(one.low) and math.isnan(one.high)
    assert math.isnan(interval([], 0.9).mean)


def test_summarize_and_paired_use_the_same_rule():
    summary = summarize(_runs(), last_months=2, level=0.9).set_index("scenario")
    # scenario a: run means 1.5 and 4.0
    mean, sd = 2.75, math.sqrt(((1.5 - 2.75) ** 2 + (4.0 - 2.75) ** 2) / 1)
    half = stats.t.ppf(0.95, 1) * sd / math.sqrt(2)
    a = summary.loc["a"]
    assert a["mean"] == pytest.approx(mean)
    assert (a["ci_low"], a["ci_high"]) == pytest.approx((mean - half, mean + half))
    paired = paired_differences(_runs(), "a", last_months=2).set_index("scenario")
    # b - a by seed: 2.0 - 1.5 and 7.0 - 4.0
    diffs = [0.5, 3.0]
    assert paired.loc["b", "diff_mean"] == pytest.approx(sum(diffs) / 2)
    assert paired.loc["b", "ci_low"] == pytest.approx(interval(diffs).low)


def test_by_region_summary_by_hand():
    runs = _runs()
    regional = pd.concat(
        [
            runs.assign(code="4301", name="长沙市"),
            runs.assign(code="4302", name="株洲市", value=runs["value"] * 10),
        ],
        ignore_index=True,
    )
    out = by_region_summary(regional, last_months=2).set_index(["code", "scenario"])
    assert out.loc[("4301", "a"), "mean"] == pytest.approx(2.75)
    assert out.loc[("4302", "a"), "mean"] == pytest.approx(27.5)
    assert out.loc[("4302", "b"), "name"] == "株洲市"
    assert list(out.reset_index().columns) == [
        "code",
        "scenario",
        "name",
        "metric",
        "mean",
        "ci_low",
        "ci_high",
        "n_seeds",
    ]
    with pytest.raises(ValueError, match="code"):
        by_region_summary(runs)
