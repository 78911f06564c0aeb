"""The ``dudao-sim`` command line: one subcommand per job, user mistakes as one-line errors.

Subcommands register themselves in :data:`COMMANDS` (name, help, argument builder, runner),
so later ones (scenarios, run, compare, sweep, sensitivity, report) slot in beside
``hierarchy``, which builds the supervision hierarchy of clauses 一, 四, 五, 六 and 十七 and
prints a summary.

Every user mistake — a bad option value, an unknown province, bad data, an unwritable output
file — prints one line ``dudao-sim: error: ...`` to stderr and gives exit code 2; ``main``
returns the exit code instead of raising.

Example:
    $ dudao-sim hierarchy --synthetic 3 --lang zh
    $ dudao-sim hierarchy --province hunan --graphml hunan.graphml
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn

from dudao_sim import __version__
from dudao_sim.data.province import DataError, Province, load_province
from dudao_sim.data.synthetic import synthetic_province
from dudao_sim.structure.describe import hierarchy_summary
from dudao_sim.structure.hierarchy import GRANULARITIES, build_hierarchy, write_graphml
from dudao_sim.structure.inspectorate import InspectorateSpec

PROG = "dudao-sim"
#: Exit code for user mistakes (as argparse uses).
USAGE_ERROR = 2
#: Province used when neither ``--province`` nor ``--synthetic`` is given.
DEFAULT_PROVINCE = "hunan"


class UsageError(Exception):
    """A user mistake, reported as one line on stderr with exit code 2."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line: ``dudao-sim: error: ...``."""

    def error(self, message: str) -> NoReturn:
        where = self.prog.removeprefix(PROG).strip()
        prefix = f"{where}: " if where else ""
        _print_error(prefix + message)
        raise SystemExit(USAGE_ERROR)


def _one_line(message: object) -> str:
    return " ".join(part.strip() for part in str(message).splitlines() if part.strip())


def _print_error(message: object) -> None:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one-line help, argument builder and runner."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# ---- shared options ------------------------------------------------------------------------
_SPEC_OPTIONS = {
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
            raise UsageError(f"--synthetic: {_one_line(error)}") from None
    name = DEFAULT_PROVINCE if args.province is None else args.province
    try:
        return load_province(name)
    except DataError as error:
        raise UsageError(f"--province {name}: {_one_line(error)}") from None


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
        return InspectorateSpec.from_kwargs(**{k: getattr(args, k) for k in _SPEC_OPTIONS})
    except ValueError as error:
        message = _one_line(error)
        for field, option in _SPEC_OPTIONS.items():
            message = message.replace(f"{field}:", f"{option}:")
        raise UsageError(message) from None


# ---- hierarchy -----------------------------------------------------------------------------
def _add_hierarchy_arguments(parser: argparse.ArgumentParser) -> None:
    add_province_arguments(parser)
    parser.add_argument(
        "--schools-per-inspector",
        type=float,
        metavar="X",
        help="schools per inspector (clause 十七: 5)",
    )
    parser.add_argument(
        "--full-time-share",
        type=float,
        metavar="X",
        help="full-time share of inspectors, 0-1 (clause 十七: 0.30)",
    )
    parser.add_argument(
        "--badged-coverage",
        type=float,
        metavar="X",
        help="target share of schools with a badged inspector, 0-1 (clause 六: 1.0)",
    )
    parser.add_argument(
        "--granularity",
        choices=GRANULARITIES,
        default="full",
        help="light: governments and offices; full: also schools and inspectors (default)",
    )
    parser.add_argument("--graphml", metavar="PATH", help="write the graph as GraphML to PATH")
    parser.add_argument(
        "--lang", choices=("en", "zh"), default="en", help="summary language (default: en)"
    )


def _run_hierarchy(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    province = load_from_args(args)
    graph = build_hierarchy(province, granularity=args.granularity, spec=spec, seed=args.seed)
    summary = hierarchy_summary(province, graph, lang=args.lang)
    if args.graphml:
        try:
            path = write_graphml(graph, args.graphml)
        except OSError as error:
            reason = error.strerror or _one_line(error)
            raise UsageError(f"--graphml: cannot write {args.graphml}: {reason}") from None
        written = "GraphML 已写入" if args.lang == "zh" else "GraphML written to"
        summary += f"\n\n{written} {path}"
    print(summary)
    return 0


#: The subcommands, in the order ``--help`` lists them.
COMMANDS: list[Command] = [
    Command(
        "hierarchy",
        "build the supervision hierarchy (clauses 一, 四, 五, 六, 十七) and summarize it",
        _add_hierarchy_arguments,
        _run_hierarchy,
    ),
]


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand of :data:`COMMANDS`.

    Returns:
        The parser.
    """
    parser = _Parser(
        prog=PROG,
        description="Simulate education supervision reform (教育督导体制机制改革).",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    from dudao_sim.cli.experiments import EXPERIMENT_COMMANDS  # they build on this module

    for command in [*COMMANDS, *EXPERIMENT_COMMANDS]:
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``dudao-sim`` with ``argv`` (default: the process arguments).

    Args:
        argv: Arguments without the program name.

    Returns:
        The exit code: 0 on success, 2 for a user mistake (one line on stderr).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as stop:  # --help, --version, or an argparse error already printed
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    if args.command is None:
        from dudao_sim.cli.experiments import EXPERIMENT_COMMANDS

        names = ", ".join(c.name for c in [*COMMANDS, *EXPERIMENT_COMMANDS])
        _print_error(f"a command is required (one of: {names}); see {PROG} --help")
        return USAGE_ERROR
    try:
        return int(args.run(args))
    except (UsageError, DataError, ValueError) as error:
        _print_error(error)
        return USAGE_ERROR
    except BrokenPipeError:  # output piped into e.g. ``head``, which stopped reading
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
