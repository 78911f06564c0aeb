"""The metric catalogue: every metric's labels, definition, unit, range and direction, once.

``catalogue.toml`` beside this module declares each metric that ``model.metrics()`` and
``model.metrics_by()`` produce — Chinese and English labels, a one-sentence definition, the
unit and how to display it, the valid range, which way is better, a topic group, the clauses of
the document it measures, and its kind. Counts of reported events (``n_<event>``) take their
definition and clause from the event registry (:mod:`dudao_sim.metrics.events`). Reports,
figures and the command line read from here; nothing else holds metric text. The file is
validated at import: an incomplete or invalid entry raises :class:`CatalogueError` naming the
metric and the field.

Kinds (:data:`KINDS`) — what a number is:

- ``truth``: uses the simulated ground truth, which supervisors cannot see (problems present,
  quality, genuine or fake closures, what counties know against what they report);
- ``observation``: what the supervision system itself records — its visits, findings, ledger,
  orders, ratings, sanctions and reports (the numbers an administrative dataset would hold);
- ``behaviour``: choices of the supervised units and of inspectors (effort, window dressing,
  fake rectification, collusion);
- ``burden``: the load supervision puts on schools and teachers;
- ``cost``: money and inspector time spent;
- ``staffing``: the inspectorate's size, composition, skill and badged zones;
- ``index``: the composite clause-二十四 indices.

Groups (:data:`GROUPS`) are topics for tables and dashboards.

Example:
    >>> from dudao_sim.metrics.catalogue import label, metric, format_value
    >>> label("fake_share", "zh")
    '虚假整改比例'
    >>> metric("fake_share").direction
    'down'
    >>> format_value("fake_share", 0.1234, "en")
    '12.3%'
    >>> format_value("fake_share", -0.02, "zh", diff=True)
    '-2.0 个百分点'
    >>> format_value("cost_yuan_year", 24686498.6, "zh", digits=3, human=True)
    '2,470 万元'
"""

from __future__ import annotations

import difflib
import math
import tomllib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from dudao_sim import i18n
from dudao_sim.errors import DudaoError
from dudao_sim.metrics.events import EVENTS, Event
from dudao_sim.policy.clauses import clauses

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")

LANGS: tuple[str, ...] = ("zh", "en")

Direction = Literal["up", "down", "neutral"]

#: Which way is better: higher, lower, or neither.
DIRECTIONS: tuple[str, ...] = ("up", "down", "neutral")

#: What a number is (see the module docstring).
KINDS: tuple[str, ...] = (
    "truth",
    "observation",
    "behaviour",
    "burden",
    "cost",
    "staffing",
    "index",
)

#: Topic groups, in display order: ``{group: (zh, en)}`` (labels from table ``metric_group``
#: of the text catalogue :mod:`dudao_sim.i18n`).
GROUPS: dict[str, tuple[str, str]] = {
    group: (i18n.text(f"metric_group.{group}", "zh"), i18n.text(f"metric_group.{group}", "en"))
    for group in (
        "index",
        "coverage",
        "visits",
        "detection",
        "rectification",
        "evaluation",
        "accountability",
        "reporting",
        "behaviour",
        "conditions",
        "quality",
        "burden",
        "cost",
        "inspectorate",
    )
}

#: Figure axis styles a unit may ask for.
AXES: tuple[str, ...] = ("percent", "compact", "plain")

_METRIC_FIELDS = (
    "label_zh",
    "label_en",
    "definition",
    "definition_zh",
    "unit",
    "range",
    "direction",
    "group",
    "clause",
    "kind",
    "echo_exempt",
)
#: Kinds whose metrics may be exempt from the lever audit's echo check (counters of burden
#: and cost restate activity levers by nature).
ECHO_EXEMPT_KINDS: tuple[str, ...] = ("burden", "cost")
_FROM_EVENT = ("definition", "definition_zh", "clause")
_UNIT_FIELDS = (
    "description",
    "scale",
    "decimals",
    "suffix",
    "diff_suffix",
    "grouping",
    "axis",
    "human_scale",
    "human_suffix",
    "human_diff_suffix",
)


class CatalogueError(DudaoError):
    """An incomplete or invalid catalogue entry (names the metric or unit and the field)."""


