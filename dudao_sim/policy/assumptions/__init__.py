"""Behavioural assumptions: how units and offices respond, each with its source.

Kept apart from policy levers (:mod:`dudao_sim.policy.levers`): a lever is what the supervision
system controls and cites a clause; an assumption is how the world is believed to work and cites its
evidence (author, year or document number) or says ``assumption``. One TOML file per submodel sits
in this folder; every entry has a value, a plausible range (``low``, ``high``) for sweeps and
sensitivity analysis, a unit and a source, and — where the source names works — their keys in
``refs`` (:mod:`dudao_sim.citations`; the entries are in ``docs/references.toml``).

Example:
    >>> from dudao_sim.policy.assumptions import ASSUMPTIONS, check_assumptions
    >>> ASSUMPTIONS["effort_quality_gain"].value
    0.1
    >>> check_assumptions({"p_rebound": 0.05})["p_rebound"]
    0.05
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from dudao_sim.citations import check_refs
from dudao_sim.errors import AssumptionError
from dudao_sim.policy.levers import unknown_key_error, value_hint

ASSUMPTION_DIR = Path(__file__).resolve().parent


class Assumption(BaseModel):
    """One behavioural assumption.

    Attributes:
        name: Key used in code, sweeps and scenario files.
        submodel: The submodel (file) it belongs to.
        value: Default value.
        low: Lowest plausible value.
        high: Highest plausible value.
        unit: Unit of the value.
        source: Evidence with citation, or a sentence starting with ``assumption``.
        refs: Keys of the works the source names (``docs/references.toml``); empty for a
            modelling choice.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    submodel: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    refs: tuple[str, ...] = ()

    @field_validator("refs", mode="before")
    @classmethod
    def _refs(cls, value: object, info: ValidationInfo) -> tuple[str, ...]:
        where = f"{info.data.get('submodel', '?')}.toml, {info.data.get('name', '?')}"
        return check_refs(value, where)

    @model_validator(mode="after")
    def _consistent(self) -> Assumption:
        if not self.low <= self.value <= self.high:
            raise ValueError(f"{self.name}: value {self.value} outside [{self.low}, {self.high}]")
        if not self.source.strip():
            raise ValueError(f"{self.name}: needs a source (or 'assumption')")
        return self

    def check(self, value: object) -> float:
        """Return ``value`` as a float, or raise if it is outside [low, high].

        Raises:
            AssumptionError: Naming the assumption, the value and the allowed range (a
                ``LeverError``).
        """
        if isinstance(value, np.generic):  # a value read from a NumPy array or DataFrame
            value = value.item()
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not self.low <= value <= self.high
        ):
            raise AssumptionError(
                f"{self.name}: {value!r} is not allowed; must be a number in "
                f"[{self.low:g}, {self.high:g}]" + value_hint(value, "float", self.low, self.high)
            )
        return float(value)


def _load() -> dict[str, Assumption]:
    out: dict[str, Assumption] = {}
    for path in sorted(ASSUMPTION_DIR.glob("*.toml")):
        for name, spec in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if name in out:
                raise ValueError(
                    f"{path.name}: assumption {name!r} is also in {out[name].submodel}"
                )
            out[name] = Assumption(name=name, submodel=path.stem, **spec)
    return out


#: Every behavioural assumption, by name.
ASSUMPTIONS: dict[str, Assumption] = _load()


def assumption_defaults() -> dict[str, float]:
    """Every assumption at its default value."""
    return {name: a.value for name, a in ASSUMPTIONS.items()}


def check_assumptions(values: Mapping[str, object]) -> dict[str, float]:
    """Check assumption values and fill the rest with defaults.

    Args:
        values: Assumption values to set.

    Returns:
        A complete dict of assumption values.

    Raises:
        AssumptionError: For an unknown name or a value outside its plausible range (a
            ``LeverError``).
    """
    out = assumption_defaults()
    for key, value in values.items():
        if key not in ASSUMPTIONS:
            raise unknown_key_error(key, ASSUMPTIONS, what="assumption", error=AssumptionError)
        out[key] = ASSUMPTIONS[key].check(value)
    return out


def assumption_table() -> pd.DataFrame:
    """One row per assumption: name, submodel, value, range, unit, source, refs."""
    return pd.DataFrame([a.model_dump() for a in ASSUMPTIONS.values()])
