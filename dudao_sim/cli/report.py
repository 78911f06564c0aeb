"""``dudao-sim report``: write the HTML report from a ``compare`` output folder.

:func:`write_html_report` is shared with ``compare``, which writes the report at the end of
its runs. The report gets the manifest's keys it shows — the lever values set on every run
(``--set``) among them, read from the runs' specs — the results by 市州 and, from folders
that store them, the results by county of the baseline and the scenario the report looks at
most closely (their last months only, read part by part), with the province for the county
map (:func:`report_province`). The run frame stays in the folder's Parquet parts; ``--csv``
also writes it as ``runs.csv`` (large: every metric of every month of every run).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from dudao_sim.cli.common import Command, UsageError
from dudao_sim.cli.output import LAST_MONTHS
from dudao_sim.cli.progress import progress_from
from dudao_sim.errors import DataError, did_you_mean
from dudao_sim.experiments import ResultStore, StoreError

if TYPE_CHECKING:
    from dudao_sim.data.province import Province


def report_manifest(manifest: Mapping[str, Any], baseline: str) -> dict[str, Any]:
    """The keys of an experiment's manifest the report shows.

    The required keys (:data:`~dudao_sim.report.html.MANIFEST_KEYS`) and the optional ones
    (:data:`~dudao_sim.report.html.OPTIONAL_MANIFEST_KEYS`); ``levers`` — the values set on
    top of every scenario, e.g. by ``--set`` — is taken from the run specs when the manifest
    has no such key: the lever values every run shares.

    Args:
        manifest: The manifest of a ``compare`` folder (or of an in-memory ensemble).
        baseline: The scenario the others are compared with.

    Returns:
        The report's manifest.
    """
    from dudao_sim.report.html import MANIFEST_KEYS, OPTIONAL_MANIFEST_KEYS

    keys = (*MANIFEST_KEYS, *OPTIONAL_MANIFEST_KEYS)
    info = {k: v for k, v in manifest.items() if k in keys}
    if "levers" not in info:
        shared = shared_levers(manifest.get("runs") or [])
        if shared:
            info["levers"] = shared
    info["baseline"] = baseline
    info.setdefault("created", "")
    return info


def shared_levers(runs: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Lever values every run sets on top of its scenario (``--set``), from the run specs.

    Args:
        runs: The manifest's runs (each with a ``levers`` mapping).

    Returns:
        ``{lever: value}`` set identically in every run; empty if there are none.
    """
    sets = [r.get("levers") if isinstance(r.get("levers"), Mapping) else {} for r in runs]
    if not sets:
        return {}
    first = dict(sets[0])
    return {k: v for k, v in first.items() if all(k in s and s[k] == v for s in sets[1:])}


def report_province(manifest: Mapping[str, Any]) -> Province | None:
    """The province of an experiment, loaded again from the folder its manifest names.

    Args:
        manifest: The experiment's manifest (``province_source``, ``province_code``).

    Returns:
        The province, or ``None`` when it was built in memory (``--synthetic``), its folder
        is gone or unreadable, or the folder now holds another province (then the report's
        county view has a table but no map).
    """
    from dudao_sim.data.province import load_province

    source, code = manifest.get("province_source"), manifest.get("province_code")
    if not isinstance(source, str) or not Path(source).is_dir():
        return None
    try:
        province = load_province(source)
    except DataError:
        return None
    return province if str(province.code) == str(code) else None


def county_results(store: ResultStore, baseline: str, main: str | None) -> pd.DataFrame | None:
    """Results by county for the report: the baseline's and ``main``'s runs, last months.

    Args:
        store: A ``compare`` folder.
        baseline: The baseline scenario.
        main: The scenario the report compares county by county (``None``: none).

    Returns:
        The tidy county frame, each run cut to its last :data:`LAST_MONTHS` months, or
        ``None`` for a folder written before results by county were stored.
    """
    if main is None or not store.has_table("county"):
        return None
    return store.load("county", scenarios={baseline, main}, each=_last_months)


def _last_months(part: pd.DataFrame) -> pd.DataFrame:
    """A run's last :data:`LAST_MONTHS` months (the rule of ``last_months_mean``)."""
    return part[part["month"] > part["month"].max() - LAST_MONTHS].reset_index(drop=True)


def write_html_report(
    runs: pd.DataFrame,
    regional: pd.DataFrame,
    manifest: Mapping[str, Any],
    out: Path,
    lang: str,
    baseline: str,
    runs_csv: bool = False,
    county: pd.DataFrame | None = None,
    province: Province | None = None,
) -> Path:
    """Write the HTML report of an experiment into ``out``.

    Args:
        runs: Province-wide metrics of every run.
        regional: Results by 市州 of every run.
        manifest: The experiment's manifest (the keys the report shows are passed on, see
            :func:`report_manifest`).
        out: Output folder.
        lang: Report language, ``en`` or ``zh``.
        baseline: Scenario the others are compared with.
        runs_csv: Also write ``runs`` as ``out/runs.csv`` (``--csv``).
        county: Results by county (see :func:`county_results`), or ``None``.
        province: The province, for the county map and the counties' 市州, or ``None``.

    Returns:
        Path of the report.
    """
    from dudao_sim.report import write_report

    info = report_manifest(manifest, baseline)
    path = write_report(
        runs,
        regional,
        info,
        out,
        lang=lang,
        baseline=baseline,
        last_months=LAST_MONTHS,
        county=county,
        province=province,
    )
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
    from dudao_sim.report.labels import main_scenario

    try:
        county = county_results(store, args.baseline, main_scenario(found, args.baseline))
    except StoreError as error:
        raise UsageError(f"--from: {error}") from None
    progress = progress_from(args)
    province = report_province(manifest) if county is not None else None
    progress.note(f"writing the report ({args.lang}) into {args.source}")
    path = write_html_report(
        runs,
        regional,
        manifest,
        Path(args.source),
        args.lang,
        args.baseline,
        args.runs_csv,
        county=county,
        province=province,
    )
    print(f"report: {path}")
    return 0


COMMAND = Command(
    "report", "write the HTML report from a compare output folder", add_arguments, run
)
