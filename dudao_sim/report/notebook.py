"""What the notebooks share: quick or full settings, calendar years and catalogue-labelled plots.

Notebooks import the package and never define the model. Their first code cell calls
:func:`notebook_settings`, which reads one environment variable, ``DUDAO_SIM_QUICK``: set
(``1``) it selects a small synthetic province, few seeds and short runs, so every notebook runs
in seconds (CI validates them so, with nbval); unset, the full settings (Hunan, 6 seeds, ten
years) are what a researcher gets.

Example:
    >>> import os
    >>> os.environ["DUDAO_SIM_QUICK"] = "1"
    >>> s = notebook_settings()
    >>> s.quick, len(s.seeds), s.first_year
    (True, 2, 2021)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dudao_sim.data.province import Province, load_province
from dudao_sim.data.synthetic import synthetic_province
from dudao_sim.metrics.catalogue import metric

#: Environment variable that selects quick mode (any value but "", "0", "false", "no").
QUICK_ENV = "DUDAO_SIM_QUICK"
#: Calendar year of the first scenario month: the reform scenario starts in January 2021
#: (Hunan's implementing opinions were issued in 2021).
FIRST_YEAR = 2021


def quick_mode() -> bool:
    """True when ``DUDAO_SIM_QUICK`` is set to a true value."""
    return os.environ.get(QUICK_ENV, "").strip().lower() not in ("", "0", "false", "no")


@dataclass(frozen=True)
class NotebookSettings:
    """Run settings of a notebook.

    Attributes:
        quick: Quick mode (small province, few seeds, short runs).
        province_name: ``"hunan"`` or a description of the synthetic province.
        seeds: Replicate seeds (the same seeds for every scenario: common random numbers).
        months: Months after the switch to the scenario.
        warmup_months: Months of the shared ``pre_reform`` warm-up.
        first_year: Calendar year of scenario month 0.
        workers: Local worker processes for ensembles (1 in quick mode).
        sweep_points: Points of a sweep or Latin hypercube.
        morris_trajectories: Trajectories of a Morris screening.
    """

    quick: bool
    province_name: str
    seeds: tuple[int, ...]
    months: int
    warmup_months: int
    first_year: int = FIRST_YEAR
    workers: int | None = None
    sweep_points: int = 8
    morris_trajectories: int = 10
    _province: list[Province] = field(default_factory=list, repr=False, compare=False)

    @property
    def province(self) -> Province:
        """The province (loaded once)."""
        if not self._province:
            if self.province_name == "hunan":
                self._province.append(load_province("hunan"))
            else:
                self._province.append(synthetic_province(n_counties=6, seed=21))
        return self._province[0]

    def run_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``run_ensemble`` / ``SupervisionModel``: months and warm-up."""
        return {"months": self.months, "warmup_months": self.warmup_months}


def notebook_settings(quick: bool | None = None) -> NotebookSettings:
    """Settings for this notebook session.

    Args:
        quick: Force quick (``True``) or full (``False``) mode; default from ``DUDAO_SIM_QUICK``.

    Returns:
        Quick: a seeded 6-county synthetic province, 2 seeds, 3 years after a 1-year warm-up.
        Full: Hunan, 6 seeds, 10 years after a 2-year warm-up (as ``make run``).
    """
    quick = quick_mode() if quick is None else quick
    if quick:
        return NotebookSettings(
            quick=True,
            province_name="synthetic (6 counties, seed 21)",
            seeds=(11, 12),
            months=36,
            warmup_months=12,
            workers=1,
            sweep_points=4,
            morris_trajectories=2,
        )
    return NotebookSettings(
        quick=False,
        province_name="hunan",
        seeds=(1, 2, 3, 4, 5, 6),
        months=120,
        warmup_months=24,
        sweep_points=16,
        morris_trajectories=10,
    )


def with_calendar_year(frame: pd.DataFrame, first_year: int = FIRST_YEAR) -> pd.DataFrame:
    """Add ``year`` (decimal calendar year, e.g. 2021.5 for July 2021) from ``month``.

    Args:
        frame: A frame with a ``month`` column (0 = first scenario month, negative in the
            warm-up).
        first_year: Calendar year of month 0.

    Returns:
        A copy with a ``year`` column.
    """
    out = frame.copy()
    out["year"] = first_year + out["month"] / 12.0
    return out


