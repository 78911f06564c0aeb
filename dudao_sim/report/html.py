"""A self-contained HTML report comparing reform scenarios, in Chinese or English.

:func:`write_report` writes one HTML file (figures embedded as base64 PNG, inline CSS, no
scripts or external resources) and, beside it, the tidy data it was made from:
``summary.csv``, ``paired.csv``, ``by_city.csv``, ``by_county.csv``, ``targets.csv`` and
``report_manifest.json`` (the results folder's own ``manifest.json`` is left alone). The run
frame itself is in the results folder's Parquet parts; ``dudao-sim report --csv`` /
``compare --csv`` also write it as ``runs.csv``.

The page opens with the key findings in plain words (each scenario against the baseline:
what improves, what it costs, what gets worse, what is within noise), then the caveats (which
inputs are synthesized, that intervals cover seed noise only, which results rest on
assumptions the validation has not confirmed), then a table of contents. The baseline comes
first and ``reform_2021`` second in every table and legend; time axes are calendar years.

Every table and figure has a stable ``id`` (:data:`TABLE_IDS`, :data:`FIGURE_IDS`), and every
number shown sits in an element carrying ``data-value`` (the full-precision number),
``data-field`` (``mean``, ``ci_low``, ``ci_high``, ``diff_mean``), ``data-metric`` and
``data-scenario`` (and ``data-code`` by 市州), so the page can be checked against the CSVs.

The report by job: statistics from :mod:`dudao_sim.experiments.statistics`, targets and their
checks in :mod:`dudao_sim.report.targets`, tables and sections in
:mod:`dudao_sim.report.opening` (the first page), :mod:`dudao_sim.report.sections` and
:mod:`dudao_sim.report.cells`, drawing in :mod:`dudao_sim.report.figures`, text in
:mod:`dudao_sim.i18n`; this module assembles the page and writes the files.

Example:
    >>> from dudao_sim.report import write_report
    >>> manifest = {"province": "示例省", "scenarios": ["pre_reform", "reform_2021"],
    ...             "seeds": [1, 2, 3], "baseline": "pre_reform", "months": 24,
    ...             "synthesized": {"schools": ["enrolment"]}, "version": "0.1.0",
    ...             "created": "2025-01-01T00:00:00"}
    >>> write_report(runs, regional, manifest, "out", lang="zh")  # doctest: +SKIP
    PosixPath('out/report_zh.html')
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from dudao_sim.experiments.statistics import (
    by_region_summary,
    check_runs,
    paired_differences,
    summarize,
)
from dudao_sim.i18n import check_lang, text
from dudao_sim.policy.levers import check_levers
from dudao_sim.report.cells import esc
from dudao_sim.report.figures import (
    CITY_METRICS,
    fig_by_city,
    fig_county_map,
    fig_indices,
    fig_paired,
    fig_trajectories,
    figure_png,
)
from dudao_sim.report.fonts import embed_web_font, use_cjk_fonts
from dudao_sim.report.labels import main_scenario, report_order
from dudao_sim.report.notebook import FIRST_YEAR
from dudao_sim.report.opening import OPENING, contents
from dudao_sim.report.regions import county_paired
from dudao_sim.report.sections import SECTIONS, ReportInputs, footer
from dudao_sim.report.targets import TARGETS, Target, target_checks

if TYPE_CHECKING:
    from dudao_sim.data.province import Province

__all__ = [
    "FIGURE_IDS",
    "MANIFEST_KEYS",
    "OPTIONAL_MANIFEST_KEYS",
    "TABLE_IDS",
    "TARGETS",
    "ReportInputs",
    "Target",
    "check_manifest",
    "render_page",
    "target_checks",
    "write_report",
]

#: Keys a manifest must have.
MANIFEST_KEYS: tuple[str, ...] = (
    "province",
    "scenarios",
    "seeds",
    "baseline",
    "months",
    "synthesized",
    "version",
    "created",
)

#: Keys a manifest may have: ``levers`` (lever values set on top of every scenario, e.g. the
#: command line's ``--set``) and ``first_year`` (calendar year of the first month after the
#: switch; default :data:`~dudao_sim.report.notebook.FIRST_YEAR`).
OPTIONAL_MANIFEST_KEYS: tuple[str, ...] = ("levers", "first_year")

#: ids of the report's tables (a table split to fit the page continues as ``<id>-2``, …).
TABLE_IDS: tuple[str, ...] = (
    "table-scenarios",
    "table-levers",
    "table-indices",
    "table-outcomes",
    "table-paired",
    "table-targets",
    "table-costs",
    "table-by-city",
    "table-by-county",
    "table-synthesized",
    "table-definitions",
)

#: ids of the report's figures.
FIGURE_IDS: tuple[str, ...] = (
    "fig-indices",
    "fig-paired",
    "fig-trajectories",
    "fig-by-city",
    "fig-county-map",
)

#: Widest page the report is laid out for, in CSS pixels.
PAGE_WIDTH = 1200

_CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei","WenQuanYi Zen Hei",
"Helvetica Neue",Arial,"dudao_sim CJK",sans-serif;margin:2em auto;max-width:@WIDTH@px;
padding:0 1em;color:#222;line-height:1.45;box-sizing:border-box}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid
#ddd;padding-bottom:.2em}h3{font-size:1.05em;margin:1.2em 0 .3em}
.scroll{overflow-x:auto;max-width:100%}table{border-collapse:collapse;margin:.5em 0;
font-size:.88em;max-width:100%}
th,td{border:1px solid #ddd;padding:.3em .55em;vertical-align:top}
th{background:#f4f4f4;text-align:left}td.n{text-align:right;white-space:nowrap}
.ci{color:#666;font-size:.9em}.note{color:#555;font-size:.9em}
.cpu{color:#555;font-size:.85em;white-space:normal;display:inline-block;max-width:13em}
.flag{display:inline-block;padding:0 .35em;border-radius:3px;font-size:.85em}
#section-findings li{margin:.25em 0}.headline{font-weight:bold;margin:.2em 0 1em}
.finding h3{margin-bottom:.1em}li.dd-improves>b{color:#1a7f37}li.dd-costs>b{color:#8a6d00}
li.dd-worse>b{color:#b3261e}li.dd-noise>b{color:#666}
#section-caveats{background:#fbf8ef;border:1px solid #eadfbf;padding:0 1em .6em}
#section-caveats h2{border-bottom:none}nav#toc ol{columns:2}
.noise{color:#888}.noise .flag{background:#eee;color:#666}
.good{color:#1a7f37}.bad{color:#b3261e}
.st-met,.st-lower{color:#1a7f37}.st-not_met,.st-higher{color:#b3261e}
.st-within_noise,.st-baseline,.st-no_data{color:#777}
figure{margin:1em 0}figure img{max-width:100%;height:auto}figcaption{color:#555;font-size:.9em}
footer{margin-top:3em;border-top:1px solid #ddd;font-size:.85em;color:#555}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
""".replace("@WIDTH@", str(PAGE_WIDTH))


