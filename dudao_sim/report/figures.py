"""Figures comparing reform scenarios, in Chinese or English.

This module only draws. Each function takes the tidy output of
:func:`~dudao_sim.experiments.statistics.summarize`,
:func:`~dudao_sim.experiments.statistics.paired_differences`, the run frame or
:func:`~dudao_sim.experiments.statistics.by_region_summary`, selects its columns and returns
a :class:`matplotlib.figure.Figure` (not registered with pyplot, so nothing is shown twice in
a notebook); :func:`figure_png` renders one to PNG bytes and closes it.

- :func:`fig_indices` — the four clause-二十四 indices by scenario, with intervals;
- :func:`fig_paired` — each scenario minus the baseline, seed by seed, for key outcomes; a
  difference whose interval contains 0 is drawn hollow and grey;
- :func:`fig_trajectories` — monthly means over seeds, with a band, for a few metrics, on
  calendar years (month 0 is January of the first year after the switch);
- :func:`fig_by_city` — heatmaps of metrics by 市州 and scenario (last-months means);
- :func:`fig_county_map` — counties at their coordinates, coloured by a scenario's paired
  difference from the baseline.

Each scenario keeps one style everywhere (:mod:`dudao_sim.report.styles`): a colour, a line
style, a marker and a hatch, so eight scenarios stay apart in colour and in grey. Values and
axes use the catalogue's readable units (万元, pp, SD).

With ``lang="zh"`` the labels are Chinese when a CJK font is available
(:func:`~dudao_sim.report.fonts.use_cjk_fonts`), else English. Metric and scenario labels and
value formats come from :mod:`dudao_sim.report.labels` (re-exported here), axis and title
text from table ``figure`` of the text catalogue :mod:`dudao_sim.i18n`.
"""

from __future__ import annotations

import contextlib
import io
import math
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from dudao_sim.experiments.statistics import interval
from dudao_sim.i18n import LANGS, check_lang, text
from dudao_sim.model.calendar import MONTHS_PER_YEAR
from dudao_sim.report.fonts import available_cjk_fonts, font_rc, use_cjk_fonts
from dudao_sim.report.labels import (
    DIGITS,
    format_value,
    metric_better,
    metric_definition,
    metric_display,
    metric_label,
    metric_unit,
    scenario_description,
    scenario_label,
    scenario_order,
)
from dudao_sim.report.notebook import FIRST_YEAR
from dudao_sim.report.styles import (
    ScenarioStyle,
    scenario_palette,
    scenario_styles,
)

if TYPE_CHECKING:
    from dudao_sim.data.province import Province

__all__ = [
    "CITY_METRICS",
    "INDICES",
    "KEY_OUTCOMES",
    "LANGS",
    "PAIRED_METRICS",
    "TRAJECTORY_METRICS",
    "ScenarioStyle",
    "check_lang",
    "fig_by_city",
    "fig_county_map",
    "fig_indices",
    "fig_paired",
    "fig_trajectories",
    "figure_png",
    "format_value",
    "metric_better",
    "metric_definition",
    "metric_display",
    "metric_label",
    "scenario_description",
    "scenario_label",
    "scenario_order",
    "scenario_palette",
    "scenario_styles",
    "trajectory_means",
]

#: The clause-二十四 indices (全面覆盖、运转高效、结果权威、问责有力).
INDICES: tuple[str, ...] = (
    "index_coverage",
    "index_efficiency",
    "index_authority",
    "index_accountability",
)

#: Outcomes tabulated by scenario.
KEY_OUTCOMES: tuple[str, ...] = (
    "coverage_assigned",
    "coverage_visited",
    "visited_12m",
    "end_of_term_review_share",
    "counties_evaluated_12m",
    "flow_detection",
    "flow_detection_visit",
    "known_stock_share",
    "rectified_in_time",
    "fake_share",
    "rebound_rate",
    "months_to_resolve",
    "serious_failings_sanctioned",
    "sanctions_unfounded",
    "report_distortion",
    "quality_pupils",
    "quality_balance_sd",
    "duty_compliance",
    "n_incidents_school",
    "visits_per_school_year",
    "duplicate_share",
    "teacher_hours_per_school_year",
    "cost_yuan_year",
    "inspector_days_year",
    "inspectorate_schools_per_inspector",
    "inspectorate_full_time_share",
    "inspectorate_counties_meeting_ratio",
    "inspectorate_counties_full_time_in_band",
)

