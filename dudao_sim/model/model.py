"""The Mesa model: a province's education supervision system, month by month.

:class:`SupervisionModel` is a ``mesa.Model``. It lays out the province's columnar state
(:mod:`dudao_sim.model.initial_state`), creates Mesa agents as views onto its rows
(:mod:`dudao_sim.model.agents`), runs a shared warm-up under ``pre_reform`` and then the
chosen scenario, and collects the metrics of :mod:`dudao_sim.metrics.reporters` every month
through Mesa's ``DataCollector``.

Example:
    >>> import dudao_sim as ds
    >>> model = ds.SupervisionModel(ds.synthetic_province(n_counties=3, seed=1),
    ...                             scenario="reform_2021", months=12, warmup_months=12, rng=1)
    >>> model.run()
    >>> round(float(model.metrics()["coverage_assigned"].iloc[-1]), 2) > 0
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from dudao_sim.data.province import Province, load_province
from dudao_sim.errors import ArgumentError
from dudao_sim.metrics.events import EventLog, declared_events
from dudao_sim.metrics.reporters import (
    MODEL_REPORTERS,
    MetricsCollector,
    metrics_frame,
    regional_frame,
    regional_sums,
)
from dudao_sim.model import agents as agent_views
from dudao_sim.model.calendar import DEFAULT_WARMUP_MONTHS, MONTHS_PER_YEAR, Calendar
from dudao_sim.model.flows import ByKind, CarryOver, MonthFlows
from dudao_sim.model.initial_state import build_state
from dudao_sim.model.mechanisms import DEFAULT_MECHANISMS
from dudao_sim.model.mechanisms.base import Mechanism, Visits
from dudao_sim.model.state import LevelCode
from dudao_sim.model.streams import Streams
from dudao_sim.policy.assumptions import ASSUMPTIONS, check_assumptions
from dudao_sim.policy.levers import LEVERS, check_levers, unknown_key_error
from dudao_sim.policy.scenarios import Scenario, compose, load_scenario
from dudao_sim.structure.hierarchy import hierarchy_graph
from dudao_sim.structure.inspectorate import InspectorateSpec
from dudao_sim.structure.tables import SupervisionStructure, build_structure

#: Seeds are whole numbers below this bound (they fit a signed 64-bit integer).
_SEED_BOUND = 2**63
#: Default months to run after the warm-up (ten years).
DEFAULT_MONTHS = 120


def _seed_from(rng: object) -> int:
    if rng is None:
        return int(np.random.SeedSequence().entropy % _SEED_BOUND)
    if isinstance(rng, bool):
        raise ArgumentError(f"rng: {rng!r} is not allowed; give a whole number >= 0")
    if isinstance(rng, int | np.integer):
        if not 0 <= rng < _SEED_BOUND:
            raise ArgumentError(f"rng: {rng} is not allowed; give a whole number in [0, 2**63)")
        return int(rng)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, _SEED_BOUND))
    raise ArgumentError(
        f"rng: {rng!r} is not allowed; give a whole number >= 0 or a numpy Generator"
    )


class SupervisionModel(mesa.Model):
    """Education supervision in one province under one scenario.

    Args:
        province: A :class:`~dudao_sim.data.province.Province`, a bundled name or a folder.
        scenario: A shipped scenario name, a scenario file, a :class:`Scenario`, or a list
            of them to stack (see :func:`dudao_sim.policy.scenarios.compose`).
        levers: Lever values set on top of the scenario.
        assumptions: Behavioural assumption values (see :mod:`dudao_sim.policy.assumptions`).
        months: Months to run after the switch to the scenario.
        warmup_months: Months of the shared ``pre_reform`` warm-up (a multiple of 12).
        rng: Seed (whole number) or NumPy generator; the same seed gives identical results.
            The model never draws from Mesa's RNG: every random process has its own stream.
        mechanisms: The submodels in order (default :data:`DEFAULT_MECHANISMS`); pass a list
            to add, replace or reorder (instances of :class:`Mechanism`).
        create_agents: Create Mesa agents as views onto the state (turn off for benchmarks
            of the vectorized core only).
        province_managed_counties: County codes the province administers directly (省直管县):
            the province office evaluates them each November, their reports go straight to
            the province, and no spot check confirms their evaluation.
        cross_level_spot_checks: The province office spot-checks the city-led evaluation of
            counties (省级抽查认定, 五): December confirmations draw from these counties.
            ``False`` leaves no confirmations.
        extra_edges: Extra ``(office_node, government_node, relation)`` edges the model acts
            on: ``"spot_checks"`` (the office confirms that government's evaluation in
            December, drawn at ``provincial_spot_check_share``) and ``"evaluates"`` (the
            office evaluates it too in November), e.g.
            ``("office:430100", "gov:430202", "spot_checks")``.
        **overrides: Plain keyword values for levers or assumptions (what Mesa's
            ``batch_run`` passes), e.g. ``unannounced_share=0.5``.

    Raises:
        DudaoError: Before any computing, naming the argument, the value and what is allowed
            (all are ``ValueError``): ``LeverError`` / ``AssumptionError`` for an unknown
            lever or assumption or a value out of range, ``ScenarioError`` for a scenario,
            ``DataError`` for the province, ``ArgumentError`` for months, warm-up, rng,
            province-managed counties or extra edges.
    """

    def __init__(
        self,
        province: Province | str | Path = "hunan",
        scenario: str | Path | Scenario | Sequence[str | Path | Scenario | Mapping] = "reform_2021",
        levers: Mapping[str, object] | None = None,
        assumptions: Mapping[str, object] | None = None,
        months: int = DEFAULT_MONTHS,
        warmup_months: int = DEFAULT_WARMUP_MONTHS,
        rng: int | np.random.Generator | None = None,
        mechanisms: Sequence[Mechanism] | None = None,
        create_agents: bool = True,
        province_managed_counties: Iterable[str] = (),
        cross_level_spot_checks: bool = True,
        extra_edges: Iterable[tuple[str, ...]] = (),
        **overrides: object,
    ) -> None:
        seed = _seed_from(rng)
        super().__init__(rng=seed)
        for name, value in (("months", months), ("warmup_months", warmup_months)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ArgumentError(
                    f"{name}: {value!r} is not allowed; must be a whole number >= 0"
                )
        if warmup_months % MONTHS_PER_YEAR:
            raise ArgumentError(
                f"warmup_months: {warmup_months} is not allowed; must be a "
                "multiple of 12 so the reform starts in January"
            )
        lever_over = {k: v for k, v in overrides.items() if k in LEVERS}
        assumption_over = {k: v for k, v in overrides.items() if k in ASSUMPTIONS}
        for key in overrides:
            if key not in LEVERS and key not in ASSUMPTIONS:
                raise unknown_key_error(key, {**LEVERS, **ASSUMPTIONS}, "lever or assumption")
        self.province = province if isinstance(province, Province) else load_province(province)
        self.scenario = self._resolve(scenario, {**(levers or {}), **lever_over})
        self.baseline = load_scenario("pre_reform")
        self.assumptions = check_assumptions({**(assumptions or {}), **assumption_over})
        self.seed = seed
        self.streams = Streams(seed)
        self.calendar = Calendar(warmup_months)
        self.months = months
        self.warmup_months = warmup_months
        self.t = 0
        self.levers = dict(self.baseline.levers)
        #: The supervision structure at the start of the warm-up (``pre_reform`` staffing):
        #: the tables both the state and :attr:`hierarchy` are built from.
        self.structure: SupervisionStructure = build_structure(
            self.province,
            InspectorateSpec.from_levers(self.levers),
            seed=seed,
            province_managed_counties=province_managed_counties,
            cross_level_spot_checks=cross_level_spot_checks,
            extra_edges=extra_edges,
        )
        self.state = build_state(
            self.province, self.levers, self.assumptions, self.streams, self.structure
        )
        self.mechanisms: list[Mechanism] = list(
            mechanisms if mechanisms is not None else [m() for m in DEFAULT_MECHANISMS]
        )
        self._reset_month()
        self.carry = CarryOver(misconduct_reported=np.zeros(self.state.inspectors.n, bool))
        for mechanism in self.mechanisms:
            mechanism.setup(self)
        self.create_agents = create_agents
        if create_agents:
            agent_views.create_agents(self)
        # Raw reporters each month; derived metrics added when read (so batch_run has them).
        self.datacollector = MetricsCollector(self, dict(MODEL_REPORTERS))
        self.regional_history: list[np.ndarray] = []
        self.running = True

    @staticmethod
    def _resolve(scenario: object, levers: Mapping[str, object]) -> Scenario:
        if isinstance(scenario, Scenario):
            resolved = scenario
        elif isinstance(scenario, str | Path):
            resolved = load_scenario(scenario)
        else:
            resolved = compose(*scenario)  # type: ignore[misc]
        if levers:
            check_levers(levers)  # LeverError naming the lever
            resolved = resolved.apply(levers, name=f"{resolved.name}+levers")
        return resolved

    def _reset_month(self) -> None:
        """Start the month: fresh event counts and fresh flows (:class:`MonthFlows`)."""
        self.events = EventLog(declared_events(self.mechanisms))
        self.flows = MonthFlows()

    def record(self, event: str, value: np.ndarray | float) -> None:
        """Add to this month's count of ``event``: a number, or the true cells of a mask.

        Every event is declared once: the package's in ``dudao_sim/metrics/events.toml``, a
        custom mechanism's in its ``declares_events`` (see :mod:`dudao_sim.metrics.events`).

        Raises:
            UndeclaredEventError: If ``event`` is declared nowhere.
        """
        self.events.record(event, value)

    @property
    def visits(self) -> Visits:
        """This month's visits (``flows.visits``; kept for custom mechanisms and notebooks)."""
        return self.flows.visits

    @visits.setter
    def visits(self, visits: Visits) -> None:
        self.flows.visits = visits

    @property
    def found(self) -> ByKind[np.ndarray]:
        """Problems found this month by kind (``flows.found``), e.g. ``model.found["school"]``."""
        return self.flows.found

    @property
    def in_reform(self) -> bool:
        """True once the warm-up is over and the scenario's levers are in force."""
        return self.t >= self.warmup_months

    def step(self) -> None:
        """Advance one month.

        The order, written once here and in ``docs/odd.md`` (section 3):

        1. conditions — problems arise, grow, self-fix, rebound; incidents; school quality;
        2. planning — in January, budgets, capacity and annual plans, reported upward (四);
        3. visits — zone visits, spot checks, reviews, special supervision, monitoring,
           evaluations and confirmations, re-checks; cap and de-duplication (五–八, 十二);
        4. detection — what the visits find, dressing, collusion, complaints (三, 八, 十九);
        5. results — feedback, ledger, rectification, orders, re-checks, ratings (九–十二);
        6. consequences — the sanction ladder and incentives (十三–十六);
        7. reporting — reports upward with delay, under-reporting, collusion (四, 五);
        8. behaviour — beliefs and choices of units, effort of offices (八, 九);
        9. staffing — exits, training, recruitment and badged zones (六, 十七–十九, 二十五).

        The scenario's levers take over from ``pre_reform`` at the end of the warm-up (a
        January). Metrics are collected after the month.
        """
        if self.t == self.warmup_months:
            self.levers = dict(self.scenario.levers)
        self._reset_month()
        for mechanism in self.mechanisms:
            mechanism.step(self)
        if self.create_agents:
            agent_views.sync_inspectors(self)
        self.datacollector.collect(self)
        self.regional_history.append(regional_sums(self))
        self.t += 1
        if self.t >= self.warmup_months + self.months:
            self.running = False

    def run(self, months: int | None = None) -> None:
        """Run the warm-up and the scenario to the end (or ``months`` more steps)."""
        if months is not None:
            for _ in range(months):
                self.step()
            return
        while self.running:
            self.step()

    def metrics(self, include_warmup: bool = False) -> pd.DataFrame:
        """Monthly metrics as a tidy wide DataFrame (one row per month).

        Args:
            include_warmup: Keep the warm-up months (``month`` < 0).

        Returns:
            Columns ``month`` (0 = the first month of the scenario), ``phase`` and every
            metric of :mod:`dudao_sim.metrics.reporters`.
        """
        return metrics_frame(self, include_warmup)

    def metrics_by(self, level: str = "city", include_warmup: bool = False) -> pd.DataFrame:
        """Monthly results by 市州 (``"city"``), county or for the province, tidy.

        Args:
            level: ``"county"``, ``"city"`` or ``"province"``.
            include_warmup: Keep the warm-up months.

        Returns:
            Columns ``month``, ``code``, ``name``, ``metric``, ``value``.
        """
        return regional_frame(self, level, include_warmup)

    @cached_property
    def hierarchy(self) -> nx.DiGraph:
        """The reporting hierarchy (light graph: governments and offices) of this model.

        Drawn from :attr:`structure`, the tables the state was laid out from: the same
        township codes, province-managed counties, evaluation and spot-check edges, and office
        staff as at the start of the warm-up (``pre_reform`` staffing).
        """
        return hierarchy_graph(self.structure, "light")

    def reporting_graph(self) -> nx.DiGraph:
        """The hierarchy with this month's upward reports on its ``oversees`` edges (四).

        Each edge office(city) → office(county) carries ``truth`` (problems present in the
        county, its schools and townships), ``known`` (open problems the county knows of),
        ``reported`` (what it reported this month) and ``arrived`` (what reached the city after
        the delay); each edge office(province) → office(city) carries ``arrived`` and
        ``passed_on`` (what the city passed to the province). Reports flow against the edges.

        Returns:
            A copy of :attr:`hierarchy` with those edge attributes.
        """
        graph = self.hierarchy.copy()
        flows = self.flows.report_flows
        if flows is None:
            return graph
        g = self.state.governments
        for row in np.flatnonzero(g.level == LevelCode.COUNTY):
            edge = (f"office:{g.codes[g.parent[row]]}", f"office:{g.codes[row]}")
            if graph.has_edge(*edge):
                graph.edges[edge].update(
                    {
                        k: float(getattr(flows, k)[row])
                        for k in ("truth", "known", "reported", "arrived")
                    }
                )
        for row in np.flatnonzero(g.level == LevelCode.CITY):
            edge = (f"office:{g.codes[0]}", f"office:{g.codes[row]}")
            if graph.has_edge(*edge):
                arrived = flows.arrived[(g.level == LevelCode.COUNTY) & (g.parent == row)].sum()
                graph.edges[edge].update(
                    {"arrived": float(arrived), "passed_on": float(flows.passed_on[row])}
                )
        return graph
