"""Results stream to disk as each run finishes, so an interrupted sweep loses no finished run.

An output folder holds ``manifest.json`` (package version, creation time, the province, every
run spec with its id, the scenarios' resolved lever values) and one Parquet part per finished
run and table under ``parts/``. A part is written to a temporary name and renamed into place,
so a run killed while writing leaves no half part; a run counts as done when all its parts
exist. ``--resume`` (``resume=True``) skips the done runs of a matching manifest.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dudao_sim.experiments.runner import RunSpec

TABLES = ("metrics", "regional")
MANIFEST = "manifest.json"


class StoreError(ValueError):
    """An output folder that cannot be used as asked."""


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

    def part_path(self, table: str, run_id: str) -> Path:
        """Path of one run's part of one table."""
        return self.folder / "parts" / table / f"{run_id}.parquet"

    def open(self, specs: Sequence[RunSpec], info: dict[str, Any], resume: bool) -> None:
        """Prepare the folder for these runs: a new manifest, or check the existing one.

        Args:
            specs: The runs of the experiment.
            info: Extra manifest fields (province, scenarios, version ...).
            resume: Continue an interrupted experiment in this folder.

        Raises:
            StoreError: If the folder holds another experiment, or results without ``resume``.
        """
        ids = [s.run_id for s in specs]
        if self.manifest_path.exists():
            old = self.read_manifest()
            if not resume:
                raise StoreError(
                    f"{self.folder}: holds results already; use --resume to "
                    "continue it or choose a new output folder"
                )
            if [r["run_id"] for r in old["runs"]] != ids:
                raise StoreError(
                    f"{self.folder}: holds a different experiment (other runs); "
                    "resume it with the same arguments or choose a new folder"
                )
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest = {
            **info,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "runs": [{"run_id": s.run_id, **s.as_dict()} for s in specs],
        }
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
        os.replace(tmp, self.manifest_path)

    def read_manifest(self) -> dict[str, Any]:
        """The manifest as a dict."""
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise StoreError(f"{self.manifest_path}: cannot be read ({error})") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("runs"), list):
            raise StoreError(
                f"{self.manifest_path}: not a dudao-sim results manifest (no list of runs)"
            )
        return manifest

    def done(self) -> set[str]:
        """Run ids whose every part is on disk."""
        found = [{p.stem for p in (self.folder / "parts" / t).glob("*.parquet")} for t in TABLES]
        return set.intersection(*found) if found else set()

    def write(self, run_id: str, frames: dict[str, pd.DataFrame]) -> None:
        """Write one finished run's parts atomically."""
        for table in TABLES:
            path = self.part_path(table, run_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            frames[table].to_parquet(tmp, index=False)
            os.replace(tmp, path)

    def load(self, table: str = "metrics") -> pd.DataFrame:
        """All finished runs of one table, in manifest order."""
        if table not in TABLES:
            raise StoreError(f"table: {table!r} is not allowed; use one of {', '.join(TABLES)}")
        done = self.done()
        order = [r["run_id"] for r in self.read_manifest()["runs"] if r["run_id"] in done]
        frames = [pd.read_parquet(self.part_path(table, rid)) for rid in order]
        if not frames:
            raise StoreError(f"{self.folder}: no finished runs")
        return pd.concat(frames, ignore_index=True)
