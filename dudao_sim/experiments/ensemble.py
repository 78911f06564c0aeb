"""Ensembles: scenarios × replicate seeds (common random numbers), and sweeps over a design.

:func:`run_ensemble` runs every scenario on the same seeds, locally or on a Dask cluster,
streams each finished run to an output folder if one is given (resumable), and returns an
:class:`Ensemble` with the tidy results and their summaries. :func:`run_sweep` does the same
for the points of a design (grid or Latin hypercube) over levers and assumptions.

An ensemble's folder also stores every run's results by county (table ``county``, about nine
times the rows of the results by 市州 on Hunan), read from the folder when needed
(:meth:`ResultStore.load <dudao_sim.experiments.store.ResultStore.load>` with ``scenarios``
and ``each``) rather than held in the :class:`Ensemble`; sweeps and in-memory ensembles keep
no county results.
"""

from __future__ import annotations

import hashlib
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dudao_sim.errors import LeverError, check_run_arguments, whole_number
from dudao_sim.experiments.executors import Interrupted, execute
from dudao_sim.experiments.runner import ProvinceRef, RunSpec, resolve_province
from dudao_sim.experiments.statistics import paired_differences, summarize
from dudao_sim.experiments.store import BASE_TABLES, TABLES, ResultStore
from dudao_sim.policy.assumptions import ASSUMPTIONS, check_assumptions
from dudao_sim.policy.levers import LEVERS, check_levers
from dudao_sim.policy.scenarios import load_scenario, scenario_path


def spawn_seeds(root: int, n: int) -> list[int]:
    """``n`` independent run seeds from one root seed (``numpy.random.SeedSequence.spawn``).

    Raises:
        ArgumentError: If ``n`` < 1 or ``root`` < 0 (a ``ValueError``).
    """
    whole_number("seeds", n, 1)
    whole_number("root seed", root, 0)
    children = np.random.SeedSequence(root).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


@dataclass
class Ensemble:
    """Results of an ensemble or sweep.

    Attributes:
        runs: Province-wide metrics, tidy (run_id, scenario, seed, point, month, metric, value).
        regional: Results by 市州, tidy (… code, name, metric, value).
        manifest: What was run (versions, province, specs).
        folder: The output folder the runs were streamed to (``None`` in memory); an
            ensemble's folder also holds the results by county.
    """

    runs: pd.DataFrame
    regional: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None

    def summary(self, last_months: int = 12) -> pd.DataFrame:
        """Means and 95 % intervals over seeds of each metric in each scenario."""
        return summarize(self.runs, last_months)

    def paired(self, baseline: str = "pre_reform", last_months: int = 12) -> pd.DataFrame:
        """Paired differences of each scenario against ``baseline`` (same seeds)."""
        return paired_differences(self.runs, baseline, last_months)


def _province_info(province: ProvinceRef) -> dict[str, Any]:
    prov = resolve_province(province)
    return {
        "province": prov.name,
        "province_code": prov.code,
        "province_source": str(prov.source) if prov.source else "in memory",
        "synthesized": prov.synthesized_columns(),
    }


def _execute_into(
    specs: list[RunSpec],
    province: ProvinceRef,
    info: dict[str, Any],
    out_dir: str | Path | None,
    resume: bool,
    tables: Sequence[str] = BASE_TABLES,
    **how: Any,
) -> Ensemble:
    from dudao_sim import __version__

    info = {"version": __version__, **_province_info(province), **info}
    if out_dir is not None:
        store = ResultStore(out_dir)
        store.open(specs, info, resume, tables)  # checks and creates the folder before any run
        done = store.done()
        todo = [s for s in specs if s.run_id not in done]
        try:
            execute(todo, province, lambda spec, frames: store.write(spec.run_id, frames), **how)
        except KeyboardInterrupt as stop:  # Ctrl-C, or Interrupted from a SIGTERM handler
            signum = getattr(stop, "signum", signal.SIGINT)
            raise Interrupted(signum, len(store.done()), len(specs), out_dir) from None
        store.finish()
        return Ensemble(
            store.load("metrics"), store.load("regional"), store.read_manifest(), store.folder
        )
    results: dict[str, dict[str, pd.DataFrame]] = {}

    def keep(spec: RunSpec, frames: dict[str, pd.DataFrame]) -> None:
        results[spec.run_id] = {t: frames[t] for t in BASE_TABLES}  # county: folders only

    execute(specs, province, keep, **how)
    order = [s.run_id for s in specs]  # manifest order, whatever order runs finished in
    runs = pd.concat([results[r]["metrics"] for r in order], ignore_index=True)
    regional = pd.concat([results[r]["regional"] for r in order], ignore_index=True)
    return Ensemble(runs, regional, {**info, "runs": [s.as_dict() for s in specs]})


