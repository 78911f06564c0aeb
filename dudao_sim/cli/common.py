"""What the ``dudao-sim`` subcommands share: the parser, user errors and the common options.

Every user mistake — a bad option value, an unknown province, bad data, an unwritable output
file — raises :class:`UsageError` (or is caught by :func:`dudao_sim.cli.main.main` as a
``DataError`` / ``ValueError``) and prints one line ``dudao-sim: error: ...`` to stderr with
exit code 2.

A subcommand is a :class:`Command`: its name, one-line help, a function that adds its
arguments and a function that runs it; each lives in a module of its own beside this one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from dudao_sim.data.province import DataError, Province, load_province
from dudao_sim.data.synthetic import synthetic_province
from dudao_sim.structure.inspectorate import InspectorateSpec

PROG = "dudao-sim"
#: Exit code for user mistakes (as argparse uses).
USAGE_ERROR = 2
#: Province used when neither ``--province`` nor ``--synthetic`` is given.
DEFAULT_PROVINCE = "hunan"


class UsageError(Exception):
    """A user mistake, reported as one line on stderr with exit code 2."""


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line: ``dudao-sim: error: ...``."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` as one error line and exit with :data:`USAGE_ERROR`."""
        where = self.prog.removeprefix(PROG).strip()
        prefix = f"{where}: " if where else ""
        print_error(prefix + message)
        raise SystemExit(USAGE_ERROR)


def one_line(message: object) -> str:
    """``message`` as one line: its non-blank lines, stripped and joined by spaces."""
    return " ".join(part.strip() for part in str(message).splitlines() if part.strip())


def print_error(message: object) -> None:
    """Print ``dudao-sim: error: <message on one line>`` to stderr."""
    print(f"{PROG}: error: {one_line(message)}", file=sys.stderr)


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one-line help, argument builder and runner."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# ---- province and staffing options ---------------------------------------------------------
#: Fields of :class:`InspectorateSpec` -> the options that set them.
SPEC_OPTIONS = {
    "schools_per_inspector": "--schools-per-inspector",
    "full_time_share": "--full-time-share",
    "badged_coverage": "--badged-coverage",
}


