"""Experimental designs over policy levers and behavioural assumptions.

A design is a DataFrame with one row per design point: an integer column ``point``
(``0 … n-1``) first, then one column per factor, named after the lever or assumption it sets.
Every value in it passes the registry's ``check`` (:mod:`dudao_sim.policy.levers`,
:mod:`dudao_sim.policy.assumptions`), so a row can be handed to the model as it is. Use
``design.to_dict("records")`` to get rows as Python values (NumPy integers and booleans are not
``int``/``bool`` to ``Lever.check``).

* :func:`factor` builds a :class:`Factor` from the registry, over its whole allowed (lever) or
  plausible (assumption) range or a narrower one.
* :func:`grid` is a full factorial over values you list.
* :func:`latin_hypercube` is a Latin hypercube sample (:class:`scipy.stats.qmc.LatinHypercube`).

Example:
    >>> from dudao_sim.experiments.design import factor, grid, latin_hypercube
    >>> grid({"problem_ledger": [False, True], "unannounced_share": [0.0, 0.5]}).shape
    (4, 3)
    >>> lhs = latin_hypercube([factor("unannounced_share"), factor("p_rebound")], n=8, seed=1)
    >>> list(lhs.columns)
    ['point', 'unannounced_share', 'p_rebound']
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import qmc

from dudao_sim.policy.assumptions import ASSUMPTIONS, Assumption
from dudao_sim.policy.levers import LEVERS, Lever, unknown_key_error

FactorKind = Literal["float", "int", "bool", "choice"]
KINDS: tuple[str, ...] = ("float", "int", "bool", "choice")

#: scipy >= 1.15 seeds QMC engines with ``rng=``; older versions with ``seed=``.
_QMC_SEED_KEYWORD = "rng" if "rng" in inspect.signature(qmc.LatinHypercube).parameters else "seed"


def registry_entry(name: str) -> Lever | Assumption:
    """The lever or assumption called ``name``.

    Raises:
        ValueError: For an unknown name, suggesting the closest known ones.
    """
    if name in LEVERS:
        return LEVERS[name]
    if name in ASSUMPTIONS:
        return ASSUMPTIONS[name]
    raise unknown_key_error(name, {**LEVERS, **ASSUMPTIONS}, what="lever or assumption")


@dataclass(frozen=True)
class Factor:
    """One factor of a design: a lever or assumption and the values it may take.

    Normally built with :func:`factor` from the registry; constructing one directly is allowed
    for names outside the registry (toy functions in tests), which are then checked only
    against their own range.

    Attributes:
        name: Lever or assumption name (the design column).
        low: Lowest value (float and int factors).
        high: Highest value (float and int factors).
        kind: ``"float"``, ``"int"``, ``"bool"`` or ``"choice"``.
        choices: Values a bool or choice factor takes (default for bool: ``(False, True)``).
    """

    name: str
    low: float | None = None
    high: float | None = None
    kind: FactorKind = "float"
    choices: tuple | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name: {self.name!r} is not allowed; must be a non-empty string")
        if self.kind not in KINDS:
            raise ValueError(f"kind: {self.kind!r} is not allowed; must be one of {KINDS}")
        if self.kind in ("float", "int"):
            self._check_numeric_range()
        else:
            self._check_choices()

    def _check_numeric_range(self) -> None:
        if self.choices is not None:
            raise ValueError(
                f"{self.name}: choices {self.choices!r} are not allowed for a {self.kind} "
                "factor; give low and high"
            )
        for bound in ("low", "high"):
            value = getattr(self, bound)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(
                    f"{self.name}: {bound}={value!r} is not allowed; a {self.kind} factor "
                    "needs a number"
                )
            if not math.isfinite(value) or (self.kind == "int" and not float(value).is_integer()):
                kind = "a whole number" if self.kind == "int" else "a finite number"
                raise ValueError(f"{self.name}: {bound}={value!r} is not allowed; must be {kind}")
        if not self.low < self.high:  # type: ignore[operator]
            raise ValueError(
                f"{self.name}: low={self.low!r}, high={self.high!r} is not allowed; need "
                "low < high (fix a constant value in the scenario instead)"
            )

    def _check_choices(self) -> None:
        if self.low is not None or self.high is not None:
            raise ValueError(
                f"{self.name}: low/high are not allowed for a {self.kind} factor; give choices"
            )
        if self.kind == "bool" and self.choices is None:
            object.__setattr__(self, "choices", (False, True))
        if not isinstance(self.choices, tuple) or len(set(self.choices)) != len(self.choices):
            raise ValueError(
                f"{self.name}: choices={self.choices!r} is not allowed; must be a tuple of "
                "distinct values"
            )
        if len(self.choices) < 2:
            raise ValueError(
                f"{self.name}: choices={self.choices!r} is not allowed; need at least two "
                "(fix a constant value in the scenario instead)"
            )
        if self.kind == "bool" and not all(isinstance(c, bool) for c in self.choices):
            raise ValueError(
                f"{self.name}: choices={self.choices!r} is not allowed; a bool factor takes "
                "True and False"
            )

    @property
    def numeric(self) -> bool:
        """Whether the factor has a numeric range (float or int)."""
        return self.kind in ("float", "int")

    def check(self, value: object) -> object:
        """Return ``value`` converted, or raise if the factor or its registry entry forbids it.

        Raises:
            ValueError: Naming the factor, the value and what is allowed.
        """
        if self.name in LEVERS or self.name in ASSUMPTIONS:
            value = registry_entry(self.name).check(value)
        if self.numeric:
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not self.low <= value <= self.high  # type: ignore[operator]
                or (self.kind == "int" and not float(value).is_integer())
            ):
                raise ValueError(
                    f"{self.name}: {value!r} is not allowed; must be in the factor's range "
                    f"[{self.low:g}, {self.high:g}]"
                )
            return int(value) if self.kind == "int" else float(value)
        if value not in self.choices:  # type: ignore[operator]
            raise ValueError(
                f"{self.name}: {value!r} is not allowed; must be one of {list(self.choices)}"  # type: ignore[arg-type]
            )
        return value

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map points of the unit interval to values of this factor.

        Float factors scale linearly to ``[low, high]``. Discrete factors split ``[0, 1)`` into
        equal-width bins, one per value, so each value is equally likely: int factors scale to
        ``[low - 0.5, high + 0.5]`` and round to the nearest whole number; bool and choice
        factors take the ``floor(u * k)``-th of their ``k`` choices.

        Args:
            u: Values in ``[0, 1]``.

        Returns:
            Values of the factor's type (float, int64, bool or object array).
        """
        u = np.asarray(u, dtype=float)
        if self.kind == "float":
            lo, hi = float(self.low), float(self.high)  # type: ignore[arg-type]
            return np.clip(qmc.scale(u[:, None], [lo], [hi])[:, 0], lo, hi)
        if self.kind == "int":
            lo, hi = int(self.low), int(self.high)  # type: ignore[arg-type]
            x = qmc.scale(u[:, None], [lo - 0.5], [hi + 0.5])[:, 0]
            return np.clip(np.floor(x + 0.5), lo, hi).astype(np.int64)
        k = len(self.choices)  # type: ignore[arg-type]
        index = np.clip(np.floor(u * k).astype(np.int64), 0, k - 1)
        values = np.asarray(self.choices, dtype=bool if self.kind == "bool" else object)
        return values[index]


