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


# ---------------------------------------------------------------- tables on display scales

#: Value columns :func:`display_frame` rescales when none are named.
VALUE_COLUMNS: tuple[str, ...] = ("value", "mean", "diff_mean", "ci_low", "ci_high")


def display_frame(
    frame: pd.DataFrame, columns: Sequence[str] | None = None, lang: str = "en"
) -> pd.DataFrame:
    """A per-metric table on each metric's display scale, with its label and display unit.

    For ``Ensemble.summary()``, ``Ensemble.paired()`` or
    :func:`dudao_sim.experiments.statistics.paired_contrasts`: shares become per cent (their
    differences percentage points), other units stay as they are.

    Args:
        frame: A table with a ``metric`` column.
        columns: Value columns to rescale (default: those of :data:`VALUE_COLUMNS` present).
        lang: Language of the ``label`` and ``unit`` columns.

    Returns:
        A copy with ``label`` and ``unit`` right after ``metric`` and the value columns
        rescaled. ``unit`` is the display unit (``%``; ``pp`` for a difference, when the frame
        has ``diff_mean``), or the catalogue unit where values are shown unscaled.

    Raises:
        KeyError: For a metric not in the catalogue.
        ValueError: If ``frame`` has no ``metric`` column.
    """
    if "metric" not in frame.columns:
        raise ValueError("frame: needs a 'metric' column")
    columns = [c for c in VALUE_COLUMNS if c in frame.columns] if columns is None else columns
    names = list(dict.fromkeys(frame["metric"]))
    shown = {m: metric(m).display(lang) for m in names}
    diff = "diff_mean" in frame.columns
    out = frame.copy()
    factor = out["metric"].map({m: float(d.scale) for m, d in shown.items()})
    for column in columns:
        out[column] = out[column] * factor
    units = {
        m: (d.diff_suffix if diff else d.suffix).strip() or metric(m).unit for m, d in shown.items()
    }
    at = list(out.columns).index("metric") + 1
    out.insert(at, "unit", out["metric"].map(units))
    out.insert(at, "label", out["metric"].map({m: metric(m).label(lang) for m in names}))
    return out


