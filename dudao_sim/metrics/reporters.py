"""Outcome metrics (ODD 7.10): truth and observation side by side, and the clause-二十四 indices.

Every metric is computed from simulated states and events; none reads a lever back. Mesa's
``DataCollector`` records the raw monthly values in :data:`MODEL_REPORTERS` (stocks of the
state and the month's event counts); :func:`metrics_frame` adds the derived metrics, most of
them over the last 12 months, and the four composite indices of clause 二十四 — 全面覆盖
(coverage), 运转高效 (efficiency), 结果权威 (authority), 问责有力 (accountability) — each on a
0–1 scale. Every metric is declared, with its labels, unit, range and definition, in the
catalogue (:mod:`dudao_sim.metrics.catalogue`); :data:`DEFINITIONS` is read from it. The event
counts ``n_<event>`` are the events the registry (:mod:`dudao_sim.metrics.events`) reports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd

from dudao_sim.data.vocab import SchoolType
from dudao_sim.metrics.catalogue import definitions
from dudao_sim.metrics.events import REPORTED_EVENTS
from dudao_sim.model.mechanisms.common import burden_toll, improving
from dudao_sim.model.state import NEVER, ProblemState, row_count
from dudao_sim.policy.targets import FULL_TIME_BAND, SCHOOLS_PER_INSPECTOR

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

_P = ProblemState


def _share(num: float, den: float) -> float:
    return float(num) / float(den) if den > 0 else float("nan")


#: A serious, persistent failing (truth): a unit with at least this many problems present...
SERIOUS_PROBLEMS = 2
#: ... each present for at least this many months (the accountability metrics).
PERSISTENT_MONTHS = 12
#: Months in the window of the 12-month metrics.
WINDOW_MONTHS = 12


def _assigned(m: SupervisionModel) -> tuple[np.ndarray, np.ndarray]:
    """Schools needing a badged inspector, and those whose badged inspector is in post."""
    s, ins = m.state.schools, m.state.inspectors
    eligible = s.badged_type & s.active
    ok = eligible & (s.badged >= 0)
    ok[ok] = ins.active[s.badged[ok]]
    return eligible, ok


def _coverage_assigned(m: SupervisionModel) -> float:
    eligible, ok = _assigned(m)
    return _share(ok.sum(), eligible.sum())


def _zone_visited(m: SupervisionModel) -> np.ndarray:
    """Schools whose badged inspector is in post and made the required recorded visits."""
    _, ok = _assigned(m)
    oldest = m.state.schools.zone_visit_log[:, 0]
    return ok & (oldest != NEVER) & (m.t - oldest < WINDOW_MONTHS)


def _coverage_visited(m: SupervisionModel) -> float:
    eligible, _ = _assigned(m)
    return _share(_zone_visited(m).sum(), eligible.sum())


def _visited_12m(m: SupervisionModel) -> float:
    s = m.state.schools
    seen = (s.last_visit >= 0) & (m.t - s.last_visit < WINDOW_MONTHS) & s.active
    return _share(seen.sum(), s.active.sum())


def _govs_evaluated_12m(level: int) -> Callable[[SupervisionModel], float]:
    """Governments at ``level`` fully evaluated (nothing hidden left unfound) in 12 months."""

    def reporter(m: SupervisionModel) -> float:
        g = m.state.governments
        at = g.level == level
        last = g.last_evaluated_fully
        seen = at & (last != NEVER) & (m.t - last < WINDOW_MONTHS)
        return _share(seen.sum(), at.sum())

    return reporter


def _problem_share(*states: ProblemState) -> Callable[[SupervisionModel], float]:
    """Problems at open schools in ``states`` ÷ problems present there."""

    def reporter(m: SupervisionModel) -> float:
        s = m.state.schools
        p = s.problems
        active = s.active[:, None]
        chosen = np.isin(p.state, [int(x) for x in states]) & active
        return _share(np.count_nonzero(chosen), np.count_nonzero(p.present & active))

    return reporter


def _hidden_problems(m: SupervisionModel) -> float:
    s = m.state.schools
    return float(np.count_nonzero((s.problems.state == _P.HIDDEN) & s.active[:, None]))


def _hidden_inflow(m: SupervisionModel) -> float:
    """School problems that became hidden this month: new, rebounded, or a fake that lapsed."""
    events = ("new_problems_school", "rebounds_school", "fakes_lapsed_school")
    return float(sum(m.events.get(name, 0.0) for name in events))


def _failing(m: SupervisionModel) -> dict[str, np.ndarray]:
    """Units (open schools; governments below the province) with a serious, persistent failing.

    Truth: at least :data:`SERIOUS_PROBLEMS` problems present for at least
    :data:`PERSISTENT_MONTHS` months each.
    """
    out = {}
    for key, table in (("school", m.state.schools), ("government", m.state.governments)):
        p = table.problems
        old = p.present & (p.arisen != NEVER) & (m.t - p.arisen >= PERSISTENT_MONTHS)
        unit = table.active.copy()
        if key == "government":
            unit &= table.level > 0  # type: ignore[attr-defined]
        out[key] = unit & (row_count(old) >= SERIOUS_PROBLEMS)
    return out


def _sanctioned_within(table: object, t: int, months: int) -> np.ndarray:
    last = table.last_sanction  # type: ignore[attr-defined]
    return (last != NEVER) & (t - last < months)


def _failing_units(m: SupervisionModel) -> float:
    return float(sum(int(v.sum()) for v in _failing(m).values()))


def _failing_sanctioned(m: SupervisionModel) -> float:
    failing = _failing(m)
    return float(
        sum(
            int((failing[key] & _sanctioned_within(table, m.t, WINDOW_MONTHS)).sum())
            for key, table in (("school", m.state.schools), ("government", m.state.governments))
        )
    )


def _sanctioned_failing_now(m: SupervisionModel) -> float:
    failing = _failing(m)
    return float(
        sum(
            int((failing[key] & _sanctioned_within(table, m.t, 1)).sum())
            for key, table in (("school", m.state.schools), ("government", m.state.governments))
        )
    )


def _present_per_school(m: SupervisionModel) -> float:
    s = m.state.schools
    return _share(s.problems.present[s.active].sum(), s.active.sum())


def _quality_mean(m: SupervisionModel) -> float:
    s = m.state.schools
    return float(s.quality[s.active].mean())


#: Rows of the school-type column (the order of :class:`SchoolType`) of kindergartens and of
#: higher education, which pupil-weighted quality leaves out (its evidence is from schools).
_KINDERGARTEN = list(SchoolType).index(SchoolType.KINDERGARTEN)
_HIGHER_EDUCATION = list(SchoolType).index(SchoolType.HIGHER_EDUCATION)


def _sector(m: SupervisionModel, which: str) -> np.ndarray:
    """Open units of one sector (never higher education, whose students the evidence leaves out).

    ``which``: ``"pupils"`` (schools and kindergartens), ``"schools"`` (primary, secondary
    and vocational schools) or ``"kindergartens"``.
    """
    s = m.state.schools
    kindergarten = s.school_type == _KINDERGARTEN
    sector = {
        "pupils": s.school_type != _HIGHER_EDUCATION,
        "schools": ~kindergarten & (s.school_type != _HIGHER_EDUCATION),
        "kindergartens": kindergarten,
    }[which]
    return sector & s.active


def _pupil_weighted(values: np.ndarray, m: SupervisionModel, which: str) -> float:
    """Enrolment-weighted mean of ``values`` over the open units of a sector (:func:`_sector`)."""
    weight = m.state.schools.enrolment * _sector(m, which)
    total = weight.sum()
    return float((values * weight).sum() / total) if total > 0 else float("nan")


def _quality_of(which: str) -> Callable[[SupervisionModel], float]:
    return lambda m: _pupil_weighted(m.state.schools.quality, m, which)


def _burden_toll(m: SupervisionModel) -> float:
    return _pupil_weighted(burden_toll(m.state.schools, m.assumptions), m, "pupils")


def _improving_share(m: SupervisionModel) -> float:
    s = m.state.schools
    return _share(improving(s, m.t, m.assumptions).sum(), s.active.sum())


def _quality_balance(m: SupervisionModel) -> float:
    s = m.state.schools
    n = m.state.governments.n
    total = np.bincount(s.county[s.active], weights=s.quality[s.active], minlength=n)
    count = np.bincount(s.county[s.active], minlength=n)
    means = total[count > 0] / count[count > 0]
    return float(np.std(means))


def _duty_compliance(m: SupervisionModel) -> float:
    g = m.state.governments
    sel = g.level >= 2
    return 1.0 - _share(g.problems.present[sel].sum(), g.problems.present[sel].size)


def _county_inspectorate(m: SupervisionModel) -> dict[str, float]:
    cached = m.carry.inspectorate_of_month  # four reporters share one computation
    if cached is not None and cached[0] == m.t:
        return cached[1]
    result = _county_inspectorate_now(m)
    m.carry.inspectorate_of_month = (m.t, result)
    return result


def _county_inspectorate_now(m: SupervisionModel) -> dict[str, float]:
    s, ins, offices = m.state.schools, m.state.inspectors, m.state.offices
    county = offices.level == 2
    badged = np.bincount(s.office[s.badged_type & s.active], minlength=offices.n)[county]
    staff = np.bincount(ins.office[ins.active], minlength=offices.n)[county]
    full = np.bincount(ins.office[ins.active & ins.full_time], minlength=offices.n)[county]
    ratio = np.divide(badged, staff, out=np.full(len(staff), np.inf), where=staff > 0)
    share = np.divide(full, staff, out=np.zeros(len(staff)), where=staff > 0)
    return {
        "schools_per_inspector": _share(badged.sum(), staff.sum()),
        "full_time_share": _share(full.sum(), staff.sum()),
        "counties_meeting_ratio": float(np.mean(ratio <= SCHOOLS_PER_INSPECTOR + 1e-9)),
        "counties_full_time_in_band": float(
            np.mean((share >= FULL_TIME_BAND[0] - 1e-9) & (share <= FULL_TIME_BAND[1] + 1e-9))
        ),
    }


def _event(name: str) -> Callable[[SupervisionModel], float]:
    return lambda m: float(m.events.get(name, 0.0))


def _report(name: str) -> Callable[[SupervisionModel], float]:
    def reporter(m: SupervisionModel) -> float:
        reports = m.flows.reports  # None when no reporting mechanism ran this month
        return float(getattr(reports, name)) if reports is not None else float("nan")

    return reporter


#: Events that become metrics ``n_<name>``: those ``events.toml`` declares ``reported``.
_EVENTS: tuple[str, ...] = REPORTED_EVENTS

#: Raw monthly reporters for Mesa's DataCollector: stocks of the state and event counts.
MODEL_REPORTERS: dict[str, Callable[[SupervisionModel], float]] = {
    "coverage_assigned": _coverage_assigned,
    "coverage_visited": _coverage_visited,
    "visited_12m": _visited_12m,
    "counties_evaluated_12m": _govs_evaluated_12m(2),
    "townships_evaluated_12m": _govs_evaluated_12m(3),
    "followed_share": _problem_share(_P.OPEN),
    "known_stock_share": _problem_share(_P.OPEN, _P.UNFOLLOWED),
    "hidden_problems": _hidden_problems,
    "hidden_inflow": _hidden_inflow,
    "failing_units": _failing_units,
    "failing_sanctioned": _failing_sanctioned,
    "sanctioned_failing": _sanctioned_failing_now,
    "problems_per_school": _present_per_school,
    "quality_mean": _quality_mean,
    "quality_pupils": _quality_of("pupils"),
    "quality_schools": _quality_of("schools"),
    "quality_kindergartens": _quality_of("kindergartens"),
    "quality_balance_sd": _quality_balance,
    "improving_share": _improving_share,
    "quality_burden_toll": _burden_toll,
    "duty_compliance": _duty_compliance,
    "n_schools_active": lambda m: float(m.state.schools.active.sum()),
    "n_inspectors": lambda m: float(m.state.inspectors.active.sum()),
    "n_part_time": lambda m: float(
        np.count_nonzero(m.state.inspectors.active & ~m.state.inspectors.full_time)
    ),
    "inspector_skill": lambda m: (
        float(m.state.inspectors.skill[m.state.inspectors.active].mean())
        if m.state.inspectors.active.any()
        else float("nan")
    ),
    "effort_mean": lambda m: float(m.state.schools.effort[m.state.schools.active].mean()),
    "believed_detection_median": lambda m: float(
        np.median(m.state.schools.belief_detect[m.state.schools.active])
    ),
    "dressing_mean": lambda m: float(m.state.schools.dressing[m.state.schools.active].mean()),
    "fake_propensity_mean": lambda m: float(m.state.schools.fake[m.state.schools.active].mean()),
    "truth_problems_counties": _report("truth"),
    "known_problems_counties": _report("known_by_counties"),
    "reported_by_counties": _report("reported_by_counties"),
    "arrived_at_province": _report("arrived_at_province"),
    **{
        f"inspectorate_{k}": (lambda key: lambda m: _county_inspectorate(m)[key])(k)
        for k in (
            "schools_per_inspector",
            "full_time_share",
            "counties_meeting_ratio",
            "counties_full_time_in_band",
        )
    },
    **{f"n_{name}": _event(name) for name in _EVENTS},
}

#: One-sentence definition of every metric, from the catalogue (``catalogue.toml``).
DEFINITIONS: dict[str, str] = definitions()


def _rolling(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].rolling(12, min_periods=1).sum()


def metrics_frame(model: SupervisionModel, include_warmup: bool = False) -> pd.DataFrame:
    """Raw and derived monthly metrics of a run.

    Args:
        model: A model that has run.
        include_warmup: Keep warm-up months (negative ``month``).

    Returns:
        One row per month: ``month`` (0 = first scenario month), ``phase``, the raw
        reporters and the derived metrics (all in the catalogue).
    """
    collector = model.datacollector
    raw_vars = collector.raw_vars if isinstance(collector, MetricsCollector) else None
    raw = pd.DataFrame(raw_vars or collector.model_vars).reset_index(drop=True)
    frame = raw.copy()
    frame.insert(0, "month", np.arange(len(frame)) - model.warmup_months)
    frame.insert(1, "phase", np.where(frame["month"] < 0, "warmup", "scenario"))
    schools = frame["n_schools_active"]

    def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
        return (num / den.where(den > 0)).astype(float)

    frame["end_of_term_review_share"] = ratio(
        _rolling(frame, "n_reviews_complete"), _rolling(frame, "n_principal_terms_ended")
    )
    frame["flow_detection_visit"] = ratio(
        _rolling(frame, "n_detections_school"), _rolling(frame, "n_present_at_visits_school")
    )
    # Hidden at the start of the 12-month window (the first month's stock before that).
    hidden_before = frame["hidden_problems"].shift(WINDOW_MONTHS)
    hidden_before = hidden_before.fillna(frame["hidden_problems"].iloc[0] if len(frame) else 0)
    frame["flow_detection"] = ratio(
        _rolling(frame, "n_detections_school"),
        hidden_before + _rolling(frame, "hidden_inflow"),
    ).clip(upper=1.0)
    frame["rectified_in_time"] = ratio(
        _rolling(frame, "n_closed_on_time_school"), _rolling(frame, "n_fed_back_school")
    ).clip(upper=1.0)
    frame["fake_share"] = ratio(
        _rolling(frame, "n_closed_fake_school"),
        _rolling(frame, "n_closed_fake_school") + _rolling(frame, "n_closed_genuine_school"),
    )
    frame["fakes_caught_outside_rechecks_share"] = ratio(
        _rolling(frame, "n_fakes_caught_outside_rechecks_school"),
        _rolling(frame, "n_fakes_caught_school"),
    )
    frame["collusion_share"] = ratio(
        _rolling(frame, "n_collusions"), _rolling(frame, "n_school_visits")
    )
    frame["rebound_rate"] = ratio(
        _rolling(frame, "n_rebounds_school"), _rolling(frame, "n_closed_genuine_school")
    )
    frame["months_to_resolve"] = ratio(
        _rolling(frame, "n_months_to_resolve_school"), _rolling(frame, "n_resolved_known_school")
    )
    frame["visits_per_school_year"] = ratio(_rolling(frame, "n_school_visits"), schools)
    frame["duplicate_share"] = ratio(
        _rolling(frame, "n_duplicate_school_visits"), _rolling(frame, "n_school_visits")
    ).fillna(0.0)
    frame["teacher_hours_per_school_year"] = ratio(_rolling(frame, "n_teacher_hours"), schools)
    frame["cost_yuan_year"] = _rolling(frame, "n_visit_cost_yuan")
    frame["inspector_days_year"] = _rolling(frame, "n_inspector_days")
    frame["serious_failings_sanctioned"] = ratio(
        frame["failing_sanctioned"], frame["failing_units"]
    ).fillna(0.0)
    sanctioned = _rolling(frame, "n_sanctioned_school") + _rolling(frame, "n_sanctioned_government")
    frame["sanctions_unfounded"] = 1.0 - ratio(
        frame["sanctioned_failing"].rolling(WINDOW_MONTHS, min_periods=1).sum(), sanctioned
    ).clip(upper=1.0)
    frame["report_distortion"] = 1.0 - ratio(
        frame["reported_by_counties"], frame["known_problems_counties"]
    )
    frame["report_distortion_province"] = 1.0 - ratio(
        frame["arrived_at_province"], frame["known_problems_counties"]
    )
    frame["known_share_counties"] = ratio(
        frame["known_problems_counties"], frame["truth_problems_counties"]
    )
    frame["index_coverage"] = (
        frame[
            [
                "coverage_visited",
                "visited_12m",
                "end_of_term_review_share",
                "counties_evaluated_12m",
            ]
        ]
        .fillna(0.0)
        .mean(axis=1)
    )
    frame["index_efficiency"] = (
        frame["flow_detection_visit"].fillna(0.0)
        * (1.0 - frame["duplicate_share"])
        / (1.0 + frame["visits_per_school_year"] / 12.0)
    )
    frame["index_authority"] = (
        (1.0 - frame["fake_share"].fillna(0.0))
        * (1.0 - frame["report_distortion"].clip(0, 1))
        * frame["rectified_in_time"].fillna(0.0)
    )
    frame["index_accountability"] = frame["serious_failings_sanctioned"]
    if not include_warmup:
        frame = frame[frame["month"] >= 0].reset_index(drop=True)
    return frame


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector whose ``model_vars`` also hold the derived metrics of a run.

    It collects :data:`MODEL_REPORTERS` every month like a plain DataCollector; reading
    ``model_vars`` (or ``get_model_vars_dataframe()``) adds every other metric of
    :func:`metrics_frame` — the 12-month rates and the four clause-二十四 indices — for every
    month collected so far, computed once per new month when read. So rows of Mesa's
    ``batch_run`` carry the same metrics as ``model.metrics()`` (one row per step, warm-up
    included). The raw reporters alone are :attr:`raw_vars`.

    Args:
        model: The model whose metrics are derived (its warm-up and assumptions are used).
        model_reporters: The raw reporters (default :data:`MODEL_REPORTERS`).
    """

    def __init__(
        self,
        model: SupervisionModel,
        model_reporters: dict[str, Callable[[SupervisionModel], float]] | None = None,
    ) -> None:
        self._model = model
        self.raw_vars: dict[str, list] = {}
        self._derived: dict[str, list] = {}
        self._derived_rows = 0
        self._collecting = False
        super().__init__(model_reporters=dict(model_reporters or MODEL_REPORTERS))

    @property
    def model_vars(self) -> dict[str, list]:  # type: ignore[override]
        """Raw reporters and derived metrics, one list entry per collected month."""
        rows = len(next(iter(self.raw_vars.values()), []))
        if self._collecting or rows == 0:
            return self.raw_vars
        if rows != self._derived_rows:
            frame = metrics_frame(self._model, include_warmup=True)
            self._derived = {
                c: frame[c].tolist()
                for c in frame.columns
                if c not in self.raw_vars and c not in ("month", "phase")
            }
            self._derived_rows = rows
        return {**self.raw_vars, **self._derived}

    @model_vars.setter
    def model_vars(self, value: dict[str, list]) -> None:
        self.raw_vars = value

    def collect(self, model: SupervisionModel) -> None:
        """Collect the raw reporters for this month (derived metrics follow when read)."""
        self._collecting = True
        try:
            super().collect(model)
        finally:
            self._collecting = False


