"""Global sensitivity analysis of model outcomes to levers and assumptions, with SALib.

Two methods, both sampling with SALib, handing the whole design to the caller's ``evaluate``
**once** (the caller runs the models, e.g. in parallel or on a cluster) and analysing each
outcome column separately:

* :func:`morris` — Morris elementary-effects screening (``SALib.sample.morris``,
  ``SALib.analyze.morris``): ``r (k + 1)`` runs for ``k`` factors and ``r`` trajectories. It
  ranks factors; ``mu_star`` is in outcome units per **full range** of the factor (SALib
  divides by the step as a share of the range), so factors with different units compare.
* :func:`sobol` — Sobol variance-based indices (Saltelli/Sobol sequence,
  ``SALib.sample.sobol``, ``SALib.analyze.sobol``): ``N (k + 2)`` runs (``N (2k + 2)`` with
  second-order indices), for a cluster.

``evaluate(design)`` receives the design as :mod:`dudao_sim.experiments.design` makes them
(column ``point``, then one column per factor) and returns one row per design row, in the same
order, one numeric column per outcome metric. Only float and int factors can be analysed:
int factors are rounded to the nearest whole number (halves up) before ``evaluate`` sees them,
while SALib analyses the unrounded sample. Morris levels fall on whole numbers when
``num_levels - 1`` divides the range (e.g. 0, 4, 8, 12); in a Sobol design the two end values
are half as likely as the others. The results are tidy DataFrames, one row per outcome and
factor; :func:`dudao_sim.report.sensitivity.plot_indices` draws them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from dudao_sim.experiments.design import Factor, check_design, check_factors, design_frame

Evaluate = Callable[[pd.DataFrame], pd.DataFrame]

MORRIS_COLUMNS: tuple[str, ...] = (
    "method",
    "outcome",
    "factor",
    "mu",
    "mu_star",
    "sigma",
    "mu_star_conf",
)
SOBOL_COLUMNS: tuple[str, ...] = (
    "method",
    "outcome",
    "factor",
    "S1",
    "S1_conf",
    "ST",
    "ST_conf",
)

LAPTOP_MORRIS: dict[str, int] = {"n_trajectories": 10, "num_levels": 4}
"""A reduced Morris setting for a laptop: ``morris(factors, evaluate, **LAPTOP_MORRIS)``.