def display_values(frame: pd.DataFrame, column: str, name: str, lang: str = "en") -> pd.Series:
    """Values of ``column`` on the display scale of metric ``name`` (e.g. shares in %)."""
    return frame[column] * metric(name).display(lang).scale


def axis_label(name: str, lang: str = "en") -> str:
    """Label of metric ``name`` with its display unit, from the catalogue."""
    m = metric(name)
    unit = m.display(lang).unit_text
    return f"{m.label(lang)} ({unit})" if unit else m.label(lang)


def tidy_runs(runs: pd.DataFrame, metrics: Sequence[str], lang: str = "en") -> pd.DataFrame:
    """Long table of ensemble runs for seaborn, on display scales with calendar years.

    Args:
        runs: Tidy runs (``scenario``, ``seed``, ``month``, ``metric``, ``value``).
        metrics: Metrics to keep.
        lang: Language of the ``label`` column.

    Returns:
        Columns ``scenario``, ``seed``, ``year``, ``metric``, ``label``, ``value`` (scaled).
    """
    part = runs[runs["metric"].isin(list(metrics))].copy()
    part["value"] = part["value"] * part["metric"].map(
        {m: metric(m).display(lang).scale for m in metrics}
    )
    part["label"] = part["metric"].map({m: axis_label(m, lang) for m in metrics})
    part = with_calendar_year(part)
    return part[["scenario", "seed", "year", "metric", "label", "value"]]


