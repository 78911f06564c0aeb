"""The lever audit: which behaviour each lever moves, and which metrics merely echo levers.

The model audits itself in two experiments on a seeded synthetic province, both run through
:func:`~dudao_sim.experiments.ensemble.run_sweep` (local processes or Dask; common random
numbers through shared seeds):

1. **Lever effects** (one at a time, OAT). Start from ``reform_2021`` and set one lever back
   to its ``pre_reform`` value (levers the reform leaves unchanged, or changes by too little
   to ask whether they act, are moved to the value in :data:`ALTERNATIVE_VALUES`); every point
   runs on the same seeds. For every lever and every
   *behavioural* outcome — catalogue kind ``behaviour`` or ``truth`` (effort, true problems,
   quality, window dressing, fake rectification, collusion, flow detection), leaving out
   metrics that echo levers — the paired difference reform − reverted over seeds, with a
   Student-t interval. A lever *moves* an outcome when the interval excludes 0. A lever that
   moves none is dead: a defect, unless ``levers.toml`` declares it bookkeeping-only
   (``bookkeeping = "<reason>"``) or it is a known dead lever of a later issue
   (:data:`KNOWN_DEAD_LEVERS`).
2. **Echo check.** A Latin hypercube over every lever (:func:`latin_hypercube`), one seed.
   Each run is reduced to the mean of its last 12 months; every metric is regressed on each
   lever alone and on each pair of levers with their interaction (booleans as 0/1, choices as
   indicator columns). A metric that one lever or one pair explains with R² above
   :data:`R2_ECHO` restates levers rather than behaviour: an **echo**. Burden and cost counters
   may be exempt (``echo_exempt = "<reason>"`` in ``catalogue.toml``); echoes that a later
   issue fixes are listed in :data:`KNOWN_ECHOES`; any other echo is a defect.

Planted echoes (:func:`planted_echoes`) — a metric equal to one lever, one a formula of two
booleans — show that the check finds what it should. :func:`write_markdown` writes the result
(``docs/lever_effects.md`` from ``make audit``).

Example:
    >>> from dudao_sim.experiments.audit import QUICK, oat_design
    >>> design = oat_design()
    >>> design.loc[0, "lever"], design.loc[1, "lever"]
    ('reform_2021', 'member_unit_engagement')
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from dudao_sim.experiments.design import factor, latin_hypercube
from dudao_sim.experiments.ensemble import run_sweep, spawn_seeds
from dudao_sim.metrics.catalogue import CATALOGUE
from dudao_sim.policy.levers import LEVERS
from dudao_sim.policy.scenarios import load_scenario

#: R² above which one lever or one pair of levers "explains" a metric: an echo.
R2_ECHO = 0.9
#: Catalogue kinds whose metrics count as behavioural outcomes in the lever-effect table.
BEHAVIOURAL_KINDS: tuple[str, ...] = ("behaviour", "truth")
#: Scenario the OAT starts from, and the one each lever is set back to.
REFORM, BASELINE = "reform_2021", "pre_reform"

#: Levers whose ``pre_reform`` and ``reform_2021`` values coincide or nearly coincide: the OAT
#: moves them here instead, so that the audit still asks whether they act.
ALTERNATIVE_VALUES: dict[str, Any] = {
    "recheck_delay_months": 12,  # both scenarios re-check after 6 months; try a year
    # pre_reform: over 99 % assigned coverage by 2015 (published), one point below the reform's
    # full coverage; try 90 %
    "badged_coverage_target": 0.9,
}


@dataclass(frozen=True)
class Known:
    """A defect the audit finds today and a later issue fixes.

    Attributes:
        reason: What is missing or why the metric echoes levers.
        quick: The quick audit (``make test``) finds it too, so its test there is a strict
            xfail; ``False`` where only the full audit's larger province and longer runs show
            it (R² near the threshold, or an effect the quick audit cannot separate from noise).
    """

    reason: str
    quick: bool = True


#: Levers that move no behaviour today, left for a later issue (the levers of clauses 四, 十七,
#: 二十一, 二十五 and committed_sampling may never be declared bookkeeping-only). Their
#: "is live" test is ``xfail(strict=True)``, so the day one acts the test says so.
KNOWN_DEAD_LEVERS: dict[str, Known] = {
    "reporting_delay_months": Known(
        "the delay shifts when reports arrive, and nothing any unit or office does depends "
        "on when the province hears (四): it moves only the reporting formula"
    ),
}

#: Metrics that one or two levers explain today, left for a later issue: their "no echo" test
#: is ``xfail(strict=True)``.
KNOWN_ECHOES: dict[str, Known] = {
    "n_schools_active": Known(
        "schools close when private schools' licences are revoked on the severe rung of the "
        "ladder that private_school_sanctions and accountability_strength set (十六): "
        "offices implement it, schools do not choose to close (R² 0.90 in the full audit)",
        quick=False,
    ),
    "n_forgotten_school": Known(
        "a ledger forgets nothing, so problem_ledger zeroes it by construction: the metric "
        "shows what happens without the ledger of clause 十一 (R² about 0.9 for problem_ledger "
        "alone; before effort's incentive acted through believed detection, with "
        "incentive_strength as its pair)"
    ),
}

#: Clauses (and levers) that may never be declared bookkeeping-only.
NOT_BOOKKEEPING_CLAUSES: tuple[str, ...] = ("四", "十七", "二十一", "二十五")
NOT_BOOKKEEPING_LEVERS: tuple[str, ...] = ("committed_sampling",)


@dataclass(frozen=True)
class AuditConfig:
    """Size of an audit.

    Attributes:
        n_counties: Counties of the synthetic province.
        province_seed: Seed of the synthetic province.
        seeds: Replicate seeds of the OAT (spawned from ``seed``).
        seed: Root seed (OAT seeds, the Latin hypercube and its run seed).
        months: Months after the switch.
        warmup_months: Months of the shared warm-up.
        lhs_points: Points of the Latin hypercube of the echo check.
        last_months: Months at the end of each run that are averaged.
        workers: Local processes (``None``: all cores).
    """

    n_counties: int = 4
    province_seed: int = 11
    seeds: int = 8
    seed: int = 2024
    months: int = 96
    warmup_months: int = 24
    lhs_points: int = 160
    last_months: int = 12
    workers: int | None = None


#: The audit of ``make audit`` (a few minutes on two cores): the quick audit's province with
#: more seeds, longer runs and a larger design.
FULL = AuditConfig()
#: The audit of ``make test`` (well under two minutes on two cores).
QUICK = AuditConfig(seeds=6, months=48, lhs_points=72)


# ---- designs --------------------------------------------------------------------------------
def reverted_value(name: str) -> Any:
    """The value a lever is set to in the OAT: its ``pre_reform`` value, or an alternative."""
    before = load_scenario(BASELINE).levers[name]
    after = load_scenario(REFORM).levers[name]
    if before == after or name in ALTERNATIVE_VALUES:
        return ALTERNATIVE_VALUES[name]
    return before


def oat_design(levers: Sequence[str] | None = None) -> pd.DataFrame:
    """One point with every lever at its ``reform_2021`` value, then one per lever set back.

    Args:
        levers: Levers to audit (default: all).

    Returns:
        Columns ``point``, ``lever`` (``"reform_2021"`` for point 0), then one column per
        lever (the full lever set of each point).

    Raises:
        KeyError: For a lever whose two scenario values coincide and that has no entry in
            :data:`ALTERNATIVE_VALUES`.
    """
    names = list(levers or LEVERS)
    reform = load_scenario(REFORM).levers
    rows = [{"lever": REFORM, **reform}]
    for name in names:
        rows.append({"lever": name, **{**reform, name: reverted_value(name)}})
    frame = pd.DataFrame(rows)
    frame.insert(0, "point", np.arange(len(frame), dtype=np.int64))
    return frame


def echo_design(n: int, seed: int) -> pd.DataFrame:
    """A Latin hypercube over every lever's whole allowed range."""
    return latin_hypercube([factor(name) for name in LEVERS], n=n, seed=seed)


