"""``dudao-sim report``: write the HTML report from a ``compare`` output folder.

:func:`write_html_report` is shared with ``compare``, which writes the report at the end of
its runs. The run frame stays in the folder's Parquet parts; ``--csv`` also writes it as
``runs.csv`` (large: every metric of every month of every run).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from dudao_sim.cli.common import Command, UsageError
from dudao_sim.cli.progress import progress_from
from dudao_sim.errors import did_you_mean
from dudao_sim.experiments import ResultStore, StoreError


def write_html_report(
    runs: pd.DataFrame,
    regional: pd.DataFrame,
    manifest: dict,
    out: Path,
    lang: str,
    baseline: str,
    runs_csv: bool = False,
) -> Path:
    """Write the HTML report of an experiment into ``out``.

    Args:
        runs: Province-wide metrics of every run.
        regional: Results by 市州 of every run.
        manifest: The experiment's manifest (only the keys the report shows are passed on).
        out: Output folder.
        lang: Report language, ``en`` or ``zh``.
        baseline: Scenario the others are compared with.
        runs_csv: Also write ``runs`` as ``out/runs.csv`` (``--csv``).

    Returns:
        Path of the report.
    """
    from dudao_sim.report import write_report
    from dudao_sim.report.html import MANIFEST_KEYS

    info = {k: v for k, v in manifest.items() if k in MANIFEST_KEYS}
    info["baseline"] = baseline
    info.setdefault("created", "")
    path = write_report(runs, regional, info, out, lang=lang, baseline=baseline)
    if runs_csv:
        write_runs_csv(runs, out)
    return path


def write_runs_csv(runs: pd.DataFrame, out: Path) -> Path:
    """Write the run frame as ``out/runs.csv`` (what ``--csv`` asks for).

    Args:
        runs: Tidy run frame.
        out: Output folder.

    Returns:
        The file's path.
    """
    path = Path(out) / "runs.csv"
    runs.to_csv(path, index=False)
    return path


def checked_manifest(store: ResultStore, baseline: str) -> dict:
    """The manifest of a ``compare`` folder, checked before any part is read.

    Args:
        store: The ``--from`` folder.
        baseline: The ``--baseline`` scenario.

    Returns:
        The manifest.

    Raises:
        UsageError: For a missing folder, a file, a folder without results, a manifest that
            is not a compare's or lacks what the report needs, or a baseline not in it.
    """
    from dudao_sim.report.html import MANIFEST_KEYS

    folder = store.folder
    if not folder.exists():
        raise UsageError(f"--from: {folder}: no such folder")
    if not folder.is_dir():
        raise UsageError(f"--from: {folder}: is a file; give the output folder of compare")
    if not store.manifest_path.is_file():
        raise UsageError(
            f"--from: {folder}: holds no results (no {store.manifest_path.name}); "
            "give the output folder of compare"
        )
    manifest = store.read_manifest()
    kind = manifest.get("kind", "ensemble")
    if kind != "ensemble":
        raise UsageError(
            f"--from: {folder}: holds a {kind} (kind = {kind!r} in {store.manifest_path.name}); "
            "report needs the output folder of compare"
        )
    missing = [k for k in MANIFEST_KEYS if k not in ("baseline", "created") and k not in manifest]
    if missing:
        raise UsageError(
            f"--from: {store.manifest_path}: lacks {', '.join(missing)}; not a complete "
            "compare manifest (edited?)"
        )
    scenarios = manifest["scenarios"]
    if not isinstance(scenarios, list) or not all(isinstance(n, str) for n in scenarios):
        raise UsageError(f"--from: {store.manifest_path}: 'scenarios' must be a list of names")
    if baseline not in scenarios:
        raise UsageError(
            f"--baseline: {baseline!r} is not among the scenarios of {folder} "
            f"({', '.join(scenarios)}){did_you_mean(baseline, scenarios)}"
        )
    return manifest


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
    parser.add_argument(
        "--csv",
        dest="runs_csv",
        action="store_true",
        help="also write every run's monthly metrics as runs.csv (large)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress")


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
        manifest = checked_manifest(store, args.baseline)
        runs, regional = store.load("metrics"), store.load("regional")
    except StoreError as error:
        raise UsageError(f"--from: {error}") from None
    found = sorted(set(runs["scenario"]))
    if sorted(set(manifest["scenarios"])) != found:
        raise UsageError(
            f"--from: {store.manifest_path}: lists scenarios {', '.join(manifest['scenarios'])} "
            f"but the results hold {', '.join(found)}; was the manifest edited? Rerun compare "
            "into a new folder"
        )
    progress_from(args).note(f"writing the report ({args.lang}) into {args.source}")
    path = write_html_report(
        runs, regional, manifest, Path(args.source), args.lang, args.baseline, args.runs_csv
    )
    print(f"report: {path}")
    return 0


COMMAND = Command(
    "report", "write the HTML report from a compare output folder", add_arguments, run
)