#: Additive county quantities recorded every month for results by 市州 and county.
REGIONAL_SUMS: tuple[str, ...] = (
    "schools",
    "badged_eligible",
    "badged_covered",
    "visited_12m",
    "present",
    "known_open",
    "known",
    "badged_visited",
    "quality_sum",
    "pupils",
    "quality_pupil_sum",
    "effort_sum",
    "visits",
    "inspectors",
    "full_time",
)

#: Ratios derived from :data:`REGIONAL_SUMS` at any level: name -> (numerator, denominator).
REGIONAL_RATIOS: dict[str, tuple[str, str]] = {
    "coverage_assigned": ("badged_covered", "badged_eligible"),
    "coverage_visited": ("badged_visited", "badged_eligible"),
    "visited_12m": ("visited_12m", "schools"),
    "problems_per_school": ("present", "schools"),
    "followed_share": ("known_open", "present"),
    "known_stock_share": ("known", "present"),
    "quality_mean": ("quality_sum", "schools"),
    "quality_pupils": ("quality_pupil_sum", "pupils"),
    "effort_mean": ("effort_sum", "schools"),
    "visits_per_school_month": ("visits", "schools"),
    "schools_per_inspector": ("badged_eligible", "inspectors"),
    "full_time_share": ("full_time", "inspectors"),
}


