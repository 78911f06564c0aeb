"""HTML pieces of the report: numbers that carry their data, cells, tables that fit the page.

Every number sits in an element carrying ``data-value`` (the full-precision number),
``data-field``, ``data-metric`` and ``data-scenario`` (and ``data-code`` by 市州 or county) so
the page can be checked against the CSVs. Numbers are shown in the catalogue's readable form
with :data:`~dudao_sim.report.labels.DIGITS` significant digits
(:func:`~dudao_sim.report.labels.report_interval`), each with its unit in the cell or the
column header. :func:`table` refuses more than :data:`MAX_COLUMNS` columns (a 1,200-pixel
page); :func:`metric_parts` splits metrics by catalogue group into tables of at most
:data:`METRIC_COLUMNS`.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping, Sequence

import pandas as pd

from dudao_sim.metrics.catalogue import CATALOGUE, GROUPS
from dudao_sim.report.findings import COST_KINDS
from dudao_sim.report.labels import (
    metric_better,
    metric_label,
    metric_unit,
    report_interval,
    report_value,
)
from dudao_sim.report.targets import status_label

#: Most columns a table may have to fit a 1,200-pixel page (about 190 px a column).
MAX_COLUMNS = 6
#: Most metric columns in one table of outcomes or differences (beside the scenario column).
METRIC_COLUMNS = 4


def esc(value: object) -> str:
    """HTML-escaped text (quotes too)."""
    return html.escape(str(value), quote=True)


def data_value(value: object) -> str:
    """Full-precision text of a number for ``data-value`` (``nan`` when missing)."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "nan"
    return repr(x) if math.isfinite(x) else "nan"


def _attrs(scenario: str | None, attrs: Mapping[str, str]) -> str:
    extra = {"scenario": scenario, **attrs} if scenario is not None else dict(attrs)
    return "".join(f' data-{k.replace("_", "-")}="{esc(v)}"' for k, v in extra.items())


def tagged(value: object, shown: str, metric: str, field: str, scenario: str | None, **attrs: str):
    """A shown number in a ``<span>`` carrying its full value and what it is."""
    return (
        f'<span class="num" data-value="{data_value(value)}" data-field="{field}" '
        f'data-metric="{esc(metric)}"{_attrs(scenario, attrs)}>{esc(shown)}</span>'
    )


def number(
    value: object,
    metric: str,
    lang: str,
    field: str,
    scenario: str | None = None,
    diff: bool = False,
    unit: bool = True,
    **attrs: str,
) -> str:
    """A number in the report's readable form in a ``<span>`` carrying its full value."""
    shown = report_value(value, metric, lang, diff=diff, unit=unit)  # type: ignore[arg-type]
    return tagged(value, shown, metric, field, scenario, **attrs)


def _with_interval(
    mean: object,
    low: object,
    high: object,
    metric: str,
    lang: str,
    scenario: str | None,
    diff: bool,
    fields: tuple[str, str, str],
    **attrs: str,
) -> str:
    head, bracket = report_interval(mean, low, high, metric, lang, diff=diff)  # type: ignore[arg-type]
    out = tagged(mean, head, metric, fields[0], scenario, **attrs)
    if bracket:
        lo, hi = bracket[1:-1].split(", ")
        out += (
            f'<br><span class="ci">[{tagged(low, lo, metric, fields[1], scenario, **attrs)}, '
            f"{tagged(high, hi, metric, fields[2], scenario, **attrs)}]</span>"
        )
    return out


def mean_cell(row: pd.Series | None, metric: str, scenario: str, lang: str, **attrs: str) -> str:
    """A ``<td>``: a mean with its unit, its interval on the next line (``—`` without a row)."""
    if row is None:
        return '<td class="n">—</td>'
    body = _with_interval(
        row["mean"],
        row["ci_low"],
        row["ci_high"],
        metric,
        lang,
        scenario,
        False,
        ("mean", "ci_low", "ci_high"),
        **attrs,
    )
    return f'<td class="n">{body}</td>'


def diff_class(row: pd.Series, metric: str) -> str:
    """CSS class of a paired difference: ``noise``, ``good``, ``bad`` or ``""``."""
    if bool(row["within_noise"]):
        return "noise"
    better = metric_better(metric)
    spec = CATALOGUE.get(metric)
    if spec is not None and spec.kind in COST_KINDS and not better:
        better = -1  # a burden or cost that rose is a cost
    if better and row["diff_mean"] * better > 0:
        return "good"
    if better and row["diff_mean"] * better < 0:
        return "bad"
    return ""


