"""``dudao-sim hierarchy``: build the supervision hierarchy and print a summary.

The hierarchy implements clauses 一, 四, 五, 六 and 十七 (see :mod:`dudao_sim.structure.hierarchy`).
The staffing options build the inspectorate a user asks for; the summary describes that
staffing and judges every county against the document's own targets (1:5, full-time share
30 %–1/3, full badged coverage), saying so.

Example:
    $ dudao-sim hierarchy --synthetic 3 --lang zh
    $ dudao-sim hierarchy --province hunan --graphml hunan.graphml
"""

from __future__ import annotations

import argparse

from dudao_sim.cli.common import (
    Command,
    UsageError,
    add_province_arguments,
    load_from_args,
    one_line,
    spec_from_args,
)
from dudao_sim.cli.progress import Progress, progress_from
from dudao_sim.i18n import text
from dudao_sim.structure.describe import hierarchy_summary
from dudao_sim.structure.hierarchy import GRANULARITIES, build_hierarchy, write_graphml


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``hierarchy``.

    Args:
        parser: The subcommand's parser.
    """
    add_province_arguments(parser)
    parser.add_argument(
        "--schools-per-inspector",
        type=float,
        metavar="X",
        help="staff the offices at 1 inspector per X schools (default: the document's 5, "
        "clause 十七); counties are still judged against 1:5",
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


def run(args: argparse.Namespace) -> int:
    """Build the hierarchy, print its summary and optionally write GraphML.

    Args:
        args: Parsed arguments.

    Returns:
        0.

    Raises:
        UsageError: For bad options or an unwritable ``--graphml`` file.
    """
    spec = spec_from_args(args)
    province = load_from_args(args)
    progress = progress_from(args) if args.graphml else Progress("off")
    progress.note(f"building the hierarchy of {province.name} ({args.granularity})")
    graph = build_hierarchy(province, granularity=args.granularity, spec=spec, seed=args.seed)
    summary = hierarchy_summary(province, graph, lang=args.lang)
    if args.graphml:
        progress.note(f"writing {graph.number_of_nodes():,} nodes to {args.graphml}")
        try:
            path = write_graphml(graph, args.graphml)
        except OSError as error:
            reason = error.strerror or one_line(error)
            raise UsageError(f"--graphml: cannot write {args.graphml}: {reason}") from None
        written = text("cli.graphml_written", args.lang)
        summary += f"\n\n{written} {path}"
    print(summary)
    return 0


COMMAND = Command(
    "hierarchy",
    "build the supervision hierarchy (clauses 一, 四, 五, 六, 十七) and summarize it",
    add_arguments,
    run,
)
