"""One run of the model as a task: a plain, picklable description in, tidy frames out.

A :class:`RunSpec` names everything that makes a run — scenario (or stacked scenarios), seed,
lever and assumption values, months — and nothing about where it runs, so the same spec gives
the same numbers in this process, in a worker process or on a Dask cluster. :func:`run_one`
runs it and returns the province-wide metrics and the results by 市州 and by county as tidy
frames.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dudao_sim.data.province import Province, load_province

ProvinceRef = Province | str | Path

#: Columns of a run's province-wide metrics.
METRIC_COLUMNS = ("run_id", "scenario", "seed", "point", "month", "metric", "value")
#: Columns of a run's results by 市州.
REGIONAL_COLUMNS = (
    "run_id",
    "scenario",
    "seed",
    "point",
    "month",
    "code",
    "name",
    "metric",
    "value",
)
#: Columns of a run's results by county (those of :data:`REGIONAL_COLUMNS`).
COUNTY_COLUMNS = REGIONAL_COLUMNS


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines one run.

    Attributes:
        scenario: Name under which results are reported.
        seed: The run's seed (common random numbers: scenarios share seeds).
        parts: Scenarios to stack (names or files); default ``(scenario,)``.
        levers: Lever values set on top, as sorted ``(name, value)`` pairs.
        assumptions: Assumption values, as sorted ``(name, value)`` pairs.
        months: Months after the switch to the scenario.
        warmup_months: Months of the shared ``pre_reform`` warm-up.
        point: Design point of a sweep (``-1`` outside sweeps).
    """

    scenario: str
    seed: int
    parts: tuple[str, ...] = ()
    levers: tuple[tuple[str, Any], ...] = ()
    assumptions: tuple[tuple[str, float], ...] = ()
    months: int = 120
    warmup_months: int = 24
    point: int = -1

    @classmethod
    def make(
        cls,
        scenario: str,
        seed: int,
        parts: tuple[str, ...] | None = None,
        levers: Mapping[str, Any] | None = None,
        assumptions: Mapping[str, float] | None = None,
        **kwargs: Any,
    ) -> RunSpec:
        """Build a spec from plain mappings (sorted, so equal specs hash equally)."""
        return cls(
            scenario=scenario,
            seed=int(seed),
            parts=tuple(parts or (scenario,)),
            levers=tuple(sorted((k, _plain(v)) for k, v in (levers or {}).items())),
            assumptions=tuple(sorted((k, float(v)) for k, v in (assumptions or {}).items())),
            **kwargs,
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description (for the manifest)."""
        out = asdict(self)
        out["parts"] = list(self.parts)
        out["levers"] = dict(self.levers)
        out["assumptions"] = dict(self.assumptions)
        return out

    @property
    def run_id(self) -> str:
        """Stable identifier of the spec's content (the same spec, the same id)."""
        text = json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


@lru_cache(maxsize=4)
def _cached_province(ref: str) -> Province:
    return load_province(ref)


def resolve_province(province: ProvinceRef) -> Province:
    """A province object from an object, a bundled name or a folder (cached per process)."""
    if isinstance(province, Province):
        return province
    return _cached_province(str(province))


def run_one(spec: RunSpec, province: ProvinceRef) -> dict[str, pd.DataFrame]:
    """Run one spec and return its tidy results.

    Args:
        spec: What to run.
        province: The province (object, bundled name or folder).

    Returns:
        ``{"metrics": ..., "regional": ..., "county": ...}`` with :data:`METRIC_COLUMNS`,
        :data:`REGIONAL_COLUMNS` (by 市州) and :data:`COUNTY_COLUMNS` (by county); months
        from 0 (the switch) on.
    """
    from dudao_sim.model.model import SupervisionModel  # late import keeps workers light to start

    model = SupervisionModel(
        resolve_province(province),
        scenario=list(spec.parts),
        levers=dict(spec.levers),
        assumptions=dict(spec.assumptions),
        months=spec.months,
        warmup_months=spec.warmup_months,
        rng=spec.seed,
        create_agents=False,
    )
    model.run()
    wide = model.metrics().drop(columns="phase")
    metrics = wide.melt(id_vars="month", var_name="metric", value_name="value")
    out = {}
    for name, frame, columns in (
        ("metrics", metrics, METRIC_COLUMNS),
        ("regional", model.metrics_by("city"), REGIONAL_COLUMNS),
        ("county", model.metrics_by("county"), COUNTY_COLUMNS),
    ):
        frame = frame.assign(
            run_id=spec.run_id, scenario=spec.scenario, seed=spec.seed, point=spec.point
        )
        frame["value"] = frame["value"].astype(float)
        out[name] = frame[list(columns)].reset_index(drop=True)
    return out
