"""What mechanisms hand each other: this month's flows, and what is carried to later months.

Mechanisms communicate only through the columnar state (:mod:`dudao_sim.model.state`), the
month's event counts (``model.events``) and the two typed objects here:

- :class:`MonthFlows` (``model.flows``) — what one mechanism produces for a later one within
  the same month (the visits, what they found, incidents, laggards, sanctions felt, reports).
  A fresh one is made at the start of every month, so nothing leaks from one month to the next.
- :class:`CarryOver` (``model.carry``) — what deliberately crosses a month boundary (a
  misreport exposed this month is sanctioned the next; an inspector exposed by a complaint
  stays flagged until staffing acts) and per-month caches. Made once per run.

A value "by kind" is a :class:`ByKind`: one entry for schools and one for governments, read as
``flows.found.school`` or, where code loops over kinds, ``flows.found["school"]``. An entry is
``None`` until its writer runs (``flows.found.get("school")`` is then ``None``); reading it with
``[]`` raises ``KeyError`` like the dict it replaces.

Example:
    >>> import numpy as np
    >>> flows = MonthFlows()
    >>> flows.found.get("school") is None
    True
    >>> flows.found["school"] = np.zeros((2, 7), bool)
    >>> flows.found.school.shape
    (2, 7)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

T = TypeVar("T")

#: The kinds of supervised unit, as the keys of a :class:`ByKind`.
KINDS: tuple[str, str] = ("school", "government")


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise KeyError(f"{kind!r}: not a unit kind; use 'school' or 'government'")
    return kind


@dataclass(slots=True)
class ByKind(Generic[T]):
    """One value for schools and one for governments (``None`` until written).

    Attributes:
        school: The value for the school table.
        government: The value for the government table.
    """

    school: T | None = None
    government: T | None = None

    def __getitem__(self, kind: str) -> T:
        value = getattr(self, _kind(kind))
        if value is None:
            raise KeyError(kind)
        return value

    def __setitem__(self, kind: str, value: T) -> None:
        setattr(self, _kind(kind), value)

    def get(self, kind: str, default: Any = None) -> Any:
        """The value for ``kind``, or ``default`` when it has not been written."""
        value = getattr(self, _kind(kind))
        return default if value is None else value

    def pop(self, kind: str, default: Any = None) -> Any:
        """The value for ``kind`` (or ``default``), clearing it."""
        value = self.get(kind, default)
        setattr(self, kind, None)
        return value


@dataclass(frozen=True, slots=True)
class ReportTotals:
    """Province totals of this month's upward reports (四), problem counts.

    Attributes:
        truth: Problems present in counties, their schools and townships.
        known_by_counties: Open problems the counties know of.
        reported_by_counties: What the counties reported this month.
        arrived_at_cities: County reports that reached the cities after the delay.
        arrived_at_province: What the cities passed on to the province.
    """

    truth: float
    known_by_counties: float
    reported_by_counties: float
    arrived_at_cities: float
    arrived_at_province: float


@dataclass(frozen=True, slots=True)
class ReportFlows:
    """This month's upward reports per government row (zero outside the level they belong to).

    Attributes:
        reported: County: open problems it reported this month.
        arrived: County: its report that reaches the city this month (after the delay).
        known: County: open problems it knows of (schools, itself, townships).
        truth: County: problems present in truth (schools, itself, townships).
        passed_on: City: what it passes on to the province.
    """

    reported: np.ndarray
    arrived: np.ndarray
    known: np.ndarray
    truth: np.ndarray
    passed_on: np.ndarray


@dataclass
class Visits:
    """The visits of one month, one row per visit.

    Attributes:
        kind: :class:`~dudao_sim.model.mechanisms.base.UnitKind` of the visited unit.
        unit: Row of the unit in its table.
        office: Row of the visiting office.
        level: Level of the visiting office (0 province, 1 city, 2 county).
        inspector: Row of the inspector who went (``-1``: a team or third party).
        purpose: :class:`~dudao_sim.model.mechanisms.base.Purpose`.
        announced: Notified in advance (明察) rather than unannounced (暗访).
        online: Done online rather than on site.
        familiar: The inspector is the unit's own badged inspector.
    """

    kind: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    unit: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    office: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    level: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    inspector: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    purpose: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    announced: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    online: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    familiar: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    def __len__(self) -> int:
        return len(self.unit)

    @classmethod
    def concat(cls, parts: list[Visits]) -> Visits:
        """Join several batches of visits."""
        if not parts:
            return cls()
        names = cls.__dataclass_fields__
        return cls(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in names})

    def select(self, mask: np.ndarray) -> Visits:
        """The visits where ``mask`` is true."""
        return Visits(**{k: getattr(self, k)[mask] for k in self.__dataclass_fields__})


def _by_kind() -> ByKind[np.ndarray]:
    return ByKind()


@dataclass(slots=True)
class MonthFlows:
    """What mechanisms pass to each other within one month (``model.flows``; new each month).

    Masks "by kind" are (units x areas) for problem slots and (units,) for units.

    Attributes:
        visits: The month's visits, one row per visit. Written by visits (step 3); read by
            detection, behaviour and the regional metrics.
        found: Hidden problems found this month, (units x areas) bool. Written by detection
            (visits and complaints); read by results (feedback), consequences (referrals) and
            behaviour (believed share found per visit, office effort).
        fake_caught: Fake closures caught by re-checks, (units x areas) bool. Written by
            detection; read by results, consequences (trigger) and behaviour.
        incidents: Units whose safety problem turned into an incident, (units,) bool. Written by
            conditions; read by visits (special supervision of the county).
        incidents_known: Incidents where the problem was already known (open or fake-closed),
            (units,) bool. Written by conditions; read by consequences (the severe path, 十六).
        laggards: Units with an item still open at the deadline of its supervision order
            (整改不力 after a 督办单: it got another order), (units,) bool. Written by results;
            read by consequences (an ordinary trigger of the ladder).
        pressed: Schools their jointly liable county pressed this month for lagging (十一:
            主管部门负连带责任), (units,) bool. Written by results; read by behaviour (felt as
            a consequence of being found).
        sanction_value: Felt weight in [0, 1] of what each unit received, (units,) float.
            Written by consequences; read by behaviour (believed sanction).
        misreport_sanction: Felt weight in [0, 1] of the misreport sanction each government
            received this month for a misreport exposed last month, (governments,) float.
            Written by consequences; read by reporting (believed misreport sanction).
        confirmed_counties: Counties drawn for provincial confirmation (省级抽查认定) this
            December, (governments,) bool; ``None`` in other months. Written by visits; read
            by reporting (the confirmation sees the county's ledger: exposure of misreports).
        published: Supervision reports are published this month (九). Written by results; read
            by behaviour (peers' outcomes are seen).
        reports: Province totals of the upward reports. Written by reporting; read by the
            metrics (``truth_problems_counties`` ...).
        report_flows: The upward reports per government. Written by reporting; read by
            :meth:`SupervisionModel.reporting_graph`.
    """

    visits: Visits = field(default_factory=Visits)
    found: ByKind[np.ndarray] = field(default_factory=_by_kind)
    fake_caught: ByKind[np.ndarray] = field(default_factory=_by_kind)
    incidents: ByKind[np.ndarray] = field(default_factory=_by_kind)
    incidents_known: ByKind[np.ndarray] = field(default_factory=_by_kind)
    laggards: ByKind[np.ndarray] = field(default_factory=_by_kind)
    pressed: ByKind[np.ndarray] = field(default_factory=_by_kind)
    sanction_value: ByKind[np.ndarray] = field(default_factory=_by_kind)
    misreport_sanction: np.ndarray | None = None
    confirmed_counties: np.ndarray | None = None
    published: bool = False
    reports: ReportTotals | None = None
    report_flows: ReportFlows | None = None


@dataclass(slots=True)
class CarryOver:
    """What crosses a month boundary on purpose (``model.carry``; made once per run).

    Attributes:
        pending: Misreports waiting for next month's misreport sanction, (units,) bool by
            kind: a county or city whose under-reporting a provincial confirmation, third-party
            monitoring or smart-supervision data exposed this month is sanctioned the next
            month. Written by reporting; read and cleared by consequences.
        misconduct_reported: Inspectors exposed by a complaint about their zone, (inspectors,)
            bool. Set by detection (complaints); read and cleared by staffing (exits).
        inspectorate_of_month: Cache of the county inspectorate metrics, ``(month, values)``:
            four reporters share one computation a month. Written and read by
            :mod:`dudao_sim.metrics.reporters`.
        inspector_agents: Mesa agent of each active inspector slot, by row. Written and read
            by :mod:`dudao_sim.model.agents` as inspectors are hired and leave.
    """

    misconduct_reported: np.ndarray
    pending: ByKind[np.ndarray] = field(default_factory=_by_kind)
    inspectorate_of_month: tuple[int, dict[str, float]] | None = None
    inspector_agents: dict[int, Any] = field(default_factory=dict)
