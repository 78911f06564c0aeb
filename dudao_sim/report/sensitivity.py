"""Drawing sensitivity indices: one horizontal bar chart per outcome.

The indices come from :func:`dudao_sim.experiments.sensitivity.morris` or
:func:`~dudao_sim.experiments.sensitivity.sobol`; the titles are in table ``sensitivity`` of
the text catalogue (:mod:`dudao_sim.i18n`), factor labels are lever labels
(:mod:`dudao_sim.policy.levers`).

Example:
    >>> from dudao_sim.report.sensitivity import plot_indices
    >>> fig = plot_indices(indices, "index_coverage", lang="zh")  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from dudao_sim.i18n import check_lang, text
from dudao_sim.policy.levers import LEVERS
from dudao_sim.report.fonts import use_cjk_fonts

__all__ = ["factor_label", "plot_indices"]


def factor_label(name: str, lang: str = "en") -> str:
    """The label of a lever in ``lang``; assumptions and other names are their own label."""
    return LEVERS[name].label(lang) if name in LEVERS else name


def _labels_language(lang: str) -> str:
    """``lang``, or ``"en"`` when Chinese is asked for but no CJK font can be set up."""
    if lang != "zh":
        return "en"
    if not use_cjk_fonts():
        return "en"
    return "zh"


def plot_indices(indices: pd.DataFrame, outcome: str, lang: str = "en") -> Figure:
    """Horizontal bars of the sensitivity indices of one outcome, largest first.

    Morris results show ``mu_star`` with its bootstrap interval; Sobol results show ``ST`` and
    ``S1`` side by side with theirs. Factor labels are lever labels in ``lang`` (assumptions
    keep their names); Chinese needs a CJK font (:func:`~dudao_sim.report.fonts.use_cjk_fonts`)
    and falls back to English without one. The figure is not attached to pyplot (nothing is
    shown; save or display it).

    Args:
        indices: Output of :func:`morris` or :func:`sobol` (one method).
        outcome: The outcome to plot.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        The figure.

    Raises:
        ValueError: For an unknown ``lang`` or ``outcome``, or indices of two methods.
    """
    check_lang(lang)
    missing = [c for c in ("method", "outcome", "factor") if c not in indices.columns]
    if missing:
        raise ValueError(f"indices: missing column(s) {missing}; give the output of morris/sobol")
    rows = indices[indices["outcome"] == outcome]
    if rows.empty:
        known = sorted(indices["outcome"].astype(str).unique())
        raise ValueError(f"outcome: {outcome!r} is not in indices; known outcomes: {known}")
    methods = rows["method"].unique()
    if len(methods) != 1 or methods[0] not in ("morris", "sobol"):
        raise ValueError(
            f"indices: methods {list(methods)} for {outcome!r}; give the output of one of "
            "morris() or sobol()"
        )
    method = str(methods[0])
    label_lang = _labels_language(lang)
    measures = ["mu_star"] if method == "morris" else ["ST", "S1"]
    rows = rows.sort_values(measures[0], ascending=False)
    labels = [factor_label(str(f), label_lang) for f in rows["factor"]]
    long = pd.DataFrame(
        {
            "label": np.tile(labels, len(measures)),
            "index": np.repeat(measures, len(rows)),
            "value": np.concatenate([rows[m].to_numpy(float) for m in measures]),
            "conf": np.concatenate([rows[f"{m}_conf"].to_numpy(float) for m in measures]),
        }
    )

    height = 1.2 + 0.3 * len(rows) * len(measures)
    fig = Figure(figsize=(7.0, height), layout="constrained")
    ax = fig.subplots()
    sns.barplot(
        data=long,
        x="value",
        y="label",
        hue="index",
        order=labels,
        hue_order=measures,
        orient="h",
        errorbar=None,
        legend=False,
        ax=ax,
    )
    bars = list(ax.containers)  # one BarContainer per measure, bars in ``labels`` order
    for container, measure in zip(bars, measures, strict=True):
        part = long[long["index"] == measure]
        centres = [bar.get_y() + bar.get_height() / 2 for bar in container]
        ax.errorbar(part["value"], centres, xerr=part["conf"], fmt="none", ecolor="0.2", lw=1)
    if len(measures) > 1:
        ax.legend(bars, measures, loc="lower right")
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_ylabel("")
    ax.set_xlabel(", ".join(measures))
    ax.set_title(text(f"sensitivity.{method}_title", label_lang, outcome=outcome))
    return fig
