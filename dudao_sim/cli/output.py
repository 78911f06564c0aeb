"""What ``run``, ``compare`` and ``sweep`` print: tables for people, CSV or JSON for machines.

The numbers come from :mod:`dudao_sim.experiments.statistics` (the mean of the last
:data:`LAST_MONTHS` months of each run, Student-t intervals at :data:`LEVEL` over seeds,
paired differences against the baseline). Each command first builds *records* — a tidy
frame, one row per metric (and scenario or design point), with the raw metric id, its label
in the chosen language, its catalogue unit and every number at full precision — and then
prints them with ``--format``:

- ``table`` (default): one block per metric group (catalogue ``group``), labels in the
  chosen language, values in the catalogue's readable units (percentage points, 万元, SD)
  with at most :data:`DIGITS` significant digits, the one interval notation
  ``+0.106 [+0.098, +0.114]``, a legend under each block; at most
  :data:`~dudao_sim.i18n.layout.MAX_WIDTH` display columns (:mod:`dudao_sim.i18n.layout`);
- ``csv``: the records (unscaled values, catalogue units);
- ``json``: the records under ``"rows"`` with what the legend states (``"meta"``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

import pandas as pd

from dudao_sim.experiments.statistics import (
    interval,
    last_months_mean,
    paired_differences,
    summarize,
)
from dudao_sim.i18n import text
from dudao_sim.i18n.layout import GAP, MAX_WIDTH, Column, chunks, column_widths, render, wrap
from dudao_sim.metrics.catalogue import GROUPS, display, format_interval, format_value, metric

#: Output formats of ``--format``.
FORMATS: tuple[str, ...] = ("table", "csv", "json")
#: Months at the end of each run that are averaged.
LAST_MONTHS = 12
#: Confidence level of the intervals.
LEVEL = 0.95
#: Most significant digits a table shows.
DIGITS = 3
#: Mark of a difference whose interval includes 0.
NOISE = "~"
#: Widest the row labels of a sweep table may be before points get numbers instead.
SWEEP_LEAD = 45


def add_output_options(parser: argparse.ArgumentParser, lang: bool = True) -> None:
    """Add ``--format`` (and ``--lang`` unless the command has it already).

    Args:
        parser: The subcommand's parser.
        lang: Also add ``--lang``.
    """
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (default; for people), csv or json (full precision, for machines)",
    )
    if lang:
        parser.add_argument(
            "--lang", choices=("en", "zh"), default="en", help="language of the table"
        )


def averaged(months: int) -> int:
    """Months averaged at the end of a run of ``months`` months (the legends say so)."""
    return min(LAST_MONTHS, months)


def status(message: str, fmt: str) -> None:
    """A status line (``results: ...``): stdout with a table, stderr with CSV or JSON."""
    print(message, file=sys.stdout if fmt == "table" else sys.stderr)


# ---- records -------------------------------------------------------------------------------
def _describe(names: Sequence[str], lang: str) -> pd.DataFrame:
    rows = [
        {"metric": m.name, "label": m.label(lang), "group": m.group, "unit": m.unit}
        for m in map(metric, names)
    ]
    return pd.DataFrame(rows, columns=["metric", "label", "group", "unit"])


def run_records(values: pd.Series, metrics: Sequence[str], lang: str) -> pd.DataFrame:
    """One run's value of each metric: ``metric``, ``label``, ``group``, ``unit``, ``value``.

    Args:
        values: :func:`~dudao_sim.experiments.statistics.last_months_mean` of the run's
            wide metrics frame.
        metrics: The metrics, in order.
        lang: Language of the labels.
    """
    out = _describe(metrics, lang)
    out["value"] = [float(values[m]) for m in metrics]
    return out


def compare_records(
    runs: pd.DataFrame,
    baseline: str,
    scenarios: Sequence[str],
    metrics: Sequence[str],
    lang: str,
) -> pd.DataFrame:
    """Mean and interval of each scenario, and its paired difference from the baseline.

    Args:
        runs: Tidy run frame of an ensemble.
        baseline: The baseline scenario.
        scenarios: Scenarios in display order, the baseline first.
        metrics: The metrics, in order.
        lang: Language of the labels.

    Returns:
        One row per scenario and metric: ``scenario``, ``metric``, ``label``, ``group``,
        ``unit``, ``n_seeds``, ``mean``, ``ci_low``, ``ci_high``, ``diff_mean``,
        ``diff_ci_low``, ``diff_ci_high``, ``within_noise`` (the difference columns are
        empty for the baseline).
    """
    values = runs[runs["metric"].isin(metrics)]
    summary = summarize(values, LAST_MONTHS, LEVEL).set_index(["scenario", "metric"])
    paired = paired_differences(values, baseline, LAST_MONTHS, LEVEL)
    paired = paired.set_index(["scenario", "metric"])
    described = _describe(metrics, lang).set_index("metric")
    rows = []
    for scenario in scenarios:
        for name in metrics:
            row: dict[str, Any] = {"scenario": scenario, "metric": name}
            row.update(described.loc[name].to_dict())
            s = summary.loc[(scenario, name)]
            row.update(
                n_seeds=int(s["n_seeds"]),
                mean=s["mean"],
                ci_low=s["ci_low"],
                ci_high=s["ci_high"],
            )
            if scenario != baseline:
                d = paired.loc[(scenario, name)]
                row.update(
                    diff_mean=d["diff_mean"],
                    diff_ci_low=d["ci_low"],
                    diff_ci_high=d["ci_high"],
                    within_noise=bool(d["within_noise"]),
                )
            rows.append(row)
    columns = [
        "scenario", "metric", "label", "group", "unit", "n_seeds", "mean", "ci_low", "ci_high",
        "diff_mean", "diff_ci_low", "diff_ci_high", "within_noise",
    ]  # fmt: skip
    return pd.DataFrame(rows).reindex(columns=columns)


def sweep_records(
    runs: pd.DataFrame, design: pd.DataFrame, metrics: Sequence[str], lang: str
) -> pd.DataFrame:
    """Mean and interval over seeds of each metric at each design point.

    Args:
        runs: Tidy run frame of a sweep (with a ``point`` column).
        design: The design: ``point`` and one column per factor.
        metrics: The metrics, in order.
        lang: Language of the labels.

    Returns:
        One row per point and metric: ``point``, the factors, ``metric``, ``label``,
        ``group``, ``unit``, ``n_seeds``, ``mean``, ``ci_low``, ``ci_high``.
    """
    values = runs[runs["metric"].isin(metrics)]
    per_run = last_months_mean(values, LAST_MONTHS, by=("point", "seed"))
    described = _describe(metrics, lang).set_index("metric")
    factors = [c for c in design.columns if c != "point"]
    rows = []
    for _, point in design.iterrows():
        mine = per_run[per_run["point"] == point["point"]]
        for name in metrics:
            found = interval(mine.loc[mine["metric"] == name, "value"], LEVEL)
            row: dict[str, Any] = {"point": int(point["point"])}
            row.update({f: point[f] for f in factors})
            row["metric"] = name
            row.update(described.loc[name].to_dict())
            row.update(n_seeds=found.n, mean=found.mean, ci_low=found.low, ci_high=found.high)
            rows.append(row)
    return pd.DataFrame(rows)


def emit(records: pd.DataFrame, fmt: str, meta: dict[str, Any], table: list[str]) -> None:
    """Print the records as ``fmt``: the table lines, CSV, or JSON with ``meta``.

    Args:
        records: The tidy records.
        fmt: One of :data:`FORMATS`.
        meta: What the legend states (command, province, seeds, months, ...), for JSON.
        table: The table's lines (printed for ``table``).
    """
    if fmt == "csv":
        sys.stdout.write(records.to_csv(index=False))
    elif fmt == "json":
        rows = [{k: _plain(v) for k, v in row.items()} for row in records.to_dict(orient="records")]
        meta = {**meta, "last_months": LAST_MONTHS, "level": LEVEL}
        print(json.dumps({"meta": meta, "rows": rows}, ensure_ascii=False, indent=1))
    else:
        print("\n".join(table))


def _plain(value: Any) -> Any:
    """A JSON value: ``None`` for a missing number, Python numbers for NumPy ones."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ---- tables --------------------------------------------------------------------------------
