"""One family of errors for every mistake in what a user gives dudao_sim, and one warning.

Every mistake in an input — a scenario file, a province table, a lever or assumption value, a
command-line option, an output folder, an argument of a Python call — raises a
:class:`DudaoError`. It is a :class:`ValueError`, so ``except ValueError`` keeps working, and
its message is one sentence naming where the mistake is (file, line or row, key or column),
the value given and what is allowed, with "did you mean ..." for a misspelt name::

    ValueError
    └── DudaoError                 any bad input given to dudao_sim
        ├── DataError              province tables: files, columns, codes, parents, counts;
        │                          ``.problems`` lists every problem found
        ├── LeverError             an unknown lever or a value it does not allow
        │   └── AssumptionError    an unknown behavioural assumption or a value out of its range
        ├── ScenarioError          a scenario file or stack that cannot be read or applied
        ├── StoreError             a results folder that cannot be used (``--out``, ``--from``)
        ├── ArgumentError          a bad argument of a call: months, seeds, rng, workers, paths
        │   └── UsageError         a bad command-line option (``dudao_sim.cli.common``)
        ├── CatalogueError         an edited metric catalogue (``dudao_sim.metrics.catalogue``)
        └── EventRegistryError     an edited event registry (``dudao_sim.metrics.events``)

``AssumptionError`` is a ``LeverError`` because assumption checks raised ``LeverError`` before
this module existed. The classes are importable from here, from ``dudao_sim`` and from their
old homes (``dudao_sim.data.province.DataError``, ``dudao_sim.policy.levers.LeverError``,
``dudao_sim.policy.scenarios.ScenarioError``, ``dudao_sim.experiments.StoreError``), which are
the same objects.

The ``dudao-sim`` command prints a ``DudaoError`` as one line ``dudao-sim: error: ...`` on
stderr and exits with 2 (a user mistake); any other failure exits with 1 and names itself as
an internal error (``dudao-sim --debug ...`` shows the traceback).

Data that are valid but far outside Chinese norms (hundreds of schools per township, a
primary school of 50,000 pupils, a county without schools) are not errors: they give a
:class:`PlausibilityWarning`, once per file and kind, naming the rows.

Example:
    >>> import dudao_sim as ds
    >>> try:
    ...     ds.SupervisionModel(ds.synthetic_province(n_counties=2), unannounced_share=40)
    ... except ds.DudaoError as error:
    ...     print(type(error).__name__, "-", error)  # doctest: +ELLIPSIS
    LeverError - unannounced_share: 40 is not allowed; must be a number in [0, 1] (a share, ...
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence

#: How many problems a message shows before it gives the count of the rest.
MAX_SHOWN = 5


class DudaoError(ValueError):
    """A mistake in an input given to dudao_sim (base of every dudao_sim input error)."""


class DataError(DudaoError):
    """A province's tables are missing, malformed, inconsistent or not readable.

    Args:
        problems: Every problem found (objects whose ``str`` is one sentence), in file order;
            or one message.

    Attributes:
        problems: The problems, as given.
    """

    def __init__(self, problems: Sequence[object] | str):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        head = f"{len(self.problems):,} data {noun}"
        super().__init__(f"{head}:\n  " + shown(str(p) for p in self.problems))


class LeverError(DudaoError):
    """An unknown lever, or a value outside a lever's allowed values."""


class AssumptionError(LeverError):
    """An unknown behavioural assumption, or a value outside its plausible range."""


class ScenarioError(DudaoError):
    """A scenario file or reform that cannot be read or applied."""


class StoreError(DudaoError):
    """A results folder that cannot be used as asked."""


class ArgumentError(DudaoError):
    """A bad argument of a function or class: a count, a seed, a path, a choice."""


class PlausibilityWarning(UserWarning):
    """Valid data far outside Chinese norms (e.g. hundreds of schools per township)."""


def shown(items: Iterable[str], limit: int = MAX_SHOWN, sep: str = "\n  ") -> str:
    """The first ``limit`` items joined by ``sep``, then ``... and N more`` for the rest."""
    items = list(items)
    text = sep.join(items[:limit])
    if len(items) > limit:
        text += f"{sep}... and {len(items) - limit:,} more"
    return text