# ---- statistics -----------------------------------------------------------------------------
def run_means(runs: pd.DataFrame, last_months: int) -> pd.DataFrame:
    """One value per (point, seed, metric): the mean of the run's last months."""
    end = runs.groupby("run_id")["month"].transform("max")
    tail = runs[runs["month"] > end - last_months]
    return tail.groupby(["point", "seed", "metric"], as_index=False)["value"].mean()


def behavioural_outcomes(exclude: Sequence[str] = ()) -> list[str]:
    """Catalogue metrics of the behavioural kinds, minus ``exclude`` (echoes)."""
    skip = set(exclude)
    return [
        name for name, m in CATALOGUE.items() if m.kind in BEHAVIOURAL_KINDS and name not in skip
    ]


def _paired(diff: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """Mean, interval and t of paired differences (NaN dropped)."""
    x = diff[np.isfinite(diff)]
    n = len(x)
    if n == 0:
        return (math.nan,) * 4
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    if sd == 0.0:
        t = math.inf if mean != 0 else 0.0
        return mean, mean, mean, math.copysign(t, mean) if mean else 0.0
    se = sd / math.sqrt(n)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * se
    return mean, mean - half, mean + half, mean / se


def lever_effects(
    means: pd.DataFrame, design: pd.DataFrame, outcomes: Sequence[str]
) -> pd.DataFrame:
    """Paired differences reform − reverted of every lever on every outcome.

    Args:
        means: :func:`run_means` of the OAT runs.
        design: :func:`oat_design`.
        outcomes: Metrics to judge.

    Returns:
        Columns ``lever``, ``outcome``, ``diff``, ``ci_low``, ``ci_high``, ``t``, ``moved``
        (the interval excludes 0).
    """
    wide = means[means["metric"].isin(outcomes)].pivot_table(
        index=["metric", "seed"], columns="point", values="value", dropna=False
    )
    rows = []
    for _, point in design.iloc[1:].iterrows():
        for outcome in outcomes:
            if outcome not in wide.index.get_level_values(0):
                continue
            block = wide.loc[outcome]
            diff = (block[0] - block[point["point"]]).to_numpy(float)
            mean, low, high, t = _paired(diff)
            moved = bool(np.isfinite(low) and (low > 0 or high < 0))
            rows.append(
                {
                    "lever": point["lever"],
                    "outcome": outcome,
                    "diff": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "t": t,
                    "moved": moved,
                }
            )
    return pd.DataFrame(rows)


def _encode(values: pd.Series, name: str) -> np.ndarray:
    """Regression columns of one lever: a standardized number, 0/1, or choice indicators."""
    kind = LEVERS[name].kind if name in LEVERS else "float"
    if kind == "choice" or values.dtype == object:
        levels = sorted(map(str, values.unique()))
        text = values.astype(str).to_numpy()
        return np.stack([(text == lv).astype(float) for lv in levels[1:]], axis=1)
    x = values.to_numpy(float)
    sd = x.std()
    return ((x - x.mean()) / sd if sd > 0 else x * 0.0)[:, None]


def _r2(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """R² of least squares of each column of ``y`` on ``[1, x]``."""
    design = np.column_stack([np.ones(len(x)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    centred = y - y.mean(axis=0)
    sst = (centred**2).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - (resid**2).sum(axis=0) / sst


def echo_scores(
    values: pd.DataFrame, design: pd.DataFrame, r2_echo: float = R2_ECHO
) -> pd.DataFrame:
    """How well one lever, or one pair with its interaction, explains each metric.

    Args:
        values: One row per design point (same order as ``design``), one column per metric.
        design: The design (column ``point`` and one column per lever).
        r2_echo: Threshold above which a metric is flagged.

    Returns:
        One row per metric: ``metric``, ``r2_single``, ``lever``, ``r2_pair``, ``pair``,
        ``r2`` (the larger), ``flagged``; metrics with no variation get ``constant`` True
        and are not flagged.
    """
    names = [c for c in design.columns if c != "point"]
    columns = {name: _encode(design[name], name) for name in names}
    metrics = [c for c in values.columns if c != "point"]
    y_all = values[metrics].to_numpy(float)
    finite = np.isfinite(y_all)
    results: dict[str, dict[str, Any]] = {}
    # Metrics observed at every point are regressed together; the rest one by one.
    groups: list[tuple[list[int], np.ndarray]] = []
    complete = [j for j in range(len(metrics)) if finite[:, j].all()]
    if complete:
        groups.append((complete, np.ones(len(values), bool)))
    for j in range(len(metrics)):
        if not finite[:, j].all() and finite[:, j].sum() >= max(10, len(values) // 2):
            groups.append(([j], finite[:, j]))
    for cols, rows in groups:
        y = y_all[np.ix_(rows, cols)]
        sd = y.std(axis=0)
        scale = np.where(sd > 0, sd, 1.0)
        y = (y - y.mean(axis=0)) / scale
        best1 = np.full(len(cols), -np.inf)
        lever1 = np.full(len(cols), "", dtype=object)
        for name in names:
            r2 = _r2(columns[name][rows], y)
            better = r2 > best1
            best1[better], lever1[better] = r2[better], name
        best2 = np.full(len(cols), -np.inf)
        pair2 = np.full(len(cols), "", dtype=object)
        for a, b in itertools.combinations(names, 2):
            xa, xb = columns[a][rows], columns[b][rows]
            inter = (xa[:, :, None] * xb[:, None, :]).reshape(len(xa), -1)
            r2 = _r2(np.column_stack([xa, xb, inter]), y)
            better = r2 > best2
            best2[better], pair2[better] = r2[better], f"{a} × {b}"
        for k, j in enumerate(cols):
            constant = not sd[k] > 1e-12 * max(1.0, abs(float(np.nanmean(y_all[:, j]))))
            r1 = float(best1[k]) if not constant else math.nan
            r2v = float(best2[k]) if not constant else math.nan
            results[metrics[j]] = {
                "metric": metrics[j],
                "r2_single": r1,
                "lever": lever1[k] if not constant else "",
                "r2_pair": r2v,
                "pair": pair2[k] if not constant else "",
                "r2": max(r1, r2v) if not constant else math.nan,
                "constant": constant,
                "flagged": bool(not constant and max(r1, r2v) > r2_echo),
            }
    for name in metrics:
        results.setdefault(
            name,
            {
                "metric": name,
                "r2_single": math.nan,
                "lever": "",
                "r2_pair": math.nan,
                "pair": "",
                "r2": math.nan,
                "constant": True,
                "flagged": False,
            },
        )
    return pd.DataFrame([results[name] for name in metrics])


def planted_echoes(design: pd.DataFrame) -> pd.DataFrame:
    """Metrics that restate levers by construction, for the audit to find.

    - ``planted_one_lever``: equals ``unannounced_share``;
    - ``planted_two_booleans``: ``0.2 + 0.3 × (interviews xor circulars)``, which neither
      boolean explains alone;
    - ``planted_report_formula``: the closed formula behind today's ``report_distortion``,
      ``0.4 × (1 − provincial_spot_check_share − 0.5 × smart_supervision)``.

    Returns:
        Column ``point`` and one column per planted metric, one row per design point.
    """
    interviews = design["interviews"].astype(float).to_numpy()
    circulars = design["circulars"].astype(float).to_numpy()
    return pd.DataFrame(
        {
            "point": design["point"].to_numpy(),
            "planted_one_lever": design["unannounced_share"].astype(float).to_numpy(),
            "planted_two_booleans": 0.2
            + 0.3 * (interviews + circulars - 2.0 * interviews * circulars),
            "planted_report_formula": 0.4
            * (
                1.0
                - design["provincial_spot_check_share"].astype(float).to_numpy()
                - 0.5 * design["smart_supervision"].astype(float).to_numpy()
            ),
        }
    )


# ---- declarations ---------------------------------------------------------------------------
def declared_bookkeeping() -> dict[str, str]:
    """Levers declared bookkeeping-only in ``levers.toml``: ``{lever: reason}``."""
    return {name: lever.bookkeeping for name, lever in LEVERS.items() if lever.bookkeeping}


def forbidden_bookkeeping() -> list[str]:
    """Levers that may never be declared bookkeeping-only (clauses 四, 十七, 二十一, 二十五)."""
    return [
        name
        for name, lever in LEVERS.items()
        if name in NOT_BOOKKEEPING_LEVERS or set(lever.clauses) & set(NOT_BOOKKEEPING_CLAUSES)
    ]


def echo_exempt() -> dict[str, str]:
    """Metrics exempt from the echo check in ``catalogue.toml``: ``{metric: reason}``."""
    return {name: m.echo_exempt for name, m in CATALOGUE.items() if m.echo_exempt}


# ---- the audit ------------------------------------------------------------------------------
@dataclass
class AuditResult:
    """What an audit found.

    Attributes:
        config: The audit's size.
        effects: :func:`lever_effects` (one row per lever and outcome).
        levers: One row per lever: clause, reform and reverted values, outcomes moved and
            ``status`` — ``live``, ``bookkeeping`` (declared, moves nothing), ``known dead``,
            ``DEAD`` (undeclared: a defect), ``DECLARED BUT LIVE`` (a stale declaration).
        echoes: :func:`echo_scores` of every metric, with ``kind`` and ``status`` —
            ``ok``, ``exempt``, ``known echo``, ``ECHO`` (a defect), ``known echo gone``.
        planted: :func:`echo_scores` of the planted echoes.
        outcomes: The behavioural outcomes judged.
        seconds: Wall time of each part.
    """

    config: AuditConfig
    effects: pd.DataFrame
    levers: pd.DataFrame
    echoes: pd.DataFrame
    planted: pd.DataFrame
    outcomes: list[str]
    seconds: dict[str, float] = field(default_factory=dict)

    def new_echoes(self) -> list[str]:
        """Metrics flagged as echoes that are neither exempt nor known."""
        return list(self.echoes.loc[self.echoes["status"] == "ECHO", "metric"])

    def undeclared_dead(self) -> list[str]:
        """Levers that move no behaviour and are neither declared nor known dead."""
        return list(self.levers.loc[self.levers["status"] == "DEAD", "lever"])

    def stale_declarations(self) -> list[str]:
        """Levers declared bookkeeping-only that move behaviour after all."""
        return list(self.levers.loc[self.levers["status"] == "DECLARED BUT LIVE", "lever"])

    def live(self, lever: str) -> bool:
        """Whether ``lever`` moves at least one behavioural outcome."""
        return bool(self.levers.set_index("lever").loc[lever, "n_moved"] > 0)

    def flagged(self, metric: str) -> bool:
        """Whether ``metric`` is flagged as an echo (exempt or not)."""
        row = self.echoes.set_index("metric").loc[metric]
        return bool(row["flagged"])

    @property
    def ok(self) -> bool:
        """No new echo, no undeclared dead lever, no stale declaration."""
        return not (self.new_echoes() or self.undeclared_dead() or self.stale_declarations())


def _lever_table(effects: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    declared = declared_bookkeeping()
    reform = load_scenario(REFORM).levers
    rows = []
    for name in design["lever"].iloc[1:]:
        moved = effects[(effects["lever"] == name) & effects["moved"]]
        moved = moved.reindex(moved["t"].abs().sort_values(ascending=False).index)
        n = len(moved)
        if n and name in declared:
            status = "DECLARED BUT LIVE"
        elif n:
            status = "live"
        elif name in declared:
            status = "bookkeeping"
        elif name in KNOWN_DEAD_LEVERS:
            status = "known dead"
        else:
            status = "DEAD"
        rows.append(
            {
                "lever": name,
                "clauses": "、".join(LEVERS[name].clauses),
                "reform": reform[name],
                "reverted": reverted_value(name),
                "n_moved": n,
                "moved": list(moved["outcome"]),
                "status": status,
                "reason": declared.get(name)
                or (KNOWN_DEAD_LEVERS[name].reason if name in KNOWN_DEAD_LEVERS else ""),
            }
        )
    return pd.DataFrame(rows)


def _echo_status(echoes: pd.DataFrame) -> pd.DataFrame:
    exempt = echo_exempt()
    out = echoes.copy()
    out["kind"] = [CATALOGUE[m].kind if m in CATALOGUE else "" for m in out["metric"]]
    status = []
    for metric, flagged in zip(out["metric"], out["flagged"], strict=True):
        if metric in exempt:
            status.append("exempt")
        elif metric in KNOWN_ECHOES:
            status.append("known echo" if flagged else "known echo, not flagged here")
        else:
            status.append("ECHO" if flagged else "ok")
    out["status"] = status
    out["reason"] = [
        exempt.get(m) or (KNOWN_ECHOES[m].reason if m in KNOWN_ECHOES else "")
        for m in out["metric"]
    ]
    return out


def _province(config: AuditConfig) -> Any:
    from dudao_sim.data.synthetic import synthetic_province

    return synthetic_province(n_counties=config.n_counties, seed=config.province_seed)


def run_oat(config: AuditConfig, progress: bool = False, **how: Any) -> pd.DataFrame:
    """Run the OAT design and return :func:`run_means` of its runs."""
    design = oat_design()
    ensemble = run_sweep(
        _province(config),
        design.drop(columns="lever"),
        spawn_seeds(config.seed, config.seeds),
        scenario=REFORM,
        months=config.months,
        warmup_months=config.warmup_months,
        workers=config.workers,
        progress=progress,
        **how,
    )
    return run_means(ensemble.runs, config.last_months)


def run_echo(config: AuditConfig, progress: bool = False, **how: Any) -> pd.DataFrame:
    """Run the echo design; one row per point, one column per metric (last-months means)."""
    design = echo_design(config.lhs_points, config.seed)
    ensemble = run_sweep(
        _province(config),
        design,
        [config.seed],
        scenario=REFORM,
        months=config.months,
        warmup_months=config.warmup_months,
        workers=config.workers,
        progress=progress,
        **how,
    )
    means = run_means(ensemble.runs, config.last_months)
    return means.pivot_table(index="point", columns="metric", values="value", dropna=False)


def audit(config: AuditConfig = QUICK, progress: bool = False, **how: Any) -> AuditResult:
    """Run both experiments and judge every lever and every metric.

    Args:
        config: The size (:data:`QUICK` or :data:`FULL`).
        progress: Show progress bars.
        **how: Passed to :func:`run_sweep` (``client=``, ``scheduler=``).

    Returns:
        The :class:`AuditResult`.
    """
    import time

    seconds = {}
    start = time.perf_counter()
    design = echo_design(config.lhs_points, config.seed)
    values = run_echo(config, progress, **how).reindex(design["point"]).reset_index()
    seconds["echo runs"] = time.perf_counter() - start
    start = time.perf_counter()
    echoes = _echo_status(echo_scores(values, design))
    planted = echo_scores(planted_echoes(design), design)
    seconds["echo regressions"] = time.perf_counter() - start
    start = time.perf_counter()
    oat = oat_design()
    means = run_oat(config, progress, **how)
    seconds["OAT runs"] = time.perf_counter() - start
    echo_metrics = set(echoes.loc[echoes["flagged"], "metric"]) | set(KNOWN_ECHOES)
    outcomes = [o for o in behavioural_outcomes(sorted(echo_metrics)) if o in set(means["metric"])]
    effects = lever_effects(means, oat, outcomes)
    return AuditResult(
        config=config,
        effects=effects,
        levers=_lever_table(effects, oat),
        echoes=echoes,
        planted=planted,
        outcomes=outcomes,
        seconds=seconds,
    )


# ---- the document ---------------------------------------------------------------------------
def _fmt(x: object, digits: int = 3) -> str:
    if isinstance(x, float):
        if not math.isfinite(x):
            return "—"
        return f"{x:.{digits}g}" if abs(x) < 1e4 else f"{x:,.0f}"
    return str(x)


def _table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([head, rule, *body])


def write_markdown(result: AuditResult, path: str | Path) -> Path:
    """Write the audit as a Markdown page (``docs/lever_effects.md``).

    Args:
        result: An :class:`AuditResult`.
        path: The file to write.

    Returns:
        The path written.
    """
    cfg = result.config
    effects = result.effects
    lines = [
        "# Lever audit: what each lever moves, and which metrics echo levers",
        "",
        "Written by `make audit` (`dudao-sim audit --out docs/lever_effects.md`, "
        "`dudao_sim/experiments/audit.py`); do not edit by hand. `make test` runs the same "
        "audit on a smaller province and fails on a new echo or an undeclared dead lever.",
        "",
        f"Setting: synthetic province of {cfg.n_counties} counties (seed {cfg.province_seed}), "
        f"{cfg.warmup_months}-month warm-up under `pre_reform`, {cfg.months} months under the "
        f"scenario, outcome = mean of the last {cfg.last_months} months. Lever effects: one "
        f"lever at a time from `reform_2021` set back to its `pre_reform` value, {cfg.seeds} "
        "paired seeds (common random numbers), 95 % Student-t intervals; a lever *moves* an "
        "outcome when the interval excludes 0. Echo check: Latin hypercube of "
        f"{cfg.lhs_points} points over every lever's allowed range; an echo is a metric that "
        f"one lever, or one pair with its interaction, explains with R² > {R2_ECHO}.",
        "",
        "## Verdict",
        "",
        f"- New echoes (defects): {', '.join(result.new_echoes()) or 'none'}",
        f"- Undeclared dead levers (defects): {', '.join(result.undeclared_dead()) or 'none'}",
        f"- Stale bookkeeping declarations: {', '.join(result.stale_declarations()) or 'none'}",
        "",
        "## Lever effects",
        "",
        "Behavioural outcomes judged (catalogue kind `behaviour` or `truth`, echoes left out): "
        + ", ".join(f"`{o}`" for o in result.outcomes)
        + ".",
        "",
    ]
    levers = result.levers.copy()
    levers["moved, strongest first"] = [
        ", ".join(f"`{o}`" for o in moved[:8]) + (" …" if len(moved) > 8 else "")
        for moved in levers["moved"]
    ]
    lines.append(
        _table(
            levers[
                [
                    "lever",
                    "clauses",
                    "reform",
                    "reverted",
                    "n_moved",
                    "status",
                    "moved, strongest first",
                ]
            ]
        )
    )
    key = [
        o
        for o in (
            "effort_mean",
            "problems_per_school",
            "quality_mean",
            "dressing_mean",
            "fake_share",
            "n_collusions",
            "flow_detection",
        )
        if o in result.outcomes
    ]
    if key:
        lines += [
            "",
            "### Key behavioural outcomes: effect of each lever (reform − reverted)",
            "",
            "Paired mean difference over seeds; `*` where the 95 % interval excludes 0.",
            "",
        ]
        pivot = effects[effects["outcome"].isin(key)].assign(
            cell=lambda f: [
                _fmt(d, 2) + ("*" if m else "") for d, m in zip(f["diff"], f["moved"], strict=True)
            ]
        )
        matrix = pivot.pivot(index="lever", columns="outcome", values="cell")
        matrix = matrix.reindex(index=list(levers["lever"]), columns=key).reset_index()
        lines.append(_table(matrix.fillna("—")))
    declared = levers[levers["status"].isin(["bookkeeping", "known dead"])]
    lines += ["", "### Declared bookkeeping-only and known dead levers", ""]
    if len(declared):
        lines.append(_table(declared[["lever", "clauses", "status", "reason"]]))
    else:
        lines.append("None.")
    echoes = result.echoes
    lines += [
        "",
        "## Echo check",
        "",
        "Metrics flagged (best single lever or pair above the threshold), with their status: "
        "`ECHO` is a defect, `known echo` is left for a later issue (its test is "
        "`xfail(strict=True)`), `exempt` is a burden or cost counter declared in the "
        "catalogue.",
        "",
    ]
    flagged = echoes[echoes["flagged"] | echoes["metric"].isin(list(KNOWN_ECHOES))]
    show = flagged[["metric", "kind", "lever", "r2_single", "pair", "r2_pair", "status", "reason"]]
    lines.append(_table(show) if len(show) else "None.")
    lines += [
        "",
        "### Planted echoes",
        "",
        "Metrics that restate levers by construction, added to the same design: the check "
        "must flag them all.",
        "",
        _table(result.planted[["metric", "lever", "r2_single", "pair", "r2_pair", "flagged"]]),
        "",
        "### Highest R² of the metrics that are not flagged",
        "",
    ]
    rest = echoes[~echoes["flagged"] & ~echoes["constant"]].sort_values("r2", ascending=False)
    lines.append(_table(rest[["metric", "kind", "lever", "r2_single", "pair", "r2_pair"]].head(15)))
    constant = echoes.loc[echoes["constant"], "metric"]
    if len(constant):
        lines += ["", "Constant over the design (not judged): " + ", ".join(constant) + "."]
    exempt = echo_exempt()
    lines += ["", "### Declared exemptions (`echo_exempt` in `catalogue.toml`)", ""]
    lines.append(
        _table(pd.DataFrame({"metric": list(exempt), "reason": list(exempt.values())}))
        if exempt
        else "None."
    )
    lines += [
        "",
        "## Run time",
        "",
        ", ".join(f"{k}: {v:.0f} s" for k, v in result.seconds.items()) + ".",
        "",
        "Configuration: " + ", ".join(f"{k}={v}" for k, v in asdict(cfg).items()) + ".",
        "",
    ]
    path = Path(path)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def with_workers(config: AuditConfig, workers: int | None) -> AuditConfig:
    """``config`` with another number of local processes."""
    return replace(config, workers=workers)


__all__ = [
    "FULL",
    "KNOWN_DEAD_LEVERS",
    "KNOWN_ECHOES",
    "QUICK",
    "R2_ECHO",
    "AuditConfig",
    "AuditResult",
    "Known",
    "audit",
    "behavioural_outcomes",
    "echo_design",
    "echo_scores",
    "lever_effects",
    "oat_design",
    "planted_echoes",
    "write_markdown",
]