@dataclass(frozen=True)
class Display:
    """How a value is shown in one language.

    Attributes:
        scale: Multiply the value by this before showing it (100 for a share in per cent).
        decimals: Decimals shown.
        suffix: Appended to a value, e.g. ``"%"``.
        diff_suffix: Appended to a difference, e.g. ``" pp"``.
        grouping: Thousands separators.
        axis: Figure axis style: ``percent``, ``compact`` or ``plain``.
        human_scale: Scale of the readable form for tables a person reads (:meth:`human`),
            e.g. ``0.0001`` for yuan shown in 万元; ``None``: the same as :attr:`scale`.
        human_suffix: Suffix of the readable form (``None``: :attr:`suffix`).
        human_diff_suffix: Difference suffix of the readable form (``None``:
            :attr:`diff_suffix`, or :attr:`human_suffix` when only that is given).
    """

    scale: float = 1.0
    decimals: int = 2
    suffix: str = ""
    diff_suffix: str = ""
    grouping: bool = False
    axis: str = "plain"
    human_scale: float | None = None
    human_suffix: str | None = None
    human_diff_suffix: str | None = None

    def format(
        self, value: float, diff: bool = False, unit: bool = True, digits: int | None = None
    ) -> str:
        """Text of a value or a signed difference; ``"—"`` when missing or not finite.

        Args:
            value: The number, unscaled.
            diff: A signed difference (``+``/``-`` and :attr:`diff_suffix`).
            unit: Append the suffix.
            digits: At most this many significant digits (never more decimals than
                :attr:`decimals`); ``None``: exactly :attr:`decimals` decimals.
        """
        try:
            x = float(value)
        except (TypeError, ValueError):
            return "—"
        if not math.isfinite(x):
            return "—"
        text = self.number(x, self.decimals_for([x], digits), diff)
        if unit:
            text += self.diff_suffix if diff else self.suffix
        return text

    def decimals_for(self, values: Iterable[float], digits: int | None = None) -> int:
        """Decimals that show the largest of ``values`` with at most ``digits`` significant digits.

        Never more than :attr:`decimals`. Negative when the largest needs rounding left of the
        point (``-1``: to tens, so ``2,468.6`` with 3 digits is ``2,470``).

        Args:
            values: Unscaled numbers shown together (e.g. a mean and its interval bounds);
                missing and infinite ones are ignored.
            digits: Significant digits; ``None``: :attr:`decimals`.

        Returns:
            The decimals for :meth:`number`.
        """
        if digits is None:
            return self.decimals
        if digits < 1:
            raise ValueError(f"digits: {digits} is not allowed; must be >= 1")
        scaled = [abs(float(v) * self.scale) for v in values if math.isfinite(float(v))]
        largest = max(scaled, default=0.0)
        if largest == 0:
            return min(self.decimals, max(digits - 1, 0))
        return min(self.decimals, digits - 1 - math.floor(math.log10(largest)))

    def number(self, value: float, decimals: int, diff: bool = False) -> str:
        """The scaled number alone, rounded to ``decimals`` (negative: left of the point).

        Missing or infinite: ``"—"``.
        """
        x = float(value)
        if not math.isfinite(x):
            return "—"
        x *= self.scale
        if decimals < 0:
            x = round(x, decimals)
        spec = f"{'+' if diff else ''}{',' if self.grouping else ''}.{max(decimals, 0)}f"
        return format(x, spec)

    def human(self) -> Display:
        """The readable form for tables a person reads: the human scale and suffixes.

        Decimals keep the precision of the base form (yuan with 0 decimals become 万元 with
        4), so :meth:`decimals_for` with significant digits decides what is shown.
        """
        if self.human_scale is None and self.human_suffix is None:
            return self
        factor = self.scale if self.human_scale is None else self.human_scale
        extra = round(math.log10(self.scale / factor)) if factor and self.scale else 0
        suffix = self.suffix if self.human_suffix is None else self.human_suffix
        if self.human_diff_suffix is not None:
            diff_suffix = self.human_diff_suffix
        else:
            diff_suffix = self.diff_suffix if self.human_suffix is None else suffix
        return replace(
            self,
            scale=factor,
            decimals=self.decimals + max(extra, 0),
            suffix=suffix,
            diff_suffix=diff_suffix,
            human_scale=None,
            human_suffix=None,
            human_diff_suffix=None,
        )

    def interval(
        self,
        mean: float,
        low: float,
        high: float,
        diff: bool = False,
        unit: bool = False,
        digits: int | None = 3,
    ) -> str:
        """The one interval notation: ``"+0.106 [+0.098, +0.114]"`` (the unit after it).

        The mean and both bounds share one rounding (:meth:`decimals_for`); without bounds
        (fewer than two seeds) only the mean is shown.

        Args:
            mean: The mean (or mean difference), unscaled.
            low: Lower bound of the interval.
            high: Upper bound.
            diff: Signed numbers and the difference suffix.
            unit: Append the suffix once, after the bracket.
            digits: At most this many significant digits (``None``: :attr:`decimals`).

        Returns:
            The text; ``"—"`` when the mean is missing.
        """
        if not math.isfinite(float(mean)):
            return "—"
        decimals = self.decimals_for([mean, low, high], digits)
        text = self.number(mean, decimals, diff)
        if math.isfinite(float(low)) and math.isfinite(float(high)):
            bounds = (self.number(b, decimals, diff) for b in (low, high))
            text += " [{}, {}]".format(*bounds)
        if unit:
            text += self.diff_suffix if diff else self.suffix
        return text

    @property
    def unit_text(self) -> str:
        """The display unit (the suffix without spaces), ``""`` if none."""
        return self.suffix.strip()

    @property
    def diff_unit_text(self) -> str:
        """The display unit of a difference (its suffix without spaces), ``""`` if none."""
        return self.diff_suffix.strip()