def regional_sums(model: SupervisionModel) -> np.ndarray:
    """This month's additive quantities per county (rows: counties in government order)."""
    s, g, ins, offices = (
        model.state.schools,
        model.state.governments,
        model.state.inspectors,
        model.state.offices,
    )
    n = g.n
    active = s.active
    eligible = s.badged_type & active
    covered = eligible & (s.badged >= 0)
    covered[covered] = ins.active[s.badged[covered]]
    visited = active & (s.last_visit >= 0) & (model.t - s.last_visit < 12)
    present = row_count(s.problems.present)
    known_open = row_count(s.problems.state == _P.OPEN)
    known = known_open + row_count(s.problems.state == _P.UNFOLLOWED)
    badged_visited = _zone_visited(model)
    pupils = s.enrolment * _sector(model, "pupils")  # enrolment of open schools, kindergartens
    visits = model.flows.visits
    school_visits = visits.unit[visits.kind == 0]
    county_of_office = g.county[offices.gov]
    ins_county = county_of_office[ins.office]
    ins_ok = ins.active & (ins_county >= 0)

    def per_county(mask_or_weights: np.ndarray, index: np.ndarray = s.county) -> np.ndarray:
        return np.bincount(index, weights=mask_or_weights.astype(float), minlength=n)

    columns = [
        per_county(active),
        per_county(eligible),
        per_county(covered),
        per_county(visited),
        per_county(present * active),
        per_county(known_open * active),
        per_county(known * active),
        per_county(badged_visited),
        per_county(s.quality * active),
        per_county(pupils),
        per_county(s.quality * pupils),
        per_county(s.effort * active),
        np.bincount(s.county[school_visits], minlength=n).astype(float),
        np.bincount(ins_county[ins_ok], minlength=n).astype(float),
        np.bincount(ins_county[ins_ok & ins.full_time], minlength=n).astype(float),
    ]
    return np.stack(columns, axis=1)[g.level == 2]


