"""``dudao-sim compare``: the main job (``make run``).

It runs the baseline and the reforms on the same seeds over the bundled province, streams every
run to an output folder (``--resume`` continues an interrupted one), prints the paired
differences and writes the HTML report. The same call runs on a Dask cluster with
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
from dudao_sim.cli.report import write_html_report, write_runs_csv
from dudao_sim.experiments import (
    StoreError,
    paired_differences,
    run_ensemble,
    spawn_seeds,
    summarize,
)
from dudao_sim.i18n import text as i18n_text
from dudao_sim.metrics.catalogue import labels
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
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="report language")
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


def print_paired(paired: pd.DataFrame, lang: str) -> None:
    """Print the paired differences of the key outcomes, one column per scenario.

    Args:
        paired: Output of :func:`dudao_sim.experiments.paired_differences`.
        lang: ``en`` or ``zh`` (metric labels and the noise flag).
    """
    table = paired[paired["metric"].isin(KEY_OUTCOMES)].copy()
    noise = i18n_text("status.within_noise", lang)
    table["result"] = [
        f"{d:+.4f} [{lo:+.4f}, {hi:+.4f}]" + (f"  ({noise})" if n else "")
        for d, lo, hi, n in zip(
            table["diff_mean"],
            table["ci_low"],
            table["ci_high"],
            table["within_noise"],
            strict=True,
        )
    ]
    if lang == "zh":
        table["metric"] = table["metric"].map(labels("zh")).fillna(table["metric"])
    wide = table.pivot(index="metric", columns="scenario", values="result")
    print(wide.to_string())
    print(f"(± half-width of the 95 % interval; ~ = {noise})")


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
    try:
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
            **execution(args),
        )
    except StoreError as error:
        raise UsageError(f"--out: {error}") from None
    paired = paired_differences(ensemble.runs, args.baseline)
    if args.no_report:  # the report writes these tables itself, beside the HTML
        summarize(ensemble.runs).to_csv(out / "summary.csv", index=False)
        paired.to_csv(out / "paired.csv", index=False)
    title = i18n_text("cli.paired_title", args.lang)
    print(
        f"\n{title} {args.baseline} — {province.name}, {len(seeds)} seeds, "
        f"{args.months} months (mean of the last 12, 95% interval):"
    )
    print_paired(paired, args.lang)
    if not args.no_report:
        manifest = {**ensemble.manifest, "baseline": args.baseline}
        path = write_html_report(
            ensemble.runs, ensemble.regional, manifest, out, args.lang, args.baseline
        )
        print(f"\nreport: {path}")
    if args.runs_csv:
        write_runs_csv(ensemble.runs, out)
    print(f"results: {out}")
    return 0


COMMAND = Command(
    "compare",
    "compare scenarios over replicate seeds and write the report (main job)",
    add_arguments,
    run,
)