@dataclass(frozen=True)
class Unit:
    """A unit and how its values are shown.

    Attributes:
        name: The unit, e.g. ``"share"`` or ``"yuan/year"``.
        description: What it is.
        display_zh: Display in Chinese.
        display_en: Display in English.
    """

    name: str
    description: str
    display_zh: Display
    display_en: Display


@dataclass(frozen=True)
class Metric:
    """One metric of the catalogue.

    Attributes:
        name: Column name in ``model.metrics()`` or metric name in ``model.metrics_by()``.
        label_zh: Chinese label.
        label_en: English label.
        definition: One English sentence.
        definition_zh: One Chinese sentence (``""`` if none).
        unit: Unit name (see :data:`UNITS`).
        range: Valid ``(min, max)`` of any value; ``inf`` where unbounded.
        direction: ``up`` (higher is better), ``down`` or ``neutral``.
        group: Topic (see :data:`GROUPS`).
        clause: Clause numerals of the document the metric measures.
        kind: See :data:`KINDS`.
        display_zh: How values are shown in Chinese.
        display_en: How values are shown in English.
        event: For ``n_<event>``, the event counted; else ``None``.
        echo_exempt: Why a burden or cost counter may restate levers (exempt from the lever
            audit's echo check, :mod:`dudao_sim.experiments.audit`); ``""`` if not exempt.
    """

    name: str
    label_zh: str
    label_en: str
    definition: str
    definition_zh: str
    unit: str
    range: tuple[float, float]
    direction: Direction
    group: str
    clause: tuple[str, ...]
    kind: str
    display_zh: Display
    display_en: Display
    event: str | None = None
    echo_exempt: str = ""

    def label(self, lang: str = "en") -> str:
        """The label in ``"zh"`` or ``"en"``."""
        return self.label_zh if _lang(lang) == "zh" else self.label_en

    def describe(self, lang: str = "en") -> str:
        """The definition in ``"zh"`` (English if there is no Chinese one) or ``"en"``."""
        return self.definition_zh or self.definition if _lang(lang) == "zh" else self.definition

    def display(self, lang: str = "en") -> Display:
        """How values are shown in ``"zh"`` or ``"en"``."""
        return self.display_zh if _lang(lang) == "zh" else self.display_en

    @property
    def better(self) -> int:
        """+1 if higher is better, -1 if lower is better, 0 if neither."""
        return {"up": 1, "down": -1}.get(self.direction, 0)

    def in_range(self, value: float) -> bool:
        """True if ``value`` lies in :attr:`range` (a missing value, NaN, is allowed)."""
        x = float(value)
        return math.isnan(x) or self.range[0] <= x <= self.range[1]


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang: {lang!r} is not allowed; use 'zh' or 'en'")
    return lang


def _fail(what: str, name: str, field: str, problem: str) -> CatalogueError:
    return CatalogueError(f"{CATALOGUE_FILE.name}: {what} {name!r}, field {field!r}: {problem}")


def _per_lang(value: Any, lang: str) -> Any:
    return value[lang] if isinstance(value, Mapping) else value


