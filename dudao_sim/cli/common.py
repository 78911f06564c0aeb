"""What the ``dudao-sim`` subcommands share: the parser, user errors and the common options.

Every user mistake — a bad option value, an unknown province, bad data, an unwritable output
file — raises :class:`UsageError` (or is caught by :func:`dudao_sim.cli.main.main` as a
:class:`~dudao_sim.errors.DudaoError` / ``ValueError``) and prints one line
``dudao-sim: error: ...`` to stderr with exit code 2. :func:`check_options` checks every
option value before a command loads or computes anything; :func:`user_warnings` prints each
:class:`~dudao_sim.errors.PlausibilityWarning` as one line ``dudao-sim: warning: ...``.

A subcommand is a :class:`Command`: its name, one-line help, a function that adds its
arguments and a function that runs it; each lives in a module of its own beside this one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from dudao_sim.data.province import DataError, Province, load_province
from dudao_sim.data.synthetic import MAX_COUNTIES, synthetic_province
from dudao_sim.errors import ArgumentError, PlausibilityWarning, did_you_mean
from dudao_sim.structure.inspectorate import InspectorateSpec

PROG = "dudao-sim"
#: Exit code for user mistakes (as argparse uses).
USAGE_ERROR = 2
#: Province used when neither ``--province`` nor ``--synthetic`` is given.
DEFAULT_PROVINCE = "hunan"


class UsageError(ArgumentError):
    """A user mistake on the command line, reported as one line on stderr with exit code 2."""


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


@contextmanager
def user_warnings() -> Iterator[None]:
    """Print each :class:`PlausibilityWarning` once as ``dudao-sim: warning: ...`` (one line)."""
    with warnings.catch_warnings():
        warnings.simplefilter("default", PlausibilityWarning)
        shown = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, PlausibilityWarning):
                print(f"{PROG}: warning: {one_line(message)}", file=sys.stderr)
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


# ---- checks made before anything is loaded or computed ------------------------------------
#: Whole-number options: attribute -> (option, minimum, maximum or None).
WHOLE_OPTIONS: dict[str, tuple[str, int, int | None]] = {
    "seed": ("--seed", 0, 2**63 - 1),
    "synthetic": ("--synthetic", 1, MAX_COUNTIES),
    "months": ("--months", 1, None),
    "warmup_months": ("--warmup-months", 0, None),
    "seeds": ("--seeds", 1, None),
    "workers": ("--workers", 1, None),
    "lhs": ("--lhs", 1, None),
    "trajectories": ("--trajectories", 2, None),
    "n_base": ("--n-base", 2, None),
}
#: Options naming a file a command writes.
FILE_OPTIONS = {"csv": "--csv", "graphml": "--graphml"}


def check_options(args: argparse.Namespace) -> None:
    """Check every option value a command has, before it loads or computes anything.

    Whole numbers against their ranges (:data:`WHOLE_OPTIONS`), ``--warmup-months`` a
    multiple of 12, ``--n-base`` a power of 2, and the files of :data:`FILE_OPTIONS`
    writable (:func:`check_output_file`).

    Args:
        args: Parsed arguments of any subcommand.

    Raises:
        UsageError: Naming the option, the value and what is allowed.
    """
    for attribute, (option, low, high) in WHOLE_OPTIONS.items():
        value = getattr(args, attribute, None)
        if value is not None and (value < low or (high is not None and value > high)):
            allowed = f">= {low:,}" if high is None else f"in [{low:,}, {high:,}]"
            raise UsageError(f"{option}: {value} is not allowed; must be a whole number {allowed}")
    warmup = getattr(args, "warmup_months", None)
    if warmup is not None and warmup % 12:
        raise UsageError(
            f"--warmup-months: {warmup} is not allowed; must be a multiple of 12 "
            "(the reform starts in January)"
        )
    n_base = getattr(args, "n_base", None)
    if getattr(args, "method", None) == "sobol" and n_base is not None and n_base & (n_base - 1):
        lower = 1 << (n_base.bit_length() - 1)
        raise UsageError(
            f"--n-base: {n_base} is not allowed; must be a power of 2 (e.g. {lower} or {2 * lower})"
        )
    for attribute, option in FILE_OPTIONS.items():
        if getattr(args, attribute, None):
            check_output_file(option, getattr(args, attribute))


def check_output_file(option: str, path: str | Path) -> Path:
    """Check that a command can write ``path``, before it computes what goes there.

    Args:
        option: The option, as the user wrote it (``"--csv"``).
        path: The file to write.

    Returns:
        The path.

    Raises:
        UsageError: If ``path`` is a folder, its folder does not exist or is a file, or it
            cannot be written.
    """
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise UsageError(f"{option}: {path} is a folder; give a file name")
    if not folder.exists():
        raise UsageError(f"{option}: cannot write {path}: folder {folder} does not exist")
    if not folder.is_dir():
        raise UsageError(f"{option}: cannot write {path}: {folder} is a file, not a folder")
    if not os.access(path if path.exists() else folder, os.W_OK):
        raise UsageError(f"{option}: cannot write {path}: permission denied")
    return path


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
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed: {args.seed} is not allowed; must be a whole number >= 0")
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


def scenario_parts(option: str, text: str) -> list[str]:
    """The scenarios of a ``+``-joined option value, each checked (files read, bases resolved).

    Args:
        option: The option, as the user wrote it (``"--scenario"``).
        text: Its value, e.g. ``"reform_2021+high_stakes"`` or a file.

    Returns:
        The parts.

    Raises:
        UsageError: Naming the option and the scenario's problem.
    """
    from dudao_sim.policy.scenarios import load_scenario

    parts = [p.strip() for p in text.split("+") if p.strip()]
    if not parts:
        raise UsageError(f"{option}: {text!r} is not allowed; give a scenario name or file")
    for part in parts:
        try:
            load_scenario(part)
        except ValueError as error:
            raise UsageError(f"{option}: {one_line(error)}") from None
    return parts


def check_outcomes(option: str, names: list[str]) -> None:
    """Refuse outcome names that are not province-wide metrics of a run.

    Args:
        option: The option, as the user wrote it (``"--outcome"``).
        names: The metric names given.

    Raises:
        UsageError: Naming the first unknown metric and the closest known ones.
    """
    from dudao_sim.metrics.catalogue import CATALOGUE
    from dudao_sim.metrics.reporters import MODEL_REPORTERS, REGIONAL_RATIOS

    regional_only = set(REGIONAL_RATIOS) - set(MODEL_REPORTERS)
    known = [n for n in CATALOGUE if n not in regional_only]
    for name in names:
        if name not in known:
            hint = did_you_mean(name, known) or "; see dudao_sim/metrics/catalogue.toml"
            raise UsageError(f"{option}: {name!r} is not a metric of a run{hint}")


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
    from dudao_sim.errors import LeverError
    from dudao_sim.policy.assumptions import ASSUMPTIONS
    from dudao_sim.policy.levers import LEVERS

    levers, assumptions = {}, {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"--set: {item!r} is not allowed; write NAME=VALUE")
        name, value = item.split("=", 1)
        name = name.strip()
        try:
            if name in LEVERS:
                levers[name] = LEVERS[name].check(parse_value(value))
            elif name in ASSUMPTIONS:
                assumptions[name] = ASSUMPTIONS[name].check(parse_value(value))
            else:
                hint = did_you_mean(name, [*LEVERS, *ASSUMPTIONS])
                raise UsageError(
                    f"--set: {name!r} is neither a lever nor an assumption"
                    f"{hint or ' (see dudao-sim scenarios --levers)'}"
                )
        except LeverError as error:
            raise UsageError(f"--set {one_line(error)}") from None
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
            lo, colon, hi = bounds.partition(":")
            if not colon or not lo.strip() or not hi.strip():
                raise UsageError(f"--factor: {item!r} is not allowed; write NAME or NAME=LOW:HIGH")
            low, high = parse_value(lo), parse_value(hi)
        try:
            out.append(factor(name.strip(), low=low, high=high))
        except ValueError as error:
            raise UsageError(f"--factor {one_line(error)}") from None
    if not out:
        raise UsageError("--factor: give at least one factor")
    return out
