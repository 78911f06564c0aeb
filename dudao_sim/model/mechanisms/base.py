"""What every submodel shares: the mechanism interface and the month's visits.

:class:`~dudao_sim.model.calendar.Calendar` (:mod:`dudao_sim.model.calendar`) and
:class:`~dudao_sim.model.flows.Visits` (:mod:`dudao_sim.model.flows`) are re-exported here.

A mechanism is one process of the document, in one module named after it (a large one keeps
parts of its own in further modules: visits in ``visit_resources``, ``visit_claims``,
``visit_requests`` and ``evaluation_requests``). It reads and writes the model's columnar state
(:mod:`dudao_sim.model.state`), draws only from its own random streams
(:class:`dudao_sim.model.streams.Streams`, keyed by process and month), records what happened
with ``model.record`` and hands results to later mechanisms only through ``model.flows``
(:class:`~dudao_sim.model.flows.MonthFlows`) and ``model.carry``
(:class:`~dudao_sim.model.flows.CarryOver`); each mechanism's docstring lists what it reads
and writes. It does not import another mechanism or another mechanism's parts (shared rules are
in :mod:`~dudao_sim.model.mechanisms.common`). Researchers plug in their own by subclassing
:class:`Mechanism` and passing it to the model (see ``docs/odd.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import TYPE_CHECKING, ClassVar

from dudao_sim.model.calendar import Calendar
from dudao_sim.model.flows import Visits

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel


class Mechanism:
    """One submodel of the monthly cycle.

    Subclasses set :attr:`name`, :attr:`clauses` and :attr:`odd_section`, and implement
    :meth:`step` (and :meth:`setup` if they need state before the first month). A mechanism
    records only declared events: the package's are in ``dudao_sim/metrics/events.toml``; a
    new mechanism declares its own in :attr:`declares_events` (recording any other name raises
    :class:`~dudao_sim.metrics.events.UndeclaredEventError`).

    Example:
        >>> class Rumour(Mechanism):
        ...     name = "rumour"
        ...     clauses = ("九",)
        ...     declares_events = {"rumours": "Rumours heard this month."}
        ...     def step(self, model):
        ...         model.record("rumours", 1.0)
    """

    name: ClassVar[str] = "mechanism"
    clauses: ClassVar[tuple[str, ...]] = ()
    odd_section: ClassVar[str] = ""
    #: Events this mechanism records beyond the package's: ``{name: one-sentence description}``.
    declares_events: ClassVar[Mapping[str, str]] = {}

    def setup(self, model: SupervisionModel) -> None:
        """Prepare state before the first month (optional)."""

    def step(self, model: SupervisionModel) -> None:
        """Apply the mechanism for the current month."""
        raise NotImplementedError


class Purpose(IntEnum):
    """Why a visit happens."""

    ROUTINE = 0  # badged responsibility-zone visit (六)
    SPOT_CHECK = 1  # regular or double-random spot check (八)
    END_OF_TERM = 2  # comprehensive review at the end of a principal's term (六)
    SPECIAL = 3  # special supervision of a hot issue after an incident (五)
    EVALUATION = 4  # evaluation of a government's duties (五)
    CONFIRMATION = 5  # provincial spot-check confirmation (五: 省级抽查认定)
    MONITORING = 6  # third-party evaluation and monitoring (七)
    RECHECK = 7  # re-check of closed items (十二)


class UnitKind(IntEnum):
    """Which table a visited unit is in."""

    SCHOOL = 0
    GOVERNMENT = 1


__all__ = ["Calendar", "Mechanism", "Purpose", "UnitKind", "Visits"]