def add_province_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--province`` / ``--synthetic`` and ``--seed`` (shared by subcommands).

    Args:
        parser: The subcommand's parser.
    """
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--province",
        metavar="NAME_OR_FOLDER",
        help="bundled province name or folder of CSV files (default: hunan)",
    )
    source.add_argument(
        "--synthetic",
        metavar="N_COUNTIES",
        type=int,
        help="use a seeded synthetic province with this many counties instead",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")


def load_from_args(args: argparse.Namespace) -> Province:
    """Load the province chosen by ``--province`` / ``--synthetic``.

    Args:
        args: Parsed arguments.

    Returns:
        The province.

    Raises:
        UsageError: For an unknown province, bad data or a bad ``--synthetic`` value.
    """
    if args.synthetic is not None:
        try:
            return synthetic_province(n_counties=args.synthetic, seed=args.seed)
        except ValueError as error:
            raise UsageError(f"--synthetic: {one_line(error)}") from None
    name = DEFAULT_PROVINCE if args.province is None else args.province
    try:
        return load_province(name)
    except DataError as error:
        raise UsageError(f"--province {name}: {one_line(error)}") from None


def spec_from_args(args: argparse.Namespace) -> InspectorateSpec:
    """Build the inspectorate spec from the staffing options.

    Args:
        args: Parsed arguments.

    Returns:
        The validated spec.

    Raises:
        UsageError: Naming the option, the value and the allowed range.
    """
    try:
        return InspectorateSpec.from_kwargs(**{k: getattr(args, k) for k in SPEC_OPTIONS})
    except ValueError as error:
        message = one_line(error)
        for field, option in SPEC_OPTIONS.items():
            message = message.replace(f"{field}:", f"{option}:")
        raise UsageError(message) from None


# ---- run and execution options -------------------------------------------------------------
def add_run_options(parser: argparse.ArgumentParser, months: int = 120) -> None:
    """Add the province options, ``--months``, ``--warmup-months`` and ``--set``.

    Args:
        parser: The subcommand's parser.
        months: Default of ``--months``.
    """
    add_province_arguments(parser)
    parser.add_argument(
        "--months",
        type=int,
        default=months,
        help=f"months after the reform switch (default {months})",
    )
    parser.add_argument(
        "--warmup-months",
        type=int,
        default=24,
        help="months of the shared pre_reform warm-up (default 24)",
    )
    parser.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="set a lever or assumption for every run (repeatable)",
    )


def add_execution_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--seeds``, ``--workers``, ``--scheduler``, ``--out``, ``--resume`` and ``--quiet``.

    Args:
        parser: The subcommand's parser.
    """
    parser.add_argument(
        "--seeds", type=int, default=6, help="replicate seeds per scenario or point (default 6)"
    )
    parser.add_argument("--workers", type=int, help="local processes (default: all cores)")
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://host:8786"
    )
    parser.add_argument("--out", metavar="DIR", help="output folder for results and report")
    parser.add_argument(
        "--resume", action="store_true", help="continue an interrupted experiment in --out"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def execution(args: argparse.Namespace) -> dict[str, Any]:
    """Where and how runs execute, as keyword arguments of ``run_ensemble`` / ``run_sweep``.

    Args:
        args: Parsed arguments with ``--workers``, ``--scheduler`` and ``--quiet``.

    Returns:
        ``workers``, ``scheduler`` and ``progress``.

    Raises:
        UsageError: If ``--workers`` is below 1.
    """
    positive("--workers", args.workers)
    return {"workers": args.workers, "scheduler": args.scheduler, "progress": not args.quiet}


# ---- values --------------------------------------------------------------------------------
def positive(name: str, value: int | None, minimum: int = 1) -> None:
    """Refuse an option value below ``minimum`` (``None``, not given, passes).

    Args:
        name: The option, as the user wrote it.
        value: Its value.
        minimum: The smallest allowed value.

    Raises:
        UsageError: If ``value`` is below ``minimum``.
    """
    if value is not None and value < minimum:
        raise UsageError(f"{name}: {value} is not allowed; must be >= {minimum}")


def parse_value(text: str) -> Any:
    """A value written on the command line: true/false, a JSON value, or else the text."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text.strip()


def parse_settings(items: list[str] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``--set NAME=VALUE`` items into lever and assumption values.

    Args:
        items: The ``--set`` items (``None`` when none were given).

    Returns:
        ``(levers, assumptions)``.

    Raises:
        UsageError: For an item without ``=`` or a name that is neither a lever nor an
            assumption.
    """
    from dudao_sim.policy.assumptions import ASSUMPTIONS
    from dudao_sim.policy.levers import LEVERS

    levers, assumptions = {}, {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"--set: {item!r} is not allowed; write NAME=VALUE")
        name, value = item.split("=", 1)
        name = name.strip()
        if name in LEVERS:
            levers[name] = parse_value(value)
        elif name in ASSUMPTIONS:
            assumptions[name] = parse_value(value)
        else:
            raise UsageError(
                f"--set: {name!r} is neither a lever nor an assumption "
                "(see dudao-sim scenarios --levers)"
            )
    return levers, assumptions


def parse_factors(items: list[str] | None) -> list:
    """Factors of a design from ``--factor NAME[=LOW:HIGH]`` items.

    Args:
        items: The ``--factor`` items (``None`` when none were given).

    Returns:
        The factors (see :func:`dudao_sim.experiments.design.factor`).

    Raises:
        UsageError: If no factor is given.
    """
    from dudao_sim.experiments.design import factor

    out = []
    for item in items or []:
        name, _, bounds = item.partition("=")
        low = high = None
        if bounds:
            lo, _, hi = bounds.partition(":")
            low, high = parse_value(lo), parse_value(hi)
        out.append(factor(name.strip(), low=low, high=high))
    if not out:
        raise UsageError("--factor: give at least one factor")
    return out
