"""Summaries of an ensemble: means with confidence intervals and paired differences.

An ensemble's results are a tidy DataFrame ``runs`` with columns ``scenario``, ``seed``,
``month`` (0 = first month after the switch), ``metric`` and ``value``. Every scenario runs on
the same seeds (common random numbers), so a reform is compared with the baseline **seed by
seed**: the paired difference removes the noise the two runs share.

Each run is first reduced to one number per metric — the mean over its last ``last_months``
months (:func:`last_months_mean`) — and the intervals are Student-t intervals over seeds
(:func:`interval`). The command line, the report and the notebooks use these functions
rather than their own means and intervals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

RUN_COLUMNS: tuple[str, ...] = ("scenario", "seed", "month", "metric", "value")


def check_runs(runs: pd.DataFrame) -> None:
    """Raise ``ValueError`` naming the missing columns if ``runs`` is not a tidy run frame."""
    missing = [c for c in RUN_COLUMNS if c not in runs.columns]
    if missing:
        raise ValueError(f"runs: missing column(s) {missing}; expected {list(RUN_COLUMNS)}")


def last_months_mean(
    frame: pd.DataFrame, n: int = 12, by: Sequence[str] = ()
) -> pd.DataFrame | pd.Series:
    """Mean of each metric over the last ``n`` months — the one "last months" rule.

    Args:
        frame: A tidy frame (``month``, ``metric``, ``value`` and the ``by`` columns) or a
            wide one (one row per month: ``month`` and one column per metric, as
            :meth:`SupervisionModel.metrics <dudao_sim.model.model.SupervisionModel.metrics>`).
        n: Months at the end to average: those with ``month > last month - n``, the last
            month taken within each ``by`` group.
        by: Columns of a tidy frame whose groups are reduced separately, e.g.
            ``("scenario", "seed")`` for one value per run; empty for one group.

    Returns:
        Tidy: columns ``*by``, ``metric``, ``value``. Wide: a Series of the numeric columns
        other than ``month``, indexed by metric.

    Raises:
        ValueError: If ``n`` is below 1, ``month`` is missing, or ``by`` is given for a
            wide frame.

    Example:
        >>> runs = pd.DataFrame({"month": [0, 1, 2], "metric": "m", "value": [1.0, 2.0, 4.0]})
        >>> last_months_mean(runs, n=2)
          metric  value
        0      m    3.0
    """
    if n < 1:
        raise ValueError(f"last_months: {n} is not allowed; must be >= 1")
    if "month" not in frame.columns:
        raise ValueError("frame: missing column 'month'")
    by = list(by)
    if "metric" not in frame.columns:
        if by:
            raise ValueError(f"by: {by} needs a tidy frame (columns metric and value)")
        tail = frame[frame["month"] > frame["month"].max() - n]
        return tail.drop(columns="month").mean(numeric_only=True)
    end = frame.groupby(by)["month"].transform("max") if by else frame["month"].max()
    tail = frame[frame["month"] > end - n]
    return tail.groupby([*by, "metric"], as_index=False)["value"].mean()


def per_run(runs: pd.DataFrame, last_months: int = 12) -> pd.DataFrame:
    """One value per (scenario, seed, metric): the mean over the run's last months.

    Args:
        runs: Tidy run frame.
        last_months: Months at the end of each run to average.

    Returns:
        Columns ``scenario``, ``seed``, ``metric``, ``value``.
    """
    check_runs(runs)
    return last_months_mean(runs, last_months, by=("scenario", "seed"))


class Interval(NamedTuple):
    """A mean with its Student-t confidence interval (``nan`` bounds below two values)."""

    mean: float
    low: float
    high: float
    n: int


def interval(values: Iterable[float], level: float = 0.95) -> Interval:
    """Mean and Student-t confidence interval of some numbers (missing values dropped).

    Args:
        values: The numbers, e.g. one per seed.
        level: Confidence level, e.g. ``0.95``.

    Returns:
        ``mean ± t(0.5 + level/2, n-1) · sd / √n`` with the sample standard deviation
        (``ddof=1``); bounds are ``nan`` with fewer than two values, the mean too with none.

    Example:
        >>> round(interval([1.0, 2.0, 3.0], 0.95).high, 4)
        4.4841
    """
    x = np.asarray(values if hasattr(values, "__len__") else list(values), dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    mean = float(x.mean()) if n else math.nan
    if n < 2:
        return Interval(mean, math.nan, math.nan, n)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return Interval(mean, mean - half, mean + half, n)


def _interval(values: pd.Series, level: float) -> pd.Series:
    mean, low, high, n = interval(values.dropna(), level)
    return pd.Series({"mean": mean, "ci_low": low, "ci_high": high, "n_seeds": n})


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


def by_region_summary(
    regional: pd.DataFrame, last_months: int = 12, level: float = 0.95
) -> pd.DataFrame:
    """Mean and interval of each regional metric per region (市州) and scenario, over seeds.

    Args:
        regional: Tidy frame of ``metrics_by("city")`` results with ``scenario`` and ``seed``
            columns: ``scenario``, ``seed``, ``month``, ``code``, ``name``, ``metric``,
            ``value``.
        last_months: Months at the end of each run to average.
        level: Confidence level of the intervals.

    Returns:
        Columns ``scenario``, ``code``, ``name``, ``metric``, ``mean``, ``ci_low``,
        ``ci_high``, ``n_seeds`` — :func:`summarize` applied region by region.

    Raises:
        ValueError: Naming missing columns.
    """
    need = [*RUN_COLUMNS, "code", "name"]
    missing = [c for c in need if c not in regional.columns]
    if missing:
        raise ValueError(f"regional: missing column(s) {missing}; expected {need}")
    columns = ["scenario", "code", "name", "metric", "mean", "ci_low", "ci_high", "n_seeds"]
    frames = []
    codes = regional[["code", "name"]].astype({"code": str}).drop_duplicates("code")
    for code, name in codes.itertuples(index=False):
        sub = regional[regional["code"].astype(str) == code]
        out = summarize(sub[list(RUN_COLUMNS)], last_months=last_months, level=level)
        out.insert(1, "code", code)
        out.insert(2, "name", name)
        frames.append(out)
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


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


def paired_contrasts(
    runs: pd.DataFrame,
    contrasts: dict[str, tuple[str, str]],
    last_months: int = 12,
    level: float = 0.95,
) -> pd.DataFrame:
    """Named paired differences ``with − without`` between pairs of scenarios (same seeds).

    What a mechanism contributes is the scenario that has it minus the one that lacks it:
    ``reform_2021 − no_recheck`` for re-checks, ``high_stakes − reform_2021`` for higher stakes.
    Each pair is compared seed by seed as in :func:`paired_differences`.

    Args:
        runs: Tidy run frame holding every scenario named in ``contrasts``.
        contrasts: ``{name: (with, without)}``, in the order the rows should come.
        last_months: Months at the end of each run to average.
        level: Confidence level of the intervals.

    Returns:
        Columns ``contrast``, ``with``, ``without``, ``metric``, ``diff_mean``, ``ci_low``,
        ``ci_high``, ``n_seeds``, ``within_noise``; contrasts in the given order, metrics sorted.

    Raises:
        ValueError: If a scenario of a pair is not in ``runs``, or a pair repeats a scenario.

    Example:
        >>> import pandas as pd
        >>> runs = pd.DataFrame({"scenario": ["a", "a", "b", "b"], "seed": [1, 2, 1, 2],
        ...                      "month": 0, "metric": "m", "value": [1.0, 2.0, 1.5, 2.5]})
        >>> paired_contrasts(runs, {"b vs a": ("b", "a")})[["contrast", "diff_mean"]]
          contrast  diff_mean
        0   b vs a        0.5
    """
    check_runs(runs)
    present = set(runs["scenario"])
    parts = []
    for name, (with_, without) in contrasts.items():
        missing = [s for s in (with_, without) if s not in present]
        if missing:
            known = ", ".join(sorted(map(str, present)))
            raise ValueError(f"contrast {name!r}: scenario(s) {missing} not in runs ({known})")
        if with_ == without:
            raise ValueError(f"contrast {name!r}: compares {with_!r} with itself")
        pair = runs[runs["scenario"].isin([with_, without])]
        diff = paired_differences(pair, without, last_months, level)
        diff = diff[diff["scenario"] == with_].drop(columns="scenario")
        parts.append(diff.assign(contrast=name, **{"with": with_, "without": without}))
    columns = ["contrast", "with", "without", "metric", "diff_mean", "ci_low", "ci_high"]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return out[[*columns, "n_seeds", "within_noise"]].reset_index(drop=True)