def factor(
    name: str,
    low: float | None = None,
    high: float | None = None,
    values: Sequence[object] | None = None,
) -> Factor:
    """Build a factor from the lever or assumption registry.

    Args:
        name: Lever or assumption name.
        low: Lowest value (float and int factors); default: the registry's.
        high: Highest value (float and int factors); default: the registry's.
        values: Values a bool or choice lever takes; default: all of them.

    Returns:
        The factor.

    Raises:
        ValueError: For an unknown name (with close matches), a bound or value outside the
            registry's range (naming the key and the allowed range), ``low``/``high`` for a bool
            or choice lever, or ``values`` for a numeric one.
    """
    entry = registry_entry(name)
    kind = entry.kind if isinstance(entry, Lever) else "float"
    if kind in ("float", "int"):
        if values is not None:
            raise ValueError(
                f"values: not allowed for {name}, a {kind} factor; give low and high instead"
            )
        lo = entry.check(entry.low if low is None else low)
        hi = entry.check(entry.high if high is None else high)
        return Factor(name, lo, hi, kind)
    if low is not None or high is not None:
        raise ValueError(
            f"low/high: not allowed for {name}, a {kind} lever; give values instead, e.g. "
            f"values={list(entry.choices or (False, True))}"
        )
    allowed = (False, True) if kind == "bool" else tuple(entry.choices or ())
    chosen = allowed if values is None else tuple(entry.check(v) for v in _as_list(name, values))
    return Factor(name, kind=kind, choices=chosen)