def _parse_unit(name: str, spec: Any) -> Unit:
    if not isinstance(spec, Mapping):
        raise _fail("unit", name, "name", "must be a table of fields")
    unknown = sorted(set(spec) - set(_UNIT_FIELDS))
    if unknown:
        raise _fail("unit", name, unknown[0], f"is not a field; fields: {list(_UNIT_FIELDS)}")
    description = spec.get("description")
    if not isinstance(description, str) or not description.strip():
        raise _fail("unit", name, "description", "must be non-empty text")
    displays = []
    for lang in LANGS:
        values = {}
        for field, kind in (
            ("scale", (int, float)),
            ("decimals", int),
            ("suffix", str),
            ("diff_suffix", str),
            ("grouping", bool),
            ("axis", str),
            ("human_scale", (int, float)),
            ("human_suffix", str),
            ("human_diff_suffix", str),
        ):
            if field not in spec:
                continue
            value = spec[field]
            if isinstance(value, Mapping) and set(value) != set(LANGS):
                raise _fail("unit", name, field, "a per-language table needs exactly zh and en")
            value = _per_lang(value, lang)
            if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
                raise _fail("unit", name, field, f"has the wrong type: {value!r}")
            values[field] = value
        if values.get("axis", "plain") not in AXES:
            raise _fail("unit", name, "axis", f"{values['axis']!r} is not one of {list(AXES)}")
        if "diff_suffix" not in values:
            values["diff_suffix"] = values.get("suffix", "")
        displays.append(Display(**values))
    return Unit(name, description.strip(), displays[0], displays[1])


def _text(spec: Mapping[str, Any], name: str, field: str, required: bool = True) -> str:
    if field not in spec:
        if required:
            raise _fail("metric", name, field, "is missing")
        return ""
    value = spec[field]
    if not isinstance(value, str) or not value.strip():
        raise _fail("metric", name, field, f"must be non-empty text, got {value!r}")
    return value.strip()


def _parse_metric(
    name: str, spec: Any, units: Mapping[str, Unit], events: Mapping[str, Event]
) -> Metric:
    if not isinstance(spec, Mapping):
        raise _fail("metric", name, "name", "must be a table of fields")
    unknown = sorted(set(spec) - set(_METRIC_FIELDS))
    if unknown:
        raise _fail("metric", name, unknown[0], f"is not a field; fields: {list(_METRIC_FIELDS)}")
    spec = dict(spec)
    event = None
    if name.startswith("n_") and name[2:] in events:
        event = events[name[2:]]
        if not event.reported:
            raise _fail("metric", name, "name", f"event {event.name!r} is internal, not reported")
        given = [f for f in _FROM_EVENT if f in spec]
        if given:
            raise _fail(
                "metric",
                name,
                given[0],
                "comes from the event's description and clause in events.toml; "
                "do not repeat it here",
            )
        spec["definition"] = event.description
        spec["clause"] = list(event.clause)
        if event.description_zh:
            spec["definition_zh"] = event.description_zh
    label_zh = _text(spec, name, "label_zh")
    label_en = _text(spec, name, "label_en")
    for field, text in (("label_zh", label_zh), ("label_en", label_en)):
        if text == name:
            raise _fail("metric", name, field, "must be a label, not the metric's name")
    definition = _text(spec, name, "definition")
    definition_zh = _text(spec, name, "definition_zh", required=False)
    unit = _text(spec, name, "unit")
    if unit not in units:
        raise _fail("metric", name, "unit", f"{unit!r} is not one of the units {sorted(units)}")
    if "range" not in spec:
        raise _fail("metric", name, "range", "is missing")
    bounds = spec["range"]
    if (
        not isinstance(bounds, list)
        or len(bounds) != 2
        or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
        or any(math.isnan(b) for b in bounds)
    ):
        raise _fail("metric", name, "range", f"must be [min, max] numbers, got {bounds!r}")
    low, high = float(bounds[0]), float(bounds[1])
    if low > high:
        raise _fail("metric", name, "range", f"min {low:g} is above max {high:g}")
    choices = {"direction": DIRECTIONS, "group": tuple(GROUPS), "kind": KINDS}
    chosen = {}
    for field, allowed in choices.items():
        value = _text(spec, name, field)
        if value not in allowed:
            raise _fail("metric", name, field, f"{value!r} is not one of {list(allowed)}")
        chosen[field] = value
    if "clause" not in spec:
        raise _fail("metric", name, "clause", "is missing")
    clause = spec["clause"]
    if isinstance(clause, str) or not isinstance(clause, list) or not clause:
        raise _fail("metric", name, "clause", f"must be a non-empty list, got {clause!r}")
    bad = [c for c in clause if c not in clauses()]
    if bad:
        raise _fail("metric", name, "clause", f"{bad} are not clauses 一…二十五")
    echo_exempt = _text(spec, name, "echo_exempt", required=False)
    if echo_exempt and chosen["kind"] not in ECHO_EXEMPT_KINDS:
        raise _fail(
            "metric",
            name,
            "echo_exempt",
            f"only {list(ECHO_EXEMPT_KINDS)} metrics may be exempt, not kind {chosen['kind']!r}",
        )
    return Metric(
        name=name,
        label_zh=label_zh,
        label_en=label_en,
        definition=definition,
        definition_zh=definition_zh,
        unit=unit,
        range=(low, high),
        direction=chosen["direction"],  # type: ignore[arg-type]
        group=chosen["group"],
        clause=tuple(clause),
        kind=chosen["kind"],
        display_zh=units[unit].display_zh,
        display_en=units[unit].display_en,
        event=event.name if event else None,
        echo_exempt=echo_exempt,
    )


