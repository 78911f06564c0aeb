"""Figures of the dashboard: trajectories in calendar years, and a map-like county scatter.

Labels, units and display scales come from the metric catalogue; scenario names from the
scenario files; every text follows the language. Figures are returned as PNG bytes for an
``ipywidgets.Image`` (they show the same in a notebook, in Voilà and in tests).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from dudao_sim.dashboard.session import BASELINES, EDITED, Results, province_coordinates
from dudao_sim.dashboard.texts import text
from dudao_sim.data.province import Province
from dudao_sim.metrics.catalogue import metric
from dudao_sim.report.figures import figure_png, scenario_label
from dudao_sim.report.fonts import font_rc, use_cjk_fonts
from dudao_sim.report.notebook import axis_label

#: Metrics drawn over the years, one panel each.
TRAJECTORY_METRICS: tuple[str, ...] = (
    "flow_detection",
    "dressing_mean",
    "fake_share",
    "quality_pupils",
    "teacher_hours_per_school_year",
    "cost_yuan_year",
)

#: Colours of the edited policy and the baselines.
COLOURS = {EDITED: "#d55e00", "reform_2021": "#0072b2", "pre_reform": "#7f7f7f"}


def series_label(scenario: str, lang: str) -> str:
    """Legend text of a scenario (the edited policy or a shipped scenario)."""
    return text("edited", lang) if scenario == EDITED else scenario_label(scenario, lang)


def _rc(lang: str) -> dict[str, object]:
    use_cjk_fonts(lang)
    return {**font_rc(lang), "axes.spines.top": False, "axes.spines.right": False}


def fig_years(results: Results, lang: str = "en", metrics: Sequence[str] = TRAJECTORY_METRICS):
    """Mean over seeds of each metric, month by month, in calendar years.

    Args:
        results: The dashboard's results.
        lang: ``"zh"`` or ``"en"``.
        metrics: Metrics to draw (missing ones skipped).

    Returns:
        The figure.
    """
    runs = results.runs
    names = [m for m in metrics if m in set(runs["metric"])]
    first_year = results.settings.first_year
    with mpl.rc_context(_rc(lang)):
        ncols = 3
        nrows = max(1, int(np.ceil(len(names) / ncols)))
        fig = Figure(figsize=(12, 3.1 * nrows), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, name in zip(axes, names, strict=False):
            scale = metric(name).display(lang).scale
            part = runs[runs["metric"] == name]
            mean = part.groupby(["scenario", "month"])["value"].mean().reset_index()
            for scenario in (EDITED, *BASELINES):
                s = mean[mean["scenario"] == scenario]
                ax.plot(
                    first_year + s["month"] / 12.0,
                    s["value"] * scale,
                    color=COLOURS[scenario],
                    lw=2.2 if scenario == EDITED else 1.4,
                    label=series_label(scenario, lang),
                )
            ax.set_title(axis_label(name, lang), fontsize=10)
            ax.set_xlabel(text("year", lang))
            ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
            ax.grid(alpha=0.3)
        for ax in axes[len(names) :]:
            ax.set_visible(False)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=3, frameon=False)
    return fig


def fig_county_map(
    results: Results, province: Province, name: str = "known_stock_share", lang: str = "en"
) -> Figure:
    """Counties at their coordinates, coloured by edited policy − ``reform_2021``.

    Args:
        results: The dashboard's results.
        province: The province (for coordinates).
        name: A regional metric.
        lang: ``"zh"`` or ``"en"``.

    Returns:
        The figure (a map-like scatter; 市州 seats marked and named).
    """
    summary = results.regional_summary("county")
    part = summary[summary["metric"] == name]
    wide = part.pivot_table(index="code", columns="scenario", values="mean")
    scale = metric(name).display(lang).scale
    diff = (wide.get(EDITED) - wide.get("reform_2021")) * scale if len(wide) else pd.Series()
    coords = province_coordinates(province, "county").set_index("code")
    coords = coords.join(diff.rename("diff"), how="inner")
    cities = province_coordinates(province, "city")
    with mpl.rc_context(_rc(lang)):
        fig = Figure(figsize=(7.5, 6), layout="constrained")
        ax = fig.subplots()
        limit = float(np.nanmax(np.abs(coords["diff"]))) if len(coords) else 1.0
        limit = limit if limit > 0 else 1.0
        points = ax.scatter(
            coords["longitude"],
            coords["latitude"],
            c=coords["diff"],
            cmap="RdBu" if metric(name).better >= 0 else "RdBu_r",
            vmin=-limit,
            vmax=limit,
            s=60,
            edgecolor="0.3",
            linewidth=0.4,
        )
        for row in cities.itertuples(index=False):
            ax.annotate(row.name, (row.longitude, row.latitude), fontsize=8, color="0.2")
        unit = metric(name).display(lang).diff_suffix.strip()
        bar = fig.colorbar(points, ax=ax, shrink=0.8)
        bar.set_label(f"{text('difference', lang)} ({unit})" if unit else text("difference", lang))
        ax.set_title(f"{text('map_title', lang)}\n{metric(name).label(lang)}", fontsize=10)
        ax.set_xlabel(text("longitude", lang))
        ax.set_ylabel(text("latitude", lang))
        ax.set_aspect("equal", adjustable="datalim")
    return fig


def png(fig: Figure, lang: str = "en") -> bytes:
    """The figure as PNG bytes."""
    return figure_png(fig, dpi=90, lang=lang)
