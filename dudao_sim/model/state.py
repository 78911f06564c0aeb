"""Columnar state of the model: every numerous entity is a row of NumPy arrays.

The model owns these tables; mechanisms read and write them with vectorized rules, and Mesa
agents are views onto their rows (:mod:`dudao_sim.model.agents`). Nothing in the monthly step loops
over schools in Python.

Two kinds of supervised unit (被督导单位) share one structure, :class:`UnitTable`:

- **schools**, with problems in the seven areas of clause 六 (:data:`SCHOOL_AREAS`);
- **governments** (province, cities, counties, townships), with problems in the five duty areas
  of clause 五 (:data:`DUTY_AREAS`).

A unit's problems live in a :class:`Problems` block: one slot per (unit, area), each in exactly
one :class:`ProblemState`. The truth (is a problem present, how severe) and what the
supervisors know (detected, on the ledger, closed on paper) are kept apart in the state, so
detection, fake rectification and rebound are measurable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property

import numpy as np

from dudao_sim.policy.targets import ZONE_VISITS_REQUIRED

#: Areas of school supervision (clause 六), in column order of a school's problems.
SCHOOL_AREAS: tuple[str, ...] = (
    "direction",  # 坚持正确办学方向、立德树人、思想政治工作
    "governance",  # 依法治校办学
    "teaching",  # 教育教学
    "ethics",  # 师德师风
    "resources",  # 资源配置
    "fees",  # 教育收费
    "safety",  # 安全稳定
)

#: Areas of government duties (clause 五), in column order of a government's problems.
DUTY_AREAS: tuple[str, ...] = (
    "standards",  # 办学标准执行
    "funding",  # 教育投入落实和经费管理
    "teachers",  # 教师编制待遇
    "projects",  # 教育扶贫和重大教育工程项目实施
    "safety",  # 安全稳定维护
)

#: Areas whose problems need several departments (clause 三): member units speed them up.
CROSS_DEPARTMENT: frozenset[str] = frozenset({"safety", "fees", "teachers", "funding"})

NEVER = -1  # month value meaning "not set"

#: Bits in a byte: ``row_count`` packs up to this many areas of a row into one byte.
_BITS_PER_BYTE = 8
#: Number of set bits of each byte value, for counting true cells per row.
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << _BITS_PER_BYTE)], dtype=np.int16)


class LevelCode(IntEnum):
    """Level of a government or supervision office, as stored in ``level`` columns."""

    PROVINCE = 0
    CITY = 1
    COUNTY = 2
    TOWNSHIP = 3  # governments only: townships have no supervision office


def row_count(mask: np.ndarray) -> np.ndarray:
    """True cells per row of a boolean (units x areas) mask, for at most 8 areas.

    Packing each row into one byte and looking up its bit count is several times faster than
    ``mask.sum(axis=1)`` on the narrow matrices of problem slots.
    """
    if mask.ndim != 2 or mask.shape[1] > _BITS_PER_BYTE:
        return np.count_nonzero(mask, axis=-1).astype(np.int16)
    return _POPCOUNT[np.packbits(mask, axis=1)[:, 0]]


class ProblemState(IntEnum):
    """Where one problem slot stands. Present in truth: HIDDEN, OPEN, FAKE, UNFOLLOWED.

    Known to supervisors: OPEN and UNFOLLOWED (FAKE is believed closed).
    """

    NONE = 0  # no problem in this area
    HIDDEN = 1  # a problem exists; no supervisor knows it
    OPEN = 2  # detected and fed back; open (on the ledger when there is one)
    FAKE = 3  # reported rectified and closed on paper, but still present (虚假整改)
    CLOSED = 4  # genuinely rectified; can rebound
    UNFOLLOWED = 5  # found, but not fed back item by item or dropped with no ledger: known,
    # nobody follows it up (十, 十一)


class Rating(IntEnum):
    """Annual evaluation result of a unit."""

    UNRATED = 0
    PASS = 1
    BASIC_PASS = 2
    FAIL = 3


class Sanction(IntEnum):
    """Rungs of the consequence ladder (clauses 十四–十六), lowest first."""

    NONE = 0
    INTERVIEW = 1  # 约谈 (十四)
    CIRCULAR = 2  # 通报 (十五)
    ACCOUNTABILITY = 3  # 问责 (十六)
    SEVERE = 4  # 严肃追究 / private-school leader replaced or licence revoked (十六)


def _full(n: int | tuple[int, ...], value: float | int, dtype: type) -> np.ndarray:
    return np.full(n, value, dtype=dtype)


@dataclass
class Problems:
    """Problem slots of a set of units: one per (unit, area).

    Attributes:
        state: :class:`ProblemState` of each slot.
        severity: Severity in (0, 1] of a present problem (0 when none).
        arisen: Month the current problem arose.
        detected: Month it was last detected (``NEVER`` if not).
        deadline: Rectification deadline month on the ledger (``NEVER`` if none).
        closed: Month it was closed, genuinely or on paper.
        recheck: Month a re-check (回头看) is scheduled (``NEVER`` if none).
        n_orders: Supervision orders (督办单) issued on the current problem.
        n_detections: Times the current problem has been detected.
    """

    state: np.ndarray
    severity: np.ndarray
    arisen: np.ndarray
    detected: np.ndarray
    deadline: np.ndarray
    closed: np.ndarray
    recheck: np.ndarray
    n_orders: np.ndarray
    n_detections: np.ndarray

    @classmethod
    def empty(cls, n_units: int, n_areas: int) -> Problems:
        """Slots with no problems."""
        shape = (n_units, n_areas)
        return cls(
            state=_full(shape, ProblemState.NONE, np.int8),
            severity=_full(shape, 0.0, np.float64),
            arisen=_full(shape, NEVER, np.int32),
            detected=_full(shape, NEVER, np.int32),
            deadline=_full(shape, NEVER, np.int32),
            closed=_full(shape, NEVER, np.int32),
            recheck=_full(shape, NEVER, np.int32),
            n_orders=_full(shape, 0, np.int16),
            n_detections=_full(shape, 0, np.int16),
        )

    @property
    def present(self) -> np.ndarray:
        """True where a problem exists in truth (hidden, open, fake-closed or unfollowed)."""
        s = self.state
        return (s != ProblemState.NONE) & (s != ProblemState.CLOSED)

    @property
    def findable(self) -> np.ndarray:
        """True where a present problem is not followed up: hidden, or known but unfollowed.

        A visit or a complaint can (re)find it.
        """
        s = self.state
        return (s == ProblemState.HIDDEN) | (s == ProblemState.UNFOLLOWED)

    def count(self, state: ProblemState) -> np.ndarray:
        """Slots in ``state`` per unit."""
        return row_count(self.state == state)


@dataclass
class UnitTable:
    """Supervised units (schools or governments) as columns.

    Attributes:
        n: Number of units.
        areas: Names of the problem areas (columns of ``problems``).
        county: Row of the unit's county government (its own row for a county; ``NEVER`` for
            the province and cities).
        office: Row of the supervision office responsible for the unit.
        fiscal: Resources index of the unit's county (1 = province mean).
        problems: The problem slots.
        active: False once closed (licence revoked).
        effort: Genuine improvement effort in [0, 1] (behaviour).
        dressing: Window dressing intensity before announced visits in [0, 1] (behaviour).
        fake: Propensity to fake rectification in [0, 1] (behaviour).
        belief_detect: Believed probability a present problem is found in a year.
        belief_sanction: Believed severity of consequences once found, in [0, 1].
        incentive: Resource tilt earned by good ratings (clause 十三), in [0, 1].
        sanction: Highest :class:`Sanction` rung reached in the last 12 months.
        last_sanction: Month of the last sanction.
        n_sanctions_12m: Sanctions received in the last 12 months.
        rating: Last annual :class:`Rating`.
        visits_year: Visits received in the current calendar year (all levels).
        last_visit: Month of the last visit.
        visited_by: Bitmask of levels that visited this month (1 province, 2 city, 4 county).
        belief_visits: Believed visits a year (learned from own and published experience).
        belief_per_visit: Believed share of present problems a visit finds.
        belief_announced: Believed share of visits that are announced.
        belief_recheck: Believed chance that a closed item is re-checked.
        orders_year: Supervision orders received this calendar year.
        fakes_caught_year: Fake rectifications caught this calendar year.
        evaluated_year: Evaluated (visited) this calendar year.
        plan_month: Month of a spot check named in a published rotation plan (``NEVER``: none).
        last_assessed: Month the unit's triggers were last assessed on the consequence ladder
            (once per cycle: a new finding, or the December rating, opens the next).
        last_fake_caught: Month a fake rectification of the unit was last caught.
        last_evaluated_fully: Month of the last end-of-term review (schools) or evaluation or
            confirmation (governments) that found every problem the unit was hiding.
    """

    n: int
    areas: tuple[str, ...]
    county: np.ndarray
    office: np.ndarray
    fiscal: np.ndarray
    problems: Problems
    active: np.ndarray = field(init=False)
    effort: np.ndarray = field(init=False)
    dressing: np.ndarray = field(init=False)
    fake: np.ndarray = field(init=False)
    belief_detect: np.ndarray = field(init=False)
    belief_sanction: np.ndarray = field(init=False)
    incentive: np.ndarray = field(init=False)
    sanction: np.ndarray = field(init=False)
    last_sanction: np.ndarray = field(init=False)
    n_sanctions_12m: np.ndarray = field(init=False)
    rating: np.ndarray = field(init=False)
    visits_year: np.ndarray = field(init=False)
    last_visit: np.ndarray = field(init=False)
    visited_by: np.ndarray = field(init=False)
    belief_visits: np.ndarray = field(init=False)
    belief_per_visit: np.ndarray = field(init=False)
    belief_announced: np.ndarray = field(init=False)
    belief_recheck: np.ndarray = field(init=False)
    orders_year: np.ndarray = field(init=False)
    fakes_caught_year: np.ndarray = field(init=False)
    evaluated_year: np.ndarray = field(init=False)
    plan_month: np.ndarray = field(init=False)
    last_assessed: np.ndarray = field(init=False)
    last_fake_caught: np.ndarray = field(init=False)
    last_evaluated_fully: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n = self.n
        self.last_evaluated_fully = _full(n, NEVER, np.int32)
        self.last_assessed = _full(n, NEVER, np.int32)
        self.last_fake_caught = _full(n, NEVER, np.int32)
        self.belief_visits = _full(n, 0.0, np.float64)  # initial beliefs: build_state
        self.belief_per_visit = _full(n, 0.0, np.float64)
        self.belief_announced = _full(n, 1.0, np.float64)
        self.belief_recheck = _full(n, 0.0, np.float64)
        self.orders_year = _full(n, 0, np.int16)
        self.fakes_caught_year = _full(n, 0, np.int16)
        self.evaluated_year = _full(n, False, bool)
        self.plan_month = _full(n, NEVER, np.int32)
        self.active = np.ones(n, dtype=bool)
        self.effort = _full(n, 0.0, np.float64)
        self.dressing = _full(n, 0.0, np.float64)
        self.fake = _full(n, 0.0, np.float64)
        self.belief_detect = _full(n, 0.0, np.float64)
        self.belief_sanction = _full(n, 0.0, np.float64)
        self.incentive = _full(n, 0.0, np.float64)
        self.sanction = _full(n, Sanction.NONE, np.int8)
        self.last_sanction = _full(n, NEVER, np.int32)
        self.n_sanctions_12m = _full(n, 0, np.int16)
        self.rating = _full(n, Rating.UNRATED, np.int8)
        self.visits_year = _full(n, 0, np.int16)
        self.last_visit = _full(n, NEVER, np.int32)
        self.visited_by = _full(n, 0, np.int8)


@dataclass
class SchoolTable(UnitTable):
    """Schools: supervised units with school attributes.

    Attributes:
        school_type: Index into :class:`dudao_sim.data.vocab.SchoolType` order.
        private: Private (民办) school.
        enrolment: Pupils.
        badged_type: Needs a badged responsibility inspector (clause 六).
        quality: School quality in pupil-level SD units, relative to a school never failed
            and carrying no supervision burden: ``improvement`` less the burden's toll.
        improvement: Quality gained by improvement plans after failing verdicts (SD).
        failed_month: Month of the last failing verdict — a FAIL rating, or being held to
            account (accountability or the severe rung) — which starts an improvement plan
            (``NEVER``: none).
        visit_hours: Teachers' hours spent on supervision visits over about the last 12
            months (an exponential average of the monthly hours).
        self_capacity: Capacity of internal self-supervision in [0, 1] (clause 六).
        principal_term_end: Month the principal's term ends (end-of-term review, 六).
        badged: Row of the badged inspector, or ``NEVER``.
        ids: School ids, as in the data.
        zone_visit_log: Months of the last recorded visits by the school's badged inspector
            (oldest first, ``NEVER`` where fewer), as many as regular supervision requires
            (:data:`~dudao_sim.policy.targets.ZONE_VISITS_REQUIRED`): the school counts as
            visited when the oldest is within 12 months.
    """

    school_type: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    private: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    enrolment: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    badged_type: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    quality: np.ndarray = field(default_factory=lambda: np.zeros(0))
    improvement: np.ndarray = field(init=False)
    failed_month: np.ndarray = field(init=False)
    visit_hours: np.ndarray = field(init=False)
    self_capacity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    principal_term_end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    badged: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, object))
    zone_visit_log: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.zone_visit_log = _full((self.n, ZONE_VISITS_REQUIRED), NEVER, np.int32)
        self.improvement = _full(self.n, 0.0, np.float64)
        self.failed_month = _full(self.n, NEVER, np.int32)
        self.visit_hours = _full(self.n, 0.0, np.float64)


@dataclass
class GovernmentTable(UnitTable):
    """Governments at province, city, county and township level.

    Attributes:
        level: :class:`LevelCode` (0 province, 1 city, 2 county, 3 township).
        parent: Row of the administering government (``NEVER`` for the province).
        codes: Division code (townships: ``"{county}{k:03d}"``, as in the graph).
        names: Chinese names.
    """

    level: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    parent: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    codes: np.ndarray = field(default_factory=lambda: np.zeros(0, object))
    names: np.ndarray = field(default_factory=lambda: np.zeros(0, object))


@dataclass
class OfficeTable:
    """Supervision offices (政府教育督导办) of the province, cities and counties (clause 一).

    Attributes:
        n: Number of offices.
        gov: Row of the hosting government.
        level: 0 province, 1 city, 2 county.
        parent: Row of the office one level up (``NEVER`` for the province).
        n_schools: Schools it supervises.
        budget: Annual supervision budget in yuan (clause 二十一).
        spent: Yuan spent this year.
        effort: Inspection effort multiplier chosen by the office (inspection game).
        observed_violation: Smoothed share of visits that found a problem.
        plan_visits: Visits planned for the year (clause 四: reported upward).
        plan_reported: The year's plan was reported upward.
        fiscal: Fiscal-capacity index of the office's jurisdiction (1 = province mean).
        trip_km: Mean round trip by road, km, from the office to a unit it supervises
            (clause 十七: 地理因素、交通条件).
        visit_hours: Inspector hours of a routine on-site visit by the office, travel included.
        visits_made: Visits its own inspectors made this year (delivery of the plan).
        diligence: Share of its inspectors' contracted field hours the office deploys.
        belief_short_plan: Believed consequence of delivering short of the reported plan,
            learned from the oversight of offices (四, 二十五), in [0, 1].
        belief_short_staff: Believed consequence of falling short of the staffing target,
            learned from the province's checks on implementation (二十五), in [0, 1].
        exposure_belief: What its inspectors believe the monthly chance is that a colleague
            who bent the rules (colluded) is removed for it, learned from the removals they
            see (clause 十九).
    """

    n: int
    gov: np.ndarray
    level: np.ndarray
    parent: np.ndarray
    n_schools: np.ndarray
    budget: np.ndarray = field(init=False)
    spent: np.ndarray = field(init=False)
    effort: np.ndarray = field(init=False)
    observed_violation: np.ndarray = field(init=False)
    plan_visits: np.ndarray = field(init=False)
    plan_reported: np.ndarray = field(init=False)
    fiscal: np.ndarray = field(init=False)
    trip_km: np.ndarray = field(init=False)
    visit_hours: np.ndarray = field(init=False)
    visits_made: np.ndarray = field(init=False)
    diligence: np.ndarray = field(init=False)
    belief_short_plan: np.ndarray = field(init=False)
    belief_short_staff: np.ndarray = field(init=False)
    exposure_belief: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.fiscal = _full(self.n, 1.0, np.float64)  # geography and fiscal: planning's setup
        self.trip_km = _full(self.n, 0.0, np.float64)
        self.visit_hours = _full(self.n, 1.0, np.float64)
        self.visits_made = _full(self.n, 0.0, np.float64)
        self.diligence = _full(self.n, 1.0, np.float64)
        self.belief_short_plan = _full(self.n, 0.0, np.float64)
        self.belief_short_staff = _full(self.n, 0.0, np.float64)
        self.budget = _full(self.n, 0.0, np.float64)
        self.spent = _full(self.n, 0.0, np.float64)
        self.effort = _full(self.n, 1.0, np.float64)
        self.observed_violation = _full(self.n, 0.0, np.float64)
        self.plan_visits = _full(self.n, 0.0, np.float64)
        self.plan_reported = _full(self.n, False, bool)
        self.exposure_belief = _full(self.n, 0.0, np.float64)


@dataclass
class InspectorTable:
    """Inspector slots of every office; a slot is filled (``active``) or vacant.

    Slots are allocated once, so recruitment fills vacant rows and the arrays keep their size
    (which keeps random streams aligned across scenarios).

    Attributes:
        n: Number of slots.
        office: Row of the employing office.
        active: Slot filled.
        full_time: Full-time (专职) rather than part-time (兼职) inspector.
        skill: Professional skill in [0, 1] (clause 十八).
        integrity: Integrity in [0, 1]; low integrity risks collusion (clause 十九).
        hired: Month hired.
        training_hours: Training hours this year.
        training_month: Training hours scheduled for this month (taken from field hours, 十八).
        misconduct: Months of undetected misconduct (collusion) so far.
    """

    n: int
    office: np.ndarray
    active: np.ndarray = field(init=False)
    full_time: np.ndarray = field(init=False)
    skill: np.ndarray = field(init=False)
    integrity: np.ndarray = field(init=False)
    hired: np.ndarray = field(init=False)
    training_hours: np.ndarray = field(init=False)
    training_month: np.ndarray = field(init=False)
    misconduct: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n = self.n
        self.active = _full(n, False, bool)
        self.full_time = _full(n, False, bool)
        self.skill = _full(n, 0.0, np.float64)
        self.integrity = _full(n, 1.0, np.float64)
        self.hired = _full(n, NEVER, np.int32)
        self.training_hours = _full(n, 0.0, np.float64)
        self.training_month = _full(n, 0.0, np.float64)
        self.misconduct = _full(n, 0, np.int16)


@dataclass
class Relation:
    """Pairs office → government of one relation of the supervision structure (clause 五).

    Laid out from the ``evaluates`` or ``spot_checks`` edges of
    :class:`~dudao_sim.structure.tables.SupervisionStructure`, so who evaluates and who
    confirms whom in the model is what the graph draws (province-managed counties and extra
    edges included). Sorted by government row, then office row.

    Attributes:
        office: Row of the office.
        government: Row of the government it evaluates or spot-checks.
    """

    office: np.ndarray
    government: np.ndarray


@dataclass
class State:
    """Everything the model knows, truth and observation, as columns.

    ``evaluations`` (who evaluates whom each November) and ``confirmations`` (who
    spot-checks whose evaluation each December, 省级抽查认定) are the structure's edges.
    """

    schools: SchoolTable
    governments: GovernmentTable
    offices: OfficeTable
    inspectors: InspectorTable
    evaluations: Relation
    confirmations: Relation

    @cached_property
    def office_of_gov(self) -> np.ndarray:
        """Row of the office each government hosts (``-1`` for townships), by government row.

        Derived from ``offices.gov`` (a lookup, not a state column).
        """
        office_of_gov = np.full(self.governments.n, -1, dtype=np.int64)
        office_of_gov[self.offices.gov] = np.arange(self.offices.n)
        return office_of_gov