def parse_catalogue(
    data: Mapping[str, Any], events: Mapping[str, Event] = EVENTS
) -> tuple[dict[str, Unit], dict[str, Metric]]:
    """Validate a catalogue (the parsed content of a ``catalogue.toml``).

    Args:
        data: ``{"units": {name: {...}}, "metrics": {name: {...}}}``.
        events: The event registry that ``n_<event>`` metrics take definitions from.

    Returns:
        ``(units, metrics)``, each ``{name: ...}`` in the order given.

    Raises:
        CatalogueError: Naming the metric (or unit) and the field that is missing or invalid.
    """
    extra = sorted(set(data) - {"units", "metrics"})
    if extra:
        raise CatalogueError(f"{CATALOGUE_FILE.name}: unknown top-level table(s) {extra}")
    units = {name: _parse_unit(name, spec) for name, spec in data.get("units", {}).items()}
    metrics = {
        name: _parse_metric(name, spec, units, events)
        for name, spec in data.get("metrics", {}).items()
    }
    return units, metrics


def load_catalogue(
    path: str | Path = CATALOGUE_FILE,
) -> tuple[dict[str, Unit], dict[str, Metric]]:
    """Read and validate a catalogue file (default: the package's ``catalogue.toml``)."""
    with Path(path).open("rb") as handle:
        return parse_catalogue(tomllib.load(handle))


_UNITS, _METRICS = load_catalogue()

#: Every unit, ``{name: Unit}``.
UNITS: Mapping[str, Unit] = MappingProxyType(_UNITS)

#: Every metric, ``{name: Metric}``, in the order of ``catalogue.toml``.
CATALOGUE: Mapping[str, Metric] = MappingProxyType(_METRICS)


#: Metrics renamed or withdrawn: ``{old name: (new name or None, why)}``. :func:`metric`
#: answers a renamed one with its successor and a ``DeprecationWarning``; a withdrawn one
#: (whose meaning changed) raises ``KeyError`` saying what replaces it.
DEPRECATED: dict[str, tuple[str | None, str]] = {
    "detection_rate": (
        "followed_share",
        "detection_rate was a stock of open items, not detection; it is followed_share now, "
        "and detection is flow_detection (per year) and flow_detection_visit",
    ),
    "coverage_badged": (
        "coverage_assigned",
        "coverage_badged is coverage_assigned now; coverage_visited counts visits made",
    ),
    "months_to_close": (
        None,
        "months_to_close ended at closures on paper and at what the ledger dropped; use "
        "months_to_resolve (detection to genuine resolution)",
    ),
    "accountability_share": (
        None,
        "accountability_share counted sanctions among triggers; use "
        "serious_failings_sanctioned (and sanctions_unfounded beside it)",
    ),
}


