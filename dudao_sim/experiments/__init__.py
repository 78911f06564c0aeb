"""Experiments: ensembles over seeds, comparisons, sweeps and sensitivity analysis."""

from dudao_sim.experiments.design import Factor, factor, grid, latin_hypercube
from dudao_sim.experiments.ensemble import Ensemble, run_ensemble, run_sweep, spawn_seeds
from dudao_sim.experiments.executors import Interrupted, execute
from dudao_sim.experiments.runner import RunSpec, run_one
from dudao_sim.experiments.statistics import paired_differences, per_run, summarize
from dudao_sim.experiments.store import ResultStore, StoreError

__all__ = [
    "Ensemble",
    "Factor",
    "Interrupted",
    "ResultStore",
    "RunSpec",
    "StoreError",
    "execute",
    "factor",
    "grid",
    "latin_hypercube",
    "paired_differences",
    "per_run",
    "run_ensemble",
    "run_one",
    "run_sweep",
    "spawn_seeds",
    "summarize",
]
