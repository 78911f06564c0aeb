"""Event study around December ratings: does quality respond to being failed?

The literature's quality effect of inspection is a response of the schools that *failed*
(about 0.1 pupil-level SD over two to three years, Allen & Burgess 2012 [@allen_2012]), and
about nothing for schools rated well (Hussain 2015 [@hussain_2015]).
:func:`rating_event_study` follows every school rated
FAIL in a December of the reform phase and the schools rated PASS in the same December,
county and school type (matched cells), from ``window[0]`` to ``window[1]`` months around the
rating, and returns their mean change in quality since the rating month. It reads only the
simulated state month by month (quality, ratings, whether a school is open); it changes
nothing in the model.

Example:
    >>> import dudao_sim as ds
    >>> from dudao_sim.experiments.event_study import rating_event_study
    >>> model = ds.SupervisionModel(ds.synthetic_province(n_counties=3, seed=1),
    ...                             months=48, warmup_months=12, rng=1, create_agents=False)
    >>> paths = rating_event_study(model, window=(-6, 12))
    >>> list(paths.columns)
    ['failed', 'passed', 'difference', 'n_failed', 'n_passed']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dudao_sim.errors import ArgumentError
from dudao_sim.model.state import Rating

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

#: Default window around the rating month, in months: a year before to three years after.
DEFAULT_WINDOW = (-12, 36)
COLUMNS = ("failed", "passed", "difference", "n_failed", "n_passed")


def _check_window(window: tuple[int, int]) -> tuple[int, int]:
    try:
        before, after = (int(w) for w in window)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"window: {window!r} is not allowed; give (months before, months after), e.g. (-12, 36)"
        ) from None
    if tuple(window) != (before, after) or not before <= 0 <= after:
        raise ArgumentError(
            f"window: {window!r} is not allowed; give whole months (before <= 0 <= after)"
        )
    return before, after


def rating_event_study(
    model: SupervisionModel, window: tuple[int, int] = DEFAULT_WINDOW
) -> pd.DataFrame:
    """Run ``model`` to its end and compare failed with matched passed schools' quality paths.

    Events are the December ratings of the scenario phase (from the end of the warm-up) whose
    whole window lies within the run. Each school rated FAIL is matched to the schools rated
    PASS in the same December, county and school type; a failed school with no such match is
    left out. A school's path is its quality at ``τ`` months from the rating month minus its
    quality in the rating month (before the rating: quality moves at the start of a month).
    Schools not open at the end of their window are left out.

    Args:
        model: A fresh model (not yet stepped); it is run to its end.
        window: Months before and after the rating, ``(before, after)`` with
            ``before <= 0 <= after``.

    Returns:
        One row per ``τ`` (index ``tau``): ``failed`` — mean change of failed schools;
        ``passed`` — mean change of their matched passed schools (each matched cell weighted
        by its failed schools); ``difference`` — failed minus passed; ``n_failed`` and
        ``n_passed`` — schools in the comparison. Empty (no rows) when no December has both.

    Raises:
        ArgumentError: If the model has already been stepped, or ``window`` is not allowed.
    """
    before, after = _check_window(window)
    if model.t != 0:
        raise ArgumentError(
            f"model: already run to month {model.t}; give a fresh model (the event study "
            "records every month from the start)"
        )
    schools = model.state.schools
    quality, active, ratings = [], [], {}
    while model.running:
        model.step()
        month = model.t - 1
        quality.append(schools.quality.copy())
        active.append(schools.active.copy())
        if model.calendar.is_december(month):
            ratings[month] = schools.rating.copy()
    history, open_ = np.array(quality), np.array(active)
    taus = np.arange(before, after + 1)
    cell = schools.county.astype(np.int64) * (int(schools.school_type.max()) + 1)
    cell = cell + schools.school_type
    sums = {k: np.zeros(len(taus)) for k in ("failed", "passed")}
    n_failed = n_passed = 0
    for month, rating in ratings.items():
        if month < model.warmup_months or month + before < 0 or month + after >= len(history):
            continue
        path = history[month + taus] - history[month]  # taus x schools
        still_open = open_[month] & open_[month + after]
        failed = (rating == Rating.FAIL) & still_open
        passed = (rating == Rating.PASS) & still_open
        matched = np.intersect1d(cell[failed], cell[passed])
        for c in matched:
            f = failed & (cell == c)
            p = passed & (cell == c)
            k = int(f.sum())
            sums["failed"] += path[:, f].sum(axis=1)
            sums["passed"] += k * path[:, p].mean(axis=1)
            n_failed += k
            n_passed += int(p.sum())
    if not n_failed:
        return pd.DataFrame(columns=list(COLUMNS), index=pd.Index([], name="tau"))
    out = pd.DataFrame(
        {"failed": sums["failed"] / n_failed, "passed": sums["passed"] / n_failed},
        index=pd.Index(taus, name="tau"),
    )
    out["difference"] = out["failed"] - out["passed"]
    out["n_failed"] = n_failed
    out["n_passed"] = n_passed
    return out


__all__ = ["DEFAULT_WINDOW", "rating_event_study"]
