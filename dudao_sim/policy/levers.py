"""Policy levers: metadata (labels, unit, range, default, clause) and value checking.

The levers themselves are data, in ``dudao_sim/policy/levers.toml`` beside this module: what a
dashboard, a report or a sweep needs to know about each lever is read from there. This module
validates that file once at import (``Lever``) and checks the values a user or a scenario file
gives (:func:`check_levers`): an unknown key or an out-of-range value raises
:class:`LeverError` naming the key, the value and what is allowed.

Example:
    >>> from dudao_sim.policy.levers import LEVERS, check_levers
    >>> LEVERS["unannounced_share"].clauses
    ('八',)
    >>> check_levers({"unannounced_share": 0.4})["unannounced_share"]
    0.4
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from dudao_sim.citations import check_refs
from dudao_sim.errors import LeverError, did_you_mean, share_hint
from dudao_sim.i18n import LANGS, text
from dudao_sim.policy.clauses import clauses

LEVERS_FILE = Path(__file__).with_name("levers.toml")

#: The clause numbers of the source document, (一)…(二十五), read from the document itself.
CLAUSES: tuple[str, ...] = tuple(clauses())

#: Parts of the document, for grouping levers in a dashboard: ``{group: {lang: label}}``
#: (labels from table ``lever_group`` of the text catalogue :mod:`dudao_sim.i18n`).
GROUPS: dict[str, dict[str, str]] = {
    group: {lang: text(f"lever_group.{group}", lang) for lang in LANGS}
    for group in ("I", "II", "III", "IV", "V", "VI")
}

LeverValue = float | int | bool | str


class Lever(BaseModel):
    """One policy lever: what it is called, what it may be, and which clause it implements.

    Attributes:
        name: Key used in code, scenario files and the command line.
        label_zh: Chinese label.
        label_en: English label.
        help_zh: One Chinese sentence for a policy officer.
        help_en: One English sentence for a policy officer.
        group: Part of the document (``"I"`` … ``"VI"``).
        clauses: Clauses implemented, e.g. ``("八",)``.
        kind: ``"float"``, ``"int"``, ``"bool"`` or ``"choice"``.
        unit: Unit of the value.
        low: Lowest allowed value (float and int levers).
        high: Highest allowed value (float and int levers).
        choices: Allowed values (choice levers).
        default: Value before the reform (the ``pre_reform`` world).
        bookkeeping: Why the lever moves no behaviour (a bookkeeping-only lever, declared for
            the lever audit :mod:`dudao_sim.experiments.audit`); ``None`` for a lever that acts.
        refs: Keys of the works behind the lever's range or default, if any
            (``docs/references.toml``); the clause is cited by ``clauses``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    label_zh: str
    label_en: str
    help_zh: str
    help_en: str
    group: Literal["I", "II", "III", "IV", "V", "VI"]
    clauses: tuple[str, ...]
    kind: Literal["float", "int", "bool", "choice"]
    unit: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    default: LeverValue
    bookkeeping: str | None = None
    refs: tuple[str, ...] = ()

    @field_validator("refs", mode="before")
    @classmethod
    def _refs(cls, value: object, info: ValidationInfo) -> tuple[str, ...]:
        return check_refs(value, f"levers.toml, {info.data.get('name', '?')}")

    @model_validator(mode="after")
    def _consistent(self) -> Lever:
        unknown = [c for c in self.clauses if c not in CLAUSES]
        if not self.clauses or unknown:
            raise ValueError(
                f"{self.name}: clauses {list(self.clauses)} must name clauses 一…二十五"
            )
        if self.kind in ("float", "int"):
            if self.low is None or self.high is None or self.low > self.high:
                raise ValueError(f"{self.name}: needs low <= high, got {self.low}, {self.high}")
        elif self.kind == "choice" and not self.choices:
            raise ValueError(f"{self.name}: a choice lever needs choices")
        self.check(self.default)
        return self

    def allowed(self) -> str:
        """Describe the allowed values in words."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices or ())
        kind = "a whole number" if self.kind == "int" else "a number"
        return f"{kind} in [{self.low:g}, {self.high:g}]"

    def check(self, value: object) -> LeverValue:
        """Return ``value`` as this lever's type, or raise if it is not allowed.

        Args:
            value: Candidate value (a TOML or widget value; ints are accepted for floats).

        Returns:
            The value converted to the lever's type.

        Raises:
            LeverError: Naming the lever, the value and what is allowed.
        """
        if isinstance(value, np.generic):  # a value read from a NumPy array or DataFrame
            value = value.item()

        def fail() -> LeverError:
            hint = value_hint(value, self.kind, self.low, self.high)
            if self.kind == "choice" and isinstance(value, str):
                hint = did_you_mean(value, self.choices or ())
            return LeverError(
                f"{self.name}: {value!r} is not allowed; must be {self.allowed()}{hint}"
            )

        if self.kind == "bool":
            if not isinstance(value, bool):
                raise fail()
            return value
        if self.kind == "choice":
            if not isinstance(value, str) or value not in (self.choices or ()):
                raise fail()
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail()
        if self.kind == "int" and not float(value).is_integer():
            raise fail()
        if not math.isfinite(value) or not self.low <= value <= self.high:  # type: ignore[operator]
            raise fail()
        return int(value) if self.kind == "int" else float(value)

    def label(self, lang: str = "en") -> str:
        """The label in ``"zh"`` or ``"en"``."""
        return self.label_zh if lang == "zh" else self.label_en


def _load_levers(path: Path = LEVERS_FILE) -> dict[str, Lever]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: Lever(name=name, **spec) for name, spec in raw.items()}


#: Every policy lever, by name, in the order of the document.
LEVERS: dict[str, Lever] = _load_levers()


def value_hint(value: object, kind: str, low: float | None, high: float | None) -> str:
    """A hint for a common mistake: a percentage for a share, a number or bool written as text.

    Args:
        value: The value given.
        kind: ``"float"``, ``"int"``, ``"bool"`` or ``"choice"``.
        low: Lowest allowed value (numbers).
        high: Highest allowed value (numbers).

    Returns:
        ``" (...)"`` or ``""``.
    """
    if kind in ("float", "int") and low is not None and high is not None:
        hint = share_hint(value, low, high)
        if hint:
            return hint
    if isinstance(value, str) and kind == "bool":
        return " (write true or false, without quotes)"
    if isinstance(value, str) and kind in ("float", "int"):
        try:
            float(value)
        except ValueError:
            return ""
        return " (text was given: write the number without quotes)"
    return ""


def unknown_key_error(
    key: str,
    known: Mapping[str, object],
    what: str = "lever",
    error: type[LeverError] = LeverError,
) -> LeverError:
    """An error for an unknown key, suggesting the closest known ones.

    Args:
        key: The key given.
        known: The keys allowed.
        what: What kind of key it is (``"lever"``, ``"assumption"``...).
        error: The class of the error (a :class:`LeverError`).

    Returns:
        The error to raise.
    """
    hint = did_you_mean(key, known) or f"; see the list of {what}s"
    return error(f"{key}: unknown {what}{hint}")


def defaults() -> dict[str, LeverValue]:
    """Every lever at its default (pre-reform) value."""
    return {name: lever.default for name, lever in LEVERS.items()}


def check_levers(
    values: Mapping[str, object], base: Mapping[str, LeverValue] | None = None
) -> dict[str, LeverValue]:
    """Check lever values and fill the rest from ``base`` (default: the pre-reform defaults).

    Args:
        values: Lever values to set.
        base: Values to start from.

    Returns:
        A complete dict of lever values.

    Raises:
        LeverError: For the first unknown key or value out of range.
    """
    out = dict(defaults() if base is None else base)
    for key, value in values.items():
        if key not in LEVERS:
            raise unknown_key_error(key, LEVERS)
        out[key] = LEVERS[key].check(value)
    return out


def lever_table(lang: str = "en") -> pd.DataFrame:
    """A table of every lever for docs, reports and dashboards.

    Args:
        lang: ``"zh"`` or ``"en"`` for labels and help texts.

    Returns:
        One row per lever: name, group, label, help, clauses, kind, unit, allowed, default.
    """
    rows = []
    for lever in LEVERS.values():
        rows.append(
            {
                "name": lever.name,
                "group": GROUPS[lever.group][lang],
                "label": lever.label(lang),
                "help": lever.help_zh if lang == "zh" else lever.help_en,
                "clauses": "、".join(lever.clauses),
                "kind": lever.kind,
                "unit": lever.unit,
                "allowed": lever.allowed(),
                "default": lever.default,
            }
        )
    return pd.DataFrame(rows)