def scenario_scatter(
    summary: pd.DataFrame,
    x: str,
    y: str,
    scenarios: Sequence[str] | None = None,
    ax: Any = None,
    lang: str = "en",
    annotate: bool = True,
) -> Any:
    """Scenario means of two metrics against each other, with 95 % intervals on both axes.

    For trade-offs such as cost or teachers' hours (``x``) against an outcome (``y``).

    Args:
        summary: ``Ensemble.summary()`` (``scenario``, ``metric``, ``mean``, ``ci_low``,
            ``ci_high``).
        x: Metric on the horizontal axis.
        y: Metric on the vertical axis.
        scenarios: Scenarios to show, in this order (default: all, in the summary's order).
        ax: Matplotlib axes (default: a new figure).
        lang: Language of the axis labels.
        annotate: Write each scenario's name beside its point (else use a legend: each
            point carries its scenario as its label).

    Returns:
        The axes: one point per scenario; values on display scales (counts and yuan with
        compact ticks such as ``2M``).

    Raises:
        ValueError: If ``x`` or ``y`` (or a scenario) is not in the summary.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import EngFormatter

    shown = display_frame(summary[summary["metric"].isin([x, y])], lang=lang)
    for name in (x, y):
        if name not in set(shown["metric"]):
            raise ValueError(f"metric {name!r} is not in the summary")
    wide = shown.pivot(index="scenario", columns="metric", values=["mean", "ci_low", "ci_high"])
    order = list(dict.fromkeys(summary["scenario"])) if scenarios is None else list(scenarios)
    missing = [s for s in order if s not in wide.index]
    if missing:
        raise ValueError(f"scenario(s) {missing} are not in the summary")
    if ax is None:
        _, ax = plt.subplots()
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, name in enumerate(order):
        row = wide.loc[name]
        errors = {
            f"{axis}err": [
                [row[("mean", m)] - row[("ci_low", m)]],
                [row[("ci_high", m)] - row[("mean", m)]],
            ]
            for axis, m in (("x", x), ("y", y))
        }
        ax.errorbar(
            row[("mean", x)],
            row[("mean", y)],
            fmt="o",
            capsize=3,
            color=colours[i % len(colours)],
            label=name,
            **{k: [[0.0 if pd.isna(v) else v for v in vs] for vs in e] for k, e in errors.items()},
        )
        if annotate:
            ax.annotate(
                name,
                (row[("mean", x)], row[("mean", y)]),
                textcoords="offset points",
                xytext=(5, 4),
                fontsize="small",
            )
    for axis, name in ((ax.xaxis, x), (ax.yaxis, y)):
        if metric(name).display(lang).axis == "compact":
            axis.set_major_formatter(EngFormatter(sep=""))
    ax.set_xlabel(axis_label(x, lang))
    ax.set_ylabel(axis_label(y, lang))
    return ax


# ---------------------------------------------------------------- reports up the hierarchy

#: Counts on the ``oversees`` edges of ``SupervisionModel.reporting_graph()``.
FLOW_COLUMNS: tuple[str, ...] = ("truth", "known", "reported", "arrived", "passed_on")


def _government_name(graph: Any, code: str) -> str:
    node = graph.nodes.get(f"gov:{code}") or graph.nodes.get(f"office:{code}") or {}
    return str(node.get("name", code))


def report_flows(graph: Any) -> pd.DataFrame:
    """The month's upward reports on a reporting graph, one row per ``oversees`` edge.

    Args:
        graph: ``SupervisionModel.reporting_graph()`` of a model that has run.

    Returns:
        Columns ``level`` (``"county"``: a county office reporting to its city; ``"city"``: a
        city office reporting to the province), ``source``, ``target`` (office nodes; reports
        flow from target to source), ``city_code``, ``city``, ``code``, ``name``, ``parent``
        (government names; ``parent`` receives the report) and :data:`FLOW_COLUMNS`. County
        rows leave ``passed_on`` empty; city rows hold their counties' sums of ``truth``,
        ``known`` and ``reported``, the ``arrived`` and ``passed_on`` of their own edge.
        Counties first, then cities, each by code.

    Raises:
        ValueError: If no edge carries report flows (the model has not run a month).
    """
    rows = []
    for source, target, data in graph.edges(data=True):
        if data.get("relation") != "oversees" or "arrived" not in data:
            continue
        level = graph.nodes[target].get("level")
        if level not in ("county", "city"):
            continue
        code = str(graph.nodes[target]["code"])
        city_code = str(graph.nodes[source]["code"]) if level == "county" else code
        row = {
            "level": level,
            "source": source,
            "target": target,
            "city_code": city_code,
            "city": _government_name(graph, city_code),
            "code": code,
            "name": _government_name(graph, code),
            "parent": _government_name(graph, str(graph.nodes[source]["code"])),
        }
        row.update({k: float(data[k]) if k in data else float("nan") for k in FLOW_COLUMNS})
        rows.append(row)
    if not rows:
        raise ValueError("graph: no report flows on its edges; run the model at least a month")
    out = pd.DataFrame(rows)
    counties = out["level"] == "county"
    sums = out[counties].groupby("city_code")[["truth", "known", "reported"]].sum()
    for column in ("truth", "known", "reported"):
        out.loc[~counties, column] = out.loc[~counties, "code"].map(sums[column]).fillna(0.0)
    out["level"] = pd.Categorical(out["level"], ["county", "city"])
    out = out.sort_values(["level", "code"]).reset_index(drop=True)
    out["level"] = out["level"].astype(str)
    return out


def collect_report_flows(model: Any, last_months: int = 12) -> pd.DataFrame:
    """Run a model to its end and keep the report flows of its last months.

    Args:
        model: A :class:`~dudao_sim.model.model.SupervisionModel` with at least
            ``last_months`` months still to run (usually a new one).
        last_months: Months at the end of the run to keep.

    Returns:
        :func:`report_flows` of each of the last months, with a ``month`` column first
        (0 = the first month of the scenario, as in ``model.metrics()``).

    Raises:
        ValueError: If ``last_months`` < 1 or fewer months are left to run.
    """
    if isinstance(last_months, bool) or not isinstance(last_months, int) or last_months < 1:
        raise ValueError(
            f"last_months: {last_months!r} is not allowed; must be a whole number >= 1"
        )
    end = model.warmup_months + model.months
    left = end - model.t
    if left < last_months:
        raise ValueError(
            f"last_months: {last_months} is more than the {left} month(s) the model has left to run"
        )
    model.run(left - last_months)
    frames = []
    for _ in range(last_months):
        model.step()
        month = model.t - 1 - model.warmup_months
        frames.append(report_flows(model.reporting_graph()).assign(month=month))
    out = pd.concat(frames, ignore_index=True)
    return out[["month", *[c for c in out.columns if c != "month"]]]


#: Columns of :func:`report_losses` that split the truth into where problems stop (sum to 1).
LOSS_COLUMNS: tuple[str, ...] = (
    "not_known",
    "withheld_by_county",
    "in_transit",
    "withheld_by_city",
    "reaching_province",
)


def report_losses(flows: pd.DataFrame, by: str = "city") -> pd.DataFrame:
    """Where problems present in counties are lost on their way to the province.

    Counts are monthly means (over the ``month`` column when there is one). Each group's
    problems present (truth) split into shares that add up to 1: ``not_known`` (the county
    does not know of them: a detection gap, not distortion), ``withheld_by_county`` (known but
    not reported), ``in_transit`` (reported but not yet arrived: the reporting delay; negative
    when earlier, larger reports arrive), ``withheld_by_city`` (arrived at the city, not passed
    on) and ``reaching_province``. ``county_passes`` = reported ÷ known (1 − report
    distortion) and ``city_passes`` = passed on ÷ arrived are the two stages' pass-on shares.

    Args:
        flows: :func:`report_flows` or :func:`collect_report_flows`.
        by: ``"county"``, ``"city"`` or ``"province"``. By county, a county's ``passed_on`` is
            its arrived reports times its city's pass-on share (cities pass on one total).

    Returns:
        One row per group (identity columns, then :data:`FLOW_COLUMNS`, :data:`LOSS_COLUMNS`,
        ``county_passes``, ``city_passes``), by code.

    Raises:
        ValueError: For an unknown ``by`` or a frame without flow columns.
    """
    keys = {"county": ["city_code", "city", "code", "name"], "city": ["code", "name"]}
    if by not in (*keys, "province"):
        raise ValueError(f"by: {by!r} is not allowed; use 'county', 'city' or 'province'")
    missing = [c for c in ("level", "code", *FLOW_COLUMNS) if c not in flows.columns]
    if missing:
        raise ValueError(f"flows: missing column(s) {missing}; give report_flows()")
    n_months = flows["month"].nunique() if "month" in flows.columns else 1
    counties = flows[flows["level"] == "county"].copy()
    cities = flows[flows["level"] == "city"]
    city_sums = cities.groupby("code")[["arrived", "passed_on"]].sum()
    city_share = city_sums["passed_on"] / city_sums["arrived"].where(city_sums["arrived"] > 0)
    counties["passed_on"] = counties["arrived"] * counties["city_code"].map(city_share).fillna(1.0)
    if by == "city":
        group = cities[["code", "name", *FLOW_COLUMNS]]
    elif by == "county":
        group = counties[[*keys["county"], *FLOW_COLUMNS]]
    else:
        group = cities[list(FLOW_COLUMNS)].assign(name="province")
    ident = keys.get(by, ["name"])
    out = group.groupby(ident, sort=True, as_index=False)[list(FLOW_COLUMNS)].sum()
    out[list(FLOW_COLUMNS)] = out[list(FLOW_COLUMNS)] / n_months
    truth = out["truth"].where(out["truth"] > 0)
    out["not_known"] = (out["truth"] - out["known"]) / truth
    out["withheld_by_county"] = (out["known"] - out["reported"]) / truth
    out["in_transit"] = (out["reported"] - out["arrived"]) / truth
    out["withheld_by_city"] = (out["arrived"] - out["passed_on"]) / truth
    out["reaching_province"] = out["passed_on"] / truth
    out["county_passes"] = out["reported"] / out["known"].where(out["known"] > 0)
    out["city_passes"] = out["passed_on"] / out["arrived"].where(out["arrived"] > 0)
    if by != "province":
        out = out.sort_values("code").reset_index(drop=True)
    return out


def draw_reporting_graph(
    flows: pd.DataFrame,
    ax: Any = None,
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: str = "viridis",
    lang: str = "en",
) -> Any:
    """Draw the reporting tree (province ← 市州 ← 县市区) with networkx, flows on the edges.

    Reports flow upward. Each edge's width is proportional to the problems that arrive over
    it (county → city: ``arrived``; city → province: ``passed_on``), its colour the share
    passed on at that stage (county edges: reported ÷ known; city edges: passed on ÷
    arrived). Counties sit at the bottom grouped by city, each city above its counties, the
    province on top; the province and cities are labelled (every other city's label raised, so
    neighbouring names do not overlap).

    Args:
        flows: :func:`report_flows` or :func:`collect_report_flows` (means over months).
        ax: Matplotlib axes (default: a new wide figure).
        vmin: Lower end of the colour scale (default: the smallest share shown).
        vmax: Upper end of the colour scale (default: the largest share shown).
        cmap: Matplotlib colormap name.
        lang: Language of the colour bar's label.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt
    import networkx as nx
    import numpy as np

    county = report_losses(flows, by="county")
    city = report_losses(flows, by="city")
    if ax is None:
        _, ax = plt.subplots(figsize=(max(8.0, 0.09 * len(county) + 4), 4.5))
    tree = nx.DiGraph()
    pos: dict[str, tuple[float, float]] = {}
    for i, row in enumerate(county.itertuples(index=False)):
        node = f"county:{row.code}"
        pos[node] = (float(i), 0.0)
        tree.add_edge(node, f"city:{row.city_code}", width=row.arrived, share=row.county_passes)
    for row in city.itertuples(index=False):
        node = f"city:{row.code}"
        below = [pos[f"county:{c}"][0] for c in county.loc[county["city_code"] == row.code, "code"]]
        pos[node] = (float(np.mean(below)) if below else 0.0, 1.0)
        tree.add_edge(node, "province", width=row.passed_on, share=row.city_passes)
    pos["province"] = (float(np.mean([pos[n][0] for n in pos if n.startswith("city:")])), 2.0)
    edges = list(tree.edges(data=True))
    widths = np.array([d["width"] for *_, d in edges], float)
    shares = np.array([d["share"] for *_, d in edges], float)
    lo = float(np.nanmin(shares)) if vmin is None else vmin
    hi = float(np.nanmax(shares)) if vmax is None else vmax
    top = float(np.nanmax(widths)) if len(widths) and np.nanmax(widths) > 0 else 1.0
    nx.draw_networkx_edges(
        tree,
        pos,
        edgelist=[(u, v) for u, v, _ in edges],
        width=0.5 + 7.5 * np.sqrt(np.nan_to_num(widths) / top),
        edge_color=shares,
        edge_cmap=plt.get_cmap(cmap),
        edge_vmin=lo,
        edge_vmax=hi,
        arrows=True,
        arrowstyle="-|>",
        arrowsize=6,
        ax=ax,
    )
    nx.draw_networkx_nodes(tree, pos, node_size=12, node_color="0.3", ax=ax)
    names = {f"city:{r.code}": r.name for r in city.itertuples(index=False)}
    parents = flows.loc[flows["level"] == "city", "parent"]
    names["province"] = str(parents.iloc[0]) if len(parents) else "province"
    for i, (node, text) in enumerate(names.items()):
        x, y = pos[node]
        lift = 0.08 + (0.2 if node.startswith("city:") and i % 2 else 0.0)  # neighbours alternate
        ax.text(x, y + lift, text, ha="center", va="bottom", fontsize="small")
    ax.set_ylim(-0.3, 2.5)
    ax.set_axis_off()
    mappable = plt.cm.ScalarMappable(cmap=plt.get_cmap(cmap), norm=plt.Normalize(lo, hi))
    label_ = "上报比例（本级报出 ÷ 收到或掌握）" if lang == "zh" else "Share passed on at the stage"
    ax.figure.colorbar(mappable, ax=ax, label=label_, shrink=0.8)
    return ax
