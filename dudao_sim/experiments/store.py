"""Results stream to disk as each run finishes, so an interrupted sweep loses no finished run.

An output folder holds ``manifest.json`` (package version, creation time, the versions of
everything that could move a number, the province, every run spec with its id, the scenarios'
resolved lever values) and one Parquet part per finished run and table under ``parts/``.

A part is written to a temporary name and renamed into place, then its SHA-256 is appended to
``parts.jsonl``, the manifest's ledger of written parts (one JSON line per run); when every
run is done the checksums are also folded into ``manifest.json`` (key ``parts``). A run counts
as done when all its parts exist and match their recorded checksums, so a partial or corrupt
part (a disk filling up, a copy cut short, an edit) is never read: ``--resume``
(``resume=True``) runs it again, and :meth:`ResultStore.load` refuses it, naming the part.
Folders written before checksums existed (no ``format`` in the manifest) open as they are.

The tables are the province-wide ``metrics``, the results by 市州 (``regional``) and, since
county results were added, the results by county (``county``); the manifest lists its folder's
tables (key ``tables``), and a folder whose manifest lists none holds :data:`BASE_TABLES`
only (it opens and resumes as it was written; :meth:`ResultStore.has_table` tells).

Part names come from run ids, which must be plain names (letters, digits, ``-``, ``_``): a
manifest naming a part ``../../etc/x`` is refused, so nothing outside the folder is read or
written.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import re
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from dudao_sim.errors import StoreError
from dudao_sim.experiments.runner import RunSpec

#: Every table a part can belong to; a new folder stores the tables it is opened with.
TABLES = ("metrics", "regional", "county")
#: Tables of a folder whose manifest lists none (written before county results were stored).
BASE_TABLES = ("metrics", "regional")
MANIFEST = "manifest.json"
#: The manifest's ledger of written parts: one JSON line ``{"run_id", "sha256": {table: hex}}``.
LEDGER = "parts.jsonl"
#: Manifest format: 2 adds part checksums (folders without ``format`` are version 1).
FORMAT = 2

#: Distributions whose versions could move a number, recorded in every manifest.
VERSIONED = ("dudao_sim", "numpy", "pandas", "mesa", "scipy", "SALib", "pyarrow", "networkx")

_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def environment() -> dict[str, str]:
    """Versions of Python, the platform and every package that could move a number."""
    env = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
    }
    for name in VERSIONED:
        try:
            env[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            env[name] = "not installed"
    return env


def check_run_id(run_id: object) -> str:
    """``run_id`` if it is a plain part name (letters, digits, ``-``, ``_``).

    Raises:
        StoreError: For anything else, e.g. a path such as ``../../etc/x``.
    """
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise StoreError(
            f"run id {run_id!r} is not allowed; a part name must be 1-64 letters, digits, "
            "'-' or '_' (no paths)"
        )
    return run_id


def prepare_folder(folder: str | Path, resume: bool = False) -> Path:
    """Check and create an output folder before any computing.

    Args:
        folder: The output folder.
        resume: Whether an existing experiment in it may be continued.

    Returns:
        The folder, created if it was missing.

    Raises:
        StoreError: If it is a file, cannot be created or written, or already holds results
            and ``resume`` is false.
    """
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path}: is a file, not a folder; choose a folder for the results")
    if (path / MANIFEST).exists() and not resume:
        raise StoreError(
            f"{path}: holds results already; use --resume to continue it or choose a new "
            "output folder"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise StoreError(f"{path}: cannot be created or written ({reason})") from None
    return path


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ResultStore:
    """A folder of streamed run results.

    Args:
        folder: The output folder.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    @property
    def manifest_path(self) -> Path:
        """Path of the manifest."""
        return self.folder / MANIFEST

    @property
    def ledger_path(self) -> Path:
        """Path of the ledger of written parts."""
        return self.folder / LEDGER

    def part_path(self, table: str, run_id: str) -> Path:
        """Path of one run's part of one table (a plain name inside ``parts/<table>/``)."""
        if table not in TABLES:
            raise StoreError(f"table: {table!r} is not allowed; use one of {', '.join(TABLES)}")
        return self.folder / "parts" / table / f"{check_run_id(run_id)}.parquet"

    def open(
        self,
        specs: Sequence[RunSpec],
        info: dict[str, Any],
        resume: bool,
        tables: Sequence[str] = BASE_TABLES,
    ) -> None:
        """Prepare the folder for these runs: a new manifest, or check the existing one.

        The folder is checked and created here, before any run: a file in its place, a folder
        that cannot be created or written, or results already there without ``resume`` fail
        at once. A resumed folder keeps the tables it was written with.

        Args:
            specs: The runs of the experiment.
            info: Extra manifest fields (province, scenarios, version ...).
            resume: Continue an interrupted experiment in this folder.
            tables: The tables each run writes (recorded in a new manifest), among
                :data:`TABLES`; ``metrics`` and ``regional`` are always among them.

        Raises:
            StoreError: If the folder cannot be used, holds another experiment, or holds
                results without ``resume``.
        """
        ids = [check_run_id(s.run_id) for s in specs]
        unknown = [t for t in tables if t not in TABLES]
        if unknown or not set(BASE_TABLES) <= set(tables):
            raise StoreError(
                f"tables: {list(tables)} is not allowed; give {', '.join(BASE_TABLES)} and "
                f"optionally others of {', '.join(TABLES)}"
            )
        prepare_folder(self.folder, resume)
        if self.manifest_path.exists():
            old = self.read_manifest()
            if [r["run_id"] for r in old["runs"]] != ids:
                raise StoreError(
                    f"{self.folder}: holds a different experiment (other runs); "
                    "resume it with the same arguments or choose a new folder"
                )
            return
        manifest = {
            **info,
            "format": FORMAT,
            "checksums": "sha256",
            "tables": list(dict.fromkeys(tables)),
            "environment": environment(),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "runs": [{"run_id": s.run_id, **s.as_dict()} for s in specs],
        }
        self._write_manifest(manifest)

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
        os.replace(tmp, self.manifest_path)

    def read_manifest(self) -> dict[str, Any]:
        """The manifest as a dict.

        Raises:
            StoreError: If it cannot be read, is not a results manifest, or names a part that
                is not a plain name.
        """
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise StoreError(f"{self.manifest_path}: cannot be read ({error})") from None
        runs = manifest.get("runs") if isinstance(manifest, dict) else None
        if not isinstance(runs, list) or not all(isinstance(r, dict) for r in runs):
            raise StoreError(
                f"{self.manifest_path}: not a dudao-sim results manifest (no list of runs)"
            )
        for run in runs:
            try:
                check_run_id(run.get("run_id"))
            except StoreError as error:
                raise StoreError(f"{self.manifest_path}: {error}") from None
        tables = manifest.get("tables", list(BASE_TABLES))
        if (
            not isinstance(tables, list)
            or not set(BASE_TABLES) <= set(tables)
            or any(t not in TABLES for t in tables)
        ):
            raise StoreError(
                f"{self.manifest_path}: 'tables' must list {', '.join(BASE_TABLES)} and "
                f"optionally others of {', '.join(TABLES)}; got {tables!r}"
            )
        return manifest

    def tables(self, manifest: dict[str, Any] | None = None) -> tuple[str, ...]:
        """The tables this folder's runs write (:data:`BASE_TABLES` if the manifest lists none)."""
        manifest = manifest if manifest is not None else self.read_manifest()
        return tuple(manifest.get("tables", BASE_TABLES))

    def has_table(self, table: str) -> bool:
        """Whether this folder's runs write ``table`` (``county`` only in newer folders)."""
        return table in self.tables()

    def checksums(self, manifest: dict[str, Any] | None = None) -> dict[str, dict[str, str]] | None:
        """Recorded SHA-256 of every written part, ``{run_id: {table: hex}}``.

        ``None`` for a folder written before checksums existed (no ``format`` in the
        manifest), whose parts are taken as they are. A ledger line cut short by a kill is
        skipped (its run is simply not done).
        """
        manifest = manifest if manifest is not None else self.read_manifest()
        if "format" not in manifest:
            return None
        sums: dict[str, dict[str, str]] = {}
        folded = manifest.get("parts", {})
        if isinstance(folded, dict):
            sums.update({k: v for k, v in folded.items() if isinstance(v, dict)})
        try:
            lines = self.ledger_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            lines = []
        for line in lines:
            try:
                entry = json.loads(line)
                run_id, recorded = entry["run_id"], entry["sha256"]
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # a line cut short: that run is not done
            if isinstance(run_id, str) and _RUN_ID.match(run_id) and isinstance(recorded, dict):
                sums[run_id] = recorded
        return sums

    def _status(
        self, run_id: str, sums: dict[str, dict[str, str]] | None, tables: Sequence[str]
    ) -> str:
        """``done``, ``missing`` (not written, or not recorded) or ``corrupt``."""
        paths = [self.part_path(t, run_id) for t in tables]
        if sums is None:  # before checksums: every part on disk counts
            return "done" if all(p.is_file() for p in paths) else "missing"
        recorded = sums.get(run_id)
        if recorded is None:
            return "missing"  # killed after renaming a part but before recording it
        for table, path in zip(tables, paths, strict=True):
            try:
                data = path.read_bytes()
            except OSError:
                return "corrupt"
            if _sha256(data) != recorded.get(table):
                return "corrupt"
        return "done"

    def status(self) -> dict[str, str]:
        """Each run of the manifest: ``done``, ``missing`` or ``corrupt`` (manifest order)."""
        manifest = self.read_manifest()
        sums, tables = self.checksums(manifest), self.tables(manifest)
        return {r["run_id"]: self._status(r["run_id"], sums, tables) for r in manifest["runs"]}

    def done(self) -> set[str]:
        """Run ids whose every part is on disk and matches its recorded checksum."""
        if not self.manifest_path.exists():
            found = [
                {p.stem for p in (self.folder / "parts" / t).glob("*.parquet")} for t in BASE_TABLES
            ]
            return set.intersection(*found)
        return {run_id for run_id, s in self.status().items() if s == "done"}

    def write(self, run_id: str, frames: dict[str, pd.DataFrame]) -> None:
        """Write one finished run's parts atomically and record their checksums.

        Args:
            run_id: The run.
            frames: Its tables; those the folder stores (:meth:`tables`) are written, any
                other is left out.
        """
        recorded = {}
        for table in self.tables():
            path = self.part_path(table, run_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            frames[table].to_parquet(buffer, index=False)
            data = buffer.getvalue()
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
            recorded[table] = _sha256(data)
        line = json.dumps({"run_id": run_id, "sha256": recorded}) + "\n"
        with self.ledger_path.open("a", encoding="utf-8") as ledger:
            ledger.write(line)

    def finish(self) -> None:
        """Fold the ledger's checksums into ``manifest.json`` once every run is done."""
        manifest = self.read_manifest()
        sums, tables = self.checksums(manifest), self.tables(manifest)
        if sums is None:
            return
        ids = [r["run_id"] for r in manifest["runs"]]
        if all(self._status(i, sums, tables) == "done" for i in ids):
            parts = {i: sums[i] for i in ids}
            if manifest.get("parts") != parts:
                self._write_manifest({**manifest, "parts": parts})

    def load(
        self,
        table: str = "metrics",
        scenarios: Collection[str] | None = None,
        each: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    ) -> pd.DataFrame:
        """All finished runs of one table, in manifest order.

        Args:
            table: One of the folder's tables (:meth:`tables`).
            scenarios: Only the runs of these scenarios (default all).
            each: Applied to every run's part as it is read, e.g. to keep its last months, so
                a large table (``county``) need not be held whole.

        Raises:
            StoreError: For a table the folder does not hold, a folder without finished runs
                (of ``scenarios``), or a part whose checksum does not match the manifest
                (named, with how to redo it).
        """
        if table not in TABLES:
            raise StoreError(f"table: {table!r} is not allowed; use one of {', '.join(TABLES)}")
        manifest = self.read_manifest()
        sums, tables = self.checksums(manifest), self.tables(manifest)
        if table not in tables:
            raise StoreError(
                f"{self.folder}: holds no {table!r} table (its runs wrote {', '.join(tables)}; "
                "written by an older version?)"
            )
        frames = []
        for run in manifest["runs"]:
            if scenarios is not None and run.get("scenario") not in scenarios:
                continue
            run_id = run["run_id"]
            status = self._status(run_id, sums, tables)
            if status == "corrupt":
                bad = next(
                    self.part_path(t, run_id)
                    for t in tables
                    if not self.part_path(t, run_id).is_file()
                    or _sha256(self.part_path(t, run_id).read_bytes()) != sums[run_id].get(t)
                )
                raise StoreError(
                    f"{bad}: corrupt or partial part (missing, or its sha256 does not match "
                    "the manifest); run the same command with --resume to redo it"
                )
            if status == "done":
                data = self.part_path(table, run_id).read_bytes()
                frame = pd.read_parquet(io.BytesIO(data))
                frames.append(each(frame) if each is not None else frame)
        if not frames:
            which = f" of {', '.join(sorted(scenarios))}" if scenarios is not None else ""
            raise StoreError(f"{self.folder}: no finished runs{which}")
        return pd.concat(frames, ignore_index=True)