def did_you_mean(name: object, known: Iterable[str], n: int = 3) -> str:
    """``"; did you mean a, b?"`` for the known names closest to ``name`` (or ``""``)."""
    close = difflib.get_close_matches(str(name), list(known), n=n)
    return f"; did you mean {', '.join(close)}?" if close else ""


def share_hint(value: object, low: float, high: float) -> str:
    """A hint when a percentage was given where a share in [0, 1] is expected.

    Args:
        value: The value given.
        low: Lowest allowed value.
        high: Highest allowed value.

    Returns:
        ``" (a share, not a percentage: 30 % is 0.3)"`` for a number in (1, 100] against a
        range within [0, 1], the same for text such as ``"30%"``; otherwise ``""``.
    """
    if not (low >= 0 and high <= 1):
        return ""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip().rstrip("%"))
        except ValueError:
            return ""
        return f" (a share, not a percentage: {number:g} % is {number / 100:g})"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return ""
    if 1 < value <= 100:
        return f" (a share, not a percentage: {value:g} % is {value / 100:g})"
    return ""


def whole_number(name: str, value: object, minimum: int = 0, maximum: int | None = None) -> int:
    """``value`` as an ``int``, or raise naming ``name``, the value and what is allowed.

    Args:
        name: The argument, as the caller wrote it (``"months"``, ``"--seeds"``).
        value: The value given.
        minimum: The smallest allowed value.
        maximum: The largest allowed value (``None``: no limit).

    Returns:
        The value as an ``int``.

    Raises:
        ArgumentError: For a non-integer (``True`` and ``2.0`` included) or a value out of range.
    """
    import numpy as np

    ok = isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
    if not ok or value < minimum or (maximum is not None and value > maximum):  # type: ignore[operator]
        allowed = f">= {minimum:,}" if maximum is None else f"in [{minimum:,}, {maximum:,}]"
        raise ArgumentError(f"{name}: {value!r} is not allowed; must be a whole number {allowed}")
    return int(value)  # type: ignore[arg-type]


#: Months per year: the warm-up ends in a January (as ``dudao_sim.model.calendar``).
_MONTHS_PER_YEAR = 12
#: Seeds are whole numbers below this bound (as ``SupervisionModel`` requires).
_SEED_BOUND = 2**63


def check_run_arguments(seeds: object, months: object, warmup_months: object) -> list[int]:
    """Check what every run of an ensemble or sweep needs, before the first one starts.

    The same rules as :class:`~dudao_sim.model.model.SupervisionModel` applies to one run.

    Args:
        seeds: The run seeds: a non-empty sequence of distinct whole numbers in [0, 2**63).
        months: Months after the switch: a whole number >= 1.
        warmup_months: Months of the warm-up: a whole number >= 0, a multiple of 12.

    Returns:
        The seeds as a list of ``int``.

    Raises:
        ArgumentError: Naming the argument, the value and what is allowed.
    """
    whole_number("months", months, 1)
    whole_number("warmup_months", warmup_months, 0)
    if warmup_months % _MONTHS_PER_YEAR:  # type: ignore[operator]
        raise ArgumentError(
            f"warmup_months: {warmup_months} is not allowed; must be a multiple of 12 so the "
            "reform starts in January"
        )
    if isinstance(seeds, str | bytes) or not isinstance(seeds, Sequence) or not seeds:
        raise ArgumentError(
            f"seeds: {seeds!r} is not allowed; give a non-empty list of whole numbers >= 0"
        )
    out = [whole_number(f"seeds[{i}]", s, 0, _SEED_BOUND - 1) for i, s in enumerate(seeds)]
    repeated = sorted({s for s in out if out.count(s) > 1})
    if repeated:
        raise ArgumentError(
            f"seeds: {shown(map(str, repeated), sep=', ')} given more than once; each seed once"
        )
    return out


__all__ = [
    "ArgumentError",
    "AssumptionError",
    "DataError",
    "DudaoError",
    "LeverError",
    "PlausibilityWarning",
    "ScenarioError",
    "StoreError",
    "check_run_arguments",
    "did_you_mean",
    "share_hint",
    "shown",
    "whole_number",
]