def metric(name: str) -> Metric:
    """The catalogue entry of a metric.

    A renamed metric (:data:`DEPRECATED`) gives its successor with a ``DeprecationWarning``.

    Raises:
        KeyError: Naming the metric and the closest catalogued names (or, for a withdrawn
            metric, what replaces it).
    """
    if name in DEPRECATED and name not in CATALOGUE:
        successor, why = DEPRECATED[name]
        if successor is None:
            raise KeyError(f"metric {name!r} was withdrawn: {why}")
        warnings.warn(f"metric {name!r} is deprecated: {why}", DeprecationWarning, stacklevel=2)
        return CATALOGUE[successor]
    try:
        return CATALOGUE[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(CATALOGUE), n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise KeyError(f"metric {name!r} is not in {CATALOGUE_FILE.name}{hint}") from None


def label(name: str, lang: str = "en") -> str:
    """The Chinese (``"zh"``) or English (``"en"``) label of a metric."""
    return metric(name).label(lang)


def definition(name: str, lang: str = "en") -> str:
    """The definition of a metric (Chinese falls back to English where there is none)."""
    return metric(name).describe(lang)


def display(name: str, lang: str = "en", human: bool = False) -> Display:
    """How a metric's values are shown in ``lang`` (``human``: the readable form)."""
    shown = metric(name).display(lang)
    return shown.human() if human else shown


def scale(
    name: str, lang: str = "en", human: bool = False, diff: bool = False
) -> tuple[float, str]:
    """``(factor, display unit)``: multiply a value by ``factor`` to show it in that unit.

    Args:
        name: Metric name.
        lang: ``"zh"`` or ``"en"``.
        human: The readable form of tables a person reads (万元 rather than yuan, see
            :meth:`Display.human`).
        diff: The unit of a difference (percentage points for shares).

    Example: ``scale("fake_share")`` is ``(100.0, "%")``; ``scale("cost_yuan_year", "zh",
    human=True)`` is ``(0.0001, "万元")``.
    """
    shown = display(name, lang, human)
    return float(shown.scale), shown.diff_unit_text if diff else shown.unit_text


def format_value(
    name: str,
    value: float,
    lang: str = "en",
    diff: bool = False,
    unit: bool = True,
    digits: int | None = None,
    human: bool = False,
) -> str:
    """A metric's value (or a signed difference) as text for ``lang``.

    Args:
        name: Metric name.
        value: The number.
        lang: ``"zh"`` or ``"en"``.
        diff: Format a signed difference (shares in percentage points).
        unit: Append the display unit (``%``, ``pp``).
        digits: At most this many significant digits (``None``: the unit's decimals).
        human: The readable form (:meth:`Display.human`), e.g. yuan in 万元.

    Returns:
        The text; ``"—"`` for a missing value.
    """
    return display(name, lang, human).format(value, diff=diff, unit=unit, digits=digits)


def format_interval(
    name: str,
    mean: float,
    low: float,
    high: float,
    lang: str = "en",
    diff: bool = False,
    unit: bool = False,
    digits: int | None = 3,
    human: bool = True,
) -> str:
    """A mean and its interval in the one notation of tables: ``"+0.106 [+0.098, +0.114]"``.

    Args:
        name: Metric name.
        mean: The mean (or mean difference).
        low: Lower bound of the interval (``nan``: shown without the bracket).
        high: Upper bound.
        lang: ``"zh"`` or ``"en"``.
        diff: A signed difference (shares in percentage points).
        unit: Append the display unit after the bracket.
        digits: At most this many significant digits (shared by mean and bounds).
        human: The readable form (:meth:`Display.human`), e.g. yuan in 万元.

    Returns:
        The text; ``"—"`` for a missing mean.

    Example:
        >>> format_interval("index_coverage", 0.1061, 0.0983, 0.1142, diff=True)
        '+0.106 [+0.098, +0.114]'
        >>> format_interval("fake_share", -0.1134, -0.125, -0.101, "zh", diff=True, unit=True)
        '-11.3 [-12.5, -10.1] 个百分点'
    """
    shown = display(name, lang, human)
    return shown.interval(mean, low, high, diff=diff, unit=unit, digits=digits)


def labels(lang: str = "en") -> dict[str, str]:
    """``{name: label}`` of every metric in ``lang``."""
    _lang(lang)
    return {name: m.label(lang) for name, m in CATALOGUE.items()}


def by_group() -> dict[str, list[Metric]]:
    """Metrics by topic group, groups in :data:`GROUPS` order, metrics in catalogue order."""
    out: dict[str, list[Metric]] = {group: [] for group in GROUPS}
    for m in CATALOGUE.values():
        out[m.group].append(m)
    return {group: items for group, items in out.items() if items}


def definitions(lang: str = "en") -> dict[str, str]:
    """``{name: definition}`` of every metric."""
    return {name: m.describe(lang) for name, m in CATALOGUE.items()}