#: Outcomes drawn in :func:`fig_paired`.
PAIRED_METRICS: tuple[str, ...] = (
    *INDICES,
    "flow_detection",
    "fake_share",
    "rebound_rate",
    "report_distortion",
    "quality_pupils",
    "visits_per_school_year",
    "teacher_hours_per_school_year",
    "cost_yuan_year",
)

#: Metrics drawn in :func:`fig_trajectories`.
TRAJECTORY_METRICS: tuple[str, ...] = (
    "flow_detection",
    "rectified_in_time",
    "fake_share",
    "quality_pupils",
    "visits_per_school_year",
    "cost_yuan_year",
)

#: Metrics drawn in :func:`fig_by_city`.
CITY_METRICS: tuple[str, ...] = ("coverage_visited", "known_stock_share", "quality_pupils")


#: Table of the text catalogue holding the figures' axis labels and titles.
TEXT_TABLE = "figure"


def _text(key: str, lang: str, **values: object) -> str:
    return text(f"{TEXT_TABLE}.{key}", lang, **values)


def _band(level: float) -> Callable[[pd.Series], tuple[float, float]]:
    """A Student-t band for seaborn's ``errorbar`` (zero width below two seeds)."""

    def band(values: pd.Series) -> tuple[float, float]:
        mean, low, high, n = interval(values, level)
        return (mean, mean) if n < 2 else (low, high)

    return band


def _figure_lang(lang: str) -> str:
    check_lang(lang)
    if lang == "zh" and not use_cjk_fonts():
        return "en"
    return lang


@contextlib.contextmanager
def _style(lang: str) -> Iterator[None]:
    with (
        sns.axes_style("whitegrid"),
        sns.plotting_context("notebook", font_scale=0.85),
        mpl.rc_context(font_rc(lang)),
    ):
        yield