def regional_frame(
    model: SupervisionModel, level: str = "city", include_warmup: bool = False
) -> pd.DataFrame:
    """Monthly results by 市州 or county as a tidy DataFrame.

    Args:
        model: A model that has run.
        level: ``"county"``, ``"city"`` or ``"province"``.
        include_warmup: Keep warm-up months.

    Returns:
        Columns ``month``, ``code``, ``name``, ``metric``, ``value`` for every metric of
        :data:`REGIONAL_RATIOS`.

    Raises:
        ValueError: If ``level`` is not one of the three.
    """
    if level not in ("county", "city", "province"):
        raise ValueError(f"level: {level!r} is not allowed; use county, city or province")
    g = model.state.governments
    counties = np.flatnonzero(g.level == 2)
    sums = np.stack(model.regional_history)  # months x counties x quantities
    if level == "county":
        groups, codes = np.arange(len(counties)), g.codes[counties]
        names = g.names[counties]
    elif level == "city":
        parents = g.parent[counties]
        uniq, groups = np.unique(parents, return_inverse=True)
        codes, names = g.codes[uniq], g.names[uniq]
    else:
        groups = np.zeros(len(counties), int)
        codes, names = g.codes[[0]], g.names[[0]]
    n_groups = len(codes)
    grouped = np.zeros((sums.shape[0], n_groups, sums.shape[2]))
    for k in range(n_groups):
        grouped[:, k, :] = sums[:, groups == k, :].sum(axis=1)
    months = np.arange(sums.shape[0]) - model.warmup_months
    frames = []
    col = {name: i for i, name in enumerate(REGIONAL_SUMS)}
    for metric, (num, den) in REGIONAL_RATIOS.items():
        d = grouped[:, :, col[den]]
        value = np.divide(grouped[:, :, col[num]], d, out=np.full(d.shape, np.nan), where=d > 0)
        frames.append(
            pd.DataFrame(
                {
                    "month": np.repeat(months, n_groups),
                    "code": np.tile(codes.astype(str), len(months)),
                    "name": np.tile(names.astype(str), len(months)),
                    "metric": metric,
                    "value": value.reshape(-1),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    if not include_warmup:
        frame = frame[frame["month"] >= 0].reset_index(drop=True)
    return frame