def run_ensemble(
    province: ProvinceRef,
    scenarios: Sequence[str],
    seeds: Sequence[int],
    months: int = 120,
    warmup_months: int = 24,
    levers: Mapping[str, Any] | None = None,
    assumptions: Mapping[str, float] | None = None,
    out_dir: str | Path | None = None,
    resume: bool = False,
    workers: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> Ensemble:
    """Run scenarios × seeds (every scenario on the same seeds).

    Args:
        province: Province object, bundled name or folder.
        scenarios: Scenario names or files; a ``+``-joined name stacks scenarios.
        seeds: Run seeds (see :func:`spawn_seeds`).
        months: Months after the switch.
        warmup_months: Months of the shared warm-up.
        levers: Lever values applied on top of every scenario.
        assumptions: Assumption values for every run.
        out_dir: Stream results to this folder (resumable), the results by county too (table
            ``county``); keep in memory if ``None`` (without the results by county).
        resume: Continue an interrupted ensemble in ``out_dir``.
        workers: Local processes (default all cores; 1 = this process).
        client: A Dask ``distributed.Client``.
        scheduler: A Dask scheduler address.
        progress: Show a progress bar.

    Returns:
        The :class:`Ensemble`.

    Raises:
        ValueError: For unknown scenarios, levers or assumptions, or bad sizes.
    """
    if not scenarios:
        raise ValueError("scenarios: give at least one scenario")
    seeds = check_run_arguments(seeds, months, warmup_months)  # before the folder is touched
    check_levers(levers or {})  # fail early, naming the key
    check_assumptions(assumptions or {})
    labels = {}
    for name in scenarios:
        parts = tuple(p for p in str(name).split("+") if p)
        for part in parts:
            load_scenario(part)  # fail early, naming the scenario
        labels[str(name)] = parts
    specs = [
        RunSpec.make(
            name,
            seed,
            parts=parts,
            levers=levers,
            assumptions=assumptions,
            months=months,
            warmup_months=warmup_months,
        )
        for name, parts in labels.items()
        for seed in seeds
    ]
    files = {part: scenario_path(part) for parts in labels.values() for part in parts}
    info = {
        "kind": "ensemble",
        "scenarios": list(labels),
        "seeds": [int(s) for s in seeds],
        "scenario_files": {
            name: {"path": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
            for name, path in files.items()
        },
        "months": months,
        "warmup_months": warmup_months,
        "scenario_levers": {
            n: load_scenario(p[0]).levers if len(p) == 1 else None for n, p in labels.items()
        },
    }
    return _execute_into(
        specs,
        province,
        info,
        out_dir,
        resume,
        TABLES,
        workers=workers,
        client=client,
        scheduler=scheduler,
        progress=progress,
    )


def run_sweep(
    province: ProvinceRef,
    design: pd.DataFrame,
    seeds: Sequence[int],
    scenario: str = "reform_2021",
    months: int = 120,
    warmup_months: int = 24,
    out_dir: str | Path | None = None,
    resume: bool = False,
    workers: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> Ensemble:
    """Run every point of a design (columns: ``point`` and lever/assumption names) × seeds.

    Args:
        province: Province object, bundled name or folder.
        design: One row per design point (see :mod:`dudao_sim.experiments.design`).
        seeds: Run seeds; every point runs on the same seeds.
        scenario: The scenario the design's values are applied on.
        months: Months after the switch.
        warmup_months: Months of the shared warm-up.
        out_dir: Stream results to this folder (resumable).
        resume: Continue an interrupted sweep.
        workers: Local processes.
        client: A Dask ``distributed.Client``.
        scheduler: A Dask scheduler address.
        progress: Show a progress bar.

    Returns:
        The :class:`Ensemble`; its ``point`` column links results to design rows.

    Raises:
        ValueError: For a column that is neither a lever nor an assumption.
    """
    seeds = check_run_arguments(seeds, months, warmup_months)  # before the folder is touched
    load_scenario(scenario)  # fail early, naming the scenario
    columns = [c for c in design.columns if c != "point"]
    unknown = [c for c in columns if c not in LEVERS and c not in ASSUMPTIONS]
    if unknown:
        raise ValueError(f"design: column(s) {unknown} are neither levers nor assumptions")
    points = design["point"] if "point" in design else pd.Series(range(len(design)))
    specs = []
    for point, (_, row) in zip(points, design.iterrows(), strict=True):
        levers = {c: row[c] for c in columns if c in LEVERS}
        try:  # every point's values, before the first run
            check_levers(levers)
            assumptions = check_assumptions({c: row[c] for c in columns if c in ASSUMPTIONS})
        except LeverError as error:
            raise type(error)(f"design, point {point}: {error}") from None
        assumptions = {c: assumptions[c] for c in columns if c in ASSUMPTIONS}
        for seed in seeds:
            specs.append(
                RunSpec.make(
                    scenario,
                    seed,
                    levers=levers,
                    assumptions=assumptions,
                    months=months,
                    warmup_months=warmup_months,
                    point=int(point),
                )
            )
    info = {
        "kind": "sweep",
        "scenario": scenario,
        "seeds": [int(s) for s in seeds],
        "months": months,
        "warmup_months": warmup_months,
        "design": design.to_dict(orient="records"),
    }
    return _execute_into(
        specs,
        province,
        info,
        out_dir,
        resume,
        workers=workers,
        client=client,
        scheduler=scheduler,
        progress=progress,
    )
