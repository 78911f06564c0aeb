"""The ``dudao-sim`` command line: one subcommand per job, user mistakes as one-line errors.

Each subcommand lives in a module of its own (:mod:`dudao_sim.cli.hierarchy`,
:mod:`~dudao_sim.cli.scenarios`, :mod:`~dudao_sim.cli.run`, :mod:`~dudao_sim.cli.compare`,
:mod:`~dudao_sim.cli.sweep`, :mod:`~dudao_sim.cli.sensitivity`, :mod:`~dudao_sim.cli.report`)
as a :class:`~dudao_sim.cli.common.Command`; :data:`COMMANDS` lists them in the order
``--help`` shows. What they share — the parser, user errors, the province, staffing, run and
execution options — is in :mod:`dudao_sim.cli.common`; the tables, CSV and JSON that ``run``,
``compare`` and ``sweep`` print in :mod:`dudao_sim.cli.output` (laid out within 100 display
columns by :mod:`dudao_sim.i18n.layout`); progress on stderr in :mod:`dudao_sim.cli.progress`.

Every user mistake — a bad option value, an unknown province, bad data, an unwritable output
file — prints one line ``dudao-sim: error: ...`` to stderr and gives exit code 2, before any
computing (:func:`~dudao_sim.cli.common.check_options` runs first); a failure that is not the
user's prints one line naming it as an internal error and gives exit code 1. ``--debug``
(before or after the subcommand) shows the traceback instead. ``main`` returns the exit code
instead of raising.

Example:
    $ dudao-sim hierarchy --synthetic 3 --lang zh
    $ dudao-sim compare --province hunan --seeds 6 --out out/hunan
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from dudao_sim import __version__
from dudao_sim.cli import (
    audit,
    check,
    compare,
    hierarchy,
    report,
    run,
    scenarios,
    sensitivity,
    sweep,
)
from dudao_sim.cli.common import (
    PROG,
    USAGE_ERROR,
    Command,
    Parser,
    UsageError,
    check_options,
    one_line,
    print_error,
    user_warnings,
)
from dudao_sim.data.province import DataError
from dudao_sim.experiments.executors import Interrupted

#: The subcommands, in the order ``--help`` lists them.
COMMANDS: list[Command] = [
    hierarchy.COMMAND,
    scenarios.COMMAND,
    run.COMMAND,
    compare.COMMAND,
    sweep.COMMAND,
    sensitivity.COMMAND,
    report.COMMAND,
    check.COMMAND,
    audit.COMMAND,
]

#: Exit code for a failure that is not the user's mistake.
INTERNAL_ERROR = 1
DEBUG_HELP = "on an error, show the Python traceback"


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand of :data:`COMMANDS`.

    Returns:
        The parser.
    """
    parser = Parser(
        prog=PROG,
        description="Simulate education supervision reform (教育督导体制机制改革).",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(sub)
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
        sub.set_defaults(run=command.run)
    return parser


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` while a command runs.

    The first signal raises; later ones are ignored while the command cleans up (stopping
    workers, keeping finished runs). The previous handlers come back afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signums = (signal.SIGINT, signal.SIGTERM)

    def handler(signum: int, frame: object) -> None:
        for s in signums:
            signal.signal(s, signal.SIG_IGN)
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in signums}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def print_interrupted(stop: Interrupted, argv: Sequence[str]) -> None:
    """Print one line on stderr: what was kept and the command that continues it."""
    message = f"{PROG}: {stop}"
    if stop.folder is not None:
        again = [*argv, *([] if "--resume" in argv else ["--resume"])]
        message += f"; continue with: {shlex.join([PROG, *again])}"
    print(message, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``dudao-sim`` with ``argv`` (default: the process arguments).

    Args:
        argv: Arguments without the program name.

    Returns:
        The exit code: 0 on success, 2 for a user mistake (one line on stderr), 130 or 143
        when stopped by SIGINT or SIGTERM (one line on stderr: the runs kept and how to
        continue with ``--resume``).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as stop:  # --help, --version, or an argparse error already printed
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    if args.command is None:
        names = ", ".join(c.name for c in COMMANDS)
        print_error(f"a command is required (one of: {names}); see {PROG} --help")
        return USAGE_ERROR
    try:
        with stop_on_signals(), user_warnings():
            check_options(args)  # every option value, before anything is loaded or computed
            return int(args.run(args))
    except Interrupted as stop:  # Ctrl-C or SIGTERM: one line, no traceback
        if getattr(args, "results_folder", None) is not None:  # set by the writing commands
            stop = stop.counted_in(args.results_folder)
        print_interrupted(stop, list(argv) if argv is not None else sys.argv[1:])
        return stop.exit_code
    except (UsageError, DataError, ValueError) as error:
        if args.debug:
            raise
        print_error(error)
        return USAGE_ERROR
    except BrokenPipeError:  # output piped into e.g. ``head``, which stopped reading
        sys.stderr.close()
        return 0
    except OSError as error:  # a disk full or a folder gone while writing: not the user's
        if args.debug:
            raise
        where = f"{error.filename}: " if error.filename else ""
        print_error(f"{where}{error.strerror or one_line(error)}")
        return INTERNAL_ERROR
    except Exception as error:  # a bug: one line, the traceback with --debug
        if args.debug:
            raise
        print_error(
            f"internal error ({type(error).__name__}: {one_line(error)}); "
            f"rerun with {PROG} --debug ... for the traceback and report it"
        )
        return INTERNAL_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