def check_manifest(manifest: Mapping[str, object]) -> None:
    """Raise ``ValueError`` naming the missing or malformed keys of a report manifest.

    Args:
        manifest: ``{"province": str, "scenarios": [names], "seeds": [ints], "baseline": str,
            "months": int, "synthesized": {table: [cols]}, "version": str, "created": str}``,
            optionally ``"levers": {lever: value}`` and ``"first_year": int``
            (:data:`OPTIONAL_MANIFEST_KEYS`).

    Raises:
        ValueError: If a key is missing or has the wrong type.
    """
    if not isinstance(manifest, Mapping):
        raise ValueError(f"manifest: must be a dict with keys {list(MANIFEST_KEYS)}")
    missing = [k for k in MANIFEST_KEYS if k not in manifest]
    if missing:
        raise ValueError(f"manifest: missing key(s) {missing}; required: {list(MANIFEST_KEYS)}")
    for key in ("scenarios", "seeds"):
        if isinstance(manifest[key], str | bytes) or not isinstance(manifest[key], Sequence):
            raise ValueError(f"manifest[{key!r}]: must be a list, got {manifest[key]!r}")
    if not isinstance(manifest["synthesized"], Mapping):
        raise ValueError(
            f"manifest['synthesized']: must be a dict {{table: [columns]}}, "
            f"got {type(manifest['synthesized']).__name__}"
        )
    if not isinstance(manifest.get("levers", {}), Mapping):
        raise ValueError(
            f"manifest['levers']: must be a dict {{lever: value}}, got {manifest['levers']!r}"
        )
    year = manifest.get("first_year", FIRST_YEAR)
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValueError(f"manifest['first_year']: must be a whole year, got {year!r}")


def render_page(inputs: ReportInputs) -> str:
    """The report page: findings and caveats, the table of contents, every other section.

    Args:
        inputs: What the page shows.

    Returns:
        The HTML document (without the embedded web font).
    """
    lang = inputs.lang
    parts = [build(inputs) for _, _, build in OPENING]
    parts.append(contents(inputs))
    parts += [build(inputs) for _, _, build in SECTIONS]
    title = f"{text('report.title', lang)} — {inputs.manifest['province']}"
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<h1 id="title">{esc(title)}</h1>\n'
        + "\n".join(parts)
        + f"\n{footer(inputs)}\n</body>\n</html>\n"
    )


