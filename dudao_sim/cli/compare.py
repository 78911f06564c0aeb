"""``dudao-sim compare``: the main job (``make run``).

It runs the baseline and the reforms on the same seeds over the bundled province, streams every
run to an output folder (``--resume`` continues an interrupted one), prints the paired
differences (:mod:`dudao_sim.cli.output`: the baseline's means and each scenario's change,
``reform_2021`` first, one block per metric group; ``--format csv|json`` for machines) and
writes the HTML report — with the lever values set by ``--set``, the results by county of the
baseline and the main reform, and the province for the county map. Progress goes to stderr
(:mod:`dudao_sim.cli.progress`). The same call runs on a Dask cluster with
``--scheduler tcp://host:8786``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from dudao_sim.cli.common import (
    Command,
    UsageError,
    add_execution_options,
    add_run_options,
    execution,
    load_from_args,
    parse_settings,
    positive,
    scenario_parts,
)
from dudao_sim.cli.labels import KEY_OUTCOMES
from dudao_sim.cli.output import (
    LEVEL,
    add_output_options,
    averaged,
    compare_records,
    compare_table,
    emit,
    status,
)
from dudao_sim.cli.progress import progress_from
from dudao_sim.cli.report import county_results, write_html_report, write_runs_csv
from dudao_sim.experiments import (
    ResultStore,
    StoreError,
    paired_differences,
    run_ensemble,
    spawn_seeds,
    summarize,
)
from dudao_sim.i18n import text as i18n_text
from dudao_sim.policy.scenarios import scenario_names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``compare``.

    Args:
        parser: The subcommand's parser.
    """
    add_run_options(parser)
    add_execution_options(parser)
    parser.add_argument("--scenarios", help="comma-separated scenarios (default: all shipped)")
    parser.add_argument("--baseline", default="pre_reform", help="baseline (default pre_reform)")
    parser.add_argument(
        "--lang", choices=("en", "zh"), default="en", help="language of the table and report"
    )
    add_output_options(parser, lang=False)
    parser.add_argument("--no-report", action="store_true", help="skip the HTML report")
    parser.add_argument(
        "--csv",
        dest="runs_csv",
        action="store_true",
        help="also write every run's monthly metrics as runs.csv (large)",
    )


def scenario_list(text: str | None, baseline: str) -> list[str]:
    """The scenarios to compare: ``--scenarios`` (default all shipped), baseline first if missing.

    Args:
        text: The ``--scenarios`` value (comma-separated; ``+`` stacks scenarios).
        baseline: The baseline scenario.

    Returns:
        Scenario names.

    Raises:
        UsageError: If a scenario cannot be loaded.
    """
    names = [n.strip() for n in text.split(",") if n.strip()] if text else scenario_names()
    if text is not None and not names:
        raise UsageError(f"--scenarios: {text!r} is not allowed; give names separated by commas")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UsageError(f"--scenarios: {', '.join(repeated)} given more than once")
    scenario_parts("--baseline", baseline)
    if baseline not in names:
        names = [baseline, *names]
    for name in names:
        scenario_parts("--scenarios", name)
    return names


def display_order(scenarios: list[str], baseline: str) -> list[str]:
    """The baseline, then ``reform_2021`` (if compared), then the rest in the order given."""
    first = [baseline, *(["reform_2021"] if "reform_2021" in scenarios else [])]
    return list(dict.fromkeys([*first, *scenarios]))


def print_comparison(
    runs: pd.DataFrame, scenarios: list[str], args: argparse.Namespace, province: str, seeds: int
) -> None:
    """Print the comparison (``--format``): the baseline's means, each scenario's change.

    Args:
        runs: Tidy run frame of the ensemble.
        scenarios: The scenarios compared (the baseline among them).
        args: Parsed arguments (``--baseline``, ``--lang``, ``--format``, ``--months``).
        province: The province's name.
        seeds: Seeds per scenario.
    """
    lang, baseline = args.lang, args.baseline
    order = display_order(scenarios, baseline)
    records = compare_records(runs, baseline, order, KEY_OUTCOMES, lang)
    shown = {"baseline": baseline, "province": province, "seeds": seeds, "months": args.months}
    title = i18n_text("cli.paired_title", lang)
    heading = i18n_text("cli.table.compare_heading", lang, title=title, **shown)
    level = round(LEVEL * 100)
    note = i18n_text(
        "cli.table.legend_compare", lang, last=averaged(args.months), level=level, **shown
    )
    meta = {"command": "compare", "scenarios": order, **shown}
    emit(records, args.format, meta, compare_table(records, baseline, lang, heading, note))


def run(args: argparse.Namespace) -> int:
    """Run the ensemble, print the paired differences and write the report.

    Args:
        args: Parsed arguments.

    Returns:
        0.

    Raises:
        UsageError: For bad options or an output folder that cannot be used.
    """
    positive("--months", args.months)
    positive("--seeds", args.seeds)
    scenarios = scenario_list(args.scenarios, args.baseline)
    levers, assumptions = parse_settings(args.set)
    province = load_from_args(args)
    out = Path(args.out or f"out/compare-{province.code}")
    args.results_folder = out  # where an interrupt counts the kept runs (cli.main)
    seeds = spawn_seeds(args.seed, args.seeds)
    progress = progress_from(args)
    try:
        with progress.ensemble() as bar:
            ensemble = run_ensemble(
                province,
                scenarios,
                seeds,
                months=args.months,
                warmup_months=args.warmup_months,
                levers=levers,
                assumptions=assumptions,
                out_dir=out,
                resume=args.resume,
                **{**execution(args), "progress": bar},
            )
    except StoreError as error:
        raise UsageError(f"--out: {error}") from None
    if args.no_report:  # the report writes these tables itself, beside the HTML
        summarize(ensemble.runs).to_csv(out / "summary.csv", index=False)
        paired = paired_differences(ensemble.runs, args.baseline)
        paired.to_csv(out / "paired.csv", index=False)
    print_comparison(ensemble.runs, scenarios, args, province.name, len(seeds))
    if not args.no_report:
        from dudao_sim.report.labels import main_scenario

        progress.note(f"writing the report ({args.lang}) into {out}")
        main = main_scenario(scenarios, args.baseline)
        path = write_html_report(
            ensemble.runs,
            ensemble.regional,
            ensemble.manifest,
            out,
            args.lang,
            args.baseline,
            county=county_results(ResultStore(out), args.baseline, main),
            province=province,
        )
        status(f"\nreport: {path}", args.format)
    if args.runs_csv:
        write_runs_csv(ensemble.runs, out)
    status(f"results: {out}", args.format)
    return 0


COMMAND = Command(
    "compare",
    "compare scenarios over replicate seeds and write the report (main job)",
    add_arguments,
    run,
)