Ten trajectories on four levels is the usual lower end for screening (Campolongo et al. 2007
[@campolongo_2007]) and needs ``10 (k + 1)`` design points: 160 for 15 factors. Run it on a
synthetic province (``synthetic_province(n_counties=12)``) with few months (e.g. 24 warm-up + 60):
one such run took about 0.6 s on the development machine, so 160 points x 5 seeds is a few
minutes on 2 cores. Sobol designs (``n_base`` of 512-1024 and more, ``n_base (k + 2)`` points) on
Hunan-scale provinces (about 7 s for 10 years) are for a cluster.
"""


def salib_problem(factors: Sequence[Factor]) -> dict:
    """The SALib problem dict for numeric factors.

    Args:
        factors: Float and int factors (see :func:`dudao_sim.experiments.design.factor`).

    Returns:
        ``{"num_vars": k, "names": [...], "bounds": [[low, high], ...]}``.

    Raises:
        ValueError: For no factors, a repeated factor, or a bool or choice factor.
    """
    checked = check_factors(factors)
    for f in checked:
        if not f.numeric:
            raise ValueError(
                f"factors: {f.name} is a {f.kind} factor, not allowed here; SALib needs numeric "
                "ranges (float or int factors). Compare its values with grid() instead, e.g. "
                "one sensitivity analysis per value."
            )
    return {
        "num_vars": len(checked),
        "names": [f.name for f in checked],
        "bounds": [[float(f.low), float(f.high)] for f in checked],  # type: ignore[arg-type]
    }


def _design(factors: Sequence[Factor], sample: np.ndarray) -> pd.DataFrame:
    """The SALib sample as a design frame: ints rounded, everything within bounds."""
    columns = {}
    for j, f in enumerate(factors):
        x = np.clip(sample[:, j], f.low, f.high)
        columns[f.name] = np.floor(x + 0.5).astype(np.int64) if f.kind == "int" else x
    design = design_frame(columns, len(sample))
    check_design(design, factors)
    return design


def _evaluate(evaluate: Evaluate, design: pd.DataFrame) -> pd.DataFrame:
    """Call ``evaluate`` once and check that it returned one numeric row per design row."""
    if not callable(evaluate):
        raise ValueError(f"evaluate: {evaluate!r} is not allowed; give a function design -> frame")
    outcomes = evaluate(design.copy())
    if not isinstance(outcomes, pd.DataFrame):
        raise ValueError(
            f"evaluate: returned {type(outcomes).__name__}; must return a DataFrame with one "
            "row per design row and one column per outcome"
        )
    if len(outcomes) != len(design):
        raise ValueError(
            f"evaluate: returned {len(outcomes)} rows for {len(design)} design rows; must "
            "return one row per design row, in order"
        )
    outcomes = outcomes.reset_index(drop=True)
    if "point" in outcomes.columns:
        if not np.array_equal(outcomes["point"].to_numpy(), design["point"].to_numpy()):
            raise ValueError("evaluate: its 'point' column is not in the design's order")
        outcomes = outcomes.drop(columns="point")
    if outcomes.shape[1] == 0:
        raise ValueError("evaluate: returned no outcome columns; need at least one")
    for column in outcomes.columns:
        values = outcomes[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise ValueError(
                f"evaluate: outcome {column!r} has dtype {values.dtype}; must be numeric"
            )
        if not np.isfinite(values.to_numpy(float)).all():
            raise ValueError(f"evaluate: outcome {column!r} has missing or infinite values")
    return outcomes


def _whole(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name}: {value!r} is not allowed; must be a whole number >= {minimum}")
    return int(value)


def morris(
    factors: Sequence[Factor],
    evaluate: Evaluate,
    n_trajectories: int = 10,
    num_levels: int = 4,
    seed: int = 0,
) -> pd.DataFrame:
    """Morris elementary-effects screening of every outcome to every factor.

    Args:
        factors: Float and int factors.
        evaluate: Called once with the whole design (``n_trajectories (k + 1)`` rows); returns
            one row per design row, in order, one numeric column per outcome.
        n_trajectories: Number of Morris trajectories ``r`` (>= 2).
        num_levels: Grid levels per factor (even, >= 2; 4 is usual).
        seed: Seed for the sample and the bootstrap of ``mu_star_conf``.

    Returns:
        Columns ``method`` (``"morris"``), ``outcome``, ``factor``, ``mu``, ``mu_star``,
        ``sigma``, ``mu_star_conf``; one row per outcome and factor.

    Raises:
        ValueError: For a bool or choice factor, a bad count, or a bad ``evaluate`` result.
    """
    problem = salib_problem(factors)
    checked = check_factors(factors)
    r = _whole("n_trajectories", n_trajectories, 2)
    levels = _whole("num_levels", num_levels, 2)
    if levels % 2:
        raise ValueError(f"num_levels: {num_levels!r} is not allowed; must be even (e.g. 4)")
    sample = morris_sample.sample(problem, r, num_levels=levels, seed=seed)
    outcomes = _evaluate(evaluate, _design(checked, sample))
    frames = []
    for outcome in outcomes.columns:
        res = morris_analyze.analyze(
            problem, sample, outcomes[outcome].to_numpy(float), num_levels=levels, seed=seed
        )
        frame = pd.DataFrame({key: np.asarray(res[key], dtype=float) for key in MORRIS_COLUMNS[3:]})
        frame.insert(0, "factor", problem["names"])
        frame.insert(0, "outcome", str(outcome))
        frame.insert(0, "method", "morris")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def sobol(
    factors: Sequence[Factor],
    evaluate: Evaluate,
    n_base: int = 64,
    seed: int = 0,
    second_order: bool = False,
) -> pd.DataFrame:
    """Sobol first-order and total indices of every outcome to every factor.

    Args:
        factors: Float and int factors.
        evaluate: Called once with the whole design (``n_base (k + 2)`` rows, or
            ``n_base (2k + 2)`` with ``second_order``); returns one row per design row, in
            order, one numeric column per outcome.
        n_base: Base sample size ``N``, a power of 2 (>= 2) as the Sobol sequence requires.
        seed: Seed for the scrambled sequence and the bootstrap of the intervals.
        second_order: Also estimate second-order indices (doubles the cost).

    Returns:
        Columns ``method`` (``"sobol"``), ``outcome``, ``factor``, ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf``; one row per outcome and factor. With ``second_order``,
        ``result.attrs["S2"]`` is a frame with columns ``outcome``, ``factor``, ``factor_2``,
        ``S2``, ``S2_conf``, one row per outcome and pair.

    Raises:
        ValueError: For a bool or choice factor, ``n_base`` not a power of 2, or a bad
            ``evaluate`` result.
    """
    problem = salib_problem(factors)
    checked = check_factors(factors)
    n = _whole("n_base", n_base, 2)
    if n & (n - 1):
        lower = 1 << (n.bit_length() - 1)
        raise ValueError(
            f"n_base: {n_base!r} is not allowed; must be a power of 2 (e.g. {lower} or {2 * lower})"
        )
    if not isinstance(second_order, bool):
        raise ValueError(f"second_order: {second_order!r} is not allowed; must be True or False")
    sample = sobol_sample.sample(problem, n, calc_second_order=second_order, seed=seed)
    outcomes = _evaluate(evaluate, _design(checked, sample))
    frames, pairs = [], []
    names = problem["names"]
    for outcome in outcomes.columns:
        res = sobol_analyze.analyze(
            problem, outcomes[outcome].to_numpy(float), calc_second_order=second_order, seed=seed
        )
        frame = pd.DataFrame({key: np.asarray(res[key], dtype=float) for key in SOBOL_COLUMNS[3:]})
        frame.insert(0, "factor", names)
        frame.insert(0, "outcome", str(outcome))
        frame.insert(0, "method", "sobol")
        frames.append(frame)
        if second_order:
            i, j = np.triu_indices(len(names), k=1)
            pairs.append(
                pd.DataFrame(
                    {
                        "outcome": str(outcome),
                        "factor": [names[a] for a in i],
                        "factor_2": [names[b] for b in j],
                        "S2": np.asarray(res["S2"], dtype=float)[i, j],
                        "S2_conf": np.asarray(res["S2_conf"], dtype=float)[i, j],
                    }
                )
            )
    result = pd.concat(frames, ignore_index=True)
    if second_order:
        result.attrs["S2"] = pd.concat(pairs, ignore_index=True)
    return result