def write_report(
    runs: pd.DataFrame,
    regional: pd.DataFrame | None,
    manifest: Mapping[str, object],
    out_dir: str | Path,
    lang: str = "en",
    baseline: str = "pre_reform",
    last_months: int = 12,
    level: float = 0.95,
    county: pd.DataFrame | None = None,
    province: Province | None = None,
    first_year: int | None = None,
) -> Path:
    """Write the reform-comparison report and the tidy data it was made from.

    Args:
        runs: Tidy run frame (``scenario``, ``seed``, ``month``, ``metric``, ``value``).
        regional: Results by 市州 (``metrics_by("city")`` frames with ``scenario`` and
            ``seed`` columns), or ``None``.
        manifest: Metadata, see :func:`check_manifest`; its ``scenarios`` must be those in
            ``runs`` and its ``baseline`` must equal ``baseline``.
        out_dir: Folder to write to (created if missing).
        lang: ``"zh"`` or ``"en"``.
        baseline: Scenario the others are compared with.
        last_months: Months at the end of each run to average.
        level: Confidence level of the intervals.
        county: Results by county (``metrics_by("county")`` frames with ``scenario`` and
            ``seed`` columns), or ``None``: the per-county view compares ``reform_2021`` (or
            the first other scenario) with the baseline.
        province: The province, for the counties' coordinates (the map) and 市州 names;
            without it the county view has a table only.
        first_year: Calendar year of the first month after the switch (time axes); default
            the manifest's ``first_year``, else
            :data:`~dudao_sim.report.notebook.FIRST_YEAR`.

    Returns:
        Path of the HTML file, ``out_dir/report_<lang>.html``. Beside it: ``summary.csv``,
        ``paired.csv``, ``by_city.csv`` (if ``regional`` is given), ``by_county.csv`` (if
        ``county`` is given), ``targets.csv`` and ``report_manifest.json`` (the results
        folder's own ``manifest.json`` is left alone).
        The run frame is not written (it is in the results folder's Parquet parts; the
        command line's ``--csv`` writes it as ``runs.csv``).

    Raises:
        ValueError: For a bad ``lang``, a manifest with missing keys, a malformed run frame,
            or scenarios / baseline that disagree between ``runs`` and the manifest.
    """
    check_lang(lang)
    check_manifest(manifest)
    check_runs(runs)
    if manifest["baseline"] != baseline:
        raise ValueError(
            f"baseline: {baseline!r} differs from manifest['baseline'] {manifest['baseline']!r}"
        )
    in_runs = set(runs["scenario"].unique())
    listed = [str(n) for n in manifest["scenarios"]]  # type: ignore[union-attr]
    if in_runs != set(listed):
        raise ValueError(
            f"manifest['scenarios']: {sorted(listed)} differ from the scenarios in runs "
            f"({sorted(in_runs)})"
        )
    if first_year is None:
        first_year = int(manifest.get("first_year", FIRST_YEAR))  # type: ignore[call-overload]
    check_levers(manifest.get("levers") or {})  # type: ignore[arg-type]
    names = report_order(listed, baseline)
    main = main_scenario(listed, baseline)
    summary = summarize(runs, last_months=last_months, level=level)
    paired = paired_differences(runs, baseline, last_months=last_months, level=level)
    by_city = (
        by_region_summary(regional, last_months=last_months, level=level)
        if regional is not None and len(regional)
        else None
    )
    by_county = None
    if county is not None and len(county) and main is not None:
        cities = (
            dict(zip(by_city["code"].astype(str), by_city["name"], strict=False))
            if by_city is not None
            else None
        )
        by_county = county_paired(
            county, baseline, main, last_months, level, province=province, cities=cities
        )
    targets = target_checks(summary, paired, baseline, names)

    figures_lang = lang if lang == "en" or use_cjk_fonts() else "en"
    figures = {
        "fig-indices": figure_png(fig_indices(summary, figures_lang, names)),
        "fig-paired": figure_png(
            fig_paired(paired, figures_lang, scenarios=names[1:], baseline=baseline)
        ),
        "fig-trajectories": figure_png(
            fig_trajectories(
                runs, figures_lang, scenarios=names, level=level, first_year=first_year
            )
        ),
    }
    if by_city is not None:
        figures["fig-by-city"] = figure_png(
            fig_by_city(by_city, figures_lang, scenarios=names, last_months=last_months)
        )
    if by_county is not None and len(by_county) and province is not None:
        figures["fig-county-map"] = figure_png(
            fig_county_map(
                by_county,
                province,
                figures_lang,
                metrics=CITY_METRICS,
                scenario=main,
                baseline=baseline,
            )
        )

    page = render_page(
        ReportInputs(
            lang=lang,
            manifest=manifest,
            names=names,
            baseline=baseline,
            last_months=last_months,
            level=level,
            summary=summary,
            paired=paired,
            by_city=by_city,
            targets=targets,
            figures=figures,
            figures_lang=figures_lang,
            first_year=first_year,
            main=main,
            by_county=by_county,
            province=province,
        )
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary.to_csv(out / "summary.csv", index=False)
    paired.to_csv(out / "paired.csv", index=False)
    targets.to_csv(out / "targets.csv", index=False)
    if by_city is not None:
        by_city.to_csv(out / "by_city.csv", index=False)
    else:  # do not leave another report's results beside this one
        (out / "by_city.csv").unlink(missing_ok=True)
    if by_county is not None:
        by_county.to_csv(out / "by_county.csv", index=False)
    else:
        (out / "by_county.csv").unlink(missing_ok=True)
    (out / "report_manifest.json").write_text(
        json.dumps(dict(manifest), ensure_ascii=False, indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    path = out / f"report_{lang}.html"
    path.write_text(embed_web_font(page), encoding="utf-8")
    return path
