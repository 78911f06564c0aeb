"""The event registry: every monthly event a mechanism may record, declared once.

Mechanisms count what happens each month with ``model.record(name, value)`` (see
:meth:`dudao_sim.model.model.SupervisionModel.record`). Every name they may record is declared
in ``events.toml`` beside this module, with a description, the clause(s) of the document it
belongs to, and either ``reported = true`` — it becomes the metric ``n_<name>`` of
``model.metrics()``, catalogued in ``catalogue.toml`` — or ``internal = "<why it is not
reported>"``. ``rare = "<why>"`` marks an event that ordinary short runs may never record.

``model.events`` is an :class:`EventLog`: recording, reading or assigning a name that is not
declared raises :class:`UndeclaredEventError`, so a typo cannot silently start a new count.
A researcher's own mechanism declares its own events in the class attribute
``declares_events`` (``{name: description}``); :func:`declared_events` adds them to the
package's events for the model that runs the mechanism.

Example:
    >>> from dudao_sim.metrics.events import EVENTS, EventLog
    >>> EVENTS["orders_school"].reported
    True
    >>> log = EventLog()
    >>> log.record("orders_school", 3)
    >>> log["orders_school"]
    3.0
    >>> try:
    ...     log.record("order_school", 1)  # a typo
    ... except UndeclaredEventError as error:
    ...     print(str(error)[:36])
    event 'order_school' is not declared
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from dudao_sim.errors import DudaoError
from dudao_sim.policy.clauses import clauses

EVENTS_FILE = Path(__file__).with_name("events.toml")

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_FIELDS = ("description", "description_zh", "clause", "reported", "internal", "rare")


class EventRegistryError(DudaoError):
    """An event declaration that is incomplete or invalid (names the event and the field)."""


class UndeclaredEventError(ValueError):
    """An event name that is recorded or read but declared nowhere."""


@dataclass(frozen=True)
class Event:
    """One declared monthly event.

    Attributes:
        name: Name passed to ``model.record``.
        description: One English sentence: what is counted.
        clause: Clause numeral(s) of the document, e.g. ``("十一",)``.
        reported: True if it becomes the metric ``n_<name>``.
        internal: Why it is not reported (empty when reported).
        rare: Why ordinary short runs may never record it (empty if they do).
        description_zh: One Chinese sentence (optional).
        source: Where it is declared: ``events.toml`` or a mechanism's class name.
    """

    name: str
    description: str
    clause: tuple[str, ...]
    reported: bool
    internal: str = ""
    rare: str = ""
    description_zh: str = ""
    source: str = "events.toml"

    @property
    def metric(self) -> str | None:
        """The metric column of a reported event (``n_<name>``), else ``None``."""
        return f"n_{self.name}" if self.reported else None


def _fail(source: str, name: str, field: str, problem: str) -> EventRegistryError:
    return EventRegistryError(f"{source}: event {name!r}, field {field!r}: {problem}")


def _text(spec: Mapping[str, Any], source: str, name: str, field: str, required: bool) -> str:
    value = spec.get(field, "")
    if field not in spec and required:
        raise _fail(source, name, field, "is missing")
    if not isinstance(value, str) or (field in spec and not value.strip()):
        raise _fail(source, name, field, f"must be non-empty text, got {value!r}")
    return value.strip()


def parse_events(data: Mapping[str, Any], source: str = "events.toml") -> dict[str, Event]:
    """Validate event declarations (the parsed content of an ``events.toml``).

    Args:
        data: ``{name: {description, clause, reported | internal, [rare], [description_zh]}}``.
        source: Name used in error messages.

    Returns:
        ``{name: Event}`` in the order given.

    Raises:
        EventRegistryError: Naming the event and the field that is missing or invalid.
    """
    known = set(clauses())
    events: dict[str, Event] = {}
    for name, spec in data.items():
        if not _NAME.match(name):
            raise _fail(source, name, "name", "must be lower_snake_case (a-z, 0-9, _)")
        if not isinstance(spec, Mapping):
            raise _fail(source, name, "name", "must be a table of fields")
        unknown = sorted(set(spec) - set(_FIELDS))
        if unknown:
            raise _fail(source, name, unknown[0], f"is not a field; fields: {list(_FIELDS)}")
        description = _text(spec, source, name, "description", required=True)
        clause = spec.get("clause")
        if clause is None:
            raise _fail(source, name, "clause", "is missing")
        if isinstance(clause, str) or not isinstance(clause, list) or not clause:
            raise _fail(source, name, "clause", f"must be a non-empty list, got {clause!r}")
        bad = [c for c in clause if c not in known]
        if bad:
            raise _fail(source, name, "clause", f"{bad} are not clauses 一…二十五")
        reported = spec.get("reported", False)
        if not isinstance(reported, bool):
            raise _fail(source, name, "reported", f"must be true or false, got {reported!r}")
        internal = _text(spec, source, name, "internal", required=False)
        if reported == bool(internal):
            raise _fail(
                source,
                name,
                "reported" if not reported else "internal",
                'give either reported = true or internal = "<why it is not reported>"',
            )
        events[name] = Event(
            name=name,
            description=description,
            clause=tuple(clause),
            reported=reported,
            internal=internal,
            rare=_text(spec, source, name, "rare", required=False),
            description_zh=_text(spec, source, name, "description_zh", required=False),
            source=source,
        )
    return events


def load_events(path: str | Path = EVENTS_FILE) -> dict[str, Event]:
    """Read and validate an events file (default: the package's ``events.toml``)."""
    path = Path(path)
    with path.open("rb") as handle:
        return parse_events(tomllib.load(handle), source=path.name)


#: Every event of the package's mechanisms, from ``events.toml``, in file order.
EVENTS: Mapping[str, Event] = MappingProxyType(load_events())

#: Events that become metrics ``n_<name>``, in file order (the order of the columns).
REPORTED_EVENTS: tuple[str, ...] = tuple(n for n, e in EVENTS.items() if e.reported)


def declared_events(mechanisms: Iterable[object] = ()) -> Mapping[str, Event]:
    """The package's events plus those the given mechanisms declare.

    A mechanism declares its own events in the class attribute ``declares_events``, a
    mapping ``{name: description}``; they are internal to the model (not metric columns) and
    cite the mechanism's ``clauses``.

    Args:
        mechanisms: Mechanism instances (or classes) that will run.

    Returns:
        A read-only ``{name: Event}``.

    Raises:
        EventRegistryError: If a mechanism declares a bad name or description, a name the
            package already declares, or one another mechanism declares differently.
    """
    types = tuple(m if isinstance(m, type) else type(m) for m in mechanisms)
    return _declared_for(types)


@cache
def _declared_for(types: tuple[type, ...]) -> Mapping[str, Event]:
    out = dict(EVENTS)
    for cls in types:
        own = getattr(cls, "declares_events", None) or {}
        source = f"{cls.__qualname__}.declares_events"
        if not isinstance(own, Mapping):
            raise EventRegistryError(f"{source}: must be a dict {{name: description}}")
        for name, description in own.items():
            if not isinstance(name, str) or not _NAME.match(name):
                raise _fail(source, str(name), "name", "must be lower_snake_case (a-z, 0-9, _)")
            if not isinstance(description, str) or not description.strip():
                raise _fail(source, name, "description", "must be non-empty text")
            if name in EVENTS:
                raise _fail(
                    source,
                    name,
                    "name",
                    f"is already declared in {EVENTS_FILE.name}; record it without declaring it",
                )
            previous = out.get(name)
            if previous is not None and previous.description != description.strip():
                raise _fail(source, name, "name", f"is also declared by {previous.source}")
            clause = tuple(getattr(cls, "clauses", ()) or ())
            out[name] = Event(
                name=name,
                description=description.strip(),
                clause=clause,
                reported=False,
                internal=f"declared by the mechanism {cls.__qualname__}",
                source=source,
            )
    return MappingProxyType(out)


class EventLog:
    """One month's event counts; only declared events may be recorded or read.

    Behaves like the ``defaultdict(float)`` it replaces for declared names — ``log[name]`` is
    0.0 until recorded, ``log[name] += x`` adds — and raises :class:`UndeclaredEventError` for
    any other name. Iteration, ``len``, ``in``, ``keys``, ``values`` and ``items`` cover the
    events recorded this month.

    Args:
        declared: The declared events (default: the package's :data:`EVENTS`); a model passes
            :func:`declared_events` of its mechanisms.
    """

    __slots__ = ("_declared", "_values")

    def __init__(self, declared: Mapping[str, Event] = EVENTS) -> None:
        self._declared = declared
        self._values: dict[str, float] = {}

    @property
    def declared(self) -> Mapping[str, Event]:
        """The events this log accepts."""
        return self._declared

    def _check(self, name: str) -> None:
        if name not in self._declared:
            raise self._undeclared(name)

    def _undeclared(self, name: object) -> UndeclaredEventError:
        close = difflib.get_close_matches(str(name), list(self._declared), n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        return UndeclaredEventError(
            f"event {name!r} is not declared: declare it in dudao_sim/metrics/{EVENTS_FILE.name} "
            "(the package's mechanisms) or in your mechanism's `declares_events` "
            f"({{name: description}}){hint}"
        )

    def record(self, name: str, value: np.ndarray | float) -> None:
        """Add to this month's count of ``name``: a number, or the true cells of a mask.

        Args:
            name: A declared event.
            value: A number, a boolean mask (its true cells are counted) or an array (summed).

        Raises:
            UndeclaredEventError: If ``name`` is not declared.
        """
        self._check(name)
        if isinstance(value, np.ndarray):
            value = np.count_nonzero(value) if value.dtype == bool else value.sum()
        self._values[name] = self._values.get(name, 0.0) + float(value)

    def __getitem__(self, name: str) -> float:
        self._check(name)
        return self._values.get(name, 0.0)

    def __setitem__(self, name: str, value: float) -> None:
        self._check(name)
        self._values[name] = float(value)

    def get(self, name: str, default: float | None = None) -> float | None:
        """This month's count of a declared event, or ``default`` if not recorded yet.

        Raises:
            UndeclaredEventError: If ``name`` is not declared.
        """
        self._check(name)
        return self._values.get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> Iterable[str]:
        """Events recorded this month."""
        return self._values.keys()

    def values(self) -> Iterable[float]:
        """Counts of the events recorded this month."""
        return self._values.values()

    def items(self) -> Iterable[tuple[str, float]]:
        """``(name, count)`` of the events recorded this month."""
        return self._values.items()

    def __repr__(self) -> str:
        return f"EventLog({self._values!r})"