def diff_cell(
    row: pd.Series | None, metric: str, scenario: str, lang: str, note_html: str = "", **attrs: str
) -> str:
    """A ``<td>`` with a paired difference and its interval, coloured by direction.

    A difference whose interval contains 0 is greyed and flagged "within noise".
    ``note_html`` (e.g. the cost per unit of the improvement) goes on a last line.
    """
    if row is None:
        return '<td class="n">—</td>'
    noise = bool(row["within_noise"])
    cls = f"n {diff_class(row, metric)}".strip()
    body = _with_interval(
        row["diff_mean"],
        row["ci_low"],
        row["ci_high"],
        metric,
        lang,
        scenario,
        True,
        ("diff_mean", "ci_low", "ci_high"),
        **attrs,
    )
    flag = (
        f'<br><span class="flag">{esc(status_label("within_noise", lang))}</span>' if noise else ""
    )
    extra = f"<br>{note_html}" if note_html else ""
    return f'<td class="{cls}" data-within-noise="{str(noise).lower()}">{body}{flag}{extra}</td>'


def table(
    table_id: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    caption: str = "",
    **attrs: str,
) -> str:
    """A table; header cells are escaped text, row cells are HTML (``<td>``/``<th>``).

    Raises:
        ValueError: If the table would have more than :data:`MAX_COLUMNS` columns.
    """
    if len(header) > MAX_COLUMNS:
        raise ValueError(f"table {table_id}: {len(header)} columns; at most {MAX_COLUMNS} fit")
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    data = "".join(f' data-{k.replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())
    return (
        f'<div class="scroll"><table id="{table_id}"{data}>{cap}\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table></div>"
    )


def part_id(base: str, index: int) -> str:
    """Id of part ``index`` (0-based) of a split table: ``base``, then ``base-2``, ``base-3``."""
    return base if index == 0 else f"{base}-{index + 1}"


def chunks(items: Sequence[str], per_table: int = METRIC_COLUMNS) -> list[list[str]]:
    """``items`` in as few chunks of at most ``per_table`` as possible, of even sizes.

    Example:
        >>> chunks(list("abcde"), 4)
        [['a', 'b', 'c'], ['d', 'e']]
    """
    if not items:
        return []
    n = math.ceil(len(items) / per_table)
    size = math.ceil(len(items) / n)
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def metric_parts(
    metrics: Sequence[str], per_table: int = METRIC_COLUMNS
) -> list[tuple[str, list[str]]]:
    """Metrics split by catalogue group (in the catalogue's group order), then into chunks.

    Returns:
        ``[(group, [metrics])]``, each chunk at most ``per_table`` metrics (:func:`chunks`);
        metrics outside the catalogue go to a last group ``""``.
    """
    order = {g: i for i, g in enumerate(GROUPS)}
    grouped: dict[str, list[str]] = {}
    for m in metrics:
        spec = CATALOGUE.get(m)
        grouped.setdefault(spec.group if spec else "", []).append(m)
    parts = []
    for group in sorted(grouped, key=lambda g: order.get(g, len(order))):
        parts += [(group, ms) for ms in chunks(grouped[group], per_table)]
    return parts


def group_label(group: str, lang: str) -> str:
    """A metric group's label (``""`` for metrics outside the catalogue)."""
    return GROUPS[group][0 if lang == "zh" else 1] if group in GROUPS else ""


def metric_header(metric: str, lang: str, diff: bool = False) -> str:
    """A column header: the metric's label and its unit, e.g. ``Cost (万元)``."""
    unit = metric_unit(metric, lang, diff=diff)
    label = metric_label(metric, lang)
    if not unit:
        return label
    return f"{label}（{unit}）" if lang == "zh" else f"{label} ({unit})"


def figure(fig_id: str, png: bytes, caption: str, alt: str) -> str:
    """A ``<figure>`` with the PNG embedded as base64."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="{fig_id}"><img alt="{esc(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def section(sec_id: str, title: str, body: str) -> str:
    """A ``<section>`` with its ``<h2>`` title."""
    return f'<section id="{sec_id}">\n<h2>{esc(title)}</h2>\n{body}\n</section>'


def note(message: str) -> str:
    """A ``<p class="note">``."""
    return f'<p class="note">{esc(message)}</p>'


def join_words(items: Sequence[str], lang: str) -> str:
    """Words joined as a list in ``lang`` (``、`` in Chinese, ``, `` in English)."""
    return ("、" if lang == "zh" else ", ").join(items)
