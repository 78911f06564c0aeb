"""Summaries of an ensemble: means with confidence intervals and paired differences.

An ensemble's results are a tidy DataFrame ``runs`` with columns ``scenario``, ``seed``,
``month`` (0 = first month after the switch), ``metric`` and ``value``. Every scenario runs on
the same seeds (common random numbers), so a reform is compared with the baseline **seed by
seed**: the paired difference removes the noise the two runs share.

Each run is first reduced to one number per metric — the mean over its last ``last_months``
months — and the intervals are Student-t intervals over seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

RUN_COLUMNS: tuple[str, ...] = ("scenario", "seed", "month", "metric", "value")


def check_runs(runs: pd.DataFrame) -> None:
    """Raise ``ValueError`` naming the missing columns if ``runs`` is not a tidy run frame."""
    missing = [c for c in RUN_COLUMNS if c not in runs.columns]
    if missing:
        raise ValueError(f"runs: missing column(s) {missing}; expected {list(RUN_COLUMNS)}")


def per_run(runs: pd.DataFrame, last_months: int = 12) -> pd.DataFrame:
    """One value per (scenario, seed, metric): the mean over the run's last months.

    Args:
        runs: Tidy run frame.
        last_months: Months at the end of each run to average.

    Returns:
        Columns ``scenario``, ``seed``, ``metric``, ``value``.
    """
    check_runs(runs)
    if last_months < 1:
        raise ValueError(f"last_months: {last_months} is not allowed; must be >= 1")
    end = runs.groupby(["scenario", "seed"])["month"].transform("max")
    tail = runs[runs["month"] > end - last_months]
    return tail.groupby(["scenario", "seed", "metric"], as_index=False)["value"].mean()


def _interval(values: pd.Series, level: float) -> pd.Series:
    x = values.dropna().to_numpy(float)
    n = len(x)
    mean = float(x.mean()) if n else np.nan
    if n < 2:
        return pd.Series({"mean": mean, "ci_low": np.nan, "ci_high": np.nan, "n_seeds": n})
    half = stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n)
    return pd.Series({"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n_seeds": n})


def summarize(runs: pd.DataFrame, last_months: int = 12, level: float = 0.95) -> pd.DataFrame:
    """Mean and confidence interval of each metric in each scenario, over seeds.

    Args:
        runs: Tidy run frame.
        last_months: Months at the end of each run to average.
        level: Confidence level of the intervals.

    Returns:
        Columns ``scenario``, ``metric``, ``mean``, ``ci_low``, ``ci_high``, ``n_seeds``.
    """
    values = per_run(runs, last_months)
    out = values.groupby(["scenario", "metric"])["value"].apply(_interval, level=level)
    out = out.unstack().reset_index()
    out["n_seeds"] = out["n_seeds"].astype(int)
    return out[["scenario", "metric", "mean", "ci_low", "ci_high", "n_seeds"]]


def paired_differences(
    runs: pd.DataFrame, baseline: str, last_months: int = 12, level: float = 0.95
) -> pd.DataFrame:
    """Each scenario minus the baseline, seed by seed, with a confidence interval.

    Args:
        runs: Tidy run frame.
        baseline: Name of the baseline scenario.
        last_months: Months at the end of each run to average.
        level: Confidence level of the intervals.

    Returns:
        Columns ``scenario``, ``metric``, ``diff_mean``, ``ci_low``, ``ci_high``, ``n_seeds``,
        ``within_noise`` (the interval contains 0, or fewer than two seeds). Only seeds run
        under both scenarios are paired.

    Raises:
        ValueError: If the baseline is not in ``runs``.
    """
    values = per_run(runs, last_months)
    if baseline not in set(values["scenario"]):
        known = ", ".join(sorted(values["scenario"].unique()))
        raise ValueError(f"baseline: {baseline!r} is not among the scenarios ({known})")
    base = values[values["scenario"] == baseline].set_index(["seed", "metric"])["value"]
    others = values[values["scenario"] != baseline]
    joined = others.join(base.rename("base"), on=["seed", "metric"], how="inner")
    joined["diff"] = joined["value"] - joined["base"]
    out = joined.groupby(["scenario", "metric"])["diff"].apply(_interval, level=level)
    out = out.unstack().reset_index().rename(columns={"mean": "diff_mean"})
    out["n_seeds"] = out["n_seeds"].astype(int)
    out["within_noise"] = ~((out["ci_low"] > 0) | (out["ci_high"] < 0))
    return out[["scenario", "metric", "diff_mean", "ci_low", "ci_high", "n_seeds", "within_noise"]]
