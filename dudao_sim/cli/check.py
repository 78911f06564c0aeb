"""``dudao-sim check``: validate scenario files and province folders without running anything.

Each input is a scenario (a ``.toml`` file or a shipped name) or a province (a folder of CSV
files or a bundled name); without inputs every shipped scenario and bundled province is
checked. A valid input prints one ``ok`` line saying what it holds; a bad one prints the same
one-line error a run would give (``dudao-sim: error: ...``), and the exit code is 2 if any
input is bad. Plausibility warnings (data far outside Chinese norms) print as
``dudao-sim: warning: ...`` lines and do not fail the check.

Example:
    $ dudao-sim check my_reform.toml data/my_province
    ok: scenario my_reform (my_reform.toml): base reform_2021, 2 levers changed
    ok: province 示例省 (990000, data/my_province): 1 city, 2 counties, 21 township-level
    units, 6 schools
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dudao_sim.cli.common import USAGE_ERROR, Command, UsageError, print_error
from dudao_sim.data.province import Province, bundled_provinces, datasets_dir, load_province
from dudao_sim.errors import DudaoError, did_you_mean
from dudao_sim.policy.scenarios import SCENARIO_DIR, load_scenario, scenario_names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``check``.

    Args:
        parser: The subcommand's parser.
    """
    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="scenario file or name, province folder or name "
        "(default: every shipped scenario and bundled province)",
    )


def kind_of(text: str) -> str:
    """``"scenario"`` or ``"province"``: what an input names.

    Raises:
        UsageError: If it names neither, with the closest shipped or bundled names.
    """
    path = Path(text)
    if path.suffix.lower() == ".toml":
        return "scenario"
    if path.is_dir():
        return "province"
    if path.is_file():
        raise UsageError(
            f"{text}: not a scenario file (.toml) or a province folder; for a province give "
            "the folder that holds divisions.csv, counties.csv and schools.csv"
        )
    if (SCENARIO_DIR / f"{text}.toml").is_file():
        return "scenario"
    if (datasets_dir() / text).is_dir():
        return "province"
    names = [*scenario_names(), *bundled_provinces()]
    raise UsageError(
        f"{text}: no such scenario file, province folder, shipped scenario or bundled "
        f"province{did_you_mean(text, names)}"
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def describe_province(province: Province) -> str:
    """What a valid province holds, in one line."""
    table = province.county_table
    where = f", {province.source}" if province.source else ""
    townships = int(table["n_townships"].sum())
    return (
        f"province {province.name} ({province.code}{where}): "
        f"{_count(len(province.cities), 'city', 'cities')}, "
        f"{_count(len(table), 'county', 'counties')}, "
        f"{_count(townships, 'township-level unit', 'township-level units')}, "
        f"{_count(len(province.schools), 'school', 'schools')}"
    )


def check_one(text: str) -> str:
    """Validate one input; return its ``ok`` line.

    Raises:
        DudaoError: The error a run would give for it.
    """
    if kind_of(text) == "scenario":
        scenario = load_scenario(text)
        base = f"base {scenario.base}" if scenario.base else "no base"
        where = "shipped" if text == scenario.name else text
        changed = _count(len(scenario.changes), "lever", "levers")
        return f"scenario {scenario.name} ({where}): {base}, {changed} changed"
    return describe_province(load_province(text))


def run(args: argparse.Namespace) -> int:
    """Check every input, print one line each, and return 0 only if all are valid.

    Args:
        args: Parsed arguments.

    Returns:
        0 if every input is valid, 2 otherwise.
    """
    inputs = args.inputs or [*scenario_names(), *bundled_provinces()]
    failed = 0
    for text in inputs:
        try:
            line = check_one(text)
        except DudaoError as error:
            print_error(error)
            failed += 1
            continue
        print(f"ok: {line}")
    return USAGE_ERROR if failed else 0


COMMAND = Command(
    "check",
    "validate scenario files and province folders without running anything",
    add_arguments,
    run,
)
