"""``dudao-sim sweep``: run a grid or Latin-hypercube design over levers and assumptions.

It prints each design point's mean of the four clause-二十四 indices with its interval over
seeds, like ``compare`` (:mod:`dudao_sim.cli.output`; ``--format csv|json`` for machines),
and writes ``sweep.csv`` (the design and the means) into the output folder.
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
    one_line,
    parse_factors,
    parse_value,
    positive,
    scenario_parts,
)
from dudao_sim.cli.labels import SWEEP_OUTCOMES
from dudao_sim.cli.output import (
    LAST_MONTHS,
    LEVEL,
    add_output_options,
    averaged,
    emit,
    status,
    sweep_records,
    sweep_table,
)
from dudao_sim.cli.progress import progress_from
from dudao_sim.experiments import StoreError, run_sweep, spawn_seeds
from dudao_sim.experiments.statistics import last_months_mean
from dudao_sim.i18n import text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``sweep``.

    Args:
        parser: The subcommand's parser.
    """
    add_run_options(parser, months=60)
    add_execution_options(parser)
    parser.add_argument("--scenario", default="reform_2021")
    parser.add_argument(
        "--grid",
        action="append",
        metavar="NAME=V1,V2,...",
        help="grid values of a lever or assumption (repeatable)",
    )
    parser.add_argument("--lhs", type=int, metavar="N", help="Latin hypercube of N points")
    parser.add_argument(
        "--factor",
        action="append",
        metavar="NAME[=LOW:HIGH]",
        help="factor of the Latin hypercube (repeatable)",
    )
    add_output_options(parser)


def design_from_args(args: argparse.Namespace) -> pd.DataFrame:
    """The design of ``--grid ...`` or ``--lhs N --factor ...``.

    Args:
        args: Parsed arguments.

    Returns:
        The design, one row per point.

    Raises:
        UsageError: If neither or both are given, or a ``--grid`` item is malformed.
    """
    from dudao_sim.experiments.design import grid, latin_hypercube

    positive("--lhs", args.lhs)
    if args.grid and args.lhs is not None:
        raise UsageError("sweep: give either --grid ... or --lhs N with --factor ..., not both")
    if not args.grid and args.lhs is None:
        raise UsageError("sweep: give either --grid NAME=V1,V2 ... or --lhs N with --factor ...")
    if args.set:
        raise UsageError(
            "--set: not used by sweep; give the value as a one-value --grid NAME=V "
            "or in a scenario file"
        )
    if args.grid:
        if args.factor:
            raise UsageError("--factor: only with --lhs; a --grid item gives its own values")
        levels = {}
        for item in args.grid:
            name, _, values = item.partition("=")
            if not values or not name.strip():
                raise UsageError(f"--grid: {item!r} is not allowed; write NAME=V1,V2")
            if name.strip() in levels:
                raise UsageError(f"--grid: {name.strip()!r} is given twice; give it once")
            levels[name.strip()] = [parse_value(v) for v in values.split(",")]
        try:
            return grid(levels)
        except ValueError as error:
            raise UsageError(f"--grid {one_line(error)}") from None
    return latin_hypercube(parse_factors(args.factor), args.lhs, seed=args.seed)


def print_sweep(
    runs: pd.DataFrame, design: pd.DataFrame, args: argparse.Namespace, province: str, seeds: int
) -> None:
    """Print each design point's means with intervals over seeds (``--format``).

    Args:
        runs: Tidy run frame of the sweep (with ``point``).
        design: The design (``point`` and the factors).
        args: Parsed arguments (``--scenario``, ``--lang``, ``--format``, ``--months``).
        province: The province's name.
        seeds: Seeds per point.
    """
    lang = args.lang
    records = sweep_records(runs, design, SWEEP_OUTCOMES, lang)
    factors = [c for c in design.columns if c != "point"]
    shown = {"scenario": args.scenario, "province": province, "seeds": seeds}
    shown |= {"months": args.months, "points": len(design)}
    heading = text("cli.table.sweep_heading", lang, **shown)
    level = round(LEVEL * 100)
    note = text("cli.table.legend_sweep", lang, last=averaged(args.months), level=level, **shown)
    meta = {"command": "sweep", "factors": factors, **shown}
    emit(records, args.format, meta, sweep_table(records, factors, lang, heading, note))


def run(args: argparse.Namespace) -> int:
    """Run the design, print the last-year means of the four indices with intervals.

    Also writes ``sweep.csv`` in the output folder: the design and the means over seeds.

    Args:
        args: Parsed arguments.

    Returns:
        0.

    Raises:
        UsageError: For bad options or an output folder that cannot be used.
    """
    positive("--seeds", args.seeds)
    if len(scenario_parts("--scenario", args.scenario)) > 1:
        raise UsageError(
            f"--scenario: {args.scenario!r} is not allowed; sweep takes one scenario "
            "(stack reforms in a scenario file with base = ...)"
        )
    design = design_from_args(args)
    province = load_from_args(args)
    out = Path(args.out or f"out/sweep-{province.code}")
    args.results_folder = out  # where an interrupt counts the kept runs (cli.main)
    seeds = spawn_seeds(args.seed, args.seeds)
    try:
        with progress_from(args).ensemble() as bar:
            ensemble = run_sweep(
                province,
                design,
                seeds,
                scenario=args.scenario,
                months=args.months,
                warmup_months=args.warmup_months,
                out_dir=out,
                resume=args.resume,
                **{**execution(args), "progress": bar},
            )
    except StoreError as error:
        raise UsageError(f"--out: {error}") from None
    values = ensemble.runs[ensemble.runs["metric"].isin(SWEEP_OUTCOMES)]
    tail = last_months_mean(values, LAST_MONTHS, by=("point",))
    means = tail.pivot(index="point", columns="metric", values="value")
    table = design.set_index("point").join(means)
    table.to_csv(out / "sweep.csv")
    print_sweep(ensemble.runs, design, args, province.name, len(seeds))
    status(f"results: {out}", args.format)
    return 0


COMMAND = Command(
    "sweep", "run a grid or Latin-hypercube design over levers and assumptions", add_arguments, run
)