def _as_list(name: str, values: object) -> list[object]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise ValueError(
            f"{name}: {values!r} is not allowed; give a list of values, e.g. [0.1, 0.5]"
        )
    out = list(values)
    if not out:
        raise ValueError(f"{name}: an empty list of values is not allowed; give at least one")
    return out


def _native(value: object) -> object:
    """A NumPy scalar as the Python scalar the registry checks accept."""
    return value.item() if isinstance(value, np.generic) else value


def design_frame(columns: Mapping[str, Sequence | np.ndarray], n: int) -> pd.DataFrame:
    """A design frame: column ``point`` (``0 … n-1``) then the given factor columns."""
    data = {"point": np.arange(n, dtype=np.int64)}
    data.update({name: np.asarray(col) for name, col in columns.items()})
    return pd.DataFrame(data)


def check_factors(factors: Sequence[Factor]) -> list[Factor]:
    """The factors as a list, or raise for none, a non-Factor, a repeated name or ``point``.

    Raises:
        ValueError: Naming the problem.
    """
    out = list(factors)
    if not out:
        raise ValueError("factors: an empty list is not allowed; give at least one Factor")
    for f in out:
        if not isinstance(f, Factor):
            raise ValueError(
                f"factors: {f!r} is not allowed; give Factor objects, e.g. factor('p_rebound')"
            )
    names = [f.name for f in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"factors: {dupes} given more than once; each factor may appear once")
    if "point" in names:
        raise ValueError("factors: 'point' is not allowed as a factor name; it is the row number")
    return out


def check_design(design: pd.DataFrame, factors: Sequence[Factor]) -> None:
    """Raise if any value of a design column fails its factor's (and registry's) check.

    Raises:
        ValueError: Naming the factor and the offending value.
    """
    for f in factors:
        for value in design[f.name].unique():
            f.check(_native(value))


def grid(levels: Mapping[str, Sequence[object]]) -> pd.DataFrame:
    """A full factorial design over the values given for each lever or assumption.

    Args:
        levels: For each lever or assumption, the values it takes, e.g.
            ``{"problem_ledger": [False, True], "unannounced_share": [0.0, 0.3, 0.6]}``.

    Returns:
        One row per combination (the product of the numbers of values), column ``point`` then
        one column per key in the order given; the last key varies fastest.

    Raises:
        ValueError: For an empty mapping, an unknown name, an empty list, or a value the
            registry does not allow (naming the key and the allowed range).
    """
    if not isinstance(levels, Mapping) or not levels:
        raise ValueError(
            f"levels: {levels!r} is not allowed; give a non-empty mapping of name -> values"
        )
    checked: dict[str, list[object]] = {}
    for name, values in levels.items():
        entry = registry_entry(name)
        checked[name] = [entry.check(_native(v)) for v in _as_list(name, values)]
        if len(set(checked[name])) != len(checked[name]):
            raise ValueError(
                f"{name}: {list(values)!r} is not allowed; each value may appear only once"
            )
    rows = list(itertools.product(*checked.values()))
    columns = {}
    for j, name in enumerate(checked):
        kind = LEVERS[name].kind if name in LEVERS else "float"
        dtype = {"float": float, "int": np.int64, "bool": bool, "choice": object}[kind]
        columns[name] = np.array([row[j] for row in rows], dtype=dtype)
    return design_frame(columns, len(rows))


def latin_hypercube(factors: Sequence[Factor], n: int, seed: int) -> pd.DataFrame:
    """A Latin hypercube sample of ``n`` points over the factors.

    Uses :class:`scipy.stats.qmc.LatinHypercube` (scrambled: one point at a random place in
    each of ``n`` equal strata of every dimension), mapped to factor values by
    :meth:`Factor.from_unit`: floats keep one point per stratum of ``[low, high]``; int, bool
    and choice factors take equal-width bins of the unit interval, one per value.

    Args:
        factors: The factors (see :func:`factor`).
        n: Number of design points (>= 1).
        seed: Seed; the same seed gives the same design.

    Returns:
        ``n`` rows: column ``point`` then one column per factor.

    Raises:
        ValueError: For no factors, a repeated factor, or ``n`` < 1.
    """
    checked = check_factors(factors)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n: {n!r} is not allowed; must be a whole number >= 1")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed: {seed!r} is not allowed; must be a whole number")
    sampler = qmc.LatinHypercube(d=len(checked), **{_QMC_SEED_KEYWORD: int(seed)})
    unit = sampler.random(int(n))
    design = design_frame({f.name: f.from_unit(unit[:, j]) for j, f in enumerate(checked)}, int(n))
    check_design(design, checked)
    return design
