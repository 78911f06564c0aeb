"""``dudao-sim run``: run one scenario once and print its key outcomes.

The table (:mod:`dudao_sim.cli.output`) shows the mean of the last 12 months of the run, one
block per metric group, in the language of ``--lang``; ``--format csv|json`` prints the same
numbers at full precision. On a province the months show progress on stderr
(:mod:`dudao_sim.cli.progress`; ``--quiet`` for none).
"""

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
from dudao_sim.cli.output import (
    LAST_MONTHS,
    LEVEL,
    add_output_options,
    averaged,
    emit,
    run_records,
    run_table,
    status,
)
from dudao_sim.cli.progress import progress_from
from dudao_sim.experiments.statistics import last_months_mean
from dudao_sim.i18n import text


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
    add_output_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress")


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
    with progress_from(args).bar(args.warmup_months + args.months, "months", "month") as bar:
        while model.running:
            model.run(months=1)
            bar.update()
    frame = model.metrics()
    tail = last_months_mean(frame[["month", *KEY_OUTCOMES]], LAST_MONTHS)
    records = run_records(tail, KEY_OUTCOMES, args.lang)
    shown = {"scenario": model.scenario.name, "seed": args.seed, "months": args.months}
    heading = text("cli.table.run_heading", args.lang, province=province.name, **shown)
    note = text(
        "cli.table.legend_run",
        args.lang,
        last=averaged(args.months),
        level=round(LEVEL * 100),
        **shown,
    )
    meta = {"command": "run", "province": province.name, **shown}
    emit(records, args.format, meta, run_table(records, args.lang, heading, note))
    if args.csv:  # checked before the run (check_options); a disk error now is not the user's
        frame.to_csv(args.csv, index=False)
        status(f"metrics written to {args.csv}", args.format)
    return 0


COMMAND = Command("run", "run one scenario once and print its key outcomes", add_arguments, run)
