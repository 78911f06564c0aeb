"""``dudao-sim report``: write the HTML report from a ``compare`` output folder.

:func:`write_html_report` is shared with ``compare``, which writes the report at the end of
its runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from dudao_sim.cli.common import Command, UsageError
from dudao_sim.experiments import ResultStore, StoreError


def write_html_report(
    runs: pd.DataFrame, regional: pd.DataFrame, manifest: dict, out: Path, lang: str, baseline: str
) -> Path:
    """Write the HTML report of an experiment into ``out``.

    Args:
        runs: Province-wide metrics of every run.
        regional: Results by 市州 of every run.
        manifest: The experiment's manifest (only the keys the report shows are passed on).
        out: Output folder.
        lang: Report language, ``en`` or ``zh``.
        baseline: Scenario the others are compared with.

    Returns:
        Path of the report.
    """
    from dudao_sim.report import write_report
    from dudao_sim.report.html import MANIFEST_KEYS

    info = {k: v for k, v in manifest.items() if k in MANIFEST_KEYS}
    info["baseline"] = baseline
    info.setdefault("created", "")
    return write_report(runs, regional, info, out, lang=lang, baseline=baseline)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``report``.

    Args:
        parser: The subcommand's parser.
    """
    parser.add_argument(
        "--from", dest="source", required=True, metavar="DIR", help="an output folder of compare"
    )
    parser.add_argument("--baseline", default="pre_reform")
    parser.add_argument("--lang", choices=("en", "zh"), default="en")


def run(args: argparse.Namespace) -> int:
    """Write the report into the ``--from`` folder and print its path.

    Args:
        args: Parsed arguments.

    Returns:
        0.

    Raises:
        UsageError: If the folder holds no readable results.
    """
    store = ResultStore(args.source)
    try:
        manifest = store.read_manifest()
        runs, regional = store.load("metrics"), store.load("regional")
    except StoreError as error:
        raise UsageError(f"--from: {error}") from None
    path = write_html_report(runs, regional, manifest, Path(args.source), args.lang, args.baseline)
    print(f"report: {path}")
    return 0


COMMAND = Command(
    "report", "write the HTML report from a compare output folder", add_arguments, run
)