def notebook_code_hash(cells: Sequence[Any]) -> str:
    """SHA-256 of a notebook's code cells (their sources, in order).

    ``make notebooks`` stores it in the notebook's metadata after re-executing it, and a test
    fails when the stored outputs are stale: when the code changed after the last execution.

    Args:
        cells: The notebook's cells (``nbformat`` cells or plain dicts).
    """
    import hashlib

    sources = []
    for cell in cells:
        if cell["cell_type"] == "code":
            source = cell["source"]
            sources.append(source if isinstance(source, str) else "".join(source))
    return hashlib.sha256("\n\x1e\n".join(sources).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- sweeps and sensitivity


def _point_tail_means(runs: pd.DataFrame, metrics: Sequence[str], last_months: int) -> pd.DataFrame:
    """One value per (point, seed, metric): the mean over each run's last ``last_months``.

    The rule of :func:`dudao_sim.experiments.statistics.per_run`, with design points in place
    of scenarios (a sweep runs one scenario).
    """
    from dudao_sim.experiments.statistics import per_run

    missing = [c for c in ("point", "seed", "month", "metric", "value") if c not in runs.columns]
    if missing:
        raise ValueError(f"runs: missing column(s) {missing}; give the runs of run_sweep")
    unknown = sorted(set(metrics) - set(runs["metric"]))
    if unknown:
        raise ValueError(f"metrics: {unknown} are not in the runs")
    columns = ["point", "seed", "month", "metric", "value"]
    part = runs.loc[runs["metric"].isin(list(metrics)), columns]
    values = per_run(part.assign(scenario=part["point"]), last_months)
    return values.rename(columns={"scenario": "point"})[["point", "seed", "metric", "value"]]


def sweep_outcomes(
    runs: pd.DataFrame,
    design: pd.DataFrame,
    metrics: Sequence[str],
    last_months: int = 12,
    lang: str = "en",
) -> pd.DataFrame:
    """Long table of a sweep's outcomes for seaborn: one row per design point, seed and metric.

    Each run is reduced to the mean of its last ``last_months`` months (as
    :func:`dudao_sim.experiments.summarize` does), shown on the metric's display scale.

    Args:
        runs: ``Ensemble.runs`` of :func:`dudao_sim.experiments.run_sweep`.
        design: The design that was run (column ``point`` and one column per factor).
        metrics: Metrics to keep (catalogue names).
        last_months: Months at the end of each run to average.
        lang: Language of the ``label`` column.

    Returns:
        Columns ``point``, the design's factor columns, ``seed``, ``metric``, ``label`` (the
        catalogue label with its display unit) and ``value`` (display scale).

    Raises:
        KeyError: For a metric not in the catalogue.
        ValueError: For a metric not in the runs, or a bad ``last_months``.
    """
    for name in metrics:
        metric(name)  # unknown names fail here, with close matches
    out = _point_tail_means(runs, metrics, last_months)
    out["value"] = out["value"] * out["metric"].map(
        {m: metric(m).display(lang).scale for m in metrics}
    )
    out["label"] = out["metric"].map({m: axis_label(m, lang) for m in metrics})
    out = design.merge(out, on="point", how="inner", validate="one_to_many")
    factors = [c for c in design.columns if c != "point"]
    return out[["point", *factors, "seed", "metric", "label", "value"]]


def sweep_evaluator(
    settings: NotebookSettings,
    outcomes: Sequence[str],
    scenario: str = "reform_2021",
    last_months: int = 12,
    **how: Any,
) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """An ``evaluate`` function for :func:`dudao_sim.experiments.sensitivity.morris` / ``sobol``.

    The returned function runs every design row on ``settings.province`` with all of
    ``settings.seeds`` (common random numbers), ``settings.run_kwargs()`` and
    ``settings.workers``, without a progress bar, and returns for each row the mean over seeds
    of each run's last ``last_months`` months, one column per outcome (model scale, not
    display scale), in the design's order.

    Args:
        settings: The notebook's settings.
        outcomes: Outcome metrics (catalogue names).
        scenario: The scenario the design's values are applied on.
        last_months: Months at the end of each run to average.
        **how: Passed on to :func:`dudao_sim.experiments.run_sweep` (``client``, ``scheduler``,
            ``workers``, ``out_dir``).

    Returns:
        ``evaluate(design) -> DataFrame``.

    Raises:
        KeyError: For an outcome not in the catalogue (at once, before any run).
    """
    from dudao_sim.experiments.ensemble import run_sweep

    outcomes = list(outcomes)
    for name in outcomes:
        metric(name)
    options = {"workers": settings.workers, "progress": False, **how}

    def evaluate(design: pd.DataFrame) -> pd.DataFrame:
        ensemble = run_sweep(
            settings.province,
            design,
            settings.seeds,
            scenario=scenario,
            **settings.run_kwargs(),
            **options,
        )
        means = _point_tail_means(ensemble.runs, outcomes, last_months)
        table = means.groupby(["point", "metric"])["value"].mean().unstack("metric")
        return table.reindex(design["point"].to_numpy())[outcomes].reset_index(drop=True)

    return evaluate


def factor_table(names: Sequence[str], lang: str = "en") -> pd.DataFrame:
    """What each factor of a design is: a policy lever (with its clause) or an assumption.

    Args:
        names: Lever or assumption names.
        lang: Language of lever labels (assumptions are labelled by their name).

    Returns:
        Indexed by ``factor``, columns ``kind`` (``"lever"`` or ``"assumption"``), ``label``,
        ``low``, ``high`` (the lever's allowed or the assumption's plausible range), ``unit``
        and ``basis`` (``"clause 八"`` for a lever, the source for an assumption).

    Raises:
        ValueError: For a name that is neither a lever nor an assumption.
    """
    from dudao_sim.policy.assumptions import ASSUMPTIONS
    from dudao_sim.policy.levers import LEVERS, unknown_key_error

    rows = []
    for name in names:
        if name in LEVERS:
            lever = LEVERS[name]
            basis = ("条款 " if lang == "zh" else "clause ") + "、".join(lever.clauses)
            label_ = lever.label(lang)
            rows.append((name, "lever", label_, lever.low, lever.high, lever.unit, basis))
        elif name in ASSUMPTIONS:
            a = ASSUMPTIONS[name]
            rows.append((name, "assumption", name, a.low, a.high, a.unit, a.source))
        else:
            raise unknown_key_error(name, {**LEVERS, **ASSUMPTIONS}, what="lever or assumption")
    columns = ["factor", "kind", "label", "low", "high", "unit", "basis"]
    return pd.DataFrame(rows, columns=columns).set_index("factor")