def group_blocks(metrics: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The metrics by catalogue group, groups in catalogue order, metrics in given order."""
    present = {metric(m).group for m in metrics}
    return [(g, [m for m in metrics if metric(m).group == g]) for g in GROUPS if g in present]


def group_title(group: str, lang: str) -> str:
    """The group's label in ``lang``."""
    zh, en = GROUPS[group]
    return zh if lang == "zh" else en


def unit_text(name: str, lang: str) -> str:
    """The readable unit of a metric's values, and of its changes where that differs."""
    shown = display(name, lang, human=True)
    level, change = shown.unit_text, shown.diff_unit_text
    if level == change:
        return level
    return text("cli.table.unit_change", lang, unit=level, change=change)


def metric_heading(name: str, lang: str) -> str:
    """A value column's heading: label, unit and which way is better, one per line."""
    parts = [metric(name).label(lang), unit_text(name, lang)]
    better = {1: "cli.table.higher_better", -1: "cli.table.lower_better"}.get(metric(name).better)
    if better:
        parts.append(text(better, lang))
    return "\n".join(p for p in parts if p)


def legend(message: str) -> list[str]:
    """The legend under a table, wrapped to the width."""
    return wrap(message, MAX_WIDTH)


def value_blocks(
    lead: list[Column],
    labels: list[list[str]],
    cells: dict[str, list[str]],
    lang: str,
    note: str,
) -> list[str]:
    """Tables with row labels and one column per metric, a block per group, the legend under.

    Args:
        lead: The row-label columns.
        labels: Each row's label cells.
        cells: ``{metric: one cell per row}``, in display order.
        lang: Language of headings.
        note: The legend.

    Returns:
        The lines (blocks separated by a blank line).
    """
    lead_width = sum(column_widths(lead, labels)) + GAP * len(lead)
    lines: list[str] = []
    for group, names in group_blocks(list(cells)):
        columns = [Column(metric_heading(n, lang), "right") for n in names]
        table = [[cells[n][r] for n in names] for r in range(len(labels))]
        widths = column_widths(columns, table)
        lines += ["", group_title(group, lang)]
        for k, part in enumerate(chunks(lead_width - GAP, widths)):
            if k:
                lines.append("")
            rows = [[*labels[r], *(table[r][i] for i in part)] for r in range(len(labels))]
            lines += render([*lead, *(columns[i] for i in part)], rows)
    return [*lines, "", *legend(note)]


def run_table(records: pd.DataFrame, lang: str, heading: str, note: str) -> list[str]:
    """One run's values: one table of metric, value and unit, a block per group.

    Args:
        records: :func:`run_records`.
        lang: Language.
        heading: The line above the table.
        note: The legend under it.
    """
    by_name = records.set_index("metric")
    columns = [
        Column(text("cli.table.metric", lang), flex=True),
        Column(text("cli.table.value", lang), "right"),
        Column(text("cli.table.unit", lang)),
    ]
    blocks = []
    for group, names in group_blocks(list(records["metric"])):
        rows = []
        for name in names:
            value = by_name.loc[name, "value"]
            shown = format_value(name, value, lang, unit=False, digits=DIGITS, human=True)
            unit = display(name, lang, human=True).unit_text
            rows.append([metric(name).label(lang), shown, unit])
        blocks.append((group, rows))
    widths = column_widths(columns, [row for _, rows in blocks for row in rows])
    lines = [heading, "", *render(columns, [], widths=widths)]
    for k, (group, rows) in enumerate(blocks):
        lines += [""] * bool(k) + [group_title(group, lang)]
        lines += render(columns, rows, widths=widths, header=False)
    return [*lines, "", *legend(note)]


def compare_table(
    records: pd.DataFrame, baseline: str, lang: str, heading: str, note: str
) -> list[str]:
    """The comparison: per group, the baseline's mean then each scenario's paired change.

    Args:
        records: :func:`compare_records` (scenarios in display order, baseline first).
        baseline: The baseline scenario.
        lang: Language.
        heading: The line above the tables.
        note: The legend.
    """
    scenarios = list(dict.fromkeys(records["scenario"]))
    labels = [
        [text("cli.table.baseline_row", lang, name=s) if s == baseline else s] for s in scenarios
    ]
    cells: dict[str, list[str]] = {}
    for name in dict.fromkeys(records["metric"]):
        mine = records[records["metric"] == name].set_index("scenario")
        column = []
        for s in scenarios:
            r = mine.loc[s]
            if s == baseline:
                column.append(format_interval(name, r["mean"], r["ci_low"], r["ci_high"], lang))
                continue
            shown = format_interval(
                name, r["diff_mean"], r["diff_ci_low"], r["diff_ci_high"], lang, diff=True
            )
            column.append(shown + (f" {NOISE}" if r["within_noise"] else "  "))
        cells[name] = column
    lead = [Column(text("cli.table.scenario", lang))]
    return [heading, *value_blocks(lead, labels, cells, lang, note)]


def _factor_text(value: Any) -> str:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return f"{value:g}" if number else str(value)


def sweep_table(
    records: pd.DataFrame, factors: Sequence[str], lang: str, heading: str, note: str
) -> list[str]:
    """The sweep: per group, each design point's mean and interval.

    Rows are labelled by the factor values when they fit in :data:`SWEEP_LEAD` columns, else
    by point number with a table of the design first.

    Args:
        records: :func:`sweep_records`.
        factors: The design's factor columns.
        lang: Language.
        heading: The line above the tables.
        note: The legend.
    """
    points = records.drop_duplicates("point")
    inline = [Column(f, "right") for f in factors]
    values = [[_factor_text(p[f]) for f in factors] for _, p in points.iterrows()]
    lines = [heading]
    if factors and sum(column_widths(inline, values)) + GAP * len(inline) <= SWEEP_LEAD:
        lead, labels = inline, values
    else:
        point = Column(text("cli.table.point", lang), "right")
        numbers = [[str(int(p))] for p in points["point"]]
        lines += ["", text("cli.table.design", lang)]
        lines += render([point, *inline], [[*n, *v] for n, v in zip(numbers, values, strict=True)])
        lead, labels = [point], numbers
    cells: dict[str, list[str]] = {}
    for name in dict.fromkeys(records["metric"]):
        mine = records[records["metric"] == name]
        cells[name] = [
            format_interval(name, r["mean"], r["ci_low"], r["ci_high"], lang)
            for _, r in mine.iterrows()
        ]
    return [*lines, *value_blocks(lead, labels, cells, lang, note)]
