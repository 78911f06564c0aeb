"""Runs behind the dashboard: settings, a worker pool started once, and per-session caches.

A :class:`DashboardSession` holds the province, the run settings (Hunan, 5 years after the
shared warm-up, 4 seeds; a small synthetic province in quick mode, ``DUDAO_SIM_QUICK=1``), a
process pool started once and reused by every Run, and a cache of finished runs keyed by
the run's content (:attr:`RunSpec.run_id`), so baseline runs (``reform_2021``, ``pre_reform``)
are computed once per session. :meth:`DashboardSession.compare` runs the edited policy against
the baselines and returns :class:`Results`. Nothing here imports ipywidgets: worker processes
import this module only.

Example:
    >>> from dudao_sim.dashboard.session import DashboardSession, dashboard_settings
    >>> s = dashboard_settings(quick=True)
    >>> s.province_name, len(s.seeds), s.workers
    ('synthetic (6 counties, seed 21)', 2, 1)
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from dudao_sim.data.province import Province, load_province
from dudao_sim.data.synthetic import synthetic_province
from dudao_sim.experiments.runner import RunSpec
from dudao_sim.experiments.statistics import paired_differences, summarize
from dudao_sim.policy.levers import LeverValue, check_levers
from dudao_sim.report.notebook import FIRST_YEAR, quick_mode

#: The two baselines every edited policy is compared with, in display order.
BASELINES: tuple[str, ...] = ("reform_2021", "pre_reform")
#: Name under which the edited policy's runs are reported.
EDITED = "edited"
#: Months averaged for summaries (the last year of each run).
LAST_MONTHS = 12

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DashboardSettings:
    """What a Run runs.

    Attributes:
        quick: Quick mode (small synthetic province, few seeds, short runs).
        province_name: ``"hunan"`` or a description of the synthetic province.
        seeds: Replicate seeds, shared by all scenarios (common random numbers).
        months: Months after the switch to the scenario.
        warmup_months: Months of the shared ``pre_reform`` warm-up.
        workers: Worker processes (``1``: run in this process, no pool).
        first_year: Calendar year of the first scenario month.
    """

    quick: bool
    province_name: str
    seeds: tuple[int, ...]
    months: int
    warmup_months: int
    workers: int
    first_year: int = FIRST_YEAR


def dashboard_settings(quick: bool | None = None) -> DashboardSettings:
    """The dashboard's settings: Hunan, 5 years, 4 seeds; or quick mode.

    Args:
        quick: Force quick (``True``) or full (``False``) mode; default from ``DUDAO_SIM_QUICK``.

    Returns:
        Full: Hunan, 4 seeds, 60 months after a 24-month warm-up, one worker per core.
        Quick: a seeded 6-county synthetic province, 2 seeds, 24 months after 12, in-process.
    """
    import os

    quick = quick_mode() if quick is None else quick
    if quick:
        return DashboardSettings(True, "synthetic (6 counties, seed 21)", (11, 12), 24, 12, 1)
    return DashboardSettings(False, "hunan", (1, 2, 3, 4), 60, 24, max(1, os.cpu_count() or 1))


# ---- worker side ------------------------------------------------------------------------------

_WORKER_PROVINCE: Province | None = None


def _init_worker(province: Province) -> None:
    global _WORKER_PROVINCE
    _WORKER_PROVINCE = province


def _ready() -> bool:
    return True


def run_spec(spec: RunSpec, province: Province) -> dict[str, pd.DataFrame]:
    """Run one spec: province-wide metrics and results by 市州 and by county, tidy.

    Args:
        spec: What to run.
        province: The province.

    Returns:
        ``{"metrics": ..., "city": ..., "county": ...}``; months from 0 (the switch).
    """
    from dudao_sim.model.model import SupervisionModel

    model = SupervisionModel(
        province,
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
    out = {"metrics": wide.melt(id_vars="month", var_name="metric", value_name="value")}
    for level in ("city", "county"):
        out[level] = model.metrics_by(level)
    for name, frame in out.items():
        frame["value"] = frame["value"].astype(float)
        out[name] = frame.assign(scenario=spec.scenario, seed=spec.seed)
    return out


def _run_in_worker(spec: RunSpec) -> dict[str, pd.DataFrame]:
    assert _WORKER_PROVINCE is not None, "worker was not initialised with a province"
    return run_spec(spec, _WORKER_PROVINCE)


# ---- results ----------------------------------------------------------------------------------


@dataclass
class Results:
    """The edited policy against the baselines.

    Attributes:
        runs: Province-wide monthly metrics (``scenario``, ``seed``, ``month``, ``metric``,
            ``value``); scenarios :data:`EDITED` and :data:`BASELINES`.
        city: Monthly results by 市州 (… ``code``, ``name`` …).
        county: Monthly results by county.
        levers: The edited policy's lever values.
        changes: Levers changed from the starting scenario.
        start: Name of the starting scenario.
        settings: The settings used.
        seconds: Wall time of the Run.
        cached: Runs taken from the cache.
    """

    runs: pd.DataFrame
    city: pd.DataFrame
    county: pd.DataFrame
    levers: dict[str, LeverValue]
    changes: dict[str, LeverValue]
    start: str
    settings: DashboardSettings
    seconds: float = 0.0
    cached: int = 0
    _summary: pd.DataFrame | None = field(default=None, repr=False)
    _paired: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def summary(self) -> pd.DataFrame:
        """Mean and 95 % interval over seeds of each metric (last 12 months) per scenario."""
        if self._summary is None:
            self._summary = summarize(self.runs, LAST_MONTHS)
        return self._summary

    def paired(self, baseline: str) -> pd.DataFrame:
        """The edited policy minus ``baseline``, seed by seed (last 12 months)."""
        if baseline not in self._paired:
            both = self.runs[self.runs["scenario"].isin([EDITED, baseline])]
            paired = paired_differences(both, baseline, LAST_MONTHS)
            self._paired[baseline] = paired[paired["scenario"] == EDITED].reset_index(drop=True)
        return self._paired[baseline]

    def value(self, metric: str, scenario: str = EDITED) -> float:
        """Mean over seeds of ``metric`` (last 12 months) under ``scenario``."""
        s = self.summary()
        row = s[(s["scenario"] == scenario) & (s["metric"] == metric)]
        return float(row["mean"].iloc[0]) if len(row) else float("nan")

    def regional_summary(self, level: str) -> pd.DataFrame:
        """Mean over seeds and the last 12 months by region, scenario and metric.

        Args:
            level: ``"city"`` or ``"county"``.

        Returns:
            Columns ``scenario``, ``code``, ``name``, ``metric``, ``mean``.
        """
        frame = self.city if level == "city" else self.county
        end = frame.groupby(["scenario", "seed"])["month"].transform("max")
        tail = frame[frame["month"] > end - LAST_MONTHS]
        per_seed = tail.groupby(["scenario", "seed", "code", "name", "metric"], as_index=False)[
            "value"
        ].mean()
        return (
            per_seed.groupby(["scenario", "code", "name", "metric"], as_index=False)["value"]
            .mean()
            .rename(columns={"value": "mean"})
        )


# ---- the session ------------------------------------------------------------------------------


def _province_key(province: Province) -> str:
    source = str(province.source) if province.source else "memory"
    return f"{province.code}|{province.name}|{source}|{len(province.schools)}"


class DashboardSession:
    """Province, settings, the worker pool and the caches of one dashboard session.

    Args:
        settings: Run settings (default: :func:`dashboard_settings`).
        province: A province object to use instead of the settings' one.
    """

    def __init__(
        self, settings: DashboardSettings | None = None, province: Province | None = None
    ) -> None:
        self.settings = settings or dashboard_settings()
        self._province = province
        self._pool: ProcessPoolExecutor | None = None
        self._cache: dict[tuple[str, str], dict[str, pd.DataFrame]] = {}
        self.pool_starts = 0

    # -- province

    @property
    def province(self) -> Province:
        """The province runs use (loaded once)."""
        if self._province is None:
            if self.settings.province_name == "hunan":
                self._province = load_province("hunan")
            else:
                self._province = synthetic_province(n_counties=6, seed=21)
        return self._province

    def load_province(self, folder: str | Path) -> Province:
        """Use a province from a folder (or bundled name): the CLI's loader and errors.

        Args:
            folder: A folder of CSV files or a bundled province name.

        Returns:
            The loaded province (runs use it from now on; the pool restarts).

        Raises:
            DataError: For a missing folder or bad tables, as ``dudao-sim --province``.
        """
        province = load_province(str(folder).strip())
        self.shutdown()
        self._province = province
        self.settings = replace(self.settings, province_name=province.name)
        return province

    # -- pool and cache

    def start_pool(self) -> None:
        """Start the worker processes now (once per session; no-op with one worker)."""
        if self.settings.workers <= 1 or self._pool is not None:
            return
        # Spawned workers (as Mesa and the experiments use) get the province once each.
        self._pool = ProcessPoolExecutor(
            max_workers=self.settings.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.province,),
        )
        self.pool_starts += 1
        for _ in range(self.settings.workers):
            self._pool.submit(_ready)

    def shutdown(self) -> None:
        """Stop the worker processes (a later Run starts them again)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def clear_cache(self) -> None:
        """Forget every finished run."""
        self._cache.clear()

    @property
    def cache_size(self) -> int:
        """Runs held in the cache."""
        return len(self._cache)

    # -- runs

    def specs(self, levers: Mapping[str, LeverValue]) -> list[RunSpec]:
        """Run specs of the edited policy and the baselines on the session's seeds.

        The edited policy is ``pre_reform`` with every lever set to its edited value, so its
        numbers depend only on the lever values, not on the scenario it started from.
        """
        s = self.settings
        common = {"months": s.months, "warmup_months": s.warmup_months}
        specs = [
            RunSpec.make(EDITED, seed, parts=("pre_reform",), levers=dict(levers), **common)
            for seed in s.seeds
        ]
        for base in BASELINES:
            specs += [RunSpec.make(base, seed, **common) for seed in s.seeds]
        return specs

    def run_specs(
        self, specs: list[RunSpec], progress: Progress | None = None
    ) -> tuple[dict[str, dict[str, pd.DataFrame]], int]:
        """Run specs, taking finished ones from the cache.

        Args:
            specs: Runs wanted.
            progress: Called with ``(done, total)`` as runs finish.

        Returns:
            ``({run_id: frames}, runs taken from the cache)``.
        """
        key = _province_key(self.province)
        out: dict[str, dict[str, pd.DataFrame]] = {}
        todo = []
        for spec in specs:
            hit = self._cache.get((key, spec.run_id))
            if hit is None:
                todo.append(spec)
            else:
                out[spec.run_id] = hit
        cached = len(out)
        total = len(specs)
        if progress:
            progress(len(out), total)

        def finish(spec: RunSpec, frames: dict[str, pd.DataFrame]) -> None:
            self._cache[(key, spec.run_id)] = frames
            out[spec.run_id] = frames
            if progress:
                progress(len(out), total)

        if self.settings.workers <= 1:
            for spec in todo:
                finish(spec, run_spec(spec, self.province))
        elif todo:
            self.start_pool()
            assert self._pool is not None
            futures: dict[Future, RunSpec] = {
                self._pool.submit(_run_in_worker, spec): spec for spec in todo
            }
            from concurrent.futures import as_completed

            for future in as_completed(futures):
                finish(futures[future], future.result())
        return out, cached

    def compare(
        self,
        levers: Mapping[str, object],
        start: str = "reform_2021",
        changes: Mapping[str, LeverValue] | None = None,
        progress: Progress | None = None,
    ) -> Results:
        """Run the edited policy and the baselines (cached) and collect the results.

        Args:
            levers: The edited policy's lever values (checked; missing ones from
                ``pre_reform``).
            start: The scenario the user started from (reported with the results).
            changes: Levers changed from ``start`` (reported with the results).
            progress: Called with ``(done, total)`` as runs finish.

        Returns:
            The :class:`Results`.

        Raises:
            LeverError: For an unknown lever or a value out of range.
        """
        t0 = time.perf_counter()
        full = check_levers(levers)
        specs = self.specs(full)
        frames, cached = self.run_specs(specs, progress)
        parts = [frames[s.run_id] for s in specs]
        return Results(
            runs=pd.concat([p["metrics"] for p in parts], ignore_index=True),
            city=pd.concat([p["city"] for p in parts], ignore_index=True),
            county=pd.concat([p["county"] for p in parts], ignore_index=True),
            levers=full,
            changes=dict(changes or {}),
            start=start,
            settings=self.settings,
            seconds=time.perf_counter() - t0,
            cached=cached,
        )

    def __del__(self) -> None:  # pragma: no cover - best effort at interpreter exit
        with contextlib.suppress(Exception):
            self.shutdown()


def province_coordinates(province: Province, level: str = "county") -> pd.DataFrame:
    """Codes, names and coordinates of the province's cities or counties.

    Args:
        province: The province.
        level: ``"city"`` or ``"county"``.

    Returns:
        Columns ``code``, ``name``, ``longitude``, ``latitude``, ``parent_code``.
    """
    d = province.divisions
    part = d[d["level"] == level]
    return part[["code", "name", "longitude", "latitude", "parent_code"]].astype(
        {"code": str, "parent_code": str}
    )


def describe_settings(settings: DashboardSettings) -> dict[str, Any]:
    """Values for the settings line of the dashboard."""
    return {
        "province": settings.province_name,
        "years": round(settings.months / 12, 1) if settings.months % 12 else settings.months // 12,
        "warmup": settings.warmup_months,
        "seeds": len(settings.seeds),
        "workers": settings.workers,
    }
