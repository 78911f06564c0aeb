"""``dudao-sim scenarios``: list the shipped scenarios, or with ``--levers`` every lever."""

from __future__ import annotations

import argparse

import pandas as pd

from dudao_sim.cli.common import Command
from dudao_sim.policy.scenarios import load_scenario, scenario_names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``scenarios``.

    Args:
        parser: The subcommand's parser.
    """
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--levers", action="store_true", help="list every lever instead")


def run(args: argparse.Namespace) -> int:
    """Print the scenario table (or the lever table).

    Args:
        args: Parsed arguments.

    Returns:
        0.
    """
    if args.levers:
        from dudao_sim.policy.levers import lever_table

        table = lever_table(args.lang)[["name", "label", "clauses", "allowed", "default"]]
        print(table.to_string(index=False))
        return 0
    rows = []
    for name in scenario_names():
        s = load_scenario(name)
        rows.append(
            {
                "name": name,
                "label": s.label(args.lang),
                "base": s.base or "—",
                "changes": len(s.changes),
            }
        )
    print(pd.DataFrame(rows).to_string(index=False))
    return 0


COMMAND = Command(
    "scenarios", "list the shipped scenarios (or --levers: every lever)", add_arguments, run
)