def _wrap(text: str, lang: str, width: int = 24) -> str:
    return "\n".join(textwrap.wrap(text, width if lang == "en" else width // 2 + 1)) or text


def _compact(x: float, lang: str) -> str:
    a = abs(x)
    if lang == "zh":
        if a >= 1e8:
            return f"{x / 1e8:g}亿"
        if a >= 1e4:
            return f"{x / 1e4:g}万"
        return f"{x:g}"
    if a >= 1e9:
        return f"{x / 1e9:g}B"
    if a >= 1e6:
        return f"{x / 1e6:g}M"
    if a >= 1e3:
        return f"{x / 1e3:g}k"
    return f"{x:g}"


def _axis_formatter(metric: str, lang: str, diff: bool = False) -> FuncFormatter | None:
    """Tick labels on the readable scale the axis label names (% / pp, 万元, plain)."""
    shown = metric_display(metric, lang, human=True)
    if shown.axis == "percent":
        if diff:
            return FuncFormatter(lambda x, _: f"{shown.scale * x:+.3g}" if x else "0")
        return PercentFormatter(100.0 / shown.scale)
    if shown.scale != 1.0:  # a readable unit of its own (yuan in 万元): ticks in that unit
        return FuncFormatter(lambda x, _: _compact(shown.scale * x, lang))
    if shown.axis == "compact":
        return FuncFormatter(lambda x, _: _compact(x, lang))
    return None


def _pick(frame: pd.DataFrame, scenarios: Sequence[str] | None) -> list[str]:
    present = frame["scenario"].unique().tolist()
    if scenarios is None:
        return scenario_order(present)
    return [s for s in scenarios if s in set(present)]


def _scenario_legend(
    fig: Figure,
    names: Sequence[str],
    lang: str,
    styles: dict[str, ScenarioStyle],
    extra: Sequence[Artist] = (),
    bars: bool = False,
) -> None:
    handles: list[Artist] = []
    for n in names:
        s = styles[n]
        if bars:
            handles.append(Patch(facecolor=s.colour, edgecolor="0.15", hatch=s.hatch))
        else:
            handles.append(
                Line2D([], [], color=s.colour, marker=s.marker, linestyle=s.linestyle, lw=1.6)
            )
    labels = [scenario_label(n, lang) for n in names]
    handles += list(extra)
    labels += [str(h.get_label()) for h in extra]
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=min(len(labels), 3),
        frameon=False,
        handlelength=3.2,
    )


def fig_indices(
    summary: pd.DataFrame, lang: str = "en", scenarios: Sequence[str] | None = None
) -> Figure:
    """The four clause-二十四 indices by scenario, with confidence intervals.

    Args:
        summary: Output of :func:`~dudao_sim.experiments.statistics.summarize`.
        lang: ``"zh"`` or ``"en"`` (``"zh"`` falls back to English without a CJK font).
        scenarios: Scenarios to show, in order (default: all, shipped order).

    Returns:
        The figure (grouped bars: index × scenario, each scenario with its own colour and
        hatch; error bars = intervals).
    """
    lang = _figure_lang(lang)
    data = summary[summary["metric"].isin(INDICES)]
    names = _pick(data, scenarios)
    indices = [m for m in INDICES if m in set(data["metric"])]
    styles = scenario_styles(names)
    lookup = data.set_index(["scenario", "metric"])
    width = 0.8 / max(len(names), 1)
    with _style(lang):
        fig = Figure(figsize=(8.5, 5.0), layout="constrained")
        ax = fig.add_subplot()
        top = 1.0
        for i, name in enumerate(names):
            xs, means, lows, highs = [], [], [], []
            for j, metric in enumerate(indices):
                if (name, metric) not in lookup.index:
                    continue
                row = lookup.loc[(name, metric)]
                xs.append(j - 0.4 + width * (i + 0.5))
                means.append(row["mean"])
                lows.append(row["mean"] - row["ci_low"] if pd.notna(row["ci_low"]) else 0.0)
                highs.append(row["ci_high"] - row["mean"] if pd.notna(row["ci_high"]) else 0.0)
                if pd.notna(row["ci_high"]):
                    top = max(top, float(row["ci_high"]))
            style = styles[name]
            ax.bar(
                xs,
                means,
                width=width * 0.95,
                color=style.colour,
                hatch=style.hatch,
                edgecolor="0.15",
                linewidth=0.5,
                label=name,
            )
            ax.errorbar(xs, means, yerr=[lows, highs], fmt="none", ecolor="0.15", capsize=3, lw=1.1)
        ax.set_xticks(range(len(indices)), [metric_label(m, lang) for m in indices])
        ax.set_ylim(0, top * 1.05)
        ax.set_ylabel(_text("score", lang))
        ax.set_title(_text("indices_title", lang))
        sns.despine(ax=ax)
        _scenario_legend(fig, names, lang, styles, bars=True)
    return fig


def fig_paired(
    paired: pd.DataFrame,
    lang: str = "en",
    metrics: Sequence[str] = PAIRED_METRICS,
    scenarios: Sequence[str] | None = None,
    baseline: str | None = None,
) -> Figure:
    """Paired differences from the baseline, one panel per outcome.

    Each scenario keeps its marker; differences whose interval contains 0 (``within_noise``)
    are drawn hollow and grey.

    Args:
        paired: Output of :func:`~dudao_sim.experiments.statistics.paired_differences`.
        lang: ``"zh"`` or ``"en"``.
        metrics: Outcomes to draw (those missing from ``paired`` are skipped).
        scenarios: Scenarios to show, in order (default: all, shipped order).
        baseline: Name of the baseline, for the title (and the first style).

    Returns:
        The figure.
    """
    lang = _figure_lang(lang)
    names = _pick(paired, scenarios)
    shown = [m for m in metrics if m in set(paired["metric"])]
    styles = scenario_styles([baseline, *names] if baseline else names)
    lookup = paired.set_index(["scenario", "metric"])
    ncols = min(4, max(len(shown), 1))
    nrows = max(math.ceil(len(shown) / ncols), 1)
    height = 0.9 + nrows * (0.6 + 0.32 * max(len(names), 1))
    with _style(lang):
        fig = Figure(figsize=(3.2 * ncols + 1.5, height + 0.8), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
        for k, ax in enumerate(axes.flat):
            if k >= len(shown):
                ax.set_visible(False)
                continue
            metric = shown[k]
            ax.axvline(0.0, color="0.2", lw=0.9)
            for i, name in enumerate(names):
                if (name, metric) not in lookup.index:
                    continue
                row = lookup.loc[(name, metric)]
                noise = bool(row["within_noise"])
                colour = "0.6" if noise else styles[name].colour
                err = [
                    [row["diff_mean"] - row["ci_low"] if pd.notna(row["ci_low"]) else 0.0],
                    [row["ci_high"] - row["diff_mean"] if pd.notna(row["ci_high"]) else 0.0],
                ]
                ax.errorbar(
                    [row["diff_mean"]],
                    [i],
                    xerr=err,
                    fmt=styles[name].marker,
                    color=colour,
                    mfc="white" if noise else colour,
                    mec=colour,
                    ms=7,
                    capsize=3,
                    lw=1.4,
                )
            ax.set_title(_wrap(metric_label(metric, lang), lang, 30), fontsize=10)
            formatter = _axis_formatter(metric, lang, diff=True)
            if formatter is not None:
                ax.xaxis.set_major_formatter(formatter)
            ax.set_xlabel(_unit_axis_label(metric, lang, diff=True), fontsize=8)
            ax.margins(x=0.15)
        axes[0, 0].set_yticks(
            range(len(names)), [_wrap(scenario_label(n, lang), lang, 22) for n in names]
        )
        axes[0, 0].set_ylim(len(names) - 0.5, -0.5)
        base = scenario_label(baseline, lang) if baseline else "—"
        fig.suptitle(_text("paired_title", lang, base=base))
        noise = Line2D(
            [],
            [],
            color="0.6",
            marker="o",
            mfc="white",
            linestyle="",
            markersize=8,
            label=_text("noise", lang),
        )
        marks = {n: replace(styles[n], linestyle="") for n in names}
        _scenario_legend(fig, names, lang, marks, extra=[noise])
    return fig


def _unit_axis_label(metric: str, lang: str, diff: bool = False) -> str:
    """Axis label of a metric's unit, e.g. "Difference from baseline (pp)" or "万元"."""
    unit = metric_unit(metric, lang, diff=diff)
    if diff:
        return _text("diff_unit", lang, unit=unit) if unit else _text("diff", lang)
    return unit


def trajectory_means(
    runs: pd.DataFrame, metrics: Sequence[str], level: float = 0.95
) -> pd.DataFrame:
    """Mean over seeds of each metric, month by month, with its interval.

    Args:
        runs: Tidy run frame.
        metrics: Metrics to keep.
        level: Confidence level.

    Returns:
        Columns ``scenario``, ``metric``, ``month``, ``mean``, ``ci_low``, ``ci_high`` (the
        bounds equal the mean with fewer than two seeds).
    """
    data = runs[runs["metric"].isin(list(metrics))]
    rows = []
    for (scenario, metric, month), values in data.groupby(["scenario", "metric", "month"])["value"]:
        mean, low, high, n = interval(values, level)
        rows.append(
            (scenario, metric, month, mean, low if n > 1 else mean, high if n > 1 else mean)
        )
    return pd.DataFrame(rows, columns=["scenario", "metric", "month", "mean", "ci_low", "ci_high"])


def fig_trajectories(
    runs: pd.DataFrame,
    lang: str = "en",
    metrics: Sequence[str] = TRAJECTORY_METRICS,
    scenarios: Sequence[str] | None = None,
    level: float = 0.95,
    first_year: int = FIRST_YEAR,
) -> Figure:
    """Monthly mean over seeds of a few metrics by scenario, in calendar years, with a band.

    Month 0 of a run (the switch to the scenario) is January of ``first_year`` (the model's
    calendar starts every year in January), so month ``m`` is drawn at
    ``first_year + m / 12``.

    Args:
        runs: Tidy run frame (``scenario``, ``seed``, ``month``, ``metric``, ``value``).
        lang: ``"zh"`` or ``"en"``.
        metrics: Metrics to draw, one panel each (missing ones are skipped).
        scenarios: Scenarios to show, in order (default: all, shipped order).
        level: Confidence level of the band.
        first_year: Calendar year of the first month after the switch.

    Returns:
        The figure; each scenario with its colour, line style and markers.
    """
    lang = _figure_lang(lang)
    names = _pick(runs, scenarios)
    shown = [m for m in metrics if m in set(runs["metric"])]
    styles = scenario_styles(names)
    data = trajectory_means(runs[runs["scenario"].isin(names)], shown, level)
    ncols = min(3, max(len(shown), 1))
    nrows = max(math.ceil(len(shown) / ncols), 1)
    months = int(data["month"].max()) + 1 if len(data) else 1
    with _style(lang):
        fig = Figure(figsize=(4.2 * ncols, 3.0 * nrows + 0.9), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False)
        for k, ax in enumerate(axes.flat):
            if k >= len(shown):
                ax.set_visible(False)
                continue
            metric = shown[k]
            for name in names:
                part = data[(data["metric"] == metric) & (data["scenario"] == name)]
                part = part.sort_values("month")
                years = first_year + part["month"] / MONTHS_PER_YEAR
                s = styles[name]
                ax.fill_between(years, part["ci_low"], part["ci_high"], color=s.colour, alpha=0.15)
                ax.plot(
                    years,
                    part["mean"],
                    color=s.colour,
                    linestyle=s.linestyle,
                    marker=s.marker,
                    markevery=max(months // 6, 1),
                    markersize=5,
                    lw=1.5,
                )
            ax.set_title(_wrap(metric_label(metric, lang), lang, 36), fontsize=10)
            ax.set_ylabel(_unit_axis_label(metric, lang))
            ax.set_xlabel(_text("year", lang))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            formatter = _axis_formatter(metric, lang)
            if formatter is not None:
                ax.yaxis.set_major_formatter(formatter)
            sns.despine(ax=ax)
        fig.suptitle(_text("trajectories_title", lang))
        _scenario_legend(fig, names, lang, styles)
    return fig


def fig_by_city(
    by_city: pd.DataFrame,
    lang: str = "en",
    metrics: str | Sequence[str] = CITY_METRICS,
    scenarios: Sequence[str] | None = None,
    last_months: int = 12,
) -> Figure:
    """Heatmaps of metrics by 市州 (rows) and scenario (columns).

    Args:
        by_city: Output of :func:`~dudao_sim.experiments.statistics.by_region_summary`.
        lang: ``"zh"`` or ``"en"``.
        metrics: One metric or several (one heatmap each; missing ones are skipped).
        scenarios: Scenarios to show, in order (default: all, shipped order).
        last_months: Months averaged (for the title only).

    Returns:
        The figure. City names are shown when a CJK font is available, else codes.
    """
    lang = _figure_lang(lang)
    cjk = lang == "zh" or bool(available_cjk_fonts())
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    names = _pick(by_city, scenarios)
    shown = [m for m in metrics if m in set(by_city["metric"])]
    cities = by_city[["code", "name"]].astype({"code": str}).drop_duplicates("code")
    cities = cities.sort_values("code")
    city_labels = dict(zip(cities["code"], cities["name"] if cjk else cities["code"], strict=True))
    n_rows = max(len(cities), 1)
    n_panels = max(len(shown), 1)
    side_by_side = len(names) <= 4  # else one heatmap under the other
    panel_w = 1.6 + 0.85 * max(len(names), 1)
    panel_h = 1.6 + 0.42 * n_rows
    with _style(lang):
        fig = Figure(
            figsize=(
                panel_w * (n_panels if side_by_side else 1) + 1.2,
                panel_h * (1 if side_by_side else n_panels) + 0.6,
            ),
            layout="constrained",
        )
        shape = (1, n_panels) if side_by_side else (n_panels, 1)
        axes = fig.subplots(*shape, squeeze=False).flat
        for k, metric in enumerate(shown):
            ax = axes[k]
            sub = by_city[by_city["metric"] == metric].astype({"code": str})
            grid = sub.pivot_table(index="code", columns="scenario", values="mean", dropna=False)
            grid = grid.reindex(index=list(cities["code"]), columns=names)
            annot = grid.apply(
                lambda col, m=metric: col.map(
                    lambda v: format_value(v, m, lang, digits=DIGITS, human=True)
                )
            )
            grid.index = [city_labels[c] for c in grid.index]
            grid.columns = [_wrap(scenario_label(n, lang), lang, 18) for n in names]
            better = metric_better(metric)
            first = k == 0 or not side_by_side
            sns.heatmap(
                grid,
                annot=annot.to_numpy() if grid.size <= 240 else False,
                fmt="",
                cmap="viridis_r" if better < 0 else "viridis",
                cbar_kws={"shrink": 0.8, "format": _axis_formatter(metric, lang)},
                linewidths=0.5,
                linecolor="white",
                yticklabels=first,
                annot_kws={"fontsize": 8},
                ax=ax,
            )
            ax.set_title(_wrap(metric_label(metric, lang), lang, 30), fontsize=10)
            ax.set_xlabel("")
            ax.set_ylabel(_text("city", lang) if first else "")
            ax.tick_params(axis="x", labelrotation=35, labelsize=8)
            for tick in ax.get_xticklabels():
                tick.set_horizontalalignment("right")
            ax.tick_params(axis="y", labelrotation=0)
        if not shown:
            axes[0].set_axis_off()
        fig.suptitle(_text("by_city_title", lang, n=last_months))
    return fig


def fig_county_map(
    county_paired: pd.DataFrame,
    province: Province,
    lang: str = "en",
    metrics: Sequence[str] = CITY_METRICS,
    scenario: str | None = None,
    baseline: str | None = None,
) -> Figure:
    """Counties at their coordinates, coloured by a scenario's paired difference from the baseline.

    One map-like scatter per metric (:func:`~dudao_sim.structure.drawing.county_map`: points
    at the counties' longitude and latitude, 市州 names at their counties' centroid). A county
    whose interval contains 0 is drawn as a hollow grey ring.

    Args:
        county_paired: Per-county paired differences: columns ``code``, ``metric``,
            ``diff_mean``, ``within_noise`` (one scenario against the baseline).
        province: The province (coordinates and names).
        lang: ``"zh"`` or ``"en"``.
        metrics: Metrics to map, one panel each (missing ones are skipped).
        scenario: The scenario compared (for the title).
        baseline: The baseline (for the title).

    Returns:
        The figure; colours diverge around 0, the better direction in blue.
    """
    from dudao_sim.structure.drawing import county_map

    lang = _figure_lang(lang)
    shown = [m for m in metrics if m in set(county_paired["metric"])]
    panels = max(len(shown), 1)
    with _style(lang):
        fig = Figure(figsize=(4.6 * panels + 0.4, 4.9), layout="constrained")
        axes = fig.subplots(1, panels, squeeze=False).flat
        for ax, metric in zip(axes, shown, strict=False):
            part = county_paired[county_paired["metric"] == metric].astype({"code": str})
            scale = metric_display(metric, lang, human=True).scale
            part = part.assign(shown=part["diff_mean"] * scale)
            real = part[~part["within_noise"].astype(bool)]
            noise = part[part["within_noise"].astype(bool)]
            limit = float(part["shown"].abs().max()) if len(part) else 1.0
            limit = limit if math.isfinite(limit) and limit > 0 else 1.0
            better = metric_better(metric)
            county_map(
                province,
                real[["code", "shown"]],
                "shown",
                ax=ax,
                label=_unit_axis_label(metric, lang, diff=True),
                cmap="RdBu_r" if better < 0 else "RdBu",
                vmin=-limit,
                vmax=limit,
            )
            if len(noise):
                coords = province.county_table[["longitude", "latitude"]]
                where = coords.reindex(noise["code"])
                ax.scatter(
                    where["longitude"],
                    where["latitude"],
                    s=24,
                    facecolors="none",
                    edgecolors="0.45",
                    linewidths=0.9,
                )
            ax.set_title(_wrap(metric_label(metric, lang), lang, 30), fontsize=10)
            ax.set_xlabel(_text("longitude", lang))
            ax.set_ylabel(_text("latitude", lang))
        if not shown:
            next(iter(axes)).set_axis_off()
        title = _text(
            "county_map_title",
            lang,
            scenario=scenario_label(scenario, lang) if scenario else "—",
            base=scenario_label(baseline, lang) if baseline else "—",
        )
        fig.suptitle(title)
        ring = Line2D(
            [],
            [],
            color="0.45",
            marker="o",
            mfc="none",
            linestyle="",
            markersize=6,
            label=_text("noise", lang),
        )
        fig.legend([ring], [ring.get_label()], loc="outside lower center", frameon=False)
    return fig


def figure_png(fig: Figure, dpi: int = 100, lang: str = "en") -> bytes:
    """Render a figure to PNG bytes with the CJK font settings, then close it.

    Args:
        fig: The figure.
        dpi: Resolution.
        lang: Font order for text made while drawing (tick labels): ``"en"`` (the default)
            puts the Latin font first, ``"zh"`` the CJK font. Text made with the figure
            keeps the fonts of its language either way.

    Returns:
        The PNG file's bytes.
    """
    buffer = io.BytesIO()
    try:
        with mpl.rc_context(font_rc(lang)):
            fig.savefig(buffer, format="png", dpi=dpi)
    finally:
        plt.close(fig)
    return buffer.getvalue()
