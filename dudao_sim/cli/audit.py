"""``dudao-sim audit``: the lever audit the model runs on itself (``make audit``).

One lever at a time from ``reform_2021`` back to ``pre_reform`` (which behaviour each lever
moves, over paired seeds), and a Latin hypercube over every lever (which metrics one or two
levers explain: echoes). See :mod:`dudao_sim.experiments.audit`. Writes the Markdown page
(``--out``, e.g. ``docs/lever_effects.md``) and prints the verdict; exit code 1 when the audit
finds a new echo, an undeclared dead lever or a stale bookkeeping declaration.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from dudao_sim.cli.common import Command, UsageError, check_output_file, positive
from dudao_sim.cli.progress import progress_from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``audit``.

    Args:
        parser: The subcommand's parser.
    """
    parser.add_argument(
        "--quick", action="store_true", help="the small audit of make test (default: full)"
    )
    parser.add_argument("--out", metavar="PATH", help="write the audit as Markdown to PATH")
    parser.add_argument("--workers", type=int, help="local processes (default: all cores)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Run the audit, write the page, print the verdict.

    Args:
        args: Parsed arguments.

    Returns:
        0 when the audit passes, 1 when it finds a defect.

    Raises:
        UsageError: For a bad ``--workers`` or an unwritable ``--out``.
    """
    from dudao_sim.experiments import audit

    positive("--workers", args.workers)
    if args.out:
        check_output_file("--out", args.out)
    config = replace(audit.QUICK if args.quick else audit.FULL, workers=args.workers)
    how = {"scheduler": args.scheduler} if args.scheduler else {}
    try:
        with progress_from(args).ensemble() as bar:  # occasional lines, not a bar, in a log
            result = audit.audit(config, progress=bar, **how)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.out:
        audit.write_markdown(result, Path(args.out))
        print(f"wrote {args.out}")
    levers = result.levers
    print(
        f"levers: {int((levers['status'] == 'live').sum())} live, "
        f"{int((levers['status'] == 'bookkeeping').sum())} declared bookkeeping, "
        f"{int((levers['status'] == 'known dead').sum())} known dead"
    )
    print(f"echoes: {int(result.echoes['flagged'].sum())} flagged, new: {result.new_echoes()}")
    print(f"undeclared dead levers: {result.undeclared_dead()}")
    print(f"stale bookkeeping declarations: {result.stale_declarations()}")
    return 0 if result.ok else 1


COMMAND = Command(
    "audit",
    "audit the levers: which behaviour each moves, which metrics merely echo levers",
    add_arguments,
    run,
)
