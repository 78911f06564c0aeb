"""``dudao-sim sensitivity``: global sensitivity analysis with SALib (Morris or Sobol)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from dudao_sim.cli.common import (
    Command,
    UsageError,
    add_run_options,
    check_outcomes,
    execution,
    load_from_args,
    one_line,
    parse_factors,
    scenario_parts,
)
from dudao_sim.cli.labels import KEY_OUTCOMES
from dudao_sim.cli.progress import progress_from
from dudao_sim.experiments import StoreError, run_sweep
from dudao_sim.experiments.statistics import last_months_mean
from dudao_sim.experiments.store import prepare_folder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``sensitivity``.

    Args:
        parser: The subcommand's parser.
    """
    add_run_options(parser, months=48)
    parser.add_argument("--workers", type=int, help="local processes (default: all cores)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--scenario", default="reform_2021")
    parser.add_argument("--method", choices=("morris", "sobol"), default="morris")
    parser.add_argument(
        "--factor", action="append", metavar="NAME[=LOW:HIGH]", help="factor (repeatable)"
    )
    parser.add_argument(
        "--outcome",
        action="append",
        metavar="METRIC",
        help="outcome metric (repeatable; default: the four indices)",
    )
    parser.add_argument("--trajectories", type=int, default=10, help="Morris trajectories")
    parser.add_argument("--n-base", type=int, default=64, help="Sobol base sample (power of 2)")
    parser.add_argument("--out", metavar="DIR", help="folder for runs, indices and plots")
    parser.add_argument(
        "--resume", action="store_true", help="continue an interrupted analysis in --out"
    )
    parser.add_argument("--lang", choices=("en", "zh"), default="en")


def run(args: argparse.Namespace) -> int:
    """Compute the indices, write them with one plot per outcome, and print them.

    Every run streams to ``--out`` as it finishes (a result folder like compare's and
    sweep's), so ``--resume`` continues an interrupted analysis; an existing result folder is
    refused without ``--resume``.

    Args:
        args: Parsed arguments.

    Returns:
        0.

    Raises:
        UsageError: For bad options or an unknown ``--outcome``.
    """
    from dudao_sim.experiments import sensitivity
    from dudao_sim.report.sensitivity import plot_indices

    if args.set:
        raise UsageError("--set: not used by sensitivity; set fixed values in a scenario file")
    if len(scenario_parts("--scenario", args.scenario)) > 1:
        raise UsageError(
            f"--scenario: {args.scenario!r} is not allowed; sensitivity takes one scenario "
            "(stack reforms in a scenario file with base = ...)"
        )
    factors = parse_factors(args.factor)
    try:  # bool and choice factors have no range to sample
        sensitivity.salib_problem(factors)
    except ValueError as error:
        raise UsageError(f"--factor: {one_line(error).removeprefix('factors: ')}") from None
    outcomes = args.outcome or list(KEY_OUTCOMES[:4])
    check_outcomes("--outcome", outcomes)  # before any run
    province = load_from_args(args)
    # Runs stream to the folder (resumable) like compare and sweep: check it first.
    out = Path(args.out or f"out/sensitivity-{province.code}")
    args.results_folder = out  # where an interrupt counts the kept runs (cli.main)
    if not args.resume and (out / f"{args.method}.csv").exists():
        raise UsageError(
            f"--out: {out}: holds {args.method} results already; use --resume to continue "
            "it or choose a new output folder"
        )
    try:
        prepare_folder(out, args.resume)
    except StoreError as error:
        raise UsageError(f"--out: {error}") from None
    how = execution(args)
    progress = progress_from(args)

    def evaluate(design: pd.DataFrame) -> pd.DataFrame:
        try:
            with progress.ensemble() as bar:  # occasional lines, not a redrawn bar, in a log
                ensemble = run_sweep(
                    province,
                    design.assign(point=range(len(design))),
                    [args.seed],
                    scenario=args.scenario,
                    months=args.months,
                    warmup_months=args.warmup_months,
                    out_dir=out,
                    resume=args.resume,
                    **{**how, "progress": bar},
                )
        except StoreError as error:
            raise UsageError(f"--out: {error}") from None
        runs = ensemble.runs
        unknown = sorted(set(outcomes) - set(runs["metric"]))
        if unknown:
            raise UsageError(f"--outcome: unknown metric(s) {unknown}")
        runs = runs[runs["metric"].isin(outcomes)]
        tail = last_months_mean(runs, 12, by=("point",))
        table = tail.pivot(index="point", columns="metric", values="value")
        return table.reindex(range(len(design)))[outcomes].reset_index(drop=True)

    if args.method == "morris":
        indices = sensitivity.morris(
            factors, evaluate, n_trajectories=args.trajectories, seed=args.seed
        )
    else:
        indices = sensitivity.sobol(factors, evaluate, n_base=args.n_base, seed=args.seed)
    indices.to_csv(out / f"{args.method}.csv", index=False)
    for outcome in outcomes:
        figure = plot_indices(indices, outcome, lang=args.lang)
        figure.savefig(out / f"{args.method}-{outcome}.png", dpi=120, bbox_inches="tight")
    print(indices.round(4).to_string(index=False))
    print(f"results: {out}")
    return 0


COMMAND = Command(
    "sensitivity", "global sensitivity analysis with SALib (Morris or Sobol)", add_arguments, run
)
