"""``dudao-sim run``: run one scenario once and print its key outcomes."""

from __future__ import annotations

import argparse

from dudao_sim.cli.common import (
    Command,
    add_run_options,
    load_from_args,
    parse_settings,
    scenario_parts,
)
from dudao_sim.cli.labels import KEY_OUTCOMES
from dudao_sim.experiments.statistics import last_months_mean


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``run``.

    Args:
        parser: The subcommand's parser.
    """
    add_run_options(parser)
    parser.add_argument(
        "--scenario",
        default="reform_2021",
        help="scenario name or file; join with + to stack (default reform_2021)",
    )
    parser.add_argument("--csv", metavar="PATH", help="write the monthly metrics to PATH")


def run(args: argparse.Namespace) -> int:
    """Run the model once, print the mean of the last 12 months, optionally write the CSV.

    Args:
        args: Parsed arguments.

    Returns:
        0.

    Raises:
        UsageError: For bad options or an unwritable ``--csv`` file (checked before the run).
    """
    from dudao_sim.model.model import SupervisionModel

    parts = scenario_parts("--scenario", args.scenario)
    levers, assumptions = parse_settings(args.set)
    province = load_from_args(args)
    model = SupervisionModel(
        province,
        scenario=parts,
        levers=levers,
        assumptions=assumptions,
        months=args.months,
        warmup_months=args.warmup_months,
        rng=args.seed,
        create_agents=False,
    )
    model.run()
    frame = model.metrics()
    tail = last_months_mean(frame[["month", *KEY_OUTCOMES]], 12)
    print(
        f"{model.scenario.name}: {province.name}, seed {args.seed}, {args.months} months "
        "(mean of the last 12 months)"
    )
    print(tail.to_string(float_format=lambda v: f"{v:,.4f}"))
    if args.csv:  # checked before the run (check_options); a disk error now is not the user's
        frame.to_csv(args.csv, index=False)
        print(f"metrics written to {args.csv}")
    return 0


COMMAND = Command("run", "run one scenario once and print its key outcomes", add_arguments, run)
